"""The plan's data: what a GPU node needs on one Talos release, as frozen values.

:func:`talosgpu.plan.resolve` builds a :class:`Plan`; renderers and the Kubernetes objects only
read it. The label and binary constants are the plan's facts that more than one layer names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

from talosgpu.intent.models import Intent
from talosgpu.versions import TalosVersion

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
]

DEFAULT_MODULES = ("nvidia", "nvidia_uvm", "nvidia_drm", "nvidia_modeset")
GPU_PRESENT_LABEL = "nvidia.com/gpu.present"
CONFIG_LABEL = "nvidia.com/device-plugin.config"
# Put on a node for each runtime handler talosgpu's plan uses there; the RuntimeClass of that
# handler selects exactly these nodes, so in a fleet its pods never land on a node whose
# containerd lacks the handler (RuntimeClass scheduling, kubernetes.io docs).
HANDLER_LABEL_PREFIX = "runtime.talosgpu.dev/"
# Put on a node whose CDI spec talosgpu's init DaemonSet copies or rewrites; the value names the
# variant (spec dirs, hook rewrite), so nodes needing another variant are never selected.
CDI_INIT_LABEL = HANDLER_LABEL_PREFIX + "cdi-init"
# The toolkit extension's runtime binaries (extensions repo nvidia-gpu/nvidia-container-toolkit,
# 10-nvidia-container-runtime.part: BinaryName = "/usr/local/bin/nvidia-container-runtime").
LEGACY_BINARY = "/usr/local/bin/nvidia-container-runtime"
CDI_BINARY = "/usr/local/bin/nvidia-container-runtime.cdi"

Mode = Literal["cdi", "legacy", "operator", "none"]
HookStrategy = Literal["real-binaries", "usr-bin", "unchanged"]


@dataclass(frozen=True, slots=True)
class Decision:
    """One choice the plan made, and why (cites the upstream fact it relies on)."""

    id: str
    summary: str
    reason: str


@dataclass(frozen=True, slots=True)
class Module:
    name: str
    parameters: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CRIPlan:
    """What goes into the containerd CRI customization part (or CRICustomizationConfig)."""

    table: str
    enable_cdi: bool | None
    cdi_spec_dirs: tuple[str, ...]
    runtimes: tuple[tuple[str, str], ...]  # (runtime name, BinaryName)
    default_runtime: str | None
    extra_toml: str | None

    @property
    def empty(self) -> bool:
        return (
            self.enable_cdi is None
            and not self.cdi_spec_dirs
            and not self.runtimes
            and self.default_runtime is None
            and not self.extra_toml
        )


@dataclass(frozen=True, slots=True)
class CDIInit:
    """What talosgpu's CDI init does on a node (cdi mode before 1.13, when nothing on the node
    writes a CDI spec): where ``nvidia-ctk cdi generate`` writes, where the spec is copied, and
    whether hook paths are rewritten to the ``*.real`` binaries."""

    source: str
    targets: tuple[str, ...]
    rewrite_hooks: bool

    @property
    def needs_daemonset(self) -> bool:
        return bool(self.targets or self.rewrite_hooks)

    @property
    def variant(self) -> str:
        key = f"{self.source}|{','.join(self.targets)}|{self.rewrite_hooks}"
        return hashlib.sha256(key.encode()).hexdigest()[:8]


@dataclass(frozen=True, slots=True)
class Plan:
    intent: Intent
    version: TalosVersion
    mode: Mode
    modules: tuple[Module, ...]
    udev_rules: tuple[str, ...]
    labels: dict[str, str]
    annotations: dict[str, str]
    taints: dict[str, str]
    sysctls: dict[str, str]
    cri: CRIPlan
    keep_dirs: tuple[str, ...]
    hook_strategy: HookStrategy
    runtime_classes: tuple[str, ...]
    decisions: tuple[Decision, ...]
    warnings: tuple[str, ...] = field(default=())
    cdi_init: CDIInit | None = None
    extensions: tuple[str, ...] = ()  # the node's other official extensions, factory names
    installer_image: str | None = None  # intent.installer: the factory installer of its schematic

    @property
    def uses_device_plugin(self) -> bool:
        return self.mode in ("cdi", "legacy")
