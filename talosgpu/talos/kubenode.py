"""The v1alpha1 fields Talos 1.14 rejects next to a ``KubeNodeConfig``, and moving them.

With a ``KubeNodeConfig`` document in the config (every 1.14 ``talosctl gen config`` emits one,
workers included: ``pkg/machinery/config/generate/kubernetes.go``), validation rejects the
v1alpha1 fields below with ``"<path> is already set in v1alpha1 config"``
(``pkg/machinery/config/types/k8s/node.go``). Six of them have a ``KubeNodeConfig`` twin of the
same shape (``labels``, ``annotations``, ``taints``, ``nodeIP``, ``registerWithFQDN``,
``skipNodeRegistration``; ``../shared/conformance/talos-docs-examples/k8s-kubenodeconfig.yaml``
and the v1.14 schema); the two ``allowScheduling*`` flags have none, so talosgpu refuses to
guess their replacement.

The conflicts are the ``home=KubeNodeConfig`` facts of the one field table
(:mod:`talosgpu.talos.fields`): the upgrade render, the live-config proposal and lint all read
:data:`KUBE_NODE_CONFIG_CONFLICTS`, derived from it.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from talosgpu.errors import LiveConfigError
from talosgpu.plain import get_path
from talosgpu.talos.documents import is_v1alpha1
from talosgpu.talos.fields import FIELDS

__all__ = ["KUBE_NODE_CONFIG_CONFLICTS", "conflict_paths", "is_set", "move_kube_node_fields"]

KIND = "KubeNodeConfig"

# (v1alpha1 path, the KubeNodeConfig key that replaces it, or None when there is none)
KUBE_NODE_CONFIG_CONFLICTS: tuple[tuple[tuple[str, ...], str | None], ...] = tuple(
    (f.parts, f.home.twin) for f in FIELDS if f.home is not None and f.home.kind == KIND
)

_DELETE = {"$patch": "delete"}


def dotted(path: Sequence[str]) -> str:
    return "." + ".".join(path)


def is_set(value: Any) -> bool:
    """A config value that counts as set (Talos's zero values do not)."""
    return value not in (None, {}, [], "")


def conflict_paths(v1alpha1: dict[str, Any]) -> list[tuple[tuple[str, ...], str | None, Any]]:
    """``(path, KubeNodeConfig key, value)`` of every conflicting field set in ``v1alpha1``."""
    out = []
    for path, key in KUBE_NODE_CONFIG_CONFLICTS:
        value = get_path(v1alpha1, path)
        if is_set(value):
            out.append((path, key, value))
    return out


def _delete_doc(paths: Sequence[tuple[str, ...]]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for path in paths:
        node = root
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = dict(_DELETE)
    return root


def move_kube_node_fields(
    live_docs: Sequence[dict[str, Any]],
    patch_docs: Sequence[dict[str, Any]],
    *,
    source: str,
) -> list[dict[str, Any]]:
    """``patch_docs`` plus the moves that keep the result valid on Talos 1.14+.

    When the live config or the patch has a ``KubeNodeConfig`` and the live v1alpha1 document
    sets a conflicting field, the field is deleted from v1alpha1 and its value carried into the
    ``KubeNodeConfig`` (the patch's own values win key by key). A conflicting field with no
    twin is a :class:`LiveConfigError` naming it and the fix.
    """
    has_doc = any(d.get("kind") == KIND for d in (*live_docs, *patch_docs))
    v1 = next((d for d in live_docs if is_v1alpha1(d)), None)
    if not has_doc or v1 is None:
        return list(patch_docs)
    conflicts = conflict_paths(v1)
    if not conflicts:
        return list(patch_docs)
    for path, key, _ in conflicts:
        if key is None:
            raise LiveConfigError(
                f"{dotted(path)} is set, and Talos 1.14+ rejects it next to a KubeNodeConfig "
                "(which this patch or the config has); it has no KubeNodeConfig twin, so "
                f"talosgpu will not guess: delete {dotted(path)} (and manage the control-plane "
                "taint in KubeNodeConfig.taints if you need it), then diff again",
                file=source,
                path=dotted(path),
            )
    out = [copy.deepcopy(d) for d in patch_docs]
    node_doc = next((d for d in out if d.get("kind") == KIND), None)
    if node_doc is None:
        node_doc = {"apiVersion": "v1alpha1", "kind": KIND}
        out.append(node_doc)
    for _path, key, value in conflicts:
        assert key is not None
        mine = node_doc.get(key)
        if isinstance(value, dict) and isinstance(mine, dict):
            node_doc[key] = {**value, **mine}
        elif mine is None:
            node_doc[key] = copy.deepcopy(value)
    out.insert(0, _delete_doc([path for path, _, _ in conflicts]))
    return out
