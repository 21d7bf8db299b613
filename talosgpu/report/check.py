"""The report of ``talosgpu check`` (the pre-commit hook's output)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from talosgpu.commands.check import CheckReport, FileCheck

# Imported on the check cache's hit path: stdlib only.
__all__ = ["FORMATS", "format_report"]


def format_report(report: CheckReport) -> str:
    """The human report (stdout of ``talosgpu check``)."""
    lines: list[str] = []
    for item in report.checked:
        fix = f"talosgpu render {item.source} --output-dir {item.rendered_dir}" + (
            " --with-patches" if item.with_patches else ""
        )
        if item.kind == "output":
            lines += _output_lines(item)
            continue
        if not item.problems:
            if item.rendered_files:
                lines.append(f"{item.source}: ok ({item.rendered_files} rendered files current)")
            else:
                lines.append(f"{item.source}: valid (no rendered folder {item.rendered_dir})")
            continue
        lines.append(f"{item.source}: rendered files are not current ({item.rendered_dir})")
        for problem in item.problems:
            lines.append(f"  {problem.path}: {_STATUS[problem.status]}")
            lines += [f"    {line}" for line in problem.details]
        lines.append(f"  fix: {fix}")
        if any(p.status == "extra" for p in item.problems):
            lines.append("  (render does not delete files: remove the extra ones)")
    if report.checked:
        stale = sum(1 for c in report.checked if c.problems)
        lines.append(
            f"talosgpu check: {len(report.checked)} file(s) checked, {stale} not current"
            + (f", {len(report.errors)} invalid" if report.errors else "")
        )
    return "".join(line + "\n" for line in lines)


def _output_lines(item: FileCheck) -> list[str]:
    """A committed ``render > FILE``: current, or its semantic diff and the command to run."""
    if not item.problems:
        return [f"{item.source}: ok (current: {item.rerender.split(' > ')[0]})"]
    lines = [f"{item.source}: differs from what talosgpu renders now"]
    for problem in item.problems:
        lines += [f"    {line}" for line in problem.details]
    lines.append(f"  fix: {item.rerender}")
    return lines


_STATUS = {
    "stale": "differs from what talosgpu renders now",
    "missing": "missing (rendered now, not committed)",
    "extra": "extra (committed, no longer rendered)",
}


def format_json(report: CheckReport) -> str:
    """``check --format json``: ``{version, exitCode, checked[], errors[], notes[], warnings[]}``
    (docs/pre-commit.md); errors and warnings are the redacted lines the text report prints."""
    # lazy: the text report, the hook's usual path, needs neither
    import json

    from talosgpu.commands.redact import safe_line  # lazy: as above

    data = {
        "version": 1,
        "exitCode": report.exit_code,
        "checked": [
            {
                "source": item.source,
                "kind": item.kind,
                "renderedDir": item.rendered_dir or None,
                "renderedFiles": item.rendered_files,
                "current": not item.problems,
                "problems": [
                    {"path": p.path, "status": p.status, "details": list(p.details)}
                    for p in item.problems
                ],
                "rerender": item.rerender or None,
            }
            for item in report.checked
        ],
        "errors": [safe_line(str(error)) for error in report.errors],
        "notes": [safe_line(note) for note in report.notes],
        "warnings": [safe_line(warning) for warning in report.warnings],
    }
    return json.dumps(data, indent=2) + "\n"


FORMATS: dict[str, Callable[..., str]] = {"text": format_report, "json": format_json}
