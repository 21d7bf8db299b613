"""The CDI spec's Go structs as field tables, and a strict decode that mirrors the loader.

The runtime loader unmarshals with ``sigs.k8s.io/yaml.UnmarshalStrict`` into the structs of
cncf-tags/container-device-interface ``specs-go/config.go``: unknown fields fail, wrong types fail,
``null`` leaves the zero value, and (encoding/json) keys match case-insensitively. The published
``schema/schema.json`` is looser (no ``additionalProperties: false``, see peers.md §1.8), so these
tables follow the Go structs, not the schema.

:func:`decode` reports every problem (the loader stops at the first) and returns the data with
canonical keys and only well-typed values, for the semantic checks in ``validate.py``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from typing import Any

from talosgpu.cdi.findings import CDIFinding, Path, finding, show

__all__ = ["SPEC", "Field", "decode"]

INT64 = (-(2**63), 2**63 - 1)
UINT32 = (0, 2**32 - 1)

# A field type is a scalar name, ("list", item type), ("map", "str") or a struct table.
Field = Any

INTEL_RDT: dict[str, Field] = {
    "closID": "str",
    "l3CacheSchema": "str",
    "memBwSchema": "str",
    "schemata": ("list", "str"),  # v1.1.0
    "enableMonitoring": "bool",  # v1.1.0
}
NET_DEVICE: dict[str, Field] = {"hostInterfaceName": "str", "name": "str"}
DEVICE_NODE: dict[str, Field] = {
    "path": "str",
    "hostPath": "str",  # v0.5.0
    "type": "str",
    "major": "int64",
    "minor": "int64",
    "fileMode": "uint32",  # *os.FileMode (uint32)
    "permissions": "str",
    "uid": "uint32",
    "gid": "uint32",
}
MOUNT: dict[str, Field] = {
    "hostPath": "str",
    "containerPath": "str",
    "options": ("list", "str"),
    "type": "str",  # v0.4.0
}
HOOK: dict[str, Field] = {
    "hookName": "str",
    "path": "str",
    "args": ("list", "str"),
    "env": ("list", "str"),
    "timeout": "int64",  # *int
}
EDITS: dict[str, Field] = {
    "env": ("list", "str"),
    "deviceNodes": ("list", DEVICE_NODE),
    "netDevices": ("list", NET_DEVICE),  # v1.1.0
    "hooks": ("list", HOOK),
    "mounts": ("list", MOUNT),
    "intelRdt": INTEL_RDT,  # v0.7.0
    "additionalGids": ("list", "uint32"),  # v0.7.0
}
DEVICE: dict[str, Field] = {
    "name": "str",
    "annotations": ("map", "str"),  # v0.6.0
    "containerEdits": EDITS,
}
SPEC: dict[str, Field] = {
    "cdiVersion": "str",
    "kind": "str",
    "annotations": ("map", "str"),  # v0.6.0
    "devices": ("list", DEVICE),
    "containerEdits": EDITS,
}

# Pointer-to-struct list items (``[]*Hook``...) that are null would crash the Go validator.
_POINTER_ITEMS = (DEVICE_NODE, NET_DEVICE, HOOK, MOUNT)


def _int_ok(value: Any, bounds: tuple[int, int]) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and bounds[0] <= value <= bounds[1]:
        return value
    return None


def _scalar(kind: str, value: Any, path: Path, out: list[CDIFinding]) -> Any:
    if kind == "str":
        if isinstance(value, str):
            return value
        hint = ""
        if isinstance(value, bool):
            hint = f' (quote it: "{str(value).lower()}")'
        elif isinstance(value, float) and not math.isfinite(value):
            hint = " (quote it, as written)"  # 1e999999 reads as inf: not what was written
        elif isinstance(value, int | float):
            hint = f' (quote it: "{value}")'
        out.append(
            finding(
                "error",
                "type",
                path,
                f"must be a string, got {show(value)}{hint}",
                "quote the value: the Go loader does not convert numbers or booleans to strings",
            )
        )
        return None
    if kind == "bool":
        if isinstance(value, bool):
            return value
        out.append(
            finding(
                "error",
                "type",
                path,
                f"must be true or false, got {show(value)}",
                "use an unquoted true or false",
            )
        )
        return None
    bounds = INT64 if kind == "int64" else UINT32
    number = _int_ok(value, bounds)
    if number is None:
        what = "an unsigned 32-bit integer" if kind == "uint32" else "an integer"
        out.append(
            finding(
                "error",
                "type",
                path,
                f"must be {what}, got {show(value)}",
                f"use {what} without quotes",
            )
        )
    return number


def _struct(
    table: dict[str, Field], value: Any, path: Path, out: list[CDIFinding]
) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        out.append(
            finding(
                "error",
                "type",
                path,
                f"must be a mapping, got {show(value)}",
                "write the fields as a mapping (key: value)",
            )
        )
        return None
    folded = {key.lower(): key for key in table}
    result: dict[str, Any] = {}
    for raw_key, item in value.items():
        key = str(raw_key)
        here = [*path, key]
        canonical = key if key in table else folded.get(key.lower())
        if canonical is None:
            close = difflib.get_close_matches(key, list(table), n=1)
            fix = f'rename it to "{close[0]}"' if close else "remove it"
            out.append(
                finding(
                    "error",
                    "unknown-field",
                    here,
                    f'unknown field "{key}": the CDI loader rejects specs with unknown fields'
                    + (f' (did you mean "{close[0]}"?)' if close else ""),
                    f"{fix} (known here: {', '.join(table)})",
                )
            )
            continue
        if canonical != key:
            out.append(
                finding(
                    "warning",
                    "field-case",
                    here,
                    f'field "{key}" is spelled "{canonical}" in the CDI spec; the Go loader '
                    "matches it case-insensitively, other tools may not",
                    f'rename it to "{canonical}"',
                )
            )
        if canonical in result:
            # encoding/json lets the later key win without an error: say so, and do the same.
            out.append(
                finding(
                    "warning",
                    "duplicate-field",
                    here,
                    f'field "{canonical}" is given twice (case-insensitively); the Go loader '
                    "silently uses the later one",
                    "keep one of them",
                )
            )
            del result[canonical]
        if item is None:
            continue  # Go leaves the zero value for null
        decoded = _value(table[canonical], item, here, out)
        if decoded is not None:
            result[canonical] = decoded
    return result


def _value(kind: Field, value: Any, path: Path, out: list[CDIFinding]) -> Any:
    if isinstance(kind, dict):
        return _struct(kind, value, path, out)
    if isinstance(kind, tuple):
        container, item_kind = kind
        if container == "map":
            if not isinstance(value, dict):
                out.append(
                    finding(
                        "error",
                        "type",
                        path,
                        f"must be a mapping, got {show(value)}",
                        "write it as key: value pairs",
                    )
                )
                return None
            decoded_map = {}
            for key, item in value.items():
                text = _scalar("str", item, [*path, str(key)], out) if item is not None else ""
                if text is not None:
                    decoded_map[str(key)] = text
            return decoded_map
        if not isinstance(value, list):
            out.append(
                finding(
                    "error",
                    "type",
                    path,
                    f"must be a list, got {show(value)}",
                    "write it as a YAML list (- item)",
                )
            )
            return None
        items = []
        for index, item in enumerate(value):
            here = [*path, index]
            if item is None:
                if any(item_kind is table for table in _POINTER_ITEMS):
                    out.append(
                        finding(
                            "error", "null-entry", here, "null list entry", "remove the empty entry"
                        )
                    )
                    continue
                items.append(_zero(item_kind))
                continue
            decoded = _value(item_kind, item, here, out)
            if decoded is not None:
                items.append(decoded)
        return items
    return _scalar(kind, value, path, out)


def _zero(kind: Field) -> Any:
    zeros: dict[str, Callable[[], Any]] = {"str": str, "bool": bool}
    if isinstance(kind, dict):
        return {}
    return zeros.get(kind, int)()


def decode(data: dict[str, Any], out: list[CDIFinding]) -> dict[str, Any]:
    """Check ``data`` against the Go structs; append findings to ``out``; return clean data."""
    return _struct(SPEC, data, [], out) or {}
