"""Checks on the Talos side that need no container runtime: release, extensions, modules,
driver messages, services.

Facts: ``talosctl version`` (Tag), ``talosctl get extensions -o yaml`` (ExtensionStatus; kmod
version ``<driver>-<talos tag>``, toolkit ``<driver>-<toolkit>`` and, from 1.15, ``<driver>``:
research talos-internals.md §6, talos-1.14-1.15-gpu.md §3), ``talosctl read /proc/modules``,
``talosctl dmesg``, ``talosctl get services -o yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from talosgpu.diagnosis.expect import Expect
from talosgpu.diagnosis.facts import Extension, Fact, NodeFacts
from talosgpu.diagnosis.model import Check, Status, skipped
from talosgpu.diagnosis.parse import nvidia_kernel_lines
from talosgpu.knowledge.explain import explain
from talosgpu.knowledge.extensions import ExtensionName, parse_extension

__all__ = ["node_checks"]

_CDI_GEN = "ext-nvidia-cdi-gen"


def _skip(ident: str, title: str, fact: Fact[Any]) -> Check:
    return skipped(ident, title, fact.skipped or "not gathered")


def _version(facts: NodeFacts, ex: Expect) -> Check:
    title = "Talos release"
    if not facts.talos_tag.known:
        return Check(
            "talos-version",
            title,
            "warn",
            (f"skipped: {facts.talos_tag.skipped}", f"checked against Talos {ex.version} facts"),
            cause="the node's release is unknown, so the expected state may be another release's",
            fix="give --talos-version with the node's release",
        )
    tag = str(facts.talos_tag.value)
    evidence = (
        f"{facts.talos_tag.source}: Tag {tag}",
        f"checked against the plan for Talos {ex.version}",
    )
    return Check("talos-version", title, "pass", evidence)


def _extensions(facts: NodeFacts, ex: Expect) -> list[Check]:
    title = "NVIDIA system extensions"
    fact = facts.extensions
    if not fact.known:
        return [
            _skip("extensions", title, fact),
            _skip("driver-versions", "Same driver version in kernel modules and toolkit", fact),
        ]
    parsed = [(parse_extension(e.name), e) for e in fact.value or () if e.name]
    installed = {p.base: e for p, e in parsed}
    by_role = {p.role: p for p, _ in parsed}
    names = {e.name: e for _, e in parsed}
    evidence = tuple(f"{fact.source}: {e.name} {e.version}" for e in fact.value or ()) or (
        f"{fact.source}: no extensions installed",
    )
    missing: list[tuple[ExtensionName, ExtensionName | None]] = []
    other_flavour: list[tuple[ExtensionName, ExtensionName | None]] = []
    for want in (parse_extension(n) for n in ex.extensions):
        if want.base in installed:
            continue
        have = by_role.get(want.role) if want.role == "kmod" else None
        if have is not None and ex.assumed:
            continue  # no intent: either flavour of kernel modules is a driver
        (other_flavour if have is not None else missing).append((want, have))
    if missing:
        wanted = ", ".join(w.full for w, _ in missing)
        cause = (f"missing {wanted}: the node's image was built without it, so the driver (kernel "
                 "modules) or the toolkit/libraries are not on the node")  # fmt: skip
        return [
            Check(
                "extensions",
                title,
                "fail",
                evidence,
                cause=cause,
                fix=ex.upgrade_fix,
                explain="module-not-found",
            ),
            _driver_versions(names, fact.source),
        ]
    problems = [f"the node has {h.full}, the intent wants {w.full}" for w, h in other_flavour if h]
    if not ex.assumed:
        problems += [
            f"{parse_extension(installed[w.base].name).full} (the intent's branch is {w.branch})"
            for w in (parse_extension(n) for n in ex.extensions)
            if w.base in installed
            and w.branch
            and parse_extension(installed[w.base].name).branch not in (None, w.branch)
        ]
    status: Status = "warn" if problems else "pass"
    cause = f"the extensions differ from the intent: {'; '.join(problems)}" if problems else ""
    return [
        Check(
            "extensions",
            title,
            status,
            evidence,
            cause=cause,
            fix=ex.upgrade_fix if problems else "",
        ),
        _driver_versions(names, fact.source),
    ]


def _driver_versions(installed: Mapping[str, Extension], source: str) -> Check:
    title = "Same driver version in kernel modules and toolkit"
    drivers: dict[str, str] = {}
    for name, ext in installed.items():
        role = parse_extension(name).role
        if role in ("kmod", "toolkit"):
            drivers[name] = ext.version.split("-", 1)[0]
    if len(drivers) < 2:
        return Check(
            "driver-versions",
            title,
            "skip",
            ("skipped: fewer than two NVIDIA driver extensions installed",),
        )
    evidence = tuple(f"{source}: {name} driver {drv}" for name, drv in sorted(drivers.items()))
    if len(set(drivers.values())) == 1:
        return Check("driver-versions", title, "pass", evidence)
    return Check(
        "driver-versions",
        title,
        "fail",
        evidence,
        cause="the kernel modules and the user-space libraries come from different driver "
        "releases: NVML fails with 'Driver/library version mismatch'",
        fix="install both extensions from the same branch (one schematic, e.g. both -lts), then upgrade",
        explain="nvml-version-mismatch",
    )


def _modules(facts: NodeFacts, ex: Expect) -> Check:
    title = "NVIDIA kernel modules loaded"
    fact = facts.modules
    if not fact.known:
        return _skip("modules", title, fact)
    loaded = set(fact.value or ())
    wanted = [m.name for m in ex.plan.modules]
    missing = [m for m in wanted if m not in loaded]
    nvidia = sorted(m for m in loaded if m.startswith("nvidia"))
    evidence = (f"{fact.source}: loaded {', '.join(nvidia) or 'no nvidia modules'}",)
    if not missing:
        return Check("modules", title, "pass", evidence)
    return Check(
        "modules",
        title,
        "fail",
        evidence,
        cause=f"not loaded: {', '.join(missing)} (Talos loads only the modules its config names; "
        "the extensions blacklist them otherwise)",
        fix=ex.render_fix,
        explain="driver-not-loaded",
    )


def _dmesg(facts: NodeFacts, ex: Expect) -> list[Check]:
    title = "NVIDIA driver messages in the kernel log"
    fact = facts.dmesg
    if not fact.known:
        return [_skip("driver-log", title, fact)]
    lines = nvidia_kernel_lines(str(fact.value))
    if not lines:
        return [Check("driver-log", title, "warn", (f"{fact.source}: no NVRM/nvidia lines",),
                      cause="the driver never logged: not loaded, or the log rotated", fix=ex.render_fix)]  # fmt: skip
    text = "\n".join(lines)
    matches = explain(text, talos_version=ex.version)
    if not matches:
        loaded = next((line for line in lines if "Kernel Module" in line), lines[0])
        return [Check("driver-log", title, "pass", (f"{fact.source}: {len(lines)} line(s), no known error", loaded.strip()))]  # fmt: skip
    return [
        Check("driver-log", f"{title}: {m.title}", "fail", (f"{fact.source}: {m.excerpt}",),
              cause=m.cause, fix=ex.catalog_fix(m.fix), explain=m.id)
        for m in matches
    ]  # fmt: skip


def _services(facts: NodeFacts, ex: Expect) -> Check:
    title = "NVIDIA extension services"
    fact = facts.services
    if not fact.known:
        return _skip("services", title, fact)
    nvidia = [s for s in fact.value or () if s.id.startswith("ext-nvidia")]
    evidence = tuple(
        f"{fact.source}: {s.id} {'running' if s.running else 'not running'}"
        f"{', healthy' if s.healthy else ''}"
        for s in nvidia
    ) or (f"{fact.source}: no ext-nvidia services",)
    down = [s.id for s in nvidia if not s.running]
    v = ex.version
    # ext-nvidia-cdi-gen: extensions v1.13.0+ (nvidia-container-toolkit/*/nvidia-cdi-gen.yaml);
    # whether 1.15's toolkit-less extension still ships it is not verified (research 1.15 §5).
    expects_gen = v.native_cdi and not v.nri_injection and ex.plan.mode != "none"
    if down:
        return Check("services", title, "fail", evidence,
                     cause=f"{', '.join(down)} not running",
                     fix=f"talosctl -n {ex.node} service {down[0]} restart; talosctl -n {ex.node} logs {down[0]}")  # fmt: skip
    if expects_gen and not any(s.id == _CDI_GEN for s in nvidia):
        return Check("services", title, "fail", evidence,
                     cause=f"{_CDI_GEN} is missing: on Talos {v} it writes /run/cdi/nvidia.yaml",
                     fix=ex.upgrade_fix, explain="unresolvable-cdi-devices")  # fmt: skip
    if v.nri_injection and not nvidia:
        return Check("services", title, "skip",
                     (*evidence, f"skipped: which ext-nvidia services Talos {v}'s extension runs is not verified"))  # fmt: skip
    return Check("services", title, "pass", evidence)


def node_checks(facts: NodeFacts, ex: Expect) -> list[Check]:
    """Release, extensions, driver versions, modules, kernel log, services."""
    return [
        _version(facts, ex),
        *_extensions(facts, ex),
        _modules(facts, ex),
        *_dmesg(facts, ex),
        _services(facts, ex),
    ]
