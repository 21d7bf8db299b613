"""The finding type every CDI check returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from talosgpu.errors import format_yaml_path

__all__ = ["CDIFinding", "Path", "Severity", "exit_code", "finding", "show"]

Severity = Literal["error", "warning"]
Path = Sequence[str | int]


@dataclass(frozen=True, slots=True)
class CDIFinding:
    """One problem in a CDI spec.

    ``code`` is a stable identifier (``unknown-field``, ``min-version``, ``talos-hook-wrapper``...),
    ``path`` the YAML path (``.devices[0].name``), ``fix`` what to do about it.
    """

    severity: Severity
    code: str
    path: str
    message: str
    fix: str

    def one_line(self, source: str | None = None) -> str:
        prefix = f"{source}: " if source else ""
        return f"{prefix}{self.path}: {self.severity}: {self.message} (fix: {self.fix})"

    def as_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity,
            "code": self.code,
            "path": self.path,
            "message": self.message,
            "fix": self.fix,
        }


def finding(severity: Severity, code: str, path: Path, message: str, fix: str) -> CDIFinding:
    return CDIFinding(severity, code, format_yaml_path(list(path)), message, fix)


def show(value: Any, limit: int = 60) -> str:
    """A short, one-line rendering of an input value for messages."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def exit_code(findings: Sequence[CDIFinding], *, strict: bool = False) -> int:
    """0 valid (warnings allowed unless ``strict``), 1 when a finding fails the spec."""
    failing = [f for f in findings if f.severity == "error" or strict]
    return 1 if failing else 0
