"""``talosgpu doctor INVENTORY --all``: every node diagnosed, ``jobs`` at a time (threads, as
``diff --all``: the work is waiting on talosctl and kubectl). A node that cannot be reached is
reported in its slot; results are in node-name order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from talosgpu.commands.doctor import DoctorReport, doctor
from talosgpu.commands.fleet import FleetNode, for_each_node
from talosgpu.commands.talosctl import require_talosctl
from talosgpu.errors import TalosGPUError
from talosgpu.fleet.load import load_inventory
from talosgpu.versions import TalosVersion

__all__ = ["DoctorFleet", "doctor_fleet"]


@dataclass(frozen=True, slots=True)
class DoctorFleet:
    """Per node: its :class:`DoctorReport` or the error that stopped it."""

    results: tuple[tuple[str, DoctorReport | TalosGPUError], ...]

    @property
    def exit_code(self) -> int:
        """2 when a node could not be diagnosed, else 1 when a node has problems, else 0."""
        if any(isinstance(r, TalosGPUError) for _, r in self.results):
            return 2
        return max((r.exit_code for _, r in self.results if isinstance(r, DoctorReport)), default=0)


def doctor_fleet(
    inventory: str | Path,
    *,
    talos_version: str | TalosVersion | None = None,
    talosconfig: str | None = None,
    kubeconfig: str | None = None,
    jobs: int = 4,
    timeout: float | None = None,
    show_secrets: bool = False,
    assume_newest_known: bool = False,
    strict: bool = False,
    on_node: Callable[[str, DoctorReport | TalosGPUError], None] | None = None,
) -> DoctorFleet:
    """Diagnose every node of ``inventory`` at its ``address`` (the twin of ``doctor INV --all``)."""
    loaded = load_inventory(inventory)
    require_talosctl()  # once, not once per node

    def one(node: FleetNode) -> DoctorReport:
        if not node.address:
            raise TalosGPUError(f"node {node.name} has no address", file=node.source)
        return doctor(
            node.intent,
            node=node.address,
            talos_version=talos_version,
            talosconfig=talosconfig,
            kubeconfig=kubeconfig,
            timeout=timeout,
            show_secrets=show_secrets,
            assume_newest_known=assume_newest_known,
            strict=strict,
            inventory_node=(str(inventory), node.name),
        )

    return DoctorFleet(tuple(for_each_node(loaded, one, jobs=jobs, on_done=on_node)))
