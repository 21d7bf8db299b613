"""The intent format: what a user wants for one NVIDIA GPU node, independent of Talos version.

Strict (``extra="forbid"``) and frozen pydantic models; YAML keys are camelCase like Talos and
Kubernetes. Syntax rules follow Talos and Kubernetes (see ``intent/rules.py``); semantic rules
that depend on the Talos version (what the release can do, what it no longer needs) live in
``plan.py``. The JSON Schema of this format is generated from these models (``talosgpu schema``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from talosgpu.errors import VersionError
from talosgpu.intent import rules
from talosgpu.versions import TalosVersion, unquoted_hint

__all__ = [
    "DriverSpec",
    "GPUSpec",
    "InstallerSpec",
    "Intent",
    "KernelModule",
    "NodePatch",
    "NodeSpec",
    "RuntimeSpec",
    "SharingSpec",
    "TimeSlicing",
]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=False,
        str_strip_whitespace=False,
    )


ModuleName = Annotated[str, AfterValidator(rules.check_module_name)]
UdevRule = Annotated[str, AfterValidator(rules.check_udev_rule)]
CDIDir = Annotated[str, AfterValidator(rules.check_cdi_dir)]
CRIToml = Annotated[str, AfterValidator(rules.check_toml)]


class DriverSpec(_Model):
    flavour: Literal["open", "proprietary"] = Field(
        default="open",
        description="Kernel modules: 'open' (nvidia-open-gpu-kernel-modules, Turing or newer) "
        "or 'proprietary' (nonfree-kmod-nvidia, needed for Maxwell/Pascal/Volta).",
    )
    branch: Literal["lts", "production", "new-feature"] = Field(
        default="lts",
        description="Driver branch of the Talos NVIDIA extensions (-lts / -production, Talos "
        "1.8+; -new-feature, Talos 1.15+). From Talos 1.15 the lts and new-feature branches "
        "are open kernel modules only.",
    )


class GPUSpec(_Model):
    vendor: Literal["nvidia"] = Field(default="nvidia", description="GPU vendor (only NVIDIA).")
    model: str | None = Field(
        default=None,
        description="Marketing name, e.g. 'Quadro P2000' or 'RTX 2070 Super'; used for "
        "hardware compatibility checks.",
    )
    pci_id: str | None = Field(
        default=None,
        pattern=r"^(?i:10de):[0-9a-fA-F]{4}$",
        description="PCI vendor:device id, e.g. '10de:1c30' (from lspci -nn).",
    )
    count: int = Field(default=1, ge=0, le=64, description="Physical GPUs in the node.")
    driver: DriverSpec = Field(default_factory=DriverSpec, description="Driver flavour and branch.")
    fabric_manager: bool = Field(
        default=False, description="Install the NVIDIA fabric manager (HGX / NVSwitch systems)."
    )


class KernelModule(_Model):
    name: ModuleName = Field(description="Kernel module name, e.g. 'nvidia_uvm'.")
    parameters: tuple[str, ...] = Field(
        default=(),
        description="Module parameters such as 'NVreg_OpenRmEnableUnsupportedGpus=1'. Talos only "
        "applies them when the module is first loaded (i.e. after a reboot).",
    )

    @field_validator("parameters")
    @classmethod
    def _params(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for param in value:
            rules.check_module_parameter(param)
        return value


class NodeSpec(_Model):
    name: str | None = Field(default=None, description="Node (host) name, e.g. 'talos05'.")
    address: str | None = Field(
        default=None,
        description="Talos API address used by diff/apply (--node), e.g. '192.168.1.194'.",
    )
    role: Literal["worker", "controlplane"] = Field(
        default="worker", description="Talos machine type of the node."
    )
    arch: Literal["amd64", "arm64"] = Field(default="amd64", description="CPU architecture.")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else rules.check_dns_name(value, what="node name")


class RuntimeSpec(_Model):
    mode: Literal["auto", "cdi", "legacy", "operator", "none"] = Field(
        default="auto",
        description="How containers get the GPU: 'cdi' (nvidia-cdi runtime + CDI specs), 'legacy' "
        "(the extension's nvidia runtime), 'operator' (NVIDIA GPU Operator with native CDI, Talos "
        "1.13+), 'none' (no containerd changes), 'auto' (talosgpu picks for the Talos version).",
    )
    default_runtime: str | None = Field(
        default=None,
        description="Make this runtime containerd's default for every pod on the node (e.g. "
        "'nvidia-cdi'). Leave unset to select GPU pods with a RuntimeClass instead.",
    )
    cdi_spec_dirs: tuple[CDIDir, ...] | None = Field(
        default=None,
        description="Directories containerd reads CDI specs from. Must be writable on Talos "
        "(/etc is read-only): use /var/... or /run/.... Default depends on the Talos version.",
    )
    hook_paths: Literal["auto", "real-binaries", "usr-bin", "unchanged"] = Field(
        default="auto",
        description="Rewrite CDI hook paths: 'real-binaries' (*.real, Talos 1.8-1.12 extension "
        "wrapper), 'usr-bin' (Talos 1.13+ symlinks), 'unchanged', or 'auto' (by version).",
    )
    extra_cri_toml: CRIToml | None = Field(
        default=None,
        description="More containerd CRI settings (TOML) to merge into the same customization "
        "part; a key that contradicts talosgpu's own settings is an error.",
    )
    bpf_jit_harden: Literal["auto", "set", "leave"] = Field(
        default="auto",
        description="Set net.core.bpf_jit_harden=1 (the legacy runtime's eBPF device-filter "
        "workaround): 'set', 'leave' (keep Talos's KSPP default 2), or 'auto' (legacy runtime on "
        "releases whose guide documents it).",
    )


class InstallerSpec(_Model):
    platform: str = Field(
        default="metal",
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="Image Factory platform of the installer: 'metal', 'nocloud', 'aws', 'gcp', "
        "'azure', 'vmware', ... (from Talos 1.10 each platform has its own installer).",
    )
    secure_boot: bool = Field(
        default=False,
        description="Use the SecureBoot installer (signed UKI and systemd-boot): "
        "'<platform>-installer-secureboot'. A SecureBoot node needs it.",
    )


class NodePatch(_Model):
    """One Talos patch for the rest of the node's config, applied after talosgpu's documents."""

    file: str | None = Field(
        default=None,
        description="A Talos patch file, relative to the intent (or inventory) file: strategic "
        "merge documents, or a JSON6902 operation list (applied to the node's whole config "
        "after the merged patch; list it after the strategic ones).",
    )
    inline: dict[str, Any] | None = Field(
        default=None,
        description="A strategic merge patch document written inline, e.g. "
        "{machine: {network: {hostname: gpu-1}}}.",
    )

    @model_validator(mode="after")
    def _one(self) -> NodePatch:
        if (self.file is None) == (self.inline is None):
            raise ValueError("a patch is either file: PATH or inline: {...}")
        return self


class TimeSlicing(_Model):
    replicas: int = Field(ge=2, le=64, description="Advertise each GPU as this many resources.")
    rename_by_default: bool = Field(
        default=False, description="Advertise shared GPUs as nvidia.com/gpu.shared."
    )
    fail_requests_greater_than_one: bool = Field(
        default=True, description="Reject pods asking for more than one shared GPU (recommended)."
    )


class SharingSpec(_Model):
    strategy: Literal["none", "time-slicing", "mps"] = Field(
        default="none", description="GPU sharing method of the NVIDIA device plugin."
    )
    replicas: int | None = Field(
        default=None, ge=2, le=64, description="Replicas per GPU for time-slicing or MPS (>= 2)."
    )
    rename_by_default: bool = Field(
        default=False, description="Advertise shared GPUs as nvidia.com/gpu.shared."
    )
    fail_requests_greater_than_one: bool = Field(
        default=True, description="Reject pods asking for more than one shared GPU (recommended)."
    )

    @model_validator(mode="after")
    def _replicas(self) -> SharingSpec:
        if self.strategy != "none" and self.replicas is None:
            raise ValueError(f"sharing strategy {self.strategy!r} needs replicas (>= 2)")
        if self.strategy == "none" and self.replicas is not None:
            raise ValueError("replicas given but sharing strategy is 'none'")
        return self


Workload = Literal["compute", "graphics", "video", "display"]


class Intent(_Model):
    """One GPU node's intent. Every field is optional except what a profile cannot guess.

    ``source``: where it was read from (a file, ``profile:NAME``), so that an error the plan or
    a renderer raises later names it; not a field: the JSON Schema and equality ignore it."""

    _source: str | None = PrivateAttr(default=None)

    @property
    def source(self) -> str | None:
        return self._source

    def read_from(self, source: str) -> Intent:
        """This intent, remembered as read from ``source`` (set once, by the loaders)."""
        self._source = source
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Intent):
            return NotImplemented
        return self.__dict__ == other.__dict__  # the content, not where it was read

    def __hash__(self) -> int:
        return super().__hash__()

    api_version: Literal["talosgpu.dev/v1alpha1"] = Field(
        default="talosgpu.dev/v1alpha1", description="Intent format version."
    )
    kind: Literal["GPUNode"] = Field(default="GPUNode", description="Document kind.")
    profile: str | None = Field(
        default=None,
        description="Start from this bundled profile; fields set here override it (maps merge "
        "key by key, everything else replaces).",
    )
    description: str | None = Field(default=None, description="Free text for humans.")
    talos_version: str | None = Field(
        default=None, description="Talos version of the node, e.g. '1.11' or 'v1.11.1'."
    )
    node: NodeSpec = Field(default_factory=NodeSpec, description="Which node this is.")
    gpu: GPUSpec = Field(default_factory=GPUSpec, description="The GPU hardware and driver.")
    kernel_modules: tuple[KernelModule, ...] | None = Field(
        default=None,
        description="Kernel modules to load, in order. Default: nvidia, nvidia_uvm, nvidia_drm, "
        "nvidia_modeset.",
    )
    udev_rules: tuple[UdevRule, ...] = Field(
        default=(), description="udev rules (one line each), e.g. DRM render node permissions."
    )
    labels: dict[str, str] = Field(default_factory=dict, description="Kubernetes node labels.")
    annotations: dict[str, str] = Field(
        default_factory=dict, description="Kubernetes node annotations."
    )
    taints: dict[str, str] = Field(
        default_factory=dict,
        description="Kubernetes node taints as key: 'value:Effect' or key: 'Effect' (Talos form).",
    )
    sysctls: dict[str, str | int] = Field(
        default_factory=dict,
        description="Kernel sysctls (written as strings, as Talos types them).",
    )
    runtime: RuntimeSpec = Field(
        default_factory=RuntimeSpec, description="Container runtime setup."
    )
    sharing: SharingSpec = Field(
        default_factory=SharingSpec, description="Device-plugin GPU sharing."
    )
    workloads: tuple[Workload, ...] = Field(
        default=("compute",),
        description="What pods do with the GPU; decides NVIDIA_DRIVER_CAPABILITIES and the "
        "verification workloads (compute, graphics, video, display).",
    )
    extra_kernel_args: tuple[str, ...] = Field(
        default=(), description="Extra kernel arguments for the Image Factory schematic."
    )
    extensions: tuple[str, ...] = Field(
        default=(),
        description="The node's other official system extensions, e.g. 'siderolabs/iscsi-tools' "
        "or 'qemu-guest-agent' (the NVIDIA ones come from gpu.driver). The schematic carries "
        "all of them: installing a schematic without them removes them from the node.",
    )
    patches: tuple[NodePatch, ...] = Field(
        default=(),
        description="The rest of the node's machine config: Talos strategic merge patches "
        "applied after talosgpu's documents. diff and apply always use the merged config; "
        "render --with-patches prints it. A patch that collides with what talosgpu renders "
        "(a second CRI customization part, another default runtime, removed GPU modules) is "
        "an error.",
    )
    installer: InstallerSpec | None = Field(
        default=None,
        description="Put the Image Factory installer of the node's schematic in the patch "
        "(machine.install.image; UnattendedInstallConfig from Talos 1.14). Needs talosVersion "
        "with the patch release (e.g. '1.13.4'): the image tag names it.",
    )

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        return rules.check_labels(value)

    @field_validator("annotations")
    @classmethod
    def _annotations(cls, value: dict[str, str]) -> dict[str, str]:
        return rules.check_annotations(value)

    @field_validator("taints")
    @classmethod
    def _taints(cls, value: dict[str, str]) -> dict[str, str]:
        return rules.check_taints(value)

    @field_validator("sysctls")
    @classmethod
    def _sysctls(cls, value: dict[str, str | int]) -> dict[str, str | int]:
        return rules.check_sysctls(value)

    @field_validator("talos_version", mode="before")
    @classmethod
    def _version(cls, value: object) -> object:
        if isinstance(value, float | int) and not isinstance(value, bool):
            # YAML reads 1.10 as the float 1.1: refuse rather than guess.
            raise ValueError(unquoted_hint(value))
        if isinstance(value, str):
            try:
                TalosVersion.parse(value)
            except VersionError as exc:
                raise ValueError(exc.message) from None
        return value

    @field_validator("workloads")
    @classmethod
    def _workloads(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("workloads must not repeat")
        return value


# The top-level keys of an intent as written (camelCase): `check` tells an intent without
# `kind` from other YAML by them (commands/inputs.classify).
INTENT_KEYS = frozenset(field.alias or name for name, field in Intent.model_fields.items())


def node_values(intent: Intent) -> tuple[str, ...]:
    """The values that make one node's documents differ from another's: its name, and its
    label, annotation and taint values (a fleet's nodes of a role differ by these alone);
    ``yamlio.dump_all(vary=…)`` emits documents equal up to them once."""
    values = [intent.node.name or ""]
    values += [*intent.labels.values(), *intent.annotations.values(), *intent.taints.values()]
    return tuple(v for v in values if v)
