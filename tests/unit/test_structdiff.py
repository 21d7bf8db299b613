"""The one structural walk: identity matching, multisets, order, expansion."""

from __future__ import annotations

from typing import Any

from talosgpu.structdiff import At, RawPath, item_key, walk


class _Policy:
    def __init__(self, *, key: str | None = None, expand: bool = True, loose: bool = False) -> None:
        self.key, self.expand, self.loose_equal = key, expand, loose

    def list_key(self, old: list[Any], new: list[Any], path: RawPath) -> str | None:
        return self.key

    def same(self, old: Any, new: Any, keys: tuple[str, ...], at: At) -> bool:
        return isinstance(old, str) and isinstance(new, str) and old.strip() == new.strip()


def _ops(old: Any, new: Any, **kw: Any) -> list[tuple[str, str, Any, Any]]:
    return [(r.op, "".join(r.display), r.old, r.new) for r in walk(old, new, _Policy(**kw))]


def test_items_matched_by_the_policy_key_and_inserted_in_front() -> None:
    old = {"m": [{"name": "a", "p": 1}, {"name": "b"}]}
    new = {"m": [{"name": "c"}, {"name": "a", "p": 2}, {"name": "b"}]}
    assert _ops(old, new, key="name") == [
        ("change", ".m[name=a].p", 1, 2),
        ("add", ".m[name=c]", None, {"name": "c"}),
    ]
    raws = walk(old, new, _Policy(key="name"))
    assert raws[0].old_path == ("m", 0, "p") and raws[0].new_path == ("m", 1, "p")


def test_keyless_lists_are_multisets_and_order_counts() -> None:
    assert _ops({"r": ["x", "y"]}, {"r": ["y", "x"]}) == [("reorder", ".r", ["x", "y"], ["y", "x"])]
    # one of two copies goes: the item stays, so it is a dedupe, not a removal
    assert _ops({"r": ["x", "x"]}, {"r": ["x"]}) == [("dedupe", ".r[]", "x", "x")]
    assert _ops({"r": ["x", "x"]}, {"r": []}) == [
        ("remove", ".r[]", "x", None),
        ("remove", ".r[]", "x", None),
    ]
    assert [r.copies for r in walk({"r": ["x"]}, {"r": ["x", "x"]}, _Policy())] == [(1, 2)]


def test_duplicates_pair_with_their_equal_copy_first() -> None:
    old = {"m": [{"name": "a", "p": 1}, {"name": "a", "p": 2}]}
    new = {"m": [{"name": "a", "p": 2}]}
    # the kept copy is matched with the live one it equals: no spurious change of .p
    assert _ops(old, new, key="name") == [
        ("dedupe", ".m[name=a]", {"name": "a", "p": 1}, {"name": "a", "p": 2})
    ]


def test_policy_equality_and_expansion() -> None:
    assert _ops({"a": "v "}, {"a": "v"}) == []  # the policy says these are the same
    assert _ops({}, {"a": {"b": 1, "c": [2]}}) == [
        ("add", ".a.b", None, 1),
        ("add", ".a.c[]", None, 2),
    ]
    assert _ops({}, {"a": {"b": 1}}, expand=False) == [("add", ".a", None, {"b": 1})]
    assert _ops({"a": {"b": 1}}, {"a": {"b": True}}) == [("change", ".a.b", 1, True)]
    assert _ops({"a": {"b": 1}}, {"a": {"b": True}}, loose=True) == []  # what == says


def test_item_key_needs_a_unique_name_on_each_side() -> None:
    assert item_key([{"name": "a"}], [{"name": "b"}], ("name", "path")) == "name"
    assert item_key([{"name": "a"}, {"name": "a"}], [], ("name",)) is None
    assert item_key([{"path": "/x"}], [{"path": "/y"}], ("name", "path")) == "path"
    assert item_key(["a"], [], ("name",)) is None
