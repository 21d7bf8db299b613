"""Hypothesis properties of the CDI tooling.

* Any text or YAML/JSON value given to `talosgpu cdi validate` exits 0, 1 or 2 — exit 2 with one
  line on stderr — never a traceback.
* Spec-shaped documents with arbitrary contents validate without raising; every finding is one
  line with a path and a fix.
* patch-hooks is idempotent in both strategies and changes nothing but hook paths.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from talosgpu import yamlio
from talosgpu.cdi import load_spec, patch_hooks, validate_spec
from talosgpu.cdi.hooks import iter_hooks
from talosgpu.errors import TalosGPUError

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**33), 2**33),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(
        [
            "0.5.0",
            "v0.3.0",
            "nvidia.com/gpu",
            "all",
            "GPU-520e01f2-cf30-6396-abef-e8e9a5233b0e",
            "createContainer",
            "/usr/local/bin/nvidia-cdi-hook",
            "/usr/local/bin/nvidia-ctk.real",
            "/usr/bin/nvidia-cdi-hook",
            "A=1",
            "rwm",
        ]
    ),
)
keys = st.sampled_from(
    [
        "cdiVersion",
        "kind",
        "devices",
        "containerEdits",
        "name",
        "annotations",
        "env",
        "deviceNodes",
        "hooks",
        "mounts",
        "hookName",
        "path",
        "args",
        "hostPath",
        "containerPath",
        "intelRdt",
        "netDevices",
        "additionalGids",
        "timeout",
        "type",
        "Name",
        "bogus",
    ]
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)
spec_shaped = st.fixed_dictionaries(
    {"cdiVersion": values, "kind": values, "devices": values},
    optional={"containerEdits": values, "annotations": values, "bogus": values},
)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _check_cli(text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    for argv in (
        ["cdi", "validate", str(path), "--talos-version", "1.11", "--device-id-strategy", "uuid"],
        ["cdi", "patch-hooks", str(path), "--strategy", "usr-bin"],
    ):
        code, _, err = run_cli(argv, capsys)
        assert code in (0, 1, 2)
        assert "Traceback" not in err
        assert "internal error" not in err
        if code == 2:
            assert len(err.strip().splitlines()) == 1, err


@SETTINGS
@given(text=st.text(max_size=200))
def test_any_text_never_crashes(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _check_cli(text, tmp_path, capsys)


@SETTINGS
@given(value=st.one_of(values, spec_shaped), as_json=st.booleans())
def test_any_yaml_or_json_value_never_crashes(
    value: Any, as_json: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = json.dumps(value) if as_json else yamlio.dump(value)
    _check_cli(text, tmp_path, capsys)


@settings(max_examples=150, deadline=None)
@given(spec_shaped, st.sampled_from([None, "1.8", "1.11", "1.13"]))
def test_spec_shaped_documents_give_one_line_findings(
    data: dict[str, Any], talos: str | None
) -> None:
    spec = load_spec(json.dumps(data), source="p.json")
    findings = validate_spec(spec, device_id_strategy="index", talos_version=talos)
    for item in findings:
        line = item.one_line("p.json")
        assert "\n" not in line
        assert item.path.startswith(".")
        assert item.severity in ("error", "warning")
        assert item.fix


@settings(max_examples=150, deadline=None)
@given(spec_shaped, st.sampled_from(["real-binaries", "usr-bin"]), st.booleans())
def test_patch_hooks_is_idempotent_and_touches_only_hook_paths(
    data: dict[str, Any], strategy: Any, as_json: bool
) -> None:
    text = json.dumps(data) if as_json else yamlio.dump(data)
    try:
        before = load_spec(text, source="p").data
    except TalosGPUError:
        # yamlio.dump writes control characters raw in literal blocks (unreadable): not ours.
        assume(False)
    once = patch_hooks(text, strategy=strategy, source="p")
    twice = patch_hooks(once.text, strategy=strategy, source="p")
    assert twice.changes == ()
    assert twice.text == once.text
    assert once.format == ("json" if as_json else "yaml")
    assert load_spec(once.text, source="p").data == once.spec.data  # output reads back

    def blank(value: dict[str, Any]) -> dict[str, Any]:
        clone = copy.deepcopy(value)
        for _, hook in iter_hooks(clone):
            hook.pop("path", None)
        return clone

    assert blank(once.spec.data) == blank(before)
