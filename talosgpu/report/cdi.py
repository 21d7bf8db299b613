"""Text and JSON reports of ``talosgpu cdi validate`` (the exit code is ``cdi.findings``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

from talosgpu.cdi.findings import CDIFinding, exit_code
from talosgpu.cdi.spec import CDISpec

if TYPE_CHECKING:
    from talosgpu.commands.cdi import CDIValidation

__all__ = ["FORMATS", "render_report"]


def render_report(
    spec: CDISpec,
    findings: Sequence[CDIFinding],
    *,
    output: Literal["text", "json"] = "text",
    strict: bool = False,
) -> str:
    """The report printed by ``talosgpu cdi validate``; deterministic for the same input."""
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    valid = exit_code(findings, strict=strict) == 0
    if output == "json":
        doc = {
            "version": 1,
            "source": spec.source,
            "valid": valid,
            "cdiVersion": spec.cdi_version,
            "kind": spec.kind,
            "devices": list(spec.device_names),
            "errors": errors,
            "warnings": warnings,
            "findings": [f.as_dict() for f in findings],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    lines = []
    for item in findings:
        lines.append(f"{spec.source}: {item.path}: {item.severity}: {item.message}")
        lines.append(f"    fix: {item.fix}")
    counts = f"{errors} error(s), {warnings} warning(s)"
    if valid:
        devices = len(spec.device_names)
        lines.append(
            f"{spec.source}: valid CDI spec (kind {spec.kind}, cdiVersion {spec.cdi_version}, "
            f"{devices} device(s); {counts})"
        )
    else:
        lines.append(f"{spec.source}: invalid CDI spec: {counts}")
    return "\n".join(lines) + "\n"


def _text(result: CDIValidation, *, strict: bool = False) -> str:
    return render_report(result.spec, result.findings, output="text", strict=strict)


def _json(result: CDIValidation, *, strict: bool = False) -> str:
    return render_report(result.spec, result.findings, output="json", strict=strict)


FORMATS: dict[str, Callable[..., str]] = {"text": _text, "json": _json}
