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

from talosgpu.commands.apply import ApplyResult, apply
from talosgpu.commands.diff import DiffResult, diff
from talosgpu.commands.fleet import FleetNode, fleet_nodes, for_each_node
from talosgpu.commands.talosctl import ApplyMode
from talosgpu.errors import TalosGPUError
from talosgpu.fleet.load import load_inventory
from talosgpu.versions import TalosVersion

__all__ = ["FleetDiff", "apply_fleet", "diff_fleet"]


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
) -> FleetDiff:
    """Diff every node of ``inventory`` (the Python twin of ``talosgpu diff INV --all``)."""
    loaded = load_inventory(inventory)

    def one(node: FleetNode) -> DiffResult:
        if live_dir is not None:
            path = Path(live_dir) / f"{node.name}.yaml"
            return diff(
                node.intent,
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
            node=node.address,
            talos_version=talos_version,
            talosconfig=talosconfig,
            show_secrets=show_secrets,
            assume_newest_known=assume_newest_known,
        )

    results = for_each_node(loaded, one, jobs=jobs)
    return FleetDiff(tuple(results), show_secrets=show_secrets)


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
    assume_newest_known: bool = False,
) -> list[tuple[str, ApplyResult]]:
    """Apply every node of ``inventory``, one node after the other, in node-name order.

    Nodes are never patched in parallel (a bad config must not take the whole fleet down at
    once), and the first failure stops the run: the error names the node, and the nodes
    before it keep their new config. ``on_diff``/``confirm`` get the node name too.
    """
    loaded = load_inventory(inventory)
    done: list[tuple[str, ApplyResult]] = []
    for node in fleet_nodes(loaded):
        if not node.address:
            raise TalosGPUError(f"node {node.name} has no address", file=node.source)
        name = node.name

        def show(result: DiffResult, name: str = name) -> None:
            if on_diff is not None:
                on_diff(name, result)

        def ask(result: DiffResult, name: str = name) -> bool:
            return True if confirm is None else confirm(name, result)

        try:
            outcome = apply(
                node.intent,
                node=node.address,
                mode=mode,
                dry_run=dry_run,
                talosconfig=talosconfig,
                talos_version=talos_version,
                show_secrets=show_secrets,
                on_diff=show,
                confirm=ask,
                assume_newest_known=assume_newest_known,
            )
        except TalosGPUError as exc:
            raise TalosGPUError(
                f"node {name}: {exc.message}", file=exc.file, path=exc.yaml_path
            ) from None
        done.append((name, outcome))
    return done
