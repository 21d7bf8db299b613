"""Helpers shared by the Kubernetes object families: names, images, selectors, tolerations.

Every object talosgpu renders for Kubernetes goes through these so that selectors and
tolerations agree across RuntimeClasses, DaemonSets and verification pods.
"""

from __future__ import annotations

import re
from typing import Any

from talosgpu.plan import CONFIG_LABEL, GPU_PRESENT_LABEL, HANDLER_LABEL_PREFIX, Plan

__all__ = [
    "ALPINE_IMAGE",
    "CONTROL_PLANE_TOLERATION",
    "GPU_TOLERATION",
    "HOSTNAME_LABEL",
    "MANAGED_BY",
    "PAUSE_IMAGE",
    "gpu_resource_name",
    "gpu_selector",
    "metadata",
    "node_selector",
    "node_suffix",
    "tolerations",
    "volume_name",
]

# Images are pinned, never `latest` (the talos05 field report used alpine:latest / pause:3.9). alpine's busybox
# has sh, sed -E/-i, cp and mv; nsenter comes from util-linux when busybox lacks it.
ALPINE_IMAGE = "alpine:3.20"
PAUSE_IMAGE = "registry.k8s.io/pause:3.10"
HOSTNAME_LABEL = "kubernetes.io/hostname"
MANAGED_BY = {"app.kubernetes.io/managed-by": "talosgpu"}

# The toleration the upstream device-plugin chart carries for GPU nodes tainted by GPU
# provisioners (k8s-device-plugin deployments/helm/nvidia-device-plugin/values.yaml).
GPU_TOLERATION: dict[str, str] = {
    "key": "nvidia.com/gpu",
    "operator": "Exists",
    "effect": "NoSchedule",
}


def gpu_selector(plan: Plan) -> dict[str, str]:
    """Node labels that pick this GPU node: the labels the plan puts on it.

    The plan already adds ``nvidia.com/gpu.present: "true"`` in cdi/legacy modes. In operator
    mode the operator's GPU Feature Discovery sets that label, so it is the fallback when the
    intent names no labels of its own.
    """
    # The sharing-config label says how the GPU is shared, not which nodes have one; the
    # handler labels say which runtimes a node has (the RuntimeClasses select on them).
    labels = {
        k: v
        for k, v in sorted(plan.labels.items())
        if k != CONFIG_LABEL and not k.startswith(HANDLER_LABEL_PREFIX)
    }
    return labels or {GPU_PRESENT_LABEL: "true"}


def node_selector(plan: Plan, *, pin_node: bool) -> dict[str, str]:
    """``gpu_selector``, or, pinning to the named node, ``kubernetes.io/hostname`` and the GPU
    label the plan sets: the hostname picks the node, and the intent's other labels would only
    make the pod stale at every label edit (``check``) without selecting anything more."""
    name = plan.intent.node.name
    if pin_node and name:
        present = (
            {GPU_PRESENT_LABEL: plan.labels[GPU_PRESENT_LABEL]}
            if GPU_PRESENT_LABEL in plan.labels
            else {}
        )
        return {HOSTNAME_LABEL: name, **present}
    return gpu_selector(plan)


# Talos taints control-plane nodes node-role.kubernetes.io/control-plane:NoSchedule unless
# cluster.allowSchedulingOnControlPlanes (Talos docs "Workers on control plane nodes")
CONTROL_PLANE_TOLERATION = {
    "key": "node-role.kubernetes.io/control-plane",
    "operator": "Exists",
    "effect": "NoSchedule",
}


def tolerations(plan: Plan, *, gpu: bool = False, pinned: bool = False) -> list[dict[str, str]]:
    """Tolerations for the plan's taints (Talos form ``key: "value:Effect"`` or ``"Effect"``).

    ``gpu=True`` adds the ``nvidia.com/gpu`` Exists toleration system pods carry. System pods
    (``gpu``) and the node's own pinned pods (``pinned``) also tolerate the control-plane taint
    on a control-plane node (``node.role``), which they serve; a RuntimeClass's tolerations (for
    every workload of the class) never do.
    """
    out: list[dict[str, str]] = []
    for key, spec in sorted(plan.taints.items()):
        value, _, effect = spec.rpartition(":")
        if value or spec.startswith(":"):
            out.append({"key": key, "operator": "Equal", "value": value, "effect": effect})
        else:
            # A taint without a value is tolerated by Exists on its key and effect.
            out.append({"key": key, "operator": "Exists", "effect": effect})
    if gpu and not any(t["key"] == GPU_TOLERATION["key"] for t in out):
        out.append(dict(GPU_TOLERATION))
    control_plane = CONTROL_PLANE_TOLERATION["key"]
    if (
        (gpu or pinned)
        and plan.intent.node.role == "controlplane"
        and control_plane not in plan.taints
    ):
        out.append(dict(CONTROL_PLANE_TOLERATION))
    return out


def gpu_resource_name(plan: Plan) -> str:
    """``nvidia.com/gpu``, or ``nvidia.com/gpu.shared`` when sharing renames by default.

    k8s-device-plugin README "Shared Access to GPUs": with ``renameByDefault`` each replicated
    resource is advertised as ``<name>.shared``.
    """
    sharing = plan.intent.sharing
    if plan.mode != "none" and sharing.strategy != "none" and sharing.rename_by_default:
        return "nvidia.com/gpu.shared"
    return "nvidia.com/gpu"


def node_suffix(plan: Plan) -> str:
    """``-<node>`` when the intent names the node: object names stay unique per node."""
    name = plan.intent.node.name
    return f"-{name}" if name else ""


def metadata(name: str, *, namespace: str | None = None, app: str | None = None) -> dict[str, Any]:
    """Object metadata with talosgpu's managed-by label (and ``app.kubernetes.io/name``)."""
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    labels = {"app.kubernetes.io/name": app} if app else {}
    meta["labels"] = {**labels, **MANAGED_BY}
    return meta


def volume_name(path: str) -> str:
    """A DNS-label volume name for a host path: ``/var/run/cdi`` -> ``var-run-cdi``."""
    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")
    return (name or "root")[:63].rstrip("-")
