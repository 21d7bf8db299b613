"""The lint-rule corpus: ``examples/lint-rules/<rule>/{positive,negative}/`` through the real CLI.

Each case holds its inputs (small patches written for the case, not copies of upstream data),
``args`` (the ``talosgpu lint`` arguments, run from the case folder) and what the CLI must print:
``expected.txt`` (stdout) and ``expected.exit``. ``pytest --update-golden`` rewrites them and
fails the run, so every change of a finding is reviewed line by line. A positive case must show
its rule, a negative case must not (so no case can pass without testing its rule).
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from test_examples import compare_or_update

from talosgpu.lint import RULES

CORPUS = ROOT / "examples" / "lint-rules"
CASES = sorted(p.parent for p in CORPUS.rglob("args")) if CORPUS.is_dir() else []


def _outputs(case: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, bytes]:
    argv = ["lint", *shlex.split((case / "args").read_text())]
    code, out, _ = run_cli(argv, capsys)
    got = {p.name: p.read_bytes() for p in case.iterdir() if not p.name.startswith("expected.")}
    return {**got, "expected.txt": out.encode(), "expected.exit": f"{code}\n".encode()}


@pytest.mark.parametrize("case", CASES, ids=[c.relative_to(CORPUS).as_posix() for c in CASES])
def test_lint_case_says_exactly_this(
    case: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    monkeypatch.chdir(case)
    compare_or_update(case, _outputs(case, capsys), request)


@pytest.mark.parametrize("case", CASES, ids=[c.relative_to(CORPUS).as_posix() for c in CASES])
def test_a_positive_case_shows_its_rule_a_negative_one_does_not(case: Path) -> None:
    rule, polarity = case.parent.name, case.name
    assert rule in RULES and polarity in ("positive", "negative")
    lines = (case / "expected.txt").read_text().splitlines()
    hits = [line for line in lines if f" {rule}: " in line]
    assert bool(hits) == (polarity == "positive"), (case, lines)


def test_every_new_rule_has_both_cases() -> None:
    rules = {
        "duplicate-entry", "files-duplicate-create", "json6902-add-replaces",
        "cdi-spec-dirs-default", "unknown-field", "field-not-in-release", "vfio-pci-nvidia-gpu",
        "nvreg-first-load", "cri-unknown-key", "bpf-jit-harden-unneeded", "cri-file-ignored",
        "unknown-document-kind", "document-needs-newer-talos", "schematic-gpu-modules",
        "schematic-extension-name", "deprecated-field-with-document",
    }  # fmt: skip
    have = {(c.parent.name, c.name) for c in CASES}
    assert {(r, p) for r in rules for p in ("positive", "negative")} <= have
