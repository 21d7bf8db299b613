"""What no peer tool knows: GPU hardware compatibility, Image Factory schematics, known failures.

* :mod:`~talosgpu.knowledge.hardware` — identify a GPU, check driver flavour/branch per release
* :mod:`~talosgpu.knowledge.schematic` — build/read schematics and compute their IDs
* :mod:`~talosgpu.knowledge.explain` — match logs against the catalog of known failures

Data lives in ``knowledge/data/*.toml`` (stdlib ``tomllib``; loaded on first use).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from talosgpu._lazy import lazy_getattr

# Lazy (PEP 562): rendering imports knowledge.hardware, and a package __init__ that imported
# explain and schematic eagerly would load them on every render (pre-commit runs it each commit).
_EXPORTS = {
    "ExplainMatch": "talosgpu.knowledge.explain",
    "explain": "talosgpu.knowledge.explain",
    "CompatIssue": "talosgpu.knowledge.hardware",
    "GPUArchitecture": "talosgpu.knowledge.hardware",
    "check_compatibility": "talosgpu.knowledge.compat",
    "check_extension_set": "talosgpu.knowledge.compat",
    "driver_for": "talosgpu.knowledge.hardware",
    "gpu_extensions_without_gpu_warning": "talosgpu.knowledge.hardware",
    "identify_gpu": "talosgpu.knowledge.hardware",
    "Schematic": "talosgpu.knowledge.schematic",
    "build_schematic": "talosgpu.knowledge.schematic",
    "canonical_schematic_yaml": "talosgpu.knowledge.schematic",
    "load_schematic": "talosgpu.knowledge.schematic",
    "schematic_id": "talosgpu.knowledge.schematic",
}

if TYPE_CHECKING:  # pragma: no cover
    from talosgpu.knowledge.compat import check_compatibility, check_extension_set
    from talosgpu.knowledge.explain import ExplainMatch, explain
    from talosgpu.knowledge.hardware import (
        CompatIssue,
        GPUArchitecture,
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


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())


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
