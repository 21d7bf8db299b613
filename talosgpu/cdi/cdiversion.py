"""``cdiVersion``: known versions and the minimum version the fields of a spec need.

Follows cncf-tags/container-device-interface ``specs-go/version.go`` (``ValidateVersion``,
``requiredVersion`` and the ``requiresV0x0`` functions) and the version table in ``SPEC.md``.
The loader rejects an unknown version and a version lower than the minimum the spec's fields need.
Functions here take the *decoded* data (canonical keys, well-typed values).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from talosgpu.cdi.findings import Path

__all__ = ["CURRENT", "KNOWN_VERSIONS", "normalise", "required_version", "version_key"]

# Released spec versions, oldest first (version.go validSpecVersions, reversed).
KNOWN_VERSIONS = (
    "0.1.0",
    "0.2.0",
    "0.3.0",
    "0.4.0",
    "0.5.0",
    "0.6.0",
    "0.7.0",
    "0.8.0",
    "1.0.0",
    "1.1.0",
)
CURRENT = "1.1.0"
EARLIEST_REQUIRED = "0.3.0"  # vEarliest: what a spec using no versioned field needs


def normalise(version: str) -> str:
    """Drop an optional leading ``v`` (version.go ``newVersion``)."""
    return version[1:] if version.startswith("v") else version


def version_key(version: str) -> int:
    """Position in :data:`KNOWN_VERSIONS` (-1 for an unknown version)."""
    try:
        return KNOWN_VERSIONS.index(normalise(version))
    except ValueError:
        return -1


def _edits(data: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    for index, device in enumerate(data.get("devices", [])):
        yield ["devices", index, "containerEdits"], device.get("containerEdits", {})
    yield ["containerEdits"], data.get("containerEdits", {})


def _v110(data: dict[str, Any]) -> tuple[Path, str] | None:
    for path, edits in _edits(data):
        rdt = edits.get("intelRdt")
        if rdt is not None and "schemata" in rdt:
            return [*path, "intelRdt", "schemata"], "intelRdt.schemata"
        if rdt is not None and rdt.get("enableMonitoring"):
            return [*path, "intelRdt", "enableMonitoring"], "intelRdt.enableMonitoring"
        if edits.get("netDevices"):
            return [*path, "netDevices"], "netDevices"
    return None


def _v070(data: dict[str, Any]) -> tuple[Path, str] | None:
    for path, edits in _edits(data):
        if "intelRdt" in edits:
            return [*path, "intelRdt"], "intelRdt"
        if edits.get("additionalGids"):
            return [*path, "additionalGids"], "additionalGids"
    return None


def _v060(data: dict[str, Any]) -> tuple[Path, str] | None:
    if data.get("annotations"):
        return ["annotations"], "annotations"
    for index, device in enumerate(data.get("devices", [])):
        if device.get("annotations"):
            return ["devices", index, "annotations"], "device annotations"
    _, sep, klass = str(data.get("kind", "")).partition("/")
    if sep and "." in klass:
        return ["kind"], "a dot in the class part of kind"
    return None


def _v050(data: dict[str, Any]) -> tuple[Path, str] | None:
    for index, device in enumerate(data.get("devices", [])):
        name = device.get("name", "")
        if name and name[0].isascii() and name[0].isdigit():
            return ["devices", index, "name"], "a device name starting with a digit"
    for path, edits in _edits(data):
        for index, node in enumerate(edits.get("deviceNodes", [])):
            if node.get("hostPath"):
                return [*path, "deviceNodes", index, "hostPath"], "deviceNodes[].hostPath"
    return None


def _v040(data: dict[str, Any]) -> tuple[Path, str] | None:
    for path, edits in _edits(data):
        for index, mount in enumerate(edits.get("mounts", [])):
            if mount.get("type"):
                return [*path, "mounts", index, "type"], "mounts[].type"
    return None


# Newest first, as version.go walks them; 1.0.0 and 0.8.0 added no spec fields.
_RULES = (("1.1.0", _v110), ("0.7.0", _v070), ("0.6.0", _v060), ("0.5.0", _v050), ("0.4.0", _v040))


def required_version(data: dict[str, Any]) -> tuple[str, Path | None, str]:
    """``(minimum version, path of the field that needs it, what it is)`` for decoded data."""
    for version, rule in _RULES:
        hit = rule(data)
        if hit is not None:
            return version, hit[0], hit[1]
    return EARLIEST_REQUIRED, None, ""
