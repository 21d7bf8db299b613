"""Idempotency check and fixed-point reduction of patches."""

from __future__ import annotations

from typing import Any

import pytest

from talosgpu import yamlio
from talosgpu.talos.idempotency import check_idempotency, reduce_patch, split_patch
from talosgpu.talos.merge import merge_documents
from talosgpu.versions import TalosVersion

CONFIG = yamlio.load_all("""\
version: v1alpha1
machine:
  kernel:
    modules:
      - name: nvidia
        parameters: [a=1]
      - name: nvidia_uvm
      - name: nvidia_uvm
  udev:
    rules: [r1, r1, r2]
  files:
    - path: /etc/cri/conf.d/20-customization.part
      op: create
      content: old
  kubelet:
    extraMounts:
      - destination: /var/cdi
        type: bind
        source: /var/cdi
        options: [bind, rw]
  sysctls:
    net.core.bpf_jit_harden: 1
""")
PATCH = yamlio.load_all("""\
machine:
  kernel:
    modules:
      - name: nvidia
        parameters: [a=2]
      - name: nvidia_uvm
      - name: nvidia_drm
  udev:
    rules: [r1, r3]
  files:
    - path: /etc/cri/conf.d/20-customization.part
      op: create
      content: new
  kubelet:
    extraMounts:
      - destination: /var/cdi
        type: bind
        source: /var/cdi
        options: [bind, rw]
  install:
    extensions:
      - image: ghcr.io/siderolabs/nvidia-container-toolkit:x
  sysctls:
    net.core.bpf_jit_harden: "1"
""")


def apply_all(config: list[Any], docs: list[dict[str, Any]], version: str) -> list[dict[str, Any]]:
    for patch in split_patch(docs, talos_version=version):
        config = merge_documents(config, patch, talos_version=TalosVersion.parse(version))
    return config


def test_check_reports_duplicates_conflicts_and_regrowth() -> None:
    report = check_idempotency(CONFIG, PATCH, talos_version="1.13")
    kinds = {(i.path, i.identity): i.kind for i in report.issues}
    assert kinds[(".machine.kernel.modules", "name=nvidia")] == "conflict"
    assert kinds[(".machine.kernel.modules", "name=nvidia_uvm")] == "duplicate"
    assert kinds[(".machine.kernel.modules", "name=nvidia_drm")] == "regrowth"
    assert kinds[(".machine.udev.rules", "r1")] == "duplicate"
    assert kinds[(".machine.files", "path=/etc/cri/conf.d/20-customization.part")] == "conflict"
    assert kinds[(".machine.kubelet.extraMounts", "destination=/var/cdi")] == "duplicate"
    assert (
        kinds[
            (".machine.install.extensions", "image=ghcr.io/siderolabs/nvidia-container-toolkit:x")
        ]
        == "regrowth"
    )
    assert not report.fixed_point and not report.ok


@pytest.mark.parametrize("version", ["1.8", "1.13", "1.14"])
def test_reduced_patch_reaches_a_fixed_point(version: str) -> None:
    reduced = reduce_patch(CONFIG, PATCH, talos_version=version)
    once = apply_all(CONFIG, reduced, version)
    machine = once[0]["machine"]
    assert [m["name"] for m in machine["kernel"]["modules"]] == [
        "nvidia",
        "nvidia_uvm",
        "nvidia_drm",
    ]
    assert machine["kernel"]["modules"][0]["parameters"] == ["a=2"]
    assert machine["udev"]["rules"] == ["r1", "r2", "r3"]
    assert [f["content"] for f in machine["files"]] == ["new"]
    assert len(machine["kubelet"]["extraMounts"]) == 1
    assert reduce_patch(once, PATCH, talos_version=version) == []
    assert apply_all(once, reduce_patch(once, PATCH, talos_version=version), version) == once


def test_reduced_patch_deletes_old_item_before_new_one() -> None:
    reduced = reduce_patch(CONFIG, PATCH, talos_version="1.14")
    files = reduced[0]["machine"]["files"]
    assert files[0] == {"path": "/etc/cri/conf.d/20-customization.part", "$patch": "delete"}
    assert files[1]["content"] == "new"
    # udev strings cannot be deleted one by one: whole key deleted, full list re-added
    assert reduced[0]["machine"]["udev"]["rules"] == {"$patch": "delete"}
    assert reduced[1] == {"machine": {"udev": {"rules": ["r1", "r2", "r3"]}}}
    assert len(split_patch(reduced, talos_version="1.13")) == 2
    assert len(split_patch(reduced, talos_version="1.14")) == 1


def test_reduce_drops_deletes_of_absent_things_and_keeps_new_documents() -> None:
    patch = [
        {"machine": {"nodeLabels": {"gone": {"$patch": "delete"}}}},
        {"apiVersion": "v1alpha1", "kind": "KernelModuleConfig", "name": "nvidia"},
    ]
    reduced = reduce_patch(CONFIG, patch, talos_version="1.14")
    assert reduced == [{"apiVersion": "v1alpha1", "kind": "KernelModuleConfig", "name": "nvidia"}]
    once = apply_all(CONFIG, reduced, "1.14")
    assert reduce_patch(once, patch, talos_version="1.14") == []


def test_reduce_before_patch_delete_support_never_grows() -> None:
    reduced = reduce_patch(CONFIG, PATCH, talos_version="1.7")
    assert "$patch" not in yamlio.dump_all(reduced)
    once = apply_all(CONFIG, reduced, "1.7")
    assert reduce_patch(once, PATCH, talos_version="1.7") == []


def test_check_is_clean_after_reduction_and_inputs_untouched() -> None:
    before = yamlio.dump_all(CONFIG)
    reduced = reduce_patch(CONFIG, PATCH, talos_version="1.14")
    once = apply_all(CONFIG, reduced, "1.14")
    assert yamlio.dump_all(CONFIG) == before
    assert check_idempotency(
        once, reduce_patch(once, PATCH, talos_version="1.14"), talos_version="1.14"
    ).ok


def test_real_world_gpu_patches_reach_a_fixed_point() -> None:
    from conftest import shared_path

    from talosgpu.errors import TalosGPUError
    from talosgpu.talos.apply import load_config
    from talosgpu.talos.patches import load_patch

    root = shared_path("conformance", "real-world")
    checked = 0
    for version in ("1.13", "1.14"):
        base = shared_path(
            "conformance", "talos-machineconfigs", "stability", f"v{version}", "base-worker.yaml"
        )
        config = load_config(base.read_text())
        for path in sorted(root.rglob("*.yaml")):
            if "sops" in path.name or "talconfig" in path.name or "schematic" in str(path):
                continue
            try:
                patch = load_patch("@" + str(path))
            except TalosGPUError:
                continue
            if patch.kind != "strategic":
                continue
            once = apply_all(
                config, reduce_patch(config, patch.documents, talos_version=version), version
            )
            again = reduce_patch(once, patch.documents, talos_version=version)
            assert apply_all(once, again, version) == once, str(path)
            checked += 1
    assert checked >= 40


def _module_doc(*parameters: str) -> dict[str, Any]:
    doc: dict[str, Any] = {"apiVersion": "v1alpha1", "kind": "KernelModuleConfig", "name": "m"}
    return {**doc, "parameters": list(parameters)} if parameters else doc


@pytest.mark.parametrize(
    ("live", "wanted"),
    [
        (("modeset=1",), ("modeset=0", "fbdev=1")),  # other parameters: not appended to
        (("modeset=1",), ()),  # the patch states none: the old ones go
        (("a=1", "b=2"), ("b=2", "a=1")),  # the order the intent gives
    ],
)
def test_kernel_module_document_parameters_are_replaced_whole(
    live: tuple[str, ...], wanted: tuple[str, ...]
) -> None:
    """A KernelModuleConfig's parameters merge by appending (merge.go): reduced as the key's
    delete plus the list again (Talos's patchmixed vector), so the node ends with exactly the
    intent's list, and a second reduction changes nothing."""
    config = [{"version": "v1alpha1", "machine": {}}, _module_doc(*live)]
    patch = reduce_patch(config, [_module_doc(*wanted)], talos_version="1.14")
    after = merge_documents(config, patch, talos_version=TalosVersion.parse("1.14"))
    module = next(d for d in after if d.get("kind") == "KernelModuleConfig")
    assert module.get("parameters", []) == list(wanted)
    assert reduce_patch(after, [_module_doc(*wanted)], talos_version="1.14") == []
