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


def _live_112_part(tmp_path, extra: str = "") -> str:  # type: ignore[no-untyped-def]
    """A node installed at 1.12 with talosgpu's machine-file CRI part, upgraded to 1.15 (its
    v1alpha1 config is kept; a 1.12 config holds no KubeNodeConfig)."""
    docs = yamlio.load_all(stock_config("1.12").read_text())
    files = [{"path": "/etc/cri/conf.d/20-customization.part", "op": "create",
              "content": PART + extra}]  # fmt: skip
    docs[0].setdefault("machine", {})["files"] = files
    path = tmp_path / "live.yaml"
    path.write_text(yamlio.dump_all(docs))
    return str(path)


def test_talosgpus_old_machine_file_part_is_deleted_on_1_15(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Only the keys talosgpu's renderer writes: an earlier render of talosgpu's, whose runtime
    1.15 lacks (a trial's node kept it through diff/apply and pods could not start)."""
    result = diff(operator_115(), live=_live_112_part(tmp_path))
    v1 = result.proposal.proposed_documents[0]
    assert not [
        f for f in v1["machine"].get("files", []) if f["path"].endswith("20-customization.part")
    ]
    assert any("deletes talosgpu's old CRI part" in w for w in result.warnings)
    mine = diff(operator_115(), live=_live_112_part(tmp_path, "[debug]\nlevel = 'info'\n"))
    v1 = mine.proposal.proposed_documents[0]
    assert [f for f in v1["machine"]["files"] if f["path"].endswith("20-customization.part")]
    assert any("points at NVIDIA runtime binaries" in w for w in mine.warnings)


def test_the_old_part_is_deleted_when_the_patch_has_a_v1alpha1_document(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The delete goes into the node patch's v1alpha1 document when it has one (the intent's
    patches set a hostname): it must not be lost with it."""
    from talosgpu.intent.load import load_intent_text

    intent = load_intent_text(
        'talosVersion: "1.15"\nruntime: {mode: operator}\n'
        "patches: [{inline: {machine: {network: {hostname: gpu-a}}}}]\n",
        source="i.yaml",
    )
    result = diff(intent, live=_live_112_part(tmp_path))
    v1 = result.proposal.proposed_documents[0]
    assert not [
        f for f in v1["machine"].get("files", []) if f["path"].endswith("20-customization.part")
    ]
