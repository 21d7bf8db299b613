"""Intent + Talos version → Plan: every version-dependent choice, made once, with its reason.

Renderers only translate a Plan into documents; they never look at the version again except to
pick the document shape (v1alpha1 fields vs 1.14 documents). Each choice is recorded as a
:class:`Decision` (shown by ``talosgpu render --explain`` and in the patch header). The data
types are in :mod:`talosgpu.plan_model`, the runtime-mode step in :mod:`talosgpu.plan_mode`,
the whole-node parts in :mod:`talosgpu.plan_node`, the hardware check in
:mod:`talosgpu.plan_hardware`.
"""

from __future__ import annotations

from typing import Any

from talosgpu.errors import RenderError, VersionError
from talosgpu.intent.models import Intent
from talosgpu.plan_hardware import hardware_findings
from talosgpu.plan_mode import choose_mode, hook_strategy
from talosgpu.plan_model import (
    CDI_BINARY,
    CDI_INIT_LABEL,
    CONFIG_LABEL,
    DEFAULT_MODULES,
    GPU_PRESENT_LABEL,
    HANDLER_LABEL_PREFIX,
    LEGACY_BINARY,
    CDIInit,
    CRIPlan,
    Decision,
    HookStrategy,
    Mode,
    Module,
    Plan,
)
from talosgpu.plan_node import installer_image, kernel_arg_warnings, other_extensions
from talosgpu.versions import DEFAULT_VERSION, TalosVersion, version_option

__all__ = [
    "CDI_BINARY",
    "CDI_INIT_LABEL",
    "CONFIG_LABEL",
    "DEFAULT_MODULES",
    "GPU_PRESENT_LABEL",
    "HANDLER_LABEL_PREFIX",
    "LEGACY_BINARY",
    "CDIInit",
    "CRIPlan",
    "Decision",
    "HookStrategy",
    "Mode",
    "Module",
    "Plan",
    "plan_summary",
    "resolve",
    "target_version",
]


def _cdi_init(mode: str, v: TalosVersion, cri: CRIPlan, hooks: str) -> CDIInit | None:
    if mode != "cdi" or v.cdi_enabled_by_default:
        return None
    dirs = cri.cdi_spec_dirs or v.facts.cdi_default_spec_dirs
    # the source is the first dir that survives a reboot (/run and /var/run are tmpfs)
    persistent = [d for d in dirs if not d.startswith(("/run/", "/var/run/"))]
    source = (persistent or list(dirs))[0]
    return CDIInit(
        source=source,
        targets=tuple(d for d in dirs if d != source),
        rewrite_hooks=hooks == "real-binaries",
    )


def _modules(intent: Intent, warnings: list[str]) -> tuple[Module, ...]:
    if intent.kernel_modules is None:
        return tuple(Module(name) for name in DEFAULT_MODULES)
    modules = tuple(Module(m.name, tuple(m.parameters)) for m in intent.kernel_modules)
    names = [m.name for m in modules]
    if len(set(names)) != len(names):
        raise RenderError("a kernel module is listed twice", path=".kernelModules")
    missing = [n for n in DEFAULT_MODULES if n not in names]
    if "nvidia" in names and missing:
        warnings.append(
            f"kernel modules {', '.join(missing)} are not loaded; CUDA needs nvidia_uvm"
        )
    if "nvidia" in names and names.index("nvidia") != 0:
        warnings.append("load 'nvidia' before the other NVIDIA modules (they depend on it)")
    return modules


def _cri(
    intent: Intent, v: TalosVersion, mode: Mode, out: list[Decision], warnings: list[str]
) -> CRIPlan:
    rt = intent.runtime
    runtimes: list[tuple[str, str]] = []
    enable_cdi: bool | None = None
    dirs: tuple[str, ...] = ()
    default = rt.default_runtime
    if mode == "cdi":
        runtimes.append(("nvidia-cdi", CDI_BINARY))
        if not v.cdi_enabled_by_default:
            enable_cdi = True
            dirs = tuple(rt.cdi_spec_dirs or ("/var/cdi", "/var/run/cdi"))
            out.append(
                Decision(
                    "cdi",
                    f"enable CDI in containerd, spec dirs {', '.join(dirs)}",
                    _cdi_reason(v),
                )
            )
        elif rt.cdi_spec_dirs:
            dirs = tuple(d for d in rt.cdi_spec_dirs if d not in v.facts.cdi_default_spec_dirs)
            warnings.append(
                f"Talos {v} already reads CDI specs from {', '.join(v.facts.cdi_default_spec_dirs)}; "
                "extra dirs are appended to that list (TOML arrays concatenate across parts)"
            )
    elif rt.cdi_spec_dirs:
        warnings.append(
            f"cdiSpecDirs ignored: runtime mode {mode!r} does not use talosgpu's CDI runtime"
        )
    if default not in (None, "runc") and v.nri_injection:
        raise RenderError(
            f"default runtime {default!r} does not exist on Talos {v}: the extension ships no "
            "NVIDIA runtime binaries and the GPU Operator's NRI plugin needs none (leave "
            "defaultRuntime unset)",
            path=".runtime.defaultRuntime",
        )
    if default is not None:
        known = {name for name, _ in runtimes} | (
            {"nvidia"} if mode in ("legacy", "cdi") else set()
        )
        if mode == "operator" and default == "nvidia" and not v.nri_injection:
            known.add("nvidia")
        if default not in known | {"runc"}:
            raise RenderError(
                f"default runtime {default!r} is not defined for runtime mode {mode!r} "
                f"(known: {', '.join(sorted(known | {'runc'}))})",
                path=".runtime.defaultRuntime",
            )
        if default == "nvidia":
            warnings.append(
                "defaultRuntime 'nvidia' makes every pod on the node use the legacy NVIDIA runtime; "
                "prefer runtimeClassName: nvidia on GPU pods"
            )
    if mode == "operator" and (rt.cdi_spec_dirs or runtimes):
        warnings.append(
            "runtime mode 'operator': the GPU Operator manages runtimes; CRI extras ignored"
        )
    return CRIPlan(
        table=v.cri_runtime_table,
        enable_cdi=enable_cdi,
        cdi_spec_dirs=dirs,
        runtimes=tuple(runtimes),
        default_runtime=default,
        extra_toml=rt.extra_cri_toml,
    )


def _cdi_reason(v: TalosVersion) -> str:
    dirs = ", ".join(v.facts.cdi_default_spec_dirs)
    if v.containerd_cdi_default:
        return (
            f"containerd {v.facts.containerd} enables CDI by default (containerd#9621; spec dirs "
            f"{dirs}), though Talos {v}'s base CRI part does not set it; talosgpu sets it "
            "explicitly and lists writable dirs, because /etc is read-only (Talos docs "
            "containerd)"
        )
    return (
        f"containerd {v.facts.containerd} (Talos {v}) has CDI off by default; /etc is read-only, "
        "so the spec dirs are under /var (Talos docs containerd)"
    )


def _sysctls(
    intent: Intent, v: TalosVersion, mode: Mode, out: list[Decision], warnings: list[str]
) -> dict[str, str]:
    sysctls = {k: str(val) for k, val in intent.sysctls.items()}
    choice = intent.runtime.bpf_jit_harden
    wanted = choice == "set" or (
        choice == "auto" and mode == "legacy" and v.bpf_jit_harden_documented
    )
    key = "net.core.bpf_jit_harden"
    if wanted and key not in sysctls:
        sysctls[key] = "1"
        out.append(
            Decision(
                "bpf-jit-harden",
                "sysctl net.core.bpf_jit_harden=1",
                "the legacy runtime rewrites the cgroup eBPF device filter, which fails under "
                "KSPP's bpf_jit_harden=2 (libnvidia-container#176; Talos guide <= 1.12)",
            )
        )
        if not v.bpf_jit_harden_documented:
            warnings.append(
                f"bpf_jit_harden=1 weakens KSPP hardening and is not needed on Talos {v}"
            )
    if mode == "legacy" and v.ebpf_device_filter_window and sysctls.get(key) != "1":
        warnings.append(
            f"Talos {v} runs kernel {v.facts.kernel}: the legacy runtime can fail with 'unable to "
            "generate new device filter program'; runtime mode 'cdi' avoids it"
        )
    return sysctls


def target_version(
    intent: Intent, version: TalosVersion | str | None = None, *, assume_newest_known: bool = False
) -> TalosVersion:
    """The release to plan for: ``version`` (``--talos-version``), the intent's, or the default.

    A release newer than talosgpu knows is refused (:class:`VersionError`) unless
    ``assume_newest_known``; the error names where the version came from.
    """
    if version is not None:
        given = version_option(version, assume_newest_known=assume_newest_known)
        assert given is not None
        return given
    text = intent.talos_version or DEFAULT_VERSION
    try:
        return TalosVersion.parse(text, assume_newest_known=assume_newest_known).require_known()
    except VersionError as exc:
        raise VersionError(exc.message, path=".talosVersion") from None


def resolve(
    intent: Intent,
    version: TalosVersion | str | None = None,
    *,
    assume_newest_known: bool = False,
) -> Plan:
    """Make every version-dependent choice for ``intent`` on ``version``.

    Raises :class:`VersionError` for a release newer than talosgpu knows unless
    ``assume_newest_known`` (then the newest known facts are used and a warning says so).
    """
    v = target_version(intent, version, assume_newest_known=assume_newest_known)
    decisions: list[Decision] = []
    warnings: list[str] = list(v.warnings)
    if v.facts_note:
        decisions.append(
            Decision(
                "version-facts",
                v.facts_note,
                "talosgpu's version table (its sources name what was read)"
                if not v.assumed
                else f"Talos {v} is not in talosgpu's version table",
            )
        )
    if version is None and intent.talos_version is None:
        warnings.append(f"no talosVersion given; rendering for Talos {v}")

    gpu_label, hw_warnings = hardware_findings(intent, v)
    warnings.extend(hw_warnings)
    if gpu_label:
        driver = intent.gpu.driver
        decisions.append(
            Decision(
                "hardware",
                f"{gpu_label}, {driver.flavour} kernel modules, {driver.branch} branch",
                "checked against talosgpu's hardware table (open modules need Turing+; "
                "Maxwell-Volta end with the 580 LTS branch)",
            )
        )
    mode = choose_mode(intent, v, decisions, warnings)
    if mode == "operator" and v.nri_injection:
        decisions.append(
            Decision(
                "gpu-injection",
                "GPU Operator installs the NVIDIA Container Toolkit and injects GPUs through NRI "
                f"(operator >= {v.gpu_operator_min}; no RuntimeClass, no runtimeClassName)",
                f"the Talos {v} nvidia-container-toolkit extension ships no toolkit and NRI is on "
                "by default (extensions e9498f6; gpu-operator v26.7.0 cdi.nriPluginEnabled)",
            )
        )
    hooks = hook_strategy(intent, v, mode, decisions, warnings)
    cri = _cri(intent, v, mode, decisions, warnings)
    labels = dict(intent.labels)
    if mode in ("cdi", "legacy") and GPU_PRESENT_LABEL not in labels:
        labels[GPU_PRESENT_LABEL] = "true"
        decisions.append(
            Decision(
                "gpu-present-label",
                f"node label {GPU_PRESENT_LABEL}=true",
                "the NVIDIA device plugin (>= 0.15) only schedules on nodes with this label "
                "unless NFD/GFD set it",
            )
        )
    sharing = intent.sharing
    if mode in ("cdi", "legacy") and sharing.strategy != "none" and CONFIG_LABEL not in labels:
        entry = f"{sharing.strategy}-x{sharing.replicas}"
        labels[CONFIG_LABEL] = entry
        decisions.append(
            Decision(
                "device-plugin-config",
                f"node label {CONFIG_LABEL}={entry}",
                "the device plugin picks this node's sharing config by this label, so nodes "
                "with different sharing can share one chart install (k8s-device-plugin README)",
            )
        )
    if intent.taints and intent.node.role == "worker":
        warnings.append(
            "node taints on a worker are applied when the node registers; NodeRestriction stops "
            "the kubelet changing its own taints later (taint existing nodes with kubectl)"
        )
    keep_dirs: tuple[str, ...] = ()
    if cri.cdi_spec_dirs and not v.gpu_documents:
        keep_dirs = tuple(d for d in cri.cdi_spec_dirs if d.startswith("/var/"))
    runtime_classes: tuple[str, ...] = ()
    if mode == "legacy":
        runtime_classes = ("nvidia",)
    elif mode == "cdi":
        runtime_classes = ("nvidia-cdi",)
    for handler in runtime_classes:
        key = HANDLER_LABEL_PREFIX + handler
        if key not in labels:
            labels[key] = "true"
            decisions.append(
                Decision(
                    "handler-label",
                    f"node label {key}=true",
                    f"RuntimeClass {handler} selects the nodes with this label: its pods land "
                    f"only where containerd has the {handler} runtime (also in a fleet whose "
                    "other nodes have other runtimes)",
                )
            )
    extensions, notes = other_extensions(intent, v, warnings)
    image, installer_note = installer_image(intent, v, version, extensions)
    decisions += [Decision(*n) for n in (*notes, *installer_note)]
    warnings.extend(kernel_arg_warnings(intent))
    cdi_init = _cdi_init(mode, v, cri, hooks)
    if cdi_init is not None and cdi_init.needs_daemonset and CDI_INIT_LABEL not in labels:
        labels[CDI_INIT_LABEL] = cdi_init.variant
        decisions.append(
            Decision(
                "cdi-init-label",
                f"node label {CDI_INIT_LABEL}={cdi_init.variant}",
                "the nvidia-cdi-init DaemonSet selects the nodes with this label: it runs only "
                "where its spec dirs and hook rewrite are the node's (also in a fleet)",
            )
        )
    modules = _modules(intent, warnings)
    sysctls = _sysctls(intent, v, mode, decisions, warnings)
    return Plan(
        intent=intent,
        version=v,
        mode=mode,
        modules=modules,
        udev_rules=tuple(intent.udev_rules),
        labels=labels,
        annotations=dict(intent.annotations),
        taints=dict(intent.taints),
        sysctls=sysctls,
        cri=cri,
        keep_dirs=keep_dirs,
        hook_strategy=hooks,
        runtime_classes=runtime_classes,
        decisions=tuple(decisions),
        warnings=tuple(dict.fromkeys(warnings)),
        cdi_init=cdi_init,
        extensions=extensions,
        installer_image=image,
    )


def plan_summary(plan: Plan) -> dict[str, Any]:
    """A JSON-friendly view of the plan (for ``render --explain --format json``)."""
    return {
        "talosVersion": str(plan.version),
        "mode": plan.mode,
        "hookStrategy": plan.hook_strategy,
        "decisions": [
            {"id": d.id, "summary": d.summary, "reason": d.reason} for d in plan.decisions
        ],
        "warnings": list(plan.warnings),
    }
