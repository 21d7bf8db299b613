"""Which Talos release a file is linted for.

Order: ``--talos-version``; the talosgpu header of a rendered patch (``# Rendered by talosgpu for
Talos X.Y``); the release the file declares or is given by the file that uses it
(:class:`ReleaseHint`: a talconfig's ``talosVersion`` — its own or that of the talconfig naming a
patch —, a topf.yaml's ``talosVersion`` for the patches of its folders, an Omni cluster
template's ``talos.version`` — its own or for a ``file:`` patch it names); the tag of the
installer image
(``machine.install.image`` or the 1.14 ``UnattendedInstallConfig`` ``installer.image``, e.g.
``factory.talos.dev/metal-installer/<id>:v1.13.9``); 1.14 documents in the file (1.14); with
``--layers``, the release another layer names (origin ``layer``, :mod:`talosgpu.lint.engine`);
else :data:`talosgpu.versions.DEFAULT_VERSION`, which the report says in an info finding.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from talosgpu.errors import VersionError
from talosgpu.lint.context import Unit
from talosgpu.talos.installer import installer_version
from talosgpu.versions import DEFAULT_VERSION, TalosVersion

__all__ = ["GPU_DOCUMENT_KINDS", "ORIGIN_WORDS", "ReleaseHint", "infer_version"]

# How each origin is said in the report's summary.
ORIGIN_WORDS = {
    "option": "--talos-version",
    "header": "talosgpu header",
    "talconfig": "talconfig",
    "topf": "topf.yaml",
    "omni-template": "Omni cluster template",
    "installer": "installer image tag",
    "documents": "1.14 documents",
    "layer": "another --layers layer",
    "default": "assumed",
}


@dataclass(frozen=True, slots=True)
class ReleaseHint:
    """A file's release as named elsewhere (``origin``: ``talconfig``, ``topf``,
    ``omni-template``), e.g. by the talconfig.yaml that lists it as a patch."""

    version: str
    origin: str


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
    units: Iterable[Unit],
    *,
    declared: Iterable[ReleaseHint] = (),
    header_version: str | None = None,
) -> tuple[TalosVersion, str]:
    """``(version, origin)`` with origin ``header``, a hint's origin (the first of ``declared``
    that parses), ``installer``, ``documents`` or ``default``."""
    if header_version and (version := _parse(header_version)) is not None:
        return version, "header"
    for hint in declared:
        if (version := _parse(hint.version)) is not None:
            return version, hint.origin
    units = list(units)
    docs = [f.value for unit in units for f in unit.fragments if not f.logical]
    if (version := installer_version(docs)) is not None:
        return version, "installer"
    kinds = {f.kind for unit in units for f in unit.fragments}
    if kinds & GPU_DOCUMENT_KINDS:
        return TalosVersion.parse("1.14"), "documents"
    return TalosVersion.parse(DEFAULT_VERSION), "default"
