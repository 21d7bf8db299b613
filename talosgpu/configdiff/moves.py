"""Say *move* when a value leaves the v1alpha1 document for its Talos 1.14 home, not *remove*.

From Talos 1.14 a proposal may carry a v1alpha1 field into the document that replaces it
(``.machine.nodeLabels`` into ``KubeNodeConfig.labels``, :mod:`talosgpu.talos.kubenode`), and a
rendered ``KernelModuleConfig`` may name a module ``.machine.kernel.modules`` already lists.
Shown as they come out of the walk, the first reads as a removal and the second as a module
"loaded now" — neither is what happens. The field table's ``home`` facts (document kind and the
``twin`` key of the same shape) say where a value lives after the move; this module looks there
in the proposed config.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from talosgpu.errors import format_yaml_path
from talosgpu.structdiff import Raw
from talosgpu.talos.documents import V1ALPHA1, doc_kind, is_v1alpha1
from talosgpu.talos.fields import FIELDS, KINDS, parse_path

__all__ = ["already_there", "moved_to"]


@cache
def _homes() -> tuple[tuple[tuple[str, ...], str, tuple[str, ...] | None], ...]:
    """``(v1alpha1 field parts, home kind, twin parts or None)``, longest field first."""
    rows = [
        (f.parts, f.home.kind, parse_path(f.home.twin) if f.home.twin is not None else None)
        for f in FIELDS
        if f.doc == V1ALPHA1 and f.home is not None
    ]
    return tuple(sorted(rows, key=lambda row: -len(row[0])))


def _at(value: Any, path: Sequence[str]) -> Any:
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def _documents(docs: Sequence[Mapping[str, Any]], kind: str) -> list[Mapping[str, Any]]:
    return [d for d in docs if not is_v1alpha1(d) and doc_kind(d) == kind]


def moved_to(raw: Raw, new_docs: Sequence[Mapping[str, Any]]) -> str | None:
    """Where the value a v1alpha1 ``remove`` takes away lives in the proposed config
    (``KubeNodeConfig .labels``), or None when it is really gone."""
    item = bool(raw.old_path) and isinstance(raw.old_path[-1], int)  # type: ignore[index]
    for parts, kind, twin in _homes():
        if tuple(raw.keys[: len(parts)]) != parts:
            continue
        rest = raw.keys[len(parts) :]
        if KINDS.get(kind) is not None and KINDS[kind].named and item:
            name = raw.old.get("name") if isinstance(raw.old, Mapping) else None
            if any(d.get("name") == name for d in _documents(new_docs, kind)):
                return f"{kind}/{name}"
            return None
        if twin is None:
            return None
        for doc in _documents(new_docs, kind):
            target = _at(doc, (*twin, *rest))
            found = raw.old in target if item and isinstance(target, list) else target == raw.old
            where = [*twin, *rest]
            home = f"{kind} {format_yaml_path(where)}" if where else kind
            if found and target is not None:
                return home
            if not item and rest and target is not None:
                # the key moved and its value changed on the way (the intent's label over the
                # node's): a move, and the new value is the document's own change
                return f"{home}, with another value"
        return None
    return None


def already_there(
    kind: str, name: str | None, old_docs: Sequence[Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    """The live ``.machine.kernel.modules`` item for a ``KernelModuleConfig`` added for a module
    it already lists (the module is loaded already, the document only takes it over), or None."""
    if kind != "KernelModuleConfig" or name is None:
        return None
    v1 = next((d for d in old_docs if is_v1alpha1(d)), None)
    modules = _at(v1, ("machine", "kernel", "modules"))
    found = (
        [m for m in modules if isinstance(m, Mapping) and m.get("name") == name]
        if isinstance(modules, list)
        else []
    )
    return found[-1] if found else None
