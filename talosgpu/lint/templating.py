"""Blanking template tags so the YAML around them can be linted (never fatal, lines kept).

Handled: Jinja ``{# … #}`` comments and ``{% … %}`` statements (also when they span lines),
makejinja ``#% … %#`` statements, Terraform ``%{ … }`` directives, Go-template actions
(``{{ if }}``, ``{{- end }}``, ``{{/* … */}}``, talhelper / helm / topf ``.yaml.tpl``) and
``{{ … }}`` expressions anywhere, keys included. Every blanked span keeps its newlines, so a
YAML error or a finding in the blanked text is on the line of the original.

An expression becomes a unique plain word (``TEMPLATED1``, ``TEMPLATED2`` …): two templated keys
of one mapping (``{{ a }}: x`` / ``{{ b }}: y``) must not collide into a duplicate key. A line
that holds nothing but a statement or an expression is emptied (it stood for lines the template
writes, e.g. ``{{ include "x" | indent 4 }}``).
"""

from __future__ import annotations

import itertools
import re

__all__ = ["MARKERS", "blank_templates"]

MARKERS = ("{{", "{%", "{#", "%{", "#%")
# Whole spans, possibly over several lines (non-greedy, DOTALL).
_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
# Jinja statements may span lines; makejinja and Terraform ones are read within one line (a
# `%{http_code}` in a curl command must not swallow the lines after it).
_STATEMENT = re.compile(r"\{%.*?%\}|#%[^\n]*?%#|%\{[^\n]*?\}", re.DOTALL)
_GO_ACTION = re.compile(
    r"\{\{-?\s*(?:/\*.*?\*/|(?:if|else|end|range|with|define|template|block)\b.*?)\s*-?\}\}",
    re.DOTALL,
)
_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_PLACEHOLDER = re.compile(r"\x00\d*\x00")


def _keep_newlines(match: re.Match[str]) -> str:
    return "\n" * match.group(0).count("\n")


def blank_templates(text: str) -> str:
    """``text`` with every template tag blanked; same number of lines."""
    counter = itertools.count(1)
    # Statements and comments first (a {% if %} may hold {{ }}), marking where they stood so a
    # line left with only markers and blanks can be emptied.
    text = _COMMENT.sub(lambda m: "\x00\x00" + _keep_newlines(m), text)
    text = _STATEMENT.sub(lambda m: "\x00\x00" + _keep_newlines(m), text)
    text = _GO_ACTION.sub(lambda m: "\x00\x00" + _keep_newlines(m), text)
    text = _EXPRESSION.sub(lambda m: f"\x00{next(counter)}\x00" + _keep_newlines(m), text)
    lines = []
    for line in text.split("\n"):
        if "\x00" in line and not _PLACEHOLDER.sub("", line).strip():
            lines.append("")  # the line was only template tags
            continue
        lines.append(
            _PLACEHOLDER.sub(
                lambda m: f"TEMPLATED{m.group(0)[1:-1]}" if len(m.group(0)) > 2 else "", line
            )
        )
    return "\n".join(lines)
