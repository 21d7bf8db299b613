"""The one place where TOML is read and written (containerd CRI customization parts).

Reading uses the stdlib ``tomllib``; writing uses ``tomlkit`` (imported lazily), which emits the
``[plugins."io.containerd.cri.v1.runtime"...]`` headers containerd documents use.

Fragments from several concerns (CDI, runtimes, default runtime, the user's extra TOML) merge
into one part. Talos merges parts with the same rules as config patches (tables deep-merged,
arrays concatenated: ``internal/pkg/toml/merge.go``, research talos-internals.md §5.2), but
*within* our one part two concerns that set the same key to different values is a mistake, so
it is an error here rather than a silent last-wins.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

from talosgpu.errors import RenderError, YAMLError

__all__ = ["dumps", "loads", "merge_fragments"]


def loads(text: str, *, source: str = "<toml>") -> dict[str, Any]:
    """Parse TOML; errors name ``source`` and the line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise YAMLError(f"not valid TOML: {exc}", file=source) from None


def dumps(data: Mapping[str, Any]) -> str:
    """Serialise nested tables deterministically (keys in insertion order).

    CRI parts only hold tables of strings, booleans, integers and arrays of those, which a small
    emitter writes in the layout containerd's docs use (``[a."b.c".d]`` headers, values before
    sub-tables) without importing tomlkit on the hot ``render`` path. Anything else goes through
    tomlkit.
    """
    try:
        return _emit(data)
    except _Unsupported:
        import tomlkit

        return tomlkit.dumps(_plain(data))


_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class _Unsupported(Exception):
    pass


def _key(key: str) -> str:
    if key and all(ch in _BARE for ch in key):
        return key
    return _string(key)


def _string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in escaped):
        raise _Unsupported
    return f'"{escaped}"'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list | tuple) and not any(isinstance(v, Mapping) for v in value):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise _Unsupported


def _emit(data: Mapping[str, Any]) -> str:
    out: list[str] = []

    def table(path: tuple[str, ...], body: Mapping[str, Any]) -> None:
        values = [(k, v) for k, v in body.items() if not isinstance(v, Mapping)]
        subtables = [(k, v) for k, v in body.items() if isinstance(v, Mapping)]
        if path and (values or not subtables):
            if out:
                out.append("")
            out.append("[" + ".".join(_key(p) for p in path) + "]")
        out.extend(f"{_key(k)} = {_value(v)}" for k, v in values)
        for key, sub in subtables:
            table((*path, str(key)), sub)

    table((), data)
    return "\n".join(out) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def merge_fragments(fragments: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """Merge ``(concern, table)`` fragments; contradicting scalars/arrays raise RenderError."""
    merged: dict[str, Any] = {}
    owners: dict[tuple[str, ...], str] = {}
    for concern, fragment in fragments:
        _merge_into(merged, fragment, (), concern, owners)
    return merged


def _merge_into(
    target: dict[str, Any],
    fragment: Mapping[str, Any],
    path: tuple[str, ...],
    concern: str,
    owners: dict[tuple[str, ...], str],
) -> None:
    for key, value in fragment.items():
        here = (*path, key)
        if key not in target:
            target[key] = dict(value) if isinstance(value, Mapping) else value
            if isinstance(value, Mapping):
                target[key] = {}
                _merge_into(target[key], value, here, concern, owners)
            owners[here] = concern
            continue
        existing = target[key]
        if isinstance(existing, dict) and isinstance(value, Mapping):
            _merge_into(existing, value, here, concern, owners)
        elif existing != value:
            dotted = ".".join(f'"{p}"' if "." in p else p for p in here)
            raise RenderError(
                f"CRI setting {dotted} is set to {existing!r} by {owners.get(here, '?')} and to "
                f"{value!r} by {concern}; remove one of them"
            )
