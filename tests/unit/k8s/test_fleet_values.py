"""A fleet's Helm values: one device-plugin release per RuntimeClass, one GPU Operator."""

from __future__ import annotations

from typing import Any

import pytest

from talosgpu import yamlio
from talosgpu.errors import RenderError
from talosgpu.fleet import load_inventory_text, render_fleet
from talosgpu.k8s.cluster import fleet_manifests
from talosgpu.k8s.fleet_values import fleet_helm_values

HEAD = "apiVersion: talosgpu.dev/v1alpha1\nkind: GPUInventory\n"


def _values(body: str) -> dict[str, str]:
    rendered = render_fleet(load_inventory_text(HEAD + body, source="inv.yaml"))
    plans = {name: one.plan for name, one in rendered.items()}
    return fleet_helm_values(plans, fleet_manifests(plans))


def _doc(text: str) -> Any:
    return yamlio.load(text, source="values.yaml")


def _selector(values: Any) -> dict[str, str]:
    terms = values["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    (term,) = terms["nodeSelectorTerms"]
    return {e["key"]: e["values"][0] for e in term["matchExpressions"]}


def test_one_class_is_one_release_on_every_gpu_node_with_all_tolerations() -> None:
    files = _values(
        "defaults: {profile: nvidia-cdi, talosVersion: '1.11'}\n"
        "nodes:\n"
        "  - {name: a, overrides: {taints: {gpu: 'true:NoSchedule'}}}\n"
        "  - {name: b, overrides: {sharing: {strategy: time-slicing, replicas: 4}}}\n"
    )
    assert list(files) == ["helm/device-plugin-values.yaml"]
    text = files["helm/device-plugin-values.yaml"]
    values = _doc(text)
    assert values["runtimeClassName"] == "nvidia-cdi"
    assert values["config"] == {"name": "nvidia-device-plugin-config", "default": "default"}
    assert _selector(values) == {"runtime.talosgpu.dev/nvidia-cdi": "true"}
    assert {"key": "gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"} in values[
        "tolerations"
    ]
    assert "helm upgrade --install nvidia-device-plugin nvdp/" in text


def test_two_classes_are_two_releases_that_never_meet() -> None:
    files = _values(
        "nodes:\n"
        "  - {name: a, profile: nvidia-cdi, talosVersion: '1.11'}\n"
        "  - {name: b, profile: nvidia-legacy, talosVersion: '1.11'}\n"
    )
    assert sorted(files) == [
        "helm/device-plugin-values-nvidia-cdi.yaml",
        "helm/device-plugin-values-nvidia.yaml",
    ]
    cdi, legacy = (
        _doc(files[f"helm/device-plugin-values-{c}.yaml"]) for c in ("nvidia-cdi", "nvidia")
    )
    assert (cdi["runtimeClassName"], legacy["runtimeClassName"]) == ("nvidia-cdi", "nvidia")
    assert _selector(cdi) != _selector(legacy)
    assert (
        "--install nvidia-device-plugin-nvidia-cdi "
        in files["helm/device-plugin-values-nvidia-cdi.yaml"]
    )


def test_all_nodes_labelled_default_to_an_entry_that_exists() -> None:
    files = _values(
        "defaults: {profile: nvidia-cdi, talosVersion: '1.11', sharing: {strategy: time-slicing, replicas: 2}}\n"
        "nodes:\n  - {name: a}\n"
    )
    assert _doc(files["helm/device-plugin-values.yaml"])["config"]["default"] == "time-slicing-x2"


def test_one_gpu_operator_for_nodes_that_agree() -> None:
    files = _values(
        "defaults: {profile: nvidia-operator}\n"
        "nodes:\n  - {name: a, talosVersion: '1.13'}\n"
        "  - {name: b, talosVersion: '1.14', overrides: {taints: {gpu: 'true:NoSchedule'}}}\n"
    )
    assert list(files) == ["helm/gpu-operator-values.yaml"]
    values = _doc(files["helm/gpu-operator-values.yaml"])
    assert values["toolkit"] == {"enabled": False}
    assert values["daemonsets"]["tolerations"][0]["key"] == "nvidia.com/gpu"


def test_operator_nodes_across_the_nri_change_cannot_share_one_release() -> None:
    with pytest.raises(
        RenderError,
        match=r"nodes a \(Talos 1\.13\) and b \(Talos 1\.15\) need other values \(cdi: null",
    ):
        _values(
            "defaults: {profile: nvidia-operator}\n"
            "nodes:\n  - {name: a, talosVersion: '1.13'}\n  - {name: b, talosVersion: '1.15'}\n"
        )


def test_each_release_runs_where_its_runtime_class_schedules() -> None:
    body = (
        "nodes:\n"
        "  - {name: a, profile: nvidia-cdi, talosVersion: '1.11', overrides: {labels: {pool: x, nvidia.com/gpu.deploy.operands: 'false'}}}\n"
        "  - {name: b, profile: nvidia-cdi, talosVersion: '1.12', overrides: {labels: {nvidia.com/gpu.deploy.operands: 'false'}}}\n"
        "  - {name: c, profile: nvidia-operator, talosVersion: '1.13'}\n"
    )
    rendered = render_fleet(load_inventory_text(HEAD + body, source="inv.yaml"))
    plans = {name: one.plan for name, one in rendered.items()}
    merged = fleet_manifests(plans)
    files = fleet_helm_values(plans, merged)
    (rc,) = [o for o in merged.cluster if o["kind"] == "RuntimeClass"]
    values = _doc(files["helm/device-plugin-values.yaml"])
    assert _selector(values) == rc["scheduling"]["nodeSelector"]
    assert sorted(files) == [
        "helm/device-plugin-values.yaml",
        "helm/gpu-operator-values.yaml",
    ]
