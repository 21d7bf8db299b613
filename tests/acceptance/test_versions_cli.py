"""Releases through the real CLI: an unknown release is refused everywhere unless the user opts
in with --assume-newest-known; Talos 1.15 (beta facts) renders only what works on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

from talosgpu import yamlio

REFUSAL = "newer than the newest release talosgpu knows (1.15)"


@pytest.mark.parametrize(
    "argv",
    [
        ["render", "--profile", "nvidia-operator", "--talos-version", "1.16"],
        ["helm-values", "--profile", "nvidia-operator", "--talos-version", "1.16"],
        ["schematic", "--talos-version", "1.16"],
        ["lint", "{intent}", "--talos-version", "1.16"],
    ],
)
def test_unknown_release_is_refused_naming_the_newest_known(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    intent = tmp_path / "node.yaml"
    intent.write_text("machine: {}\n")
    code, out, err = run_cli([a.replace("{intent}", str(intent)) for a in argv], capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "--talos-version" in err and REFUSAL in err and "--assume-newest-known" in err


def test_unknown_release_in_an_intent_names_the_file_and_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    intent = tmp_path / "node.yaml"
    intent.write_text('talosVersion: "1.16"\n')
    code, _, err = run_cli(["render", str(intent)], capsys)
    assert code == 2
    assert err.startswith("talosgpu: error: node.yaml: .talosVersion: Talos 1.16 is newer")


def test_opt_in_renders_with_the_newest_facts_and_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["render", "--profile", "nvidia-operator", "--talos-version", "1.16"]
    code, out, err = run_cli([*argv, "--assume-newest-known"], capsys)
    assert code == 0
    assert "# - facts of Talos 1.15 assumed for Talos 1.16 (--assume-newest-known)" in out
    assert "rendering with the Talos 1.15 facts as asked" in err
    code, _, _ = run_cli([*argv, "--assume-newest-known", "--strict"], capsys)
    assert code == 2  # the assumption is a warning, so --strict refuses it


def test_unknown_release_in_an_inventory_names_the_node(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "fleet.yaml"
    inventory.write_text(
        "apiVersion: talosgpu.dev/v1alpha1\nkind: GPUInventory\n"
        'defaults: {talosVersion: "1.16", runtime: {mode: operator}}\n'
        "nodes:\n  - name: gpu-a\n"
    )
    code, _, err = run_cli(["render", str(inventory), "--output-dir", str(tmp_path / "o")], capsys)
    assert code == 2 and "node gpu-a" in err and REFUSAL in err
    assert not (tmp_path / "o").exists()
    code, _, _ = run_cli(
        ["render", str(inventory), "--output-dir", str(tmp_path / "o"), "--assume-newest-known"],
        capsys,
    )
    assert code == 0 and (tmp_path / "o" / "gpu-a" / "patch.yaml").is_file()


def test_live_config_of_an_unknown_release_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = tmp_path / "live.yaml"
    live.write_text(
        "version: v1alpha1\nmachine:\n  type: worker\n"
        "  install: {image: 'ghcr.io/siderolabs/installer:v1.16.2'}\ncluster: {}\n"
    )
    intent = tmp_path / "node.yaml"
    intent.write_text("runtime: {mode: operator}\n")
    code, _, err = run_cli(["diff", str(intent), "--live", str(live)], capsys)
    assert code == 2 and "live.yaml" in err and "installer image tag" in err and REFUSAL in err
    code, _, _ = run_cli(
        ["diff", str(intent), "--live", str(live), "--assume-newest-known"], capsys
    )
    assert code == 1  # a diff, with the 1.15 facts


@pytest.mark.parametrize(
    ("profile", "needle"),
    [
        ("nvidia-cdi", "no driver of Talos 1.15 supports Pascal"),
        ("nvidia-graphics", "runtime mode 'legacy' cannot work on Talos 1.15"),
        ("nvidia-legacy", "runtime mode 'legacy' cannot work on Talos 1.15"),
    ],
)
def test_1_15_refuses_profiles_it_cannot_run(
    profile: str, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["render", "--profile", profile, "--talos-version", "1.15"], capsys)
    assert code == 2 and out == "" and needle in err
    assert len(err.strip().splitlines()) == 1


def test_1_15_operator_node_end_to_end(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--profile", "nvidia-operator", "--talos-version", "1.15"]
    code, patch, _ = run_cli(["render", *argv], capsys)
    assert code == 0
    assert "pre-release: facts as of its beta" in patch
    assert "CRICustomizationConfig" not in patch and "nvidia-container-runtime" not in patch
    code, values, _ = run_cli(["helm-values", *argv], capsys)
    data = yamlio.load(values)
    assert data["toolkit"] == {"enabled": True}
    assert data["cdi"] == {"enabled": True, "nriPluginEnabled": True}
    assert "--version v26.7.0" in values
    code, manifests, _ = run_cli(["render", *argv, "--manifests"], capsys)
    docs = yamlio.load_all(manifests)
    assert not [d for d in docs if d["kind"] == "RuntimeClass"]
    pods = [d for d in docs if d["kind"] == "Pod"]
    assert pods and all("runtimeClassName" not in p["spec"] for p in pods)
    code, schematic, _ = run_cli(["schematic", *argv], capsys)
    assert "nvidia-open-gpu-kernel-modules-production" in schematic
    assert "nvidia-container-toolkit-production" in schematic


def test_1_15_upgrade_move_drops_the_old_runtime_part(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["render", "--profile", "nvidia-operator", "--talos-version", "1.15"]
    code, out, err = run_cli([*argv, "--from-version", "1.14"], capsys)
    assert code == 0
    first = yamlio.load_all(out)[0]
    assert first == {
        "apiVersion": "v1alpha1",
        "kind": "CRICustomizationConfig",
        "name": "talosgpu-nvidia",
        "$patch": "delete",
    }
    assert "ships no NVIDIA Container Toolkit" in err
    code, _, err = run_cli([*argv, "--from-version", "1.15"], capsys)
    assert code == 2 and "not older than the target" in err
    code, _, err = run_cli([*argv, "--from-version", "1.17"], capsys)
    assert code == 2 and err.startswith("talosgpu: error: --from-version: Talos 1.17")


def test_1_15_upgrade_warns_about_the_image_factory_lts_swap(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["render", "--profile", "nvidia-operator", "--talos-version", "1.15"]
    code, _, err = run_cli([*argv, "--from-version", "1.14"], capsys)
    assert code == 0
    assert "Image Factory replaces it with the open LTS modules (620.70.06)" in err
