"""Field-specific merge behaviour (keyed lists, replace fields, pointer scalars), looked up.

Talos merges *decoded Go structs* (``pkg/machinery/config/merge/merge.go``); talosgpu merges plain
YAML data, so what Go learns from a field's type or struct tag is written down in the one field
table (:mod:`talosgpu.talos.fields`, each ``merge`` fact citing the upstream file and the first
Talos release that behaves that way); this module indexes it per release. Paths here are
tuples; ``*`` stands for "any list item".

Anything not in the table merges by the generic rules (maps key by key, lists append, ``""``/``0``
ignored, booleans always copied).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from talosgpu.talos.fields import ANY_ITEM, FIELDS, KINDS, Behaviour
from talosgpu.versions import TalosVersion

__all__ = [
    "NAMED_KINDS",
    "RULES",
    "Behaviour",
    "FieldRule",
    "identity_key",
    "rule_for",
]


@dataclass(frozen=True, slots=True)
class FieldRule:
    """How one field merges. ``key`` names the identity field(s) of list items, in priority order."""

    doc: str
    path: tuple[str, ...]
    behaviour: Behaviour
    since: str
    source: str
    key: tuple[str, ...] = ()
    until: str | None = None  # first release that no longer behaves this way


def _merge_path(parts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple("*" if part == ANY_ITEM else part for part in parts)


# Derived from the one field table (talosgpu.talos.fields), one row per merge fact.
RULES: tuple[FieldRule, ...] = tuple(
    FieldRule(f.doc, _merge_path(f.parts), m.behaviour, m.since, m.source, m.key, m.until)
    for f in FIELDS
    for m in f.merge
)

# Kinds whose Go type implements config.NamedDocument: their document id carries ``/name``.
NAMED_KINDS: frozenset[str] = frozenset(kind for kind, facts in KINDS.items() if facts.named)


@cache
def _index(series: tuple[int, int]) -> dict[tuple[str, tuple[str, ...]], FieldRule]:
    version = TalosVersion(*series)
    table: dict[tuple[str, tuple[str, ...]], FieldRule] = {}
    for rule in RULES:
        if not version.at_least(rule.since):
            continue
        if rule.until is not None and version.at_least(rule.until):
            continue
        table[(rule.doc, rule.path)] = rule
    return table


def rule_for(doc: str, path: Sequence[str | int], version: TalosVersion) -> FieldRule | None:
    """The rule for the field at ``path`` (list indices may be ints or ``*``) of document ``doc``."""
    key = tuple("*" if isinstance(p, int) else p for p in path)
    return _index(version.series).get((doc, key))


def identity_key(doc: str, path: Sequence[str | int], version: TalosVersion) -> str | None:
    """The field naming a list item at ``path`` (``None``: the whole item is its identity)."""
    rule = rule_for(doc, path, version)
    if rule is None or not rule.key:
        return None
    return rule.key[0]
