"""What ``talosgpu lint`` returns: frozen findings, skipped files and the report.

Findings carry only keys, paths and a few known-safe values (module names, file paths, TOML
table names, runtime names): never a config value that could be a secret. Messages still go
through :func:`talosgpu.talos.secrets.redact_text` as a second line of defence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "SEVERITIES",
    "Finding",
    "LintReport",
    "Severity",
    "SkippedFile",
    "Target",
    "exit_code",
]

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
SortKey = tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or note) at ``file``:``path``.

    ``path`` is the YAML path inside the file (``.machine.files[0].content``). In a file of several
    YAML documents it starts with ``#N`` (N = 0-based document index, as ``yq``'s
    ``document_index``); for a talhelper inline patch it starts with the patch's own path
    (``.nodes[3].patches[0]``); for a YAML block of a Markdown file with ``#L<line>``.
    ``rule`` is a stable kebab-case id (see ``docs/lint.md``).
    """

    file: str
    path: str
    rule: str
    severity: Severity
    message: str
    fix: str
    order: SortKey = field(default=(), compare=False, repr=False)
    # True/False: this finding's verdict does / does not depend on the release, whatever its
    # rule's entry in registry.VERSION_DEPENDENT says (one rule, two cases); None: the rule's.
    release_dependent: bool | None = field(default=None, compare=False, repr=False)

    def sort_key(self) -> tuple[str, SortKey, str, str]:
        return (self.file, self.order, self.rule, self.path)

    def one_line(self) -> str:
        """``FILE:PATH: severity rule-id: message (fix: ...)``."""
        return f"{self.file}:{self.path}: {self.severity} {self.rule}: {self.message} (fix: {self.fix})"

    def as_dict(self) -> dict[str, str]:
        return {
            "file": self.file,
            "path": self.path,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file that was read but is not Talos config (a Kubernetes manifest, a schematic...)."""

    file: str
    reason: str


@dataclass(frozen=True, slots=True)
class Target:
    """The Talos release a file was linted for and where that came from.

    ``origin`` is ``option`` (``--talos-version``), ``talconfig`` (``talosVersion``),
    ``installer`` (the installer image tag), ``documents`` (1.14 documents present) or
    ``default``.
    """

    file: str
    talos_version: str
    origin: str


@dataclass(frozen=True, slots=True)
class LintReport:
    """Everything one lint run found; ``exit_code`` is 1 when any warning or error was found."""

    findings: tuple[Finding, ...]
    files_checked: int
    skipped: tuple[SkippedFile, ...] = ()
    targets: tuple[Target, ...] = ()

    @property
    def exit_code(self) -> int:
        return 1 if any(f.severity in ("error", "warning") for f in self.findings) else 0

    def by_rule(self, rule: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.rule == rule)

    def rules(self) -> frozenset[str]:
        return frozenset(f.rule for f in self.findings)


def sort_findings(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Deterministic order: file, position in the file, rule, path; duplicates dropped."""
    unique: dict[tuple[str, str, str, str], Finding] = {}
    for item in findings:
        unique.setdefault((item.file, item.path, item.rule, item.message), item)
    return tuple(sorted(unique.values(), key=Finding.sort_key))


def exit_code(report: LintReport, *, strict: bool = False) -> int:
    """0 clean, 1 findings (warnings/errors; with ``strict`` info findings too)."""
    if strict and report.findings:
        return 1
    return report.exit_code
