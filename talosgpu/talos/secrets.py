"""Secret redaction (placeholder; the full implementation replaces this module)."""

from __future__ import annotations


def redact_text(text: str) -> str:
    return text
