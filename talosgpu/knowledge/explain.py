"""Known failures of NVIDIA GPU nodes on Talos: find them in logs, say why, say what to change.

The catalog is data (``data/explain_catalog.toml``): every error message of the talos05 and
velaryon field reports and of research peers.md §3-§5 maps to a cause and to fixes that depend on
the Talos release. Affected releases are evaluated with :class:`~talosgpu.versions.TalosVersion`
(``at_least`` and named predicates), never by comparing version strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from talosgpu import tomlio
from talosgpu.talos.secrets import redact_text
from talosgpu.versions import TalosVersion, version_option

__all__ = ["CatalogEntry", "ExplainMatch", "VersionedFix", "catalog", "explain"]

_EXCERPT_MAX = 200


@dataclass(frozen=True, slots=True)
class VersionRange:
    """Talos minors ``since``..``until`` (inclusive, either open) and an optional predicate."""

    since: str | None = None
    until: str | None = None
    predicate: str | None = None

    def contains(self, version: TalosVersion) -> bool:
        if self.since and not version.at_least(self.since):
            return False
        if self.until:
            major, minor = (int(p) for p in self.until.split("."))
            if version.at_least(f"{major}.{minor + 1}"):
                return False
        if self.predicate:
            negate = self.predicate.startswith("not ")
            value = bool(getattr(version, self.predicate.removeprefix("not ")))
            return value != negate
        return True

    @property
    def label(self) -> str:
        if self.predicate:
            return f"Talos releases where {self.predicate.replace('_', ' ')}"
        if self.since and self.until:
            return (
                f"Talos {self.since}"
                if self.since == self.until
                else f"Talos {self.since}-{self.until}"
            )
        if self.since:
            return f"Talos {self.since}+"
        if self.until:
            return f"Talos <= {self.until}"
        return "all Talos releases"


@dataclass(frozen=True, slots=True)
class VersionedFix:
    versions: VersionRange
    fix: str

    @property
    def label(self) -> str:
        return self.versions.label


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    id: str
    title: str
    cause: str
    fix: str
    patterns: tuple[re.Pattern[str], ...]
    context: tuple[re.Pattern[str], ...]
    affected: VersionRange
    fixes: tuple[VersionedFix, ...]
    references: tuple[str, ...]

    def fix_for(self, version: TalosVersion | None) -> str:
        if version is not None:
            for candidate in self.fixes:
                if candidate.versions.contains(version):
                    return candidate.fix
        return self.fix


@dataclass(frozen=True, slots=True)
class ExplainMatch:
    """One known failure found in the text."""

    id: str
    title: str
    cause: str
    fix: str
    line: int
    excerpt: str
    applies_to_version: bool | None
    affected: str
    fixes: tuple[VersionedFix, ...] = ()
    references: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "line": self.line,
            "excerpt": self.excerpt,
            "cause": self.cause,
            "fix": self.fix,
            "affected": self.affected,
            "appliesToVersion": self.applies_to_version,
            "fixes": [{"versions": f.label, "fix": f.fix} for f in self.fixes],
            "references": list(self.references),
        }


def _range(row: dict[str, Any], where: str) -> VersionRange:
    rng = VersionRange(row.get("since"), row.get("until"), row.get("predicate"))
    probe = TalosVersion.parse("1.7")
    for bound in (rng.since, rng.until):
        if bound is not None:
            TalosVersion.parse(bound)  # malformed bounds fail loudly at load
    if rng.predicate and not isinstance(getattr(probe, rng.predicate.removeprefix("not ")), bool):
        raise ValueError(f"{where}: predicate {rng.predicate!r} is not a TalosVersion flag")
    return rng


@cache
def catalog() -> tuple[CatalogEntry, ...]:
    """The catalog, in file order (ids unique, patterns compiled case-insensitively)."""
    path = resources.files("talosgpu.knowledge").joinpath("data/explain_catalog.toml")
    raw = tomlio.loads(
        path.read_text("utf-8"), source="talosgpu/knowledge/data/explain_catalog.toml"
    )
    entries: list[CatalogEntry] = []
    seen: set[str] = set()
    for row in raw["entries"]:
        ident = row["id"]
        if ident in seen:
            raise ValueError(f"explain catalog: duplicate id {ident}")
        seen.add(ident)
        entries.append(
            CatalogEntry(
                id=ident,
                title=row["title"],
                cause=row["cause"],
                fix=row["fix"],
                patterns=tuple(re.compile(p, re.IGNORECASE) for p in row["patterns"]),
                context=tuple(re.compile(p, re.IGNORECASE) for p in row.get("context", ())),
                affected=_range(row, ident),
                fixes=tuple(VersionedFix(_range(f, ident), f["fix"]) for f in row.get("fixes", ())),
                references=tuple(row.get("references", ())),
            )
        )
    return tuple(entries)


def _excerpt(text: str, start: int, end: int) -> str:
    """The line(s) holding the match, whitespace collapsed, cut around the match when long."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    full = _collapse(text[line_start:line_end])
    if len(full) <= _EXCERPT_MAX:
        return full
    offset = len(_collapse(text[line_start:start] + "x")) - 1  # where the match starts
    body = len(_collapse(text[start:end]))
    first = max(0, min(offset - max(_EXCERPT_MAX - body, 0) // 2, len(full) - _EXCERPT_MAX))
    window = full[first : first + _EXCERPT_MAX]
    return ("..." if first else "") + window + ("..." if first + _EXCERPT_MAX < len(full) else "")


def _collapse(text: str) -> str:
    return " ".join(text.split())


def explain(text: str, *, talos_version: TalosVersion | str | None = None) -> list[ExplainMatch]:
    """Every catalog entry found in ``text``, ordered by first occurrence (then catalog order).

    With ``talos_version`` the fix is the one for that release and ``applies_to_version`` says
    whether the failure is known on it; without, ``applies_to_version`` is ``None``.
    """
    version = version_option(talos_version)
    found: list[tuple[int, int, ExplainMatch]] = []
    for order, entry in enumerate(catalog()):
        if entry.context and not any(c.search(text) for c in entry.context):
            continue
        spans = [m.span() for p in entry.patterns if (m := p.search(text))]
        if not spans:
            continue
        start, end = min(spans)
        found.append(
            (
                start,
                order,
                ExplainMatch(
                    id=entry.id,
                    title=entry.title,
                    cause=entry.cause,
                    fix=entry.fix_for(version),
                    line=text.count("\n", 0, start) + 1,
                    excerpt=redact_text(_excerpt(text, start, end)),
                    applies_to_version=None
                    if version is None
                    else entry.affected.contains(version),
                    affected=entry.affected.label,
                    fixes=entry.fixes,
                    references=entry.references,
                ),
            )
        )
    return [match for _, _, match in sorted(found, key=lambda item: (item[0], item[1]))]
