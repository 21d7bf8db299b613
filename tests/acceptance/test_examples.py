"""The acceptance corpus: every ``examples/<case>/`` rendered by the real CLI, byte for byte.

A case is one intent (``intent.yaml``) or inventory (``inventory.yaml``) plus its expected
outputs in ``<stem>.rendered/`` — exactly what ``talosgpu render <stem>.yaml --output-dir
<stem>.rendered`` writes, which is also the ``talosgpu check`` convention. ``pytest
--update-golden`` rewrites the expected folders and then fails the run (like the ``golden``
fixture in ``tests/conftest.py``), so a regeneration is always reviewed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import _UPDATED, ROOT, run_cli

from talosgpu import yamlio
from talosgpu.cli import main
from talosgpu.profiles import list_profiles

EXAMPLES = ROOT / "examples"
# render cases: a folder holding its intent or inventory (examples/diff/ has its own test)
CASES = (
    sorted(p for p in EXAMPLES.iterdir() if p.is_dir() and any(p.glob("*.yaml")))
    if EXAMPLES.is_dir()
    else []
)


def source_of(case: Path) -> Path:
    (source,) = [p for p in case.glob("*.yaml") if p.is_file()]
    return source


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def render(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    _, err = capsys.readouterr()
    assert exit_info.value.code in (0, None), err


def compare_or_update(
    expected_dir: Path, got: dict[str, bytes], request: pytest.FixtureRequest
) -> None:
    relative = expected_dir.relative_to(ROOT).as_posix()
    if request.config.getoption("--update-golden"):
        for name in set(tree(expected_dir)) - set(got) if expected_dir.is_dir() else ():
            (expected_dir / name).unlink()
        for name, data in got.items():
            target = expected_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists() or target.read_bytes() != data:
                target.write_bytes(data)
        _UPDATED.append(relative)  # the session fails on purpose (conftest.pytest_sessionfinish)
        return
    assert expected_dir.is_dir(), f"missing {relative}: run pytest --update-golden"
    expected = tree(expected_dir)
    assert sorted(got) == sorted(expected), f"{relative}: file set differs"
    for name, data in got.items():
        assert data == expected[name], f"{relative}/{name} differs from what the CLI renders"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_example_renders_byte_for_byte(
    case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest
) -> None:
    source = source_of(case)
    out = tmp_path / "out"
    render(["render", str(source), "--output-dir", str(out)], capsys)
    compare_or_update(source.with_suffix(".rendered"), tree(out), request)


def test_example_via_python_m_subprocess(tmp_path: Path) -> None:
    case = EXAMPLES / "nvidia-cdi-overrides"
    source = source_of(case)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [sys.executable, "-m", "talosgpu", "render", str(source), "--output-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert tree(tmp_path) == tree(source.with_suffix(".rendered"))


def test_check_agrees_with_the_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    sources = [str(source_of(case)) for case in CASES]
    code, out, _ = run_cli(["check", *sources], capsys)
    assert code == 0, out
    assert out.count(": ok (") == len(CASES)


def test_every_bundled_profile_has_a_plain_and_an_overridden_case() -> None:
    plain: set[str] = set()
    overridden: set[str] = set()
    for case in CASES:
        data = yamlio.load(source_of(case).read_text())
        if data.get("kind") == "GPUNode":
            extra = set(data) - {"apiVersion", "kind", "profile"}
            (overridden if extra else plain).add(data["profile"])
    assert plain == set(list_profiles())
    assert overridden == set(list_profiles())


def test_fleet_case_has_three_nodes_in_two_roles() -> None:
    data = yamlio.load((EXAMPLES / "fleet-two-roles" / "inventory.yaml").read_text())
    assert len(data["nodes"]) == 3
    assert len({node["role"] for node in data["nodes"]}) == 2
    assert sorted(
        p.name for p in (EXAMPLES / "fleet-two-roles" / "inventory.rendered").iterdir()
    ) == ["cluster", "gpu-a", "gpu-b", "gpu-c", "helm"]


def test_a_fleet_folder_applies_without_nodes_overwriting_each_other() -> None:
    """``kubectl apply`` of every manifests.yaml of the folder: each object is defined in one
    file only (before, every node wrote its own RuntimeClass, ConfigMap and DaemonSet and the
    last node applied won)."""
    folder = EXAMPLES / "fleet-two-roles" / "inventory.rendered"
    owner: dict[tuple[str, str, str], str] = {}
    for path in sorted(folder.glob("*/manifests.yaml")):
        for obj in yamlio.load_all(path.read_text()):
            meta = obj["metadata"]
            key = (obj["kind"], meta.get("namespace", ""), meta["name"])
            assert key not in owner, f"{key} in {owner.get(key)} and {path}"
            owner[key] = path.parent.name
    kinds = {kind for kind, _, _ in owner}
    assert {"RuntimeClass", "ConfigMap", "DaemonSet", "Pod"} <= kinds
    # `kubectl apply -f cluster/` takes every file there as objects: nothing else is in it
    for path in (folder / "cluster").iterdir():
        assert all("kind" in d and "apiVersion" in d for d in yamlio.load_all(path.read_text())), (
            path
        )
    assert {owner[k] for k in owner if k[0] == "RuntimeClass"} == {"cluster"}
