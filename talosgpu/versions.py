"""Talos versions as a value object, and the per-version facts table.

Renderers never compare version strings: they ask a :class:`TalosVersion` a named question
(``v.containerd_v2``, ``v.gpu_documents``...) or read its :class:`VersionFacts`. The facts live in
``data/talos_versions.toml`` (package data, one table per minor, each citing its sources).

Supported: Talos 1.7 through 1.15 (1.15 as of its beta: the row's ``status`` says so). A newer
minor is *refused*: talosgpu does not guess what a release it does not know ships. Its facts raise
:class:`~talosgpu.errors.VersionError` (see :meth:`TalosVersion.require_known`) unless the version
was parsed with ``assume_newest_known=True``, which uses the newest known row and says so in
:attr:`TalosVersion.warnings`. Anything older than 1.7 is a :class:`~talosgpu.errors.VersionError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, total_ordering
from importlib import resources
from typing import Literal

from talosgpu import tomlio
from talosgpu.errors import VersionError

__all__ = [
    "DEFAULT_VERSION",
    "MIN_SUPPORTED",
    "NEWEST_KNOWN",
    "TalosVersion",
    "VersionFacts",
    "known_versions",
    "newest_known",
    "version_option",
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
    toolkit: str | None  # None: the toolkit extension ships no NVIDIA Container Toolkit (1.15+)
    hook_era: HookEra
    drivers_lts: str
    drivers_production: str
    gpu_documents: bool
    bpf_jit_harden_documented: bool
    no_reboot_paths: tuple[str, ...]
    sources: tuple[str, ...]
    gpu_operator_min: str | None = None
    status: str = "ga"
    containerd_config_version: int = 3
    nri_enabled_by_default: bool = False
    drivers_new_feature: str | None = None
    open_only_branches: tuple[str, ...] = ()

    @property
    def containerd_major(self) -> int:
        return int(self.containerd.split(".", 1)[0])


@cache
def _table() -> dict[tuple[int, int], VersionFacts]:
    raw = tomlio.loads(
        resources.files("talosgpu").joinpath("data/talos_versions.toml").read_text("utf-8"),
        source="talosgpu/data/talos_versions.toml",
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
            toolkit=row.get("toolkit"),
            hook_era=row["hook_era"],
            drivers_lts=row["drivers_lts"],
            drivers_production=row["drivers_production"],
            gpu_documents=row["gpu_documents"],
            bpf_jit_harden_documented=row["bpf_jit_harden_documented"],
            no_reboot_paths=tuple(row["no_reboot_paths"]),
            sources=tuple(row["sources"]),
            gpu_operator_min=row.get("gpu_operator_min"),
            status=row.get("status", "ga"),
            containerd_config_version=row["containerd_config_version"],
            nri_enabled_by_default=row["nri_enabled_by_default"],
            drivers_new_feature=row.get("drivers_new_feature"),
            open_only_branches=tuple(row.get("open_only_branches", ())),
        )
    return dict(sorted(table.items()))


MIN_SUPPORTED = (1, 7)
NEWEST_KNOWN = (1, 15)
# The newest *released* minor: what talosgpu renders for when nothing names a version. A
# pre-release row (1.15 beta) is never the silent default.
DEFAULT_VERSION = "1.14"


def newest_known() -> str:
    """``1.15``: the newest minor in the facts table."""
    return f"{NEWEST_KNOWN[0]}.{NEWEST_KNOWN[1]}"


def _refusal(major: int, minor: int) -> str:
    return (
        f"Talos {major}.{minor} is newer than the newest release talosgpu knows "
        f"({newest_known()}); talosgpu does not guess what a release it does not know ships: "
        "upgrade talosgpu, or pass --assume-newest-known to use the "
        f"Talos {newest_known()} facts"
    )


def version_option(
    value: str | TalosVersion | None,
    *,
    assume_newest_known: bool = False,
    option: str = "--talos-version",
) -> TalosVersion | None:
    """A version option's value (``--talos-version``, or ``option``): parsed, and refused
    (attributed to the option) when it is a release newer than talosgpu knows, unless
    ``assume_newest_known``."""
    if value is None:
        return None
    try:
        return TalosVersion.parse(value, assume_newest_known=assume_newest_known).require_known()
    except VersionError as exc:
        raise VersionError(exc.message, file=option) from None


def releases_line() -> str:
    """The Talos releases this talosgpu knows, for ``--version``: ``1.7–1.15 (1.15: beta)``."""
    table = _table()
    minors = sorted(table)
    shown = f"{minors[0][0]}.{minors[0][1]}–{minors[-1][0]}.{minors[-1][1]}"
    early = [f"{a}.{b}: {table[(a, b)].status}" for a, b in minors if table[(a, b)].status != "ga"]
    return f"Talos releases known: {shown}" + (f" ({', '.join(early)})" if early else "")


def unquoted_hint(value: float | int) -> str:
    """The error for a version YAML read as a number: ``talosVersion: 1.10`` is the float 1.1,
    so the text is gone; the quoted spelling suggested is the known release that reads as that
    number (``'1.10'``), else the number as written back."""
    written = str(value)
    candidates = [written, written + "0"] if isinstance(value, float) else [written]
    known = {f"{major}.{minor}" for major, minor in _table()}
    spelled = next((c for c in candidates if c in known), written)
    other = f", or '{written}' if that is what you wrote" if spelled != written else ""
    return (
        f"write the Talos version as a quoted string: '{spelled}'{other} "
        f"(YAML reads an unquoted {spelled} as the number {value})"
    )


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
    assumed: bool = field(default=False, compare=False, hash=False)

    # ------------------------------------------------------------------ construction
    @classmethod
    def parse(cls, text: str | TalosVersion, *, assume_newest_known: bool = False) -> TalosVersion:
        """Parse ``1.11``, ``v1.11.1`` or ``1.14.0-rc.1``.

        Raises :class:`VersionError` for malformed text or releases older than 1.7. A release
        newer than the table parses, but its :attr:`facts` raise :class:`VersionError` unless
        ``assume_newest_known`` (then the newest row is used and :attr:`warnings` says so).
        """
        if isinstance(text, TalosVersion):
            if assume_newest_known and not text.is_known and not text.assumed:
                return cls.parse(text.full, assume_newest_known=True)
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
        if (major, minor) > NEWEST_KNOWN and assume_newest_known:
            warning = (
                f"Talos {major}.{minor} is newer than the newest release talosgpu knows "
                f"({newest_known()}); rendering with the Talos {newest_known()} facts as asked "
                "(--assume-newest-known): check every choice against the release notes"
            )
            return cls(major, minor, patch, (warning,), assumed=True)
        return cls(major, minor, patch)

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
        """The facts row for this minor.

        For a release newer than the table: the newest row when the version was parsed with
        ``assume_newest_known``, else :class:`VersionError` (never a silent guess).
        """
        table = _table()
        row = table.get(self.series)
        if row is not None:
            return row
        if self.assumed:
            return table[max(table)]
        raise VersionError(_refusal(self.major, self.minor))

    @property
    def is_known(self) -> bool:
        return self.series in _table()

    def require_known(self) -> TalosVersion:
        """``self`` when talosgpu has facts for it (known, or assumed on request); else raise."""
        _ = self.facts
        return self

    @property
    def prerelease(self) -> bool:
        """The facts row describes a release that is not final yet (1.15: beta)."""
        return self.facts.status != "ga"

    @property
    def facts_note(self) -> str | None:
        """Say where the facts are not a final release's (a beta row, or assumed facts)."""
        if self.assumed:
            return (
                f"facts of Talos {newest_known()} assumed for Talos {self} (--assume-newest-known)"
            )
        if self.prerelease:
            return (
                f"Talos {self} is a pre-release: facts as of its {self.facts.status}; recheck at GA"
            )
        return None

    # Named predicates. Each one is a question a renderer, linter or diff asks.
    @property
    def containerd_v2(self) -> bool:
        """containerd 2.x (config version 3, ``io.containerd.cri.v1.*`` plugin tables)."""
        return self.facts.containerd_major >= 2

    @property
    def containerd_cdi_default(self) -> bool:
        """containerd itself enables CDI by default (2.0+, containerd#9621), whatever Talos's
        base part says; spec dirs /etc/cdi and /var/run/cdi."""
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
    def multidoc_by_default(self) -> bool:
        """Generated configs are multi-document (HostnameConfig, 1.12+): JSON6902 patches fail."""
        return self.at_least("1.12")

    @property
    def gpu_operator_min(self) -> str | None:
        return self.facts.gpu_operator_min

    @property
    def ghcr_installer_published(self) -> bool:
        """``ghcr.io/siderolabs/installer`` is published for this release (<= 1.13; from 1.14
        only the Image Factory installers are: talos ``pkg/images/images.go``)."""
        return not self.at_least("1.14")

    @property
    def platform_installers(self) -> bool:
        """Image Factory names installers per platform, ``<platform>-installer[-secureboot]``
        (1.10+); before, one ``installer[-secureboot]`` serves every platform (talos
        ``pkg/imager/quirks`` SupportsUnifiedInstaller; image-factory ``internal/frontend/http``
        ``ui.go``)."""
        return self.at_least("1.10")

    @property
    def extension_ships_toolkit(self) -> bool:
        """The ``nvidia-container-toolkit`` extension ships the NVIDIA Container Toolkit and its
        ``nvidia`` / ``nvidia.cdi`` runtimes (<= 1.14). From 1.15 it carries only the driver's
        userspace libraries and persistenced; the GPU Operator installs the toolkit."""
        return self.facts.toolkit is not None

    @property
    def nri_injection(self) -> bool:
        """GPUs reach containers through the GPU Operator's toolkit as an NRI plugin (1.15+)."""
        return not self.extension_ships_toolkit

    @property
    def nri_enabled_by_default(self) -> bool:
        """Talos's base CRI config no longer disables containerd's NRI (1.14+)."""
        return self.facts.nri_enabled_by_default

    @property
    def containerd_config_version(self) -> int:
        """The ``version =`` of containerd's config: 2 (1.x), 3 (2.x), 4 (Talos 1.15+)."""
        return self.facts.containerd_config_version

    @property
    def driver_branches(self) -> tuple[str, ...]:
        """Driver branches published as extensions (``new-feature`` from 1.15)."""
        if not self.suffixed_extensions:
            return ("lts",)
        extra = ("new-feature",) if self.facts.drivers_new_feature else ()
        return ("lts", "production", *extra)

    def open_only(self, branch: str) -> bool:
        """No proprietary (``nonfree-kmod-nvidia-<branch>``) build exists on this branch."""
        return branch in self.facts.open_only_branches
