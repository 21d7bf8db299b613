"""Make two configs comparable: remove what differs only in form, keep what the node sees.

Comments, key order and flow/block style vanish in parsing (:mod:`talosgpu.yamlio`). What is left
to normalise is what Talos's Go decoder reads as the same value:

* file modes (``machine.files[].permissions``, ``EtcFileConfig.mode``) written ``0o644``,
  ``0644``, ``420`` or as a quoted string are one ``FileMode``, and plain fields whose zero value
  decodes like an absent key (``permissions: 0``) drop it: the field table's ``file_mode`` and
  ``zero_unset`` facts, applied by :func:`talosgpu.talos.equivalence.decoded`;
* ``null`` and an absent key decode to the same Go zero value;
* in ``map[string]string`` fields (sysctls, node labels, extraArgs before 1.13: the
  ``string-map`` rows of :mod:`talosgpu.talos.mergerules`) yaml.v3 stores a scalar's text, so
  ``1`` and ``"1"`` are the same Go string. Everywhere else the type is part of the value: an
  ``int`` field written as ``"1"`` is a real change (Talos would reject or re-read it).

CRI parts are TOML: two texts that parse to the same tables are the same to containerd
(:func:`talosgpu.talos.equivalence.same_toml`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from talosgpu.talos.documents import V1ALPHA1, doc_kind, is_v1alpha1
from talosgpu.talos.equivalence import decoded, same_toml
from talosgpu.talos.mergerules import rule_for
from talosgpu.talos.secret_toml import toml_secret_values
from talosgpu.versions import TalosVersion

__all__ = [
    "go_text",
    "normalize_documents",
    "same_scalar",
    "same_toml",
    "toml_secret_values",
]

_FILES = ("machine", "files", "[]")


def _plain_clean(value: Any, clean: set[int]) -> bool:
    """True when ``value`` is plain dicts and lists with string keys and no null map values.

    ``clean`` holds the ids of containers already found clean (the caller keeps them alive), so
    a subtree shared between two configs is walked once."""
    kind = type(value)
    if kind is dict:
        if id(value) in clean:
            return True
        for key, item in value.items():
            if item is None or type(key) is not str:
                return False
            sub = type(item)
            if (sub is dict or sub is list) and not _plain_clean(item, clean):
                return False
        clean.add(id(value))
        return True
    if kind is list:
        if id(value) in clean:
            return True
        for item in value:
            sub = type(item)
            if (sub is dict or sub is list) and not _plain_clean(item, clean):
                return False
        clean.add(id(value))
        return True
    return not isinstance(value, Mapping | list)  # a Mapping or list subclass: make it plain


def _drop_nulls(value: Any, clean: set[int]) -> Any:
    """``value`` without null map values, with string keys, as plain dicts and lists. A clean
    subtree is returned as it is (no copy): most configs need nothing, and then this costs one
    read-only walk."""
    if _plain_clean(value, clean):
        return value
    if isinstance(value, Mapping):
        return {str(k): _drop_nulls(v, clean) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v, clean) for v in value]
    return value


def normalize_documents(
    docs: list[dict[str, Any]] | tuple[dict[str, Any], ...], *, clean: set[int] | None = None
) -> list[Any]:
    """Normalised ``docs``. Inputs are not modified; the result may share unchanged subtrees
    with them (copy on write), so treat both as read-only while the result is in use.

    ``clean``: ids of containers known to need nothing, shared between calls on configs that
    share subtrees (live and proposed); only valid while those containers are alive."""
    if clean is None:
        clean = set()
    out: list[Any] = []
    for raw in docs:
        doc = _drop_nulls(raw, clean)
        machine = doc.get("machine") if isinstance(doc, dict) else None
        files = machine.get("files") if isinstance(machine, dict) else None
        if isinstance(machine, dict) and isinstance(files, list):
            moded = [decoded(V1ALPHA1, _FILES, item) for item in files]
            if any(a is not b for a, b in zip(files, moded, strict=True)):
                doc = {**doc, "machine": {**machine, "files": moded}}
        if isinstance(doc, dict) and not is_v1alpha1(doc):
            doc = decoded(doc_kind(doc), (), doc)
        out.append(doc)
    return out


def go_text(value: Any) -> str:
    """The Go string yaml.v3 stores for a scalar decoded into a ``string`` field."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def same_scalar(
    old: Any, new: Any, *, kind: str, path: tuple[str | int, ...], version: TalosVersion
) -> bool:
    """Equal as Talos decodes them: Go text in ``map[string]string`` fields, else type + value."""
    if old == new and type(old) is type(new):
        return True
    rule = rule_for(kind, path[:-1], version)
    if rule is not None and rule.behaviour in ("string-map", "args"):
        scalars = (str, int, float, bool)
        if isinstance(old, scalars) and isinstance(new, scalars):
            return go_text(old) == go_text(new)
    return False
