"""``talosgpu lint``: known GPU traps in Talos patches, machine configs and talconfig files.

>>> from talosgpu.lint import lint_text
>>> report = lint_text("machine:\\n  sysctls:\\n    net.core.bpf_jit_harden: 1\\n",
...                    source="patch.yaml", talos_version="1.11")
>>> [f.rule for f in report.findings]
['bpf-jit-harden-number']
"""

from __future__ import annotations

from talosgpu.lint.engine import lint_text, lint_texts
from talosgpu.lint.findings import (
    Finding,
    LintReport,
    Severity,
    SkippedFile,
    Target,
    exit_code,
)
from talosgpu.lint.registry import RULES

LintFinding = Finding  # the name exported from ``talosgpu`` (CDI has its own finding type)

__all__ = [
    "RULES",
    "Finding",
    "LintFinding",
    "LintReport",
    "Severity",
    "SkippedFile",
    "Target",
    "exit_code",
    "lint_text",
    "lint_texts",
]
