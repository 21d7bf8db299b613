"""What no peer tool knows: GPU hardware compatibility, Image Factory schematics, known failures.

* :mod:`~talosgpu.knowledge.hardware` — identify a GPU, check driver flavour/branch per release
* :mod:`~talosgpu.knowledge.schematic` — build/read schematics and compute their IDs
* :mod:`~talosgpu.knowledge.explain` — match logs against the catalog of known failures

Data lives in ``knowledge/data/*.toml`` (stdlib ``tomllib``; loaded on first use).
"""

from __future__ import annotations

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
