"""Text and JSON reports of ``talosgpu doctor`` (one node, or a fleet with ``--all``).

Text: a header line (node, where the facts came from, release, runtime mode, how many problems),
then the checks, failures first, each with cause, fix, the ``explain`` catalog entry and the
evidence; skips say why. JSON (``version: 1``, docs/schemas/doctor.schema.json and
doctor-fleet.schema.json): the same, camelCase. Evidence was redacted by the checks already.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from talosgpu.errors import TalosGPUError

if TYPE_CHECKING:
    from talosgpu.commands.doctor import DoctorReport
    from talosgpu.commands.doctor_fleet import DoctorFleet
    from talosgpu.diagnosis.model import Check

__all__ = ["FORMATS", "check_data", "report_data"]

_LABEL = {"fail": "FAIL", "warn": "WARN", "pass": "ok  ", "skip": "skip"}


def _summary(report: DoctorReport) -> str:
    checks = report.all_checks
    fails = sum(c.status == "fail" for c in checks)
    warns = sum(c.status == "warn" for c in checks)
    gaps = sum(c.gap for c in checks)
    if fails:
        verdict = f"{fails} problem(s) found"
    elif warns:
        verdict = f"no failure, {warns} warning(s)"
    elif gaps:
        # not "healthy": what was not read (kubectl failed, a bundle without the file) is unknown
        verdict = f"no problem found, but {gaps} check(s) could not run"
    else:
        verdict = "healthy"
    unread = sum(c.gap for c in checks)
    apart = sum(c.status == "skip" and not c.gap for c in checks)
    counts = [f"{len(checks)} checks"]
    counts += [f"{unread} skipped"] if unread else []
    counts += [f"{apart} n/a"] if apart else []
    return verdict + f" ({', '.join(counts)})"


def _check_lines(check: Check) -> list[str]:
    label = _LABEL[check.status] if check.status != "skip" or check.gap else "n/a "
    lines = [f"{label}  {check.id}: {check.title}"]
    if check.cause:
        lines.append(f"      cause: {check.cause}")
    if check.fix:
        lines.append(f"      fix: {check.fix}")
    if check.explain:
        lines.append(f"      explain: {check.explain}")
    lines.extend(
        f"      {'evidence: ' if i == 0 else '          '}{line}"
        for i, line in enumerate(check.evidence)
    )
    return lines


def _text(report: DoctorReport) -> str:
    lines = [
        f"doctor {report.node} ({report.origin}), Talos {report.talos_version}, runtime mode "
        f"{report.mode}: {_summary(report)}"
    ]
    for check in report.checks:
        lines.extend(_check_lines(check))
    if report.probes:
        lines.append("probe:")
        for check in report.probes:
            lines.extend(_check_lines(check))
    lines.extend(f"note: {n}" for n in report.notes)
    return "\n".join(lines) + "\n"


def check_data(check: Check) -> dict[str, Any]:
    return {
        "id": check.id,
        "title": check.title,
        "status": check.status,
        "cause": check.cause,
        "fix": check.fix,
        "explain": check.explain,
        "evidence": list(check.evidence),
    }


def report_data(report: DoctorReport) -> dict[str, Any]:
    checks = report.all_checks
    return {
        "node": report.node,
        "origin": report.origin,
        "talosVersion": report.talos_version,
        "mode": report.mode,
        "healthy": report.exit_code == 0,
        "problems": sum(c.status == "fail" for c in checks),
        "warnings": sum(c.status == "warn" for c in checks),
        "checks": [check_data(c) for c in report.checks],
        "probes": [check_data(c) for c in report.probes],
        "notes": list(report.notes),
    }


def _json(report: DoctorReport) -> str:
    return json.dumps({"version": 1, **report_data(report)}, indent=2, ensure_ascii=False) + "\n"


def _fleet_text(fleet: DoctorFleet) -> str:
    out = []
    for name, result in fleet.results:
        if isinstance(result, TalosGPUError):
            out.append(f"doctor {name}: could not run: {result}\n")
        else:
            out.append(_text(result))
    ok = sum(not isinstance(r, TalosGPUError) and r.exit_code == 0 for _, r in fleet.results)
    out.append(f"{len(fleet.results)} node(s): {ok} healthy\n")
    return "\n".join(out)


def _fleet_json(fleet: DoctorFleet) -> str:
    nodes = []
    for name, result in fleet.results:
        if isinstance(result, TalosGPUError):
            nodes.append({"name": name, "error": str(result)})
        else:
            nodes.append({"name": name, **report_data(result)})
    doc = {"version": 1, "exitCode": fleet.exit_code, "nodes": nodes}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


FORMATS: dict[str, Callable[..., str]] = {"text": _text, "json": _json}
FLEET_FORMATS: dict[str, Callable[..., str]] = {"text": _fleet_text, "json": _fleet_json}
