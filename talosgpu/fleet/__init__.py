"""Fleets: one inventory (defaults, roles, per-node overrides) → one intent and render per node.

See ``docs/fleet.md``. ``models`` is the format, ``load`` builds the per-node intents, ``render``
renders them. Running a function per node (``diff`` / ``apply`` with ``--jobs``) is the use
case :mod:`talosgpu.commands.fleet` (and :mod:`talosgpu.commands.fleet_remote`).
"""

from __future__ import annotations

from talosgpu.fleet.load import (
    inventory_from_data,
    load_inventory,
    load_inventory_text,
    node_intent,
    node_intents,
)
from talosgpu.fleet.models import Inventory, InventoryNode
from talosgpu.fleet.render import (
    fleet_output_files,
    fleet_warnings,
    render_fleet,
)

__all__ = [
    "Inventory",
    "InventoryNode",
    "fleet_output_files",
    "fleet_warnings",
    "inventory_from_data",
    "load_inventory",
    "load_inventory_text",
    "node_intent",
    "node_intents",
    "render_fleet",
]
