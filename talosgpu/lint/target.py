"""Which Talos release a file is linted for.

Order: ``--talos-version``; the talosgpu header of a rendered patch (``# Rendered by talosgpu for
Talos X.Y``); a talconfig's ``talosVersion``; the tag of the installer image
(``machine.install.image`` or the 1.14 ``UnattendedInstallConfig`` ``installer.image``, e.g.
``factory.talos.dev/metal-installer/<id>:v1.13.9``); 1.14 documents in the file (1.14); else
:data:`talosgpu.versions.DEFAULT_VERSION`, which the report says in an info finding.
"""

from __future__ import annotations

from collections.abc import Iterable

from talosgpu.errors import VersionError
from talosgpu.lint.context import Unit
from talosgpu.talos.installer import installer_version
from talosgpu.versions import DEFAULT_VERSION, TalosVersion

__all__ = ["GPU_DOCUMENT_KINDS", "infer_version"]

# Documents that appeared in Talos 1.14 (research talos-internals.md §3 "New multi-doc kinds").
GPU_DOCUMENT_KINDS = frozenset(
    {
        "KernelModuleConfig",
        "UdevRulesConfig",
        "SysctlConfig",
        "SysfsConfig",
        "KubeNodeConfig",
        "KubeletConfig",
        "EtcFileConfig",
        "CRICustomizationConfig",
        "CRIBaseRuntimeSpecConfig",
        "UnattendedInstallConfig",
    }
)


def _parse(text: str) -> TalosVersion | None:
    try:
        return TalosVersion.parse(text)
    except VersionError:
        return None


def infer_version(
    units: Iterable[Unit], *, talconfig_version: str | None, header_version: str | None = None
) -> tuple[TalosVersion, str]:
    """``(version, origin)`` with origin ``header``/``talconfig``/``installer``/``documents``/
    ``default``."""
    if header_version and (version := _parse(header_version)) is not None:
        return version, "header"
    if talconfig_version and (version := _parse(talconfig_version)) is not None:
        return version, "talconfig"
    units = list(units)
    docs = [f.value for unit in units for f in unit.fragments if not f.logical]
    if (version := installer_version(docs)) is not None:
        return version, "installer"
    kinds = {f.kind for unit in units for f in unit.fragments}
    if kinds & GPU_DOCUMENT_KINDS:
        return TalosVersion.parse("1.14"), "documents"
    return TalosVersion.parse(DEFAULT_VERSION), "default"
