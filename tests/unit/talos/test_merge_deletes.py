"""``$patch: delete``: extraction, application and Talos's error texts (research §1.6)."""

from __future__ import annotations

import pytest

from talosgpu.errors import MergeError
from talosgpu.talos.apply import apply_patches
from talosgpu.talos.deletes import extract_deletes

CONFIG = """\
version: v1alpha1
machine:
  kernel:
    modules:
      - name: nvidia
      - name: nvidia_uvm
      - name: nvidia
  nodeLabels:
    a: "1"
  udev:
    rules: [r1, r2]
  kubelet:
    extraConfig:
      list: [{x: 1}]
"""


def test_extraction_orders_selectors_and_drops_empty_documents() -> None:
    doc = {"version": "v1alpha1", "machine": {"nodeLabels": {"a": {"$patch": "delete"}}}}
    selectors, remainder = extract_deletes(doc)
    assert remainder is None
    assert [s.path for s in selectors] == [("machine", "nodeLabels", "a")]
    assert doc["machine"]["nodeLabels"]["a"] == {"$patch": "delete"}  # input untouched


def test_list_item_delete_removes_only_the_first_match() -> None:
    patch = "machine:\n  kernel:\n    modules:\n      - name: nvidia\n        $patch: delete\n"
    out = apply_patches(CONFIG, [patch]).documents[0]
    assert out["machine"]["kernel"]["modules"] == [{"name": "nvidia_uvm"}, {"name": "nvidia"}]


def test_deletes_run_before_the_merge_of_the_same_document() -> None:
    patch = (
        "machine:\n  kernel:\n    modules:\n"
        "      - name: nvidia_uvm\n        $patch: delete\n      - name: nvidia_uvm\n        parameters: [p]\n"
    )
    modules = apply_patches(CONFIG, [patch]).documents[0]["machine"]["kernel"]["modules"]
    assert modules == [
        {"name": "nvidia"},
        {"name": "nvidia"},
        {"name": "nvidia_uvm", "parameters": ["p"]},
    ]


def test_map_key_and_whole_list_delete() -> None:
    patch = "machine:\n  nodeLabels:\n    a:\n      $patch: delete\n  udev:\n    rules:\n      $patch: delete\n"
    out = apply_patches(CONFIG, [patch]).documents[0]["machine"]
    assert out["nodeLabels"] == {} and "rules" not in out["udev"]


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        (
            "machine:\n  nodeLabels:\n    missing:\n      $patch: delete\n",
            "patch delete: path 'machine.nodeLabels.missing' in document '/v1alpha1': "
            "failed to delete path 'machine.nodeLabels.missing': lookup failed",
        ),
        (
            "machine:\n  udev:\n    rules:\n      - r1: x\n        $patch: delete\n",
            "lookup failed",
        ),
        (
            "machine:\n  kubelet:\n    extraConfig:\n      list:\n        - x: 1\n          $patch: delete\n",
            "lookup failed",
        ),
        (
            "machine:\n  kernel:\n    modules:\n      - name: nvidia\n        parameters:\n"
            "          $patch: delete\n",
            "cannot delete an inner key in 'machine.kernel.modules.[0].parameters'",
        ),
        (
            "machine:\n  kernel:\n    modules:\n      - $patch: delete\n",
            "no key:val found in sequence node for path machine.kernel.modules.[0]",
        ),
        (
            "version: v1alpha1\n$patch: delete\n",
            "missing apiVersion in document for which $patch: delete is used",
        ),
        (
            "apiVersion: v1alpha1\nsysctls:\n  $patch: delete\n",
            "kind and apiVersion must be both set for path sysctls",
        ),
    ],
)
def test_talos_error_texts(patch: str, message: str) -> None:
    with pytest.raises(MergeError) as err:
        apply_patches(CONFIG, [patch])
    assert message in str(err.value)


def test_missing_struct_field_delete_is_not_an_error() -> None:
    out = apply_patches(CONFIG, ["machine:\n  kernel:\n    missing:\n      $patch: delete\n"])
    assert out.documents[0]["machine"]["kernel"]["modules"]


def test_nested_list_item_delete_is_not_supported() -> None:
    config = "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        vlans: [{vlanId: 1, x: a}]\n"
    patch = (
        "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        vlans:\n"
        "          - x: a\n            $patch: delete\n"
    )
    with pytest.raises(MergeError, match="searching for complex paths in slices is not supported"):
        apply_patches(config, [patch])


def test_named_document_delete_and_missing_document_by_version() -> None:
    config = "machine: {}\n---\napiVersion: v1alpha1\nkind: KernelModuleConfig\nname: nvidia\n"
    delete = "apiVersion: v1alpha1\nkind: KernelModuleConfig\nname: nvidia\n$patch: delete\n"
    assert len(apply_patches(config, [delete]).documents) == 1
    missing = delete.replace("nvidia", "absent")
    assert len(apply_patches(config, [missing], talos_version="1.14").documents) == 2
    with pytest.raises(MergeError, match="to delete is not in the config"):
        apply_patches(config, [missing], talos_version="1.13")
    with pytest.raises(MergeError, match=r"needs Talos 1\.8"):
        apply_patches(config, [delete], talos_version="1.7")
