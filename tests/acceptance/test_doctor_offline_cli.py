"""``talosgpu doctor --bundle FILE [--events FILE]`` and ``--probe`` through the real CLI.

Bundles are built in the layout of siderolabs/go-talos-support (tests/doctor_scenarios.py);
the probe meets the FAKE kubectl of tests/fixtures/fake_doctor (``apply``/``get pods``/``logs``/
``delete`` with kubectl's shapes), which records what was created and deleted.
"""

from __future__ import annotations

import json
from pathlib import Path

import doctor_scenarios as ds
import pytest
from conftest import run_cli

from talosgpu.commands import doctor_probe


def _bundle(tmp_path: Path, scenario: ds.Scenario) -> tuple[Path, Path]:
    zipped = tmp_path / "support.zip"
    zipped.write_bytes(scenario.bundle())
    node = tmp_path / "node.yaml"
    node.write_text(ds.intent_text(scenario.era))
    return node, zipped


def test_a_bundle_with_pasted_events_names_cause_and_fix_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """talos05's bug report: its bundle and the pod's event."""
    node, zipped = _bundle(tmp_path, ds.healthy("1.11"))
    events = tmp_path / "events.txt"
    events.write_text(f"Events:\n  Warning  Failed  12s  kubelet  {ds.UNRESOLVABLE}\n")
    code, out, _ = run_cli(
        ["doctor", str(node), "--bundle", str(zipped), "--events", str(events)], capsys
    )
    lines = out.splitlines()
    assert code == 1 and "support bundle" in lines[0]
    assert lines[1].startswith("FAIL") and "explain: unresolvable-cdi-devices" in "\n".join(
        lines[1:5]
    )
    assert (
        "skipped: the effective CRI config (/etc/cri/conf.d/cri.toml): a talosctl support bundle does not hold it"
        in out
    )


def test_a_bundle_of_a_healthy_node_is_exit_0_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    node, zipped = _bundle(tmp_path, ds.healthy("1.14"))
    code, out, _ = run_cli(
        ["doctor", str(node), "--bundle", str(zipped), "--format", "json"], capsys
    )
    report = json.loads(out)
    assert code == 0 and report["healthy"] and report["talosVersion"] == "1.14"
    assert any(c["status"] == "skip" for c in report["checks"])  # what a bundle lacks says so


def test_secrets_in_a_bundle_are_redacted_in_everything_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scn = ds.healthy("1.13")
    token = "abcdef.0123456789abcdef"  # a kubeadm bootstrap token's shape
    scn.dmesg.append(f"NVRM: GPU 0000:2d:00.0: RmInitAdapter failed! join token={token}")
    node, zipped = _bundle(tmp_path, scn)
    for form in ("text", "json"):
        code, out, _ = run_cli(
            ["doctor", str(node), "--bundle", str(zipped), "--format", form], capsys
        )
        assert code == 1 and "rm-init-adapter-failed" in out and token not in out
        assert "<redacted>" in out


def test_an_encrypted_bundle_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    zipped = tmp_path / "support.zip.age"
    zipped.write_bytes(b"age-encryption.org/v1\n")
    code, out, err = run_cli(["doctor", "--bundle", str(zipped)], capsys)
    assert code == 2 and out == "" and "--no-encryption" in err


def test_nothing_to_diagnose_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["doctor"], capsys)
    assert code == 2 and "--node ADDR" in err and "--bundle FILE" in err


# ------------------------------------------------------------------------------- --probe
def _probe_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
               scenario: ds.Scenario, *args: str) -> tuple[int, str, Path]:  # fmt: skip
    folder = scenario.write(tmp_path / "node")
    ds.use_fakes(monkeypatch, folder)
    monkeypatch.setattr(doctor_probe, "POLL_SECONDS", 0.05)
    node = tmp_path / "node.yaml"
    node.write_text(ds.intent_text(scenario.era, workloads="[compute, graphics]"))
    code, out, _ = run_cli(
        ["doctor", str(node), "--node", ds.ADDRESS, "--probe", "--format", "json", *args], capsys
    )
    return code, out, folder / "k8s" / "state"


def test_the_probe_diagnoses_llvmpipe_and_deletes_what_it_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    scn = ds.healthy("1.11")
    smi = "talosgpu-nvidia-smi-talos05"
    gl = "talosgpu-opengl-talos05"
    scn.probe = {smi: {"phase": "Succeeded", "logs": "|   Driver Version: 535.247.01   CUDA Version: 12.2 |\n"},
                 gl: {"phase": "Failed", "logs": ds.LLVMPIPE}}  # fmt: skip
    code, out, state = _probe_run(tmp_path, monkeypatch, capsys, scn)
    probes = {p["id"]: p for p in json.loads(out)["probes"]}
    assert code == 1
    assert probes[f"probe-{smi}"]["status"] == "pass"
    assert probes[f"probe-{gl}"]["explain"] == "llvmpipe-renderer"
    created = json.loads((state / "applied.json").read_text())
    assert created and json.loads((state / "deleted.json").read_text()) == created


def test_the_probe_cleans_up_after_a_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No probe answer: the pods stay Pending until --probe-timeout, then are deleted."""
    code, out, state = _probe_run(
        tmp_path, monkeypatch, capsys, ds.healthy("1.13"), "--probe-timeout", "1"
    )
    probes = json.loads(out)["probes"]
    assert code == 1 and all(
        p["status"] == "fail" and "did not finish in 1s" in p["evidence"][0] for p in probes
    )
    assert json.loads((state / "deleted.json").read_text()) == json.loads(
        (state / "applied.json").read_text()
    )


def test_the_probe_cleans_up_on_ctrl_c(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(doctor_probe, "_wait", interrupted)
    code, _, state = _probe_run(tmp_path, monkeypatch, capsys, ds.healthy("1.13"))
    assert code == 130
    assert json.loads((state / "deleted.json").read_text()) == json.loads(
        (state / "applied.json").read_text()
    )


def test_the_probe_is_never_run_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = ds.healthy("1.13").write(tmp_path / "node")
    log = ds.use_fakes(monkeypatch, folder)
    node = tmp_path / "node.yaml"
    node.write_text(ds.intent_text("1.13"))
    code, _, _ = run_cli(["doctor", str(node), "--node", ds.ADDRESS], capsys)
    calls = [json.loads(line)["argv"] for line in log.read_text().splitlines()]
    assert code == 0 and not any(c[:1] in (["apply"], ["delete"]) for c in calls)
    assert all(
        "get" in c or "version" in c or "read" in c or "list" in c or "dmesg" in c for c in calls
    )
