"""The intent's patches merged after talosgpu's documents: collisions, refusals, lint."""

from __future__ import annotations

from typing import Any

import pytest

from talosgpu.errors import RenderError, TalosGPUError
from talosgpu.intent.models import Intent
from talosgpu.nodepatch import UserPatch, merge_node_patches, read_patch_text
from talosgpu.outputs import render_intent


def _rendered(version: str = "1.12", **fields: Any):  # type: ignore[no-untyped-def]
    intent = Intent.model_validate({"profile": None, "runtime": {"mode": "cdi"}, **fields})
    return render_intent(intent, talos_version=version, source="node.yaml")


def _patch(doc: dict[str, Any], source: str = "extra.yaml") -> UserPatch:
    return UserPatch(source, (doc,))


def test_the_rest_of_the_node_is_merged_after_talosgpu_s_documents() -> None:
    merged = merge_node_patches(
        _rendered(),
        [
            _patch({"machine": {"network": {"hostname": "gpu-1"}}}),
            _patch({"machine": {"kernel": {"modules": [{"name": "zfs"}]}}}, "zfs.yaml"),
        ],
    )
    (doc,) = merged.documents
    assert doc["machine"]["network"]["hostname"] == "gpu-1"
    names = [m["name"] for m in doc["machine"]["kernel"]["modules"]]
    assert names[:4] == ["nvidia", "nvidia_uvm", "nvidia_drm", "nvidia_modeset"]
    assert names[-1] == "zfs"
    assert "# Merged with the intent's patches, in order: extra.yaml, zfs.yaml." in merged.header


def test_a_second_cri_part_is_an_error_naming_both() -> None:
    files = [{"path": "/etc/cri/conf.d/20-customization.part", "op": "create", "content": "x"}]
    with pytest.raises(RenderError, match=r"extra.yaml: .machine.files\[0\] writes .*talosgpu's"):
        merge_node_patches(_rendered(), [_patch({"machine": {"files": files}})])


def test_a_cri_customization_of_talosgpu_s_name_is_an_error() -> None:
    doc = {"apiVersion": "v1alpha1", "kind": "CRICustomizationConfig", "name": "talosgpu-nvidia",
           "content": "x = 1\n"}  # fmt: skip
    with pytest.raises(RenderError, match="is talosgpu's CRI customization"):
        merge_node_patches(_rendered("1.14"), [_patch(doc)])


def test_another_default_runtime_contradicts_the_intent() -> None:
    content = (
        '[plugins."io.containerd.cri.v1.runtime".containerd]\n  default_runtime_name = "nvidia"\n'
    )
    doc = {"apiVersion": "v1alpha1", "kind": "CRICustomizationConfig", "name": "mine",
           "content": content}  # fmt: skip
    with pytest.raises(RenderError, match=r"default_runtime_name = 'nvidia' contradicts runc"):
        merge_node_patches(_rendered("1.14"), [_patch(doc)])


@pytest.mark.parametrize(
    "doc",
    [
        {"machine": {"kernel": {"modules": {"$patch": "delete"}}}},
        {"machine": {"kernel": {"modules": [{"name": "nvidia_uvm", "$patch": "delete"}]}}},
    ],
)
def test_removing_the_gpu_modules_is_an_error(doc: dict[str, Any]) -> None:
    with pytest.raises(RenderError, match="removes the GPU kernel modules talosgpu loads"):
        merge_node_patches(_rendered(), [_patch(doc)])


def test_other_deletes_are_refused_with_the_reason() -> None:
    doc = {"machine": {"network": {"$patch": "delete"}}}
    with pytest.raises(RenderError, match="nothing to delete"):
        merge_node_patches(_rendered(), [_patch(doc)])


OPS = "- op: add\n  path: /machine/network/hostname\n  value: gpu-1\n"


def test_a_json6902_file_is_kept_for_the_nodes_whole_config() -> None:
    """RFC 6902 paths point into the node's config: not merged into the patch, kept for
    diff/apply to apply there after it (as talosctl patch would)."""
    ops = read_patch_text(OPS, source="ops.yaml")
    assert ops.json6902 and ops.operations == (
        {"op": "add", "path": "/machine/network/hostname", "value": "gpu-1"},
    )
    rendered = _rendered()
    merged = merge_node_patches(rendered, [_patch({"machine": {"sysctls": {"a": "1"}}}), ops])
    assert [p.source for p in merged.after_patches] == ["ops.yaml"]
    assert merged.after_patches[0].kind == "json6902"
    # not merged into the patch: its header names it as applied after it
    assert "JSON6902 patches that diff and apply apply after this one: ops.yaml" in merged.header
    body = [line for line in merged.patch_text.splitlines() if not line.startswith("#")]
    assert not any("gpu-1" in line for line in body)


def test_a_strategic_patch_after_a_json6902_one_is_refused() -> None:
    ops = read_patch_text(OPS, source="ops.yaml")
    with pytest.raises(
        RenderError,
        match=r"extra.yaml comes after the JSON6902 patch ops.yaml: list JSON6902 patches last",
    ):
        merge_node_patches(_rendered(), [ops, _patch({"machine": {}})])


def test_a_bad_json6902_operation_is_refused_as_talos_would() -> None:
    with pytest.raises(TalosGPUError, match=r"ops\.yaml"):
        read_patch_text("- path: /machine\n", source="ops.yaml")


def test_a_lint_warning_of_the_merged_patch_is_a_warning() -> None:
    patch = _patch(
        {"machine": {"kubelet": {"extraArgs": {"register-with-taints": "a=b:NoSchedule"}}}}
    )
    merged = merge_node_patches(_rendered(), [patch])
    assert any("kubelet-register-taints" in w for w in merged.warnings)


def test_no_patches_is_the_render_itself() -> None:
    rendered = _rendered()
    assert merge_node_patches(rendered, []) is rendered


def test_another_installer_image_than_the_intents_is_an_error() -> None:
    """installer: renders the factory image of the node's schematic; a patch setting another
    would win the merge and drop the NVIDIA extensions without a word."""
    rendered = _rendered("1.13.5", talosVersion="1.13.5", installer={"platform": "metal"})
    image = {"machine": {"install": {"image": "ghcr.io/siderolabs/installer:v1.13.5"}}}
    with pytest.raises(RenderError, match=r"extra.yaml: sets the installer image ghcr.io/"):
        merge_node_patches(rendered, [_patch(image)])
    same = {"machine": {"install": {"image": rendered.plan.installer_image, "wipe": False}}}
    assert merge_node_patches(rendered, [_patch(same)]).documents
