"""The report of ``talosgpu render --explain``: the plan's choices, each with its reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from talosgpu.commands.render import RenderOutcome

__all__ = ["FORMATS", "explain_text"]


def explain_text(outcome: RenderOutcome) -> str:
    """Headline, one ``- summary / why: reason`` entry per decision, ``!`` per warning."""
    lines = [outcome.headline]
    lines += [f"- {summary}\n    why: {reason}" for summary, reason in outcome.explanation]
    lines += [f"! {w}" for w in outcome.warnings]
    return "\n".join(lines) + "\n"


def _text(outcome: RenderOutcome) -> str:
    return explain_text(outcome) if outcome.what == "explain" else outcome.text


FORMATS: dict[str, Callable[..., str]] = {"text": _text}
