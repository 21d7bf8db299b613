from __future__ import annotations

import tomllib

import pytest
import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st

from talosgpu import tomlio
from talosgpu.errors import RenderError, YAMLError

keys = st.text(
    st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters="\\"),
    min_size=1,
    max_size=8,
)
leaves = st.one_of(
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.text(max_size=10),
    st.lists(st.text(max_size=5), max_size=3),
)
tables = st.recursive(
    st.dictionaries(keys, leaves, max_size=3),
    lambda t: st.dictionaries(keys, t | leaves, max_size=3),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(tables)
def test_dumps_round_trips_through_tomllib(data: dict[str, object]) -> None:
    assert tomllib.loads(tomlio.dumps(data)) == data


def test_matches_tomlkit_layout_for_cri_parts() -> None:
    data = {
        "plugins": {
            "io.containerd.cri.v1.runtime": {
                "enable_cdi": True,
                "containerd": {"runtimes": {"nvidia-cdi": {"options": {"BinaryName": "/x"}}}},
            }
        }
    }
    assert tomlio.dumps(data) == tomlkit.dumps(data)


def test_merge_fragments_conflicts_name_both_concerns() -> None:
    merged = tomlio.merge_fragments(
        [("a", {"p": {"x": 1, "l": [1]}}), ("b", {"p": {"y": 2, "l": [1]}})]
    )
    assert merged == {"p": {"x": 1, "l": [1], "y": 2}}
    with pytest.raises(RenderError, match="by a and to 2 by b"):
        tomlio.merge_fragments([("a", {"p": {"x": 1}}), ("b", {"p": {"x": 2}})])


def test_loads_errors_name_the_source() -> None:
    with pytest.raises(YAMLError, match=r"part\.toml: not valid TOML"):
        tomlio.loads("[a\n", source="part.toml")
