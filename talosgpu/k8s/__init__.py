"""Kubernetes objects for a GPU node's plan, and Helm values for the NVIDIA charts.

``render_manifests(plan)`` is what ``talosgpu render --manifests`` prints and what
``render --output-dir`` writes as ``manifests.yaml``: valid Kubernetes objects only, in apply
order (namespaces, RuntimeClasses, config, CDI init, verification workloads). Helm values are
separate texts: :func:`device_plugin_values` (cdi/legacy) and :func:`operator_values` (operator).
"""

from __future__ import annotations

from typing import Any

from talosgpu import yamlio
from talosgpu.errors import RenderError
from talosgpu.intent.models import node_values
from talosgpu.k8s.cdi_init import cdi_init_objects
from talosgpu.k8s.device_plugin import device_plugin_objects, device_plugin_values
from talosgpu.k8s.operator import operator_objects, operator_values
from talosgpu.k8s.runtimeclass import runtime_classes
from talosgpu.k8s.verify import verification_objects
from talosgpu.k8s.workloads import capabilities_for
from talosgpu.plan import Plan

__all__ = [
    "capabilities_for",
    "device_plugin_values",
    "helm_values",
    "manifest_objects",
    "object_list",
    "operator_values",
    "render_manifests",
]


def manifest_objects(plan: Plan) -> list[dict[str, Any]]:
    """Every Kubernetes object the plan needs, in apply order."""
    return [
        *operator_objects(plan),
        *device_plugin_objects(plan),
        *runtime_classes(plan),
        *cdi_init_objects(plan),
        *verification_objects(plan),
    ]


def object_list(objects: list[dict[str, Any]]) -> list[str]:
    """``# - Kind namespace/name`` header lines, one per object."""
    lines = []
    for obj in objects:
        meta = obj["metadata"]
        where = f"{meta['namespace']}/" if "namespace" in meta else ""
        lines.append(f"# - {obj['kind']} {where}{meta['name']}")
    return lines


def _header(plan: Plan, objects: list[dict[str, Any]]) -> str:
    lines = [
        f"# Kubernetes objects rendered by talosgpu for Talos {plan.version} "
        f"(runtime mode {plan.mode}); do not edit by hand.",
        "# Apply with: kubectl apply -f manifests.yaml",
    ]
    if plan.uses_device_plugin:
        lines.append("# Then install the nvidia-device-plugin chart: see `talosgpu helm-values`.")
    elif plan.mode == "operator":
        lines.append("# Then install the gpu-operator chart: see `talosgpu helm-values`.")
    return "\n".join([*lines, *object_list(objects)]) + "\n"


def render_manifests(plan: Plan) -> str:
    """The plan's Kubernetes objects as one deterministic multi-document YAML text."""
    objects = manifest_objects(plan)
    # the node's name and labels recur in its own objects (pinned Pods, Jobs named after it,
    # selectors): a fleet emits them once per role, not once per node (yamlio.dump_all)
    return _header(plan, objects) + yamlio.dump_all(objects, vary=node_values(plan.intent))


def helm_values(plan: Plan) -> str:
    """Helm values of the chart the plan's mode installs (``talosgpu helm-values``).

    The nvidia-device-plugin chart in cdi/legacy modes, the gpu-operator chart in operator
    mode; :class:`RenderError` in mode ``none`` (talosgpu installs no chart then).
    """
    if plan.uses_device_plugin:
        return device_plugin_values(plan)
    if plan.mode == "operator":
        return operator_values(plan)
    raise RenderError(
        f"runtime mode {plan.mode!r} installs no NVIDIA Helm chart", path=".runtime.mode"
    )
