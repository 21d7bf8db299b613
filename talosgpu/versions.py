"""Talos versions as a value object, and the per-version facts table.

Renderers never compare version strings: they ask a :class:`TalosVersion` a named question
(``v.containerd_v2``, ``v.gpu_documents``...) or read its :class:`VersionFacts`. The facts live in
``data/talos_versions.toml`` (package data, one table per minor, each citing its sources).

Supported: Talos 1.7 through 1.14. A newer minor uses the newest known facts and says so in
:attr:`TalosVersion.warnings`; anything older than 1.7 is a :class:`~talosgpu.errors.VersionError`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, total_ordering
from importlib import resources
from typing import Literal

from talosgpu.errors import VersionError

__all__ = [
    "DEFAULT_VERSION",
    "MIN_SUPPORTED",
    "NEWEST_KNOWN",
    "TalosVersion",
    "VersionFacts",
    "known_versions",
]

HookEra = Literal["nvidia-ctk", "wrapper-real", "usr-bin"]
_VERSION_RE = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+][0-9A-Za-z.\-+]*)?")


@dataclass(frozen=True, slots=True)
class VersionFacts:
    """What one Talos minor release ships, as far as a GPU node is concerned."""

    minor: tuple[int, int]
    kernel: str
    containerd: str
    cri_runtime_table: str
    cri_images_table: str
    cdi_enabled_by_default: bool
    cdi_default_spec_dirs: tuple[str, ...]
    extension_naming: Literal["unsuffixed", "suffixed"]
    toolkit: str
    hook_era: HookEra
    drivers_lts: str
    drivers_production: str
    gpu_documents: bool
    bpf_jit_harden_documented: bool
    no_reboot_paths: tuple[str, ...]
    sources: tuple[str, ...]
    gpu_operator_min: str | None = None

    @property
    def containerd_major(self) -> int:
        return int(self.containerd.split(".", 1)[0])


@cache
def _table() -> dict[tuple[int, int], VersionFacts]:
    raw = tomllib.loads(
        resources.files("talosgpu").joinpath("data/talos_versions.toml").read_text("utf-8")
    )
    table: dict[tuple[int, int], VersionFacts] = {}
    for key, row in raw["versions"].items():
        major, minor = (int(p) for p in key.split("."))
        table[(major, minor)] = VersionFacts(
            minor=(major, minor),
            kernel=row["kernel"],
            containerd=row["containerd"],
            cri_runtime_table=row["cri_runtime_table"],
            cri_images_table=row["cri_images_table"],
            cdi_enabled_by_default=row["cdi_enabled_by_default"],
            cdi_default_spec_dirs=tuple(row["cdi_default_spec_dirs"]),
            extension_naming=row["extension_naming"],
            toolkit=row["toolkit"],
            hook_era=row["hook_era"],
            drivers_lts=row["drivers_lts"],
            drivers_production=row["drivers_production"],
            gpu_documents=row["gpu_documents"],
            bpf_jit_harden_documented=row["bpf_jit_harden_documented"],
            no_reboot_paths=tuple(row["no_reboot_paths"]),
            sources=tuple(row["sources"]),
            gpu_operator_min=row.get("gpu_operator_min"),
        )
    return dict(sorted(table.items()))


MIN_SUPPORTED = (1, 7)
NEWEST_KNOWN = (1, 14)
DEFAULT_VERSION = "1.14"


def known_versions() -> tuple[TalosVersion, ...]:
    """Every minor release in the facts table, oldest first."""
    return tuple(TalosVersion(major, minor) for major, minor in _table())


@total_ordering
@dataclass(frozen=True, slots=True)
class TalosVersion:
    """A Talos release, compared by (major, minor, patch); pre-release tags are ignored."""

    major: int
    minor: int
    patch: int = 0
    warnings: tuple[str, ...] = field(default=(), compare=False, hash=False)

    # ------------------------------------------------------------------ construction
    @classmethod
    def parse(cls, text: str | TalosVersion) -> TalosVersion:
        """Parse ``1.11``, ``v1.11.1`` or ``1.14.0-rc.1``.

        Raises :class:`VersionError` for malformed text or releases older than 1.7.
        """
        if isinstance(text, TalosVersion):
            return text
        value = str(text).strip()
        match = _VERSION_RE.fullmatch(value)
        if not match:
            raise VersionError(f"not a Talos version: {value!r} (expected e.g. 1.13 or v1.13.2)")
        major, minor = int(match.group(1)), int(match.group(2))
        patch = int(match.group(3) or 0)
        if (major, minor) < MIN_SUPPORTED:
            raise VersionError(
                f"Talos {major}.{minor} is not supported; talosgpu supports 1.7 through "
                f"{NEWEST_KNOWN[0]}.{NEWEST_KNOWN[1]}"
            )
        warnings: tuple[str, ...] = ()
        if (major, minor) > NEWEST_KNOWN:
            warnings = (
                f"Talos {major}.{minor} is newer than the newest release talosgpu knows "
                f"({NEWEST_KNOWN[0]}.{NEWEST_KNOWN[1]}); using its facts",
            )
        return cls(major, minor, patch, warnings)

    # ------------------------------------------------------------------ ordering / text
    def _key(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, TalosVersion):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def full(self) -> str:
        """``v1.11.1`` style, as installer image tags are written."""
        return f"v{self.major}.{self.minor}.{self.patch}"

    @property
    def series(self) -> tuple[int, int]:
        return (self.major, self.minor)

    def at_least(self, minor: str) -> bool:
        """True when this release is ``minor`` (e.g. ``"1.13"``) or newer."""
        major_s, minor_s = minor.split(".")
        return self.series >= (int(major_s), int(minor_s))

    # ------------------------------------------------------------------ facts
    @property
    def facts(self) -> VersionFacts:
        """The facts row for this minor (the newest known row for newer releases)."""
        table = _table()
        return table.get(self.series) or table[max(table)]

    @property
    def is_known(self) -> bool:
        return self.series in _table()

    # Named predicates. Each one is a question a renderer, linter or diff asks.
    @property
    def containerd_v2(self) -> bool:
        """containerd 2.x (config version 3, ``io.containerd.cri.v1.*`` plugin tables)."""
        return self.facts.containerd_major >= 2

    @property
    def cri_runtime_table(self) -> str:
        return self.facts.cri_runtime_table

    @property
    def cdi_enabled_by_default(self) -> bool:
        """Talos's own base CRI part turns CDI on (1.13+, spec dir ``/run/cdi``)."""
        return self.facts.cdi_enabled_by_default

    @property
    def suffixed_extensions(self) -> bool:
        """NVIDIA extensions are published as ``-lts`` / ``-production`` (1.8+)."""
        return self.facts.extension_naming == "suffixed"

    @property
    def gpu_documents(self) -> bool:
        """Kernel modules, udev, sysctls, node labels and CRI customization are documents (1.14+)."""
        return self.facts.gpu_documents

    @property
    def hook_era(self) -> HookEra:
        return self.facts.hook_era

    @property
    def hooks_need_real_binaries(self) -> bool:
        """The extension's argv[0] wrapper rejects ``nvidia-cdi-hook``: point hooks at ``*.real``."""
        return self.facts.hook_era == "wrapper-real"

    @property
    def ebpf_device_filter_window(self) -> bool:
        """Kernel 6.12 + toolkit 1.17 (Talos 1.9-1.11): the legacy runtime's eBPF filter fails."""
        return self.facts.kernel.startswith("6.12.")

    @property
    def bpf_jit_harden_documented(self) -> bool:
        """The official guide of this release sets ``net.core.bpf_jit_harden: 1`` (<= 1.12)."""
        return self.facts.bpf_jit_harden_documented

    @property
    def native_cdi(self) -> bool:
        """CDI on by default with the toolkit's cdi-gen service and GPU Operator support (1.13+)."""
        return self.cdi_enabled_by_default

    @property
    def apply_may_reboot(self) -> bool:
        """``apply-config --mode auto`` reboots for changes outside the allow-list (<= 1.13)."""
        return not self.at_least("1.14")

    @property
    def supports_patch_delete(self) -> bool:
        """``$patch: delete`` is understood (1.8+)."""
        return self.at_least("1.8")

    @property
    def duplicate_patch_documents_allowed(self) -> bool:
        """One patch may touch the same document more than once (1.14+)."""
        return self.at_least("1.14")

    @property
    def keyed_extra_args(self) -> bool:
        """``extraArgs`` values are string-or-list and merge per key by replace (1.13+)."""
        return self.at_least("1.13")

    @property
    def multidoc_by_default(self) -> bool:
        """Generated configs are multi-document (HostnameConfig, 1.12+): JSON6902 patches fail."""
        return self.at_least("1.12")

    @property
    def gpu_operator_min(self) -> str | None:
        return self.facts.gpu_operator_min
