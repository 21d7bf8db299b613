"""Fleets: one inventory (defaults, roles, per-node overrides) → one intent and render per node.

See ``docs/fleet.md``. ``models`` is the format, ``load`` builds the per-node intents. Rendering
them and running a function per node (``diff`` / ``apply`` with ``--jobs``) are the use cases
:mod:`talosgpu.commands.fleet` and :mod:`talosgpu.commands.fleet_remote`.
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

__all__ = [
    "Inventory",
    "InventoryNode",
    "inventory_from_data",
    "load_inventory",
    "load_inventory_text",
    "node_intent",
    "node_intents",
]
