"""The one structural comparison of plain data (what ``yamlio.load_all`` gives): the walk.

Maps are compared key by key (old order first, then the new keys), lists item by item matched by
identity — an identity field the caller's :class:`Policy` names for that list (Talos: the field
its merge and ``$patch: delete`` use, :func:`talosgpu.talos.mergerules.identity_key`), else the
whole item, as a multiset — and scalars by the policy's equality (Talos: the decoder's view of
file modes, durations, TOML). Unchanged subtrees are skipped by identity and by ``==`` in C:
a proposed config shares every subtree a patch did not touch with the live one.

Both diffs use it: ``talosgpu diff`` (:mod:`talosgpu.configdiff.semantic`, which adds reboot
impact, redaction and the CRI text diff) and ``talosgpu check``'s stale-file details
(:mod:`talosgpu.check.semantic`). Why not deepdiff: docs/ARCHITECTURE.md.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple, Protocol

from talosgpu.errors import format_yaml_path

__all__ = ["At", "Op", "Policy", "Raw", "RawPath", "item_key", "walk"]

# ``dedupe``: a list item held n times on the old side and k (0 < k < n) times on the new one;
# ``reorder``: the same items of an order-sensitive list (no identity field) in another order.
Op = Literal["add", "remove", "change", "dedupe", "reorder"]
RawPath = tuple[str | int, ...]
At = tuple[tuple[str, ...], tuple[str, ...], RawPath | None, RawPath | None]


class Raw(NamedTuple):
    """One difference: ``display`` are the shown path segments (``.key``, ``[name=x]``),
    ``keys`` the map keys only, ``old_path``/``new_path`` index into each side (None: absent).
    (A NamedTuple: a fleet diff makes one per change per node, built several times faster than
    a frozen dataclass.) ``copies``: for ``dedupe`` (and an ``add`` of a further copy), how many
    items of that identity each side holds."""

    doc: int
    op: Op
    display: tuple[str, ...]
    keys: tuple[str, ...]
    old_path: RawPath | None
    new_path: RawPath | None
    old: Any
    new: Any
    copies: tuple[int, int] | None = None


class Policy(Protocol):
    """What the caller knows about its data. ``expand``: a subtree only one side has is shown
    down to its list items and scalars (one change each) rather than whole. ``loose_equal``:
    equal subtrees may be skipped with Python's ``==`` (fast, in C), which treats ``1`` and
    ``True`` alike — right only where the schema never accepts one for the other."""

    expand: bool
    loose_equal: bool

    def list_key(self, old: list[Any], new: list[Any], path: RawPath) -> str | None:
        """The field naming the items of the list at ``path`` (new side), or None."""

    def same(self, old: Any, new: Any, keys: tuple[str, ...], at: At) -> bool:
        """Two different scalars that are the same value for the consumer."""


def walk(old: Any, new: Any, policy: Policy, *, doc: int = 0) -> list[Raw]:
    """Every difference from ``old`` to ``new``, in old-first document order."""
    walker = _Walk(policy, doc)
    walker.value(old, new, ((), (), (), ()))
    return walker.out


class _Walk:
    def __init__(self, policy: Policy, doc: int) -> None:
        self.policy, self.doc = policy, doc
        self.out: list[Raw] = []

    def emit(
        self, op: Op, at: At, old: Any, new: Any, copies: tuple[int, int] | None = None
    ) -> None:
        display, keys, old_path, new_path = at
        self.out.append(Raw(self.doc, op, display, keys, old_path, new_path, old, new, copies))

    def value(self, old: Any, new: Any, at: At) -> None:
        display, keys, old_path, new_path = at
        loose = self.policy.loose_equal
        if loose and type(old) is type(new) and isinstance(old, dict | list) and old == new:
            return  # unchanged subtree, compared in C (see Policy.loose_equal)
        if isinstance(old, dict) and isinstance(new, dict):
            assert old_path is not None and new_path is not None
            for key in [*old, *(k for k in new if k not in old)]:
                if key in old and key in new:
                    left, right = old[key], new[key]
                    # Shared (merges copy only what they change) or equal: nothing to walk.
                    if left is right or (loose and type(left) is type(right) and left == right):
                        continue
                sub = ((*display, _key(key)), (*keys, str(key)), (*old_path, key), (*new_path, key))
                if key not in new:
                    self.absent("remove", sub, old[key])
                elif key not in old:
                    self.absent("add", sub, new[key])
                else:
                    self.value(old[key], new[key], sub)
        elif isinstance(old, list) and isinstance(new, list):
            self.sequence(old, new, at)
        elif (
            isinstance(old, dict | list)
            or isinstance(new, dict | list)
            or (
                not (type(old) is type(new) and old == new)
                and not self.policy.same(old, new, keys, at)
            )
        ):
            self.emit("change", at, old, new)

    def absent(self, op: Op, at: At, value: Any) -> None:
        """A key only one side has: down to list items and scalars, one change each (when the
        policy expands), else the whole value."""
        if self.policy.expand and isinstance(value, dict | list) and value:
            empty: Any = {} if isinstance(value, dict) else []
            if op == "add":
                self.value(empty, value, at)
            else:
                self.value(value, empty, at)
        elif op == "add":
            self.emit(op, at, None, value)
        else:
            self.emit(op, at, value, None)

    def sequence(self, old: list[Any], new: list[Any], at: At) -> None:
        display, keys, old_path, new_path = at
        assert old_path is not None and new_path is not None
        key = self.policy.list_key(old, new, new_path)
        ident_old = [_identity(item, key) for item in old]
        ident_new = [_identity(item, key) for item in new]
        at_old: dict[tuple[str, str], list[int]] = {}
        at_new: dict[tuple[str, str], list[int]] = {}
        for i, ident in enumerate(ident_old):
            at_old.setdefault(ident, []).append(i)
        for j, ident in enumerate(ident_new):
            at_new.setdefault(ident, []).append(j)
        matched_in_order = True
        for ident in [*at_old, *(i for i in at_new if i not in at_old)]:
            olds, news = at_old.get(ident, []), at_new.get(ident, [])
            selector = f"[{ident[1]}]" if ident[0] == "key" else "[]"
            pairs, spare_old, spare_new = _pair(old, new, olds, news)
            for i, j in pairs:
                self.value(
                    old[i], new[j], ((*display, selector), keys, (*old_path, i), (*new_path, j))
                )
            copies = (len(olds), len(news))
            if spare_old and news:
                # Copies of an item that stays: de-duplication, not removal (one entry per
                # distinct dropped content; the kept copy is the new side).
                kept = news[0]
                seen: set[str] = set()
                for i in spare_old:
                    text = _canonical(old[i])
                    if text not in seen:
                        seen.add(text)
                        both: At = ((*display, selector), keys, (*old_path, i), (*new_path, kept))
                        self.emit("dedupe", both, old[i], new[kept], copies)
            else:
                for i in spare_old:
                    gone: At = ((*display, selector), keys, (*old_path, i), None)
                    self.emit("remove", gone, old[i], None)
            for j in spare_new:
                added: At = ((*display, selector), keys, None, (*new_path, j))
                self.emit("add", added, None, new[j], copies if olds else None)
            matched_in_order = matched_in_order and not spare_old and not spare_new
        if key is None and matched_in_order and ident_old != ident_new:
            # Same items, other order: udev rules and kernel arguments are order-sensitive.
            self.emit("reorder", at, old, new)
        elif key is not None and _order(ident_old, at_new) != _order(ident_new, at_old):
            # Items by identity in another order (kernel modules, which load in list order):
            # a proposal that deletes and re-adds an item moves it to the end.
            self.emit("reorder", at, old, new)


def _order(idents: list[tuple[str, str]], other: dict[tuple[str, str], list[int]]) -> list[Any]:
    """The identities the other side has too, in this side's order (first copies)."""
    return list(dict.fromkeys(i for i in idents if i in other))


def _pair(
    old: list[Any], new: list[Any], olds: list[int], news: list[int]
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Match the items of one identity: equal items first (so keeping one of two copies is not
    shown as a change of the first), then in order. Returns the pairs and the unmatched."""
    if len(olds) == 1 and len(news) == 1:
        return [(olds[0], news[0])], [], []
    free = list(olds)
    pairs: list[tuple[int, int]] = []
    unmatched: list[int] = []
    for j in news:
        equal = next((i for i in free if _canonical(old[i]) == _canonical(new[j])), None)
        if equal is None:
            unmatched.append(j)
        else:
            free.remove(equal)
            pairs.append((equal, j))
    for j in list(unmatched):
        if not free:
            break
        pairs.append((free.pop(0), j))
        unmatched.remove(j)
    pairs.sort()
    return pairs, free, unmatched


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def _identity(item: Any, key: str | None) -> tuple[str, str]:
    if key is not None and isinstance(item, dict):
        value = item.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return ("key", f"{key}={value}")
    if type(item) is str:
        return ("text", item)  # its own tag: never equal to the JSON text of another item
    return ("content", _canonical(item))


@functools.lru_cache(maxsize=4096)
def _key(key: Any) -> str:
    return format_yaml_path([str(key)])


def item_key(old: Sequence[Any], new: Sequence[Any], candidates: Sequence[str]) -> str | None:
    """The first of ``candidates`` that names every item of both lists, uniquely on each side
    (a generic policy's ``list_key`` for data without a schema)."""
    items = [*old, *new]
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    for key in candidates:
        if all(isinstance(item.get(key), str) for item in items) and all(
            len({item[key] for item in side}) == len(side) for side in (old, new)
        ):
            return key
    return None
