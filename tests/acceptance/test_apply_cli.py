"""``talosgpu apply`` against a FAKE talosctl (first on PATH).

``tests/fixtures/fake_talosctl/talosctl`` is a fake that mimics talosctl's arguments and output
shapes (the ``get`` envelope, ``patch machineconfig`` with ``--mode``/``--dry-run``, the dry-run
summary on stderr). It is not talosctl: these tests prove what talosgpu sends and when it refuses,
not Talos behaviour.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli as run
from conftest import use_fake_talosctl

import talosgpu as api
from talosgpu import yamlio
from talosgpu.commands.apply import apply
from talosgpu.configdiff.propose import propose
from talosgpu.live import load_live_config

CANARY = "Wv3ApplyCanary"


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    return use_fake_talosctl(tmp_path, monkeypatch, version="1.13", talosconfig_env=True)


def _calls(fake: dict[str, Path]) -> list[list[str]]:
    if not fake["log"].exists():
        return []
    return [json.loads(line)["argv"] for line in fake["log"].read_text().splitlines()]


def _commands(fake: dict[str, Path]) -> list[str]:
    return [argv[argv.index("-n") + 2] for argv in _calls(fake)]


def test_yes_applies_the_patch(fake: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["apply", "-P", "nvidia-operator", "-n", "10.0.0.9", "--yes"], capsys)
    assert code == 0
    assert "+ .machine.kernel.modules[name=nvidia]" in out
    assert "patched MachineConfigs.config.talos.dev/v1alpha1 at the node 10.0.0.9" in out
    assert "talosgpu: applied to 10.0.0.9 (mode auto)" in err
    patch = _calls(fake)[-1]
    assert patch[:4] == ["-n", "10.0.0.9", "patch", "machineconfig"]
    assert patch[4] == "--patch" and patch[5].startswith("@")
    assert patch[6:] == ["--mode", "auto"]
    assert not Path(patch[5][1:]).exists()  # the temp patch file is gone


def test_dry_run_relays_talosctl_and_sends_the_reduced_patch(
    fake: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["apply", "-P", "nvidia-legacy", "-n", "n1", "--dry-run"], capsys)
    assert code == 0
    assert "Dry run summary:" in err and "+    modules:" in err
    assert _calls(fake)[-1][-3:] == ["--mode", "auto", "--dry-run"]
    assert "dry run only: nothing was changed on n1" in err


def test_refuses_without_terminal_or_yes(
    fake: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["apply", "-P", "nvidia-operator", "-n", "n1"], capsys)
    assert code == 2
    assert "+ .machine.kernel.modules" in out  # the diff is shown first
    assert "refusing to apply without confirmation" in err and "--yes" in err
    assert _commands(fake) == ["get"]  # nothing was sent


def test_no_reboot_mode_refused_when_the_change_reboots(
    fake: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["apply", "-P", "nvidia-cdi", "-n", "n1", "--talos-version", "1.13", "--yes"]
    code, _, err = run([*args, "--mode", "no-reboot"], capsys)
    assert code == 2
    assert "--mode no-reboot refused" in err and ".machine.files" in err
    assert _commands(fake) == ["get"]


def test_no_reboot_mode_allowed_when_nothing_reboots(
    fake: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["apply", "-P", "nvidia-legacy", "-n", "n1", "--talos-version", "1.13", "--yes"]
    code, _, _ = run([*args, "--mode", "no-reboot"], capsys)
    assert code == 0
    assert _calls(fake)[-1][-2:] == ["--mode", "no-reboot"]


def test_nothing_to_do(fake: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    live = load_live_config(fake["config"])
    done = propose(live, api.render(profile="nvidia-legacy", talos_version="1.13"))
    fake["config"].write_text(yamlio.dump_all(done.proposed_documents))
    code, _, err = run(
        ["apply", "-P", "nvidia-legacy", "-n", "n1", "--talos-version", "1.13"], capsys
    )
    assert code == 0 and "nothing to apply" in err
    assert _commands(fake) == ["get"]


def test_talosctl_failure_exit_2(
    fake: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_TALOSCTL_FAIL", f"rpc error: permission denied for {CANARY}x")
    code, _, err = run(["apply", "-P", "nvidia-legacy", "-n", "n1", "--yes"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "permission denied" in err


def test_dry_run_output_never_shows_live_secrets(
    fake: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    docs: list[dict[str, Any]] = yamlio.load_all(fake["config"].read_text())
    docs[0]["machine"]["token"] = f"{CANARY}token"
    docs.append({"apiVersion": "v1alpha1", "kind": "WireguardConfig", "name": "wg0",
                 "privateKey": f"{CANARY}wgkey"})  # fmt: skip
    fake["config"].write_text(yamlio.dump_all(docs))  # last lines: context of talosctl's diff
    code, out, err = run(["apply", "-P", "nvidia-legacy", "-n", "n1", "--dry-run"], capsys)
    assert code == 0 and "Dry run summary" in err
    assert CANARY not in out + err


def test_python_twin_declined_and_applied(fake: dict[str, Path]) -> None:
    seen: list[Any] = []
    declined = apply(
        profile="nvidia-operator", node="n1", on_diff=seen.append, confirm=lambda r: False
    )
    assert declined.status == "declined" and not declined.runs and len(seen) == 1
    assert _commands(fake) == ["get"]
    done = apply(profile="nvidia-operator", node="n1", mode="staged")
    assert done.applied and done.runs[0].returncode == 0
    assert _calls(fake)[-1][-2:] == ["--mode", "staged"]


def test_declined_at_the_prompt_exit_1(
    fake: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("click.confirm", lambda *a, **k: False)
    code, _, err = run(["apply", "-P", "nvidia-operator", "-n", "n1"], capsys)
    assert code == 1 and "not applied" in err
    assert _commands(fake) == ["get"]
