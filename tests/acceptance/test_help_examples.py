"""Every example in every command's --help runs, as written, and does what a user expects.

Each example is read back from the real ``--help`` output (so what is tested is what users see),
split like a shell would and run through the real CLI in a folder holding the files the
examples name. ``--node`` examples meet the FAKE talosctl (tests/fixtures/fake_talosctl: the
``get machineconfig -o yaml`` envelope and ``patch`` summary shapes of talosctl, not Talos).
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import doctor_scenarios as ds
import pytest
from conftest import ROOT, run_cli, shared_path, stock_config, use_fake_talosctl

from talosgpu.cli import EXAMPLES

INTENT = 'profile: nvidia-cdi\ntalosVersion: "1.11"\nnode:\n  name: gpu1\n'


@pytest.fixture
def workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    (tmp_path / "fake").mkdir()
    use_fake_talosctl(tmp_path / "fake", monkeypatch, version="1.11", talosconfig_env=True)
    work = tmp_path / "work"
    work.mkdir()
    (work / "node.yaml").write_text(INTENT)
    shutil.copy(ROOT / "examples" / "fleet-two-roles" / "inventory.yaml", work / "fleet.yaml")
    shutil.copy(stock_config("1.11"), work / "live.yaml")
    (work / "live").mkdir()
    for name in ("gpu-a", "gpu-b", "gpu-c"):
        shutil.copy(stock_config("1.11"), work / "live" / f"{name}.yaml")
    shutil.copy(
        shared_path("conformance", "cdi", "nvidia-specs", "k8s-dra-driver__nvidia.yaml"),
        work / "spec.yaml",
    )
    (work / "error.log").write_text(
        "Error: failed to create containerd task: unknown command nvidia-cdi-hook\n"
    )
    # a talosctl support bundle in go-talos-support's layout, and pasted events (doctor)
    (work / "support.zip").write_bytes(ds.healthy("1.11").bundle())
    (work / "events.txt").write_text(ds.UNRESOLVABLE + "\n")
    monkeypatch.chdir(work)
    code, _, _ = run_cli(["render", "node.yaml", "-o", "patch.yaml"], capsys)
    assert code == 0
    return work


def _help_examples(command: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    code, out, _ = run_cli([*command.split(), "--help"], capsys)
    assert code == 0 and "Examples:" in out, command
    section = out.split("Examples:", 1)[1]
    return [line.strip() for line in section.splitlines() if line.strip().startswith("talosgpu ")]


@pytest.mark.parametrize("command", sorted(EXAMPLES))
def test_every_help_example_runs(
    command: str, workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = _help_examples(command, capsys)
    assert shown == list(EXAMPLES[command])  # what --help prints is what the table holds
    for example in shown:
        argv = shlex.split(example)[1:]
        code, out, err = run_cli(argv, capsys)
        # 1 is a finding (a diff with changes, a lint warning), never a failure to run
        assert code in (0, 1), (example, code, err)
        assert "talosgpu: error:" not in err, (example, err)
        if "-o" in argv:  # the file named is written, and nothing else goes to stdout
            target = Path(argv[argv.index("-o") + 1])
            assert target.is_file() and target.stat().st_size > 0 and out == "", example
        else:
            assert out or "wrote " in err, example


def test_no_markup_leaks_into_help(capsys: pytest.CaptureFixture[str]) -> None:
    """reStructuredText backticks (``profiles show``) showed raw in --help."""
    for command in sorted(EXAMPLES):
        _, out, _ = run_cli([*command.split(), "--help"], capsys)
        assert "``" not in out and "\\b" not in out, command
