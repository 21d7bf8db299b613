"""The one reporter: every command result becomes text or JSON here, by format name.

``format_report(result, "json")`` looks up the result's type in :data:`SUBJECTS`, imports that
module (only that one: ``check`` and ``render`` run on the cache's hit path and must stay cheap)
and calls its ``FORMATS[name]``. Each module documents its JSON shape; all of them redact what
the result's redaction policy says (:mod:`talosgpu.commands.redact`).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from talosgpu.errors import TalosGPUError

__all__ = ["FORMAT_NAMES", "SUBJECTS", "format_report", "formats_for"]

FORMAT_NAMES = ("text", "json")

# result type name -> the report module that formats it
SUBJECTS: dict[str, str] = {
    "ApplyResult": "talosgpu.report.apply",
    "CDIValidation": "talosgpu.report.cdi",
    "CheckReport": "talosgpu.report.check",
    "DiffResult": "talosgpu.report.diff",
    "DoctorFleet": "talosgpu.report.fleet_doctor",
    "DoctorReport": "talosgpu.report.doctor",
    "ExplainOutcome": "talosgpu.report.explain",
    "FleetApply": "talosgpu.report.fleet_apply",
    "FleetDiff": "talosgpu.report.fleet",
    "LintReport": "talosgpu.report.lint",
    "RenderOutcome": "talosgpu.report.render",
    "Schematic": "talosgpu.report.schematic",
}


def formats_for(result: object) -> tuple[str, ...]:
    """The format names ``result`` can be reported in."""
    return tuple(_formats(result))


def _formats(result: object) -> dict[str, Any]:
    name = type(result).__name__
    module = SUBJECTS.get(name)
    if module is None:
        raise TalosGPUError(f"no report for a {name}")
    formats: dict[str, Any] = import_module(module).FORMATS
    return formats


def format_report(result: object, fmt: str = "text", **options: Any) -> str:
    """``result`` (what a command returned) as ``fmt`` (``text`` or ``json``)."""
    formats = _formats(result)
    if fmt not in formats:
        known = ", ".join(formats)
        raise TalosGPUError(f"--format {fmt} is not available here (available: {known})")
    text: str = formats[fmt](result, **options)
    return text
