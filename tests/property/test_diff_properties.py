"""Properties of the diff: reflexive, exact, idempotent proposals, secrets never printed."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from talosgpu.configdiff.normalize import normalize_documents
from talosgpu.configdiff.propose import propose_documents
from talosgpu.configdiff.semantic import diff_configs
from talosgpu.report.diff import render_json, render_text

VERSIONS = st.sampled_from(["1.7", "1.10", "1.12", "1.13", "1.14"])
NAMES = st.sampled_from(["nvidia", "nvidia_uvm", "nvidia_drm", "nvidia_modeset", "nvme"])
WORDS = st.text(alphabet="abcxyz019=._-", min_size=1, max_size=6)
CRI = "/etc/cri/conf.d/20-customization.part"

modules = st.lists(
    st.builds(
        lambda name, params: {"name": name, **({"parameters": params} if params else {})},
        NAMES,
        st.lists(WORDS, max_size=2),
    ),
    max_size=4,
    unique_by=lambda m: m["name"],
)
files = st.lists(
    st.builds(
        lambda path, body: {"path": path, "op": "create", "content": body},
        st.sampled_from([CRI, "/var/cdi/.keep", "/var/etc/x.conf"]),
        st.sampled_from(["", "[a]\nb = 1\n", "[a]\nb = 2\n", "x"]),
    ),
    max_size=3,
    unique_by=lambda f: f["path"],
)
rules = st.lists(
    st.sampled_from(['KERNEL=="nvidia", MODE="0666"', "R2", "R3"]), max_size=3, unique=True
)
string_maps = st.dictionaries(
    st.sampled_from(["a.b", "c", "nvidia.com/gpu.present"]), WORDS, max_size=3
)


@st.composite
def machines(draw: st.DrawFn) -> dict[str, Any]:
    machine: dict[str, Any] = {"type": "worker"}
    for key, strategy in (
        ("kernel", modules.map(lambda m: {"modules": m})),
        ("files", files),
        ("udev", rules.map(lambda r: {"rules": r})),
        ("sysctls", string_maps),
        ("nodeLabels", string_maps),
    ):
        if draw(st.booleans()):
            machine[key] = draw(strategy)
    return {"version": "v1alpha1", "machine": machine}


@settings(max_examples=150, deadline=None)
@given(machines(), VERSIONS)
def test_diff_with_itself_is_empty(doc: dict[str, Any], version: str) -> None:
    assert diff_configs([doc], [doc], talos_version=version).empty


@settings(max_examples=150, deadline=None)
@given(machines(), machines(), VERSIONS)
def test_no_change_iff_equal_after_normalisation(
    left: dict[str, Any], right: dict[str, Any], version: str
) -> None:
    diff = diff_configs([left], [right], talos_version=version)
    same = normalize_documents([left]) == normalize_documents([right])
    if same:
        assert diff.empty
    elif diff.empty:
        # only form may differ: TOML of the CRI part or the order of keyed items (files, modules)
        by_path = lambda d: sorted(d["machine"].get("files", []), key=lambda f: f["path"])  # noqa: E731
        assert [f["path"] for f in by_path(left)] == [f["path"] for f in by_path(right)]


@settings(max_examples=120, deadline=None)
@given(machines(), machines(), VERSIONS)
def test_proposal_reaches_a_fixed_point(
    live: dict[str, Any], patch: dict[str, Any], version: str
) -> None:
    first = propose_documents([live], [patch], talos_version=version)
    second = propose_documents(first.proposed_documents, [patch], talos_version=version)
    assert second.patch_documents == []
    assert diff_configs(
        first.proposed_documents, second.proposed_documents, talos_version=version
    ).empty


@settings(max_examples=100, deadline=None)
@given(
    machines(),
    st.text(alphabet="abcdefghjkmnpqrstuvwxyz23456789", min_size=8, max_size=24),
    st.text(alphabet="abcdefghjkmnpqrstuvwxyz23456789", min_size=8, max_size=24),
    VERSIONS,
)
def test_secrets_never_in_output(doc: dict[str, Any], old: str, new: str, version: str) -> None:
    left = {
        **doc,
        "machine": {**doc["machine"], "token": "S3cr" + old},
        "cluster": {"secret": "Q" + old},
    }
    right = {
        **doc,
        "machine": {**doc["machine"], "token": "S3cr" + new},
        "cluster": {"secret": "Q" + new},
    }
    diff = diff_configs([left], [right], talos_version=version)
    out = render_text(diff) + render_json(diff)
    for secret in ("S3cr" + old, "S3cr" + new, "Q" + old, "Q" + new):
        assert secret not in out
