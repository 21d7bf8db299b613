"""The one place where YAML is read and written.

Reading gives plain Python data (dict, list, str, int, float, bool, None) so that every later step
works on values, not on parser objects. The loader follows what Talos's Go decoder
(gopkg.in/yaml.v3 / go.yaml.in/yaml/v4) makes of a document, because a diff must compare what the
node will see:

* YAML 1.2 core schema (``yes``/``on`` are strings), plus legacy ``0644`` octals: yaml.v3's
  ``resolve.go`` keeps 1.1-style octal ints "for compatibility" (research §3, serialization note).
* Timestamps stay strings (Go decodes them into ``string`` fields verbatim).
* Duplicate keys are errors, as in yaml.v3.

Where a C composer is installed (PyYAML's libyaml binding or ruamel.yaml.clib, the ``fast``
extra), :mod:`talosgpu.yamlfast` builds the data; whatever it does not handle goes through the
full, pure-Python ruamel loader, which also words every error.
Writing is deterministic: block style, 2-space maps, indented sequences, literal blocks for
multi-line strings, keys in the order the caller built them.
"""

from __future__ import annotations

import functools
import io
import re
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.error import YAMLError as _RuamelYAMLError
from ruamel.yaml.representer import SafeRepresenter

from talosgpu import yamlfast
from talosgpu.errors import YAMLError
from talosgpu.fsio import decode_utf8, read_file_bytes, read_stdin_bytes
from talosgpu.yamlfast import legacy_octal

__all__ = [
    "FAST_PATH_MIN_CHARS",
    "STDIN",
    "dump",
    "dump_all",
    "legacy_octal",
    "load",
    "load_all",
    "read_source",
]

STDIN = "-"
# From this size on, importing PyYAML's composer (its package import compiles a dozen regexes)
# pays for itself; smaller inputs (intents, profiles) keep to ruamel.yaml.clib's, so that
# `talosgpu render` starts fast. Live configs (2.5 kB and up) take the fastest.
FAST_PATH_MIN_CHARS = 2048


class _TalosConstructor(SafeConstructor):
    """SafeConstructor with Go yaml.v3's view of octals and timestamps."""

    def construct_yaml_int(self, node: Any) -> Any:  # int, or float/str beyond 64 bits (go-yaml)
        return yamlfast.go_int(str(self.construct_scalar(node)))

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        return self.construct_scalar(node)

    def construct_yaml_bool(self, node: Any) -> Any:
        # The 1.2 resolver only tags true/false as bool; keep the spelling check strict.
        return super().construct_yaml_bool(node)

    def construct_document(self, node: Any) -> Any:
        # Size the composed graph before building it: merge keys (``<<: [*a, *a]``) nested a
        # few levels deep make construction exponential, before any check on the data runs.
        _check_expansion(node)
        return super().construct_document(node)


_TalosConstructor.add_constructor("tag:yaml.org,2002:int", _TalosConstructor.construct_yaml_int)
_TalosConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", _TalosConstructor.construct_yaml_timestamp
)


def _loader() -> YAML:
    # Pure Python on purpose: this loader only sees what the C fast path (talosgpu.yamlfast)
    # hands over — merge keys, explicit tags, %YAML directives and errors — so its speed does
    # not matter, and ruamel.yaml.clib's older libyaml scanner rejects plain scalars with a
    # colon inside flow collections (``[fd00::1]``) that YAML 1.2, libyaml 0.2.5 and pure ruamel
    # accept.
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = _TalosConstructor
    yaml.allow_duplicate_keys = False
    return yaml


# One loader per thread: a ruamel ``YAML`` instance keeps its parser state on itself, so two
# threads loading through one instance corrupt each other's documents ("expected <block end>",
# "list index out of range") — and ``diff --all --jobs N`` loads live configs in threads.
_LOADERS = threading.local()


def _get_loader() -> YAML:
    loader: YAML | None = getattr(_LOADERS, "yaml", None)
    if loader is None:
        loader = _LOADERS.yaml = _loader()
    return loader


def _describe(exc: BaseException) -> str:
    """One short line for a parser error, never quoting a value: a bad scalar in a live config
    may be a secret (``key: !!int <secret>`` makes int() quote it)."""
    if isinstance(exc, RecursionError):
        return (
            "nested deeper than talosgpu can read (about 900 levels; Talos's YAML decoder stops "
            "at 10,000, a real config has fewer than 15)"
        )
    if isinstance(exc, MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        problem = exc.problem or exc.context or "invalid YAML"
        dup = re.match(r'found duplicate key "([^"]*)"', problem)
        if dup:  # the key is shown (cut), never its value
            problem = f'duplicate key "{_cut(dup.group(1))}"'
        elif "constructor for the tag" in problem:
            tag = re.search(r"tag '([^']*)'", problem)
            problem = f"unknown tag {_cut(tag.group(1)) if tag else ''}".rstrip()
        return f"line {mark.line + 1}, column {mark.column + 1}: {_cut(problem, 200)}"
    if not isinstance(exc, _RuamelYAMLError):
        # int()/float()/bool lookups on an explicitly tagged scalar: the message quotes the
        # value (``invalid literal for int() … 's3cr3t'``, ``KeyError: 's3cr3t'``)
        return f"a value does not match its explicit tag ({type(exc).__name__})"
    text = " ".join(str(exc).split())
    return _cut(text, 200) or "invalid YAML"


def _cut(text: str, limit: int = 60) -> str:
    """``text``, or its first ``limit`` characters and how many more there were."""
    return (
        text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit:,} more characters)"
    )


# Limits no real Talos input comes near, each with the figure it is judged against.
MAX_DOCUMENTS = 1_000  # a generated 1.15 config has under 40 documents; a patch a handful
MAX_TAG_CHARS = 256  # Talos configs carry no tags but !!binary-like ones
# Lines plus commas bound the values a text can hold; what a parse (and a merge, a diff) costs
# grows with them: a 3.8 MB flow list of 1.9 million items took 50 s and 1.3 GB in patch. The
# largest real configs (a CNI as an inline manifest) have some 30,000 lines.
MAX_LINES_AND_COMMAS = 100_000
_LONG_TAG = re.compile(rf"(?:(?<=[\s,\[{{])|^)![^\s,\[\]{{}}]{{{MAX_TAG_CHARS + 1},}}", re.M)


def load_all(text: str, *, source: str = "<input>") -> list[Any]:
    """Parse every document of ``text``; empty documents (``---`` alone) are dropped.

    Raises :class:`~talosgpu.errors.YAMLError` naming ``source`` and the line on bad input.
    """
    if len(text) > MAX_LINES_AND_COMMAS:  # only then can there be that many (one char each)
        count = text.count("\n") + text.count(",")
        if count > MAX_LINES_AND_COMMAS:
            raise YAMLError(
                f"{count:,} lines and commas; talosgpu reads at most {MAX_LINES_AND_COMMAS:,} "
                "(a generated Talos config has about 600 lines, one with a CNI as an inline "
                "manifest some 30,000)",
                file=source,
            )
    # Small inputs (intents, profiles) use ruamel.yaml.clib's composer, which `import
    # ruamel.yaml` has loaded already; large ones the fastest installed (PyYAML's).
    composer = "ruamel" if len(text) < FAST_PATH_MIN_CHARS else None
    try:
        docs = yamlfast.load_all(text, parser=composer)
    except yamlfast.Unsupported:
        docs = _load_all_full(text, source=source)
    found = [doc for doc in docs if doc is not None]
    if len(found) > MAX_DOCUMENTS:
        raise YAMLError(
            f"{len(found):,} YAML documents; talosgpu reads at most {MAX_DOCUMENTS:,} from one "
            "input (a generated Talos 1.15 config has fewer than 40)",
            file=source,
        )
    return found


def _load_all_full(text: str, *, source: str) -> list[Any]:
    """The full ruamel loader: merge keys, explicit tags, %YAML directives, and error messages."""
    long_tag = _LONG_TAG.search(text) if "!" in text else None
    if long_tag:  # ruamel's pure scanner is quadratic in a tag's length (1.3 MB: 26 s)
        line = text.count("\n", 0, long_tag.start()) + 1
        raise YAMLError(
            f"not valid YAML: line {line}: a tag of {long_tag.end() - long_tag.start():,} "
            f"characters; talosgpu reads tags of at most {MAX_TAG_CHARS}",
            file=source,
        )
    try:
        docs = list(_get_loader().load_all(text))
    except _Expansion as exc:
        raise YAMLError(str(exc), file=source) from None
    except (_RuamelYAMLError, ValueError, TypeError, RecursionError) as exc:
        raise YAMLError(f"not valid YAML: {_describe(exc)}", file=source) from None
    except Exception as exc:  # ruamel raises assorted errors on hostile input
        raise YAMLError(f"not valid YAML: {_describe(exc)}", file=source) from None
    return docs


# go-yaml v3 decode.go (allowedAliasRatio): what Talos's decoder accepts before it fails with
# "document contains excessive aliasing". A billion-laughs document is a few hundred bytes
# that expand to millions of values; every later step (merge, diff, redaction) would expand it.
_ALIAS_RATIO_LOW, _ALIAS_RATIO_HIGH = 400_000, 4_000_000


def _allowed_alias_ratio(decoded: int) -> float:
    if decoded <= _ALIAS_RATIO_LOW:
        return 0.99
    if decoded >= _ALIAS_RATIO_HIGH:
        return 0.10
    share = (decoded - _ALIAS_RATIO_LOW) / (_ALIAS_RATIO_HIGH - _ALIAS_RATIO_LOW)
    return 0.99 - 0.89 * share


class _Expansion(Exception):
    """A composed document that would expand past what go-yaml decodes (message complete)."""


def _check_expansion(root: Any) -> None:
    """Reject what go-yaml rejects: recursive aliases, and documents where more values come from
    expanding aliases than ``allowedAliasRatio`` allows. Run on the composed node graph (shared
    nodes are aliases; a merge key's value is one), linear in the distinct nodes, so it runs
    before construction can blow up; the fast path hands every text with aliases here."""
    sizes: dict[int, int] = {}
    busy: set[int] = set()
    distinct = 0

    def size(node: Any) -> int:
        nonlocal distinct
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in busy:
            raise _Expansion("an alias refers to a node that contains it")
        value = node.value
        if not isinstance(value, list):
            distinct += 1
            sizes[key] = 1
            return 1
        busy.add(key)
        distinct += 1
        items = (
            (part for pair in value for part in pair)
            if value and isinstance(value[0], tuple)
            else value
        )
        total = 1 + sum(size(item) for item in items)
        busy.discard(key)
        sizes[key] = total
        return total

    decoded = size(root)
    aliased = decoded - distinct
    if aliased > 100 and decoded > 1000 and aliased / decoded > _allowed_alias_ratio(decoded):
        raise _Expansion(
            f"document contains excessive aliasing: {decoded} values, {aliased} of them "
            "from aliases and merge keys (Talos's YAML decoder rejects it too)"
        )


def load(text: str, *, source: str = "<input>") -> Any:
    """Parse a single-document YAML text (``None`` when empty)."""
    docs = load_all(text, source=source)
    if len(docs) > 1:
        raise YAMLError(f"expected one YAML document, found {len(docs)}", file=source)
    return docs[0] if docs else None


def read_source(path: str | Path) -> tuple[str, str]:
    """Read a file (``-`` = standard input) and return ``(text, display_name)``."""
    if str(path) == STDIN:
        return decode_utf8(read_stdin_bytes(), name="<stdin>"), "<stdin>"
    name = str(path)
    return decode_utf8(read_file_bytes(name), name=name), name


# --------------------------------------------------------------------------------------------
# Writing


_YAML11_SCALARS = frozenset({"yes", "no", "on", "off", "y", "n", "true", "false", "null", "~"})


class _Representer(SafeRepresenter):
    def represent_str(self, data: str) -> Any:
        if any(not ch.isprintable() and ch != "\n" for ch in data):
            # Control characters (and Unicode line separators) only survive double quoting.
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        if data.lower() in _YAML11_SCALARS:
            # YAML 1.1 readers (and yaml.v3 for bool fields) would read these as bool/null.
            return self.represent_scalar("tag:yaml.org,2002:str", data, style="'")
        if "\n" in data:
            # Literal blocks keep TOML and scripts readable in patches (and in diffs of them).
            # Trailing spaces before a newline cannot be represented literally; fall back.
            if not any(line != line.rstrip() for line in data.split("\n")):
                return self.represent_scalar("tag:yaml.org,2002:str", data, style="|")
        return super().represent_str(data)


_Representer.add_representer(str, _Representer.represent_str)


class _RootText(str):
    """A multi-line string that is a whole document: a root-level literal block with unindented
    content is not read back by libyaml, so such documents are double-quoted."""


def _represent_root_text(representer: SafeRepresenter, data: str) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:str", str(data), style='"')


_Representer.add_representer(_RootText, _represent_root_text)


def _dumper() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.Representer = _Representer
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.allow_unicode = True
    return yaml


# Emitted text per document, by the repr of its plain data (which tells str/int/bool/None and
# key order apart: same repr, same bytes). Emission is pure Python (about 1 ms per Kubernetes
# object) and a fleet renders the same RuntimeClass, ConfigMap and DaemonSet for every node of
# a role, so each distinct document is emitted once per process. Bounded; cleared when full.
_EMITTED: dict[str, str] = {}
_EMITTED_MAX = 1024


def _emit_one(doc: dict[str, Any] | list[Any]) -> str:
    """The text of one non-empty block document after its ``---`` line."""
    key = repr(doc)
    text = _EMITTED.get(key)
    if text is None:
        buf = io.StringIO()
        _dumper().dump(doc, buf)
        text = buf.getvalue()
        if len(_EMITTED) >= _EMITTED_MAX:
            _EMITTED.clear()
        _EMITTED[key] = text
    return text


def _plain_block(doc: Any) -> bool:
    return isinstance(doc, dict | list) and bool(doc)


# A node's own values in its documents (its name in a pinned Pod or a Job's name, its label
# values in nodeLabels and selectors) make every node's documents distinct; emitted once with
# stand-ins and the values put back, they share one text — when that is exact (_swap_safe),
# else the document is emitted whole.
_STAND_IN_PREFIX = "talosgpuvary"
_VALUE = re.compile(r"[A-Za-z0-9](?:[-A-Za-z0-9_.]{1,251}[A-Za-z0-9])")  # names, label values


class _NotExact(Exception):
    pass


def _swap_safe(real: str, *, key: bool) -> bool:
    """Whether ``real`` (holding varying values) is emitted exactly as its stand-in version with
    the values put back: both plain strings to the resolver (``123``, ``1e5``, ``null``,
    ``2024-01-01`` are not), neither a YAML 1.1 word that the representer quotes (``yes``,
    ``on``), no width or simple-key (128 characters) limit in reach. Stand-ins and values are
    letters, digits, ``-``, ``_`` and ``.`` only, which no other emitter rule looks at."""
    if len(real) > (100 if key else 2000) or real.lower() in _YAML11_SCALARS:
        return False
    try:
        return yamlfast.resolves_as_str(real)
    except yamlfast.Unsupported:
        return False


@functools.lru_cache(maxsize=256)
def _stand_ins(
    vary: tuple[str, ...],
) -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str]] | None:
    """The usable varying values, each with its stand-in, and the patterns that swap them
    (one pass each way, longest value first, so no swap lands inside another)."""
    values = sorted({v for v in vary if _VALUE.fullmatch(v)}, key=lambda v: (-len(v), v))
    values = [v for v in values if not any(v != w and v in w for w in values)]
    if not values or len(values) > 26 * 26:
        return None
    letters = "abcdefghijklmnopqrstuvwxyz"
    to_stand = {
        v: f"{_STAND_IN_PREFIX}{letters[i // 26]}{letters[i % 26]}zq" for i, v in enumerate(values)
    }
    back = {s: v for v, s in to_stand.items()}
    forward = re.compile("|".join(re.escape(v) for v in values))
    backward = re.compile("|".join(re.escape(s) for s in back))
    return forward, {**to_stand, **back}, backward


def _stand_in(
    value: Any, forward: re.Pattern[str], swap: dict[str, str], *, key: bool = False
) -> Any:
    if isinstance(value, str):
        if forward.search(value) is None:
            return value
        if not _swap_safe(value, key=key):
            raise _NotExact
        return forward.sub(lambda m: swap[m.group(0)], value)
    if isinstance(value, dict):
        return {
            _stand_in(k, forward, swap, key=True): _stand_in(v, forward, swap)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_stand_in(item, forward, swap) for item in value]
    return value


def _emit_varying(doc: dict[str, Any] | list[Any], vary: tuple[str, ...]) -> str:
    swaps = _stand_ins(vary) if vary else None
    if swaps is None:
        return _emit_one(doc)
    forward, swap, backward = swaps
    text = repr(doc)
    if forward.search(text) is None or _STAND_IN_PREFIX in text:
        return _emit_one(doc)
    try:
        template = _stand_in(doc, forward, swap)
    except _NotExact:
        return _emit_one(doc)
    return backward.sub(lambda m: swap[m.group(0)], _emit_one(template))


def dump_all(docs: Iterable[Any], *, vary: Sequence[str] = ()) -> str:
    """Serialise documents as a multi-document YAML stream (``---`` between documents).

    ``vary``: values (a node's name and label values) that recur in the documents and differ
    from one call to the next; documents identical up to them are emitted once per process.
    The bytes are the same with or without them (tests/unit/test_yamlio.py)."""
    docs = [_RootText(d) if isinstance(d, str) and "\n" in d else d for d in docs]
    if not docs:
        return ""
    if all(_plain_block(doc) for doc in docs):
        # a block mapping or sequence starts on the line after ``---``: the stream is the
        # documents' own texts joined (tests/unit/test_yamlio.py checks it against dump_all)
        varying = tuple(vary)
        texts = [_emit_varying(doc, varying) for doc in docs]
        if len(texts) == 1:
            return texts[0]
        if not any(_KEEP_CHOMP.search(text) for text in texts[:-1]):
            return "".join(f"---\n{text}" for text in texts)
        # a block scalar that keeps its trailing newlines (``|+``) is ended by ``...`` in
        # ruamel's stream before the next document: let ruamel write that stream
    return _ruamel_stream(docs)


_KEEP_CHOMP = re.compile(r"[|>][1-9]?\+[ \t]*$", re.MULTILINE)


def _ruamel_stream(docs: list[Any]) -> str:
    """ruamel's own stream of ``docs`` with talosgpu's settings (what the memo must equal)."""
    buf = io.StringIO()
    yaml = _dumper()
    if len(docs) == 1:
        yaml.dump(docs[0], buf)
    else:
        yaml.explicit_start = True
        yaml.dump_all(docs, buf)
    return buf.getvalue()


def dump(doc: Any) -> str:
    """Serialise one document."""
    return dump_all([doc])
