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
    from talosgpu.errors import TalosGPUError
    from talosgpu.intent.load import load_intent, load_intent_text
    from talosgpu.intent.models import Intent
    from talosgpu.plan import Plan, resolve
    from talosgpu.profiles import list_profiles, load_profile, profile_text
    from talosgpu.render.base import Rendered
    from talosgpu.versions import TalosVersion
