"""One set of cluster-wide objects for a fleet: what ``render INVENTORY --output-dir`` writes
to ``cluster/manifests.yaml``.

Each node's plan renders the objects it needs (:func:`talosgpu.k8s.manifest_objects`). Pods and
Jobs are pinned to their node and named after it, so they stay in the node's folder. The rest
(Namespaces, the device-plugin sharing ConfigMap, RuntimeClasses, the CDI init DaemonSet) exist
once per cluster: written per node, ``kubectl apply`` of the folder let the last node win. They
are merged here:

* a RuntimeClass per name, whose handler every node agrees on, with the node selector the
  nodes using it share (a RuntimeClass's ``scheduling.nodeSelector`` is ANDed into the pod's,
  kubernetes.io "RuntimeClass Scheduling"; a map cannot say "this node or that one") and every
  node's tolerations;
* the sharing ConfigMap with one entry per sharing setup (each node selects its entry with the
  ``nvidia.com/device-plugin.config`` label, k8s-device-plugin README "Multiple configs");
* the CDI init DaemonSet once per distinct pod template (nodes on other releases copy other
  spec dirs), each with the node selector its nodes share;
* anything else (Namespaces) once, when every node renders it alike.

A merged selector must match no node of the fleet outside the group (a pod of RuntimeClass
``nvidia-cdi`` scheduled onto a GPU Operator node finds no ``nvidia-cdi`` handler); what cannot
be merged is a :class:`RenderError` naming two nodes. Only the labels talosgpu knows are
compared: the node's own, its hostname, and ``nvidia.com/gpu.present=true`` on GPU Operator nodes
(GPU Feature Discovery sets it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from talosgpu import yamlio
from talosgpu.errors import RenderError
from talosgpu.intent.models import node_values
from talosgpu.k8s import manifest_objects, object_list
from talosgpu.k8s.common import HOSTNAME_LABEL
from talosgpu.plan import CONFIG_LABEL, GPU_PRESENT_LABEL, Plan

__all__ = [
    "CLUSTER_DIR",
    "FleetManifests",
    "check_outside",
    "cluster_manifests_text",
    "fleet_manifests",
    "known_labels",
    "node_manifests_text",
    "node_names",
    "nodes_phrase",
    "unique_dicts",
]

CLUSTER_DIR = "cluster"
VARIANT_LABEL = "talosgpu.dev/variant"
OPERANDS_LABEL = "nvidia.com/gpu.deploy.operands"  # false: no GPU Operator operands here
_PER_NODE_KINDS = frozenset({"Pod", "Job"})
# kubectl applies a file in order: namespaces before what lives in them
_APPLY_ORDER = {"Namespace": 0, "ConfigMap": 1, "RuntimeClass": 2, "DaemonSet": 3}


@dataclass(frozen=True, slots=True)
class FleetManifests:
    """The merged cluster-wide objects (apply order) and each node's own objects."""

    cluster: tuple[dict[str, Any], ...]
    nodes: Mapping[str, tuple[dict[str, Any], ...]]
    default_config_nodes: tuple[str, ...]  # device-plugin nodes without a config label
    # device-plugin nodes by the RuntimeClass the chart's pods must use there
    plugin_classes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def fleet_manifests(plans: Mapping[str, Plan]) -> FleetManifests:
    """Split every node's objects into per-node ones and one merged cluster-wide set."""
    # a node named cluster or helm is refused with the inventory (fleet/load.py _RESERVED)
    _check_operator_mix(plans)
    groups: dict[tuple[str, str, str], list[tuple[str, dict[str, Any]]]] = {}
    nodes: dict[str, tuple[dict[str, Any], ...]] = {}
    for name in sorted(plans):
        own: list[dict[str, Any]] = []
        for obj in manifest_objects(plans[name]):
            if obj["kind"] in _PER_NODE_KINDS:
                own.append(obj)
                continue
            meta = obj["metadata"]
            key = (obj["kind"], meta.get("namespace", ""), meta["name"])
            groups.setdefault(key, []).append((name, obj))
        nodes[name] = tuple(own)
    labels = {name: known_labels(name, plan) for name, plan in plans.items()}
    ordered = sorted(groups, key=lambda key: _APPLY_ORDER.get(key[0], len(_APPLY_ORDER)))
    cluster = tuple(obj for key in ordered for obj in _merge(key, groups[key], labels))
    default_nodes = tuple(
        name
        for name in sorted(plans)
        if plans[name].uses_device_plugin and CONFIG_LABEL not in plans[name].labels
    )
    classes: dict[str, list[str]] = {}
    for name in sorted(plans):
        if plans[name].uses_device_plugin and plans[name].runtime_classes:
            classes.setdefault(plans[name].runtime_classes[0], []).append(name)
    return FleetManifests(
        cluster=cluster,
        nodes=nodes,
        default_config_nodes=default_nodes,
        plugin_classes={k: tuple(v) for k, v in sorted(classes.items())},
    )


def _check_operator_mix(plans: Mapping[str, Plan]) -> None:
    """GPU Operator nodes beside device-plugin nodes: the operator deploys its operands (device
    plugin, feature discovery, validator) on every GPU node it finds unless the node is labelled
    ``nvidia.com/gpu.deploy.operands=false`` (NVIDIA GPU Operator docs, "Getting Started";
    gpu-operator#270), and before the NRI change it creates RuntimeClass ``nvidia`` itself."""
    operator = sorted(n for n, p in plans.items() if p.mode == "operator")
    plugin = sorted(n for n, p in plans.items() if p.uses_device_plugin)
    if not operator or not plugin:
        return
    exposed = [n for n in plugin if plans[n].labels.get(OPERANDS_LABEL) != "false"]
    if exposed:
        raise RenderError(
            f"{nodes_phrase(exposed)} {'runs' if len(exposed) == 1 else 'run'} the device plugin "
            f"beside GPU Operator {nodes_phrase(operator)}: the operator would deploy its own device "
            f"plugin and validator there too; label {'it' if len(exposed) == 1 else 'them'} "
            f"{OPERANDS_LABEL}: 'false' (labels: in the inventory), or render them as "
            "separate inventories"
        )
    classic = [n for n in operator if not plans[n].version.nri_injection]
    owners = [n for n in plugin if "nvidia" in plans[n].runtime_classes]
    if classic and owners:
        raise RenderError(
            f"RuntimeClass nvidia would have two owners: the GPU Operator creates it for "
            f"{nodes_phrase(classic)}, and node {owners[0]}'s legacy runtime renders it; use "
            "runtime mode cdi (RuntimeClass nvidia-cdi) there, or render them as separate "
            "inventories"
        )


def known_labels(name: str, plan: Plan) -> dict[str, str]:
    labels = {HOSTNAME_LABEL: name, **plan.labels}
    if plan.mode == "operator":
        labels.setdefault(GPU_PRESENT_LABEL, "true")  # set by the operator's GFD
    return labels


def _merge(
    key: tuple[str, str, str],
    members: list[tuple[str, dict[str, Any]]],
    labels: Mapping[str, Mapping[str, str]],
) -> list[dict[str, Any]]:
    kind = key[0]
    if kind == "RuntimeClass":
        return [_merge_runtime_class(members, labels)]
    if kind == "DaemonSet":
        return _merge_daemonsets(members, labels)
    if kind == "ConfigMap":
        return [_merge_config_map(members)]
    first_node, first = members[0]
    for node, obj in members[1:]:
        if obj != first:
            raise RenderError(
                f"nodes {first_node} and {node} render {_what(first)} differently; one "
                "cluster-wide object cannot be both"
            )
    return [first]


def _what(obj: Mapping[str, Any]) -> str:
    meta = obj["metadata"]
    where = f"{meta['namespace']}/" if "namespace" in meta else ""
    return f"{obj['kind']} {where}{meta['name']}"


def _merge_runtime_class(
    members: list[tuple[str, dict[str, Any]]], labels: Mapping[str, Mapping[str, str]]
) -> dict[str, Any]:
    first_node, first = members[0]
    for node, obj in members[1:]:
        if obj["handler"] != first["handler"]:
            raise RenderError(
                f"RuntimeClass {first['metadata']['name']}: node {first_node} needs handler "
                f"{first['handler']!r}, node {node} handler {obj['handler']!r}"
            )
    scheduling = [obj.get("scheduling", {}) for _, obj in members]
    selector = _shared_selector(first, members, [s.get("nodeSelector", {}) for s in scheduling])
    check_outside(_what(first), selector, [n for n, _ in members], labels)
    merged = {**first, "scheduling": {"nodeSelector": selector}}
    tolerations = unique_dicts([t for s in scheduling for t in s.get("tolerations", [])])
    if tolerations:
        merged["scheduling"]["tolerations"] = tolerations
    return merged


def _merge_daemonsets(
    members: list[tuple[str, dict[str, Any]]], labels: Mapping[str, Mapping[str, str]]
) -> list[dict[str, Any]]:
    """One DaemonSet per distinct pod template (nodes on other releases copy other spec dirs
    or rewrite hooks differently); more than one get a variant suffix and label, so their
    selectors stay their own (a DaemonSet's selector is immutable: one variant keeps the
    plain name and selector)."""
    variants: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for node, obj in members:
        variants.setdefault(_digest(_without_placement(obj)), []).append((node, obj))
    if len(variants) == 1:
        return [_merge_daemonset(members, labels, variant=None)]
    return [_merge_daemonset(group, labels, variant=key) for key, group in sorted(variants.items())]


def _digest(obj: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:8]


def _merge_daemonset(
    members: list[tuple[str, dict[str, Any]]],
    labels: Mapping[str, Mapping[str, str]],
    *,
    variant: str | None,
) -> dict[str, Any]:
    first = members[0][1]
    pod_specs = [obj["spec"]["template"]["spec"] for _, obj in members]
    selector = _shared_selector(first, members, [s.get("nodeSelector", {}) for s in pod_specs])
    check_outside(_what(first), selector, [n for n, _ in members], labels)
    spec = dict(first["spec"]["template"]["spec"])
    spec["nodeSelector"] = selector
    tolerations = unique_dicts([t for s in pod_specs for t in s.get("tolerations", [])])
    if tolerations:
        spec["tolerations"] = tolerations
    template = {**first["spec"]["template"], "spec": spec}
    merged = {**first, "spec": {**first["spec"], "template": template}}
    if variant is None:
        return merged
    mark = {VARIANT_LABEL: variant}
    meta = first["metadata"]
    merged["metadata"] = {**meta, "name": f"{meta['name']}-{variant}"}
    match = {**first["spec"]["selector"]["matchLabels"], **mark}
    template["metadata"] = {"labels": {**template["metadata"]["labels"], **mark}}
    merged["spec"] = {**merged["spec"], "selector": {"matchLabels": match}}
    return merged


def _without_placement(obj: Mapping[str, Any]) -> dict[str, Any]:
    spec = {
        k: v
        for k, v in obj["spec"]["template"]["spec"].items()
        if k not in ("nodeSelector", "tolerations")
    }
    return {**obj, "spec": {**obj["spec"], "template": {**obj["spec"]["template"], "spec": spec}}}


def _merge_config_map(members: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    first_node, first = members[0]
    data: dict[str, str] = {}
    owner: dict[str, str] = {}
    for node, obj in members:
        if obj["metadata"] != first["metadata"]:
            raise RenderError(
                f"nodes {first_node} and {node} render {_what(first)} with other metadata"
            )
        for entry, text in obj.get("data", {}).items():
            if entry in data and data[entry] != text:
                raise RenderError(
                    f"{_what(first)}: nodes {owner[entry]} and {node} need different configs "
                    f"under one entry {entry!r}; give one of them its own "
                    f"{CONFIG_LABEL} label value"
                )
            data.setdefault(entry, text)
            owner.setdefault(entry, node)
    return {**first, "data": dict(sorted(data.items()))}


def _shared_selector(
    obj: Mapping[str, Any],
    members: list[tuple[str, dict[str, Any]]],
    selectors: list[Mapping[str, str]],
) -> dict[str, str]:
    shared = dict(selectors[0])
    for selector in selectors[1:]:
        shared = {k: v for k, v in shared.items() if selector.get(k) == v}
    if not shared:
        names = node_names([node for node, _ in members])
        raise RenderError(
            f"{_what(obj)}: nodes {names} share no node label to select them by; give them "
            "a common label (e.g. labels: {nvidia.com/gpu.present: 'true'})"
        )
    return dict(sorted(shared.items()))


def check_outside(
    what: str,
    selector: Mapping[str, str],
    inside: list[str],
    labels: Mapping[str, Mapping[str, str]],
) -> None:
    """Raise when ``selector`` (the node selector of ``what``, meant for the nodes ``inside``)
    matches another node of the fleet by the labels talosgpu knows (``labels``)."""
    for node in sorted(labels):
        if node in inside:
            continue
        if all(labels[node].get(k) == v for k, v in selector.items()):
            picked = ", ".join(f"{k}={v}" for k, v in selector.items())
            raise RenderError(
                f"{what} is for nodes {node_names(sorted(inside))}, but its node selector "
                f"({picked}) also matches node {node}, which does not use it; give one group "
                "a label the other lacks"
            )


def nodes_phrase(nodes: list[str]) -> str:
    """``node a`` or ``nodes a, b`` (:func:`node_names`), for a message naming nodes."""
    return f"node {nodes[0]}" if len(nodes) == 1 else f"nodes {node_names(nodes)}"


def node_names(nodes: list[str], *, shown: int = 4) -> str:
    """``a, b, c, d and 96 more``: an error names the nodes, and stays one readable line."""
    if len(nodes) <= shown + 1:
        return ", ".join(nodes)
    return f"{', '.join(nodes[:shown])} and {len(nodes) - shown} more"


def unique_dicts(items: list[dict[str, str]]) -> list[dict[str, str]]:
    """Each distinct mapping once, in a stable order (tolerations gathered from many nodes)."""
    seen: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
    for item in items:
        seen.setdefault(tuple(sorted(item.items())), item)
    return [seen[k] for k in sorted(seen)]


def cluster_manifests_text(manifests: FleetManifests) -> str:
    """``cluster/manifests.yaml``: the merged objects, with a header saying how to apply them."""
    objects = list(manifests.cluster)
    lines = [
        f"# Cluster-wide Kubernetes objects rendered by talosgpu for a fleet of "
        f"{len(manifests.nodes)} nodes; do not edit by hand.",
        f"# Apply with: kubectl apply -f {CLUSTER_DIR}/  (before any node's manifests.yaml)",
    ]
    if manifests.default_config_nodes and any(
        obj["kind"] == "ConfigMap" and set(obj.get("data", {})) - {"default"} for obj in objects
    ):
        lines.append(
            "# Nodes without a nvidia.com/device-plugin.config label use the chart's "
            f"config.default (set it to 'default'): {node_names(list(manifests.default_config_nodes))}"
        )
    if len(manifests.plugin_classes) > 1:
        # the chart gives its pods one runtimeClassName, and the class's node selector keeps
        # them on nodes with that handler: one install serves one class
        per_class = "; ".join(
            f"{name} ({node_names(list(nodes))})"
            for name, nodes in manifests.plugin_classes.items()
        )
        lines.append(
            "# The nvidia-device-plugin chart runs its pods with one runtimeClassName: it is "
            f"installed once per class, each with its own values file in helm/: {per_class}"
        )
    return "\n".join([*lines, *object_list(objects)]) + "\n" + yamlio.dump_all(objects)


def node_manifests_text(plan: Plan, objects: tuple[dict[str, Any], ...]) -> str | None:
    """A fleet node's ``manifests.yaml``: only its own (pinned) objects; ``None`` when it has
    none (kubectl refuses a file with no objects)."""
    if not objects:
        return None
    lines = [
        f"# Kubernetes objects of node {plan.intent.node.name}, rendered by talosgpu for Talos "
        f"{plan.version} (runtime mode {plan.mode}); do not edit by hand.",
        f"# Apply ../{CLUSTER_DIR}/ first (namespaces, RuntimeClasses, config), then: "
        "kubectl apply -f manifests.yaml",
    ]
    text = "\n".join([*lines, *object_list(list(objects))]) + "\n"
    return text + yamlio.dump_all(list(objects), vary=node_values(plan.intent))
