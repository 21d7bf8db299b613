"""Validating a CDI spec the way the runtime loader does, plus Talos-specific findings.

Loader checks follow cncf-tags/container-device-interface: ``pkg/cdi/spec.go`` (``validate``:
version, vendor, class, annotations, spec edits, devices, "no devices"), ``pkg/cdi/device.go``
(device name, annotations, "empty device edits"), ``pkg/cdi/container-edits.go`` (env, device
nodes, hooks, mounts, intelRdt, netDevices) and ``pkg/parser/parser.go`` (name grammars). Where
SPEC.md says MUST but the loader does not check (absolute hook path, timeout > 0), the OCI runtime
fails later, so those are errors too. The loader stops at the first problem; this reports all.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from talosgpu.cdi import cdiversion
from talosgpu.cdi.edits import check_edits
from talosgpu.cdi.findings import CDIFinding, Path, finding, show
from talosgpu.cdi.schema import decode
from talosgpu.cdi.spec import CDISpec
from talosgpu.cdi.talos import device_name_findings, talos_findings
from talosgpu.errors import format_yaml_path
from talosgpu.versions import TalosVersion

__all__ = ["validate_spec"]

DeviceIDStrategy = Literal["uuid", "index"]

_NAME_RE = re.compile(r"[A-Za-z0-9]([A-Za-z0-9_.:-]*[A-Za-z0-9])?")
_VENDOR_CLASS_RE = re.compile(r"[A-Za-z]([A-Za-z0-9_.-]*[A-Za-z0-9])?")
_DNS_SUBDOMAIN_RE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_QUALIFIED_NAME_RE = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_ANNOTATIONS_LIMIT = 256 * 1024  # internal/validation/k8s/objectmeta.go TotalAnnotationSizeLimitB


def validate_spec(
    spec: CDISpec,
    *,
    device_id_strategy: DeviceIDStrategy | None = None,
    talos_version: str | TalosVersion | None = None,
) -> list[CDIFinding]:
    """Every finding for ``spec``, in document order; errors make the runtime reject the spec.

    ``device_id_strategy`` checks the device names the NVIDIA device plugin will request;
    ``talos_version`` adds the hook-path findings for that Talos release (raises
    :class:`~talosgpu.errors.VersionError` when malformed).
    """
    out: list[CDIFinding] = []
    data = decode(spec.data, out)
    _check_version(spec.data, data, out)
    _check_kind(data, out)
    _check_annotations(data.get("annotations"), ["annotations"], out)
    check_edits(data.get("containerEdits", {}), ["containerEdits"], out)
    _check_devices(spec.data, data, out)
    out.extend(device_name_findings(data, strategy=device_id_strategy))
    if talos_version is not None:
        out.extend(talos_findings(data, talos_version=talos_version))
    return out


def _check_version(raw: dict[str, Any], data: dict[str, Any], out: list[CDIFinding]) -> None:
    if "cdiVersion" not in data:
        if raw.get("cdiVersion") is None:
            out.append(
                finding(
                    "error",
                    "version",
                    ["cdiVersion"],
                    "cdiVersion is empty",
                    f'set cdiVersion: "{cdiversion.CURRENT}" or the minimum needed',
                )
            )
        return  # a type error was reported by decode
    version = data["cdiVersion"]
    if cdiversion.version_key(version) < 0:
        out.append(
            finding(
                "error",
                "version",
                ["cdiVersion"],
                f"invalid version {show(version)}: known CDI versions are "
                f"{', '.join(cdiversion.KNOWN_VERSIONS)}",
                "use a released spec version (specs-go/version.go)",
            )
        )
        return
    needed, where, what = cdiversion.required_version(data)
    if cdiversion.version_key(needed) > cdiversion.version_key(version):
        field = f" ({what} at {_fmt(where)})" if where is not None else ""
        out.append(
            finding(
                "error",
                "min-version",
                ["cdiVersion"],
                f"cdiVersion {version} is too low for the fields used: the spec version must "
                f"be at least v{needed}{field}",
                f'set cdiVersion: "{needed}"',
            )
        )


def _check_kind(data: dict[str, Any], out: list[CDIFinding]) -> None:
    kind = data.get("kind")
    if kind is None:
        return
    vendor, sep, klass = kind.partition("/")
    if not sep or not vendor or not klass:
        vendor, klass = "", kind  # parser.ParseQualifier
    fix = "write kind as vendor/class, e.g. nvidia.com/gpu"
    for label, value in (("vendor", vendor), ("class", klass)):
        if not value:
            out.append(
                finding(
                    "error",
                    "kind",
                    ["kind"],
                    f"invalid {label} in kind {show(kind)}: empty name",
                    fix,
                )
            )
        elif not _VENDOR_CLASS_RE.fullmatch(value):
            out.append(
                finding(
                    "error",
                    "kind",
                    ["kind"],
                    f"invalid {label} {show(value)} in kind: must start with a letter, end with a "
                    "letter or digit, and contain only letters, digits, '_', '-' and '.'",
                    fix,
                )
            )
    # SPEC.md "Kind": class <= 63 characters, vendor a DNS subdomain. The loader does not check
    # these, so they are warnings.
    if len(klass) > 63:
        out.append(
            finding(
                "warning",
                "kind",
                ["kind"],
                f"class part of kind is {len(klass)} characters; SPEC.md allows 63",
                "shorten the class name",
            )
        )
    if vendor and (len(vendor) > 253 or not _DNS_SUBDOMAIN_RE.fullmatch(vendor)):
        out.append(
            finding(
                "warning",
                "kind",
                ["kind"],
                f"vendor {show(vendor)} is not a lowercase DNS subdomain (SPEC.md)",
                "use a domain you own, e.g. nvidia.com",
            )
        )


def _check_annotations(value: dict[str, str] | None, path: Path, out: list[CDIFinding]) -> None:
    if not value:
        return
    total = 0
    for key, text in value.items():
        total += len(key) + len(text)
        prefix, sep, name = key.lower().rpartition("/")
        ok = bool(_QUALIFIED_NAME_RE.fullmatch(name)) and len(name) <= 63 and key.count("/") <= 1
        if sep:
            ok = ok and len(prefix) <= 253 and bool(_DNS_SUBDOMAIN_RE.fullmatch(prefix))
        if not ok:
            out.append(
                finding(
                    "error",
                    "annotation",
                    [*path, key],
                    f"invalid annotation key {show(key)}: must be a Kubernetes qualified name",
                    "use [prefix/]name with a DNS-subdomain prefix and a name of at most 63 "
                    "letters, digits, '-', '_' or '.'",
                )
            )
    if total > _ANNOTATIONS_LIMIT:
        out.append(
            finding(
                "error",
                "annotation",
                path,
                f"annotations size {total} is larger than limit {_ANNOTATIONS_LIMIT}",
                "move large data out of the annotations",
            )
        )


def _check_devices(raw: dict[str, Any], data: dict[str, Any], out: list[CDIFinding]) -> None:
    devices = data.get("devices", [])
    if not devices and isinstance(raw.get("devices"), list | None):
        out.append(
            finding(
                "error",
                "no-devices",
                ["devices"],
                "invalid spec, no devices",
                "list at least one device (nvidia-ctk cdi generate adds `all`)",
            )
        )
    seen: dict[str, int] = {}
    for index, device in enumerate(devices):
        path: list[str | int] = ["devices", index]
        name = device.get("name", "")
        if not name:
            out.append(
                finding(
                    "error",
                    "device-name",
                    [*path, "name"],
                    "invalid (empty) device name",
                    "give the device a name",
                )
            )
        elif not _NAME_RE.fullmatch(name):
            out.append(
                finding(
                    "error",
                    "device-name",
                    [*path, "name"],
                    f"invalid device name {show(name)}: must start and end with a letter or digit "
                    "and contain only letters, digits, '_', '-', '.' and ':'",
                    "rename the device",
                )
            )
        elif name in seen:
            out.append(
                finding(
                    "error",
                    "duplicate-device",
                    [*path, "name"],
                    f"invalid spec, multiple device {show(name)} (also devices[{seen[name]}])",
                    "give every device a unique name",
                )
            )
        if name:
            seen.setdefault(name, index)
        _check_annotations(device.get("annotations"), [*path, "annotations"], out)
        edits = device.get("containerEdits", {})
        if (
            not any(edits.get(key) for key in edits if key != "intelRdt")
            and "intelRdt" not in edits
        ):
            out.append(
                finding(
                    "error",
                    "empty-edits",
                    [*path, "containerEdits"],
                    f"invalid device {show(name)}: empty device edits",
                    "give the device at least one deviceNode, mount, env, hook or additionalGid",
                )
            )
        check_edits(edits, [*path, "containerEdits"], out)


def _fmt(path: Path) -> str:
    return format_yaml_path(list(path))
