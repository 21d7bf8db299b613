"""The real CLI: ``talosgpu check`` exit codes and output (0 current, 1 stale, 2 invalid)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli as run

INTENT = "apiVersion: talosgpu.dev/v1alpha1\nkind: GPUNode\nprofile: nvidia-legacy\n"


@pytest.fixture
def repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """A folder with talosgpu/gpu1.yaml and its committed talosgpu/gpu1.rendered/."""
    monkeypatch.chdir(tmp_path)
    Path("talosgpu").mkdir()
    Path("talosgpu/gpu1.yaml").write_text(INTENT)
    code, _, _ = run(
        ["render", "talosgpu/gpu1.yaml", "--output-dir", "talosgpu/gpu1.rendered"], capsys
    )
    assert code == 0
    return tmp_path


def test_current_exit_0(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", "talosgpu/gpu1.yaml"], capsys)
    assert code == 0, out + err
    assert out == (
        "talosgpu/gpu1.yaml: ok (4 rendered files current)\n"
        "talosgpu check: 1 file(s) checked, 0 not current\n"
    )
    code, out, _ = run(["check"], capsys)  # discovery
    assert code == 0 and "talosgpu/gpu1.yaml: ok" in out


def test_stale_exit_1_with_semantic_diff(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("talosgpu/gpu1.yaml").write_text(INTENT + "labels: {zone: b}\n")
    code, out, _ = run(["check", "talosgpu/gpu1.yaml"], capsys)
    assert code == 1
    assert "  talosgpu/gpu1.rendered/patch.yaml: differs from what talosgpu renders now\n" in out
    assert '    + .machine.nodeLabels.zone: "b"\n' in out
    assert "  fix: talosgpu render talosgpu/gpu1.yaml --output-dir talosgpu/gpu1.rendered\n" in out
    # the fix works
    run(["render", "talosgpu/gpu1.yaml", "--output-dir", "talosgpu/gpu1.rendered"], capsys)
    assert run(["check", "talosgpu/gpu1.yaml"], capsys)[0] == 0


def test_invalid_intent_exit_2_one_line(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("talosgpu/gpu1.yaml").write_text(INTENT + "sharing: {strategy: mps}\n")
    code, out, err = run(["check", "talosgpu/gpu1.yaml"], capsys)
    assert code == 2
    assert out == ""
    assert err == (
        "talosgpu: error: talosgpu/gpu1.yaml: .sharing: sharing strategy 'mps' needs replicas "
        "(>= 2)\n"
    )


def test_strict_turns_warnings_into_errors(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the legacy runtime on kernel 6.12 without the bpf_jit_harden workaround: a warning
    Path("talosgpu/gpu1.yaml").write_text(
        INTENT + "talosVersion: '1.11'\nruntime: {bpfJitHarden: leave}\n"
    )
    run(["render", "talosgpu/gpu1.yaml", "--output-dir", "talosgpu/gpu1.rendered"], capsys)
    code, _, err = run(["check", "talosgpu/gpu1.yaml"], capsys)
    assert code == 0 and "talosgpu: warning: talosgpu/gpu1.yaml: Talos 1.11" in err
    code, _, err = run(["check", "--strict", "talosgpu/gpu1.yaml"], capsys)
    assert code == 2 and "treated as errors (--strict)" in err


def test_rendered_dir_option(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("talosgpu/gpu1.rendered").rename("out")
    assert run(["check", "talosgpu/gpu1.yaml", "--strict"], capsys)[0] == 1
    assert run(["check", "talosgpu/gpu1.yaml", "--rendered-dir", "out"], capsys)[0] == 0
    code, _, err = run(["check", "talosgpu/gpu1.yaml", "--rendered-dir", "{x}"], capsys)
    assert code == 2 and "only {dir} and {stem}" in err


def test_non_intents_ignored(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Named once at info (it matched the hook's files:), not dropped in silence."""
    Path("talosgpu/values.yaml").write_text("replicas: 2\n")
    code, out, err = run(["check", "talosgpu/values.yaml", "README.md"], capsys)
    assert (code, out) == (0, "")
    assert err == (
        "talosgpu: info: talosgpu/values.yaml: not an intent, an inventory or a talosgpu "
        "render: not checked\n"
    )


def test_check_json(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same verdict as the text report, as data (camelCase keys, a version)."""
    Path("talosgpu/values.yaml").write_text("replicas: 2\n")
    Path("talosgpu/bad.yaml").write_text("profle: nvidia-cdi\n")
    code, out, err = run(
        ["check", "talosgpu/values.yaml", "talosgpu/bad.yaml", "--format", "json"], capsys
    )
    data = json.loads(out)
    assert code == data["exitCode"] == 2 and err == ""
    assert data["version"] == 1
    assert data["errors"] == ["talosgpu/bad.yaml: .profle: unknown field (did you mean 'profile'?)"]
    assert data["notes"] == [
        "talosgpu/values.yaml: not an intent, an inventory or a talosgpu render: not checked"
    ]


def test_a_folder_is_searched_like_a_run_without_files(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["check", "talosgpu"], capsys)
    assert code == 0 and "talosgpu/gpu1.yaml: ok" in out


def test_a_run_that_checks_nothing_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 0 with no output reads as "all current" (a trial's `talosgpu check` in a folder
    whose patch was rendered with `render node.yaml > patch.yaml`)."""
    monkeypatch.chdir(tmp_path)
    Path("node.yaml").write_text(INTENT)
    for args in ([], ["."]):
        code, out, err = run(["check", *args], capsys)
        assert (code, out) == (0, "")
        assert err.startswith("talosgpu: info: nothing checked: no X.yaml with an X.rendered/")
    Path("notes.txt").write_text("x\n")
    code, _, err = run(["check", "notes.txt"], capsys)
    assert code == 0 and "nothing checked: none of the files given" in err


def test_a_changed_patch_file_checks_the_intent_that_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """pre-commit passes only the changed file: a patch named in an intent's patches: stands
    for that intent (two trials committed a broken patch past the hook)."""
    monkeypatch.chdir(tmp_path)
    Path("talosgpu/patches").mkdir(parents=True)
    Path("talosgpu/patches/net.yaml").write_text("machine:\n  network: {hostname: gpu-a}\n")
    Path("talosgpu/gpu1.yaml").write_text(INTENT + "patches:\n  - file: patches/net.yaml\n")
    render = ["render", "talosgpu/gpu1.yaml", "--with-patches"]
    code, _, _ = run([*render, "--output-dir", "talosgpu/gpu1.rendered"], capsys)
    assert code == 0
    code, _, err = run(["check", "talosgpu/patches/net.yaml"], capsys)
    assert code == 0 and "a patch of talosgpu/gpu1.yaml: checked with it" in err
    Path("talosgpu/patches/net.yaml").write_text("machine:\n  network: {hostname: gpu-z}\n")
    code, out, _ = run(["check", "talosgpu/patches/net.yaml"], capsys)
    assert code == 1 and '"gpu-a" → "gpu-z"' in out
    Path("talosgpu/notes.yaml").write_text("a: 1\n")
    code, _, err = run(["check", "talosgpu/notes.yaml"], capsys)
    assert code == 0 and "not an intent, an inventory or a talosgpu render" in err
