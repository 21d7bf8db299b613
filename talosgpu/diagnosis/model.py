"""A doctor run's result: checks with evidence, cause and fix, in the order a reader needs.

``status``: ``fail`` (a problem, with the fix), ``warn`` (likely a problem, or a choice that is
known to break), ``pass`` (with the evidence that shows it), ``skip`` (with the reason the fact
is missing: a release without the resource, a command that failed, a bundle without the file).
Failing checks come first, so the first lines name the cause and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CHECK_IDS",
    "NOT_APPLICABLE",
    "STATUS_ORDER",
    "UNREASONED",
    "Check",
    "Status",
    "not_applicable",
    "ordered",
    "skipped",
]

Status = Literal["fail", "warn", "pass", "skip"]
STATUS_ORDER: dict[str, int] = {"fail": 0, "warn": 1, "pass": 2, "skip": 3}

# Every check a run reports, at least once: one that does not apply says ``skip`` and why, so a
# reader never takes a missing line for a pass (``--probe`` adds ``probe-*`` checks).
CHECK_IDS: tuple[str, ...] = (
    "talos-version", "extensions", "driver-versions", "modules", "driver-log", "services",
    "cri-customization", "runtime-handlers", "cdi-spec", "cdi-hook-binaries", "legacy-ebpf",
    "node-labels", "node-taints", "gpu-advertised", "time-slicing", "gpu-pods", "events",
)  # fmt: skip
UNREASONED = "skipped: not evaluated (no reason recorded: a talosgpu bug)"
# a skip that is no gap: the check does not apply to this node's plan (a report whose only
# skips are these is healthy; one with other skips says some checks could not run)
NOT_APPLICABLE = "not applicable: "


@dataclass(frozen=True, slots=True)
class Check:
    """One check's outcome. ``explain`` names the ``talosgpu explain`` catalog entry of the
    failure (``talosgpu explain --list``); ``fix`` is the exact change (a patch to render, a
    schematic to install, a command)."""

    id: str
    title: str
    status: Status
    evidence: tuple[str, ...] = ()
    cause: str = ""
    fix: str = ""
    explain: str | None = None

    @property
    def gap(self) -> bool:
        """A skip because a fact was missing (not because the check does not apply)."""
        return self.status == "skip" and not (
            self.evidence and self.evidence[0].startswith(NOT_APPLICABLE)
        )


def skipped(ident: str, title: str, reason: str) -> Check:
    """A check that could not run because a fact is missing (``skip``, ``skipped: why``)."""
    return Check(ident, title, "skip", (f"skipped: {reason}",))


def not_applicable(ident: str, title: str, reason: str) -> Check:
    """A check that does not apply to this node (``skip``, evidence ``not applicable: why``)."""
    return Check(ident, title, "skip", (NOT_APPLICABLE + reason,))


def ordered(checks: list[Check]) -> tuple[Check, ...]:
    """Failures first, then warnings, passes and skips; the check order within each."""
    return tuple(sorted(checks, key=lambda c: STATUS_ORDER[c.status]))
