"""talosgpu: typed intent for NVIDIA GPU nodes on Talos Linux.

The public API is re-exported here lazily so that ``import talosgpu`` (and the CLI's start-up)
stays fast: heavy modules load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from talosgpu._lazy import lazy_getattr

__version__ = "0.1.0.dev0"

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
    "render": "talosgpu.api",
    "diff_fleet": "talosgpu.fleet.remote",
    "schematic": "talosgpu.api",
    "output_files": "talosgpu.api",
    "intent_schema": "talosgpu.api",
    "list_profiles": "talosgpu.profiles",
    "load_profile": "talosgpu.profiles",
    "profile_text": "talosgpu.profiles",
    # Kubernetes manifests and Helm values (talosgpu render --manifests, talosgpu helm-values)
    "render_manifests": "talosgpu.k8s",
    "device_plugin_values": "talosgpu.k8s",
    "operator_values": "talosgpu.k8s",
    "capabilities_for": "talosgpu.k8s",
    "helm_values": "talosgpu.k8s",
    # CDI specs (talosgpu cdi validate, talosgpu cdi patch-hooks)
    "load_cdi_spec": "talosgpu.cdi",
    "validate_cdi_spec": "talosgpu.cdi",
    "patch_cdi_hooks": "talosgpu.cdi",
    "CDISpec": "talosgpu.cdi",
    "CDIFinding": "talosgpu.cdi",
    "HookPatchResult": "talosgpu.cdi",
    # Talos strategic merge, patches and idempotency (talosgpu patch)
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
    "fetch_live_config": "talosgpu.talosctl",
    # diff before apply (talosgpu diff, talosgpu apply)
    "diff": "talosgpu.configdiff.run",
    "DiffResult": "talosgpu.configdiff.run",
    "diff_configs": "talosgpu.configdiff.semantic",
    "ConfigDiff": "talosgpu.configdiff.model",
    "Change": "talosgpu.configdiff.model",
    "propose": "talosgpu.configdiff.propose",
    "Proposal": "talosgpu.configdiff.propose",
    "apply": "talosgpu.configdiff.apply",
    "ApplyResult": "talosgpu.configdiff.apply",
    # lint: known GPU traps in patches, configs and talconfig.yaml (talosgpu lint)
    "lint_files": "talosgpu.lint",
    "lint_text": "talosgpu.lint",
    "LintReport": "talosgpu.lint",
    "LintFinding": "talosgpu.lint",
    # knowledge: hardware compatibility, Image Factory schematics (talosgpu schematic), explain
    "identify_gpu": "talosgpu.knowledge.hardware",
    "check_compatibility": "talosgpu.knowledge.hardware",
    "check_extension_set": "talosgpu.knowledge.hardware",
    "driver_for": "talosgpu.knowledge.hardware",
    "GPUArchitecture": "talosgpu.knowledge.hardware",
    "CompatIssue": "talosgpu.knowledge.hardware",
    "build_schematic": "talosgpu.knowledge.schematic",
    "load_schematic": "talosgpu.knowledge.schematic",
    "schematic_id": "talosgpu.knowledge.schematic",
    "canonical_schematic_yaml": "talosgpu.knowledge.schematic",
    "Schematic": "talosgpu.knowledge.schematic",
    "explain": "talosgpu.knowledge.explain",
    "ExplainMatch": "talosgpu.knowledge.explain",
    # fleets and the pre-commit gate (talosgpu render INVENTORY --output-dir, talosgpu check)
    "Inventory": "talosgpu.fleet",
    "load_inventory": "talosgpu.fleet",
    "node_intents": "talosgpu.fleet",
    "render_fleet": "talosgpu.fleet",
    "fleet_output_files": "talosgpu.fleet",
    "for_each_node": "talosgpu.fleet",
    "check_files": "talosgpu.check",
    "CheckReport": "talosgpu.check",
}

__all__ = sorted([*_EXPORTS, "__version__"])


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from talosgpu.api import intent_schema, output_files, render, schematic
    from talosgpu.cdi import (
        CDIFinding,
        CDISpec,
        HookPatchResult,
        load_cdi_spec,
        patch_cdi_hooks,
        validate_cdi_spec,
    )
    from talosgpu.check import CheckReport, check_files
    from talosgpu.configdiff.apply import ApplyResult, apply
    from talosgpu.configdiff.model import Change, ConfigDiff
    from talosgpu.configdiff.propose import Proposal, propose
    from talosgpu.configdiff.run import DiffResult, diff
    from talosgpu.configdiff.semantic import diff_configs
    from talosgpu.errors import TalosGPUError
    from talosgpu.fleet import (
        Inventory,
        fleet_output_files,
        for_each_node,
        load_inventory,
        node_intents,
        render_fleet,
    )
    from talosgpu.fleet.remote import diff_fleet
    from talosgpu.intent.load import load_intent, load_intent_text
    from talosgpu.intent.models import Intent
    from talosgpu.k8s import (
        capabilities_for,
        device_plugin_values,
        helm_values,
        operator_values,
        render_manifests,
    )
    from talosgpu.knowledge.explain import ExplainMatch, explain
    from talosgpu.knowledge.hardware import (
        CompatIssue,
        GPUArchitecture,
        check_compatibility,
        check_extension_set,
        driver_for,
        identify_gpu,
    )
    from talosgpu.knowledge.schematic import (
        Schematic,
        build_schematic,
        canonical_schematic_yaml,
        load_schematic,
        schematic_id,
    )
    from talosgpu.lint import LintFinding, LintReport, lint_files, lint_text
    from talosgpu.live import LiveConfig, load_live_config
    from talosgpu.plan import Plan, resolve
    from talosgpu.profiles import list_profiles, load_profile, profile_text
    from talosgpu.renderers.base import Rendered
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
    from talosgpu.talosctl import fetch_live_config
    from talosgpu.versions import TalosVersion
