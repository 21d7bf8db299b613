"""Will re-applying a patch grow the config? (Talos appends list items on every application.)

Talos's strategic merge appends plain lists (``merge.go``): applying the same patch twice
duplicates kernel modules, udev rules, ``machine.files``, kubelet ``extraMounts``, install
extensions... :func:`check_idempotency` reports what a patch would duplicate in a given config and
whether the result is a fixed point; :func:`talosgpu.talos.reduce.reduce_patch` computes the patch
that only adds what is missing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from talosgpu.errors import format_yaml_path
from talosgpu.talos.documents import V1ALPHA1, doc_kind, document_id, is_v1alpha1
from talosgpu.talos.merge import _key_of, merge_documents
from talosgpu.talos.mergerules import rule_for
from talosgpu.talos.reduce import reduce_patch, split_patch
from talosgpu.versions import TalosVersion

__all__ = [
    "IdempotencyIssue",
    "IdempotencyReport",
    "check_idempotency",
    "reduce_patch",
    "split_patch",
]

IssueKind = Literal["duplicate", "conflict", "regrowth"]


@dataclass(frozen=True, slots=True)
class IdempotencyIssue:
    """One list item that applying the patch appends although it is (or will be) there already.

    ``kind``: ``duplicate`` (an identical item is already in the config), ``conflict`` (an item
    with the same identity but other content is there, e.g. a kernel module with new parameters),
    ``regrowth`` (not in the config yet, but applying the patch a second time appends it again).
    """

    document: str
    path: str
    identity: str
    kind: IssueKind
    message: str


@dataclass(frozen=True, slots=True)
class IdempotencyReport:
    """``issues`` in document order; ``fixed_point``: applying the patch twice equals once."""

    issues: tuple[IdempotencyIssue, ...]
    fixed_point: bool

    @property
    def ok(self) -> bool:
        """Applying the patch to the config and re-applying it changes nothing more."""
        return self.fixed_point and not self.issues


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def _identity(kind: str, path: tuple[str | int, ...], item: Any, version: TalosVersion) -> str:
    rule = rule_for(kind, path, version)
    if rule is not None and rule.key and isinstance(item, dict):
        key = rule.key[0]
        return f"{key}={_key_of(item, key)}"
    if isinstance(item, str):
        return item
    return _canonical(item)


def _added(before: list[Any], after: list[Any]) -> list[Any]:
    """Items of ``after`` not matched one-for-one by an equal item of ``before``."""
    counts: dict[str, int] = {}
    for item in before:
        counts[_canonical(item)] = counts.get(_canonical(item), 0) + 1
    added = []
    for item in after:
        key = _canonical(item)
        if counts.get(key, 0) > 0:
            counts[key] -= 1
        else:
            added.append(item)
    return added


def _growth(
    before: Any, after: Any, path: tuple[str | int, ...], kind: str, version: TalosVersion
) -> Iterator[tuple[tuple[str | int, ...], list[Any], list[Any]]]:
    """Yield ``(list path, items added, list before)`` for every list that grew."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key, value in after.items():
            if key in before:
                yield from _growth(before[key], value, (*path, key), kind, version)
        return
    if not (isinstance(before, list) and isinstance(after, list)):
        return
    rule = rule_for(kind, path, version)
    if rule is not None and rule.behaviour in ("keyed", "keyed-replace") and rule.key:
        key = rule.key[0]
        fresh = []
        for index, item in enumerate(after):
            twin = next((b for b in before if _key_of(b, key) == _key_of(item, key)), None)
            if twin is not None:
                yield from _growth(twin, item, (*path, index), kind, version)
            else:
                fresh.append(item)
        if fresh:
            yield path, fresh, before
        return
    added = _added(before, after)
    if len(after) > len(before) and added:
        yield path, added, before


def _by_id(docs: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {document_id(doc): doc for doc in docs}


def _issues(
    before_docs: Sequence[Mapping[str, Any]],
    after_docs: Sequence[Mapping[str, Any]],
    version: TalosVersion,
) -> Iterator[tuple[str, str, str, Any, list[Any], str]]:
    before = _by_id(before_docs)
    for doc in after_docs:
        ident = document_id(doc)
        if ident not in before:
            continue
        kind = V1ALPHA1 if is_v1alpha1(doc) else doc_kind(doc)
        for path, added, old in _growth(before[ident], doc, (), kind, version):
            for item in added:
                yield (
                    ident,
                    format_yaml_path(path),
                    _identity(kind, path, item, version),
                    item,
                    [
                        o
                        for o in old
                        if _identity(kind, path, o, version) == _identity(kind, path, item, version)
                    ],
                    kind,
                )


def check_idempotency(
    config_docs: Sequence[Mapping[str, Any]],
    patch_docs: Sequence[Mapping[str, Any]],
    *,
    talos_version: str | TalosVersion,
) -> IdempotencyReport:
    """What applying the strategic patch ``patch_docs`` to ``config_docs`` would grow.

    Items are identified per list (kernel modules by ``name``, udev rules by text, machine.files
    by ``path``, kubelet extraMounts by ``destination``, install extensions by ``image``, other
    list items by their whole content). Raises :class:`~talosgpu.errors.MergeError` when Talos
    would reject the patch.
    """
    version = TalosVersion.parse(talos_version)
    once = merge_documents(config_docs, patch_docs, talos_version=version)
    twice = merge_documents(once, patch_docs, talos_version=version)
    issues: list[IdempotencyIssue] = []
    seen: set[tuple[str, str, str]] = set()
    for doc, path, identity, item, same, _kind in _issues(config_docs, once, version):
        exact = any(_canonical(o) == _canonical(item) for o in same)
        if not same:
            continue
        issue_kind: IssueKind = "duplicate" if exact else "conflict"
        what = "an identical item" if exact else "an item with the same identity"
        issues.append(
            IdempotencyIssue(doc, path, identity, issue_kind, f"{path}: {identity}: {what} exists")
        )
        seen.add((doc, path, identity))
    for doc, path, identity, _item, _same, _kind in _issues(once, twice, version):
        if (doc, path, identity) in seen:
            continue
        seen.add((doc, path, identity))
        issues.append(
            IdempotencyIssue(
                doc, path, identity, "regrowth", f"{path}: {identity}: appended again on re-apply"
            )
        )
    return IdempotencyReport(issues=tuple(issues), fixed_point=once == twice)
