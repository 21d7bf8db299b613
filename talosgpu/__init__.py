"""talosgpu: typed intent for NVIDIA GPU nodes on Talos Linux.

The public API is re-exported here lazily so that ``import talosgpu`` (and the CLI's start-up)
stays fast: heavy modules load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

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
    "Rendered": "talosgpu.render.base",
    "render": "talosgpu.api",
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
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'talosgpu' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from talosgpu.api import intent_schema, output_files, render
    from talosgpu.cdi import (
        CDIFinding,
        CDISpec,
        HookPatchResult,
        load_cdi_spec,
        patch_cdi_hooks,
        validate_cdi_spec,
    )
    from talosgpu.errors import TalosGPUError
    from talosgpu.intent.load import load_intent, load_intent_text
    from talosgpu.intent.models import Intent
    from talosgpu.k8s import (
        capabilities_for,
        device_plugin_values,
        helm_values,
        operator_values,
        render_manifests,
    )
    from talosgpu.plan import Plan, resolve
    from talosgpu.profiles import list_profiles, load_profile, profile_text
    from talosgpu.render.base import Rendered
    from talosgpu.versions import TalosVersion
