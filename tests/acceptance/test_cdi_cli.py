"""`talosgpu cdi validate` and `talosgpu cdi patch-hooks` through the real CLI entry point."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import run_cli as run
from conftest import shared_path

GOOD = {
    "cdiVersion": "0.5.0",
    "kind": "nvidia.com/gpu",
    "devices": [
        {"name": "0", "containerEdits": {"deviceNodes": [{"path": "/dev/nvidia0"}]}},
        {"name": "all", "containerEdits": {"deviceNodes": [{"path": "/dev/nvidia0"}]}},
    ],
    "containerEdits": {
        "hooks": [
            {
                "hookName": "createContainer",
                "path": "/usr/local/bin/nvidia-cdi-hook",
                "args": ["nvidia-cdi-hook", "update-ldcache"],
            }
        ]
    },
}


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "nvidia.json"
    path.write_text(json.dumps(GOOD), encoding="utf-8")
    return path


def test_valid_spec_exits_0(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["cdi", "validate", str(good)], capsys)
    assert code == 0, err
    assert out.strip().endswith(
        "valid CDI spec (kind nvidia.com/gpu, cdiVersion 0.5.0, 2 device(s); 0 error(s), 0 warning(s))"
    )


def test_errors_exit_1_with_path_and_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = dict(GOOD, cdiVersion="0.4.0", extra=True)
    path = tmp_path / "bad.yaml"
    path.write_text(json.dumps(bad), encoding="utf-8")
    code, out, _ = run(["cdi", "validate", str(path)], capsys)
    assert code == 1
    assert f"{path}: .extra: error: unknown field" in out
    assert f"{path}: .cdiVersion: error: cdiVersion 0.4.0 is too low" in out
    assert '    fix: set cdiVersion: "0.5.0"' in out
    assert out.strip().endswith("invalid CDI spec: 2 error(s), 0 warning(s)")


def test_talos_version_finds_the_wrapper_problem_and_patch_hooks_fixes_it(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["cdi", "validate", str(good), "--talos-version", "1.11"], capsys)
    assert code == 1
    assert "unknown command nvidia-cdi-hook" in out
    fixed = tmp_path / "fixed.json"
    code, out, err = run(["cdi", "patch-hooks", str(good), "-o", str(fixed)], capsys)
    assert code == 0
    assert out == ""
    assert (
        f"talosgpu: {good}: .containerEdits.hooks[0].path: /usr/local/bin/nvidia-cdi-hook -> /usr/local/bin/nvidia-cdi-hook.real"
        in err
    )
    assert "1 hook path(s) rewritten (strategy real-binaries)" in err
    assert json.loads(fixed.read_text(encoding="utf-8"))["containerEdits"]["hooks"][0][
        "path"
    ].endswith(".real")
    code, out, _ = run(["cdi", "validate", str(fixed), "--talos-version", "1.11"], capsys)
    assert code == 0, out
    # Upgrading to 1.13: the .real binaries are gone.
    code, out, _ = run(["cdi", "validate", str(fixed), "--talos-version", "1.13"], capsys)
    assert code == 1
    assert "patch-hooks --strategy usr-bin" in out
    code, out, err = run(["cdi", "patch-hooks", str(fixed), "--strategy", "usr-bin"], capsys)
    assert code == 0
    assert json.loads(out)["containerEdits"]["hooks"][0]["path"] == "/usr/bin/nvidia-cdi-hook"


def test_patch_hooks_rerun_is_a_no_op(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, first, _ = run(["cdi", "patch-hooks", str(good)], capsys)
    again = good.parent / "again.json"
    again.write_text(first, encoding="utf-8")
    code, second, err = run(["cdi", "patch-hooks", str(again)], capsys)
    assert code == 0
    assert second == first
    assert "no hook paths to rewrite" in err


def test_stdin_yaml_in_yaml_out(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "---\ncdiVersion: 0.5.0\nkind: nvidia.com/gpu\ndevices:\n- name: all\n  containerEdits:\n    hooks:\n    - hookName: createContainer\n      path: /usr/bin/nvidia-ctk\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    code, out, err = run(["cdi", "patch-hooks", "-", "--strategy", "real-binaries"], capsys)
    assert code == 0
    assert out.startswith("---\ncdiVersion: 0.5.0\n")
    assert "path: /usr/local/bin/nvidia-ctk.real" in out
    assert "talosgpu: <stdin>: .devices[0].containerEdits.hooks[0].path" in err


def test_warnings_pass_unless_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = dict(GOOD, devices=[GOOD["devices"][0]])  # no `all` device: a warning
    path = tmp_path / "noall.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    code, out, _ = run(["cdi", "validate", str(path)], capsys)
    assert code == 0
    assert "warning: no device named 'all'" in out
    code, out, _ = run(["cdi", "validate", str(path), "--strict"], capsys)
    assert code == 1
    assert "invalid CDI spec: 0 error(s), 1 warning(s)" in out


def test_json_report(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["cdi", "validate", str(good), "--format", "json", "--device-id-strategy", "uuid"], capsys
    )
    assert code == 1
    report = json.loads(out)
    assert report["valid"] is False
    assert report["devices"] == ["0", "all"]
    assert [f["code"] for f in report["findings"]] == ["device-id-strategy"]
    assert set(report["findings"][0]) == {"severity", "code", "path", "message", "fix"}


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["cdi", "validate", "/nonexistent/spec.yaml"], "no such file"),
        (["cdi", "patch-hooks", "/nonexistent/spec.yaml"], "no such file"),
        (["cdi", "validate", "NOTASPEC"], "not a CDI spec"),
        (["cdi", "validate", "GOOD", "--talos-version", "eleven"], "not a Talos version"),
    ],
)
def test_unreadable_input_exits_2_with_one_line(
    argv: list[str], fragment: str, good: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notaspec = good.parent / "notaspec.yaml"
    notaspec.write_text("apiVersion: v1\nkind: Pod\n", encoding="utf-8")
    argv = [str(notaspec) if a == "NOTASPEC" else str(good) if a == "GOOD" else a for a in argv]
    code, out, err = run(argv, capsys)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert fragment in err
    assert "Traceback" not in err


def test_bad_choice_is_a_usage_error(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["cdi", "validate", str(good), "--device-id-strategy", "serial"], capsys)
    assert code == 2
    assert "serial" in err


@pytest.mark.conformance
@pytest.mark.parametrize(
    "name", ["k8s-dra-driver__nvidia.yaml", "salilkadam-Infrastructure__nvidia.yaml"]
)
def test_real_specs_validate_in_both_hook_forms(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = shared_path("conformance", "cdi", "nvidia-specs", name)
    assert run(["cdi", "validate", str(source), "--talos-version", "1.13"], capsys)[0] == 0
    real = tmp_path / name
    assert run(["cdi", "patch-hooks", str(source), "-o", str(real)], capsys)[0] == 0
    assert run(["cdi", "validate", str(real), "--talos-version", "1.11"], capsys)[0] == 0
    # and each form fails on the other era
    assert run(["cdi", "validate", str(source), "--talos-version", "1.11"], capsys)[0] == 1
    assert run(["cdi", "validate", str(real), "--talos-version", "1.13"], capsys)[0] == 1
