"""When two differently written values are the same config to Talos's decoder.

The field table (:mod:`talosgpu.talos.fields`) marks the fields concerned: ``file_mode`` (one
``FileMode`` however it is written, ``v1alpha1_types.go`` ``FileMode.UnmarshalYAML``) and
``zero_unset`` (a plain Go value: ``permissions: 0`` decodes to the struct an absent key gives).
The CRI part is TOML: two texts with the same tables are the same to containerd
(``pkg/cri/config`` merges parsed parts), whatever their comments, spacing or key order.

Both the proposal (:mod:`talosgpu.talos.reduce`: an item already there in another spelling is
not deleted and re-added) and the diff (:mod:`talosgpu.configdiff.normalize`) read this module,
so what the diff calls unchanged is what ``apply`` leaves alone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from talosgpu import tomlio
from talosgpu.errors import YAMLError
from talosgpu.talos.documents import CRI_KIND, CRI_PART_PATH
from talosgpu.talos.fields import ANY_ITEM, FIELDS

__all__ = ["decoded", "file_mode", "parse_toml", "same_item", "same_toml"]

_OCTAL_TEXT = re.compile(r"0[oO]?([0-7]+)")


def _index(flag: str) -> dict[tuple[str, tuple[str, ...]], frozenset[str]]:
    """``(doc, container path) → keys`` for the fields with ``flag`` set; the container is the
    list item (``machine.files[]``) or the document itself."""
    out: dict[tuple[str, tuple[str, ...]], set[str]] = {}
    for f in FIELDS:
        if getattr(f, flag):
            *container, key = f.parts
            out.setdefault((f.doc, tuple(container)), set()).add(key)
    return {k: frozenset(v) for k, v in out.items()}


_MODES = _index("file_mode")
_ZEROS = _index("zero_unset")


def file_mode(value: Any) -> Any:
    """A file mode as the int Talos decodes (``"0644"``, ``"0o644"``, ``"420"`` → 420)."""
    if isinstance(value, str) and len(value) <= 24:  # longer cannot be a 32-bit mode
        text = value.strip()
        match = _OCTAL_TEXT.fullmatch(text)
        if match and len(text) > 1:
            return int(match.group(1), 8)
        if text.isdigit():
            return int(text)
    return value


def _zero(value: Any) -> bool:
    return (value == 0 or value == "") and not isinstance(value, bool) and value is not None


def decoded(doc: str, container: tuple[str, ...], value: Any) -> Any:
    """``value`` (a list item at ``container`` = ``("machine", "files", "[]")``, or a document
    with ``container`` ``()``) as the decoder sees it: file modes as ints, zero values of plain
    fields dropped. Returned unchanged (the same object) when nothing applies."""
    if not isinstance(value, dict):
        return value
    modes = _MODES.get((doc, container), frozenset())
    zeros = _ZEROS.get((doc, container), frozenset())
    if not (modes or zeros) or not any(k in value for k in (*modes, *zeros)):
        return value
    out = {}
    for key, item in value.items():
        if key in modes:
            item = file_mode(item)
        if key in zeros and _zero(item):
            continue
        out[key] = item
    return out if out != value or len(out) != len(value) else value


@functools.lru_cache(maxsize=1024)
def parse_toml(text: str) -> dict[str, Any] | None:
    """The tables of a TOML text, or None when it does not parse (memoised: callers only read
    the result, and a fleet meets the same CRI part on every node)."""
    try:
        return tomlio.loads(text)
    except (YAMLError, TypeError):
        return None


def same_toml(old: str, new: str) -> bool:
    """True when both texts are valid TOML with the same parsed tables."""
    left, right = parse_toml(old), parse_toml(new)
    return left is not None and left == right


def _is_cri_item(doc: str, container: tuple[str, ...], item: Mapping[str, Any]) -> bool:
    if doc == CRI_KIND and container == ():
        return True
    return container == ("machine", "files", ANY_ITEM) and item.get("path") == CRI_PART_PATH


def same_item(doc: str, container: tuple[str, ...], old: Any, new: Any) -> bool:
    """``old`` and ``new`` (list items at ``container``, or whole documents at ``()``) are the
    same config: equal once decoded, or the CRI part with the same TOML tables."""
    if old == new and type(old) is type(new):
        return True
    left, right = decoded(doc, container, old), decoded(doc, container, new)
    if left == right:
        return True
    if not (
        isinstance(left, dict) and isinstance(right, dict) and _is_cri_item(doc, container, left)
    ):
        return False
    a, b = left.get("content"), right.get("content")
    rest_a = {k: v for k, v in left.items() if k != "content"}
    rest_b = {k: v for k, v in right.items() if k != "content"}
    return rest_a == rest_b and isinstance(a, str) and isinstance(b, str) and same_toml(a, b)
