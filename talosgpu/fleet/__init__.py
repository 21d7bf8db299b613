"""Fleets: one inventory (defaults, roles, per-node overrides) → one intent and render per node.

See ``docs/fleet.md``. ``models`` is the format, ``load`` builds the per-node intents, ``run``
renders them and runs a function per node (``diff`` / ``apply`` with ``--jobs``).
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
from talosgpu.fleet.run import (
    FleetNode,
    FleetRendered,
    fleet_nodes,
    fleet_output_files,
    fleet_warnings,
    for_each_node,
    inventory_files,
    render_fleet,
)

__all__ = [
    "FleetNode",
    "FleetRendered",
    "Inventory",
    "InventoryNode",
    "fleet_nodes",
    "fleet_output_files",
    "fleet_warnings",
    "for_each_node",
    "inventory_files",
    "inventory_from_data",
    "load_inventory",
    "load_inventory_text",
    "node_intent",
    "node_intents",
    "render_fleet",
]
