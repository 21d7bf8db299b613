"""``apply`` never acts on a config it did not show, and a fleet apply reports every node.

These run against tests/fixtures/fake_talosctl/talosctl, a FAKE that mimics talosctl's
arguments and output shapes (the ``get machineconfig -o yaml`` envelope of
``cmd/talosctl/cmd/talos/output/yaml.go``; ``patch machineconfig``; the go-multierror text of an
``ApplyConfiguration`` refusal, research talos-internals.md §4.1). It is not talosctl: these
tests prove what talosgpu does around it (re-reads, stops, kills, reports), not Talos behaviour.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_cli, stock_config, use_fake_talosctl

from talosgpu import yamlio

INVENTORY = ROOT / "examples" / "fleet-two-roles" / "inventory.yaml"
CRI_PART = "/etc/cri/conf.d/20-customization.part"


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    return use_fake_talosctl(tmp_path, monkeypatch, version="1.11", talosconfig_env=True)


def _patches(fake: dict[str, Path]) -> list[list[str]]:
    calls = [json.loads(line)["argv"] for line in fake["log"].read_text().splitlines()]
    return [c for c in calls if "patch" in c]


def test_a_config_edited_after_the_diff_is_not_patched(
    fake: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Another admin edits the CRI part between the diff and the patch: talosctl patch would
    merge onto the edit (and the part's delete-and-re-add would erase it). Refused instead."""
    docs = yamlio.load_all(stock_config("1.11").read_text())
    docs[0]["machine"]["sysctls"] = {"vm.max_map_count": "262144"}
    edited = tmp_path / "edited.yaml"
    edited.write_text(yamlio.dump_all(docs))
    monkeypatch.setenv("FAKE_TALOSCTL_EDIT_AFTER_GET", str(edited))
    code, _, err = run_cli(["apply", "-P", "nvidia-cdi", "-n", "10.0.0.5", "--yes"], capsys)
    assert code == 2
    assert "the config on 10.0.0.5 changed after it was diffed" in err
    assert 'v1alpha1 .machine.sysctls."vm.max_map_count"' in err
    assert "nothing was applied" in err
    assert _patches(fake) == []


def test_an_unchanged_config_is_read_twice_then_patched(
    fake: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(["apply", "-P", "nvidia-cdi", "-n", "10.0.0.5", "--yes"], capsys)
    assert code == 0, err
    calls = [json.loads(line)["argv"] for line in fake["log"].read_text().splitlines()]
    assert [c[2] for c in calls] == ["get", "get", "patch"]  # diff, re-read, patch


def test_a_json6902_patch_is_sent_after_the_merged_patch(
    fake: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An intent's JSON6902 patch file: shown in the diff, sent as its own talosctl patch
    after the merged strategic patch (the fake appends what it is sent to the node's config)."""
    (tmp_path / "hostname.yaml").write_text(
        "- op: add\n  path: /machine/network/hostname\n  value: gpu-1\n"
    )
    intent = tmp_path / "gpu.yaml"  # node.yaml is the fake node's config
    intent.write_text(
        "profile: nvidia-cdi\ntalosVersion: '1.11'\npatches:\n  - file: hostname.yaml\n"
    )
    code, out, err = run_cli(["diff", str(intent), "-n", "10.0.0.5"], capsys)
    assert code == 1, err
    assert "hostname" in out and "gpu-1" in out
    monkeypatch.setenv("FAKE_TALOSCTL_SENT", str(tmp_path / "sent.txt"))
    code, _, err = run_cli(["apply", str(intent), "-n", "10.0.0.5", "--yes"], capsys)
    assert code == 0, err
    # one talosctl call, the two patches as its --patch flags in order: one apply, one reboot
    (call,) = _patches(fake)
    assert call.count("--patch") == 2
    merged, ops = (tmp_path / "sent.txt").read_text().split("### patch\n")[1:]
    assert CRI_PART in merged and "hostname" not in merged
    assert yamlio.load(ops) == [
        {"op": "add", "path": "/machine/network/hostname", "value": "gpu-1"}
    ]


def test_a_failure_mid_fleet_names_every_node_and_the_whole_error(
    fake: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_TALOSCTL_FAIL_PATCH", "10.0.0.12")
    code, _, err = run_cli(["apply", str(INVENTORY), "--all", "--yes"], capsys)
    assert code == 2
    lines = [line for line in err.splitlines() if line.startswith("talosgpu: gpu-")]
    assert lines[0] == "talosgpu: gpu-a: applied"
    assert lines[1].startswith("talosgpu: gpu-b: failed: talosctl:10.0.0.12: talosctl patch")
    # the reason, not only "1 error occurred:"
    assert "1 error occurred: * this config change can't be applied in immediate mode" in lines[1]
    assert lines[2] == "talosgpu: gpu-c: skipped (not tried: node gpu-b failed)"
    assert err.rstrip().endswith("3 nodes: 1 applied, 1 failed, 1 skipped")
    assert [p[1] for p in _patches(fake)] == ["10.0.0.11", "10.0.0.12"]


def test_python_twin_reports_each_node(
    fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import talosgpu

    monkeypatch.setenv("FAKE_TALOSCTL_FAIL_PATCH", "10.0.0.11")
    seen: list[str] = []
    fleet = talosgpu.apply_fleet(INVENTORY, on_outcome=lambda n: seen.append(n.status))
    assert seen == ["failed", "skipped", "skipped"]
    assert fleet.exit_code == 2 and fleet.nodes[0].error is not None


def _talosgpu(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "talosgpu", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=os.environ.copy(),
    )


def test_ctrl_c_stops_after_the_node_in_flight_and_exits_130(
    fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_TALOSCTL_PATCH_SLEEP", "2")
    proc = _talosgpu("apply", str(INVENTORY), "--all", "--yes")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (fake["log"].exists() and _patches(fake)):
        time.sleep(0.05)
    assert _patches(fake), "the first patch never started"
    proc.send_signal(signal.SIGINT)  # what the terminal sends to talosgpu on Ctrl-C
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "talosgpu: gpu-a: applied" in err  # the patch in flight finished and is reported
    assert "talosgpu: gpu-b: skipped (interrupted)" in err
    assert "Aborted!" not in err and "Traceback" not in err
    assert err.rstrip().endswith("3 nodes: 1 applied, 2 skipped; interrupted")
    assert len(_patches(fake)) == 1


def test_a_timed_out_talosctl_is_killed_with_its_children(
    fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pidfile = tmp_path / "child.pid"
    monkeypatch.setenv("FAKE_TALOSCTL_CHILD_PIDFILE", str(pidfile))
    monkeypatch.setenv("FAKE_TALOSCTL_SLEEP", "30")
    started = time.monotonic()
    proc = _talosgpu("diff", "-P", "nvidia-cdi", "-n", "10.0.0.5", "--timeout", "1")
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and time.monotonic() - started < 15
    assert "talosctl get machineconfig timed out after 1s (killed; --timeout sets it)" in err
    child = int(pidfile.read_text())
    for _ in range(50):  # reaped by init once killed
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"talosctl's child {child} outlived the timeout")
