"""Rendering a fleet: every node of an inventory through the one-node render."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from talosgpu.errors import TalosGPUError, parse_yaml_path
from talosgpu.fleet.load import node_intents, node_layers, set_at
from talosgpu.fleet.models import Inventory
from talosgpu.k8s.cluster import (
    CLUSTER_DIR,
    cluster_manifests_text,
    fleet_manifests,
    node_manifests_text,
)
from talosgpu.k8s.fleet_values import fleet_helm_values
from talosgpu.outputs import output_files, render_intent
from talosgpu.renderers.base import Rendered
from talosgpu.versions import TalosVersion

__all__ = ["fleet_output_files", "fleet_warnings", "render_fleet"]


def render_fleet(
    inventory: Inventory,
    *,
    talos_version: str | TalosVersion | None = None,
    from_version: str | TalosVersion | None = None,
    assume_newest_known: bool = False,
) -> dict[str, Rendered]:
    """Render every node (``talos_version`` overrides each node's talosVersion), by node name."""
    label = Path(inventory.source).name
    index = {node.name: i for i, node in enumerate(inventory.nodes)}
    out: dict[str, Rendered] = {}
    for name, intent in node_intents(inventory).items():
        try:
            one = render_intent(
                intent,
                talos_version=talos_version,
                from_version=from_version,
                source=f"{label} node {name}",
                assume_newest_known=assume_newest_known,
            )
        except TalosGPUError as exc:
            # the error's intent path, at the inventory layer that set it (a role's gpu.driver,
            # a node's overrides), else at the node with the intent path in the message
            parts = parse_yaml_path(exc.yaml_path) if exc.yaml_path else None
            layers = node_layers(inventory, index[name])
            found = set_at(layers, index[name], parts) if parts else None
            if found is not None:
                raise type(exc)(
                    f"node {name}: {exc.message}", file=inventory.source, path=found
                ) from None
            where = f"{exc.yaml_path}: " if exc.yaml_path else ""
            raise type(exc)(
                f"node {name}: {where}{exc.message}",
                file=inventory.source,
                path=("nodes", index[name]),
            ) from None
        out[name] = one
    return out


def fleet_output_files(
    rendered: Mapping[str, Rendered], *, source: str = "<inventory>"
) -> dict[str, str]:
    """What ``render INVENTORY --output-dir DIR`` writes: ``<node>/patch.yaml``, ... per node,
    ``cluster/manifests.yaml``, the cluster-wide objects merged across nodes (each node's
    ``manifests.yaml`` keeps only its own pinned objects), and the Helm values of each chart
    release (:mod:`talosgpu.k8s.fleet_values`). A merge that cannot be made is a
    :class:`~talosgpu.errors.RenderError` naming two nodes, attributed to ``source``."""
    plans = {name: one.plan for name, one in rendered.items()}
    try:
        merged = fleet_manifests(plans)
    except TalosGPUError as exc:
        raise exc.with_file(source) from None
    files: dict[str, str] = {}
    for name in sorted(rendered):
        for relative, text in output_files(rendered[name], manifests=False).items():
            files[f"{name}/{relative}"] = text
        own = node_manifests_text(plans[name], merged.nodes[name])
        if own is not None:
            files[f"{name}/manifests.yaml"] = own
    if merged.cluster:
        files[f"{CLUSTER_DIR}/manifests.yaml"] = cluster_manifests_text(merged)
    try:
        files.update(fleet_helm_values(plans, merged))
    except TalosGPUError as exc:
        raise exc.with_file(source) from None
    return files


def fleet_warnings(rendered: Mapping[str, Rendered]) -> list[str]:
    """Every node's render warnings, prefixed with the node name."""
    return [f"node {name}: {w}" for name in sorted(rendered) for w in rendered[name].warnings]
