"""``talosgpu diff``: exit codes, live config from a file / stdin / a FAKE talosctl, redaction.

``tests/fixtures/fake_talosctl/talosctl`` is a fake that mimics talosctl's arguments and output
shapes (the ``get machineconfig -o yaml`` envelope); it is put first on PATH for ``--node``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli as run
from conftest import stock_config, use_fake_talosctl

import talosgpu as api
from talosgpu import yamlio
from talosgpu.configdiff.propose import propose
from talosgpu.live import load_live_config

CANARY = "Qx7DiffCanary"


@pytest.fixture
def fake_talosctl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    return use_fake_talosctl(tmp_path, monkeypatch, version="1.13")


def test_changes_exit_1_with_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["diff", "--profile", "nvidia-cdi", "--live", str(stock_config("1.11"))], capsys
    )
    assert code == 1
    assert "+ .machine.kernel.modules[name=nvidia]" in out
    assert out.splitlines()[-1].startswith("18 changes; the node will reboot because .machine.udev")


def test_no_changes_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    live = load_live_config(stock_config("1.12"))
    done = propose(live, api.render(profile="nvidia-legacy", talos_version="1.12"))
    path = tmp_path / "done.yaml"
    path.write_text(yamlio.dump_all(done.proposed_documents))
    code, out, _ = run(["diff", "-P", "nvidia-legacy", "--live", str(path)], capsys)
    assert code == 0
    assert out.splitlines()[-1] == (
        "no changes: the node already has everything this intent renders "
        "(talosgpu never removes what it does not render)"
    )


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["diff", "-P", "nvidia-cdi", "--live", str(stock_config("1.11")), "--format", "json"]
    code, out, _ = run(args, capsys)
    data = json.loads(out)
    assert code == 1
    assert data["version"] == 1 and data["talosVersion"] == "1.11"  # the profile's version
    assert {c["impact"] for c in data["changes"]} >= {"reboot", "module-load"}


def test_a_release_older_than_the_live_documents_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A 1.14 config (KubeNodeConfig, research talos-internals.md §3) is on a 1.14+ node: a
    1.11 proposal would add .machine.nodeLabels beside KubeNodeConfig, which Talos rejects."""
    live = str(stock_config("1.14"))
    for extra in ([], ["--talos-version", "1.11"]):
        code, out, err = run(["diff", "-P", "nvidia-cdi", "--live", live, *extra], capsys)
        assert (code, out) == (2, "")
        assert "(Talos 1.14+)" in err and "the node runs Talos 1.14 or newer, not 1.11" in err


def test_talos_version_flag_wins(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["diff", "-P", "nvidia-cdi", "--live", str(stock_config("1.14")), "--format", "json"]
    _, out, _ = run([*args, "--talos-version", "1.14"], capsys)
    data = json.loads(out)
    assert data["talosVersion"] == "1.14" and data["reboot"] is False
    assert "cri-restart" in {c["impact"] for c in data["changes"]}


def test_version_detected_from_live_installer_image(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from talosgpu.profiles import profile_text

    intent = tmp_path / "intent.yaml"
    intent.write_text(
        "\n".join(
            line
            for line in profile_text("nvidia-legacy").splitlines()
            if "talosVersion" not in line
        )
    )
    docs = yamlio.load_all(stock_config("1.13").read_text())
    docs[0]["machine"]["install"]["image"] = "ghcr.io/siderolabs/installer:v1.13.2"
    live = tmp_path / "live.yaml"
    live.write_text(yamlio.dump_all(docs))
    _, out, _ = run(["diff", str(intent), "--live", str(live), "--format", "json"], capsys)
    assert json.loads(out)["talosVersion"] == "1.13"


def test_live_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(stock_config("1.12").read_text()))
    code, out, _ = run(["diff", "-P", "nvidia-legacy", "--live", "-"], capsys)
    assert code == 1 and "live config from <stdin>" in out


def test_node_uses_talosctl(
    fake_talosctl: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["diff", "-P", "nvidia-operator", "-n", "10.0.0.7"]
    code, out, _ = run([*args, "--talosconfig", str(fake_talosctl["talosconfig"])], capsys)
    assert code == 1
    assert out.startswith("talosgpu diff for Talos 1.13: node 10.0.0.7, live config from talosctl:")
    calls = [json.loads(line)["argv"] for line in fake_talosctl["log"].read_text().splitlines()]
    assert calls == [
        ["--talosconfig", str(fake_talosctl["talosconfig"]), "-n", "10.0.0.7", "get",
         "machineconfig", "v1alpha1", "-o", "yaml"]
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["diff", "-P", "nvidia-cdi"], "no live config"),
        (["diff", "-P", "nvidia-cdi", "--live", "/nonexistent.yaml"], "no such file"),
        (["diff", "-P", "nope", "--live", "-"], "nope"),
        (["diff", "-P", "nvidia-cdi", "--live", "-", "--talos-version", "1.2"], "not supported"),
    ],
)
def test_bad_input_exit_2_one_line(
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(stock_config("1.12").read_text()))
    code, out, err = run(args, capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err
    assert "Traceback" not in err


def test_strict_turns_warnings_into_errors(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "diff",
        "-P",
        "nvidia-cdi",
        "--live",
        str(stock_config("1.13")),
        "--talos-version",
        "1.13",
    ]
    code, _, err = run([*args, "--strict"], capsys)
    assert code == 2 and "treated as errors" in err


# the canary config is a 1.13 one (HostnameConfig): the 1.11 profile is diffed for its release
AS_13 = ("--talos-version", "1.13")


def _live_with_canaries(tmp_path: Path) -> Path:
    docs: list[dict[str, Any]] = yamlio.load_all(stock_config("1.13").read_text())
    docs[0]["machine"]["token"] = f"{CANARY}token1"
    docs[0]["cluster"]["secret"] = f"{CANARY}secret2"
    docs[0]["machine"]["registries"] = {
        "config": {"r.io": {"auth": {"username": f"{CANARY}user3", "password": f"{CANARY}pw4"}}}
    }
    path = tmp_path / "live.yaml"
    path.write_text(yamlio.dump_all(docs))
    return path


@pytest.mark.parametrize("output", ["text", "json"])
def test_canaries_never_printed(
    output: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = _live_with_canaries(tmp_path)
    code, out, err = run(
        ["diff", "-P", "nvidia-cdi", "--live", str(live), "--output", output, *AS_13], capsys
    )
    assert code == 1 and CANARY not in out + err


def test_canaries_masked_in_error_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from talosgpu.errors import MergeError

    def explode(*_: Any, **__: Any) -> Any:
        raise MergeError(f"cannot merge value {CANARY}pw4 here", file="<patch>")

    monkeypatch.setattr("talosgpu.commands.diff.propose", explode)
    live = _live_with_canaries(tmp_path)
    code, out, err = run(["diff", "-P", "nvidia-cdi", "--live", str(live), *AS_13], capsys)
    assert code == 2 and "cannot merge value <redacted> here" in err
    assert CANARY not in out + err
    show = ["diff", "-P", "nvidia-cdi", "--live", str(live), "--show-secrets", *AS_13]
    code, _, err = run(show, capsys)
    assert code == 2 and f"{CANARY}pw4" in err


def test_format_and_output_file_and_the_old_spelling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--format picks the form and -o the file, as for every command; --output json still
    works for one release, with a warning; the two spellings cannot disagree."""
    live = str(stock_config("1.11"))
    base = ["diff", "--profile", "nvidia-cdi", "--live", live]
    code, stdout, _ = run([*base, "--format", "json"], capsys)
    assert code == 1 and json.loads(stdout)["version"] == 1
    target = tmp_path / "diff.json"
    code, stdout, _ = run([*base, "--format", "json", "-o", str(target)], capsys)
    assert code == 1 and stdout == "" and json.loads(target.read_text())["version"] == 1
    code, old, err = run([*base, "--output", "json"], capsys)
    assert code == 1 and json.loads(old) == json.loads(target.read_text())
    assert "talosgpu: warning: --output json is deprecated: use --format json" in err
    code, _, err = run([*base, "--output", "json", "--format", "text"], capsys)
    assert code == 2 and "--format text and --output json cannot be combined" in err


def test_colour_on_a_terminal_only_for_reports(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """diff and lint reports are coloured on a terminal (added green, removed red, severities);
    never with NO_COLOR (no-color.org), in a pipe, in JSON, or in a rendered patch."""
    import sys

    live = str(stock_config("1.11"))
    diff = ["diff", "--profile", "nvidia-cdi", "--live", live]
    _, piped, _ = run(diff, capsys)
    assert "\x1b[" not in piped
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    _, coloured, _ = run(diff, capsys)
    assert "\x1b[32m  + .machine.kernel.modules[name=nvidia]" in coloured
    _, lint, _ = run(["lint", live], capsys)
    assert "\x1b[34m\x1b[1m: info \x1b[0m" in lint
    for argv in ([*diff, "--format", "json"], ["render", "--profile", "nvidia-cdi"]):
        assert "\x1b[" not in run(argv, capsys)[1], argv
    monkeypatch.setenv("NO_COLOR", "1")
    assert run(diff, capsys)[1] == piped


def test_a_1_12_document_refuses_a_1_11_diff_and_names_the_kind(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """HostnameConfig is registered from 1.12 (data/talos_field_names.toml kinds)."""
    live = str(stock_config("1.12"))
    code, _, err = run(["diff", "-P", "nvidia-cdi", "--live", live], capsys)
    assert code == 2 and "HostnameConfig (Talos 1.12+)" in err
    code, _, _ = run(
        ["diff", "-P", "nvidia-cdi", "--live", live, "--talos-version", "1.12"], capsys
    )
    assert code == 1
