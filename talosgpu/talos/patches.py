"""Loading Talos config patches the way ``talosctl`` does (``configpatcher/load.go``).

A ``-p`` value is ``@file``, an inline patch, or (talosctl 1.13+) a bare filename: a value with no
space or newline that does not start with ``[`` or ``{``. The text is tried as a strategic-merge
patch (YAML documents, ``$patch: delete`` allowed), then as a JSON6902 op list (JSON or YAML).
An empty text is an empty JSON6902 patch, exactly as in Talos (``yaml.Unmarshal`` of nothing).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from talosgpu import yamlio
from talosgpu.errors import ConfigError, YAMLError
from talosgpu.talos.shapes import check_shapes

__all__ = ["Patch", "load_patch", "parse_patch"]

PatchKind = Literal["strategic", "json6902"]
_DOC_SEPARATOR = re.compile(r"^---(\s|$)")


@dataclass(frozen=True, slots=True)
class Patch:
    """One loaded patch: strategic documents (with ``$patch`` markers) or JSON6902 operations."""

    kind: PatchKind
    documents: tuple[dict[str, Any], ...] = ()
    operations: tuple[dict[str, Any], ...] = ()
    source: str = "<patch>"
    lines: tuple[int, ...] = field(default=(), compare=False)

    @classmethod
    def from_documents(
        cls, documents: Sequence[Mapping[str, Any]], *, source: str = "<patch>"
    ) -> Patch:
        """A strategic patch from plain documents (e.g. ``reduce_patch`` output)."""
        return cls("strategic", documents=tuple(dict(d) for d in documents), source=source)

    @classmethod
    def from_operations(
        cls, operations: Sequence[Mapping[str, Any]], *, source: str = "<patch>"
    ) -> Patch:
        """A JSON6902 patch from ``{"op": ..., "path": ...}`` mappings."""
        return cls("json6902", operations=tuple(dict(o) for o in operations), source=source)


def _document_lines(text: str) -> tuple[int, ...]:
    """1-based line of the first content line of every non-empty document in ``text``."""
    lines: list[int] = []
    pending = True
    for number, line in enumerate(text.splitlines(), start=1):
        if _DOC_SEPARATOR.match(line):
            pending = True
            rest = line[3:].strip()
            if rest and not rest.startswith("#"):
                lines.append(number)
                pending = False
            continue
        stripped = line.strip()
        if pending and stripped and not stripped.startswith(("#", "%")):
            lines.append(number)
            pending = False
    return tuple(lines)


def parse_patch(text: str, *, source: str = "<patch>") -> Patch:
    """Parse patch text: strategic documents, a JSON6902 op list, or nothing (empty JSON6902)."""
    try:
        docs = yamlio.load_all(text, source=source)
    except YAMLError as exc:
        raise ConfigError(f"not a valid patch: {exc.message}", file=source) from None
    if not docs:
        return Patch("json6902", source=source)
    if all(isinstance(doc, dict) for doc in docs):
        check_shapes(docs, source=source, what="patch")
        return Patch("strategic", documents=tuple(docs), source=source, lines=_document_lines(text))
    if len(docs) == 1 and isinstance(docs[0], list):
        ops = docs[0]
        for index, op in enumerate(ops):
            if not isinstance(op, dict) or not isinstance(op.get("op"), str):
                raise ConfigError(
                    f"JSON6902 operation {index} is not a mapping with an 'op'", file=source
                )
        return Patch("json6902", operations=tuple(ops), source=source)
    raise ConfigError("expected a YAML document (mapping) or a JSON6902 list", file=source)


def _resolve(name: str, base_dir: Path | None) -> Path:
    path = Path(name).expanduser()
    if base_dir is not None and not path.is_absolute():
        path = base_dir / path
    return path


def load_patch(spec: str, *, base_dir: Path | None = None) -> Patch:
    """Load a ``-p`` value: ``@file``, a bare filename (no space/newline, not ``[``/``{``), or text.

    Relative file names are resolved against ``base_dir`` (default: the working directory).
    """
    if spec.startswith("@"):
        path = _resolve(spec[1:], base_dir)
    elif not any(ch in spec for ch in "\n ") and not spec.startswith(("[", "{")):
        path = _resolve(spec, base_dir)
    else:
        return parse_patch(spec, source="<inline patch>")
    if str(path) == yamlio.STDIN:
        raise ConfigError("a patch cannot be read from standard input", file=spec)
    text, display = yamlio.read_source(path)
    return parse_patch(text, source=display)
