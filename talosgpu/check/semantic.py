"""A small structural diff of parsed YAML/JSON documents, one line per changed path.

``~ .machine.nodeLabels.role: "gpu" → "compute"``, ``+ path: value`` (added), ``- path: value``
(removed). Documents of a multi-document stream are matched by identity (Kubernetes
kind/namespace/name, Talos kind/name, the v1alpha1 document), and list items that are mappings
by their ``name`` or ``path`` key (kernel modules, ``machine.files``), so inserting one module
shows one added item rather than every later item changed. Multi-line strings (the CRI TOML in
``machine.files``) are shown as a line diff.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from talosgpu import yamlio
from talosgpu.errors import TalosGPUError, format_yaml_path

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
            _walk(old[key], new[key], [], label, out)
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


def _walk(old: Any, new: Any, path: list[str | int], label: str, out: list[str]) -> None:
    where = label + format_yaml_path(path)
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key, value in old.items():
            if key not in new:
                out.append(f"- {label}{format_yaml_path([*path, str(key)])}: {_show(value)}")
            else:
                _walk(value, new[key], [*path, str(key)], label, out)
        for key, value in new.items():
            if key not in old:
                out.append(f"+ {label}{format_yaml_path([*path, str(key)])}: {_show(value)}")
    elif isinstance(old, list) and isinstance(new, list):
        _walk_list(old, new, path, label, out)
    elif type(old) is type(new) and old == new:
        return
    elif isinstance(old, str) and isinstance(new, str) and ("\n" in old or "\n" in new):
        out.append(f"~ {where}: text changed")
        import difflib  # only for a stale multi-line value

        lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1)
        out += [f"    {line}" for line in list(lines)[2:]]
    else:
        out.append(f"~ {where}: {_show(old)} → {_show(new)}")


def _walk_list(
    old: list[Any], new: list[Any], path: list[str | int], label: str, out: list[str]
) -> None:
    key = _item_key(old, new)
    if key is None:
        for i in range(max(len(old), len(new))):
            if i >= len(new):
                out.append(f"- {label}{format_yaml_path([*path, i])}: {_show(old[i])}")
            elif i >= len(old):
                out.append(f"+ {label}{format_yaml_path([*path, i])}: {_show(new[i])}")
            else:
                _walk(old[i], new[i], [*path, i], label, out)
        return
    new_by_id = {item[key]: (i, item) for i, item in enumerate(new)}
    old_ids = {item[key] for item in old}
    for i, item in enumerate(old):
        if item[key] not in new_by_id:
            out.append(f"- {label}{format_yaml_path([*path, i])}: {_show(item)}")
        else:
            j, other = new_by_id[item[key]]
            _walk(item, other, [*path, j], label, out)
    for j, item in enumerate(new):
        if item[key] not in old_ids:
            out.append(f"+ {label}{format_yaml_path([*path, j])}: {_show(item)}")


def _item_key(old: list[Any], new: list[Any]) -> str | None:
    """``name``/``path`` when every item is a mapping with a unique, hashable one."""
    items = [*old, *new]
    if not items or not all(isinstance(item, Mapping) for item in items):
        return None
    for key in _ITEM_KEYS:
        values = [item.get(key) for item in items]
        if all(isinstance(v, str) for v in values) and all(
            len({item[key] for item in side}) == len(side) for side in (old, new)
        ):
            return key
    return None


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _SHOW_CHARS else text[: _SHOW_CHARS - 1] + "…"
