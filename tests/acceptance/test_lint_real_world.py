"""The real-world files of ../shared/conformance/real-world, linted as a user would: the whole
folder in one run, no flags, each file's release taken from the repository files themselves
(talconfig, talenv, installer tags, Omni templates, topf.yaml).

The result is checked against a reviewed table, ``tests/golden/lint/real-world-expected.json``:
per file, the release and where it came from, and the sorted ``[rule, severity, path]`` of
every finding. Every entry was judged against the file (docs/lint.md "Real-world review"); a
new finding fails the suite as a possible false positive, a vanished one as a lost check.
When rules change on purpose, regenerate with ``pytest --update-golden`` and review the diff.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import GOLDEN, run_cli, shared_path

TABLE = "lint/real-world-expected.json"


def _table(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    root = shared_path("conformance", "real-world")
    _code, out, _err = run_cli(["lint", str(root), "--format", "json"], capsys)
    data = json.loads(out)
    prefix = f"{root}/"
    table: dict[str, Any] = {}
    for target in data["targets"]:
        name = target["file"].removeprefix(prefix)
        table[name] = {"release": f"{target['talosVersion']} ({target['origin']})", "findings": []}
    for skipped in data["skipped"]:
        table.setdefault(skipped["file"].removeprefix(prefix), {"release": None, "findings": []})
    for f in data["findings"]:
        entry = table.setdefault(f["file"].removeprefix(prefix), {"release": None, "findings": []})
        entry["findings"].append([f["rule"], f["severity"], f["path"]])
    for entry in table.values():
        entry["findings"].sort()
    return dict(sorted(table.items()))


def _rows(table: dict[str, Any]) -> set[tuple[str, ...]]:
    rows = {(name, "release", str(entry["release"])) for name, entry in table.items()}
    rows |= {(name, *row) for name, entry in table.items() for row in entry["findings"]}
    return rows


def test_real_world_findings_match_the_reviewed_table(
    capsys: pytest.CaptureFixture[str],
    golden: Any,
    request: pytest.FixtureRequest,
) -> None:
    table = _table(capsys)
    if request.config.getoption("--update-golden"):
        golden(TABLE, json.dumps(table, indent=1) + "\n")
        return
    path = GOLDEN / TABLE
    assert path.exists(), f"missing {TABLE}: run pytest --update-golden and review it"
    want = json.loads(path.read_text(encoding="utf-8"))
    new, gone = _rows(table) - _rows(want), _rows(want) - _rows(table)
    assert not new and not gone, (
        "real-world lint changed; review each line, then pytest --update-golden\n"
        + "".join(f"  new:  {row}\n" for row in sorted(new))
        + "".join(f"  gone: {row}\n" for row in sorted(gone))
    )
