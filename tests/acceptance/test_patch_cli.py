"""``talosgpu patch`` end to end: Talos's vectors through the real CLI, errors as exit 2."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from conftest import run_cli as run
from conftest import shared_path, stock_config, talosctl_envelope

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


# --------------------------------------------------------------- a config tool: whole, 0600
_RELEASES = ["v1.10", "v1.11", "v1.12", "v1.13", "v1.14", "v1.15"]
_SYSCTL = "machine: {sysctls: {vm.swappiness: '10'}}"


@pytest.mark.parametrize("release", _RELEASES)
def test_round_trip_keeps_every_secret_and_writes_0600(
    release: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Each release's generated control-plane config, patched: the file is the config itself
    (every secret intact, nothing else changed but the patch) and private to its owner."""
    config = shared_path("conformance", "talos-machineconfigs", "stability", release)
    source = config / "base-controlplane.yaml"
    target = tmp_path / "out.yaml"
    target.write_text("old\n")
    target.chmod(0o644)  # an existing world-readable file is made private too
    code, out, err = run(["patch", str(source), "-p", _SYSCTL, "-o", str(target)], capsys)
    assert code == 0, err
    assert out == "" and f"wrote {target}" in err
    assert target.stat().st_mode & 0o777 == 0o600
    merged = yamlio.load_all(target.read_text())
    original = yamlio.load_all(source.read_text())
    assert merged[0]["machine"]["sysctls"]["vm.swappiness"] == "10"
    merged[0]["machine"]["sysctls"].pop("vm.swappiness")
    if not merged[0]["machine"]["sysctls"]:
        del merged[0]["machine"]["sysctls"]
    assert yamlio.dump_all(merged) == yamlio.dump_all(original)  # secrets and all
    assert "<redacted>" not in target.read_text()


def test_redact_is_the_view_to_share(capsys: pytest.CaptureFixture[str]) -> None:
    source = stock_config("1.11", "base-controlplane.yaml")
    code, out, _ = run(["patch", str(source), "-p", _SYSCTL, "--redact"], capsys)
    doc = yamlio.load_all(out)[0]
    assert code == 0 and doc["cluster"]["secret"] == "<redacted>"


@pytest.mark.parametrize("mapping", [False, True], ids=["spec-string", "spec-mapping"])
def test_the_talosctl_envelope_is_read_like_diff_reads_it(
    mapping: bool, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plain = stock_config("1.11").read_text()
    live = tmp_path / "mc.yaml"
    live.write_text(talosctl_envelope("10.0.0.5", "v1alpha1", plain, mapping=mapping))
    code, out, err = run(["patch", str(live), "-p", _SYSCTL], capsys)
    assert code == 0, err
    docs = yamlio.load_all(out)
    assert docs[0]["version"] == "v1alpha1" and docs[0]["machine"]["sysctls"]["vm.swappiness"]
    assert "node" not in docs[0] and "metadata" not in docs[0]


def test_the_release_comes_from_the_installer_tag_else_is_said_to_be_assumed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Before 1.14 one patch may not touch a document twice: the config's own release (1.13,
    from its installer tag) decides, not the newest known."""
    base = shared_path("conformance", "talos-configpatcher", "patchmixed")
    docs = yamlio.load_all((base / "base.yaml").read_text())
    docs[0].setdefault("machine", {})["install"] = {"image": "ghcr.io/siderolabs/installer:v1.13.2"}
    tagged = tmp_path / "tagged.yaml"
    tagged.write_text(yamlio.dump_all(docs))
    code, _, err = run(["patch", str(tagged), "-p", str(base / "patch.yaml")], capsys)
    assert code == 2 and "duplicate document" in err
    code, _, err = run(["patch", str(base / "base.yaml"), "-p", str(base / "patch.yaml")], capsys)
    assert code == 0 and "assumed the newest released one: merging for Talos" in err


@pytest.mark.parametrize(
    ("config", "patch", "message"),
    [
        (
            "version: v1alpha1\nmachine: {type: worker}\n",
            "machine: {kernel: {modules: 7}}",
            ".machine.kernel.modules: Talos would reject this patch: expected a list, got an integer",
        ),
        (
            "version: v1alpha1\nmachine: {type: worker}\n",
            "machine: {kernel: {modules: [{name: nvidia, parmeters: [a=1]}]}}",
            "unknown key 'parmeters' in v1alpha1.KernelModuleConfig (did you mean 'parameters'?)",
        ),
        (
            "version: v1alpha1\nmachine: {type: worker, udev: {rules: [1]}}\n",
            "machine: {sysctls: {a: '1'}}",
            ".machine.udev.rules[0]: Talos would reject this config: expected a string",
        ),
    ],
    ids=["patch-wrong-type", "patch-unknown-key", "config-wrong-type"],
)
def test_what_talos_decoder_rejects_is_an_error_naming_the_path(
    config: str,
    patch: str,
    message: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(config)
    code, out, err = run(["patch", str(path), "-p", patch], capsys)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_diff_refuses_a_live_config_talos_would_reject(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    live = tmp_path / "live.yaml"
    live.write_text("version: v1alpha1\nmachine: {type: worker, kernel: {modules: 7}}\n")
    code, _, err = run(["diff", "--profile", "nvidia-cdi", "--live", str(live)], capsys)
    assert code == 2
    assert f"{live}: [0].machine.kernel.modules: Talos would reject this config" in err


def test_a_terminal_is_reminded_that_the_config_holds_secrets(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = stock_config("1.11", "base-controlplane.yaml")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, err = run(["patch", str(source), "-p", _SYSCTL], capsys)
    assert code == 0 and "secret:" in out
    assert "this config holds its secrets; --redact masks them for sharing" in err
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert "holds its secrets" not in run(["patch", str(source), "-p", _SYSCTL], capsys)[2]
