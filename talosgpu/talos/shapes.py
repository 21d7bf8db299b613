"""What Talos's decoder rejects in the sections talosgpu writes: a wrong type, an unknown key.

Talos decodes every document into Go structs with ``KnownFields(true)``
(``pkg/machinery/config/configloader/internal/decoder/decoder.go``): ``machine: {kernel:
{modules: 7}}`` fails with "cannot unmarshal !!int into []*v1alpha1.KernelModuleConfig", and a
key the struct lacks fails with "unknown keys found during decoding". A merge of plain YAML
would carry either into a config Talos refuses, so ``patch``, ``diff`` and ``apply`` check the
shapes the field table knows (:class:`talosgpu.talos.fields.Shape`, and lists / maps implied by
a field's merge rule) on every config and patch they read, and name the path.

Only the fields in the table are checked: elsewhere the value is passed on as it is (Talos will
judge it); this is a guard for the sections talosgpu owns, not a schema validator.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any

from talosgpu.errors import ConfigError
from talosgpu.talos.documents import V1ALPHA1, doc_kind, is_v1alpha1
from talosgpu.talos.equivalence import file_mode
from talosgpu.talos.fields import ANY_ITEM, FIELDS, Shape

__all__ = ["check_shapes"]

_PATCH_KEYS = frozenset({"$patch"})  # strategic-merge directives (deletes.py)
_IMPLIED: dict[str, Shape] = {
    "identity": Shape("list", ""),
    "keyed": Shape("list", ""),
    "keyed-replace": Shape("list", ""),
    "string-map": Shape("map", "map[string]string"),
}
_YAML = {dict: "a map", list: "a list", str: "a string", bool: "a boolean", int: "an integer",
         float: "a number", type(None): "null"}  # fmt: skip


@cache
def _shapes() -> dict[tuple[str, tuple[str, ...]], Shape]:
    out: dict[tuple[str, tuple[str, ...]], Shape] = {}
    for f in FIELDS:
        shape = f.shape
        if shape is None and f.merge:
            shape = _IMPLIED.get(f.merge[-1].behaviour)
        if shape is not None:
            out[(f.doc, f.parts)] = shape
    return out


def _directive(value: Any) -> bool:
    return isinstance(value, Mapping) and any(k in _PATCH_KEYS for k in value)


def _accepts(shape: Shape, value: Any) -> bool:
    if shape.kind == "map":
        return isinstance(value, Mapping)
    if shape.kind == "list":
        return isinstance(value, list)
    if shape.kind == "strings":
        return isinstance(value, list) and all(isinstance(v, str) or _directive(v) for v in value)
    if shape.kind == "mode":
        mode = file_mode(value)
        return isinstance(mode, int) and not isinstance(mode, bool) and 0 <= mode < 1 << 32
    return isinstance(value, str)


@cache
def _tries() -> dict[str, dict[str, Any]]:
    """Per document kind, the table's shape paths as a trie (``""`` holds the shape at that
    node): the check walks only where the table has something to say, not the whole config."""
    tries: dict[str, dict[str, Any]] = {}
    for (doc, parts), shape in _shapes().items():
        node = tries.setdefault(doc, {})
        for part in parts:
            node = node.setdefault(part, {})
        node[""] = shape
    return tries


def _problems(
    trie: Mapping[str, Any], value: Any, path: list[str | int]
) -> Iterator[tuple[list[str | int], str]]:
    if _directive(value):
        return  # a delete directive: Talos extracts it before decoding (decoder/delete.go)
    shape = trie.get("")
    if shape is not None and value is not None:
        if not _accepts(shape, value):
            got = _YAML.get(type(value), type(value).__name__)
            if shape.kind == "mode" and isinstance(value, int | str):
                got = "a value out of range"
            if shape.kind == "strings" and isinstance(value, list):
                index = next(
                    i for i, v in enumerate(value) if not (isinstance(v, str) or _directive(v))
                )
                got = _YAML.get(type(value[index]), "a value")
                yield [*path, index], f"expected a string, got {got}{_go(shape)}"
                return
            yield path, f"expected {_expected(shape)}, got {got}{_go(shape)}"
            return
        if shape.kind == "map" and shape.keys:
            for key, item in value.items():
                if key not in shape.keys and not _directive(item):
                    close = difflib.get_close_matches(str(key), shape.keys, n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    yield [*path, key], f"unknown key '{key}' in {shape.go}{hint}"
    if isinstance(value, Mapping):
        for key, sub in trie.items():
            if key and key != ANY_ITEM and key in value:
                yield from _problems(sub, value[key], [*path, key])
    elif isinstance(value, list) and ANY_ITEM in trie:
        for index, item in enumerate(value):
            yield from _problems(trie[ANY_ITEM], item, [*path, index])


def _go(shape: Shape) -> str:
    return f" (Go type {shape.go})" if shape.go else ""


def _expected(shape: Shape) -> str:
    return {
        "map": "a map",
        "list": "a list",
        "strings": "a list of strings",
        "mode": "a file mode (an octal such as 0o644, below 0o40000000000)",
    }.get(shape.kind, "a string")


def check_shapes(docs: Sequence[Any], *, source: str, what: str = "config") -> None:
    """Raise :class:`~talosgpu.errors.ConfigError` (file and YAML path set) for the first value
    in ``docs`` that Talos's decoder would reject. ``what`` names the input (``config``,
    ``patch``) in the message."""
    for index, doc in enumerate(docs):
        if not isinstance(doc, Mapping):
            continue
        trie = _tries().get(V1ALPHA1 if is_v1alpha1(doc) else doc_kind(doc))
        if trie is None:
            continue
        for path, problem in _problems(trie, doc, [index]):
            raise ConfigError(f"Talos would reject this {what}: {problem}", file=source, path=path)
