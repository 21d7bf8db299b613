"""Generic and field-specific merge rules (merge.go + the mergerules table)."""

from __future__ import annotations

from typing import Any

import pytest

from talosgpu.errors import MergeError
from talosgpu.talos.merge import merge_documents, merge_value
from talosgpu.talos.mergerules import RULES, rule_for
from talosgpu.versions import TalosVersion

V14 = TalosVersion.parse("1.14")
V11 = TalosVersion.parse("1.11")
V12 = TalosVersion.parse("1.12")


def merged(left: Any, right: Any, version: TalosVersion = V14, kind: str = "v1alpha1") -> Any:
    return merge_value(left, right, kind=kind, path=(), version=version)


def test_scalars_zero_does_not_overwrite_but_false_does() -> None:
    left = {"a": "x", "b": 3, "c": True, "d": 1.5}
    assert merged(left, {"a": "", "b": 0, "c": False, "d": 0.0}) == {
        "a": "x",
        "b": 3,
        "c": False,
        "d": 1.5,
    }


def test_null_in_patch_is_ignored_and_null_left_takes_right() -> None:
    assert merged({"a": "x", "b": None}, {"a": None, "b": {"c": 1}}) == {"a": "x", "b": {"c": 1}}


def test_lists_append_and_empty_list_is_noop() -> None:
    assert merged({"l": [1, 2]}, {"l": [2, 3]}) == {"l": [1, 2, 2, 3]}
    assert merged({"l": [1]}, {"l": []}) == {"l": [1]}
    assert merged({}, {"l": []}) == {"l": []}


def test_merge_does_not_modify_inputs() -> None:
    left, right = {"l": [{"a": 1}]}, {"l": [{"b": 2}]}
    result = merged(left, right)
    result["l"][0]["a"] = 9
    assert left == {"l": [{"a": 1}]} and right == {"l": [{"b": 2}]}


def test_type_mismatch_is_an_error() -> None:
    with pytest.raises(MergeError, match="merge type mismatch left map"):
        merged({"a": {"b": 1}}, {"a": [1]})


def test_pointer_scalar_zero_overwrites_from_1_12_only() -> None:
    left = {"machine": {"network": {"kubespan": {"mtu": 1420}}}}
    right = {"machine": {"network": {"kubespan": {"mtu": 0}}}}
    assert merged(left, right, V12)["machine"]["network"]["kubespan"]["mtu"] == 0
    assert merged(left, right, V11)["machine"]["network"]["kubespan"]["mtu"] == 1420


def test_extra_args_per_key_replace_from_1_13() -> None:
    left = {"machine": {"kubelet": {"extraArgs": {"a": "1", "b": ["x"], "c": "keep"}}}}
    right = {"machine": {"kubelet": {"extraArgs": {"a": "", "b": ["y"]}}}}
    new = merged(left, right, TalosVersion.parse("1.13"))["machine"]["kubelet"]["extraArgs"]
    assert new == {"a": "", "b": ["y"], "c": "keep"}
    old = merged(left, right, V12)["machine"]["kubelet"]["extraArgs"]
    assert old == {"a": "1", "b": ["x", "y"], "c": "keep"}


def test_string_map_int_zero_overwrites_because_go_reads_a_string() -> None:
    left = {"machine": {"sysctls": {"net.core.bpf_jit_harden": "1", "k": "v"}}}
    right = {"machine": {"sysctls": {"net.core.bpf_jit_harden": 0, "k": ""}}}
    assert merged(left, right)["machine"]["sysctls"] == {"net.core.bpf_jit_harden": 0, "k": "v"}


def test_replace_fields_replace_and_empty_list_clears() -> None:
    left = {"cluster": {"network": {"podSubnets": ["10.244.0.0/16"], "dnsDomain": "x"}}}
    out = merged(left, {"cluster": {"network": {"podSubnets": []}}})
    assert out["cluster"]["network"] == {"podSubnets": [], "dnsDomain": "x"}


def test_keyed_interfaces_vlans_and_device_selector() -> None:
    left = {
        "machine": {
            "network": {
                "interfaces": [
                    {"interface": "eth0", "vlans": [{"vlanId": 100, "addresses": ["a"]}]},
                    {"deviceSelector": {"driver": "virtio"}, "mtu": 1500},
                    {"deviceSelector": {"physical": True}, "mtu": 1},
                ]
            }
        }
    }
    right = {
        "machine": {
            "network": {
                "interfaces": [
                    {
                        "interface": "eth0",
                        "vlans": [{"vlanId": 100, "addresses": ["b"]}, {"vlanId": 7}],
                    },
                    {"deviceSelector": {"driver": "virtio"}, "mtu": 9000},
                    {"deviceSelector": {"physical": True}, "mtu": 2},
                ]
            }
        }
    }
    items = merged(left, right)["machine"]["network"]["interfaces"]
    assert items[0]["vlans"] == [{"vlanId": 100, "addresses": ["a", "b"]}, {"vlanId": 7}]
    assert items[1] == {"deviceSelector": {"driver": "virtio"}, "mtu": 9000}
    # a selector with the *bool `physical` never compares equal in Go (pointer comparison)
    assert len(items) == 4


def test_keyed_replace_image_verification_rules() -> None:
    left = {
        "apiVersion": "v1alpha1",
        "kind": "ImageVerificationConfig",
        "rules": [{"image": "a/*", "skip": True, "keyless": {"issuer": "x"}}],
    }
    right = {
        "apiVersion": "v1alpha1",
        "kind": "ImageVerificationConfig",
        "rules": [{"image": "a/*", "skip": False}, {"image": "b"}],
    }
    out = merged(left, right, kind="ImageVerificationConfig")
    assert out["rules"] == [{"image": "a/*", "skip": False}, {"image": "b"}]
    v12 = merged(left, right, V12, kind="ImageVerificationConfig")
    assert len(v12["rules"]) == 3  # before 1.13: a plain list


def test_config_files_keyed_by_mount_path_from_1_8() -> None:
    left = {"configFiles": [{"content": "a", "mountPath": "/x"}]}
    right = {"configFiles": [{"content": "b", "mountPath": "/x"}]}
    kind = "ExtensionServiceConfig"
    assert merged(left, right, kind=kind)["configFiles"] == [{"content": "b", "mountPath": "/x"}]
    old = merged(left, right, TalosVersion.parse("1.7"), kind=kind)["configFiles"]
    assert len(old) == 2


def test_endpoint_url_merges_component_by_component() -> None:
    left = {"cluster": {"controlPlane": {"endpoint": "https://1.2.3.4:6443/"}}}
    out = merged(left, {"cluster": {"controlPlane": {"endpoint": "https://10.0.0.1"}}})
    assert out["cluster"]["controlPlane"]["endpoint"] == "https://10.0.0.1/"


def test_documents_matched_by_id_and_appended() -> None:
    config = [
        {"machine": {"env": {"A": "1"}}},
        {"apiVersion": "v1alpha1", "kind": "KernelModuleConfig", "name": "nvidia"},
    ]
    patch = [
        {
            "apiVersion": "v1alpha1",
            "kind": "KernelModuleConfig",
            "name": "nvidia",
            "parameters": ["NVreg=1"],
        },
        {"apiVersion": "v1alpha1", "kind": "KernelModuleConfig", "name": "nvidia_uvm"},
        {"machine": {"env": {"B": "2"}}},
    ]
    out = merge_documents(config, patch, talos_version=V14)
    assert out[0] == {"machine": {"env": {"A": "1", "B": "2"}}}
    assert out[1]["parameters"] == ["NVreg=1"]
    assert out[2]["name"] == "nvidia_uvm"


def test_inline_manifest_leading_newlines_trimmed_from_1_7() -> None:
    patch = [{"cluster": {"inlineManifests": [{"name": "x", "contents": "\n\n  ---\nkind: A\n"}]}}]
    out = merge_documents([{"machine": {}}], patch, talos_version=V14)
    assert out[0]["cluster"]["inlineManifests"][0]["contents"] == "  ---\nkind: A\n"


def test_rules_table_rows_cite_source_and_version() -> None:
    for rule in RULES:
        assert rule.source and TalosVersion.parse(rule.since if rule.since >= "1.7" else "1.7")
    assert rule_for("v1alpha1", ("machine", "network", "interfaces", 3, "vlans"), V14) is not None
    assert rule_for("v1alpha1", ("machine", "kubelet", "extraArgs"), V12).behaviour == "string-map"  # type: ignore[union-attr]
