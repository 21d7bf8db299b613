"""The cluster-wide objects of a fleet, merged across nodes (``cluster/manifests.yaml``)."""

from __future__ import annotations

from typing import Any

import pytest

from talosgpu import yamlio
from talosgpu.errors import IntentError, RenderError
from talosgpu.fleet import fleet_output_files, load_inventory_text, render_fleet
from talosgpu.k8s.cluster import VARIANT_LABEL, fleet_manifests

HEAD = "apiVersion: talosgpu.dev/v1alpha1\nkind: GPUInventory\n"


def _plans(body: str) -> dict[str, Any]:
    rendered = render_fleet(load_inventory_text(HEAD + body, source="inv.yaml"))
    return {name: one.plan for name, one in rendered.items()}


def _by_kind(objects: tuple[dict[str, Any], ...], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


def test_one_runtime_class_with_the_selector_every_node_shares() -> None:
    merged = fleet_manifests(
        _plans(
            "defaults: {profile: nvidia-cdi, talosVersion: '1.11'}\n"
            "nodes:\n"
            "  - {name: a, overrides: {labels: {rack: r1}, taints: {gpu: 'true:NoSchedule'}}}\n"
            "  - {name: b, overrides: {labels: {rack: r2}}}\n"
        )
    )
    (rc,) = _by_kind(merged.cluster, "RuntimeClass")
    assert rc["scheduling"]["nodeSelector"] == {"runtime.talosgpu.dev/nvidia-cdi": "true"}
    assert {"key": "gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"} in rc[
        "scheduling"
    ]["tolerations"]
    assert len(_by_kind(merged.cluster, "DaemonSet")) == 1
    assert all(o["kind"] in ("Pod", "Job") for objs in merged.nodes.values() for o in objs)


def test_a_selector_that_picks_a_node_outside_its_group_is_an_error() -> None:
    # b, a GPU Operator node, was given a's CDI init label by hand: the DaemonSet would run there
    variant = _plans("nodes:\n  - {name: a, profile: nvidia-cdi, talosVersion: '1.11'}\n")[
        "a"
    ].labels["runtime.talosgpu.dev/cdi-init"]
    with pytest.raises(RenderError, match=r"also matches node b, which does not use it"):
        fleet_manifests(
            _plans(
                "nodes:\n"
                "  - {name: a, profile: nvidia-cdi, talosVersion: '1.11',"
                " overrides: {labels: {nvidia.com/gpu.deploy.operands: 'false'}}}\n"
                "  - {name: b, profile: nvidia-operator, talosVersion: '1.13',"
                f" overrides: {{labels: {{runtime.talosgpu.dev/cdi-init: '{variant}'}}}}}}\n"
            )
        )


def test_nodes_with_no_common_label_are_an_error_naming_them() -> None:
    with pytest.raises(RenderError, match="nodes a, b share no node label"):
        fleet_manifests(
            _plans(
                "defaults: {profile: nvidia-cdi, talosVersion: '1.11'}\n"
                "nodes:\n"
                "  - {name: a, overrides: {labels: {runtime.talosgpu.dev/nvidia-cdi: x}}}\n"
                "  - {name: b, overrides: {labels: {runtime.talosgpu.dev/nvidia-cdi: y}}}\n"
            )
        )


def test_one_sharing_config_map_with_an_entry_per_setup() -> None:
    merged = fleet_manifests(
        _plans(
            "defaults: {profile: nvidia-cdi, talosVersion: '1.11'}\n"
            "nodes:\n"
            "  - {name: a}\n"
            "  - {name: b, overrides: {sharing: {strategy: time-slicing, replicas: 4}}}\n"
            "  - {name: c, overrides: {sharing: {strategy: time-slicing, replicas: 4}}}\n"
        )
    )
    (cm,) = _by_kind(merged.cluster, "ConfigMap")
    assert sorted(cm["data"]) == ["default", "time-slicing-x4"]
    assert merged.default_config_nodes == ("a",)


def test_two_configs_under_one_entry_are_an_error_naming_both_nodes() -> None:
    with pytest.raises(RenderError, match="nodes b and c need different configs"):
        fleet_manifests(
            _plans(
                "defaults: {profile: nvidia-cdi, talosVersion: '1.11'}\n"
                "nodes:\n"
                "  - {name: b, overrides: {sharing: {strategy: time-slicing, replicas: 4}}}\n"
                "  - {name: c, overrides: {sharing: {strategy: time-slicing, replicas: 4,"
                " renameByDefault: true}}}\n"
            )
        )


def test_an_explicit_config_label_names_the_entry() -> None:
    merged = fleet_manifests(
        _plans(
            "defaults: {profile: nvidia-cdi, talosVersion: '1.11'}\n"
            "nodes:\n"
            "  - {name: b, overrides: {sharing: {strategy: time-slicing, replicas: 4}}}\n"
            "  - {name: c, overrides: {sharing: {strategy: time-slicing, replicas: 4,"
            " renameByDefault: true}, labels: {nvidia.com/device-plugin.config: renamed-x4}}}\n"
        )
    )
    (cm,) = _by_kind(merged.cluster, "ConfigMap")
    assert sorted(cm["data"]) == ["renamed-x4", "time-slicing-x4"]
    assert "renameByDefault: true" in cm["data"]["renamed-x4"]


def test_nodes_needing_other_cdi_init_daemonsets_get_one_each() -> None:
    merged = fleet_manifests(
        _plans(
            "defaults: {profile: nvidia-cdi}\n"
            "nodes:\n"
            "  - {name: a, talosVersion: '1.11', overrides: {labels: {era: old}}}\n"
            "  - {name: b, talosVersion: '1.11', overrides: {labels: {era: new},"
            " runtime: {cdiSpecDirs: [/var/cdi, /run/cdi]}}}\n"
        )
    )
    sets = _by_kind(merged.cluster, "DaemonSet")
    assert len(sets) == 2
    names = {d["metadata"]["name"] for d in sets}
    assert all(n.startswith("nvidia-cdi-init-") for n in names) and len(names) == 2
    for d in sets:
        variant = d["spec"]["selector"]["matchLabels"][VARIANT_LABEL]
        assert d["spec"]["template"]["metadata"]["labels"][VARIANT_LABEL] == variant
        selector = d["spec"]["template"]["spec"]["nodeSelector"]
        assert list(selector) == ["runtime.talosgpu.dev/cdi-init"]
    selectors = [d["spec"]["template"]["spec"]["nodeSelector"] for d in sets]
    assert selectors[0] != selectors[1]


def test_a_node_named_cluster_is_refused() -> None:
    with pytest.raises(IntentError, match="share its folder with the cluster-wide objects"):
        _plans("defaults: {profile: nvidia-cdi}\nnodes:\n  - {name: cluster}\n")


def test_fleet_files_hold_each_object_once() -> None:
    rendered = render_fleet(
        load_inventory_text(
            HEAD + "defaults: {profile: nvidia-legacy, talosVersion: '1.12'}\n"
            "nodes:\n  - {name: a}\n  - {name: b}\n",
            source="inv.yaml",
        )
    )
    files = fleet_output_files(rendered, source="inv.yaml")
    cluster = yamlio.load_all(files["cluster/manifests.yaml"])
    assert [o["kind"] for o in cluster] == ["Namespace", "ConfigMap", "RuntimeClass"]
    assert files["cluster/manifests.yaml"].startswith(
        "# Cluster-wide Kubernetes objects rendered by talosgpu for a fleet of 2 nodes"
    )
    for node in ("a", "b"):
        kinds = [o["kind"] for o in yamlio.load_all(files[f"{node}/manifests.yaml"])]
        assert kinds and set(kinds) <= {"Pod", "Job"}


def test_a_fleet_of_two_runtime_classes_says_to_install_the_chart_per_class() -> None:
    rendered = render_fleet(
        load_inventory_text(
            HEAD + "nodes:\n"
            "  - {name: a, profile: nvidia-legacy, talosVersion: '1.12'}\n"
            "  - {name: b, profile: nvidia-cdi, talosVersion: '1.12'}\n",
            source="inv.yaml",
        )
    )
    merged = fleet_manifests({n: r.plan for n, r in rendered.items()})
    assert merged.plugin_classes == {"nvidia": ("a",), "nvidia-cdi": ("b",)}
    text = fleet_output_files(rendered)["cluster/manifests.yaml"]
    assert (
        "installed once per class, each with its own values file in helm/" in text
        and "nvidia (a); nvidia-cdi (b)" in text
    )


def test_device_plugin_nodes_beside_the_gpu_operator_must_opt_out_of_its_operands() -> None:
    """The operator deploys its device plugin and validator on every GPU node unless it is
    labelled nvidia.com/gpu.deploy.operands=false (GPU Operator docs, gpu-operator#270)."""
    body = (
        "nodes:\n"
        "  - {name: a, profile: nvidia-cdi, talosVersion: '1.11'}\n"
        "  - {name: b, profile: nvidia-operator, talosVersion: '1.13'}\n"
    )
    with pytest.raises(
        RenderError,
        match=r"node a runs the device plugin beside GPU Operator node b: .*label it nvidia.com/gpu.deploy.operands: 'false'",
    ):
        fleet_manifests(_plans(body))
    legacy = (
        "nodes:\n"
        "  - {name: a, profile: nvidia-legacy, talosVersion: '1.12', overrides: {labels: {nvidia.com/gpu.deploy.operands: 'false'}}}\n"
        "  - {name: b, profile: nvidia-operator, talosVersion: '1.13'}\n"
    )
    with pytest.raises(
        RenderError,
        match=r"RuntimeClass nvidia would have two owners: the GPU Operator creates it for node b, and node a's legacy runtime",
    ):
        fleet_manifests(_plans(legacy))
    # 1.15's operator (NRI) creates no RuntimeClass: the legacy class has one owner
    fleet_manifests(_plans(legacy.replace("talosVersion: '1.13'", "talosVersion: '1.15'")))
