"""What changed in a committed rendered file (the core of ``talosgpu check``).

``semantic`` is the structural YAML/JSON diff; ``describe`` words one stale file, redacted.
Finding, re-rendering and comparing the files is the use case :mod:`talosgpu.commands.check`.
"""

from __future__ import annotations

from talosgpu.check.describe import describe_change
from talosgpu.check.semantic import parse_documents, semantic_diff

__all__ = ["describe_change", "parse_documents", "semantic_diff"]
