"""Checks of the container runtime side: the effective CRI config, CDI specs and their hooks.

Facts: ``talosctl read /etc/cri/conf.d/cri.toml`` — the merged CRI config Talos writes from
every ``*.part`` (``constants.CRIConfig = "cri/conf.d/cri.toml"``;
``internal/app/machined/pkg/controllers/files/cri_config_parts.go`` ≤1.13, ``cri_config.go``
1.14; research talos-internals.md §5.2); ``talosctl list DIR`` + ``talosctl read FILE`` for each
CDI spec dir (``cdi_spec_dirs``, else containerd's default for the release, §5.3);
``talosctl list /usr/local/bin`` and ``/usr/bin`` for hook binaries. Validation reuses
``cdi validate`` (:func:`talosgpu.cdi.validate_spec`) with the node's release.
"""

from __future__ import annotations

import json
from typing import Any

from talosgpu import tomlio
from talosgpu.cdi import load_spec, validate_spec
from talosgpu.cdi.hooks import iter_hooks
from talosgpu.diagnosis.expect import Expect
from talosgpu.diagnosis.facts import NodeFacts
from talosgpu.diagnosis.model import Check, Status, not_applicable, skipped
from talosgpu.errors import TalosGPUError
from talosgpu.knowledge.explain import catalog

__all__ = ["CRIView", "cri_checks", "cri_view"]

# cdi validate finding code -> the explain catalog entry of the failure it causes
_EXPLAIN = {
    "talos-hook-wrapper": "wrapper-unknown-command",
    "talos-hook-missing": "hook-binary-missing",
    "talos-hook-real": "hook-real-binary-missing",
    "no-all-device": "unresolvable-cdi-devices",
}


class CRIView:
    """The parts of the effective CRI config doctor checks, for one runtime plugin table."""

    def __init__(self, data: dict[str, Any], table: str, default_dirs: tuple[str, ...]) -> None:
        plugin = ((data.get("plugins") or {}).get(table)) or {}
        containerd = plugin.get("containerd") or {}
        self.runtimes: dict[str, str] = {}
        for name, rt in (containerd.get("runtimes") or {}).items():
            options = (rt or {}).get("options") or {}
            self.runtimes[str(name)] = str(options.get("BinaryName", "runc"))
        self.default_runtime = str(containerd.get("default_runtime_name", "runc"))
        self.enable_cdi = plugin.get("enable_cdi")
        dirs = plugin.get("cdi_spec_dirs")
        self.dirs_from_config = isinstance(dirs, list)
        self.cdi_dirs = tuple(str(d) for d in dirs) if isinstance(dirs, list) else default_dirs


def cri_view(text: str, ex: Expect, *, source: str) -> CRIView:
    return CRIView(
        tomlio.loads(text, source=source),
        ex.version.cri_runtime_table,
        tuple(ex.version.facts.cdi_default_spec_dirs),
    )


def _cri_checks(view: CRIView, source: str, ex: Expect) -> list[Check]:
    cri = ex.plan.cri
    out: list[Check] = []
    problems, evidence = [], []
    for name, binary in cri.runtimes:
        have = view.runtimes.get(name)
        evidence.append(f"{source}: runtime {name}: {have or 'absent'}")
        if have != binary:
            problems.append(
                f"runtime {name} should run {binary} (has: {have or 'no such runtime'})"
            )
    if cri.enable_cdi is not None:
        on = view.enable_cdi is True or (
            view.enable_cdi is None and ex.version.containerd_cdi_default
        )
        evidence.append(
            f"{source}: enable_cdi = {json.dumps(view.enable_cdi) if view.enable_cdi is not None else '(unset: containerd default)'}"
        )
        if cri.enable_cdi and not on:
            problems.append("enable_cdi is not true")
    missing_dirs = [d for d in cri.cdi_spec_dirs if d not in view.cdi_dirs]
    if cri.cdi_spec_dirs:
        evidence.append(
            f"{source}: cdi_spec_dirs = {json.dumps(list(view.cdi_dirs))}"
            + (
                ""
                if view.dirs_from_config
                else f" (unset: containerd's default for Talos {ex.version})"
            )
        )
    if missing_dirs:
        problems.append(f"cdi_spec_dirs lacks {', '.join(missing_dirs)}")
    if cri.default_runtime and view.default_runtime != cri.default_runtime:
        problems.append(
            f"default runtime is {view.default_runtime}, the plan says {cri.default_runtime}"
        )
    title = "CRI customization in effect"
    if cri.empty:
        out.append(Check("cri-customization", title, "pass",
                         (f"{source}: the plan for runtime mode {ex.plan.mode} customizes nothing",)))  # fmt: skip
    elif problems:
        out.append(Check("cri-customization", title, "fail", tuple(evidence),
                         cause="; ".join(problems), fix=ex.render_fix,
                         explain="no-runtime-configured" if any("runtime " in p for p in problems) else None))  # fmt: skip
    else:
        out.append(Check("cri-customization", title, "pass", tuple(evidence)))
    return out


def _handler_check(view: CRIView, source: str, facts: NodeFacts, ex: Expect) -> Check:
    title = "RuntimeClass handlers and default runtime exist in containerd"
    wanted = {h: f"the plan's RuntimeClass {h}" for h in ex.plan.runtime_classes}
    rcs = facts.runtime_classes
    elsewhere: list[str] = []
    node = facts.k8s_node.value if facts.k8s_node.known else None
    if rcs.known:
        for name, handler, selector in rcs.value or ():
            if not handler.startswith("nvidia"):
                continue
            # a class whose scheduling.nodeSelector this node does not match never runs here
            if selector and (node is None or any(node.labels.get(k) != v for k, v in selector)):
                picked = ", ".join(f"{k}={v}" for k, v in selector)
                elsewhere.append(
                    f"not judged: RuntimeClass {name} schedules on {picked}; the node's labels were not read"
                    if node is None
                    else f"not needed: RuntimeClass {name} schedules on {picked}, which this node lacks"
                )
                continue
            wanted[handler] = f"RuntimeClass {name} ({rcs.source})"
    if view.default_runtime != "runc":
        wanted[view.default_runtime] = "containerd's default_runtime_name"
    have = set(view.runtimes) | {"runc"}
    missing = sorted(h for h in wanted if h not in have)
    evidence = (
        f"{source}: runtimes {', '.join(sorted(have))}",
        *(f"needed: {h} by {w}" for h, w in sorted(wanted.items())),
        *elsewhere,
    )
    if not wanted:
        return Check(
            "runtime-handlers", title, "pass", (*evidence, "no NVIDIA runtime handler is needed")
        )
    if not missing:
        return Check("runtime-handlers", title, "pass", evidence)
    return Check("runtime-handlers", title, "fail", evidence,
                 cause=f"no runtime {', '.join(missing)} in the effective CRI config: pods using it "
                 "fail with 'no runtime for \"<handler>\" is configured'",
                 fix=ex.render_fix, explain="no-runtime-configured")  # fmt: skip


def _spec_checks(facts: NodeFacts, dirs: tuple[str, ...], ex: Expect) -> list[Check]:
    title = "CDI spec present where containerd reads it, and valid"
    v, mode = ex.version, ex.plan.mode
    if mode in ("legacy", "none"):
        reason = f"runtime mode {mode} does not inject GPUs through CDI"
        return [
            not_applicable("cdi-spec", title, reason),
            not_applicable("cdi-hook-binaries", _BINARIES, reason),
        ]
    specs = facts.cdi_specs
    if not specs.known:
        reason = f"the CDI specs were not read: {specs.skipped}"
        return [
            skipped("cdi-spec", title, str(specs.skipped)),
            _no_binaries(reason),
        ]
    listed = f"spec dirs {', '.join(dirs)}: {', '.join(s.path for s in specs.value or ()) or 'no spec files'}"
    gpu_specs = []
    out: list[Check] = []
    for spec_file in specs.value or ():
        if spec_file.text is None:
            out.append(Check("cdi-spec", title, "warn", (f"{spec_file.path}: {spec_file.error}",),
                             cause="a spec file could not be read"))  # fmt: skip
            continue
        try:
            spec = load_spec(spec_file.text, source=spec_file.path)
        except TalosGPUError as exc:
            out.append(Check("cdi-spec", title, "fail", (f"{spec_file.path}: {exc.message}",),
                             cause="containerd cannot load this spec, so its devices do not resolve",
                             fix=f"talosgpu cdi validate {spec_file.path} (after talosctl read)", explain="unresolvable-cdi-devices"))  # fmt: skip
            continue
        if spec.kind == "nvidia.com/gpu":
            gpu_specs.append(spec)
    if not gpu_specs and not out:
        if v.native_cdi and not v.nri_injection:
            fix = f"talosctl -n {ex.node} service ext-nvidia-cdi-gen restart (it writes /run/cdi/nvidia.yaml); talosctl -n {ex.node} logs ext-nvidia-cdi-gen"
        elif v.nri_injection:
            fix = "check the GPU Operator's toolkit pod on this node (it writes the CDI spec on Talos 1.15)"
        else:
            fix = f"kubectl apply the nvidia-cdi-generator Pod and nvidia-cdi-init DaemonSet: {ex.manifests_fix}"
        status: Status = "warn" if v.nri_injection else "fail"
        return [Check("cdi-spec", title, status, (listed,),
                      cause="no nvidia.com/gpu CDI spec in the dirs containerd reads: pods fail with "
                      "'unresolvable CDI devices nvidia.com/gpu=all'", fix=fix, explain="unresolvable-cdi-devices"),
                _no_binaries("no nvidia.com/gpu CDI spec names a hook to look up")]  # fmt: skip
    hook_errors = False
    for spec in gpu_specs:
        findings = validate_spec(spec, talos_version=v)
        errors = [f for f in findings if f.severity == "error"]
        if not errors:
            out.append(Check("cdi-spec", title, "pass",
                             (listed, f"{spec.source}: valid, devices {', '.join(spec.device_names)}")))  # fmt: skip
            continue
        first = errors[0]
        hook_errors = hook_errors or any(f.code.startswith("talos-hook") for f in errors)
        explain_id = _EXPLAIN.get(first.code)
        entry = next((e for e in catalog() if e.id == explain_id), None)
        check_cmd = (f"talosctl -n {ex.node} read {spec.source} > nvidia.yaml && "
                     f"talosgpu cdi validate nvidia.yaml --talos-version {v}")  # fmt: skip
        fix = ex.catalog_fix(entry.fix_for(v) if entry else first.fix)
        out.append(Check("cdi-spec", title, "fail",
                         tuple(f"{spec.source}: {f.path}: {f.message}" for f in errors),
                         cause=first.message, fix=f"{fix}; then check: {check_cmd}",
                         explain=explain_id))  # fmt: skip
    if hook_errors:  # a hook already named as wrong is not also "present"
        out.append(_no_binaries("the spec's hook paths are wrong for this release (cdi-spec)"))
    else:
        out.extend(_binaries(facts, gpu_specs, ex))
    return out


_BINARIES = "CDI hook binaries exist on the node"


def _no_binaries(reason: str) -> Check:
    return skipped("cdi-hook-binaries", _BINARIES, reason)


def _binaries(facts: NodeFacts, specs: list[Any], ex: Expect) -> list[Check]:
    title = _BINARIES
    paths = sorted(
        {
            str(h["path"])
            for s in specs
            for _, h in iter_hooks(s.data)
            if isinstance(h.get("path"), str)
        }
    )
    if not paths:
        return [
            not_applicable(
                "cdi-hook-binaries", title, "no nvidia.com/gpu CDI spec names a hook binary"
            )
        ]
    bins = facts.binaries
    if not bins.known:
        return [skipped("cdi-hook-binaries", title, str(bins.skipped))]
    present = set(bins.value or ())
    listed = [p for p in paths if p.rsplit("/", 1)[0] in facts.binary_dirs]
    unlisted = [p for p in paths if p not in listed]
    gone = [p for p in listed if p not in present]
    evidence = (
        *(f"{bins.source}: {p} {'present' if p in present else 'absent'}" for p in listed),
        *(f"{p}: not checked ({p.rsplit('/', 1)[0]} was not listed)" for p in unlisted),
    )
    if not gone and unlisted:
        reason = f"skipped: {', '.join(unlisted)} in a directory that was not listed"
        return [Check("cdi-hook-binaries", title, "skip", (reason, *evidence))]
    if not gone:
        return [Check("cdi-hook-binaries", title, "pass", evidence)]
    real = any(p.endswith(".real") for p in gone)
    return [Check("cdi-hook-binaries", title, "fail", evidence,
                  cause=f"hook {gone[0]} does not exist: containers fail at create",
                  fix=f"talosgpu cdi patch-hooks --strategy {'usr-bin' if real else 'real-binaries' if ex.version.hooks_need_real_binaries else 'usr-bin'}",
                  explain="hook-real-binary-missing" if real else "hook-binary-missing")]  # fmt: skip


def _legacy_ebpf(view: CRIView | None, facts: NodeFacts, ex: Expect) -> list[Check]:
    """The legacy runtime on kernel 6.12 + toolkit 1.17 (Talos 1.9-1.11): the talos05 failure."""
    v = ex.version
    title = "Legacy NVIDIA runtime on a kernel whose eBPF verifier rejects it"
    legacy = ex.plan.mode == "legacy" or (
        view is not None and view.default_runtime == "nvidia" and not v.native_cdi
    )
    if not legacy:
        return [
            not_applicable(
                "legacy-ebpf", title, f"runtime mode {ex.plan.mode} does not use the legacy runtime"
            )
        ]
    era = f"Talos {v} at its .0 release: kernel {v.facts.kernel}, toolkit {v.facts.toolkit} (talosgpu's version table)"  # fmt: skip
    if not v.ebpf_device_filter_window:
        return [Check("legacy-ebpf", title, "pass", (era, "the failing pair is kernel 6.12 + toolkit 1.17 (Talos 1.9-1.11)"))]  # fmt: skip
    harden = facts.bpf_jit_harden
    evidence = [era]
    if harden.known:
        value = str(harden.value).strip()
        evidence.append(f"{harden.source}: net.core.bpf_jit_harden = {value}")
        if value == "1":  # constant blinding off for root: libnvidia-container#176
            return [Check("legacy-ebpf", title, "pass", (*evidence, "bpf_jit_harden=1 is the documented workaround"))]  # fmt: skip
    return [Check("legacy-ebpf", title, "warn",
                  tuple(evidence), cause="the legacy runtime's cgroup device filter can fail with 'last insn is "
                  "not an exit or jmp' on this release (kernel 6.12 + toolkit 1.17)", fix=f"set runtime: {{mode: cdi}} in the intent, then {ex.render_fix}",
                  explain="ebpf-device-filter")]  # fmt: skip


def cri_checks(facts: NodeFacts, ex: Expect) -> list[Check]:
    """CRI customization, runtime handlers, CDI specs, hook binaries, the legacy eBPF window."""
    fact = facts.cri_config
    title = "CRI customization in effect"
    if not fact.known:
        unread = [skipped("cri-customization", title, str(fact.skipped)),
                  skipped("runtime-handlers", "RuntimeClass handlers exist in containerd", str(fact.skipped))]  # fmt: skip
        dirs = tuple(ex.version.facts.cdi_default_spec_dirs) + ex.plan.cri.cdi_spec_dirs
        return [*unread, *_spec_checks(facts, dirs, ex), *_legacy_ebpf(None, facts, ex)]
    try:
        view = cri_view(str(fact.value), ex, source=fact.source)
    except TalosGPUError as exc:
        return [
            Check(
                "cri-customization",
                title,
                "fail",
                (exc.message,),
                cause="the CRI config is not TOML",
            )
        ]
    dirs = view.cdi_dirs if not facts.cdi_dirs.known else tuple(facts.cdi_dirs.value or ())
    return [
        *_cri_checks(view, fact.source, ex),
        _handler_check(view, fact.source, facts, ex),
        *_spec_checks(facts, dirs, ex),
        *_legacy_ebpf(view, facts, ex),
    ]
