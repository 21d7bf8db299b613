"""Rendering a :class:`LintReport` as text (one finding per line) or JSON (stable shape).

JSON shape, version 1 (documented in ``docs/lint.md``)::

    {"version": 2,
     "findings": [{"file", "path", "rule", "severity", "message", "fix"}, ...],
     "filesChecked": N,
     "skipped": [{"file", "reason"}, ...],
     "targets": [{"file", "talos_version", "origin"}, ...]}
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Literal

from talosgpu.lint.findings import LintReport
from talosgpu.lint.target import ORIGIN_WORDS

__all__ = ["FORMATS", "JSON_VERSION", "render_report", "summary_line"]

JSON_VERSION = 2  # 2: camelCase keys (filesChecked, talosVersion)


def render_report(report: LintReport, *, output: Literal["text", "json"] = "text") -> str:
    if output == "json":
        data = {
            "version": JSON_VERSION,
            "findings": [f.as_dict() for f in report.findings],
            "filesChecked": report.files_checked,
            "skipped": [{"file": s.file, "reason": s.reason} for s in report.skipped],
            "targets": [
                {"file": t.file, "talosVersion": t.talos_version, "origin": t.origin}
                for t in report.targets
            ],
        }
        return json.dumps(data, indent=2, sort_keys=False) + "\n"
    return "".join(f.one_line() + "\n" for f in report.findings)


def summary_line(report: LintReport) -> str:
    """The count line ``talosgpu lint`` prints on stderr after a text report."""
    errors = sum(1 for f in report.findings if f.severity == "error")
    warnings = sum(1 for f in report.findings if f.severity == "warning")
    info = len(report.findings) - errors - warnings
    line = (
        f"talosgpu: lint: {report.files_checked} file(s) checked, {len(report.skipped)} "
        f"skipped; {errors} error(s), {warnings} warning(s), {info} info"
    )
    origins: dict[str, int] = {}
    for target in report.targets:
        word = ORIGIN_WORDS.get(target.origin, target.origin)
        origins[word] = origins.get(word, 0) + 1
    if origins:  # where each file's Talos release came from (issue 14: said, not silent)
        order = list(ORIGIN_WORDS.values())
        ranked = sorted(
            origins.items(), key=lambda wn: order.index(wn[0]) if wn[0] in order else 99
        )
        line += "; Talos release from " + ", ".join(f"{w} ({n})" for w, n in ranked)
    return line


def _text(report: LintReport) -> str:
    return render_report(report, output="text")


def _json(report: LintReport) -> str:
    return render_report(report, output="json")


FORMATS: dict[str, Callable[..., str]] = {"text": _text, "json": _json}
