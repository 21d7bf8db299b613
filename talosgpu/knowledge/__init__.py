"""What no peer tool knows: GPU hardware compatibility, Image Factory schematics, known failures.

* :mod:`~talosgpu.knowledge.hardware` — identify a GPU, check driver flavour/branch per release
* :mod:`~talosgpu.knowledge.schematic` — build/read schematics and compute their IDs
* :mod:`~talosgpu.knowledge.explain` — match logs against the catalog of known failures

Data lives in ``knowledge/data/*.toml`` (stdlib ``tomllib``; loaded on first use).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Lazy (PEP 562): rendering imports knowledge.hardware, and a package __init__ that imported
# explain and schematic eagerly would load them on every render (pre-commit runs it each commit).
_EXPORTS = {
    "ExplainMatch": "explain",
    "explain": "explain",
    "CompatIssue": "hardware",
    "GPUArchitecture": "hardware",
    "check_compatibility": "hardware",
    "check_extension_set": "hardware",
    "driver_for": "hardware",
    "gpu_extensions_without_gpu_warning": "hardware",
    "identify_gpu": "hardware",
    "Schematic": "schematic",
    "build_schematic": "schematic",
    "canonical_schematic_yaml": "schematic",
    "load_schematic": "schematic",
    "schematic_id": "schematic",
}

if TYPE_CHECKING:  # pragma: no cover
    from talosgpu.knowledge.explain import ExplainMatch, explain
    from talosgpu.knowledge.hardware import (
        CompatIssue,
        GPUArchitecture,
        check_compatibility,
        check_extension_set,
        driver_for,
        gpu_extensions_without_gpu_warning,
        identify_gpu,
    )
    from talosgpu.knowledge.schematic import (
        Schematic,
        build_schematic,
        canonical_schematic_yaml,
        load_schematic,
        schematic_id,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'talosgpu.knowledge' has no attribute {name!r}")
    value = getattr(import_module(f"talosgpu.knowledge.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "CompatIssue",
    "ExplainMatch",
    "GPUArchitecture",
    "Schematic",
    "build_schematic",
    "canonical_schematic_yaml",
    "check_compatibility",
    "check_extension_set",
    "driver_for",
    "explain",
    "gpu_extensions_without_gpu_warning",
    "identify_gpu",
    "load_schematic",
    "schematic_id",
]
