"""Reports of ``talosgpu diff INVENTORY --all``: each node's diff (or error), then a count.

JSON shape (``version`` 1, ``docs/fleet.md``): ``{"version": 1, "nodes": [<one node's diff
report plus "node">, or {"node", "error"}], "exitCode": 0|1|2}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from talosgpu.errors import TalosGPUError
from talosgpu.report.diff import FORMATS as DIFF_FORMATS

if TYPE_CHECKING:
    from talosgpu.commands.fleet_remote import FleetDiff

__all__ = ["FORMATS", "fleet_data"]


def _text(fleet: FleetDiff) -> str:
    blocks = []
    changed = failed = 0
    for name, result in fleet.results:
        if isinstance(result, TalosGPUError):
            failed += 1
            blocks.append(f"== {name}: error: {result}\n")
        else:
            changed += result.changed
            blocks.append(f"== {name}\n{DIFF_FORMATS['text'](result)}")
    total = len(fleet.results)
    blocks.append(f"{total} nodes: {changed} would change, {failed} failed\n")
    return "\n".join(blocks)


def fleet_data(fleet: FleetDiff) -> dict[str, Any]:
    """The JSON report as plain data."""
    nodes: list[dict[str, Any]] = []
    for name, result in fleet.results:
        if isinstance(result, TalosGPUError):
            nodes.append({"node": name, "error": str(result)})
        else:
            nodes.append({**json.loads(DIFF_FORMATS["json"](result)), "node": name})
    return {"version": 1, "nodes": nodes, "exitCode": fleet.exit_code}


def _json(fleet: FleetDiff) -> str:
    return json.dumps(fleet_data(fleet), indent=2, ensure_ascii=False) + "\n"


FORMATS: dict[str, Callable[..., str]] = {"text": _text, "json": _json}
