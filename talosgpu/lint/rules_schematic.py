"""Image Factory schematics: the NVIDIA extensions for the release, and kernel args that need care.

Read from every form (:mod:`talosgpu.lint.units`): a schematic file, a talhelper ``schematic`` /
``imageSchematic`` block, an Omni template's ``systemExtensions`` / ``kernelArgs``. The verdicts
come from the knowledge talosgpu renders schematics with (:mod:`talosgpu.knowledge.compat`,
:mod:`talosgpu.knowledge.extensions`; release facts in ``data/talos_versions.toml``):

* names: unsuffixed up to 1.7, ``-lts`` / ``-production`` from 1.8 (Image Factory aliases the
  old names to ``-lts``, ``internal/profile/profile.go``; an error where that alias is not
  published), ``-new-feature`` from 1.15, no ``nonfree-kmod-nvidia-lts`` on 1.15 (extensions
  discussions #1325, #1365); a fix names only what the release publishes and, when the node
  names its GPU, what drives it (:mod:`talosgpu.lint.gpu_drivers`);
* the GPU a talconfig node names: the flavour (open modules need Turing+) and the branch's
  driver on the release (Maxwell/Pascal/Volta end with 580, so ``-production`` at 595 on
  1.13-1.15 cannot drive them; ``knowledge/data/gpus.toml``);
* kernel modules and toolkit of one branch (one driver), else NVML's "Driver/library version
  mismatch"; one kernel-module extension; toolkit and kernel modules together;
* strict decoding: Image Factory rejects unknown fields (``KnownFields(true)``), talhelper's
  non-strict ``yaml.Unmarshal`` (``pkg/config/loader.go``) drops them silently;
* NVIDIA module parameters on the kernel command line (``nvidia_drm.modeset=1``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from talosgpu.errors import ConfigError, IntentError
from talosgpu.knowledge.compat import extension_set_issues
from talosgpu.knowledge.extensions import ExtensionName, branch_problem, parse_extension
from talosgpu.knowledge.hardware import GPUArchitecture, identify_gpu
from talosgpu.knowledge.schematic import canonical_schematic_yaml
from talosgpu.lint.context import Context, Hit
from talosgpu.lint.findings import Finding
from talosgpu.lint.gpu_drivers import Build, builds, driver_reason, fitting_fix, flavour_reason
from talosgpu.lint.units import (
    ARGS_PATH,
    EXTENSIONS_PATH,
    GPU_MODEL,
    SCHEMATIC,
    SCHEMATIC_DOCUMENT,
)

__all__ = ["check_schematic"]

_NAME_CODES = frozenset(
    {
        "unknown-extension",
        "extension-not-published",
        "suffixed-name-too-early",
        "fabric-manager-alias-broken",
        "unsuffixed-extension",
    }
)
_MISMATCH_CODES = frozenset({"conflicting-kernel-modules", "branch-mismatch"})
_MISSING_CODES = frozenset({"toolkit-missing", "kernel-modules-missing"})
_NVIDIA_PARAM = re.compile(r"(nvidia(?:[_-](?:drm|modeset|uvm))?)\.([A-Za-z0-9_]+)(?:=.*)?")
_PLACEHOLDER = ("TEMPLATED", "${", "{{", "#{")


def _placeholder(text: str) -> bool:
    return any(mark in text for mark in _PLACEHOLDER)


def _extensions(ctx: Context) -> Iterator[Finding | tuple[ExtensionName, Hit]]:
    for hit in ctx.items(*EXTENSIONS_PATH, kind=SCHEMATIC):
        if not isinstance(hit.value, str) or _placeholder(hit.value):
            continue  # a template fills it in (templated-input says values are not checked)
        try:
            yield parse_extension(hit.value), hit
        except IntentError:
            yield ctx.finding(
                "schematic-extension-name", hit,
                f"{hit.value!r} is not an extension name; Image Factory has no such image",
                "use the official name, e.g. siderolabs/nvidia-container-toolkit-production",
                "error", release_dependent=False,
            )  # fmt: skip


def _published(ctx: Context, ext: ExtensionName, hit: Hit, gpu: _Gpu | None) -> Finding | None:
    """A branch the release does not publish for this extension (kernel modules, toolkit)."""
    if ext.role not in ("kmod", "toolkit") or ext.branch is None:
        return None
    if not ctx.version.suffixed_extensions:
        return None  # suffixed-name-too-early says it
    flavour = ext.flavour or "open"  # the toolkit: only whether the branch exists
    problem = branch_problem(talos_version=ctx.version, flavour=flavour, branch=ext.branch)
    if problem is None:
        return None
    if ext.role == "kmod":
        fix = _kmod_fix(ctx, ext, gpu)
    else:
        others = [b for b in ctx.version.driver_branches if b != ext.branch]
        fix = f"use siderolabs/{ext.base}-{others[0]} (and the other NVIDIA extensions on that branch)"
    return ctx.finding("schematic-extension-name", hit, problem[0], fix, "error")


def _kmod_fix(ctx: Context, ext: ExtensionName, gpu: _Gpu | None) -> str:
    """The kernel modules to use instead: published for the release, and driving the GPU the
    node names (any GPU when it names none)."""
    arch = gpu.arch if gpu is not None else None
    label = f"the {gpu.label} ({gpu.arch.name})" if gpu is not None else ""
    return fitting_fix(ctx.version, arch, flavour=ext.flavour, label=label)


def _alias_unpublished(
    ctx: Context, ext: ExtensionName, hit: Hit, gpu: _Gpu | None
) -> Finding | None:
    """An unsuffixed kernel-module name whose ``-lts`` alias the release does not publish
    (``nonfree-kmod-nvidia`` on 1.15, whose LTS is open-only: extensions discussion #1365, which
    also says Image Factory puts the open LTS modules in place of the nonfree ones on upgrade)."""
    if ext.role != "kmod" or ext.branch is not None or ext.flavour is None:
        return None
    problem = branch_problem(talos_version=ctx.version, flavour=ext.flavour, branch="lts")
    if problem is None:
        return None
    return ctx.finding(
        "schematic-extension-name", hit,
        f"{ext.full} is an old name that Image Factory aliases to {ext.full}-lts (internal/"
        f"profile/profile.go); {problem[0]}, so this node cannot get the {ext.flavour} modules "
        "the name asks for",
        _kmod_fix(ctx, ext, gpu), "error",
    )  # fmt: skip


def _decode(ctx: Context) -> Iterator[Finding]:
    for hit in ctx.values("schematic", kind=SCHEMATIC_DOCUMENT):
        try:
            canonical_schematic_yaml(hit.value, source=ctx.source)
        except ConfigError as exc:
            what = f"{exc.yaml_path}: {exc.message}" if exc.yaml_path else exc.message
            by_talhelper = bool(hit.path) and hit.path[-1] in ("schematic", "imageSchematic")
            if by_talhelper:
                message = (
                    f"{what}: talhelper reads schematics without checking field names "
                    "(pkg/config/loader.go yaml.Unmarshal), so this is dropped or mis-read"
                )
            else:
                message = f"{what}: Image Factory decodes schematics strictly and refuses it"
            yield ctx.finding(
                "schematic-invalid", hit, message,
                "fix it as in the Image Factory schematic format (customization: "
                "extraKernelArgs, systemExtensions.officialExtensions, meta, bootloader, "
                "secureboot; overlay)",
                "warning" if by_talhelper else "error",
            )  # fmt: skip


def _set_location(code: str, message: str, parsed: list[tuple[ExtensionName, Hit]]) -> Hit | None:
    if code == "branch-mismatch":
        for ext, hit in parsed:
            if ext.role in ("toolkit", "fabricmanager") and f"{ext.full} (" in message:
                return hit
    if code == "conflicting-kernel-modules":
        kmods = [hit for ext, hit in parsed if ext.role == "kmod"]
        return kmods[1] if len(kmods) > 1 else None
    return None


def _check_extensions(ctx: Context) -> Iterator[Finding]:
    gpu = _node_gpu(ctx)
    parsed: list[tuple[ExtensionName, Hit]] = []
    for item in _extensions(ctx):
        if isinstance(item, Finding):
            yield item
        else:
            parsed.append(item)
    seen: set[str] = set()
    for ext, hit in parsed:
        if ext.full in seen:
            yield ctx.finding(
                "schematic-duplicate-extension", hit, f"{ext.full} is listed twice",
                "list it once", "warning",
            )  # fmt: skip
        seen.add(ext.full)
        alias = _alias_unpublished(ctx, ext, hit, gpu)
        for issue in extension_set_issues([ext.full], version=ctx.version, gpu_count=None):
            if issue.code in _NAME_CODES and not (alias and issue.code == "unsuffixed-extension"):
                yield ctx.finding("schematic-extension-name", hit, issue.message, issue.fix,
                                  issue.severity)  # fmt: skip
        for found in (alias, _published(ctx, ext, hit, gpu)):
            if found is not None:
                yield found
    names = [ext.full for ext, _ in parsed]
    lists = ctx.values(*EXTENSIONS_PATH, kind=SCHEMATIC)
    for issue in extension_set_issues(names, version=ctx.version, gpu_count=None):
        if issue.code in _MISMATCH_CODES:
            where = _set_location(issue.code, issue.message, parsed) or lists[0]
            yield ctx.finding("schematic-driver-mismatch", where, issue.message, issue.fix,
                              "error")  # fmt: skip
        elif issue.code in _MISSING_CODES:
            yield ctx.finding("schematic-extension-missing", lists[0], issue.message, issue.fix,
                              "warning")  # fmt: skip
    if gpu is not None:
        yield from _check_gpu(ctx, parsed, gpu)


@dataclass(frozen=True, slots=True)
class _Gpu:
    """The GPU a talconfig node names (its GFD ``nvidia.com/gpu.product`` label), identified."""

    label: str
    arch: GPUArchitecture
    hit: Hit


def _node_gpu(ctx: Context) -> _Gpu | None:
    """The first GPU the unit names that talosgpu knows (data/gpus.toml); an unknown one is
    not guessed at."""
    for named in ctx.values("gpu", kind=GPU_MODEL):
        # GFD writes the product with dashes ("NVIDIA-GeForce-RTX-3090")
        arch = identify_gpu(model=str(named.value).replace("-", " "))
        if arch is not None:
            return _Gpu(str(named.value), arch, named)
    return None


def _build(ctx: Context, ext: ExtensionName) -> Build | None:
    """The published build an extension name gets (an unsuffixed name: its ``-lts`` alias)."""
    alias = f"{ext.full}-lts" if ext.branch is None and ctx.version.suffixed_extensions else ""
    return next((b for b in builds(ctx.version) if b.kmod in (ext.full, alias)), None)


def _check_gpu(
    ctx: Context, parsed: list[tuple[ExtensionName, Hit]], gpu: _Gpu
) -> Iterator[Finding]:
    """Kernel modules that cannot drive the GPU the node names: the flavour (open modules need
    GSP, Turing+) on every release, the branch's driver (Maxwell/Pascal/Volta end with 580,
    Blackwell needs 570+) on the release linted (data/gpus.toml, data/talos_versions.toml)."""
    for ext, hit in parsed:
        if ext.role != "kmod" or ext.flavour is None:
            continue
        reason = flavour_reason(gpu.arch, ext.flavour)
        build = _build(ctx, ext)  # None: not published (schematic-extension-name says it)
        by_driver = reason is None and build is not None
        if by_driver and build is not None:
            reason = driver_reason(gpu.arch, build)
        if reason is None:
            continue
        yield ctx.finding(
            "schematic-gpu-modules", hit,
            f"{ext.full} for the {gpu.label} the node is labelled with ({gpu.arch.name}): "
            + (f"on Talos {ctx.version}, {reason}" if by_driver else reason),
            _kmod_fix(ctx, ext, gpu), "error",
            release_dependent=True if by_driver else None,
        )  # fmt: skip


def _check_kernel_args(ctx: Context) -> Iterator[Finding]:
    for hit in ctx.items(*ARGS_PATH, kind=SCHEMATIC):
        if not isinstance(hit.value, str):
            continue
        match = _NVIDIA_PARAM.fullmatch(hit.value.strip())
        if match is None:
            continue
        module = match.group(1).replace("-", "_")
        display = (
            " nvidia_drm.modeset=1 turns on DRM kernel mode setting, which a display uses; "
            "CUDA containers do not need it."
            if module == "nvidia_drm" and match.group(2) == "modeset"
            else ""
        )
        yield ctx.finding(
            "schematic-kernel-arg", hit,
            f"{hit.value} is a parameter of the {module} module, which is not built into the "
            "kernel: it comes from the NVIDIA kernel-module extension and is loaded through "
            "machine.kernel.modules (KernelModuleConfig on 1.14), whose `parameters` is the "
            "documented place for module parameters; talosgpu has no source saying Talos's "
            f"module loader also reads them from the kernel command line.{display}",
            f"set it on the module: machine.kernel.modules: [{{name: {module}, parameters: "
            f"[{match.group(2)}=...]}}] (or a KernelModuleConfig `parameters` on 1.14), and "
            "check it with `talosctl read /sys/module/" + module + "/parameters/" + match.group(2)
            + "`",
            "info",
        )  # fmt: skip


def check_schematic(ctx: Context) -> Iterator[Finding]:
    if ctx.unit.form != "schematic":
        return
    yield from _decode(ctx)
    yield from _check_extensions(ctx)
    yield from _check_kernel_args(ctx)
