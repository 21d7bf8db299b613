"""A small structural diff of parsed YAML/JSON documents, one line per changed path.

``~ .machine.nodeLabels.role: "gpu" → "compute"``, ``+ path: value`` (added), ``- path: value``
(removed). Documents of a multi-document stream are matched by identity (Kubernetes
kind/namespace/name, Talos kind/name, the v1alpha1 document), and list items that are mappings
by their ``name`` or ``path`` key (kernel modules, ``machine.files``), so inserting one module
shows one added item rather than every later item changed; other list items are matched by
content. The walk is :func:`talosgpu.structdiff.walk`, the one ``talosgpu diff`` uses. Multi-line strings (the CRI TOML in
``machine.files``) are shown as a line diff.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from talosgpu import yamlio
from talosgpu.errors import TalosGPUError, format_yaml_path
from talosgpu.structdiff import At, RawPath, item_key, walk

__all__ = ["parse_documents", "semantic_diff"]

_STRUCTURED = (".yaml", ".yml", ".json")
_ITEM_KEYS = ("name", "path")
_SHOW_CHARS = 100


def parse_documents(name: str, text: str) -> list[Any] | None:
    """The documents of a YAML/JSON file, or None (not structured, or does not parse)."""
    if not name.endswith(_STRUCTURED):
        return None

    try:
        if name.endswith(".json"):
            return [json.loads(text)]
        return yamlio.load_all(text, source=name)
    except (TalosGPUError, ValueError):
        return None


def semantic_diff(old_docs: Sequence[Any], new_docs: Sequence[Any]) -> list[str]:
    """Lines describing how ``new_docs`` differ from ``old_docs`` (empty: same data)."""
    old, new = _keyed(old_docs), _keyed(new_docs)
    multi = len(old) > 1 or len(new) > 1
    out: list[str] = []
    for key in [*old, *(k for k in new if k not in old)]:
        label = f"[{key}] " if multi else ""
        if key not in new:
            out.append(f"- {label}document removed")
        elif key not in old:
            out.append(f"+ {label}document added")
        else:
            _walk(old[key], new[key], label, out)
    return out


def _doc_key(doc: Any, index: int) -> str:
    if isinstance(doc, Mapping):
        kind, meta = doc.get("kind"), doc.get("metadata")
        if kind and isinstance(meta, Mapping):
            namespace = meta.get("namespace")
            return f"{kind} {namespace + '/' if namespace else ''}{meta.get('name', '')}"
        if kind:
            return f"{kind} {doc['name']}" if doc.get("name") else str(kind)
        if "machine" in doc or "cluster" in doc or doc.get("version") == "v1alpha1":
            return "v1alpha1"
    return f"document {index}"


def _keyed(docs: Sequence[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for index, doc in enumerate(docs):
        key = _doc_key(doc, index)
        if key in out:
            key = f"{key} #{index}"
        out[key] = doc
    return out


class _Plain:
    """No schema: list items that all carry a unique ``name`` (or ``path``) are matched by it;
    a subtree one side lacks is shown whole; 1 and true are different values."""

    expand = False
    loose_equal = False

    def list_key(self, old: list[Any], new: list[Any], path: RawPath) -> str | None:
        return item_key(old, new, _ITEM_KEYS)

    def same(self, old: Any, new: Any, keys: tuple[str, ...], at: At) -> bool:
        return False


def _walk(old: Any, new: Any, label: str, out: list[str]) -> None:
    for raw in walk(old, new, _Plain()):
        path = raw.old_path if raw.op == "remove" else raw.new_path
        where = label + format_yaml_path(list(path or ()))
        if raw.op == "add":
            out.append(f"+ {where}: {_show(raw.new)}")
        elif raw.op == "remove":
            out.append(f"- {where}: {_show(raw.old)}")
        elif raw.op == "dedupe" and raw.copies is not None:
            out.append(f"~ {where}: {_show(raw.old)} {raw.copies[0]} → {raw.copies[1]} copies")
        elif raw.op == "reorder":
            out.append(f"~ {where}: the same items in another order")
        elif (
            isinstance(raw.old, str)
            and isinstance(raw.new, str)
            and ("\n" in raw.old or "\n" in raw.new)
        ):
            out.append(f"~ {where}: text changed")
            lines = difflib.unified_diff(
                raw.old.splitlines(), raw.new.splitlines(), lineterm="", n=1
            )
            out += [f"    {line}" for line in list(lines)[2:]]
        else:
            out.append(f"~ {where}: {_show(raw.old)} → {_show(raw.new)}")


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _SHOW_CHARS else text[: _SHOW_CHARS - 1] + "…"
