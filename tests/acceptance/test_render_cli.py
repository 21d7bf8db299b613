"""The real CLI for render / profiles / schema: exit codes, one-line errors, atomic output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import run_cli

from talosgpu import yamlio
from talosgpu.profiles import list_profiles, profiles_dir


def test_render_profile_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["render", "--profile", "nvidia-cdi"], capsys)
    assert code == 0
    assert out.startswith("# Rendered by talosgpu for Talos 1.11")
    assert yamlio.load_all(out)[0]["machine"]["kernel"]["modules"][0] == {"name": "nvidia"}
    assert err == ""


def test_render_file_and_version_override(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    intent = tmp_path / "node.yaml"
    intent.write_text("profile: nvidia-legacy\nlabels:\n  role: gpu\n")
    code, out, _ = run_cli(["render", str(intent), "--talos-version", "1.8"], capsys)
    assert code == 0
    assert "for Talos 1.8 from node.yaml" in out
    assert yamlio.load_all(out)[0]["machine"]["nodeLabels"]["role"] == "gpu"


def test_render_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run_cli(
        ["render", "-"],
        capsys,
        stdin="talosVersion: '1.14'\nruntime: {mode: none}\n",
    )
    assert code == 0
    assert "kind: KernelModuleConfig" in out


@pytest.mark.parametrize(
    ("argv", "stdin", "expected"),
    [
        (["render", "missing.yaml"], None, "missing.yaml: no such file"),
        (["render", "-"], "gpu: [\n", "<stdin>: not valid YAML: line 2"),
        (["render", "-"], "gpu:\n  modle: x\n", "<stdin>: .gpu.modle: unknown field"),
        (["render", "--profile", "nope"], None, "unknown profile 'nope'"),
        (["render"], None, "nothing to render"),
        (["render", "--profile", "nvidia-cdi", "--talos-version", "1.2"], None, "not supported"),
        (
            ["render", "--profile", "nvidia-cdi", "--talos-version", "banana"],
            None,
            "not a Talos version",
        ),
        (["profiles", "show", "nope"], None, "unknown profile"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    argv: list[str],
    stdin: str | None,
    expected: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = run_cli(argv, capsys, stdin=stdin)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("talosgpu: error: ")
    assert expected in lines[0]
    assert "Traceback" not in err


def test_strict_turns_warnings_into_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["render", "--profile", "nvidia-graphics"], capsys)
    assert code == 0 and "warning:" in err
    code, out, err2 = run_cli(["render", "--profile", "nvidia-graphics", "--strict"], capsys)
    assert code == 2 and out == "" and "treated as errors" in err2


def test_output_file_and_dir_are_written_atomically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "patch.yaml"
    code, out, _ = run_cli(["render", "--profile", "nvidia-cdi", "-o", str(out_file)], capsys)
    assert code == 0 and out == ""
    assert out_file.read_text().startswith("# Rendered by talosgpu")
    out_dir = tmp_path / "node"
    code, _, _ = run_cli(
        ["render", "--profile", "nvidia-cdi", "--output-dir", str(out_dir)], capsys
    )
    assert code == 0
    assert (out_dir / "patch.yaml").read_text() == out_file.read_text()
    assert (
        (out_dir / "20-customization.part")
        .read_text()
        .startswith('[plugins."io.containerd.cri.v1.runtime"]')
    )
    assert not list(out_dir.glob(".*.tmp"))
    # A failing run leaves the existing output untouched.
    before = {p.name: p.read_text() for p in out_dir.iterdir()}
    code, _, _ = run_cli(["render", "--profile", "nope", "--output-dir", str(out_dir)], capsys)
    assert code == 2
    assert {p.name: p.read_text() for p in out_dir.iterdir()} == before


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["render", "--profile", "nvidia-cdi", "--explain"], capsys)
    assert code == 0
    assert "CDI hook paths → *.real binaries" in out
    assert "why:" in out


def test_profiles_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["profiles"], capsys)
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == list(list_profiles())
    assert {"nvidia-cdi", "nvidia-graphics", "nvidia-legacy", "nvidia-operator"} <= set(
        list_profiles()
    )
    code, out, _ = run_cli(["profiles", "show", "nvidia-cdi"], capsys)
    assert code == 0 and out == (profiles_dir() / "nvidia-cdi.yaml").read_text()


def test_schema_is_valid_and_accepts_every_profile(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["schema"], capsys)
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for name in list_profiles():
        data = yamlio.load((profiles_dir() / f"{name}.yaml").read_text())
        errors = list(validator.iter_errors(data))
        assert not errors, (name, errors[0].message if errors else None)
    assert list(validator.iter_errors({"gpu": {"modle": "x"}}))
    assert all("description" in prop for prop in schema["properties"].values())


def test_python_m_talosgpu_and_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "talosgpu", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    for command in ("render", "profiles", "schema"):
        assert command in result.stdout


def test_every_schema_field_is_described() -> None:
    from talosgpu.commands.profiles import intent_schema

    schema = intent_schema()
    objects = [schema, *schema.get("$defs", {}).values()]
    for obj in objects:
        for name, prop in obj.get("properties", {}).items():
            assert prop.get("description"), f"{obj.get('title')}.{name} has no description"


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["-o", "p.yaml", "--output-dir", "out"], "-o/--output and --output-dir"),
        (["--explain", "--manifests"], "--explain and --manifests"),
        (["--output-dir", "out", "--explain"], "--output-dir and --explain"),
    ],
)
def test_conflicting_output_flags_are_refused(
    flags: list[str],
    named: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["render", "--profile", "nvidia-cdi", *flags], capsys)
    assert code == 2 and out == ""
    assert err == f"talosgpu: error: {named} cannot be combined: each picks what render writes\n"
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_quiet_keeps_stderr_to_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--quiet: no warnings, wrote-lines or notes; the report itself and errors still print,
    and with --strict the warnings that fail the run are shown."""
    from conftest import run_cli

    argv = ["render", "--profile", "nvidia-cdi", "--talos-version", "1.14"]
    code, loud_out, loud_err = run_cli(argv, capsys)
    assert code == 0 and "talosgpu: warning:" in loud_err
    code, out, err = run_cli(["--quiet", *argv], capsys)
    assert code == 0 and out == loud_out and err == ""
    code, _, err = run_cli(["-q", *argv, "--output-dir", str(tmp_path / "o")], capsys)
    assert code == 0 and err == ""
    code, _, err = run_cli(["-q", *argv, "--strict"], capsys)
    assert code == 2 and "talosgpu: warning:" in err and "treated as errors" in err


def test_render_json_holds_the_patch_as_data(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from conftest import run_cli

    from talosgpu import yamlio

    code, patch, _ = run_cli(["render", "--profile", "nvidia-cdi"], capsys)
    code, out, _ = run_cli(["render", "--profile", "nvidia-cdi", "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["documents"] == yamlio.load_all(patch)
    assert patch.startswith(data["header"]) and "[plugins." in data["criPart"]
    assert [d["id"] for d in data["decisions"]] and data["mode"] == "cdi"
