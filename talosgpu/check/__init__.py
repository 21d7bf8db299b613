"""``talosgpu check``: the pre-commit gate (intents valid, committed rendered files current).

See ``docs/pre-commit.md``. ``files`` finds, re-renders and compares; ``semantic`` is the
structural YAML/JSON diff it shows for a stale file.
"""

from __future__ import annotations

from talosgpu.check.files import (
    DEFAULT_RENDERED_DIR,
    CheckReport,
    FileCheck,
    FileProblem,
    check_files,
    describe_change,
    format_report,
)
from talosgpu.check.semantic import parse_documents, semantic_diff

__all__ = [
    "DEFAULT_RENDERED_DIR",
    "CheckReport",
    "FileCheck",
    "FileProblem",
    "check_files",
    "describe_change",
    "format_report",
    "parse_documents",
    "semantic_diff",
]
