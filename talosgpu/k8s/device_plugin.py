"""NVIDIA k8s-device-plugin: its config (a ConfigMap) and Helm values for its chart.

Config format ``version: v1`` (k8s-device-plugin README "Shared Access to GPUs"; peers.md §1.6):
``sharing.timeSlicing`` or ``sharing.mps`` (mutually exclusive) with ``renameByDefault``,
``failRequestsGreaterThanOne`` and ``resources[{name: nvidia.com/gpu, replicas >= 2}]``. No
sharing means no ``sharing`` block at all (``replicas: 1`` is invalid, k8s-device-plugin#1022).

The chart reads the ConfigMap through ``config.name`` + ``config.default``; a node can pick
another entry with the label ``nvidia.com/device-plugin.config=<entry>``. Since chart 0.15 the
default affinity needs NFD/GFD labels or ``nvidia.com/gpu.present=true`` (talos#9187), which
the plan puts on the node; the values select on that label alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from talosgpu import yamlio
from talosgpu.errors import RenderError
from talosgpu.k8s.common import MANAGED_BY, metadata, tolerations
from talosgpu.plan import CONFIG_LABEL, GPU_PRESENT_LABEL, Plan

__all__ = [
    "CHART_VERSION",
    "CONFIG_MAP",
    "NAMESPACE",
    "config_entry_name",
    "device_plugin_config",
    "device_plugin_objects",
    "device_plugin_values",
    "plugin_values",
    "sharing_config_map",
]

NAMESPACE = "nvidia-device-plugin"
CONFIG_MAP = "nvidia-device-plugin-config"
# The chart version of the upstream README's examples (k8s-device-plugin README, "Deployment
# via helm"); any chart >= 0.15 understands these values.
CHART_VERSION = "0.17.1"


def config_entry_name(plan: Plan) -> str:
    """The ConfigMap key of this node's config: the node's ``nvidia.com/device-plugin.config``
    label when it has one (the plugin reads the entry the label names), else
    ``time-slicing-x4``, ``mps-x2`` or ``default``."""
    if label := plan.labels.get(CONFIG_LABEL):
        return label
    sharing = plan.intent.sharing
    if sharing.strategy == "none":
        return "default"
    return f"{sharing.strategy}-x{sharing.replicas}"


def device_plugin_config(plan: Plan) -> dict[str, Any]:
    """The device plugin's config file (``version: v1``) for the intent's sharing choice."""
    config: dict[str, Any] = {"version": "v1", "flags": {"migStrategy": "none"}}
    sharing = plan.intent.sharing
    if sharing.strategy == "none":
        return config
    key = "timeSlicing" if sharing.strategy == "time-slicing" else "mps"
    config["sharing"] = {
        key: {
            "renameByDefault": sharing.rename_by_default,
            "failRequestsGreaterThanOne": sharing.fail_requests_greater_than_one,
            "resources": [{"name": "nvidia.com/gpu", "replicas": sharing.replicas}],
        }
    }
    return config


def sharing_config_map(plan: Plan, *, name: str, namespace: str) -> dict[str, Any]:
    """A ConfigMap holding :func:`device_plugin_config` under :func:`config_entry_name`."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(name, namespace=namespace, app="nvidia-device-plugin"),
        "data": {config_entry_name(plan): yamlio.dump(device_plugin_config(plan))},
    }


def device_plugin_objects(plan: Plan) -> list[dict[str, Any]]:
    """Namespace (privileged: the plugin mounts hostPaths) and config ConfigMap; cdi/legacy only."""
    if not plan.uses_device_plugin:
        return []
    namespace = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": NAMESPACE,
            # Talos enforces PodSecurity "baseline" outside kube-system; the plugin's hostPath
            # volumes need "privileged" (Talos docs, pod-security; talos-internals.md §6).
            "labels": {"pod-security.kubernetes.io/enforce": "privileged", **MANAGED_BY},
        },
    }
    return [namespace, sharing_config_map(plan, name=CONFIG_MAP, namespace=NAMESPACE)]


def plugin_values(
    *,
    runtime_class: str | None,
    default_entry: str,
    selector: Mapping[str, str],
    tolerations: list[dict[str, str]],
) -> dict[str, Any]:
    """The chart's values: its pods' RuntimeClass, the config entry nodes without a
    ``nvidia.com/device-plugin.config`` label read, and the nodes it runs on (``selector``, which
    replaces the chart's NFD affinity terms)."""
    return {
        "runtimeClassName": runtime_class,
        "config": {"name": CONFIG_MAP, "default": default_entry},
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {"key": key, "operator": "In", "values": [value]}
                                for key, value in sorted(selector.items())
                            ]
                        }
                    ]
                }
            }
        },
        # CriticalAddonsOnly: the chart's default toleration, kept
        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}, *tolerations],
    }


def device_plugin_values(plan: Plan) -> str:
    """Helm values for the ``nvidia-device-plugin`` chart (cdi/legacy modes), as YAML text.

    Raises :class:`RenderError` in operator/none modes, where the plugin is not talosgpu's to run.
    """
    if not plan.uses_device_plugin:
        raise RenderError(
            f"runtime mode {plan.mode!r} does not use the standalone NVIDIA device plugin"
            + (
                " (the GPU Operator deploys it: see operator values)"
                if plan.mode == "operator"
                else ""
            ),
            path=".runtime.mode",
        )
    values = plugin_values(
        runtime_class=plan.runtime_classes[0] if plan.runtime_classes else None,
        default_entry=config_entry_name(plan),
        selector={GPU_PRESENT_LABEL: "true"},
        tolerations=tolerations(plan, gpu=True),
    )
    header = [
        "# Helm values for the NVIDIA device plugin, rendered by talosgpu for Talos "
        f"{plan.version} (runtime mode {plan.mode}).",
        "# The config ConfigMap and the privileged namespace are in manifests.yaml: apply it first.",
        "#   helm repo add nvdp https://nvidia.github.io/k8s-device-plugin",
        f"#   helm upgrade --install nvidia-device-plugin nvdp/nvidia-device-plugin --version {CHART_VERSION} \\",
        f"#     --namespace {NAMESPACE} -f device-plugin-values.yaml",
        f"# Another node can use another entry of {CONFIG_MAP} with the node label",
        f"#   {CONFIG_LABEL}=<entry>   (this node: {config_entry_name(plan)}, the default)",
        f"# The affinity replaces the chart's NFD terms: the node carries {GPU_PRESENT_LABEL}=true.",
    ]
    return "\n".join(header) + "\n" + yamlio.dump(values)
