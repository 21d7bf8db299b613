"""The JSON report of ``talosgpu apply`` on one node (docs/schemas/apply.schema.json).

``{version, node, status, mode, interrupted, diff, talosctl[]}``: ``diff`` as ``diff --format
json`` gives it; talosctl's output is already redacted by ``apply`` unless ``show_secrets``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from talosgpu.report.diff import FORMATS as DIFF_FORMATS

if TYPE_CHECKING:
    from talosgpu.commands.apply import ApplyResult

__all__ = ["FORMATS", "applied_data", "node_json", "status_line"]


def status_line(outcome: ApplyResult, *, node: str | None = None) -> str:
    """What apply did, in one line (``talosgpu: applied to 10.0.0.5 (mode auto)``)."""
    where = outcome.result.address or node or "the node"
    messages = {
        "up-to-date": f"nothing to apply: {where} already has everything this intent renders",
        "declined": "not applied",
        "dry-run": f"dry run only: nothing was changed on {where}",
        "applied": f"applied to {where} (mode {outcome.mode})",
    }
    line = f"talosgpu: {messages[outcome.status]}"
    if outcome.interrupted:
        line += "\ntalosgpu: interrupted (the patch in flight was let finish)"
    return line


def _text(outcome: ApplyResult, *, node: str | None = None) -> str:
    return status_line(outcome, node=node) + "\n"


def applied_data(outcome: ApplyResult) -> dict[str, Any]:
    """One node's diff (as ``diff --format json`` gives it, warnings included) and talosctl
    runs, for both JSON forms of apply."""
    runs = [
        {"exitCode": run.returncode, "stdout": run.stdout, "stderr": run.stderr}
        for run in outcome.runs
    ]
    return {"diff": json.loads(DIFF_FORMATS["json"](outcome.result)), "talosctl": runs}


def node_json(outcome: ApplyResult, *, node: str | None = None) -> str:
    document = {
        "version": 1,
        "node": outcome.result.address or node or "",
        "status": outcome.status,
        "mode": outcome.mode,
        "interrupted": outcome.interrupted,
        **applied_data(outcome),
    }
    return json.dumps(document, indent=2) + "\n"


FORMATS: dict[str, Callable[..., str]] = {"text": _text, "json": node_json}
