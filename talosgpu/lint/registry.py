"""Every lint rule: its stable id, usual severity, one-line summary, and the checks to run."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from talosgpu.lint.context import Context
from talosgpu.lint.findings import Finding, Severity
from talosgpu.lint.rules_cdi import check_cdi_dirs
from talosgpu.lint.rules_cri import check_cri
from talosgpu.lint.rules_cri_keys import check_cri_keys
from talosgpu.lint.rules_documents import check_deprecated, check_document_versions, check_install
from talosgpu.lint.rules_duplicates import check_duplicates
from talosgpu.lint.rules_fields import check_fields
from talosgpu.lint.rules_files import check_files
from talosgpu.lint.rules_kernel import check_modules, check_sysctls, check_taints
from talosgpu.lint.rules_patches import check_json6902
from talosgpu.lint.rules_schematic import check_schematic
from talosgpu.lint.rules_traps import check_json6902_add, check_nvreg, check_vfio

__all__ = ["CHECKS", "RULES", "VERSION_DEPENDENT", "Check"]

Check = Callable[[Context], Iterable[Finding]]

CHECKS: tuple[Check, ...] = (
    check_json6902,
    check_json6902_add,
    check_document_versions,
    check_fields,
    check_deprecated,
    check_install,
    check_files,
    check_duplicates,
    check_cri,
    check_cri_keys,
    check_cdi_dirs,
    check_modules,
    check_vfio,
    check_nvreg,
    check_sysctls,
    check_taints,
    check_schematic,
)

# rule id -> (usual severity, summary). Severity may differ per finding (see docs/lint.md).
RULES: dict[str, tuple[Severity, str]] = {
    "talos-version-assumed": ("info", "no Talos version given or found; the default was used"),
    "talos-version-unknown": ("error", "the file is for a release newer than talosgpu knows"),
    "layer-releases-differ": ("warning", "the layers of one node name different releases"),
    "templated-input": ("info", "template tags were blanked before linting"),
    "not-talos-config": ("info", "the file is not Talos config and was skipped"),
    "unreadable-input": (
        "error",
        "not valid YAML, even with template tags blanked (the rest is linted)",
    ),
    "invalid-inline-patch": ("error", "a talhelper inline patch is not valid YAML"),
    "json6902-on-multidoc": ("error", "JSON6902 patch against a multi-document config"),
    "json6902-invalid-op": ("error", "JSON Patch op or path is invalid"),
    "document-needs-newer-talos": ("error", "a document kind the target release does not have"),
    "unknown-document-kind": ("error", "a document kind no Talos release talosgpu knows has"),
    "deprecated-field-with-document": ("error", "v1alpha1 field set next to its 1.14 document"),
    "deprecated-field": ("info", "v1alpha1 field deprecated in 1.14"),
    "install-extensions-ignored": ("warning", ".machine.install.extensions (no effect from 1.10)"),
    "installer-image-unpublished": ("error", "ghcr.io/siderolabs/installer on Talos 1.14+"),
    "files-unknown-op": ("error", "machine.files op other than create/overwrite/append"),
    "files-create-outside-var": ("error", "machine.files op: create outside /var"),
    "files-duplicate-create": (
        "error",
        "one machine.files path written twice (in a file, across layers, or a file given twice)",
    ),
    "duplicate-entry": (
        "warning",
        "a kernel module, udev rule or CRICustomizationConfig repeated (a re-applied patch)",
    ),
    "json6902-add-replaces": ("info", "JSON6902 add on an object member replaces its whole value"),
    "unknown-field": ("error", "a field no Talos release has in that section (did you mean...)"),
    "field-not-in-release": ("error", "a field other releases have, but not the target one"),
    "vfio-pci-nvidia-gpu": ("warning", "NVIDIA PCI ids bound to vfio-pci on an NVIDIA node"),
    "nvreg-first-load": ("info", "NVreg_* parameters apply on first load: a change needs a reboot"),
    "cri-unknown-key": ("warning", "a key containerd's CRI config does not have in that table"),
    "cdi-spec-dirs-default": ("info", "what cdi_spec_dirs does to the release's default dirs"),
    "files-patch-delete": ("info", "$patch: delete on a machine.files entry, explained"),
    "cri-file-ignored": ("error", "CRI TOML in a file Talos does not merge"),
    "cri-toml-invalid": ("error", "the CRI customization is not valid TOML"),
    "cri-containerd-generation": ("error", "containerd 1.7 tables on containerd 2.x, or reverse"),
    "cri-unknown-table": ("error", "misspelt CRI table or unknown plugin id"),
    "cri-misplaced-key": ("error", "default_runtime_name outside the containerd table"),
    "cri-binary-path": ("error", "nvidia-container-runtime BinaryName outside /usr/local/bin"),
    "cri-default-runtime-nvidia": ("warning", "an NVIDIA runtime made the default for every pod"),
    "cri-runtime-binary-missing": ("error", "a runtime whose NVIDIA binary the release lacks"),
    "cri-config-v4-moved": ("warning", "a top-level table containerd config v4 ignores"),
    "cri-nri-disabled": ("error", "NRI disabled where the GPU Operator injects through it"),
    "cri-customization-name": ("error", "CRICustomizationConfig named `customization`"),
    "cdi-spec-dir-readonly": ("warning", "cdi_spec_dirs under the read-only /etc"),
    "gpu-modules-missing": (
        "warning",
        "nvidia loaded without nvidia_uvm/nvidia_drm/nvidia_modeset",
    ),
    "gpu-modules-order": ("warning", "a GPU module listed before nvidia"),
    "bpf-jit-harden-number": ("info", "bpf_jit_harden as a YAML number (Talos accepts it)"),
    "bpf-jit-harden-unneeded": ("warning", "bpf_jit_harden on Talos 1.13+, where sources disagree"),
    "kubelet-register-taints": ("warning", "taints through kubelet registerWithTaints"),
    "schematic-invalid": ("error", "a schematic Image Factory refuses (talhelper: drops)"),
    "schematic-extension-name": (
        "error",
        "an NVIDIA extension name or branch the release does not publish",
    ),
    "schematic-duplicate-extension": ("warning", "one extension listed twice in a schematic"),
    "schematic-driver-mismatch": (
        "error",
        "kernel modules and toolkit of different branches, or two kernel-module extensions",
    ),
    "schematic-extension-missing": ("warning", "kernel modules without toolkit, or the reverse"),
    "schematic-kernel-arg": ("info", "an NVIDIA module parameter on the kernel command line"),
    "schematic-gpu-modules": ("error", "open/proprietary kernel modules the named GPU cannot use"),
    "topf-json6902-unsupported": ("error", "a JSON6902 patch in a topf patches folder"),
}

# Rules whose verdict depends on the release the node runs: on an assumed release (nothing
# named it) they are said at info, as assumptions, never as warnings or errors — a 1.9–1.12
# node was told to remove the bpf_jit_harden sysctl its legacy runtime needs.
VERSION_DEPENDENT = frozenset(
    {
        "document-needs-newer-talos",
        "deprecated-field-with-document",
        "deprecated-field",
        "install-extensions-ignored",
        "installer-image-unpublished",
        "cri-containerd-generation",
        "cri-runtime-binary-missing",
        "cri-config-v4-moved",
        "cri-nri-disabled",
        "bpf-jit-harden-unneeded",
        "schematic-extension-name",
        "schematic-driver-mismatch",
        "field-not-in-release",
        "cdi-spec-dirs-default",
    }
)
