"""The diff corpus: ``examples/diff/<case>/`` through the real CLI, text and JSON, exactly.

A case is an intent (``intent.yaml``) and a node's live config (``live.yaml``: small configs
written for these cases, not copies of upstream data) with what ``talosgpu diff intent.yaml
--live live.yaml`` must print, run from the case folder: ``expected.txt`` (stdout),
``expected.stderr`` (the warnings), ``expected.json`` (stdout of ``--output json``) and
``expected.exit``. ``pytest --update-golden`` rewrites them and fails the run, so every change
of what the diff says is reviewed line by line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from test_examples import compare_or_update

from talosgpu import yamlio

CORPUS = ROOT / "examples" / "diff"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []


def _outputs(case: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, bytes]:
    argv = ["diff", "intent.yaml", "--live", "live.yaml"]
    code, out, err = run_cli(argv, capsys)
    json_code, json_out, _ = run_cli([*argv, "--format", "json"], capsys)
    assert json_code == code
    return {
        "expected.txt": out.encode(),
        "expected.stderr": err.encode(),
        "expected.json": json_out.encode(),
        "expected.exit": f"{code}\n".encode(),
        "intent.yaml": (case / "intent.yaml").read_bytes(),
        "live.yaml": (case / "live.yaml").read_bytes(),
    }


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_diff_case_says_exactly_this(
    case: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    monkeypatch.chdir(case)
    compare_or_update(case, _outputs(case, capsys), request)


def _json(case: str) -> dict:  # type: ignore[type-arg]
    return json.loads((CORPUS / case / "expected.json").read_text())


def test_the_corpus_holds_the_cases_the_diff_must_get_right() -> None:
    assert {c.name for c in CASES} >= {
        "patched-twice",
        "same-config-other-spelling",
        "plain-installer",
        "other-schematic",
        "wrong-role",
        "other-release",
        "moved-to-1.14-documents",
    }


def test_a_node_patched_twice_is_deduplicated_never_removed() -> None:
    data = _json("patched-twice")
    assert data["changes"] and {c["op"] for c in data["changes"]} == {"dedupe"}
    assert all(c["copies"] == {"live": 2, "proposed": 1} for c in data["changes"])
    assert "(removed)" not in (CORPUS / "patched-twice" / "expected.txt").read_text()


def test_a_change_that_is_none_is_no_change() -> None:
    data = _json("same-config-other-spelling")
    live = yamlio.load((CORPUS / "same-config-other-spelling" / "live.yaml").read_text())
    # the case really holds the other spellings
    assert any(f.get("permissions") == 0 for f in live["machine"]["files"])
    assert data["changes"] == [] and data["reboot"] is False


def test_what_the_node_lacks_is_said() -> None:
    assert any("plain Talos installer" in w for w in _json("plain-installer")["warnings"])
    assert any("built from schematic" in w for w in _json("other-schematic")["warnings"])
    assert any(".machine.type" in w for w in _json("wrong-role")["warnings"])
    assert any("installer image is Talos 1.12" in w for w in _json("other-release")["warnings"])
    moved = _json("moved-to-1.14-documents")["changes"]
    assert "remove" not in {c["op"] for c in moved} and "move" in {c["op"] for c in moved}


def test_strict_makes_the_warnings_errors(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CORPUS / "other-release")
    code, _, err = run_cli(["diff", "intent.yaml", "--live", "live.yaml", "--strict"], capsys)
    assert code == 2 and "treated as errors (--strict)" in err
