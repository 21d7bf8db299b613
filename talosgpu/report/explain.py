"""Text and JSON reports of ``talosgpu explain`` (deterministic; no terminal codes)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

from talosgpu.knowledge.explain import ExplainMatch
from talosgpu.versions import TalosVersion, version_option

if TYPE_CHECKING:
    from talosgpu.commands.explain import ExplainOutcome

__all__ = ["FORMATS", "render_explain"]


def _wrap(label: str, text: str) -> list[str]:
    return textwrap.wrap(
        text, width=100, initial_indent=f"  {label}: ", subsequent_indent=" " * (len(label) + 4)
    )


def render_explain(
    matches: Sequence[ExplainMatch],
    *,
    talos_version: TalosVersion | str | None = None,
    output: Literal["text", "json"] | str = "text",
) -> str:
    """The report of :func:`~talosgpu.knowledge.explain.explain` results."""
    version = version_option(talos_version)
    if output == "json":
        doc = {
            "version": 2,  # 2: camelCase keys (talosVersion, appliesToVersion), this field
            "talosVersion": None if version is None else str(version),
            "matched": len(matches),
            "matches": [m.as_dict() for m in matches],
        }
        return json.dumps(doc, indent=2, sort_keys=False) + "\n"
    if not matches:
        return "no known failure found in the input\n"
    lines: list[str] = []
    for match in matches:
        lines.append(f"[{match.id}] {match.title}")
        lines.append(f"  line {match.line}: {match.excerpt}")
        if match.applies_to_version is False and version is not None:
            lines.append(f"  note: not known on Talos {version} (seen on {match.affected})")
        lines += _wrap("cause", match.cause)
        if version is not None or not match.fixes:
            label = f"fix (Talos {version})" if version is not None else "fix"
            lines += _wrap(label, match.fix)
        else:
            lines += _wrap("fix", match.fix)
            for fix in match.fixes:
                lines += _wrap(f"fix ({fix.label})", fix.fix)
        if match.references:
            lines += _wrap("see", ", ".join(match.references))
        lines.append("")
    return "\n".join(lines)


def _text(result: ExplainOutcome) -> str:
    return render_explain(result.matches, talos_version=result.talos_version, output="text")


def _json(result: ExplainOutcome) -> str:
    return render_explain(result.matches, talos_version=result.talos_version, output="json")


FORMATS: dict[str, Callable[..., str]] = {"text": _text, "json": _json}
