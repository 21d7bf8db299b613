"""talosgpu's own ``runtime.talosgpu.dev/*`` labels that a new plan no longer sets.

Deleted in the patch against what the node has: its live config (``diff``/``apply``,
:mod:`talosgpu.commands.diff`) or the earlier render an upgrade move starts from
(:mod:`talosgpu.renderers.upgrade`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from talosgpu.plan import HANDLER_LABEL_PREFIX
from talosgpu.renderers.base import Rendered

__all__ = ["drop_stale_talosgpu_labels"]


def drop_stale_talosgpu_labels(
    rendered: Rendered, live_docs: list[dict[str, Any]]
) -> tuple[Rendered, list[str]]:
    """Delete the node's ``runtime.talosgpu.dev/*`` labels this plan no longer sets (an earlier
    render for another runtime mode or release): talosgpu owns that prefix, and a stale handler
    label lets the RuntimeClass of a runtime the node no longer has schedule pods onto it."""
    v = rendered.plan.version
    live = _live_labels(live_docs)
    stale = sorted(
        k for k in live if k.startswith(HANDLER_LABEL_PREFIX) and k not in rendered.plan.labels
    )
    if not stale:
        return rendered, []
    if not v.supports_patch_delete:
        return rendered, [
            f"the node has the labels {', '.join(stale)} from an earlier talosgpu render; Talos "
            f"{v} has no $patch: delete: remove them with kubectl label node <node> "
            + " ".join(f"{k}-" for k in stale)
        ]
    deletes = {k: {"$patch": "delete"} for k in stale}
    docs = [dict(d) for d in rendered.documents]
    if v.gpu_documents:
        doc = next((d for d in docs if d.get("kind") == "KubeNodeConfig"), None)
        if doc is None:
            docs.append({"apiVersion": "v1alpha1", "kind": "KubeNodeConfig", "labels": deletes})
        else:
            doc["labels"] = {**deletes, **dict(doc.get("labels") or {})}
    else:
        doc = next((d for d in docs if "machine" in d), None)
        if doc is None:
            docs.append({"machine": {"nodeLabels": deletes}})
        else:
            machine = dict(doc["machine"])
            machine["nodeLabels"] = {**deletes, **dict(machine.get("nodeLabels") or {})}
            doc["machine"] = machine
    note = (
        f"deletes the node's labels {', '.join(stale)}: an earlier talosgpu render set them for a "
        "runtime this plan does not use"
    )
    return replace(rendered, documents=tuple(docs)), [note]


def _live_labels(live_docs: list[dict[str, Any]]) -> dict[str, Any]:
    labels: dict[str, Any] = {}
    for doc in live_docs:
        if doc.get("kind") == "KubeNodeConfig" and isinstance(doc.get("labels"), dict):
            labels.update(doc["labels"])
        machine = doc.get("machine") if "kind" not in doc else None
        if isinstance(machine, dict) and isinstance(machine.get("nodeLabels"), dict):
            labels.update(machine["nodeLabels"])
    return labels
