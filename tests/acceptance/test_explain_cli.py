"""``talosgpu explain`` end to end: exit 0 matched, 1 nothing matched, 2 bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import shared_path

from talosgpu.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str], stdin: str | None = None,
        monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:  # fmt: skip
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = 0
    try:
        main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_text_argument_matches(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        [
            "explain",
            "nvidia-container-runtime-wrapper: unknown command nvidia-cdi-hook",
            "--talos-version",
            "1.11",
        ],
        capsys,
    )
    assert code == 0, err
    assert out.startswith("[wrapper-unknown-command]")
    assert "fix (Talos 1.11): runtime: {mode: cdi, hookPaths: real-binaries}" in out


def test_seed_from_stdin_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = shared_path("seeds", "004_61529bd8fbff2293.txt").read_text("utf-8")
    code, out, _ = run(
        ["explain", "--format", "json", "--talos-version", "1.11"], capsys, seed, monkeypatch
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["talosVersion"] == "1.11" and doc["version"] == 2
    assert [m["id"] for m in doc["matches"]] == [
        "ebpf-device-filter", "wrapper-unknown-command", "unresolvable-cdi-devices",
    ]  # fmt: skip
    again = run(
        ["explain", "-", "--format", "json", "--talos-version", "1.11"], capsys, seed, monkeypatch
    )
    assert again[1] == out  # deterministic


def test_file_argument(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    log = tmp_path / "pod.log"
    log.write_text("OpenGL renderer string: llvmpipe (LLVM 15.0.7, 256 bits)\n")
    code, out, _ = run(["explain", f"@{log}"], capsys)
    assert code == 0 and "[llvmpipe-renderer]" in out


def test_nothing_matched_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["explain", "everything is fine"], capsys)
    assert code == 1
    assert out == "no known failure found in the input\n"
    code, out, _ = run(["explain", "everything is fine", "--format", "json"], capsys)
    assert code == 1 and json.loads(out)["matches"] == []


@pytest.mark.parametrize(
    "argv",
    [
        ["explain", "RmInitAdapter failed", "--talos-version", "1.2"],
        ["explain", "RmInitAdapter failed", "--talos-version", "banana"],
        ["explain", "   "],
        ["explain", "@/nonexistent/file.log"],
        ["explain", "x", "--format", "yaml"],
    ],
)
def test_bad_input_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err and err.strip()


def test_empty_stdin_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(["explain"], capsys, "", monkeypatch)
    assert code == 2 and "empty input" in err


def test_no_input_on_a_terminal_prints_usage_instead_of_waiting(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

        def read(self, *args: object) -> str:  # pragma: no cover - reading is the bug
            raise AssertionError("explain waited on the terminal")

    monkeypatch.setattr(sys, "stdin", Terminal())
    with pytest.raises(SystemExit) as exit_info:
        main(["explain"])
    _, err = capsys.readouterr()
    assert exit_info.value.code == 2
    assert err.splitlines() == [
        "Usage: talosgpu explain [OPTIONS] [TEXT | - | @FILE]",
        "talosgpu: error: explain: give the error text, - (and pipe it in) or @FILE",
    ]
