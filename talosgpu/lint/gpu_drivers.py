"""Which NVIDIA kernel-module extensions a release publishes, and which of them drive a GPU.

For the schematic rules' fixes: a fix names only what the release publishes (branches and
flavours per release in ``data/talos_versions.toml``: ``driver_branches``, ``open_only``; names
as :mod:`talosgpu.knowledge.extensions` builds them) and, when the node names its GPU, only what
drives that GPU (``knowledge/data/gpus.toml``: open modules need Turing+ (GSP), Maxwell/Pascal/
Volta end with the 580 branch, Blackwell needs 570+; research peers.md §4.3). When nothing fits
the fix says so, with the nearest release that has one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from talosgpu.knowledge.extensions import (
    OPEN_KMOD,
    Branch,
    Flavour,
    branch_problem,
    nvidia_extensions,
)
from talosgpu.knowledge.hardware import GPUArchitecture, driver_for
from talosgpu.versions import TalosVersion, known_versions

__all__ = ["Build", "builds", "driver_reason", "fitting_fix", "flavour_reason"]


@dataclass(frozen=True, slots=True)
class Build:
    """One published kernel-module extension of a release, with its branch's driver."""

    kmod: str  # "siderolabs/nonfree-kmod-nvidia-production"
    toolkit: str  # the toolkit extension of the same branch (the same driver)
    branch: Branch
    flavour: Flavour
    driver: str  # "595.58.03"

    @property
    def major(self) -> int:
        return int(self.driver.split(".", 1)[0])


def builds(version: TalosVersion) -> tuple[Build, ...]:
    """Every kernel-module extension the release publishes, proprietary first per branch (names
    and the open-only branches as :func:`nvidia_extensions` gives them)."""
    out: list[Build] = []
    for name in version.driver_branches:
        branch: Branch = name  # type: ignore[assignment]  # the table's branch names
        flavours: tuple[Flavour, ...] = ("proprietary", "open")
        for flavour in flavours:
            if branch_problem(talos_version=version, flavour=flavour, branch=branch):
                continue  # not published (a proprietary build of an open-only branch)
            kmod, toolkit = nvidia_extensions(talos_version=version, flavour=flavour, branch=branch)
            out.append(Build(kmod, toolkit, branch, flavour, driver_for(version, branch)))
    return tuple(out)


def flavour_reason(arch: GPUArchitecture, flavour: Flavour) -> str | None:
    """Why kernel modules of ``flavour`` cannot drive ``arch`` on any release (None: they can)."""
    if flavour == "open" and not arch.open_modules:
        return arch.open_note or f"the open kernel modules do not support {arch.name}"
    if flavour == "proprietary" and not arch.proprietary_modules:
        return arch.proprietary_note or (
            f"the proprietary kernel modules do not support {arch.name}"
        )
    return None


def driver_reason(arch: GPUArchitecture, build: Build) -> str | None:
    """Why the driver of ``build``'s branch cannot drive ``arch`` (None: it can)."""
    if arch.last_branch is not None and build.major > arch.last_branch:
        return (
            f"its {build.branch} branch is the {build.major} driver, and NVIDIA ended "
            f"{arch.name} support with the {arch.last_branch} branch"
        )
    if arch.min_driver is not None and build.major < arch.min_driver:
        return (
            f"its {build.branch} branch is the {build.major} driver, and {arch.name} needs "
            f"{arch.min_driver} or newer"
        )
    return None


def _fitting(version: TalosVersion, arch: GPUArchitecture | None) -> Iterator[Build]:
    for build in builds(version):
        if arch is None or not (flavour_reason(arch, build.flavour) or driver_reason(arch, build)):
            yield build


def _say(build: Build) -> str:
    return f"{build.kmod} with {build.toolkit}"


def _none_fits(version: TalosVersion, arch: GPUArchitecture, label: str) -> str:
    """No build of ``version`` drives ``arch``: the closest releases that have one."""
    with_one = [(v, b) for v in known_versions() if (b := next(_fitting(v, arch), None))]
    before = [(v, b) for v, b in with_one if v.series < version.series]
    after = [(v, b) for v, b in with_one if v.series > version.series]
    said = f"no NVIDIA kernel-module extension Talos {version} publishes drives {label}"
    if before:
        last, build = before[-1]
        said += f"; the last release with one is Talos {last} ({_say(build)}): stay on it"
    if after:
        first, build = after[0]
        said += f"; the first release with one is Talos {first} ({_say(build)})"
    if not with_one:
        said += "; no Talos release talosgpu knows publishes one"
    return said + (", or replace the GPU with a Turing or newer one" if before else "")


def fitting_fix(
    version: TalosVersion,
    arch: GPUArchitecture | None,
    *,
    flavour: Flavour | None = None,
    label: str = "",
) -> str:
    """What to use instead: the published builds (of ``flavour`` first) that drive ``arch``
    (any GPU when None), or, when none does, that none does and where one is."""
    found = sorted(_fitting(version, arch), key=lambda b: b.flavour != flavour)
    if not found and arch is not None:
        return _none_fits(version, arch, label or arch.name)
    fix = f"use {_say(found[0])}"
    if arch is None and found[0].flavour == "proprietary":
        # the GPU is not named: the open modules only for those they drive (Turing+, GSP)
        branch = "-<branch>" if version.suffixed_extensions else ""
        return (
            f"{fix} (proprietary), or on a Turing or newer GPU the open modules "
            f"(siderolabs/{OPEN_KMOD}{branch} with the toolkit of that branch)"
        )
    return fix + "".join(f", or {_say(b)}" for b in found[1:2])
