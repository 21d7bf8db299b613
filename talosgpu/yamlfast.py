"""A fast path for :func:`talosgpu.yamlio.load_all`: libyaml composes, a tight loop constructs.

ruamel.yaml's C parser (``ruamel.yaml.clib``) composes nodes in C, but its safe constructor and
versioned resolver then spend about three quarters of a load in Python (tag objects, generators,
per-scalar version look-ups). Fleet diffs load a thousand live configs, so this module builds the
same plain data directly from nodes composed in C — by PyYAML's libyaml binding when installed
(the ``fast`` extra; its nodes are plain objects, composing takes about half as long), else by
ruamel.yaml.clib's:

* scalars are resolved with ruamel's own YAML 1.2 implicit-resolver table
  (``ruamel/yaml/resolver.py`` ``implicit_resolvers``), so a plain scalar gets exactly the tag the
  slow path gives it; tags are then constructed as :class:`talosgpu.yamlio._TalosConstructor`
  does (legacy ``0644`` octals, timestamps kept as text);
* anything outside what Talos configs use — merge keys, ``%YAML`` directives, explicit tags other
  than str/int/float/bool/null/timestamp/seq/map, aliases, complex or duplicate keys, and
  every error — raises :class:`Unsupported`, and the caller re-parses with the full
  (pure-Python) ruamel loader, which gives the result or the error message it always gave.

``tests/unit/test_yamlfast.py`` checks that, wherever the full loader reads a text, both C
composers give exactly its data: on every YAML file of the conformance corpus, on generated
documents and on fuzzed text.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from ruamel.yaml.constructor import SafeConstructor

__all__ = [
    "COMPOSERS",
    "Unsupported",
    "available",
    "composer",
    "installed",
    "legacy_octal",
    "load_all",
]

_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP = _TAG + "str", _TAG + "seq", _TAG + "map"
_PLAIN = "?plain"  # our resolver's marker: an implicit plain scalar, resolved when constructed
_INF = float("inf")
# Syntax where libyaml and pure ruamel (the full loader) read the same text differently, left
# to ruamel (found by tests/unit/test_yamlfast.py's fuzzing):
# * the non-specific tag "!" as a node's whole tag (libyaml: not plain-implicit; ruamel:
#   resolved like a plain scalar);
# * anchor and alias names with characters other than letters, digits, "_" and "-" (libyaml
#   ends the name there; YAML 1.2 and ruamel do not);
# * a block scalar that starts a line, as a whole document does (libyaml reads its "#" lines
#   at the document's indentation as comments).
# Aliases (shared nodes) are caught while building. A false alarm (a shell line "! grep"
# inside a block scalar) only costs a slower load.
# "!" as a node's whole tag (after the line's indentation and "- ", "? ", ": " indicators, or
# after a value's ": "), or as a whole flow entry. Searched line by line, only on lines with a
# "!": linear in the text (one search over a line that is all "!" is, too).
_NON_SPECIFIC_TAG = re.compile(
    r"(?:^[ \t]*(?:[-?:][ \t]+)*|:[ \t]+)!(?=\s|$)|[\[{,][ \t]*!(?=[ \t]*[,\]}])"
)
_NAME_BEYOND = re.compile(r"[\w-]+[^\w\s\[\]{},-]")  # an anchor name libyaml cuts short
_BLOCK_AT_TEXT_START = re.compile(r"[ \t]*(?:---[ \t]+)?[|>]")
_BLOCK_AT_LINE_START = re.compile(r"\n[ \t]*(?:---[ \t]+)?[|>]")
_OTHER_BREAKS = re.compile("\r\n?|[\x85\u2028\u2029]")
_LEGACY_OCTAL = re.compile(r"[-+]?0[0-7]+")


def legacy_octal(text: str) -> int | None:
    """``0644`` (underscores allowed) as yaml.v3 reads it, an octal int; None for anything else.

    Shared by this fast path and the full loader of :mod:`talosgpu.yamlio`, so both read
    octals alike.
    """
    value = text.replace("_", "")
    if _LEGACY_OCTAL.fullmatch(value) and value.lstrip("+-") != "0":
        sign = -1 if value.startswith("-") else 1
        return sign * int(value.lstrip("+-"), 8)
    return None


class Unsupported(Exception):
    """The fast path does not handle this input; use the full loader."""


def _resolvers() -> dict[str, list[tuple[str, Any]]] | None:
    try:
        from ruamel.yaml.resolver import implicit_resolvers
    except ImportError:  # pragma: no cover - a ruamel.yaml without the table
        return None
    table: dict[str, list[tuple[str, Any]]] = {}
    for versions, tag, regexp, first in implicit_resolvers:
        if (1, 2) in versions:
            for char in first:
                table.setdefault(char, []).append((tag, regexp))
    return table


class _Resolving:
    """What the C composers call while building nodes (``_yaml.pyx`` / ``_ruamel_yaml.pyx``
    ``_compose_*_node``): implicit plain scalars get a marker, resolved when constructed."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        name = kind.__name__
        if name == "ScalarNode":
            return _PLAIN if implicit[0] else _STR
        return _SEQ if name == "SequenceNode" else _MAP

    def descend_resolver(self, *args: Any) -> None:
        return None

    def ascend_resolver(self, *args: Any) -> None:
        return None


Composer = tuple[type, Callable[[Any], str]]  # a CParser subclass, and how to read a tag
COMPOSERS = ("pyyaml", "ruamel")  # fastest first
_LOADED: dict[str, Composer | None] = {}


def _import_composer(name: str) -> Composer | None:
    """PyYAML's libyaml binding (plain ``tag`` attributes) or ruamel.yaml.clib's (tags wrapped
    in ``Tag`` objects: ``ctag.suffix``); None when not installed."""
    try:
        if name == "pyyaml":
            from yaml._yaml import CParser  # type: ignore[import-untyped]

            getter = operator.attrgetter("tag")
        else:
            from _ruamel_yaml import CParser  # type: ignore[import-not-found]

            getter = operator.attrgetter("ctag.suffix")
    except ImportError:
        return None
    return type(f"_{name}Composer", (_Resolving, CParser), {}), getter


def composer(name: str) -> Composer | None:
    """The named C composer, imported on first use (importing PyYAML costs a dozen regex
    compiles, which `talosgpu render` on a small intent should not pay)."""
    if name not in _LOADED:
        _LOADED[name] = _import_composer(name) if _TABLE is not None else None
    return _LOADED[name]


def installed() -> list[str]:
    """The names of the C composers that can be used here, fastest first."""
    return [name for name in COMPOSERS if composer(name) is not None]


_TABLE = _resolvers()


def available() -> bool:
    """True when a C composer and ruamel's resolver table are importable."""
    return bool(installed())


_INT_MIN, _UINT_MAX = -(1 << 63), (1 << 64) - 1
_GO_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


def go_int(text: str) -> int | float | str:
    """An int-looking scalar as yaml.v3 resolves it (``resolve.go``): an int when it fits in
    int64/uint64; beyond that a float when ``strconv.ParseFloat`` takes it, else the string
    itself — never a Python int of unbounded size (a 20,000-digit mode cannot reach Talos as a
    number). Legacy octals (``0644``) as :func:`legacy_octal`; the rest as ruamel's 1.2 ints."""
    value = text.replace("_", "")
    sign = -1 if value[:1] == "-" else 1
    digits = value.lstrip("+-")
    if len(digits) > 70:  # past 64 bits in any base (0b + 64 digits); skip the conversion
        return _beyond_int(value, text)
    number = legacy_octal(text)
    if number is None:
        if digits == "0":
            return 0
        base = {"0b": 2, "0x": 16, "0o": 8}.get(digits[:2], 10)
        number = sign * int(digits[2:] if base != 10 else digits, base)
    return number if _INT_MIN <= number <= _UINT_MAX else _beyond_int(value, text)


def _beyond_int(plain: str, text: str) -> float | str:
    if _GO_FLOAT.fullmatch(plain):
        number = float(plain)
        if number not in (_INF, -_INF):
            return number
    return text


_int = go_int


def _float(text: str) -> float:
    # ruamel's SafeConstructor.construct_yaml_float for YAML 1.2.
    value = text.replace("_", "").lower()
    sign = -1 if value[0] == "-" else 1
    if value[0] in "+-":
        value = value[1:]
    if value == ".inf":
        return sign * _INF
    if value == ".nan":
        return _INF - _INF
    return sign * float(value)


_BOOL: dict[str, bool] = SafeConstructor.bool_values  # ruamel's own spellings (explicit !!bool)

_SCALARS: dict[str, Callable[[str], Any]] = {
    _STR: str,
    _TAG + "int": _int,
    _TAG + "float": _float,
    _TAG + "bool": lambda text: _BOOL[text.lower()],
    _TAG + "null": lambda text: None,
    _TAG + "timestamp": str,  # Go decodes timestamps into string fields verbatim
}


_MISS = object()
_PLAIN_SEEN: dict[str, Any] = {}  # short plain scalars recur across configs (keys, true, 0644)
_PLAIN_SEEN_MAX = 1 << 16


def _plain(text: str) -> Any:
    hit = _PLAIN_SEEN.get(text, _MISS)
    if hit is not _MISS:
        return hit
    assert _TABLE is not None
    result: Any = text
    for tag, regexp in _TABLE.get(text[0] if text else "", ()):
        if regexp.match(text):
            build = _SCALARS.get(tag)
            if build is None:  # merge (<<), value (=), yaml (! & *): leave to ruamel
                raise Unsupported(tag)
            result = build(text)
            break
    if len(text) <= 64 and len(_PLAIN_SEEN) < _PLAIN_SEEN_MAX:
        _PLAIN_SEEN[text] = result  # immutable values only: str, int, float, bool, None
    return result


def resolves_as_str(text: str) -> bool:
    """Whether ``text`` as a plain scalar gets no implicit tag (int, float, bool, null,
    timestamp, merge, ...): the emitter then writes it unquoted. The tag, not the value we
    build, decides: a timestamp is built as a string but emitted quoted."""
    if _TABLE is None:
        raise Unsupported("no resolver table")
    return not any(regexp.match(text) for _, regexp in _TABLE.get(text[0] if text else "", ()))


def _build(root: Any, tag_of: Callable[[Any], str]) -> Any:
    """Plain data from one composed document. An alias (a container node met twice) goes to the
    full loader, which shares one object between anchor and alias as ruamel's constructor does.

    Closures over locals rather than methods: this runs for every node of every live config of
    a fleet, and local look-ups are the cheapest Python has."""
    seen: set[int] = set()  # container nodes; the document keeps them alive, so ids are unique
    memo, miss, plain_tag, scalars = _PLAIN_SEEN, _MISS, _PLAIN, _SCALARS

    def scalar(node: Any) -> Any:
        tag = tag_of(node)
        if tag == plain_tag:
            hit = memo.get(node.value, miss)
            return _plain(node.value) if hit is miss else hit
        make = scalars.get(tag)
        if make is None:
            raise Unsupported(tag)
        return make(node.value)

    def build(node: Any) -> Any:
        value = node.value
        if type(value) is str:  # ScalarNode (an aliased scalar is the same immutable value)
            return scalar(node)
        if id(node) in seen:
            raise Unsupported("alias")
        seen.add(id(node))
        tag = tag_of(node)
        if tag == _SEQ:
            return [scalar(c) if type(c.value) is str else build(c) for c in value]
        if tag != _MAP:
            raise Unsupported(tag)
        result: dict[Any, Any] = {}
        for key_node, value_node in value:
            text = key_node.value
            if type(text) is not str or text == "<<":
                raise Unsupported("complex or merge key")
            key = scalar(key_node)
            if key in result:
                raise Unsupported("duplicate key")
            item = value_node.value
            result[key] = scalar(value_node) if type(item) is str else build(value_node)
        return result

    return build(root)


def _leave_to_ruamel(text: str) -> bool:
    """True for texts the full loader must read (the list above), for ``%YAML`` directives (a
    1.1 document resolves scalars differently) and for byte-order marks past the start
    (libyaml skips them, ruamel reads them as text).

    Substring searches in C first: live configs rarely hold any of these characters where they
    matter, and this runs on every live config of a fleet."""
    if "%YAML" in text or "\ufeff" in text[1:]:
        return True
    probe = text
    if not probe.isascii() or "\r" in probe:  # other line breaks, for the line tests below
        probe = _OTHER_BREAKS.sub("\n", probe).lstrip("\ufeff")
    if "!" in probe and _has_non_specific_tag(probe):
        return True
    if ("&" in probe or "*" in probe) and _has_odd_anchor(probe):
        return True
    if _BLOCK_AT_TEXT_START.match(probe):
        return True
    return ("|" in probe or ">" in probe) and _BLOCK_AT_LINE_START.search(probe) is not None


def _has_non_specific_tag(text: str) -> bool:
    return any(_NON_SPECIFIC_TAG.search(line) for line in text.split("\n") if "!" in line)


def _has_odd_anchor(text: str) -> bool:
    for char in ("&", "*"):
        at = text.find(char)
        while at != -1:
            if (at == 0 or text[at - 1] in " \t\n[{,") and _NAME_BEYOND.match(text, at + 1):
                return True
            at = text.find(char, at + 1)
    return False


def load_all(text: str, *, parser: str | None = None) -> list[Any]:
    """Every document of ``text`` as plain data (``None`` for an empty one).

    ``parser`` picks a composer by name (``"pyyaml"``, ``"ruamel"``; default: the fastest
    installed). Raises :class:`Unsupported` for anything the full loader must handle, errors
    included.
    """
    names = [parser] if parser is not None else list(COMPOSERS)
    chosen = next((c for c in map(composer, names) if c is not None), None)
    if chosen is None:
        raise Unsupported("no C composer installed")
    if _leave_to_ruamel(text):
        raise Unsupported("syntax libyaml reads differently")
    parser_class, tag_of = chosen
    stream = parser_class(text)
    try:
        docs = []
        while stream.check_node():
            # One build per document: its node ids are only unique while the document lives.
            docs.append(_build(stream.get_node(), tag_of))
        return docs
    except Unsupported:
        raise
    except Exception as exc:  # syntax errors and the like: the full loader words them
        raise Unsupported(type(exc).__name__) from None
    finally:
        stream.dispose()
