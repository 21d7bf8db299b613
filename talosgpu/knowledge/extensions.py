"""Names of the Talos NVIDIA system extensions per release, and parsing them back.

Up to extensions v1.7.x the names are unsuffixed (``nonfree-kmod-nvidia``,
``nvidia-open-gpu-kernel-modules``, ``nvidia-container-toolkit``, ``nvidia-fabricmanager``); from
v1.8.0 each exists as ``-lts`` and ``-production`` (research talos-internals.md §6; extensions repo
``nvidia-gpu/*/{lts,production}/manifest.yaml.tmpl``). Talos 1.15 adds ``-new-feature`` (615.x,
open modules only) and drops ``nonfree-kmod-nvidia-lts`` (the LTS moved to 620, open only;
extensions discussions #1325, #1365); which branch has which flavour is in the version table. Image Factory matches
``officialExtensions`` against the image repository, e.g. ``siderolabs/nvidia-container-toolkit-lts``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from talosgpu.errors import IntentError
from talosgpu.versions import TalosVersion

__all__ = [
    "OPEN_KMOD",
    "Branch",
    "ExtensionName",
    "Flavour",
    "branch_problem",
    "normalise_extension",
    "nvidia_extensions",
    "parse_extension",
]

Flavour = Literal["open", "proprietary"]
Branch = Literal["lts", "production", "new-feature"]
Role = Literal["kmod", "toolkit", "fabricmanager", "gdrdrv", "other"]

_KMOD = {"open": "nvidia-open-gpu-kernel-modules", "proprietary": "nonfree-kmod-nvidia"}
OPEN_KMOD = _KMOD["open"]  # the open kernel modules' base name (lint fixes name it)
_TOOLKIT = "nvidia-container-toolkit"
_FABRIC = "nvidia-fabricmanager"
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*")


@dataclass(frozen=True, slots=True)
class ExtensionName:
    """One official extension name, split into what the checks need."""

    full: str  # "siderolabs/nvidia-container-toolkit-lts"
    base: str  # "nvidia-container-toolkit"
    role: Role
    flavour: Flavour | None  # kernel modules only
    branch: Branch | None  # None: unsuffixed


def normalise_extension(name: str) -> str:
    """``siderolabs/<name>`` for an official extension given as ``<name>``, an image reference
    (``ghcr.io/siderolabs/<name>:<tag>``) or already in factory form."""
    text = name.strip()
    if not text:
        raise IntentError("an extension name is empty")
    text = re.sub(r"@sha256:[0-9a-f]+$", "", text)
    text = re.sub(r":[^/:]+$", "", text)
    if text.startswith("ghcr.io/"):
        text = text[len("ghcr.io/") :]
    if "/" not in text:
        text = f"siderolabs/{text}"
    if not _NAME_RE.fullmatch(text):
        raise IntentError(f"not an extension name: {name!r}")
    return text


def parse_extension(name: str) -> ExtensionName:
    """Classify ``name`` (any form :func:`normalise_extension` accepts)."""
    full = normalise_extension(name)
    short = full.rsplit("/", 1)[-1]
    branch: Branch | None = None
    base = short
    for suffix in ("lts", "production", "new-feature"):
        if short.endswith(f"-{suffix}"):
            branch = suffix
            base = short[: -len(suffix) - 1]
    flavour: Flavour | None = None
    role: Role = "other"
    if not full.startswith("siderolabs/"):
        return ExtensionName(full, short, "other", None, None)
    if base in _KMOD.values():
        role = "kmod"
        flavour = "open" if base == _KMOD["open"] else "proprietary"
    elif base == _TOOLKIT:
        role = "toolkit"
    elif base in (_FABRIC, "nvidia-fabric-manager"):
        role = "fabricmanager"
    elif base == "nvidia-gdrdrv-device":
        role = "gdrdrv"
    if role == "other":
        branch, base = None, short
    return ExtensionName(full, base, role, flavour, branch)


def nvidia_extensions(
    *,
    talos_version: TalosVersion,
    flavour: Flavour,
    branch: Branch,
    fabric_manager: bool = False,
) -> tuple[str, ...]:
    """The factory names of the kernel-module, toolkit (and fabric manager) extensions.

    Raises :class:`IntentError` for a branch or flavour the release does not publish.
    """
    if flavour not in _KMOD:
        raise IntentError(f"unknown driver flavour {flavour!r} (expected open or proprietary)")
    problem = branch_problem(talos_version=talos_version, flavour=flavour, branch=branch)
    if problem is not None:
        raise IntentError(f"{problem[0]}; fix: {problem[1]}")
    suffix = f"-{branch}" if talos_version.suffixed_extensions else ""
    names = [f"siderolabs/{_KMOD[flavour]}{suffix}", f"siderolabs/{_TOOLKIT}{suffix}"]
    if fabric_manager:
        names.append(f"siderolabs/{_FABRIC}{suffix}")
    return tuple(names)


def branch_problem(
    *, talos_version: TalosVersion, flavour: Flavour, branch: str
) -> tuple[str, str] | None:
    """``(why, fix)`` when the release publishes no ``flavour`` kernel modules on ``branch``.

    None on releases with one unsuffixed driver (1.7): any branch names it, and the
    compatibility check says the branch has no effect.
    """
    if not talos_version.suffixed_extensions:
        return None
    branches = talos_version.driver_branches
    if branch not in ("lts", "production", "new-feature"):
        return (
            f"unknown driver branch {branch!r}",
            f"use one of {', '.join(branches)} (Talos {talos_version})",
        )
    if branch not in branches:  # lts and production exist on every suffixed release
        return (
            f"the {branch} driver branch is published from Talos 1.15 on, not for "
            f"Talos {talos_version}",
            "gpu: {driver: {branch: production}}",
        )
    if flavour == "proprietary" and talos_version.open_only(branch):
        others = [b for b in branches if b != branch and not talos_version.open_only(b)]
        fix = "gpu: {driver: {flavour: open}}"
        if others:
            fix = f"gpu: {{driver: {{branch: {others[0]}}}}} (proprietary), or {fix}"
        return (
            f"siderolabs/{_KMOD['proprietary']}-{branch} is not published for Talos "
            f"{talos_version}: its {branch} branch is open kernel modules only",
            fix,
        )
    return None
