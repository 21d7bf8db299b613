"""talosgpu: typed intent for NVIDIA GPU nodes on Talos Linux.

The public API is re-exported here lazily so that ``import talosgpu`` (and the CLI's start-up)
stays fast: heavy modules load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from talosgpu._lazy import lazy_getattr
from talosgpu._version import __version__

# name -> module that defines it. Every CLI command has its Python twin here.
_EXPORTS: dict[str, str] = {
    "TalosGPUError": "talosgpu.errors",
    "TalosVersion": "talosgpu.versions",
    # render / profiles / schema (talosgpu render, profiles, schema)
    "Intent": "talosgpu.intent.models",
    "load_intent": "talosgpu.intent.load",
    "load_intent_text": "talosgpu.intent.load",
    "Plan": "talosgpu.plan",
    "resolve": "talosgpu.plan",
    "Rendered": "talosgpu.renderers.base",
    "render": "talosgpu.commands.render",
    "diff_fleet": "talosgpu.commands.fleet_remote",
    "apply_fleet": "talosgpu.commands.fleet_remote",
    "FleetDiff": "talosgpu.commands.fleet_remote",
    "FleetApply": "talosgpu.commands.fleet_remote",
    "NodeApply": "talosgpu.commands.fleet_remote",
    "schematic": "talosgpu.commands.schematic",
    "output_files": "talosgpu.outputs",
    "intent_schema": "talosgpu.commands.profiles",
    "list_profiles": "talosgpu.profiles",
    "load_profile": "talosgpu.intent.load",
    "profile_text": "talosgpu.profiles",
    "render_outputs": "talosgpu.commands.render",
    "render_helm_values": "talosgpu.commands.helm_values",
    # Kubernetes manifests and Helm values (talosgpu render --manifests, talosgpu helm-values)
    "render_manifests": "talosgpu.k8s",
    "device_plugin_values": "talosgpu.k8s",
    "operator_values": "talosgpu.k8s",
    "capabilities_for": "talosgpu.k8s",
    "helm_values": "talosgpu.k8s",
    # CDI specs (talosgpu cdi validate, talosgpu cdi patch-hooks)
    "validate_spec_file": "talosgpu.commands.cdi",
    "patch_spec_hooks": "talosgpu.commands.cdi",
    "load_cdi_spec": "talosgpu.cdi",
    "validate_cdi_spec": "talosgpu.cdi",
    "patch_cdi_hooks": "talosgpu.cdi",
    "CDISpec": "talosgpu.cdi",
    "CDIFinding": "talosgpu.cdi",
    "HookPatchResult": "talosgpu.cdi",
    # Talos strategic merge, patches and idempotency (talosgpu patch)
    "patch_config": "talosgpu.commands.patch",
    "apply_patches": "talosgpu.talos.apply",
    "PatchResult": "talosgpu.talos.apply",
    "load_patch": "talosgpu.talos.patches",
    "Patch": "talosgpu.talos.patches",
    "merge_documents": "talosgpu.talos.merge",
    "document_id": "talosgpu.talos.documents",
    "check_idempotency": "talosgpu.talos.idempotency",
    "reduce_patch": "talosgpu.talos.idempotency",
    "split_patch": "talosgpu.talos.idempotency",
    "IdempotencyReport": "talosgpu.talos.idempotency",
    "IdempotencyIssue": "talosgpu.talos.idempotency",
    # secret redaction and the live config (file, stdin, talosctl envelope, talosctl runner)
    "redact_documents": "talosgpu.talos.secrets",
    "redact_text": "talosgpu.talos.secrets",
    "load_live_config": "talosgpu.live",
    "LiveConfig": "talosgpu.live",
    "fetch_live_config": "talosgpu.commands.talosctl",
    # diff before apply (talosgpu diff, talosgpu apply)
    "diff": "talosgpu.commands.diff",
    "DiffResult": "talosgpu.commands.diff",
    "diff_configs": "talosgpu.configdiff.semantic",
    "ConfigDiff": "talosgpu.configdiff.model",
    "Change": "talosgpu.configdiff.model",
    "propose": "talosgpu.configdiff.propose",
    "Proposal": "talosgpu.configdiff.propose",
    "apply": "talosgpu.commands.apply",
    "ApplyResult": "talosgpu.commands.apply",
    # doctor: a live node or a support bundle against its plan (talosgpu doctor)
    "doctor": "talosgpu.commands.doctor",
    "doctor_for_facts": "talosgpu.commands.doctor",
    "DoctorReport": "talosgpu.commands.doctor",
    "doctor_fleet": "talosgpu.commands.doctor_fleet",
    "DoctorFleet": "talosgpu.commands.doctor_fleet",
    "read_bundle": "talosgpu.diagnosis.bundle",
    "run_checks": "talosgpu.diagnosis",
    "NodeFacts": "talosgpu.diagnosis",
    # lint: known GPU traps in patches, configs and talconfig.yaml (talosgpu lint)
    "lint_files": "talosgpu.commands.lint",
    "lint_text": "talosgpu.lint",
    "LintReport": "talosgpu.lint",
    "LintFinding": "talosgpu.lint",
    # knowledge: hardware compatibility, Image Factory schematics (talosgpu schematic), explain
    "identify_gpu": "talosgpu.knowledge.hardware",
    "check_compatibility": "talosgpu.knowledge.compat",
    "check_extension_set": "talosgpu.knowledge.compat",
    "driver_for": "talosgpu.knowledge.hardware",
    "GPUArchitecture": "talosgpu.knowledge.hardware",
    "CompatIssue": "talosgpu.knowledge.hardware",
    "build_schematic": "talosgpu.knowledge.schematic",
    "load_schematic": "talosgpu.knowledge.schematic",
    "schematic_id": "talosgpu.knowledge.schematic",
    "canonical_schematic_yaml": "talosgpu.knowledge.schematic",
    "Schematic": "talosgpu.knowledge.schematic",
    "explain": "talosgpu.knowledge.explain",
    "explain_input": "talosgpu.commands.explain",
    "ExplainMatch": "talosgpu.knowledge.explain",
    # fleets and the pre-commit gate (talosgpu render INVENTORY --output-dir, talosgpu check)
    "Inventory": "talosgpu.fleet",
    "load_inventory": "talosgpu.fleet",
    "node_intents": "talosgpu.fleet",
    "render_fleet": "talosgpu.fleet",
    "fleet_output_files": "talosgpu.fleet",
    "for_each_node": "talosgpu.commands.fleet",
    "check_files": "talosgpu.commands.check",
    "CheckReport": "talosgpu.commands.check",
    # the one reporter: every report a command prints (render, diff, apply, lint, check,
    # explain, schematic, cdi, doctor, fleets) as text or JSON; patch prints a config
    "format_report": "talosgpu.report",
}

__all__ = sorted([*_EXPORTS, "__version__"])


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from talosgpu.cdi import (
        CDIFinding,
        CDISpec,
        HookPatchResult,
        load_cdi_spec,
        patch_cdi_hooks,
        validate_cdi_spec,
    )
    from talosgpu.commands.apply import ApplyResult, apply
    from talosgpu.commands.cdi import patch_spec_hooks, validate_spec_file
    from talosgpu.commands.check import CheckReport, check_files
    from talosgpu.commands.diff import DiffResult, diff
    from talosgpu.commands.doctor import DoctorReport, doctor, doctor_for_facts
    from talosgpu.commands.doctor_fleet import DoctorFleet, doctor_fleet
    from talosgpu.commands.explain import explain_input
    from talosgpu.commands.fleet import for_each_node
    from talosgpu.commands.fleet_remote import (
        FleetApply,
        FleetDiff,
        NodeApply,
        apply_fleet,
        diff_fleet,
    )
    from talosgpu.commands.helm_values import render_helm_values
    from talosgpu.commands.lint import lint_files
    from talosgpu.commands.patch import patch_config
    from talosgpu.commands.profiles import intent_schema
    from talosgpu.commands.render import render, render_outputs
    from talosgpu.commands.schematic import schematic
    from talosgpu.commands.talosctl import fetch_live_config
    from talosgpu.configdiff.model import Change, ConfigDiff
    from talosgpu.configdiff.propose import Proposal, propose
    from talosgpu.configdiff.semantic import diff_configs
    from talosgpu.diagnosis import NodeFacts, run_checks
    from talosgpu.diagnosis.bundle import read_bundle
    from talosgpu.errors import TalosGPUError
    from talosgpu.fleet import (
        Inventory,
        fleet_output_files,
        load_inventory,
        node_intents,
        render_fleet,
    )
    from talosgpu.intent.load import load_intent, load_intent_text, load_profile
    from talosgpu.intent.models import Intent
    from talosgpu.k8s import (
        capabilities_for,
        device_plugin_values,
        helm_values,
        operator_values,
        render_manifests,
    )
    from talosgpu.knowledge.compat import check_compatibility, check_extension_set
    from talosgpu.knowledge.explain import ExplainMatch, explain
    from talosgpu.knowledge.hardware import CompatIssue, GPUArchitecture, driver_for, identify_gpu
    from talosgpu.knowledge.schematic import (
        Schematic,
        build_schematic,
        canonical_schematic_yaml,
        load_schematic,
        schematic_id,
    )
    from talosgpu.lint import LintFinding, LintReport, lint_text
    from talosgpu.live import LiveConfig, load_live_config
    from talosgpu.outputs import output_files
    from talosgpu.plan import Plan, resolve
    from talosgpu.profiles import list_profiles, profile_text
    from talosgpu.renderers.base import Rendered
    from talosgpu.report import format_report
    from talosgpu.talos.apply import PatchResult, apply_patches
    from talosgpu.talos.documents import document_id
    from talosgpu.talos.idempotency import (
        IdempotencyIssue,
        IdempotencyReport,
        check_idempotency,
        reduce_patch,
        split_patch,
    )
    from talosgpu.talos.merge import merge_documents
    from talosgpu.talos.patches import Patch, load_patch
    from talosgpu.talos.secrets import redact_documents, redact_text
    from talosgpu.versions import TalosVersion
