"""Node labels, annotations and taints: ``machine.node*`` (<= 1.13) or ``KubeNodeConfig`` (1.14+).

1.14 rejects ``KubeNodeConfig`` next to ``.machine.nodeLabels`` & co (``... is already set in
v1alpha1 config``, talos ``types/k8s/kube_node.go``), hence the upgrade move deletes them.
"""

from __future__ import annotations

from typing import Any

from talosgpu.plan import Plan

name = "node"


def machine(plan: Plan) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if plan.labels:
        out["nodeLabels"] = dict(plan.labels)
    if plan.annotations:
        out["nodeAnnotations"] = dict(plan.annotations)
    if plan.taints:
        out["nodeTaints"] = dict(plan.taints)
    return out


def documents(plan: Plan) -> list[dict[str, Any]]:
    doc: dict[str, Any] = {}
    if plan.labels:
        doc["labels"] = dict(plan.labels)
    if plan.annotations:
        doc["annotations"] = dict(plan.annotations)
    if plan.taints:
        doc["taints"] = dict(plan.taints)
    if not doc:
        return []
    return [{"apiVersion": "v1alpha1", "kind": "KubeNodeConfig", **doc}]
