"""RuntimeClasses for the containerd runtimes the plan registers.

The Talos NVIDIA guides (<= 1.12) create ``RuntimeClass nvidia`` (``node.k8s.io/v1``, handler
``nvidia``) for the extension's legacy runtime (shared/research/talos-internals.md §6); the
``nvidia-cdi`` runtime talosgpu adds in cdi mode gets its own class (handler = containerd
runtime name, as in the talos05 field report and k8s-device-plugin/runtimeclass/*). In operator mode the GPU
Operator creates its classes itself, so none are rendered.

``scheduling`` makes every pod of the class land on nodes with its handler (the plan's
``runtime.talosgpu.dev/<handler>`` label) and tolerate their taints: the
RuntimeClass admission controller merges these into the pod (kubernetes.io docs, "RuntimeClass
Scheduling").
"""

from __future__ import annotations

from typing import Any

from talosgpu.k8s.common import metadata, tolerations
from talosgpu.plan import HANDLER_LABEL_PREFIX, Plan

__all__ = ["runtime_classes"]


def runtime_classes(plan: Plan) -> list[dict[str, Any]]:
    """One RuntimeClass per runtime the plan needs (``nvidia`` or ``nvidia-cdi``)."""
    out: list[dict[str, Any]] = []
    for name in plan.runtime_classes:
        # the plan labels each node with the handlers it has (plan.HANDLER_LABEL_PREFIX)
        selector = {HANDLER_LABEL_PREFIX + name: plan.labels[HANDLER_LABEL_PREFIX + name]}
        scheduling: dict[str, Any] = {"nodeSelector": selector}
        tol = tolerations(plan)
        if tol:
            scheduling["tolerations"] = tol
        out.append(
            {
                "apiVersion": "node.k8s.io/v1",
                "kind": "RuntimeClass",
                "metadata": metadata(name),
                "handler": name,
                "scheduling": scheduling,
            }
        )
    return out
