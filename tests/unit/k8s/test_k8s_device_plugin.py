"""Device-plugin config (``version: v1``), its ConfigMap and the chart's Helm values; checked
against real time-slicing configs people run (shared/conformance/k8s-device-plugin)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import shared_path

from talosgpu import yamlio
from talosgpu.commands.render import render
from talosgpu.errors import RenderError
from talosgpu.intent.models import Intent
from talosgpu.k8s.device_plugin import (
    CONFIG_MAP,
    NAMESPACE,
    config_entry_name,
    device_plugin_config,
    device_plugin_objects,
    device_plugin_values,
)
from talosgpu.plan import resolve


def _plan(sharing: dict[str, Any] | None = None, **extra: Any) -> Any:
    data: dict[str, Any] = {"talosVersion": "1.11", "runtime": {"mode": "legacy"}, **extra}
    if sharing:
        data["sharing"] = sharing
    return resolve(Intent.model_validate(data))


def _real_configs(path: Path) -> list[dict[str, Any]]:
    """Device-plugin configs in a file: bare configs, ConfigMap entries, Helm config.map."""
    found: list[dict[str, Any]] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("version") == "v1" and "sharing" in node:
                found.append(node)
                return
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)
        elif isinstance(node, str) and "version: v1" in node:
            visit(yamlio.load(node))

    for doc in yamlio.load_all(path.read_text(encoding="utf-8"), source=path.name):
        visit(doc)
    return found


def _real_files() -> list[Path]:
    root = shared_path("conformance", "k8s-device-plugin")
    return sorted(
        [*root.joinpath("time-slicing").iterdir(), *root.joinpath("helmrelease").iterdir()]
    )


@pytest.mark.conformance
def test_sharing_matches_real_time_slicing_configs() -> None:
    """Each real config, expressed as an intent, renders the same ``sharing`` block."""
    checked = 0
    for path in _real_files():
        for real in _real_configs(path):
            ts = real["sharing"]["timeSlicing"]
            (resource,) = ts["resources"]
            # The plugin's defaults for unset fields (k8s-device-plugin api/config/v1).
            rename = ts.get("renameByDefault", False)
            fail_gt1 = ts.get("failRequestsGreaterThanOne", False)
            plan = _plan(
                {
                    "strategy": "time-slicing",
                    "replicas": resource["replicas"],
                    "renameByDefault": rename,
                    "failRequestsGreaterThanOne": fail_gt1,
                }
            )
            ours = device_plugin_config(plan)
            expected = {
                "timeSlicing": {
                    "renameByDefault": rename,
                    "failRequestsGreaterThanOne": fail_gt1,
                    "resources": [resource],
                }
            }
            assert ours["sharing"] == expected, path.name
            assert ours["version"] == real["version"]
            checked += 1
    assert checked >= 10, "expected the real time-slicing configs to be found"


def test_no_sharing_has_no_sharing_block() -> None:
    # replicas: 1 is invalid; "no sharing" is a config without the block (k8s-device-plugin#1022).
    config = device_plugin_config(_plan())
    assert config == {"version": "v1", "flags": {"migStrategy": "none"}}
    assert config_entry_name(_plan()) == "default"


def test_mps_config() -> None:
    plan = _plan({"strategy": "mps", "replicas": 2, "renameByDefault": True})
    assert device_plugin_config(plan)["sharing"] == {
        "mps": {
            "renameByDefault": True,
            "failRequestsGreaterThanOne": True,
            "resources": [{"name": "nvidia.com/gpu", "replicas": 2}],
        }
    }
    assert config_entry_name(plan) == "mps-x2"


def test_configmap_and_privileged_namespace() -> None:
    plan = render(profile="nvidia-graphics").plan
    namespace, config_map = device_plugin_objects(plan)
    assert namespace["metadata"]["name"] == NAMESPACE
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "privileged"
    assert config_map["metadata"] == {
        "name": CONFIG_MAP,
        "namespace": NAMESPACE,
        "labels": {
            "app.kubernetes.io/name": "nvidia-device-plugin",
            "app.kubernetes.io/managed-by": "talosgpu",
        },
    }
    ((key, text),) = config_map["data"].items()
    assert key == "time-slicing-x4"  # the velaryon field report: one RTX 2070 Super advertised as 4
    config = yamlio.load(text)
    assert config["sharing"]["timeSlicing"]["resources"] == [
        {"name": "nvidia.com/gpu", "replicas": 4}
    ]
    assert config["sharing"]["timeSlicing"]["failRequestsGreaterThanOne"] is True


def test_values() -> None:
    plan = render(profile="nvidia-graphics").plan
    text = device_plugin_values(plan)
    assert text.startswith("# Helm values for the NVIDIA device plugin")
    values = yamlio.load(text)
    assert values["runtimeClassName"] == "nvidia"
    assert values["config"] == {"name": CONFIG_MAP, "default": "time-slicing-x4"}
    terms = values["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert terms["nodeSelectorTerms"] == [
        {
            "matchExpressions": [
                {"key": "nvidia.com/gpu.present", "operator": "In", "values": ["true"]}
            ]
        }
    ]
    assert {"key": "gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"} in values[
        "tolerations"
    ]
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in values[
        "tolerations"
    ]
    assert "nvidia.com/device-plugin.config=<entry>" in text


def test_values_cdi_runtime_class() -> None:
    assert (
        yamlio.load(device_plugin_values(render(profile="nvidia-cdi").plan))["runtimeClassName"]
        == "nvidia-cdi"
    )


def test_values_keys_exist_in_upstream_chart() -> None:
    upstream = yamlio.load(
        shared_path(
            "conformance",
            "k8s-device-plugin",
            "upstream",
            "deployments__helm__nvidia-device-plugin__values.yaml",
        ).read_text(encoding="utf-8")
    )
    values = yamlio.load(device_plugin_values(render(profile="nvidia-legacy").plan))
    assert set(values) <= set(upstream)
    assert set(values["config"]) <= set(upstream["config"])


@pytest.mark.parametrize("profile", ["nvidia-operator"])
def test_values_refused_outside_device_plugin_modes(profile: str) -> None:
    plan = render(profile=profile).plan
    assert device_plugin_objects(plan) == []
    with pytest.raises(RenderError, match="GPU Operator deploys it"):
        device_plugin_values(plan)
