"""Inventory file → :class:`Inventory` → one validated :class:`Intent` per node.

Layering, lowest first (each step is :func:`talosgpu.intent.load.overlay`: maps merge key by
key, everything else replaces, ``null`` removes):

1. the node's profile (``nodes[].profile``, else the role's ``profile``, else ``defaults``'s);
2. ``defaults``;
3. the node's role (``roles[nodes[].role]``);
4. the node's own fields: ``name`` → ``node.name``, ``address`` → ``node.address``,
   ``talosVersion``;
5. the node's ``overrides``.

Only the finished intent is validated; a problem is reported at the inventory path of the layer
that set the offending value (the deepest match, the later layer on a tie), e.g.
``inventory.yaml: .nodes[3].overrides.labels: ...``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from talosgpu import yamlio
from talosgpu.errors import IntentError, ProfileError, format_yaml_path
from talosgpu.fleet.models import Inventory, InventoryNode
from talosgpu.intent.load import describe_error, error_path, overlay
from talosgpu.intent.models import Intent
from talosgpu.profiles import profile_data

__all__ = ["inventory_from_data", "load_inventory", "load_inventory_text", "node_intents"]

YamlPath = tuple[str | int, ...]
# Set once per node with the node's own fields, never through a partial intent: the name is
# also the output folder, so two places for it would disagree.
_PER_NODE = {
    ("node", "name"): "name",
    ("node", "address"): "address",
    ("talosVersion",): "talosVersion",
    ("profile",): "profile",
}


def load_inventory(path: str | Path) -> Inventory:
    """Read and validate an inventory file (``-`` = stdin)."""
    text, source = yamlio.read_source(path)
    return load_inventory_text(text, source=source)


def load_inventory_text(text: str, *, source: str = "<inventory>") -> Inventory:
    """Parse and validate inventory YAML (one document)."""
    docs = yamlio.load_all(text, source=source)
    if len(docs) != 1:
        raise IntentError(f"expected one inventory document, found {len(docs)}", file=source)
    return inventory_from_data(docs[0], source=source)


def inventory_from_data(data: Any, *, source: str) -> Inventory:
    """Validate already-parsed inventory data; errors name ``source`` and the YAML path."""
    if not isinstance(data, Mapping):
        raise IntentError("an inventory must be a YAML mapping", file=source, path=".")
    try:
        inventory = Inventory.model_validate(dict(data))
    except ValidationError as exc:
        raise _validation_error(exc, file=source, prefix=()) from None
    inventory._source = source
    _check_references(inventory)
    return inventory


def node_intents(inventory: Inventory) -> dict[str, Intent]:
    """Every node's validated intent, by node name (sorted by name)."""
    profiles: dict[str, dict[str, Any]] = {}
    ordered = sorted(enumerate(inventory.nodes), key=lambda pair: pair[1].name)
    return {node.name: node_intent(inventory, index, profiles=profiles) for index, node in ordered}


def node_intent(
    inventory: Inventory, index: int, *, profiles: dict[str, dict[str, Any]] | None = None
) -> Intent:
    """The intent of ``inventory.nodes[index]``; ``profiles`` caches profile data across calls."""
    node = inventory.nodes[index]
    profiles = {} if profiles is None else profiles
    layers = _layers(inventory, index, node)
    name, named_at = _profile_name(layers, index, source=inventory.source)
    merged: dict[str, Any] = {}
    if name is not None:
        merged = dict(_profile(name, named_at, inventory.source, profiles))
    for _, data in layers:
        merged = overlay(merged, {k: v for k, v in data.items() if k != "profile"})
    if name is not None:
        merged["profile"] = name
    try:
        return Intent.model_validate(merged)  # a node of an inventory: not re-rendered alone
    except ValidationError as exc:
        raise _attribute(exc, layers, inventory, index) from None


# ----------------------------------------------------------------------------- helpers
def _layers(
    inventory: Inventory, index: int, node: InventoryNode
) -> list[tuple[YamlPath, Mapping[str, Any]]]:
    """(inventory path of the layer, partial intent), lowest first, profile excluded."""
    fields: dict[str, Any] = {"node": {"name": node.name}}
    if node.address is not None:
        fields["node"]["address"] = node.address
    if node.talos_version is not None:
        fields["talosVersion"] = node.talos_version
    if node.profile is not None:
        fields["profile"] = node.profile
    layers: list[tuple[YamlPath, Mapping[str, Any]]] = [(("defaults",), inventory.defaults)]
    if node.role is not None:
        layers.append((("roles", node.role), inventory.roles[node.role]))
    layers.append((("nodes", index), fields))
    layers.append((("nodes", index, "overrides"), node.overrides))
    return layers


def _profile_name(
    layers: Sequence[tuple[YamlPath, Mapping[str, Any]]], index: int, *, source: str
) -> tuple[str | None, YamlPath]:
    name: str | None = None
    named_at: YamlPath = ("nodes", index)
    for prefix, data in layers:
        if "profile" in data:
            value = data["profile"]
            named_at = (*prefix, "profile")
            if value is not None and not isinstance(value, str):
                raise IntentError("profile must be a name", file=source, path=named_at)
            name = value
    return name, named_at


def _profile(
    name: str, named_at: YamlPath, source: str, cache: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    # One read per profile per inventory: a 1,000-node fleet names the same few profiles.
    if name not in cache:
        try:
            cache[name] = profile_data(name)
        except ProfileError as exc:
            raise ProfileError(exc.message, file=source, path=named_at) from None
    return cache[name]


# The folders render --output-dir writes beside the node folders (k8s/cluster.py CLUSTER_DIR,
# k8s/fleet_values.py HELM_DIR).
_RESERVED = {
    "cluster": "the cluster-wide objects (cluster/manifests.yaml)",
    "helm": "the Helm values (helm/)",
}


def _check_references(inventory: Inventory) -> None:
    source = inventory.source
    partials: list[tuple[YamlPath, Mapping[str, Any]]] = [(("defaults",), inventory.defaults)]
    partials += [(("roles", role), data) for role, data in inventory.roles.items()]
    seen: dict[str, int] = {}
    addresses: dict[str, int] = {}
    for index, node in enumerate(inventory.nodes):
        here: YamlPath = ("nodes", index)
        if node.name in seen:
            raise IntentError(
                f"duplicate node name {node.name!r} (also .nodes[{seen[node.name]}])",
                file=source,
                path=(*here, "name"),
            )
        seen[node.name] = index
        if node.name in _RESERVED:
            raise IntentError(
                f"a node named {node.name!r} would share its folder with {_RESERVED[node.name]} "
                "in render --output-dir: rename the node",
                file=source,
                path=(*here, "name"),
            )
        if node.address is not None:
            if node.address in addresses:
                # apply --all would patch one machine twice, the second over the first
                raise IntentError(
                    f"duplicate node address {node.address!r} (also .nodes"
                    f"[{addresses[node.address]}]): each node is one machine",
                    file=source,
                    path=(*here, "address"),
                )
            addresses[node.address] = index
        if node.role is not None and node.role not in inventory.roles:
            known = ", ".join(sorted(inventory.roles)) or "none defined"
            raise IntentError(
                f"unknown role {node.role!r} (known: {known})", file=source, path=(*here, "role")
            )
        partials.append(((*here, "overrides"), node.overrides))
    for prefix, data in partials:
        for key_path, field in _PER_NODE.items():
            if field in ("profile", "talosVersion") and prefix[0] != "nodes":
                continue  # defaults and roles may set them for all their nodes
            if _depth(data, key_path) == len(key_path):
                raise IntentError(
                    f"set this per node with .nodes[].{field}", file=source, path=prefix + key_path
                )


def _depth(data: Any, path: Sequence[str | int]) -> int:
    """How many leading parts of ``path`` exist in ``data``."""
    depth = 0
    for part in path:
        in_map = isinstance(data, Mapping) and isinstance(part, str) and part in data
        in_list = isinstance(data, list | tuple) and isinstance(part, int) and part < len(data)
        if not (in_map or in_list):
            break
        data = data[part]
        depth += 1
    return depth


def _attribute(
    exc: ValidationError,
    layers: Sequence[tuple[YamlPath, Mapping[str, Any]]],
    inventory: Inventory,
    index: int,
) -> IntentError:
    """Report a per-node validation error at the inventory path that set the value."""
    first = exc.errors()[0]
    where = tuple(error_path(first["loc"]))
    message = describe_error(first, Intent) + _more(exc.error_count())
    node = inventory.nodes[index]
    found = set_at(layers, index, where)
    if found is None:
        # Nothing in the inventory sets this (a profile value or a default does).
        detail = f"{format_yaml_path(where)}: {message} (node {node.name})"
        return IntentError(detail, file=inventory.source, path=("nodes", index))
    suffix = "" if found[0] == "nodes" else f" (node {node.name})"
    return IntentError(message + suffix, file=inventory.source, path=found)


def set_at(
    layers: Sequence[tuple[YamlPath, Mapping[str, Any]]], index: int, where: Sequence[str | int]
) -> YamlPath | None:
    """The inventory path of the layer that set the intent path ``where`` (the last, deepest
    one; None: a profile or talosgpu's default did), so an error names the line to change."""
    best, best_depth = 0, 0
    for position, (_, data) in enumerate(layers):
        depth = _depth(data, where)
        if depth >= best_depth and depth > 0:
            best, best_depth = position, depth
    if best_depth == 0:
        return None
    prefix, _ = layers[best]
    if prefix == ("nodes", index):
        key_path = next((k for k in _PER_NODE if tuple(where[: len(k)]) == k), None)
        return (*prefix, _PER_NODE[key_path]) if key_path else prefix
    return (*prefix, *where[:best_depth])


def node_layers(inventory: Inventory, index: int) -> list[tuple[YamlPath, Mapping[str, Any]]]:
    """The layers of node ``index`` (defaults, its role, its fields, its overrides)."""
    return _layers(inventory, index, inventory.nodes[index])


def _validation_error(exc: ValidationError, *, file: str, prefix: YamlPath) -> IntentError:
    first = exc.errors()[0]
    path = (*prefix, *error_path(first["loc"]))
    message = describe_error(first, Inventory) + _more(exc.error_count())
    return IntentError(message, file=file, path=path)


def _more(count: int) -> str:
    return f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
