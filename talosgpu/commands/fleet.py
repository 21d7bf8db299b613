"""Running one function per node of a fleet (``diff`` / ``apply`` with ``--jobs N``)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from talosgpu.errors import TalosGPUError
from talosgpu.fleet.load import node_intents
from talosgpu.fleet.models import Inventory
from talosgpu.intent.models import Intent

__all__ = ["FleetNode", "fleet_nodes", "for_each_node"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FleetNode:
    """One node of an inventory with its finished intent (what :func:`for_each_node` passes)."""

    name: str
    address: str | None
    role: str | None
    intent: Intent
    source: str  # the inventory file, for messages


def fleet_nodes(inventory: Inventory) -> list[FleetNode]:
    """Every node with its validated intent, sorted by node name."""
    intents = node_intents(inventory)
    by_name = {node.name: node for node in inventory.nodes}
    return [
        FleetNode(
            name=name,
            address=by_name[name].address,
            role=by_name[name].role,
            intent=intent,
            source=inventory.source,
        )
        for name, intent in intents.items()
    ]


def for_each_node(
    inventory: Inventory,
    fn: Callable[[FleetNode], T],
    *,
    jobs: int = 1,
    on_done: Callable[[str, T | TalosGPUError], None] | None = None,
) -> list[tuple[str, T | TalosGPUError]]:
    """Call ``fn`` once per node, ``jobs`` at a time (threads: the work is waiting on talosctl).

    Results come back sorted by node name whatever finished first. A ``TalosGPUError`` raised by
    ``fn`` is returned in that node's slot so one unreachable node does not hide the others;
    any other exception propagates. An invalid inventory raises before ``fn`` is called at all.
    ``on_done(name, result)`` is called as each node finishes (from its worker thread: progress
    on a terminal), in the order they finish.
    """
    if jobs < 1:
        raise TalosGPUError(f"jobs must be at least 1 (got {jobs})")
    nodes = fleet_nodes(inventory)

    def run(node: FleetNode) -> T | TalosGPUError:
        result: T | TalosGPUError
        try:
            result = fn(node)
        except TalosGPUError as exc:
            result = exc
        if on_done is not None:
            on_done(node.name, result)
        return result

    if jobs == 1 or len(nodes) <= 1:
        results = [run(node) for node in nodes]
    else:
        with ThreadPoolExecutor(max_workers=min(jobs, len(nodes))) as pool:
            results = list(pool.map(run, nodes))
    return [(node.name, result) for node, result in zip(nodes, results, strict=True)]
