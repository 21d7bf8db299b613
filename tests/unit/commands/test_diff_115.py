"""Diffing a Talos 1.14 node for Talos 1.15: talosgpu's old runtime part goes, other parts that
point at the NVIDIA runtime binaries (which 1.15 does not ship) are named."""

from __future__ import annotations

from conftest import stock_config

from talosgpu import yamlio
from talosgpu.commands.diff import diff

PART = (
    '[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia-cdi.options]\n'
    '  BinaryName = "/usr/local/bin/nvidia-container-runtime.cdi"\n'
)


def live_114(tmp_path, *, name: str) -> str:  # type: ignore[no-untyped-def]
    base = stock_config("1.14").read_text()
    doc = {
        "apiVersion": "v1alpha1",
        "kind": "CRICustomizationConfig",
        "name": name,
        "content": PART,
    }
    path = tmp_path / "live.yaml"
    path.write_text(base.rstrip("\n") + "\n---\n" + yamlio.dump(doc))
    return str(path)


def operator_115():  # type: ignore[no-untyped-def]
    from talosgpu.intent.load import load_intent_text

    return load_intent_text('talosVersion: "1.15"\nruntime: {mode: operator}\n', source="i.yaml")


def test_talosgpu_part_is_deleted_in_the_proposal(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = diff(operator_115(), live=live_114(tmp_path, name="talosgpu-nvidia"))
    kinds = [(d.get("kind"), d.get("name")) for d in result.proposal.proposed_documents]
    assert ("CRICustomizationConfig", "talosgpu-nvidia") not in kinds
    assert {"apiVersion": "v1alpha1", "kind": "CRICustomizationConfig", "name": "talosgpu-nvidia",
            "$patch": "delete"} in result.proposal.patch_documents  # fmt: skip


def test_a_users_part_is_named_not_deleted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = diff(operator_115(), live=live_114(tmp_path, name="my-gpu"))
    kinds = [(d.get("kind"), d.get("name")) for d in result.proposal.proposed_documents]
    assert ("CRICustomizationConfig", "my-gpu") in kinds
    assert any("'my-gpu' points at NVIDIA runtime binaries" in w for w in result.warnings)


def test_on_1_14_the_part_stays(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from talosgpu.intent.load import load_intent_text

    intent = load_intent_text('talosVersion: "1.14"\nruntime: {mode: operator}\n', source="i.yaml")
    result = diff(intent, live=live_114(tmp_path, name="talosgpu-nvidia"))
    kinds = [(d.get("kind"), d.get("name")) for d in result.proposal.proposed_documents]
    assert ("CRICustomizationConfig", "talosgpu-nvidia") in kinds
    assert not any("runtime binaries" in w for w in result.warnings)
