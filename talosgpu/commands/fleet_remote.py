"""``talosgpu diff|apply INVENTORY --all``: every node of an inventory against its live config.

Live configs are read in parallel (``jobs`` threads: talosctl calls are I/O bound) from
``live_dir/<node>.yaml`` when given, else fetched from each node's ``address`` with talosctl.
A node that fails (unreachable, no address, bad config) is reported in its slot; the other
nodes are still diffed. Results are in node-name order, whatever the completion order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from talosgpu.commands.apply import ApplyResult, apply
from talosgpu.commands.diff import DiffResult, diff
from talosgpu.commands.fleet import FleetNode, fleet_nodes, for_each_node
from talosgpu.commands.talosctl import ApplyMode, require_talosctl
from talosgpu.errors import TalosGPUError
from talosgpu.fleet.load import load_inventory
from talosgpu.versions import TalosVersion

__all__ = ["FleetApply", "FleetDiff", "NodeApply", "apply_fleet", "diff_fleet"]


@dataclass(frozen=True, slots=True)
class FleetDiff:
    """Per node: its :class:`DiffResult` or the error that stopped it."""

    results: tuple[tuple[str, DiffResult | TalosGPUError], ...]
    show_secrets: bool = False

    @property
    def exit_code(self) -> int:
        """2 when any node failed, else 1 when any node would change, else 0."""
        if any(isinstance(r, TalosGPUError) for _, r in self.results):
            return 2
        return 1 if any(r.changed for _, r in self.results if isinstance(r, DiffResult)) else 0


def diff_fleet(
    inventory: str | Path,
    *,
    live_dir: str | Path | None = None,
    talos_version: str | TalosVersion | None = None,
    talosconfig: str | None = None,
    jobs: int = 4,
    show_secrets: bool = False,
    assume_newest_known: bool = False,
    timeout: float | None = None,
    on_node: Callable[[str, DiffResult | TalosGPUError], None] | None = None,
) -> FleetDiff:
    """Diff every node of ``inventory`` (the Python twin of ``talosgpu diff INV --all``);
    ``on_node(name, result)`` as each node is done (from a worker thread)."""
    loaded = load_inventory(inventory)
    if live_dir is None:
        require_talosctl()  # once, not once per node

    def one(node: FleetNode) -> DiffResult:
        if live_dir is not None:
            path = Path(live_dir) / f"{node.name}.yaml"
            return diff(
                node.intent,
                patch_base=Path(node.source).parent,
                live=path,
                talos_version=talos_version,
                show_secrets=show_secrets,
                assume_newest_known=assume_newest_known,
            )
        if not node.address:
            raise TalosGPUError(
                f"node {node.name} has no address (or give --live-dir)", file=node.source
            )
        return diff(
            node.intent,
            patch_base=Path(node.source).parent,
            node=node.address,
            talos_version=talos_version,
            talosconfig=talosconfig,
            show_secrets=show_secrets,
            assume_newest_known=assume_newest_known,
            timeout=timeout,
        )

    results = for_each_node(loaded, one, jobs=jobs, on_done=on_node)
    return FleetDiff(tuple(results), show_secrets=show_secrets)


NodeStatus = Literal["applied", "dry-run", "up-to-date", "declined", "failed", "skipped"]


@dataclass(frozen=True, slots=True)
class NodeApply:
    """One node's outcome in a fleet apply: its :class:`ApplyResult` (applied, dry run, up to
    date, declined), the error that stopped it (``failed``), or why it was not tried
    (``skipped``: ``reason``)."""

    name: str
    status: NodeStatus
    result: ApplyResult | None = None
    error: TalosGPUError | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class FleetApply:
    """Every node's outcome, in node-name order; ``interrupted``: Ctrl-C stopped the run (after
    the node in flight)."""

    nodes: tuple[NodeApply, ...]
    interrupted: bool = False

    @property
    def exit_code(self) -> int:
        """130 interrupted, 2 a node failed, 1 a node was declined, else 0."""
        if self.interrupted:
            return 130
        if any(n.status == "failed" for n in self.nodes):
            return 2
        return 1 if any(n.status == "declined" for n in self.nodes) else 0

    def count(self, status: NodeStatus) -> int:
        return sum(n.status == status for n in self.nodes)


def apply_fleet(
    inventory: str | Path,
    *,
    mode: ApplyMode = "auto",
    dry_run: bool = False,
    talosconfig: str | None = None,
    talos_version: str | TalosVersion | None = None,
    show_secrets: bool = False,
    on_diff: Callable[[str, DiffResult], None] | None = None,
    confirm: Callable[[str, DiffResult], bool] | None = None,
    on_outcome: Callable[[NodeApply], None] | None = None,
    assume_newest_known: bool = False,
    timeout: float | None = None,
) -> FleetApply:
    """Apply every node of ``inventory``, one node after the other, in node-name order.

    Nodes are never patched in parallel (a bad config must not take the whole fleet down at
    once), and the first failure stops the run: the nodes after it are ``skipped``, the nodes
    before it keep their new config. Ctrl-C lets the patch in flight finish, then stops the same
    way. ``on_outcome`` is called with each node's outcome as soon as it is known (so a report
    is never lost to a later failure); ``on_diff``/``confirm`` get the node name too.
    """
    loaded = load_inventory(inventory)
    nodes = fleet_nodes(loaded)
    missing = [n.name for n in nodes if not n.address]
    if missing:
        # known before anything is patched: a run must not stop half way for it
        raise TalosGPUError(
            f"nodes without an address: {', '.join(missing)}: apply --all patches every node "
            "(give each an address)",
            file=str(inventory),
        )
    require_talosctl()  # once, before any node is diffed
    out: list[NodeApply] = []

    def record(outcome: NodeApply) -> None:
        out.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    stop: str | None = None
    interrupted = False
    for node in nodes:
        if stop is not None:
            record(NodeApply(node.name, "skipped", reason=stop))
            continue
        try:
            outcome = _apply_node(
                node,
                mode=mode,
                dry_run=dry_run,
                talosconfig=talosconfig,
                talos_version=talos_version,
                show_secrets=show_secrets,
                on_diff=on_diff,
                confirm=confirm,
                assume_newest_known=assume_newest_known,
                timeout=timeout,
            )
        except KeyboardInterrupt:
            interrupted, stop = True, "interrupted"
            record(NodeApply(node.name, "skipped", reason="interrupted before it was patched"))
            continue
        record(outcome)
        if outcome.status == "failed":
            stop = f"not tried: node {node.name} failed"
        elif outcome.result is not None and outcome.result.interrupted:
            interrupted, stop = True, "interrupted"
    return FleetApply(tuple(out), interrupted=interrupted)


def _apply_node(
    node: FleetNode,
    *,
    on_diff: Callable[[str, DiffResult], None] | None,
    confirm: Callable[[str, DiffResult], bool] | None,
    **options: Any,
) -> NodeApply:
    name = node.name
    if not node.address:
        error = TalosGPUError(f"node {name} has no address", file=node.source)
        return NodeApply(name, "failed", error=error)

    def show(result: DiffResult) -> None:
        if on_diff is not None:
            on_diff(name, result)

    def ask(result: DiffResult) -> bool:
        return True if confirm is None else confirm(name, result)

    try:
        result = apply(
            node.intent,
            node=node.address,
            on_diff=show,
            confirm=ask,
            patch_base=Path(node.source).parent,
            **options,
        )
    except TalosGPUError as exc:
        return NodeApply(name, "failed", error=exc)
    return NodeApply(name, result.status, result=result)
