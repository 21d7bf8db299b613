"""What changed in one committed rendered file: a semantic diff of the parsed data, redacted.

A stale file is shown as a semantic diff of the parsed YAML/JSON (``~ path: old → new``,
``+``/``-`` for added/removed), because a text diff of a re-ordered or re-indented patch hides
what changes on the node; other files get a unified diff.
"""

from __future__ import annotations

import difflib

from talosgpu.check.semantic import parse_documents, semantic_diff
from talosgpu.talos.secrets import collect_secret_values, redact_text

__all__ = ["MAX_LINES", "describe_change"]

MAX_LINES = 60


def describe_change(name: str, old: str, new: str) -> tuple[str, ...]:
    """Semantic diff for YAML/JSON files (text diff when only comments/format differ).

    Secret-redacted: a committed file may hold what it should not (a token pasted into a patch),
    and pre-commit output ends up in CI logs. Values at Talos secret paths of either side, and
    key material anywhere, are masked (:func:`talosgpu.talos.secrets.redact_text`).
    """
    text = _unified(name, old, new)
    old_docs, new_docs = parse_documents(name, old), parse_documents(name, new)
    if old_docs is None or new_docs is None:
        lines = text
    else:
        changes = semantic_diff(old_docs, new_docs)
        lines = changes or ["(same data: comments or formatting differ)", *text]
    secrets = collect_secret_values([*(old_docs or ()), *(new_docs or ())])
    return _cap([redact_text(line, known_secrets=secrets) for line in lines])


def _unified(name: str, old: str, new: str) -> list[str]:
    return list(
        difflib.unified_diff(
            old.splitlines(),
            new.splitlines(),
            fromfile=f"{name} (committed)",
            tofile=f"{name} (rendered now)",
            lineterm="",
            n=2,
        )
    )


def _cap(lines: list[str]) -> tuple[str, ...]:
    if len(lines) <= MAX_LINES:
        return tuple(lines)
    return (*lines[:MAX_LINES], f"... {len(lines) - MAX_LINES} more line(s)")
