from __future__ import annotations

import pytest

from talosgpu import yamlio
from talosgpu.errors import YAMLError


def test_octals_like_go_yaml_v3() -> None:
    data = yamlio.load("a: 0o644\nb: 0644\nc: 420\nd: 0\ne: 08\n")
    assert data == {"a": 420, "b": 420, "c": 420, "d": 0, "e": 8}


def test_yaml_1_2_booleans_and_timestamps_stay_strings() -> None:
    data = yamlio.load("a: yes\nb: on\nc: true\nd: 2024-01-01\n")
    assert data == {"a": "yes", "b": "on", "c": True, "d": "2024-01-01"}


def test_duplicate_keys_are_errors_without_values() -> None:
    with pytest.raises(YAMLError) as err:
        yamlio.load("token: s3cr3t-one\ntoken: s3cr3t-two\n", source="x.yaml")
    assert "duplicate key" in str(err.value)
    assert "s3cr3t" not in str(err.value)
    assert str(err.value).startswith("x.yaml: ")


def test_multi_document_and_empty_documents() -> None:
    assert yamlio.load_all("---\na: 1\n---\n---\nb: 2\n") == [{"a": 1}, {"b": 2}]
    with pytest.raises(YAMLError, match="expected one YAML document"):
        yamlio.load("a: 1\n---\nb: 2\n")


def test_dump_is_deterministic_and_round_trips() -> None:
    docs = [
        {"machine": {"files": [{"content": "a\nb\n", "op": "create"}]}},
        {"kind": "X", "v": "yes"},
    ]
    text = yamlio.dump_all(docs)
    assert text == yamlio.dump_all(docs)
    assert "content: |" in text
    assert "v: 'yes'" in text
    assert yamlio.load_all(text) == docs


def test_single_document_has_no_separator() -> None:
    assert not yamlio.dump({"a": 1}).startswith("---")
    assert yamlio.dump_all([]) == ""


def test_read_source_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(YAMLError, match="no such file"):
        yamlio.read_source(tmp_path / "missing.yaml")
    with pytest.raises(YAMLError, match="is a directory"):
        yamlio.read_source(tmp_path)
    bad = tmp_path / "bin.yaml"
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(YAMLError, match="not UTF-8"):
        yamlio.read_source(bad)


from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# Go's YAML ints are 64-bit: a larger one reads back as a float or a string, as in Talos
# (test_ints_beyond_64_bits_resolve_like_go_yaml), so the round trip is for 64-bit ints.
_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64 - 1) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_dump_load_round_trip(value: object) -> None:
    assert yamlio.load(yamlio.dump(value)) == value


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_multiline_strings_round_trip(text: str) -> None:
    value = {"content": text + "\n" + text}
    assert yamlio.load(yamlio.dump(value)) == value


def test_multiline_string_documents_round_trip() -> None:
    docs = ["[plugins]\nx = 1\n", "plain", {"a": "x\ny\n"}]
    assert yamlio.load_all(yamlio.dump_all(docs)) == docs
    assert yamlio.load(yamlio.dump("a\n  b\n")) == "a\n  b\n"


# ------------------------------------------------------------------ aliasing (go-yaml's limits)
def _laughs(levels: int) -> str:
    lines = ["version: v1alpha1", "machine:", '  l0: &l0 ["lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        ref = f"*l{level - 1}"
        lines.append(f"  l{level}: &l{level} [{', '.join([ref] * 5)}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_rejected_like_go_yaml() -> None:
    # 5**12 values from a few hundred bytes: Talos's decoder fails with "excessive aliasing".
    with pytest.raises(YAMLError, match="excessive aliasing") as err:
        yamlio.load_all(_laughs(12), source="bomb.yaml")
    assert str(err.value).startswith("bomb.yaml: ")


def test_ordinary_aliases_are_fine() -> None:
    # talhelper configs reuse a SAN list through an anchor; a little expansion is normal.
    (doc,) = yamlio.load_all(_laughs(2))
    assert doc["machine"]["l2"][0] is doc["machine"]["l1"]
    text = "sans: &sans [a, b]\nnodes:\n" + "".join(
        f"  - {{n: {i}, s: *sans}}\n" for i in range(50)
    )
    assert len(yamlio.load_all(text)[0]["nodes"]) == 50


def test_a_node_that_contains_itself_is_rejected() -> None:
    with pytest.raises(YAMLError, match="contains it"):
        yamlio.load_all("- &r\n  - *r\n", source="loop.yaml")


def test_the_full_loader_is_safe_in_threads() -> None:
    """``diff --all --jobs N`` parses live configs in threads; a merge key sends a document to the
    full (ruamel) loader, whose instance holds parser state: one shared instance corrupted
    documents across threads ("expected <block end>", "list index out of range")."""
    from concurrent.futures import ThreadPoolExecutor

    text = "".join(
        f"base{i}: &b{i}\n  a: {i}\n  b: [x, y]\nnode{i}:\n  <<: *b{i}\n  c: {i}\n"
        for i in range(20)
    )
    expected = yamlio.load_all(text)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: yamlio.load_all(text), range(64)))
    assert all(result == expected for result in results)


# ------------------------------------------------------------------ bounded work, no values quoted
def _merge_bomb(levels: int) -> str:
    """Each level merges the one below twice and nests it twice: 542 bytes at 10 levels made
    construction exponential (merges were not counted by the alias guard)."""
    lines = ["a0: &a0 {x0: 1, y0: 2}"]
    for i in range(1, levels):
        lines.append(
            f"a{i}: &a{i}\n  <<: [*a{i - 1}, *a{i - 1}]\n"
            f"  k{i}: {{<<: *a{i - 1}}}\n  j{i}: {{<<: *a{i - 1}}}"
        )
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels", [10, 40])
def test_nested_merge_keys_are_counted_before_construction(levels: int) -> None:
    with pytest.raises(YAMLError, match=r"excessive aliasing: .* aliases and merge keys"):
        yamlio.load(_merge_bomb(levels), source="bomb.yaml")


def test_ordinary_merge_keys_still_merge() -> None:
    text = "base: &b {a: 1, b: 2}\nnode:\n  <<: *b\n  b: 3\n"
    assert yamlio.load(text) == {"base": {"a": 1, "b": 2}, "node": {"a": 1, "b": 3}}


def test_a_long_tag_is_refused_before_the_scanner_sees_it() -> None:
    """ruamel's pure scanner is quadratic in a tag's length (a 1.3 MB run of '!': 26 s)."""
    with pytest.raises(YAMLError, match="line 2: a tag of 1,300,000 characters"):
        yamlio.load("a: 1\nb: " + "!" * 1_300_000 + " x\n", source="t.yaml")
    assert yamlio.load("a: !!str 5\n") == {"a": "5"}


def test_document_count_is_bounded() -> None:
    many = "---\n".join(f"n: {i}\n" for i in range(yamlio.MAX_DOCUMENTS + 1))
    with pytest.raises(YAMLError, match="1,001 YAML documents; talosgpu reads at most 1,000"):
        yamlio.load_all(many, source="many.yaml")
    assert len(yamlio.load_all("---\n".join("n: 1\n" for _ in range(1000)))) == 1000


def test_depth_beyond_the_stack_is_a_clear_error() -> None:
    with pytest.raises(YAMLError, match="nested deeper than talosgpu can read"):
        yamlio.load("[" * 100_000)


@pytest.mark.parametrize(
    "text",
    ["a: !!int s3cr3tvalue\n", "a: !!float s3cr3tvalue\n", "a: !!bool s3cr3tvalue\n"],
)
def test_an_explicit_tag_never_quotes_the_value(text: str) -> None:
    """int()/float()/a bool lookup quote the value they fail on; it may be a secret."""
    with pytest.raises(YAMLError) as info:
        yamlio.load(text, source="live.yaml")
    assert "s3cr3t" not in str(info.value)
    assert "does not match its explicit tag" in str(info.value)


def test_a_long_key_in_an_error_is_cut() -> None:
    key = "k" * 1000  # YAML caps an implicit key at 1,024 characters
    with pytest.raises(YAMLError) as info:
        yamlio.load(f"{key}: 1\n{key}: 2\n")
    assert len(str(info.value)) < 300 and "more characters" in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18446744073709551615", 18446744073709551615),  # uint64 max: an int
        ("-9223372036854775808", -9223372036854775808),  # int64 min: an int
        ("18446744073709551616", 1.8446744073709552e19),  # ParseFloat takes it
        ("0o" + "7" * 30, "0o" + "7" * 30),  # no float form: the string itself
        ("9" * 400, "9" * 400),  # ParseFloat: out of range, so a string
        ("0" + "7" * 20_000, "0" + "7" * 20_000),  # never a 20,000-digit int
        ("0x1F", 31),
        ("0644", 420),
    ],
    ids=["uint64", "int64", "float", "octal", "huge", "legacy-octal", "hex", "0644"],
)
def test_ints_beyond_64_bits_resolve_like_go_yaml(text: str, expected: object) -> None:
    """yaml.v3 resolve.go: ParseInt, ParseUint (64-bit), then ParseFloat, then a string."""
    assert yamlio.load(f"a: {text}\n") == {"a": expected}
    assert yamlio.load("a: " + text + "\n<<: {}\n") == {"a": expected}  # the full loader too


def _ruamel_stream(docs: list[object]) -> str:
    """ruamel's own multi-document dump with talosgpu's settings: what the memo must equal."""
    return yamlio._ruamel_stream(list(docs))


_blocks = st.one_of(
    st.dictionaries(st.text(max_size=8), _values, min_size=1, max_size=4),
    st.lists(_values, min_size=1, max_size=4),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_blocks, min_size=1, max_size=4))
@example([{"": ["\n"]}, [None]])  # a kept trailing newline (|2+): ruamel ends it with ...
def test_documents_emitted_one_by_one_join_to_ruamels_stream(docs: list[object]) -> None:
    """dump_all emits (and memoises) each block document alone and joins them with ``---``:
    byte for byte what ruamel's dump_all writes, on a cold memo and on a warm one."""
    expected = _ruamel_stream(docs)
    yamlio._EMITTED.clear()
    assert yamlio.dump_all(docs) == expected
    assert yamlio.dump_all(docs) == expected


def test_the_memo_tells_equal_looking_values_apart() -> None:
    yamlio._EMITTED.clear()
    texts = [yamlio.dump_all([{"a": v}, {"b": 1}]) for v in (1, "1", True, "true", None, 1.0)]
    assert len(set(texts)) == len(texts)
    assert yamlio.load_all(texts[1]) == [{"a": "1"}, {"b": 1}]


# Names that a stand-in must not change the emission of: YAML 1.1 words, numbers, hex, floats,
# null, names that are substrings of common words ("gpu", "nvidia"), dotted names.
_NAMES = ["node0000", "yes", "on", "no", "y", "n", "null", "true", "123", "1e5", "0x1f", "1.5",
          "0o17", "gpu", "nvidia", "kube-system", "a.b.c", "talos-05", "inf", "nan", "e1",
          "0", "00", "1-2", "x" * 63, "2024-01-01", "2001-12-14t21", "1-2-3"]  # fmt: skip


@pytest.mark.parametrize("name", _NAMES)
def test_a_varying_name_changes_no_byte(name: str) -> None:
    docs: list[object] = [
        {"metadata": {"name": f"pod-{name}", "labels": {"kubernetes.io/hostname": name}},
         "spec": {"nodeSelector": {"kubernetes.io/hostname": name}, "args": [name, f"{name}:1",
                  f"run {name}\\nand {name}\\n", f"# {name}", f"{name} #x", f"-{name}"],
                  name: {f"{name}-key": [name, 1, True]}}},
        {"kind": "RuntimeClass", "handler": "nvidia", "count": 1},
    ]  # fmt: skip
    expected = _ruamel_stream(docs)
    for _ in range(2):  # cold, then from the memo
        assert yamlio.dump_all(docs, vary=(name,)) == expected
        assert yamlio.dump_all(docs, vary=("node0001",)) == expected  # a name not in them


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_blocks, min_size=1, max_size=3),
    st.from_regex(r"[a-z0-9](?:[-a-z0-9.]{1,8}[a-z0-9])?", fullmatch=True),
)
def test_varying_names_in_random_documents(docs: list[object], name: str) -> None:
    """Random documents with the name spliced into their strings: the same bytes as ruamel."""

    def splice(value: object) -> object:
        if isinstance(value, str):
            return f"{value}{name}{value}"
        if isinstance(value, dict):
            return {splice(k): splice(v) for k, v in value.items()}
        if isinstance(value, list):
            return [splice(v) for v in value]
        return value

    spliced = [splice(doc) for doc in docs]
    assert yamlio.dump_all(spliced, vary=(name,)) == _ruamel_stream(spliced)


def test_the_number_of_values_is_bounded_before_parsing() -> None:
    flow = "machine:\n  certSANs: [" + ",".join(["a"] * 200_000) + "]\n"
    with pytest.raises(YAMLError, match="200,001 lines and commas; talosgpu reads at most 100,000"):
        yamlio.load_all(flow, source="flow.yaml")
    lines = "".join(f"k{i}: v\n" for i in range(50_000))  # a long but real-sized file
    assert len(yamlio.load(lines)) == 50_000


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_blocks, min_size=1, max_size=3),
    st.lists(
        st.from_regex(r"[A-Za-z0-9](?:[-A-Za-z0-9_.]{1,6}[A-Za-z0-9])?", fullmatch=True),
        min_size=1,
        max_size=4,
    ),
)
def test_several_varying_values(docs: list[object], values: list[str]) -> None:
    """A node's name and label values, spliced into random documents, overlapping or not
    (r1 inside r12): the same bytes as ruamel."""

    def splice(value: object, depth: int = 0) -> object:
        if isinstance(value, str):
            return value + values[depth % len(values)] + value
        if isinstance(value, dict):
            return {splice(k, depth + 1): splice(v, depth + 2) for k, v in value.items()}
        if isinstance(value, list):
            return [splice(v, depth + i) for i, v in enumerate(value)]
        return value

    spliced = [splice(doc) for doc in docs]
    assert yamlio.dump_all(spliced, vary=values) == _ruamel_stream(spliced)
    assert yamlio.dump_all(spliced, vary=values) == _ruamel_stream(spliced)  # from the memo
