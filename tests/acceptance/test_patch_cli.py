"""``talosgpu patch`` end to end: Talos's vectors through the real CLI, errors as exit 2."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import run_cli as run
from conftest import shared_path

from talosgpu import yamlio


def test_apply_chain_matches_talos(capsys: pytest.CaptureFixture[str]) -> None:
    base = shared_path("conformance", "talos-configpatcher", "apply")
    patches = [
        "strategic1.yaml",
        "jsonpatch1.yaml",
        "jsonpatch2.yaml",
        "strategic2.yaml",
        "strategic3.yaml",
    ]
    argv = ["patch", str(base / "config.yaml")]
    for name in patches:
        argv += ["-p", "@" + str(base / name)]
    code, out, err = run(argv, capsys)
    assert code == 0, err
    machine = yamlio.load(out)["machine"]
    assert machine["network"]["hostname"] == "foo"
    assert machine["network"]["interfaces"][0] == {
        "interface": "eth0",
        "dhcp": False,
        "addresses": ["10.1.2.3/24"],
        "vip": {"ip": "10.3.5.6"},
    }
    assert yamlio.load(out)["cluster"]["proxy"]["extraArgs"] == {
        "metrics-bind-address": "$(POD_IP):10249"
    }


def test_stdin_config_output_file_and_version(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("machine:\n  sysctls:\n    a: '1'\n"))
    target = tmp_path / "out.yaml"
    code, out, _ = run(
        [
            "patch",
            "-",
            "-p",
            "machine: {sysctls: {b: '2'}}",
            "-o",
            str(target),
            "--talos-version",
            "1.12",
        ],
        capsys,
    )
    assert code == 0 and out == ""
    assert yamlio.load(target.read_text())["machine"]["sysctls"] == {"a": "1", "b": "2"}


def test_multidoc_json6902_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    base = shared_path("conformance", "talos-configpatcher", "multidoc")
    code, out, err = run(
        ["patch", str(base / "config.yaml"), "-p", str(base / "jsonpatch.yaml")], capsys
    )
    assert code == 2 and out == ""
    assert err.strip().endswith(
        "JSON6902 patches are not supported for multi-document machine configuration"
    )
    assert len(err.strip().splitlines()) == 1


def test_duplicate_documents_rejected_before_1_14(capsys: pytest.CaptureFixture[str]) -> None:
    base = shared_path("conformance", "talos-configpatcher", "patchmixed")
    argv = ["patch", str(base / "base.yaml"), "-p", str(base / "patch.yaml")]
    code, _, err = run([*argv, "--talos-version", "1.13"], capsys)
    assert (
        code == 2
        and "duplicate document v1alpha1/RegistryMirrorConfig/registry.k8s.io is not allowed" in err
    )
    code, out, _ = run(argv, capsys)
    assert code == 0 and "skipFallback: true" in out


def test_bad_inputs_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("machine: {}\n")
    assert run(["patch", str(tmp_path / "missing.yaml"), "-p", "machine: {}"], capsys)[0] == 2
    assert run(["patch", str(config), "-p", "nope.yaml"], capsys)[0] == 2
    assert run(["patch", str(config), "-p", "machine: [unclosed"], capsys)[0] == 2
    code, _, err = run(
        ["patch", str(config), "-p", "machine:\n  network:\n    hostname:\n      $patch: delete\n"],
        capsys,
    )
    assert code == 2 and "lookup failed" in err and "Traceback" not in err
