"""The JSON report of ``talosgpu apply INVENTORY --all`` (docs/schemas/apply-fleet.schema.json).

``{version, nodes[], interrupted, exitCode}``: each node in node-name order with its status, the
reason it was skipped or the error that stopped it (one redacted line), and its diff and talosctl
runs when it got that far.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from talosgpu.commands.redact import safe_line
from talosgpu.report.apply import applied_data

if TYPE_CHECKING:
    from talosgpu.commands.fleet_remote import FleetApply, NodeApply

__all__ = ["FORMATS", "node_line", "summary_line"]


def node_line(node: NodeApply) -> str:
    """``talosgpu: gpu1: applied`` (with the error or the reason it was skipped)."""
    detail = {
        "failed": f": {safe_line(str(node.error))}" if node.error is not None else "",
        "skipped": f" ({node.reason})" if node.reason else "",
    }.get(node.status, "")
    return f"talosgpu: {node.name}: {node.status}{detail}"


def summary_line(fleet: FleetApply) -> str:
    """``talosgpu: 3 nodes: 2 applied, 1 up-to-date`` (``; interrupted``)."""
    counts = ", ".join(
        f"{fleet.count(status)} {status}"
        for status in ("applied", "dry-run", "up-to-date", "declined", "failed", "skipped")
        if fleet.count(status)
    )
    tail = "; interrupted" if fleet.interrupted else ""
    return f"talosgpu: {len(fleet.nodes)} nodes: {counts}{tail}"


def _text(fleet: FleetApply) -> str:
    return "\n".join([*(node_line(n) for n in fleet.nodes), summary_line(fleet)]) + "\n"


def fleet_json(fleet: FleetApply) -> str:
    nodes = []
    for node in fleet.nodes:
        entry: dict[str, Any] = {"node": node.name, "status": node.status}
        if node.reason:
            entry["reason"] = node.reason
        if node.error is not None:
            entry["error"] = safe_line(str(node.error))
        if node.result is not None:
            entry.update(applied_data(node.result))
        nodes.append(entry)
    document = {
        "version": 1,
        "nodes": nodes,
        "interrupted": fleet.interrupted,
        "exitCode": fleet.exit_code,
    }
    return json.dumps(document, indent=2) + "\n"


FORMATS: dict[str, Callable[..., str]] = {"text": _text, "json": fleet_json}
