"""The runtime-mode step of planning: which path gets the GPU into containers, and hook paths.

``mode: auto`` follows the release's own guide (docs/runtime-modes.md has the table with the
guide version of each row); fields that only make sense with the device plugin pick it on
1.13/1.14 and are refused on 1.15, never mixed silently.
"""

from __future__ import annotations

from talosgpu.errors import RenderError
from talosgpu.intent.models import Intent
from talosgpu.plan_model import Decision, HookStrategy, Mode
from talosgpu.versions import TalosVersion

__all__ = ["choose_mode", "hook_strategy"]


def _nri_refusal(asked: str, v: TalosVersion) -> RenderError:
    return RenderError(
        f"runtime mode {asked!r} cannot work on Talos {v}: its nvidia-container-toolkit extension "
        "no longer ships the NVIDIA Container Toolkit (no nvidia-container-runtime binaries, "
        "so no 'nvidia' or 'nvidia-cdi' runtime); the GPU Operator installs the toolkit and "
        "injects GPUs through NRI (Talos docs v1.15 nvidia-gpu; extensions e9498f6). Use "
        "runtime mode 'operator' (or 'auto'), or stay on Talos 1.14 for this mode",
        path=".runtime.mode",
    )


def _device_plugin_fields(intent: Intent) -> tuple[list[str], Mode]:
    """The intent's fields that only make sense with the NVIDIA device plugin's runtimes, and
    the mode they ask for (``legacy`` for a default runtime ``nvidia`` alone, else ``cdi``)."""
    rt = intent.runtime
    fields: list[str] = []
    if rt.default_runtime in ("nvidia", "nvidia-cdi"):
        fields.append(f".runtime.defaultRuntime ({rt.default_runtime})")
    if rt.cdi_spec_dirs:
        fields.append(".runtime.cdiSpecDirs")
    if rt.hook_paths != "auto":
        fields.append(f".runtime.hookPaths ({rt.hook_paths})")
    legacy_only = rt.default_runtime == "nvidia" and len(fields) == 1
    return fields, "legacy" if legacy_only else "cdi"


# Why the device plugin still works on 1.13/1.14 and what moving to the guide's operator takes.
_DEVICE_PLUGIN_ON_NATIVE_CDI = (
    "the Talos {v} toolkit extension still ships the NVIDIA Container Toolkit and its `nvidia` "
    "runtime (siderolabs/extensions nvidia-container-toolkit 10-nvidia-container-runtime.part), "
    "so the device plugin keeps working; moving to the guide's GPU Operator means uninstalling "
    "the nvidia-device-plugin chart and deleting the hand-made RuntimeClass first (Talos 1.13 "
    "upgrade notes; docs/runtime-modes.md)"
)


def choose_mode(intent: Intent, v: TalosVersion, out: list[Decision], warnings: list[str]) -> Mode:
    asked = intent.runtime.mode
    if asked in ("cdi", "legacy") and v.nri_injection:
        raise _nri_refusal(asked, v)
    if asked == "operator" and not v.native_cdi:
        # refused, as cdi/legacy are on 1.15: another mode is another set of cluster objects
        # (the device plugin instead of the operator), not a detail to swap under a warning
        raise RenderError(
            f"runtime mode 'operator' needs Talos 1.13+ (native CDI; the GPU Operator with driver "
            f"and toolkit disabled, Talos docs v1.13 nvidia-gpu): on Talos {v} use runtime mode "
            "'cdi' or 'legacy' (or 'auto', which picks the release guide's)",
            path=".runtime.mode",
        )
    if asked != "auto":
        reason = "set in the intent"
        if asked in ("cdi", "legacy") and v.native_cdi:
            reason += "; " + _DEVICE_PLUGIN_ON_NATIVE_CDI.format(v=v)
        out.append(Decision("runtime-mode", f"runtime mode: {asked}", reason))
        return asked
    fields, wanted = _device_plugin_fields(intent)
    if v.nri_injection:
        if intent.runtime.hook_paths != "auto":
            # hook paths are a CDI-runtime knob: nothing to rewrite when the operator injects
            warnings.append(
                f"hookPaths {intent.runtime.hook_paths!r} ignored: Talos {v} has no NVIDIA "
                "runtime of the device plugin's; the GPU Operator's toolkit writes the CDI spec"
            )
            fields = [f for f in fields if not f.startswith(".runtime.hookPaths")]
        if fields:
            raise RenderError(
                f"{', '.join(fields)} only make sense with the NVIDIA device plugin's runtimes, "
                f"which Talos {v} no longer has: the toolkit extension ships no NVIDIA Container "
                "Toolkit and the GPU Operator injects GPUs through NRI (Talos docs v1.15 "
                "nvidia-gpu). Remove them, or stay on Talos 1.14 with runtime mode 'cdi' or "
                "'legacy'",
                path=".runtime",
            )
        mode: Mode = "operator"
        why = (
            f"on Talos {v} the nvidia-container-toolkit extension ships only the driver's "
            "userspace libraries and persistenced; the official guide installs the GPU Operator, "
            "whose toolkit injects GPUs through NRI (Talos docs v1.15 nvidia-gpu); the device "
            "plugin's own runtimes are gone, so there is no other mode on this release"
        )
    elif v.native_cdi and fields:
        mode = wanted
        why = (
            f"{', '.join(fields)} only make sense with the NVIDIA device plugin, so talosgpu does "
            f"not pick the GPU Operator the Talos {v.series[0]}.{v.series[1]} guide installs; "
            + _DEVICE_PLUGIN_ON_NATIVE_CDI.format(v=v)
            + ". Set runtime.mode to say which you want"
        )
    elif v.native_cdi:
        mode = "operator"
        why = (
            "Talos 1.13+ enables CDI in its base CRI part and the official guide uses the GPU "
            "Operator with driver and toolkit disabled (docs v1.13 and v1.14 nvidia-gpu). Most "
            "clusters upgraded from 1.12 still run the NVIDIA device plugin with the `nvidia` "
            "RuntimeClass instead: select it with runtime: {mode: legacy} (or mode: cdi for "
            "talosgpu's nvidia-cdi runtime)"
        )
    elif v.ebpf_device_filter_window or v.hooks_need_real_binaries:
        mode = "cdi"
        why = "the legacy runtime's eBPF device filter fails on kernel 6.12 (libnvidia-container#176); CDI avoids it"
        if not v.ebpf_device_filter_window:
            why = f"toolkit {v.facts.toolkit} on Talos {v} resolves to CDI hooks; an explicit CDI runtime is the predictable path"
    else:
        mode = "legacy"
        why = f"Talos {v} predates CDI hooks (toolkit {v.facts.toolkit}); the guide uses the legacy nvidia runtime"
    out.append(Decision("runtime-mode", f"runtime mode: {mode}", why))
    return mode


def hook_strategy(
    intent: Intent, v: TalosVersion, mode: Mode, out: list[Decision], warnings: list[str]
) -> HookStrategy:
    asked = intent.runtime.hook_paths
    if mode != "cdi":
        return "unchanged"
    if asked == "real-binaries" and v.hook_era == "usr-bin":
        warnings.append(
            f"hookPaths 'real-binaries' does not apply to Talos {v}: the extension wrapper and its "
            "*.real binaries are gone (talos#13022); using 'usr-bin'"
        )
        asked = "usr-bin"
    if asked == "auto" and v.hooks_need_real_binaries:
        asked = "real-binaries"
    if asked == "real-binaries":
        reason = (
            "the Talos extension's nvidia-container-runtime-wrapper dispatches on argv[0] and "
            "rejects nvidia-cdi-hook (siderolabs/extensions nvidia-container-toolkit wrapper, "
            "Talos 1.8-1.12)"
        )
        out.append(Decision("hook-paths", "CDI hook paths → *.real binaries", reason))
        return "real-binaries"
    if asked == "auto":
        return "unchanged"
    return asked
