"""The talosctl runner, driven against a FAKE talosctl.

``tests/fixtures/fake_talosctl/talosctl`` is a fake that mimics the real talosctl's arguments
and output shapes (cobra-style usage errors, the ``get machineconfig -o yaml`` envelope of
research §8, the ``--dry-run`` summary of §4.3); it is put first on PATH. It is not talosctl:
these tests prove argv, environment handling and output parsing, not Talos behaviour.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from talosgpu import yamlio
from talosgpu.commands.talosctl import apply_patch, fetch_live_config, find_talosctl
from talosgpu.errors import TalosctlError

FAKE_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "fake_talosctl"
SECRET = "pofHbABZq7VXuObsdLdy/bHmz6hlMHZ3p8+6WKrv1ic="
CONFIG = f"""\
# a comment the node would not return
version: v1alpha1
machine:
  type: worker
  token: d8cwfa.eyvpi0xwxyarbfid
  install:
    image: ghcr.io/siderolabs/installer:v1.12.4
  files:
    - path: /var/x
      op: create
      content: x
      permissions: 0644
cluster:
  secret: {SECRET}
---
apiVersion: v1alpha1
kind: KernelModuleConfig
name: nvidia
"""


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The fake talosctl first on PATH, a config to serve, a call log and a talosconfig."""
    config = tmp_path / "node.yaml"
    config.write_text(CONFIG)
    log = tmp_path / "calls.jsonl"
    talosconfig = tmp_path / "talosconfig"
    talosconfig.write_text("context: fake\n")
    monkeypatch.setenv("PATH", f"{FAKE_DIR}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.talos/config
    monkeypatch.setenv("TALOSCONFIG", str(talosconfig))
    monkeypatch.setenv("FAKE_TALOSCTL_CONFIG", str(config))
    monkeypatch.setenv("FAKE_TALOSCTL_LOG", str(log))
    for name in ("FAKE_TALOSCTL_FAIL", "FAKE_TALOSCTL_SLEEP"):
        monkeypatch.delenv(name, raising=False)
    return {"config": config, "log": log, "talosconfig": talosconfig, "tmp": tmp_path}


def calls(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_find_talosctl(fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    assert find_talosctl() == str(FAKE_DIR / "talosctl")
    monkeypatch.setenv("PATH", str(fake["tmp"]))
    assert find_talosctl() is None


def test_fetch_live_config(fake: dict[str, Path]) -> None:
    live = fetch_live_config("10.5.0.2")
    assert calls(fake["log"]) == [
        {
            "argv": ["-n", "10.5.0.2", "get", "machineconfig", "v1alpha1", "-o", "yaml"],
            "TALOSCONFIG": str(fake["talosconfig"]),
        }
    ]
    assert live.node == "10.5.0.2" and live.source == "talosctl:10.5.0.2"
    assert live.resource_id == "v1alpha1"
    assert live.documents == yamlio.load_all(CONFIG)
    assert live.documents[0]["machine"]["files"][0]["permissions"] == 0o644
    assert live.talos_version is not None and live.talos_version.full == "v1.12.4"


def test_talosconfig_flag(fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALOSCONFIG")
    other = fake["tmp"] / "other-talosconfig"
    other.write_text("context: other\n")
    fetch_live_config("gpu-1", talosconfig=str(other))
    [call] = calls(fake["log"])
    assert call["argv"][:4] == ["--talosconfig", str(other), "-n", "gpu-1"]
    assert call["TALOSCONFIG"] is None


def test_talosconfig_env_is_what_the_fake_needs(
    fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without --talosconfig, TALOSCONFIG (inherited) is honoured; without it talosctl fails.
    monkeypatch.delenv("TALOSCONFIG")
    with pytest.raises(TalosctlError, match=r"exited with status 1: error: failed to open config"):
        fetch_live_config("10.5.0.2")


def test_missing_binary(fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(fake["tmp"]))
    with pytest.raises(TalosctlError, match="talosctl not found on PATH"):
        fetch_live_config("10.5.0.2")
    with pytest.raises(TalosctlError, match=r"talosctl-1\.99 not found on PATH"):
        apply_patch("n", fake["config"], mode="auto", dry_run=True, talosctl="talosctl-1.99")


def test_non_zero_exit_scrubs_secrets(
    fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "FAKE_TALOSCTL_FAIL",
        "rpc error: code = PermissionDenied desc = token d8cwfa.eyvpi0xwxyarbfid refused",
    )
    with pytest.raises(TalosctlError) as err:
        fetch_live_config("10.5.0.2")
    message = str(err.value)
    assert message.startswith(
        "talosctl exited with status 1: error: rpc error: code = PermissionDenied"
    )
    assert "d8cwfa.eyvpi0xwxyarbfid" not in message and "<redacted>" in message


def test_timeout(fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_TALOSCTL_SLEEP", "5")
    with pytest.raises(TalosctlError, match=r"talosctl get machineconfig timed out after 0.5s"):
        fetch_live_config("10.5.0.2", timeout=0.5)


def test_empty_or_missing_config(fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from talosgpu.errors import LiveConfigError

    # `true` exits 0 and prints nothing: the runner must not take that for a config.
    with pytest.raises(TalosctlError, match=r"returned no MachineConfig for node 10\.5\.0\.2"):
        fetch_live_config("10.5.0.2", talosctl="true")
    fake["config"].write_text("# only a comment\n")
    with pytest.raises(LiveConfigError, match="no machine config documents") as err:
        fetch_live_config("10.5.0.2")
    assert err.value.file == "talosctl:10.5.0.2"
    monkeypatch.delenv("FAKE_TALOSCTL_CONFIG")
    with pytest.raises(TalosctlError, match="code = NotFound"):
        fetch_live_config("10.5.0.2")


def test_several_nodes_in_one_call_are_refused(fake: dict[str, Path]) -> None:
    from talosgpu.errors import LiveConfigError

    with pytest.raises(LiveConfigError, match=r"several nodes \(a, b\)"):
        fetch_live_config("a,b")


@pytest.mark.parametrize("mode", ["auto", "no-reboot", "staged", "try"])
def test_apply_patch_dry_run(fake: dict[str, Path], mode: str) -> None:
    patch = fake["tmp"] / "patch.yaml"
    patch.write_text("machine:\n  env:\n    https_proxy: http://bob:hunter22@proxy:3128\n")
    result = apply_patch("10.5.0.2", patch, mode=mode, dry_run=True)  # type: ignore[arg-type]
    assert result.returncode == 0
    assert result.argv[1:] == (
        "-n", "10.5.0.2", "patch", "machineconfig", "--patch", f"@{patch}", "--mode", mode, "--dry-run",
    )  # fmt: skip
    assert result.argv[0] == str(FAKE_DIR / "talosctl")
    assert [c["argv"] for c in calls(fake["log"])] == [list(result.argv[1:])]
    assert result.stderr.startswith("Dry run summary:\n")
    assert "Config diff:\n\n--- a\n+++ b\n" in result.stderr
    expected = (
        "Staged configuration" if mode == "staged" else "Applied configuration without a reboot"
    )
    assert f"{expected}" in result.stderr and "(skipped in dry-run)" in result.stderr
    # the diff is unredacted, as talosctl's is; redacted() masks it
    assert "hunter22" in result.stderr
    assert "hunter22" not in result.redacted().stderr


def test_apply_patch_for_real_and_errors(fake: dict[str, Path]) -> None:
    patch = fake["tmp"] / "patch.yaml"
    patch.write_text("machine: {}\n")
    result = apply_patch(
        "10.5.0.2", patch, mode="no-reboot", dry_run=False, talosconfig=str(fake["talosconfig"])
    )
    assert "--dry-run" not in result.argv and result.argv[1:3] == (
        "--talosconfig",
        str(fake["talosconfig"]),
    )
    assert "patched MachineConfigs.config.talos.dev/v1alpha1 at the node 10.5.0.2" in result.stdout
    with pytest.raises(TalosctlError, match="unknown apply mode 'reboot'"):
        apply_patch("n", patch, mode="reboot", dry_run=True)  # type: ignore[arg-type]
    with pytest.raises(TalosctlError, match="patch file does not exist") as err:
        apply_patch("n", fake["tmp"] / "nope.yaml", mode="auto", dry_run=True)
    assert err.value.file == str(fake["tmp"] / "nope.yaml")
    with pytest.raises(TalosctlError, match="not a node address"):
        apply_patch("--help", patch, mode="auto", dry_run=True)


def test_apply_patch_without_check_returns_failure(
    fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_TALOSCTL_FAIL", "another apply configuration is already in progress")
    patch = fake["tmp"] / "patch.yaml"
    patch.write_text("machine: {}\n")
    result = apply_patch("n", patch, mode="auto", dry_run=False, check=False)
    assert result.returncode == 1 and "already in progress" in result.stderr
    with pytest.raises(TalosctlError, match="already in progress"):
        apply_patch("n", patch, mode="auto", dry_run=False)


# ------------------------------------------------------------------------ the fake itself
def run_fake(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(FAKE_DIR / "talosctl"), *args],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["-n", "x", "get", "mc", "-o", "yaml", "--bogus"], "Error: unknown flag: --bogus"),
        (["-n", "x", "get", "mc", "-x"], "Error: unknown shorthand flag: 'x' in -x"),
        (
            ["-n", "x", "patch", "mc", "-p", "@f", "--output", "yaml"],
            "Error: unknown flag: --output",
        ),
        (["-n", "x", "get", "mc", "-o"], "Error: flag needs an argument: --output"),
        (
            ["-n", "x", "patch", "mc", "-p", "@f", "--mode", "reboot-now"],
            'Error: invalid argument "reboot-now"',
        ),
        (["-n", "x", "apply-config"], 'Error: unknown command "apply-config" for "talosctl"'),
    ],
)
def test_fake_rejects_arguments_like_cobra(
    fake: dict[str, Path], args: list[str], error: str
) -> None:
    proc = run_fake(*args)
    assert proc.returncode == 1
    assert proc.stderr.startswith(error)
    assert proc.stdout == ""


def test_fake_envelope_shape(fake: dict[str, Path]) -> None:
    proc = run_fake("--nodes=10.5.0.2,10.5.0.3", "get", "machineconfigs", "-o", "yaml")
    assert proc.returncode == 0, proc.stderr
    resources = yamlio.load_all(proc.stdout)
    assert [r["node"] for r in resources] == ["10.5.0.2", "10.5.0.3"]
    meta = resources[0]["metadata"]
    assert {k: meta[k] for k in ("namespace", "type", "id", "phase")} == {
        "namespace": "config", "type": "MachineConfigs.config.talos.dev", "id": "v1alpha1", "phase": "running",
    }  # fmt: skip
    assert isinstance(resources[0]["spec"], str) and "# a comment" not in resources[0]["spec"]
    assert proc.stdout.splitlines()[0] == "node: 10.5.0.2"


# ------------------------------------------------------------------ run_tool (kubectl for doctor)
def _script(tmp_path: Path, body: str) -> str:
    exe = tmp_path / "tool"
    exe.write_text(f"#!{sys.executable}\nimport sys, time\n{body}\n")
    exe.chmod(0o755)
    return str(exe)


def test_run_tool_names_its_tool_in_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from talosgpu.commands.talosctl import run_tool

    failing = _script(tmp_path, "sys.stderr.write('error: Unauthorized\\n'); sys.exit(1)")
    with pytest.raises(TalosctlError, match=r"^kubectl exited with status 1: error: Unauthorized$"):
        run_tool([failing], label="kubectl get nodes", timeout=10, check=True)
    assert run_tool([failing], label="kubectl get nodes", timeout=10).returncode == 1
    slow = _script(tmp_path, "time.sleep(30)")
    with pytest.raises(TalosctlError, match=r"kubectl get pods timed out after 1s"):
        run_tool([slow], label="kubectl get pods", timeout=1)
    monkeypatch.setenv("TALOSGPU_MAX_INPUT_MIB", "1")
    chatty = _script(tmp_path, "sys.stdout.write('x' * (2 * 1024 * 1024))")
    with pytest.raises(TalosctlError, match=r"kubectl get events printed 2,097,152 bytes"):
        run_tool([chatty], label="kubectl get events", timeout=10)
