"""Semantic diff: documents by id, paths, list items by identity, normalisation of form."""

from __future__ import annotations

from typing import Any

from talosgpu import yamlio
from talosgpu.configdiff.semantic import diff_configs

CRI = "/etc/cri/conf.d/20-customization.part"


def _v1(**machine: Any) -> dict[str, Any]:
    return {"version": "v1alpha1", "machine": {"type": "worker", **machine}}


def _paths(old: list[dict[str, Any]], new: list[dict[str, Any]], version: str = "1.13") -> list:
    return [
        (c.document, c.path, c.op) for c in diff_configs(old, new, talos_version=version).changes
    ]


def test_identical_configs_have_no_changes() -> None:
    doc = _v1(sysctls={"a": "1"}, kernel={"modules": [{"name": "nvidia"}]})
    assert diff_configs([doc], [doc], talos_version="1.11").empty


def test_comments_key_order_and_style_are_form_only() -> None:
    left = yamlio.load_all(
        "version: v1alpha1\nmachine:\n  type: worker  # c\n  sysctls: {b: '2', a: '1'}\n"
    )
    right = yamlio.load_all(
        "# header\nmachine:\n  sysctls:\n    a: '1'\n    b: '2'\n  type: worker\nversion: v1alpha1\n"
    )
    assert diff_configs(left, right, talos_version="1.12").empty


def test_file_permissions_in_any_spelling_are_the_same_mode() -> None:
    files = [
        {"path": "/var/x", "op": "create", "content": "x", "permissions": mode}
        for mode in (0o644, 420, "0644", "0o644")
    ]
    for other in files[1:]:
        assert diff_configs(
            [_v1(files=[files[0]])], [_v1(files=[other])], talos_version="1.11"
        ).empty
    changed = {"path": "/var/x", "op": "create", "content": "x", "permissions": 0o600}
    diff = diff_configs([_v1(files=[files[0]])], [_v1(files=[changed])], talos_version="1.11")
    assert [(c.path, c.old, c.new) for c in diff.changes] == [
        (".machine.files[path=/var/x].permissions", 420, 384)
    ]


def test_string_map_scalars_compare_as_go_strings_but_typed_fields_do_not() -> None:
    # machine.sysctls is map[string]string: YAML 1 and "1" decode to the same Go string.
    assert diff_configs(
        [_v1(sysctls={"net.core.bpf_jit_harden": 1})],
        [_v1(sysctls={"net.core.bpf_jit_harden": "1"})],
        talos_version="1.11",
    ).empty
    # kubePrism.port is an int: "7445" is another value (Talos would reject it).
    old = _v1(features={"kubePrism": {"enabled": True, "port": 7445}})
    new = _v1(features={"kubePrism": {"enabled": True, "port": "7445"}})
    assert _paths([old], [new]) == [("v1alpha1", ".machine.features.kubePrism.port", "change")]


def test_kernel_modules_are_matched_by_name() -> None:
    old = _v1(kernel={"modules": [{"name": "nvidia"}, {"name": "nvidia_uvm"}]})
    new = _v1(
        kernel={
            "modules": [
                {"name": "nvidia_uvm"},
                {"name": "nvidia", "parameters": ["NVreg_OpenRmEnableUnsupportedGpus=1"]},
                {"name": "nvidia_drm"},
            ]
        }
    )
    assert _paths([old], [new]) == [
        ("v1alpha1", ".machine.kernel.modules[name=nvidia].parameters[]", "add"),
        ("v1alpha1", ".machine.kernel.modules[name=nvidia_drm]", "add"),
        # nvidia and nvidia_uvm swapped places: modules load in list order
        ("v1alpha1", ".machine.kernel.modules", "reorder"),
    ]


def test_removals_are_called_out() -> None:
    old = _v1(kernel={"modules": [{"name": "nvidia"}]}, sysctls={"a": "1"})
    new = _v1()
    diff = diff_configs([old], [new], talos_version="1.13")
    assert [(c.path, c.op, c.old) for c in diff.changes] == [
        (".machine.kernel.modules[name=nvidia]", "remove", {"name": "nvidia"}),
        (".machine.sysctls.a", "remove", "1"),
    ]


def test_udev_rules_are_matched_by_text_as_a_multiset() -> None:
    a, b, c = 'KERNEL=="nvidia", MODE="0666"', 'KERNEL=="nvidiactl", MODE="0666"', "X"
    diff = diff_configs(
        [_v1(udev={"rules": [a, b, b]})], [_v1(udev={"rules": [a, b, c]})], talos_version="1.12"
    )
    # b stays (one of its two copies goes): a dedupe, never a removal
    assert [(c.path, c.op, c.old, c.new, c.copies) for c in diff.changes] == [
        (".machine.udev.rules[]", "dedupe", b, b, (2, 1)),
        (".machine.udev.rules[]", "add", None, c, None),
    ]


def test_a_rule_gone_from_every_copy_is_a_removal() -> None:
    a, b = "A", "B"
    diff = diff_configs(
        [_v1(udev={"rules": [a, b, b]})], [_v1(udev={"rules": [a]})], talos_version="1.12"
    )
    assert [(c.op, c.old) for c in diff.changes] == [("remove", b), ("remove", b)]


def test_duplicate_modules_kept_once_are_a_dedupe_not_a_removal() -> None:
    mod = {"name": "nvidia"}
    diff = diff_configs(
        [_v1(kernel={"modules": [mod, dict(mod), {"name": "nvidia", "parameters": ["x=1"]}]})],
        [_v1(kernel={"modules": [mod]})],
        talos_version="1.11",
    )
    # the equal copy is the one kept; the dropped ones are named, the differing one shown: it
    # was the last entry, whose parameters Talos loads, so dropping it waits for a reboot
    assert [(c.op, c.old, c.copies, c.impact) for c in diff.changes] == [
        ("dedupe", mod, (3, 1), "none"),
        ("dedupe", {"name": "nvidia", "parameters": ["x=1"]}, (3, 1), "module-load"),
    ]
    assert not diff.reboot


def test_reordered_content_list_is_one_change() -> None:
    diff = diff_configs(
        [_v1(udev={"rules": ["a", "b"]})], [_v1(udev={"rules": ["b", "a"]})], talos_version="1.12"
    )
    assert [(c.path, c.op) for c in diff.changes] == [(".machine.udev.rules", "reorder")]


def test_cri_part_content_gets_a_toml_unified_diff() -> None:
    old_toml = '[plugins."io.containerd.cri.v1.runtime"]\nenable_cdi = true\n'
    new_toml = '[plugins."io.containerd.cri.v1.runtime"]\nenable_cdi = false\n'
    old = _v1(files=[{"path": CRI, "op": "create", "content": old_toml}])
    new = _v1(files=[{"path": CRI, "op": "create", "content": new_toml}])
    (change,) = diff_configs([old], [new], talos_version="1.11").changes
    assert change.path == f".machine.files[path={CRI}].content"
    assert change.text_diff is not None
    assert "-enable_cdi = true\n+enable_cdi = false\n" in change.text_diff


def test_cri_toml_that_differs_only_in_form_is_no_change() -> None:
    old_toml = '# mine\n[plugins."x"]\na = 1\nb = "2"\n'
    new_toml = '[plugins."x"]\nb = "2"\n\n  a = 1  # same\n'
    old = _v1(files=[{"path": CRI, "op": "create", "content": old_toml}])
    new = _v1(files=[{"path": CRI, "op": "create", "content": new_toml}])
    assert diff_configs([old], [new], talos_version="1.11").empty
    doc = {"apiVersion": "v1alpha1", "kind": "CRICustomizationConfig", "name": "n"}
    assert diff_configs(
        [{**doc, "content": old_toml}], [{**doc, "content": new_toml}], talos_version="1.14"
    ).empty
    # ...but the same text in another file is just text.
    other = [
        _v1(files=[{"path": "/var/x.toml", "op": "create", "content": t}])
        for t in (old_toml, new_toml)
    ]
    assert not diff_configs(other[:1], other[1:], talos_version="1.11").empty


def test_documents_are_matched_by_kind_and_name() -> None:
    mod = {"apiVersion": "v1alpha1", "kind": "KernelModuleConfig"}
    old = [_v1(), {**mod, "name": "nvidia"}, {**mod, "name": "gone"}]
    new = [_v1(), {**mod, "name": "nvidia"}, {**mod, "name": "nvidia_uvm"}]
    assert _paths(old, new, "1.14") == [
        ("KernelModuleConfig/gone", ".", "remove"),
        ("KernelModuleConfig/nvidia_uvm", ".", "add"),
    ]


def test_cri_customization_document_added_shows_its_toml() -> None:
    doc = {
        "apiVersion": "v1alpha1",
        "kind": "CRICustomizationConfig",
        "name": "talosgpu-nvidia",
        "content": "[a]\nb = 1\n",
    }
    (change,) = diff_configs([_v1()], [_v1(), doc], talos_version="1.14").changes
    assert change.document == "CRICustomizationConfig/talosgpu-nvidia"
    assert change.text_diff is not None and "+b = 1\n" in change.text_diff


def test_nulls_equal_absent_keys() -> None:
    assert diff_configs([_v1(sysctls=None)], [_v1()], talos_version="1.11").empty


def test_a_value_moved_to_its_1_14_document_is_a_move_not_a_removal() -> None:
    live = [_v1(nodeLabels={"a": "1", "gone": "x"})]
    proposed = [
        _v1(),
        {"apiVersion": "v1alpha1", "kind": "KubeNodeConfig", "labels": {"a": "1"}},
    ]
    diff = diff_configs(live, proposed, talos_version="1.14")
    ops = [(c.document, c.path, c.op, c.note) for c in diff.changes]
    assert ops[:2] == [
        ("v1alpha1", ".machine.nodeLabels.a", "move", "moved to KubeNodeConfig .labels.a"),
        ("v1alpha1", ".machine.nodeLabels.gone", "remove", None),  # really gone
    ]


def test_udev_rules_moved_into_their_document_and_modules_already_loaded() -> None:
    live = [_v1(udev={"rules": ["R"]}, kernel={"modules": [{"name": "nvidia"}]})]
    proposed = [
        _v1(kernel={"modules": [{"name": "nvidia"}]}),
        {"apiVersion": "v1alpha1", "kind": "UdevRulesConfig", "rules": ["R"]},
        {"apiVersion": "v1alpha1", "kind": "KernelModuleConfig", "name": "nvidia"},
    ]
    diff = diff_configs(live, proposed, talos_version="1.14")
    by_doc = {c.document: c for c in diff.changes}
    assert (
        by_doc["v1alpha1"].op == "move"
        and by_doc["v1alpha1"].note == "moved to UdevRulesConfig .rules"
    )
    module = by_doc["KernelModuleConfig/nvidia"]
    assert module.impact == "none" and "already loaded" in (module.note or "")
    assert "loaded now" not in diff.summary


def test_before_1_14_nothing_is_called_a_move() -> None:
    live = [_v1(nodeLabels={"a": "1"})]
    proposed = [_v1(), {"apiVersion": "v1alpha1", "kind": "KubeNodeConfig", "labels": {"a": "1"}}]
    assert (
        next(c.op for c in diff_configs(live, proposed, talos_version="1.13").changes) == "remove"
    )


def test_a_module_document_over_a_listed_module_says_its_parameters_change() -> None:
    """On 1.14 a KernelModuleConfig wins over the .machine.kernel.modules item of the same name
    (container.go KernelModuleConfigs): the item's modeset=1 stops applying at the next boot."""
    old = _v1(kernel={"modules": [{"name": "nvidia_drm", "parameters": ["modeset=1"]}]})
    same = _v1(kernel={"modules": [{"name": "nvidia", "parameters": []}]})
    doc = {"apiVersion": "v1alpha1", "kind": "KernelModuleConfig"}
    diff = diff_configs([old], [old, {**doc, "name": "nvidia_drm"}], talos_version="1.14")
    (change,) = diff.changes
    assert change.impact == "module-load"
    assert 'its parameters become [] instead of ["modeset=1"]' in (change.note or "")
    kept = diff_configs([same], [same, {**doc, "name": "nvidia"}], talos_version="1.14")
    assert [c.impact for c in kept.changes] == ["none"]


def test_a_credential_that_goes_with_the_cri_part_is_a_secret_change() -> None:
    auth = '[plugins."io.containerd.cri.v1.images".registry.configs."r".auth]\npassword = "Pw9x"\n'
    other = '[plugins."io.containerd.cri.v1.runtime"]\nenable_cdi = true\n'

    def part(text: str) -> dict[str, Any]:
        return _v1(files=[{"path": CRI, "op": "create", "content": text}])

    (gone,) = diff_configs([part(auth)], [part(other)], talos_version="1.11").changes
    assert gone.secret and "Pw9x" not in (gone.text_diff or "")
    (kept,) = diff_configs([part(auth)], [part(auth + other)], talos_version="1.11").changes
    assert not kept.secret


def test_dropping_a_module_copy_with_other_parameters_needs_a_reboot() -> None:
    """Two entries of one module: the last one's parameters are the ones loaded, so dropping a
    copy that differs is not "stays loaded as it is"."""
    twice = [{"name": "nvidia", "parameters": ["A=1"]}, {"name": "nvidia", "parameters": ["A=2"]}]
    old = _v1(kernel={"modules": twice})
    new = _v1(kernel={"modules": twice[:1]})
    (change,) = diff_configs([old], [new], talos_version="1.13").changes
    assert change.op == "dedupe" and change.impact == "module-load"
    same = _v1(kernel={"modules": [twice[0], twice[0]]})
    (kept,) = diff_configs([same], [new], talos_version="1.13").changes
    assert kept.op == "dedupe" and kept.impact == "none"


def test_a_label_that_moves_and_changes_is_a_move_not_a_removal() -> None:
    """The label stays on the node (in KubeNodeConfig, with the intent's value): "remove" would
    say it is gone (diff-and-apply.md: no entry says remove unless the item is gone)."""
    old = _v1(nodeLabels={"zone": "b"})
    kube = {"apiVersion": "v1alpha1", "kind": "KubeNodeConfig", "labels": {"zone": "a"}}
    diff = diff_configs([old], [_v1(), kube], talos_version="1.14")
    (moved,) = [c for c in diff.changes if c.document == "v1alpha1"]
    assert moved.op == "move" and moved.note is not None and "another value" in moved.note
