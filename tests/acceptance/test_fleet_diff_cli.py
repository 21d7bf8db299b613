"""``talosgpu diff INVENTORY --all``: every node, live configs in parallel, per-node failures.

The --node variant runs against tests/fixtures/fake_talosctl/talosctl, a FAKE that mimics
talosctl's arguments and the ``get machineconfig -o yaml`` envelope; it proves what talosgpu
asks for, not Talos behaviour.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_cli, stock_config, use_fake_talosctl

import talosgpu
from talosgpu.commands.fleet_remote import diff_fleet

INVENTORY = ROOT / "examples" / "fleet-two-roles" / "inventory.yaml"
NODES = ["gpu-a", "gpu-b", "gpu-c"]


@pytest.fixture
def live_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "live"
    folder.mkdir()
    for name in NODES:
        shutil.copy(stock_config("1.11"), folder / f"{name}.yaml")
    return folder


def test_all_nodes_from_live_dir(live_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["diff", str(INVENTORY), "--all", "--live-dir", str(live_dir)], capsys)
    assert code == 1
    assert [line[3:] for line in out.splitlines() if line.startswith("== ")] == NODES
    assert out.rstrip().endswith("3 nodes: 3 would change, 0 failed")


def test_json_is_ordered_by_node(live_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        [
            "diff",
            str(INVENTORY),
            "--all",
            "--live-dir",
            str(live_dir),
            "--output",
            "json",
            "-j",
            "3",
        ],
        capsys,
    )
    data = json.loads(out)
    assert code == 1 and data["exitCode"] == 1
    assert [n["node"] for n in data["nodes"]] == NODES
    assert all(n["changes"] for n in data["nodes"])


def test_one_failing_node_does_not_hide_the_others(live_dir: Path) -> None:
    (live_dir / "gpu-b.yaml").unlink()
    fleet = diff_fleet(INVENTORY, live_dir=live_dir, jobs=2)
    assert fleet.exit_code == 2
    by_node = dict(fleet.results)
    assert "no such file" in str(by_node["gpu-b"])
    assert by_node["gpu-a"].changed and by_node["gpu-c"].changed  # type: ignore[union-attr]
    assert "gpu-b: error:" in talosgpu.format_report(fleet)


def test_all_nodes_through_fake_talosctl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = use_fake_talosctl(tmp_path, monkeypatch, version="1.11")
    talosconfig, log = fake["talosconfig"], fake["log"]
    code, _, err = run_cli(
        ["diff", str(INVENTORY), "--all", "--jobs", "3", "--talosconfig", str(talosconfig)], capsys
    )
    assert code == 1, err
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    nodes = sorted(c["argv"][c["argv"].index("-n") + 1] for c in calls)
    assert nodes == ["10.0.0.11", "10.0.0.12", "10.0.0.13"]
    assert all("get" in c["argv"] and "machineconfig" in c["argv"] for c in calls)


def test_all_needs_an_inventory_alone(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["diff", "--profile", "nvidia-cdi", "--all"], capsys)
    assert code == 2 and out == ""
    assert "--all takes an inventory" in err


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The FAKE talosctl on PATH (mimics argv and output shapes; not Talos)."""
    return use_fake_talosctl(tmp_path, monkeypatch, version="1.11")


def test_apply_all_goes_node_by_node(
    fake: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        [
            "apply",
            str(INVENTORY),
            "--all",
            "--yes",
            "--dry-run",
            "--talosconfig",
            str(fake["talosconfig"]),
        ],
        capsys,
    )
    assert code == 0, err
    assert [line[3:] for line in out.splitlines() if line.startswith("== ")] == NODES
    calls = [json.loads(line)["argv"] for line in fake["log"].read_text().splitlines()]
    patched = [c[c.index("-n") + 1] for c in calls if "patch" in c]
    assert patched == ["10.0.0.11", "10.0.0.12", "10.0.0.13"]
    assert all("--dry-run" in c for c in calls if "patch" in c)
    assert err.count(": dry-run") == 3


def test_apply_all_refuses_without_terminal_or_yes(
    fake: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = run_cli(
        ["apply", str(INVENTORY), "--all", "--talosconfig", str(fake["talosconfig"])], capsys
    )
    assert code == 2
    assert "pass --yes" in err
    calls = [json.loads(line)["argv"] for line in fake["log"].read_text().splitlines()]
    assert not [c for c in calls if "patch" in c]


@pytest.mark.parametrize("command", ["diff", "apply"])
def test_without_talosctl_a_fleet_run_fails_once(
    command: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before, each node failed on its own (three nodes, three identical errors)."""
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no talosctl
    extra = ["--yes"] if command == "apply" else []
    code, out, err = run_cli([command, str(INVENTORY), "--all", *extra], capsys)
    assert code == 2 and out == ""
    assert err == (
        "talosgpu: error: talosctl not found on PATH; install talosctl or read the config from "
        "a file (talosctl get machineconfig v1alpha1 -o yaml > live.yaml; for a fleet: "
        "--live-dir)\n"
    )


def test_progress_on_a_terminal(
    live_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One line per node as it finishes when stderr is a terminal; none in a pipe or a log."""
    import sys

    argv = ["diff", str(INVENTORY), "--all", "--live-dir", str(live_dir)]
    _, _, quiet = run_cli(argv, capsys)
    assert "talosgpu: [" not in quiet
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    _, _, err = run_cli(argv, capsys)
    lines = sorted(line for line in err.splitlines() if line.startswith("talosgpu: ["))
    assert sorted(line.split("] ", 1)[1] for line in lines) == [
        f"{name}: would change" for name in NODES
    ]
    assert sorted(line.split("] ", 1)[0] for line in lines) == [
        f"talosgpu: [{i}" for i in (1, 2, 3)
    ]


def test_apply_all_refuses_a_node_without_address_before_patching_any(
    fake: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing address is known before the first patch: a run that stops at node b after
    patching node a (a fleet trial) leaves the fleet half changed for nothing."""
    text = INVENTORY.read_text()
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(re.sub(r"(?m)^(\s+)address: 10\.0\.0\.12\n", "", text, count=1))
    assert "10.0.0.12" not in inventory.read_text()
    args = ["apply", str(inventory), "--all", "--yes", "--talosconfig", str(fake["talosconfig"])]
    code, _, err = run_cli(args, capsys)
    assert code == 2 and "nodes without an address: gpu-b" in err
    log = fake["log"].read_text() if fake["log"].exists() else ""
    assert "patch" not in log
