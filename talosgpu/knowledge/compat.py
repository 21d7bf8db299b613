"""Compatibility of a GPU, a driver and a node's extensions: :func:`check_compatibility` and
:func:`check_extension_set` and the rules behind them (research peers.md §4.3, §1.9)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from talosgpu.errors import IntentError
from talosgpu.knowledge.extensions import Branch, ExtensionName, Flavour, parse_extension
from talosgpu.knowledge.hardware import (
    CompatIssue,
    GPUArchitecture,
    _first_release,
    _major,
    architectures,
    driver_for,
    gpu_extensions_without_gpu_warning,
)
from talosgpu.versions import TalosVersion, known_versions

__all__ = [
    "check_compatibility",
    "check_extension_set",
    "compatibility_issues",
    "extension_set_issues",
]

_HOPPER_GENERATION = 8


def _drivers(version: TalosVersion, flavour: Flavour) -> list[tuple[Branch, str]]:
    """The (branch, driver) pairs this release publishes kernel modules of ``flavour`` for."""
    out: list[tuple[Branch, str]] = []
    for name in version.driver_branches:
        branch: Branch = name  # type: ignore[assignment]  # the table's branch names
        if flavour == "proprietary" and version.open_only(branch):
            continue
        out.append((branch, driver_for(version, branch)))
    return out


def _last_release_with(ok: Callable[[int], bool], flavour: Flavour) -> str | None:
    found = None
    for v in known_versions():
        pairs = [f"{b} {d}" for b, d in _drivers(v, flavour) if ok(_major(d))]
        if pairs:
            found = f"{v} ({', '.join(pairs)})"
    return found


def _branch_rules(
    arch: GPUArchitecture, *, flavour: Flavour, branch: Branch, version: TalosVersion, driver: str
) -> list[CompatIssue]:
    out: list[CompatIssue] = []
    last, first = arch.last_branch, arch.min_driver
    others = [(b, d) for b, d in _drivers(version, flavour) if b != branch]
    if last is not None and _major(driver) > last:
        fitting = [(b, d) for b, d in others if _major(d) <= last]
        if fitting and version.suffixed_extensions:
            other, other_driver = fitting[0]
            out.append(CompatIssue(
                "error", "driver-branch-unsupported",
                f"Talos {version} {branch} ships driver {driver}, but {arch.name} support ended "
                f"with the {last} branch",
                f"gpu: {{driver: {{branch: {other}}}}}  (driver {other_driver})",
            ))  # fmt: skip
        else:
            since = _last_release_with(lambda major: major <= last, flavour)
            if since is None:
                out.append(CompatIssue(
                    "error", "no-talos-driver",
                    f"{arch.name} needs the {last}.xx legacy driver branch, which no Talos release "
                    "ships (siderolabs/talos#8764)",
                    "use a Turing or newer GPU on this node, or run this GPU outside Talos",
                ))  # fmt: skip
            else:
                out.append(CompatIssue(
                    "error", "driver-branch-unsupported",
                    f"no driver of Talos {version} supports {arch.name} (NVIDIA ended its support "
                    f"with the {last} branch); the last Talos release that ships one is {since}",
                    f"stay on Talos {since.split(' ', 1)[0]} for this GPU, or replace it with a "
                    "Turing or newer GPU",
                ))  # fmt: skip
    if first is not None and _major(driver) < first:
        fitting = [(b, d) for b, d in others if _major(d) >= first]
        if fitting and version.suffixed_extensions:
            fix = f"gpu: {{driver: {{branch: {fitting[0][0]}}}}}  (driver {fitting[0][1]})"
        else:
            since = _first_release(lambda v: _major(driver_for(v, "lts")) >= first)
            fix = f"upgrade to Talos {since} or newer" if since else "no Talos release ships it yet"
        out.append(CompatIssue(
            "error", "driver-too-old",
            f"{arch.name} needs driver {first} or newer; Talos {version} {branch} ships {driver}",
            fix,
        ))  # fmt: skip
    return out


def compatibility_issues(
    arch: GPUArchitecture,
    *,
    flavour: Flavour,
    branch: Branch,
    version: TalosVersion,
    driver: str,
    fabric_manager: bool,
    arch_cpu: str,
    kernel_args: tuple[str, ...],
) -> list[CompatIssue]:
    out = _branch_rules(arch, flavour=flavour, branch=branch, version=version, driver=driver)
    if flavour == "open" and not arch.open_modules:
        out.append(CompatIssue(
            "error", "open-modules-unsupported",
            arch.open_note or f"the open kernel modules do not support {arch.name}",
            "gpu: {driver: {flavour: proprietary}}  (siderolabs/nonfree-kmod-nvidia)",
        ))  # fmt: skip
    if flavour == "proprietary" and not arch.proprietary_modules:
        out.append(CompatIssue(
            "error", "proprietary-modules-unsupported",
            arch.proprietary_note or f"the proprietary kernel modules do not support {arch.name}",
            "gpu: {driver: {flavour: open}}  (siderolabs/nvidia-open-gpu-kernel-modules)",
        ))  # fmt: skip
    elif flavour == "proprietary" and arch.generation >= _HOPPER_GENERATION and arch.open_modules:
        out.append(CompatIssue(
            "warning", "open-modules-recommended",
            f"NVIDIA recommends the open kernel modules for {arch.name}",
            "gpu: {driver: {flavour: open}}",
        ))  # fmt: skip
    if (
        flavour == "open"
        and arch.open_modules
        and arch.segment in ("consumer", "workstation")
        and arch.generation < _HOPPER_GENERATION
        and _major(driver) < 560
    ):
        stage = "alpha (R515-R535)" if _major(driver) < 545 else "beta (R545-R555)"
        out.append(CompatIssue(
            "warning", "open-modules-geforce-alpha",
            f"driver {driver}: the open kernel modules on GeForce/workstation GPUs are {stage}, "
            "the default only from R560; without NVreg_OpenRmEnableUnsupportedGpus=1 they may "
            "refuse the GPU (NVIDIA open-gpu-kernel-modules README; siderolabs/extensions#114)",
            "kernelModules: [{name: nvidia, parameters: [NVreg_OpenRmEnableUnsupportedGpus=1]}], "
            "or gpu: {driver: {flavour: proprietary}}",
        ))  # fmt: skip
    if arch.cpu_arch and arch.cpu_arch != arch_cpu:
        out.append(CompatIssue(
            "error", "cpu-arch-mismatch",
            f"{arch.name} is an {arch.cpu_arch} system, the node is declared {arch_cpu}",
            f"node: {{arch: {arch.cpu_arch}}}",
        ))  # fmt: skip
    for arg in arch.kernel_args:
        if arg not in kernel_args:
            out.append(CompatIssue(
                "error", "missing-kernel-arg",
                f"{arch.name} needs the kernel argument {arg}: without it the system may crash "
                "or CUDA libraries fail to load (siderolabs/talos#13019)",
                f"extraKernelArgs: [{arg}]  (talosgpu schematic --kernel-arg {arg})",
            ))  # fmt: skip
    out += _fabric_rules(arch, fabric_manager=fabric_manager, version=version)
    if not version.suffixed_extensions and branch == "production":
        out.append(CompatIssue(
            "warning", "branch-ignored",
            f"Talos {version} ships a single NVIDIA driver ({driver}); the branch has no effect",
            "gpu: {driver: {branch: lts}}",
        ))  # fmt: skip
    return out


def _fabric_rules(
    arch: GPUArchitecture, *, fabric_manager: bool, version: TalosVersion
) -> list[CompatIssue]:
    out: list[CompatIssue] = []
    board = arch.model or arch.pci_id or arch.name
    if arch.fabric_manager == "required" and not fabric_manager:
        out.append(CompatIssue(
            "error", "fabric-manager-required",
            f"{board} is an HGX/NVSwitch system: without nvidia-fabricmanager CUDA cannot "
            "initialise the GPUs",
            "gpu: {fabricManager: true}  (talosgpu schematic --fabric-manager)",
        ))  # fmt: skip
    elif arch.fabric_manager == "likely" and not fabric_manager:
        out.append(CompatIssue(
            "warning", "fabric-manager-likely",
            f"{board} is an SXM module, usually on an HGX board with NVSwitch, which needs "
            "nvidia-fabricmanager (not needed on boards without NVSwitch)",
            "gpu: {fabricManager: true}",
        ))  # fmt: skip
    elif fabric_manager and arch.fabric_manager == "no" and (arch.model or arch.pci_id):
        out.append(CompatIssue(
            "warning", "fabric-manager-unneeded",
            f"{board} has no NVSwitch: the fabric manager has nothing to manage",
            "gpu: {fabricManager: false}",
        ))  # fmt: skip
    if fabric_manager and version.at_least("1.13") and not version.at_least("1.14"):
        out.append(CompatIssue(
            "warning", "fabric-manager-libz",
            "early Talos 1.13 fabric manager extensions crash-loop on a missing libz.so.1 "
            "(siderolabs/extensions#1073)",
            "use the newest 1.13 patch release (or 1.14) and its extensions",
        ))  # fmt: skip
    return out


def _effective_branch(ext: ExtensionName, version: TalosVersion) -> Branch | None:
    if ext.branch is None and version.suffixed_extensions:
        return "lts"  # Image Factory aliases the old names to -lts (internal/profile/profile.go)
    return ext.branch


def extension_set_issues(
    extensions: Sequence[str], *, version: TalosVersion, gpu_count: int | None
) -> list[CompatIssue]:
    out: list[CompatIssue] = []
    parsed = [parse_extension(e) for e in extensions]
    seen: set[str] = set()
    for ext in parsed:
        if ext.full in seen:
            out.append(
                CompatIssue(
                    "warning", "duplicate-extension", f"{ext.full} is listed twice", "list it once"
                )
            )
        seen.add(ext.full)
        out += _name_rules(ext, version)
    kmods = [e for e in parsed if e.role == "kmod"]
    toolkits = [e for e in parsed if e.role == "toolkit"]
    fabric = [e for e in parsed if e.role == "fabricmanager"]
    if len({(e.flavour, _effective_branch(e, version)) for e in kmods}) > 1:
        names = ", ".join(sorted({e.full for e in kmods}))
        out.append(CompatIssue(
            "error", "conflicting-kernel-modules",
            f"more than one NVIDIA kernel-module extension: {names}",
            "keep exactly one (talosgpu schematic --flavour open|proprietary --branch lts|production)",
        ))  # fmt: skip
    if kmods:
        kbranch = _effective_branch(kmods[0], version)
        for ext in (*toolkits, *fabric):
            ebranch = _effective_branch(ext, version)
            if ebranch != kbranch and version.suffixed_extensions:
                want = f"siderolabs/{ext.base}-{kbranch}"
                out.append(CompatIssue(
                    "error", "branch-mismatch",
                    f"{kmods[0].full} ({kbranch}, driver {driver_for(version, kbranch or 'lts')}) and "
                    f"{ext.full} ({ebranch}, driver {driver_for(version, ebranch or 'lts')}) carry "
                    "different drivers: NVML reports 'Driver/library version mismatch'",
                    f"use {want}",
                ))  # fmt: skip
        if not toolkits:
            out.append(CompatIssue(
                "warning", "toolkit-missing",
                "kernel modules without siderolabs/nvidia-container-toolkit: containers cannot use the GPU",
                "add the toolkit extension of the same branch (talosgpu schematic)",
            ))  # fmt: skip
    elif toolkits or fabric:
        out.append(CompatIssue(
            "warning", "kernel-modules-missing",
            "NVIDIA extensions without a kernel-module extension: there is no driver",
            "add nvidia-open-gpu-kernel-modules or nonfree-kmod-nvidia (talosgpu schematic)",
        ))  # fmt: skip
    if gpu_count == 0 and (kmods or toolkits or fabric):
        out.append(gpu_extensions_without_gpu_warning())
    return out


def _name_rules(ext: ExtensionName, version: TalosVersion) -> list[CompatIssue]:
    if ext.role == "other":
        return []
    if ext.base == "nvidia-fabric-manager":
        want = f"siderolabs/nvidia-fabricmanager{'-lts' if version.suffixed_extensions else ''}"
        return [
            CompatIssue("error", "unknown-extension", f"{ext.full} is not published", f"use {want}")
        ]
    if ext.role == "gdrdrv":
        if not version.at_least("1.12"):
            return [CompatIssue(
                "error", "extension-not-published",
                f"{ext.full} is published from Talos 1.12 on", "remove it or upgrade Talos",
            )]  # fmt: skip
        return []
    if not version.suffixed_extensions and ext.branch is not None:
        return [CompatIssue(
            "error", "suffixed-name-too-early",
            f"{ext.full} does not exist for Talos {version}: the NVIDIA extensions are unsuffixed up to 1.7",
            f"use siderolabs/{ext.base}",
        )]  # fmt: skip
    if version.suffixed_extensions and ext.branch is None:
        if ext.role == "fabricmanager":
            return [CompatIssue(
                "error", "fabric-manager-alias-broken",
                f"{ext.full} is unsuffixed since Talos 1.8, and Image Factory's alias for it points "
                "at siderolabs/nvidia-fabric-manager-lts, which does not exist",
                "use siderolabs/nvidia-fabricmanager-lts or -production (the kernel modules' branch)",
            )]  # fmt: skip
        return [CompatIssue(
            "warning", "unsuffixed-extension",
            f"{ext.full} is an old name: Image Factory aliases it to {ext.full}-lts",
            f"say the branch: {ext.full}-lts or {ext.full}-production",
        )]  # fmt: skip
    return []


# ----------------------------------------------------------------------------- public entry points
def check_compatibility(
    *,
    architecture: GPUArchitecture | str,
    flavour: Flavour,
    branch: Branch,
    talos_version: TalosVersion | str,
    fabric_manager: bool = False,
    arch_cpu: Literal["amd64", "arm64"] = "amd64",
    extra_kernel_args: Sequence[str] = (),
) -> list[CompatIssue]:
    """Problems (errors) and doubts (warnings) with driving ``architecture`` this way."""
    arch = architecture
    if isinstance(arch, str):
        if arch not in architectures():
            known = ", ".join(architectures())
            raise IntentError(f"unknown GPU architecture {arch!r} (known: {known})")
        arch = architectures()[arch]
    if flavour not in ("open", "proprietary"):
        raise IntentError(f"unknown driver flavour {flavour!r} (expected open or proprietary)")
    version = TalosVersion.parse(talos_version)
    return compatibility_issues(
        arch, flavour=flavour, branch=branch, version=version, driver=driver_for(version, branch),
        fabric_manager=fabric_manager, arch_cpu=arch_cpu, kernel_args=tuple(extra_kernel_args),
    )  # fmt: skip


def check_extension_set(
    extensions: Sequence[str],
    *,
    talos_version: TalosVersion | str,
    gpu_count: int | None = None,
) -> list[CompatIssue]:
    """Consistency of a node's extension list (factory names, bare names or image references).

    ``gpu_count=0`` adds :func:`gpu_extensions_without_gpu_warning` when NVIDIA extensions are in.
    """
    return extension_set_issues(
        extensions, version=TalosVersion.parse(talos_version), gpu_count=gpu_count
    )
