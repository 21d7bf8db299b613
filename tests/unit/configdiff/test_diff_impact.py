"""Reboot impact per Talos version (research talos-internals.md §4)."""

from __future__ import annotations

from typing import Any

import pytest

from talosgpu.configdiff.semantic import diff_configs

CRI = "/etc/cri/conf.d/20-customization.part"
PRE_1_14 = ["1.7", "1.8", "1.9", "1.10", "1.11", "1.12", "1.13"]
ALL = [*PRE_1_14, "1.14"]


def _v1(**machine: Any) -> dict[str, Any]:
    return {"version": "v1alpha1", "machine": {"type": "worker", **machine}}


def _impacts(old: list[dict[str, Any]], new: list[dict[str, Any]], version: str) -> list[str]:
    return [c.impact for c in diff_configs(old, new, talos_version=version).changes]


@pytest.mark.parametrize("version", PRE_1_14)
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("files", [{"path": CRI, "op": "create", "content": "[a]\n"}]),
        ("files", [{"path": "/var/x", "op": "create", "content": "x"}]),
        ("udev", {"rules": ['KERNEL=="nvidia", MODE="0666"']}),
        ("env", {"A": "b"}),
    ],
)
def test_files_udev_env_reboot_up_to_1_13(version: str, field: str, value: Any) -> None:
    diff = diff_configs([_v1()], [_v1(**{field: value})], talos_version=version)
    assert diff.reboot
    assert diff.reboot_reasons == (f".machine.{field}",)
    assert "the node will reboot because" in diff.summary


@pytest.mark.parametrize("version", ALL)
@pytest.mark.parametrize(
    ("field", "value", "impact"),
    [
        ("nodeLabels", {"nvidia.com/gpu.present": "true"}, "none"),
        ("sysctls", {"net.core.bpf_jit_harden": "1"}, "none"),
        ("kernel", {"modules": [{"name": "nvidia"}]}, "module-load"),
        ("install", {"image": "factory.talos.dev/installer/x:v1.9.0"}, "upgrade"),
    ],
)
def test_labels_sysctls_modules_install_never_reboot(
    version: str, field: str, value: Any, impact: str
) -> None:
    diff = diff_configs([_v1()], [_v1(**{field: value})], talos_version=version)
    assert not diff.reboot
    assert {c.impact for c in diff.changes} == {impact}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("files", [{"path": "/var/x", "op": "create", "content": "x"}]),
        ("udev", {"rules": ["x"]}),
        ("env", {"A": "b"}),
    ],
)
def test_nothing_reboots_on_1_14(field: str, value: Any) -> None:
    diff = diff_configs([_v1()], [_v1(**{field: value})], talos_version="1.14")
    assert diff.changes and not diff.reboot
    assert "no reboot" in diff.summary


def test_cri_changes_restart_containerd_on_1_14() -> None:
    doc = {"apiVersion": "v1alpha1", "kind": "CRICustomizationConfig", "name": "n"}
    diff = diff_configs(
        [_v1(), {**doc, "content": "[a]\nb = 1\n"}],
        [_v1(), {**doc, "content": "[a]\nb = 2\n"}],
        talos_version="1.14",
    )
    assert [(c.impact, c.document) for c in diff.changes] == [
        ("cri-restart", "CRICustomizationConfig/n")
    ]
    legacy = diff_configs(
        [_v1()],
        [_v1(files=[{"path": CRI, "op": "create", "content": "[a]\n"}])],
        talos_version="1.14",
    )
    assert [c.impact for c in legacy.changes] == ["cri-restart"]
    assert diff.summary == "1 change; no reboot; containerd restarts"


def test_kernel_module_documents_load_on_1_14_and_parameters_need_a_reboot() -> None:
    mod = {"apiVersion": "v1alpha1", "kind": "KernelModuleConfig", "name": "nvidia"}
    added = diff_configs([_v1()], [_v1(), mod], talos_version="1.14")
    assert [c.impact for c in added.changes] == ["module-load"]
    assert added.summary == "1 change; no reboot; new kernel modules are loaded now"
    changed = diff_configs(
        [_v1(), mod], [_v1(), {**mod, "parameters": ["a=1"]}], talos_version="1.14"
    )
    assert [c.impact for c in changed.changes] == ["module-load"]
    assert "take effect after a reboot" in changed.summary


def test_other_documents_never_force_a_reboot_before_1_14() -> None:
    doc = {"apiVersion": "v1alpha1", "kind": "HostnameConfig", "auto": "stable"}
    diff = diff_configs([_v1(), doc], [_v1(), {**doc, "auto": "off"}], talos_version="1.13")
    assert diff.changes and not diff.reboot


def test_features_subfields_are_allowed_only_when_features_exists_on_both_sides() -> None:
    old = _v1(features={"kubePrism": {"enabled": True}})
    new = _v1(features={"kubePrism": {"enabled": False}})
    assert not diff_configs([old], [new], talos_version="1.13").reboot
    added = diff_configs([_v1()], [new], talos_version="1.13")
    assert added.reboot and added.reboot_reasons == (".machine.features",)
    rbac = diff_configs(
        [old], [_v1(features={"kubePrism": {"enabled": True}, "rbac": True})], talos_version="1.13"
    )
    assert rbac.reboot_reasons == (".machine.features.rbac",)


def test_allow_list_follows_the_version() -> None:
    # machine.nodeAnnotations joined CanApplyImmediate's allow-list in 1.8.0
    new = _v1(nodeAnnotations={"a": "b"})
    assert diff_configs([_v1()], [new], talos_version="1.7").reboot
    assert not diff_configs([_v1()], [new], talos_version="1.8").reboot


def test_summary_line() -> None:
    old = _v1()
    new = _v1(
        files=[{"path": CRI, "op": "create", "content": "[a]\n"}],
        nodeLabels={"a": "b"},
        sysctls={"c": "d"},
    )
    diff = diff_configs([old], [new], talos_version="1.12")
    assert diff.summary == "3 changes; the node will reboot because .machine.files changed"
    assert diff_configs([old], [old], talos_version="1.12").summary.startswith("no changes")


@pytest.mark.parametrize(
    ("version", "impact"), [("1.9", "upgrade"), ("1.10", "none"), ("1.13", "none")]
)
def test_install_extensions_have_no_effect_from_1_10(version: str, impact: str) -> None:
    """Release notes v1.10.0 "Machine Install Extensions" (research talos-internals.md §3)."""
    new = _v1(install={"extensions": [{"image": "ghcr.io/siderolabs/nvidia:1"}]})
    (change,) = diff_configs([_v1()], [new], talos_version=version).changes
    assert change.impact == impact


def test_a_new_machine_file_on_1_14_waits_for_the_next_boot_and_the_summary_says_so() -> None:
    """WriteUserFiles is a boot task (research talos-internals.md §3): "no reboot" alone would
    read as "in effect now"."""
    files = [{"path": "/var/lib/gpu/notes.txt", "op": "create", "content": "x"}]
    diff = diff_configs([_v1()], [_v1(files=files)], talos_version="1.14")
    (change,) = diff.changes
    assert change.impact == "none" and "next reboot" in (change.note or "")
    assert diff.summary.endswith("no reboot; machine.files changes take effect at the next reboot")
