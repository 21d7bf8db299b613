"""The redaction policy of every report: what a command shows unless ``--show-secrets``.

The mechanism (which paths are secret, how a value is masked) is :mod:`talosgpu.talos.secrets`;
this module decides *when* it applies: to errors, to warning lines and to any one-line
message, always unless the user asked to see secrets.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence

from talosgpu.errors import TalosGPUError
from talosgpu.talos.secret_text import redact_text

__all__ = ["redact_error", "safe_line", "scrub_lines"]


def redact_error(exc: TalosGPUError, secrets: Iterable[str]) -> TalosGPUError:
    """The same error with ``secrets`` masked in its message (type, file and path kept)."""
    clone = copy.copy(exc)
    clone.message = redact_text(exc.message, known_secrets=secrets)
    if exc.file:
        clone.file = redact_text(exc.file, known_secrets=secrets)
    Exception.__init__(clone, clone.one_line())
    return clone


def scrub_lines(
    lines: Sequence[str], *, secrets: Iterable[str] = (), show_secrets: bool = False
) -> list[str]:
    """Warning lines with known secret values and key material masked, unless shown."""
    if show_secrets:
        return list(lines)
    known = frozenset(secrets)
    return [redact_text(line, known_secrets=known) for line in lines]


# An error line quotes names and values from the input (a node name, a key); a hostile or
# mistaken input can make one megabytes long. Each word is cut to a prefix, the line to a
# screenful, after redaction (so a secret is masked whole, never cut into a visible prefix).
MAX_WORD_CHARS = 120
MAX_LINE_CHARS = 2000


def _cut_word(word: str) -> str:
    if len(word) <= MAX_WORD_CHARS:
        return word
    return f"{word[:MAX_WORD_CHARS]}…(+{len(word) - MAX_WORD_CHARS:,} chars)"


def safe_line(text: str, *, show_secrets: bool = False) -> str:
    """One line (whitespace collapsed), key material masked unless shown, every word and the
    line cut to a readable length."""
    line = " ".join(text.split())
    if not show_secrets:
        line = redact_text(line)
    if len(line) > MAX_WORD_CHARS:
        line = " ".join(_cut_word(word) for word in line.split(" "))
    if len(line) > MAX_LINE_CHARS:
        line = f"{line[:MAX_LINE_CHARS]}… (+{len(line) - MAX_LINE_CHARS:,} chars)"
    return line
