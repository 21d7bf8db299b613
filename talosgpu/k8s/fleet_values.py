"""Helm values for a fleet: what ``render INVENTORY --output-dir`` writes to ``helm/``, beside
``cluster/`` (kept apart: ``kubectl apply -f cluster/`` validates every file there as an
object, and a values file has no ``kind``).

A chart is installed once per cluster, not once per node, so a fleet needs one values file per
Helm release:

* the ``nvidia-device-plugin`` chart gives all its pods one ``runtimeClassName``: one release per
  RuntimeClass (``device-plugin-values.yaml``, or ``device-plugin-values-<class>.yaml`` with the
  release ``nvidia-device-plugin-<class>`` when the fleet has more than one), each running only
  on the nodes of its class. Its affinity selects the labels the merged RuntimeClass's
  ``scheduling.nodeSelector`` uses: a DaemonSet places its pods by its own template, and a pod
  whose RuntimeClass selector its node lacks stays Pending (kubernetes.io "RuntimeClass
  Scheduling"). That selector matches no node outside the group (the RuntimeClass merge
  checks it);
* the GPU Operator: one release for the cluster (``gpu-operator-values.yaml``). Nodes whose
  values differ (releases on either side of Talos 1.15's NRI change, other sharing setups) cannot
  share it: that is a :class:`RenderError` naming two nodes.

Tolerations are the union of the group's. Device-plugin nodes without a
``nvidia.com/device-plugin.config`` label read ``config.default``: ``default``, the entry every
label-less node renders (the plan labels each node that shares its GPU).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from talosgpu import yamlio
from talosgpu.errors import RenderError
from talosgpu.k8s.cluster import (
    CLUSTER_DIR,
    FleetManifests,
    nodes_phrase,
    unique_dicts,
)
from talosgpu.k8s.common import GPU_TOLERATION, tolerations
from talosgpu.k8s.device_plugin import (
    CHART_VERSION,
    CONFIG_MAP,
    NAMESPACE,
    config_entry_name,
    plugin_values,
)
from talosgpu.k8s.operator import operator_header, operator_tolerations, operator_values_doc
from talosgpu.plan import CONFIG_LABEL, Plan
from talosgpu.versions import TalosVersion

__all__ = ["HELM_DIR", "fleet_helm_values"]

_RELEASE = "nvidia-device-plugin"
# beside cluster/, not in it: `kubectl apply -f cluster/` rejects a values file (no kind)
HELM_DIR = "helm"


def fleet_helm_values(plans: Mapping[str, Plan], merged: FleetManifests) -> dict[str, str]:
    """The values files of the fleet's Helm releases, by path under the output folder."""
    files = _device_plugin_files(plans, merged)
    operator = sorted(name for name, plan in plans.items() if plan.mode == "operator")
    if operator:
        files[f"{HELM_DIR}/gpu-operator-values.yaml"] = _operator_file(plans, operator)
    return files


def _device_plugin_files(plans: Mapping[str, Plan], merged: FleetManifests) -> dict[str, str]:
    groups: dict[str, list[str]] = {}
    for name in sorted(plans):
        plan = plans[name]
        if plan.uses_device_plugin:  # cdi and legacy nodes always have their RuntimeClass
            groups.setdefault(plan.runtime_classes[0], []).append(name)
    classes = {
        obj["metadata"]["name"]: obj for obj in merged.cluster if obj["kind"] == "RuntimeClass"
    }
    files: dict[str, str] = {}
    for runtime_class, nodes in sorted(groups.items()):
        several = len(groups) > 1
        release = f"{_RELEASE}-{runtime_class}" if several else _RELEASE
        file = (
            f"device-plugin-values-{runtime_class}.yaml" if several else "device-plugin-values.yaml"
        )
        # the merged class's selector, which matches no node outside the group (cluster.py)
        selector = classes[runtime_class]["scheduling"]["nodeSelector"]
        unlabelled = [n for n in nodes if CONFIG_LABEL not in plans[n].labels]
        default = "default" if unlabelled else config_entry_name(plans[nodes[0]])
        tol = unique_dicts([t for n in nodes for t in tolerations(plans[n], gpu=True)])
        values = plugin_values(runtime_class=runtime_class, default_entry=default,
                               selector=selector, tolerations=tol)  # fmt: skip
        versions = _releases(plans, nodes)
        header = [
            f"# Helm values for the NVIDIA device plugin on {nodes_phrase(nodes)} (Talos "
            f"{versions}), rendered by talosgpu; do not edit by hand.",
            f"# The config ConfigMap and the privileged namespace are in {CLUSTER_DIR}/manifests.yaml: apply it first.",
            "#   helm repo add nvdp https://nvidia.github.io/k8s-device-plugin",
            f"#   helm upgrade --install {release} nvdp/nvidia-device-plugin --version {CHART_VERSION} \\",
            f"#     --namespace {NAMESPACE} -f {HELM_DIR}/{file}",
            f"# Each node reads the entry of {CONFIG_MAP} its {CONFIG_LABEL} label names"
            + (f"; nodes without one read {default!r}." if unlabelled else " (each of these has one)."),
        ]  # fmt: skip
        if several:
            header.append(
                f"# One release per RuntimeClass: this one runs its pods with runtimeClassName "
                f"{runtime_class}, only on the nodes selected above."
            )
        files[f"{HELM_DIR}/{file}"] = "\n".join(header) + "\n" + yamlio.dump(values)
    return files


def _operator_file(plans: Mapping[str, Plan], nodes: list[str]) -> str:
    first = nodes[0]
    values = operator_values_doc(plans[first])
    for name in nodes[1:]:
        other = operator_values_doc(plans[name])
        if other != values:
            raise RenderError(
                f"one GPU Operator serves the cluster, but nodes {first} (Talos "
                f"{plans[first].version}) and {name} (Talos {plans[name].version}) need other "
                f"values ({_first_difference(values, other)}); render them as separate "
                "inventories, or give them one release and sharing setup"
            )
    tol = unique_dicts(
        [t for n in nodes for t in tolerations(plans[n], gpu=True) if t != GPU_TOLERATION]
    )
    if tol:
        values = {**values, "daemonsets": {"tolerations": operator_tolerations(tol)}}
    versions = _releases(plans, nodes)
    header = operator_header(
        plans[first],
        file=f"{HELM_DIR}/gpu-operator-values.yaml",
        manifests=f"{CLUSTER_DIR}/manifests.yaml",
        title=f"# Helm values for the NVIDIA GPU Operator on {nodes_phrase(nodes)} (Talos "
        f"{versions}), rendered by talosgpu; do not edit by hand.",
    )
    return "\n".join(header) + "\n" + yamlio.dump(values)


def _first_difference(a: Mapping[str, Any], b: Mapping[str, Any], prefix: str = "") -> str:
    for key in sorted(set(a) | set(b)):
        left, right = a.get(key), b.get(key)
        if left == right:
            continue
        if isinstance(left, Mapping) and isinstance(right, Mapping):
            return _first_difference(left, right, f"{prefix}{key}.")
        return f"{prefix}{key}: {json.dumps(left)} vs {json.dumps(right)}"
    return "?"


def _releases(plans: Mapping[str, Plan], nodes: list[str]) -> str:
    """The Talos releases of ``nodes``, oldest first (``1.13, 1.14``)."""
    return ", ".join(sorted({str(plans[n].version) for n in nodes}, key=TalosVersion.parse))
