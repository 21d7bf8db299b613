"""Rendering a :class:`LintReport` as text (one finding per line) or JSON (stable shape).

JSON shape, version 1 (documented in ``docs/lint.md``)::

    {"version": 1,
     "findings": [{"file", "path", "rule", "severity", "message", "fix"}, ...],
     "files_checked": N,
     "skipped": [{"file", "reason"}, ...],
     "targets": [{"file", "talos_version", "origin"}, ...]}
"""

from __future__ import annotations

import json
from typing import Literal

from talosgpu.lint.findings import LintReport

__all__ = ["JSON_VERSION", "exit_code", "render_report"]

JSON_VERSION = 1


def render_report(report: LintReport, *, output: Literal["text", "json"] = "text") -> str:
    if output == "json":
        data = {
            "version": JSON_VERSION,
            "findings": [f.as_dict() for f in report.findings],
            "files_checked": report.files_checked,
            "skipped": [{"file": s.file, "reason": s.reason} for s in report.skipped],
            "targets": [
                {"file": t.file, "talos_version": t.talos_version, "origin": t.origin}
                for t in report.targets
            ],
        }
        return json.dumps(data, indent=2, sort_keys=False) + "\n"
    return "".join(f.one_line() + "\n" for f in report.findings)


def exit_code(report: LintReport, *, strict: bool = False) -> int:
    """0 clean, 1 findings (warnings/errors; with ``strict`` info findings too)."""
    if strict and report.findings:
        return 1
    return report.exit_code
