"""``talosgpu explain``: known GPU-node failures in an error message or a log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from talosgpu.commands.inputs import STDIN, read_input
from talosgpu.errors import TalosGPUError
from talosgpu.knowledge.explain import ExplainMatch, explain
from talosgpu.versions import version_option

if TYPE_CHECKING:
    from talosgpu.versions import TalosVersion

__all__ = ["ExplainOutcome", "explain_input"]


@dataclass(frozen=True, slots=True)
class ExplainOutcome:
    """What matched, for which release (None: no release given)."""

    matches: tuple[ExplainMatch, ...]
    talos_version: TalosVersion | None


def explain_input(
    text: str | None,
    *,
    talos_version: str | TalosVersion | None = None,
    assume_newest_known: bool = False,
) -> ExplainOutcome:
    """``text`` itself, ``None``/``-`` for standard input or ``@FILE`` for a file's contents."""
    if text is None or text == STDIN:
        body = read_input(STDIN).text
    elif text.startswith("@"):
        body = read_input(text[1:]).text
    else:
        body = text
    if not body.strip():
        raise TalosGPUError("nothing to explain (empty input)")
    version = version_option(talos_version, assume_newest_known=assume_newest_known)
    return ExplainOutcome(
        matches=tuple(explain(body, talos_version=version)), talos_version=version
    )
