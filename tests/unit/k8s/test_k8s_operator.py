"""GPU Operator values and namespace for Talos >= 1.13 (talos-internals.md §6)."""

from __future__ import annotations

import re

import pytest
from conftest import shared_path

from talosgpu import yamlio
from talosgpu.commands.render import render
from talosgpu.errors import RenderError
from talosgpu.intent.models import Intent
from talosgpu.k8s import helm_values
from talosgpu.k8s.operator import operator_objects, operator_values
from talosgpu.plan import resolve


@pytest.mark.parametrize("version", ["1.13", "1.14"])
def test_operator_values(version: str) -> None:
    plan = render(profile="nvidia-operator", talos_version=version).plan
    text = operator_values(plan)
    assert "GPU Operator >= v26.3.1" in text
    assert yamlio.load(text) == {
        "driver": {"enabled": False},
        "toolkit": {"enabled": False},
        "hostPaths": {"driverInstallDir": "/usr/local"},
    }
    assert helm_values(plan) == text


@pytest.mark.conformance
def test_values_match_the_talos_guide() -> None:
    """The --set flags of the Talos 1.13 guide are exactly what the values set."""
    guide = shared_path("conformance", "talos-docs-nvidia", "v1.13", "nvidia-gpu.mdx").read_text(
        encoding="utf-8"
    )
    flags = dict(re.findall(r"--set[= ]([\w.]+)=(\S+)", guide))
    assert flags, "the guide's helm command was not found"
    values = yamlio.load(operator_values(render(profile="nvidia-operator").plan))
    for dotted, raw in flags.items():
        node = values
        for part in dotted.split("."):
            node = node[part]
        assert str(node).lower() == raw.strip("\"'").lower(), dotted
    assert "pod-security.kubernetes.io/enforce=privileged" in guide


def test_namespace_is_privileged() -> None:
    (namespace,) = operator_objects(render(profile="nvidia-operator").plan)
    assert namespace["kind"] == "Namespace"
    assert namespace["metadata"]["name"] == "gpu-operator"
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "privileged"


def test_sharing_and_taints() -> None:
    plan = resolve(
        Intent.model_validate(
            {
                "talosVersion": "1.14",
                "runtime": {"mode": "operator"},
                "sharing": {"strategy": "time-slicing", "replicas": 3},
                "taints": {"gpu": "true:NoSchedule"},
            }
        )
    )
    namespace, config_map = operator_objects(plan)
    assert config_map["metadata"]["namespace"] == namespace["metadata"]["name"] == "gpu-operator"
    values = yamlio.load(operator_values(plan))
    assert values["devicePlugin"]["config"] == {
        "name": config_map["metadata"]["name"],
        "default": "time-slicing-x3",
    }
    assert set(config_map["data"]) == {"time-slicing-x3"}
    assert values["daemonsets"]["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
        {"key": "gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"},
    ]


@pytest.mark.parametrize("profile", ["nvidia-legacy", "nvidia-cdi"])
def test_refused_outside_operator_mode(profile: str) -> None:
    plan = render(profile=profile).plan
    assert operator_objects(plan) == []
    with pytest.raises(RenderError, match="operator"):
        operator_values(plan)


def test_helm_values_refused_in_mode_none() -> None:
    plan = resolve(Intent.model_validate({"talosVersion": "1.12", "runtime": {"mode": "none"}}))
    with pytest.raises(RenderError, match="no NVIDIA Helm chart"):
        helm_values(plan)
