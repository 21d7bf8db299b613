"""Rendering a :class:`~talosgpu.configdiff.model.ConfigDiff` as text or as JSON.

Both renderers show redacted values and, as a last line of defence, pass the whole output through
:func:`talosgpu.talos.secrets.redact_text` with every secret value of both configs, so a secret
that slipped into a path, a note or a TOML diff is still masked. ``show_secrets=True`` opts out.

JSON shape (``version`` 1; documented in ``docs/diff-and-apply.md``; keys are never removed
within a version)::

    {"version": 1, "node": str|null, "source": str|null, "talosVersion": "X.Y",
     "changes": [{"document", "path", "op", "old", "new", "impact", "note", "secret",
                  "textDiff", "copies": {"live", "proposed"}|null}],
     "reboot": bool, "rebootReasons": [str], "summary": str, "warnings": [str]}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from talosgpu import yamlio
from talosgpu.configdiff.model import Change, ConfigDiff
from talosgpu.talos.secrets import REDACTED, redact_text

if TYPE_CHECKING:
    from talosgpu.commands.diff import DiffResult

__all__ = ["FORMATS", "JSON_SCHEMA_VERSION", "render_json", "render_text", "to_json_data"]

JSON_SCHEMA_VERSION = 1
_SIGN = {"add": "+", "remove": "-", "change": "~", "dedupe": "~", "reorder": "~", "move": ">"}
_INLINE_MAX = 100


def _scrub(text: str, diff: ConfigDiff, show_secrets: bool) -> str:
    return text if show_secrets else redact_text(text, known_secrets=diff.secrets)


def _inline(value: Any) -> str | None:
    """One-line form of ``value`` or None when it needs a block."""
    if isinstance(value, str) and "\n" in value:
        return None
    if isinstance(value, str) and '"' in value and "'" not in value and value.strip() == value:
        return f"'{value}'"  # udev rules: readable, still unambiguous (YAML single quotes)
    text = json.dumps(value, ensure_ascii=False)
    if isinstance(value, (dict, list)) and len(text) > _INLINE_MAX:
        return None
    return text


def _block(value: Any, indent: str) -> list[str]:
    text = value if isinstance(value, str) else yamlio.dump(value)
    return [indent + line if line else "" for line in text.rstrip("\n").split("\n")]


def _copies(change: Change) -> str:
    if change.copies is None:
        return ""
    live, proposed = change.copies
    return f" ({live} → {proposed} copies)"


def _dedupe_lines(change: Change, head: str, old: Any, new: Any) -> tuple[str, list[str]]:
    """``2 → 1 copies``: the item stays; a dropped copy that differs from the kept one is
    shown, so the reviewer sees exactly what goes."""
    assert change.copies is not None
    live, proposed = change.copies
    counted = f"{live} → {proposed} copies, duplicates dropped"
    kept = _inline(new) if change.path.endswith("[]") else None
    line = f"{head}: {kept} {counted}" if kept is not None else f"{head}: {counted}"
    if old == new:  # the same as shown (a copy differing only in a secret shows nothing)
        return line, []
    dropped = _inline(old)
    if dropped is not None:
        return line, [f"      dropped copy: {dropped}"]
    return line, ["      dropped copy:", *_block(old, "        ")]


def _change_lines(change: Change, show_secrets: bool) -> list[str]:
    old = change.value("old", show_secrets=show_secrets)
    new = change.value("new", show_secrets=show_secrets)
    text_diff = change.diff_text(show_secrets=show_secrets)
    tag = f"[{change.impact}{': ' + change.note if change.note else ''}]"
    head = f"  {_SIGN[change.op]} {change.path}"
    shown = new if change.op == "add" else old
    extra: list[str] = []
    if change.op == "dedupe":
        line, extra = _dedupe_lines(change, head, old, new)
        if text_diff is not None:
            extra = [*extra, *_block(text_diff, "      ")]
    elif text_diff is not None:
        line = head
        extra = _block(text_diff, "      ")
    elif change.op == "reorder":
        line = f"{head}: the same items in another order"
        extra = ["      was:", *_block(old, "        "), "      now:", *_block(new, "        ")]
    elif change.op == "change":
        left, right = _inline(old), _inline(new)
        if change.secret and old == new:  # only a secret changed: the shown values are equal
            line = f"{head}: {REDACTED} → {REDACTED} (changed)"
        elif left is not None and right is not None:
            line = f"{head}: {left} → {right}"
        else:
            line = head + ":"
            extra = ["      was:", *_block(old, "        "), "      now:", *_block(new, "        ")]
    else:
        inline = _inline(shown)
        suffix = {"remove": " (removed)", "move": ""}.get(change.op, _copies(change))
        if inline is not None:
            line = f"{head}: {inline}{suffix}"
        else:
            line = f"{head}:{suffix}"
            extra = _block(shown, "      ")
    return [f"{line}  {tag}", *extra]


def render_text(
    diff: ConfigDiff,
    *,
    node: str | None = None,
    source: str | None = None,
    warnings: Sequence[str] = (),
    show_secrets: bool = False,
) -> str:
    """The human report: one block per document, one line per change, then the summary."""
    lines: list[str] = []
    where = ", ".join(
        part
        for part in (f"node {node}" if node else "", f"live config from {source}" if source else "")
        if part
    )
    lines.append(f"talosgpu diff for Talos {diff.talos_version}{': ' + where if where else ''}")
    current: str | None = None
    for change in diff.changes:
        if change.document != current:
            current = change.document
            lines.append(f"{current}:")
        lines.extend(_change_lines(change, show_secrets))
    lines.extend(f"warning: {w}" for w in warnings)
    lines.append(diff.summary)
    return _scrub("\n".join(lines) + "\n", diff, show_secrets)


def to_json_data(
    diff: ConfigDiff,
    *,
    node: str | None = None,
    source: str | None = None,
    warnings: Sequence[str] = (),
    show_secrets: bool = False,
) -> dict[str, Any]:
    """The JSON document as plain data (not yet scrubbed: use :func:`render_json` to print)."""
    return {
        "version": JSON_SCHEMA_VERSION,
        "node": node,
        "source": source,
        "talosVersion": str(diff.talos_version),
        "changes": [
            {
                "document": c.document,
                "path": c.path,
                "op": c.op,
                "old": c.value("old", show_secrets=show_secrets),
                "new": c.value("new", show_secrets=show_secrets),
                "impact": c.impact,
                "note": c.note,
                "secret": c.secret and not show_secrets,
                "textDiff": c.diff_text(show_secrets=show_secrets),
                "copies": ({"live": c.copies[0], "proposed": c.copies[1]} if c.copies else None),
            }
            for c in diff.changes
        ],
        "reboot": diff.reboot,
        "rebootReasons": list(diff.reboot_reasons),
        "summary": diff.summary,
        "warnings": list(warnings),
    }


def render_json(
    diff: ConfigDiff,
    *,
    node: str | None = None,
    source: str | None = None,
    warnings: Sequence[str] = (),
    show_secrets: bool = False,
) -> str:
    """The JSON report (2-space indent, trailing newline), secrets masked unless asked."""
    data = to_json_data(
        diff, node=node, source=source, warnings=warnings, show_secrets=show_secrets
    )
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return _scrub(text, diff, show_secrets)


def _meta(result: DiffResult, *, warnings: bool, node: str | None) -> dict[str, Any]:
    return {
        "node": node or result.live.node,
        "source": result.live.source,
        "warnings": result.warnings if warnings else (),
        "show_secrets": result.show_secrets,
    }


def _text(result: DiffResult, *, warnings: bool = True, node: str | None = None) -> str:
    """``warnings=False`` when the command prints them on stderr instead; ``node`` names the
    node as the user gave it (``apply --node``) rather than as the envelope reports it."""
    return render_text(result.diff, **_meta(result, warnings=warnings, node=node))


def _json(result: DiffResult, *, warnings: bool = True, node: str | None = None) -> str:
    return render_json(result.diff, **_meta(result, warnings=warnings, node=node))


FORMATS: dict[str, Callable[..., str]] = {"text": _text, "json": _json}
