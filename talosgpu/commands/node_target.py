"""Which node a single-node command (``diff``, ``apply``, ``doctor``) acts on, and how to reach it.

The input is an intent file, a bundled profile, or an inventory with ``--node NAME|ADDR``
picking one of its nodes (by name or address). The address ``talosctl`` uses is ``--node``
when it is one, else the node's ``address`` (an inventory node's, or the ``node.address`` the
intent file itself sets, never one from a profile), so ``diff node.yaml`` reads the node its
intent names.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from talosgpu.commands.inputs import classify, load_target, read_input
from talosgpu.errors import TalosGPUError

if TYPE_CHECKING:
    from talosgpu.intent.models import Intent

__all__ = ["NodeTarget", "load_node_target"]


@dataclass(frozen=True, slots=True)
class NodeTarget:
    """The node's intent, the label naming it in messages, and its Talos API address."""

    intent: Intent
    label: str
    address: str | None
    from_inventory: bool = False
    source: str | None = None  # the file it came from: relative patch files are beside it
    inventory_name: str | None = None  # the node's name in the inventory it came from
    notes: tuple[str, ...] = ()  # e.g. --node naming another node than the intent's address


def load_node_target(
    intent: Intent | str | Path | None, *, profile: str | None, node: str | None
) -> NodeTarget:
    """Resolve the node to act on; an inventory without ``node`` is a :class:`TalosGPUError`
    saying to use ``--all`` or ``--node NAME``."""
    if isinstance(intent, str | Path) and not profile:
        # lazy: the YAML reader and the intent model only once an input is read
        from talosgpu import yamlio
        from talosgpu.intent.load import intent_from_document, load_intent_text

        item = read_input(intent)
        kind, doc = classify(yamlio.load_all(item.text, source=item.source), kindless="any")
        if kind == "inventory":
            return _inventory_node(doc, source=item.source, node=node)
        if kind == "intent":
            loaded = intent_from_document(doc, source=item.source)
        else:
            loaded = load_intent_text(item.text, source=item.source)
        own = _own_address(doc)
        notes = (
            (
                f"--node {node} is not the node.address {own} that {item.label} sets: acting on {node}",
            )
            if node and own and node != own
            else ()
        )
        return NodeTarget(loaded, item.label, node or own, source=item.source, notes=notes)
    loaded, label = load_target(intent, profile=profile)
    if profile or loaded.profile is not None:
        # a bundled profile's address is its example node's, never the user's (an Intent
        # built on a profile cannot tell whose its node.address is)
        return NodeTarget(loaded, label, node)
    return NodeTarget(loaded, label, node or loaded.node.address)


def _own_address(doc: object) -> str | None:
    """``node.address`` as the file itself sets it: one inherited from a bundled profile is
    that profile's example node (the nvidia-cdi profile's is the talos05 field report's), and
    diff/apply must never reach it by accident."""
    node = doc.get("node") if isinstance(doc, dict) else None
    address = node.get("address") if isinstance(node, dict) else None
    return address if isinstance(address, str) and address.strip() else None


def _inventory_node(doc: object, *, source: str, node: str | None) -> NodeTarget:
    # lazy: the fleet layer only for an inventory
    from talosgpu.commands.fleet import fleet_nodes
    from talosgpu.fleet import inventory_from_data

    nodes = fleet_nodes(inventory_from_data(doc, source=source))
    names = [n.name for n in nodes]
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    if node is None:
        raise TalosGPUError(
            f"this is an inventory of {len(names)} nodes: use --all for every node, or "
            f"--node NAME|ADDR for one of them ({shown})",
            file=source,
        )
    match = next((n for n in nodes if node in (n.name, n.address)), None)
    if match is None:
        close = difflib.get_close_matches(node, names, n=1)
        hint = f"; did you mean {close[0]}?" if close else f" (nodes: {shown})"
        raise TalosGPUError(
            f"no node named {node!r} or at that address in the inventory{hint}", file=source
        )
    address = match.address if node == match.name else node
    label = f"{Path(source).name} node {match.name}"
    return NodeTarget(match.intent, label, address, from_inventory=True, source=source,
                      inventory_name=match.name)  # fmt: skip
