"""The real CLI for the Kubernetes side: ``render --manifests``, ``render --output-dir``
(manifests.yaml) and ``helm-values``: exit codes, one-line errors, valid objects."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
from conftest import run_cli as run

from talosgpu import yamlio
from talosgpu.commands.render import render
from talosgpu.k8s import render_manifests


@pytest.mark.parametrize("profile", ["nvidia-cdi", "nvidia-graphics", "nvidia-operator"])
def test_render_manifests(profile: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["render", "--profile", profile, "--manifests"], capsys)
    assert code == 0
    assert out == render_manifests(render(profile=profile).plan)
    assert out.startswith("# Kubernetes objects rendered by talosgpu for Talos")
    docs = yamlio.load_all(out)
    assert docs
    for doc in docs:
        kubernetes_validate.validate(doc, "1.34", strict=True)


def test_render_output_dir_writes_manifests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    code, _, err = run(
        [
            "render",
            "--profile",
            "nvidia-cdi",
            "--talos-version",
            "1.11",
            "--output-dir",
            str(out_dir),
        ],
        capsys,
    )
    assert code == 0
    assert f"wrote {out_dir / 'manifests.yaml'}" in err
    kinds = [d["kind"] for d in yamlio.load_all((out_dir / "manifests.yaml").read_text())]
    assert kinds == ["Namespace", "ConfigMap", "RuntimeClass", "Pod", "DaemonSet", "Pod", "Job"]


def test_helm_values_device_plugin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "values.yaml"
    code, out, _ = run(["helm-values", "-P", "nvidia-graphics", "-o", str(target)], capsys)
    assert code == 0
    assert out == ""
    values = yamlio.load(target.read_text())
    assert values["runtimeClassName"] == "nvidia"
    assert values["config"]["default"] == "time-slicing-x4"


def test_helm_values_operator(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["helm-values", "-P", "nvidia-operator"], capsys)
    assert code == 0
    assert yamlio.load(out)["toolkit"] == {"enabled": False}
    assert err == ""


def test_helm_values_intent_file_mode_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    intent = tmp_path / "node.yaml"
    intent.write_text("talosVersion: '1.12'\nruntime: {mode: none}\n")
    code, out, err = run(["helm-values", str(intent)], capsys)
    assert code == 2
    assert out == ""
    assert err.strip().splitlines()[-1] == (
        "talosgpu: error: .runtime.mode: runtime mode 'none' installs no NVIDIA Helm chart"
    )
    assert "Traceback" not in err


def test_helm_values_strict_warnings(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # real-binaries hook paths on 1.13 warn (the .real binaries are gone, talos#13022):
    # --strict makes the warning exit 2
    intent = tmp_path / "node.yaml"
    intent.write_text("talosVersion: '1.13'\nruntime: {mode: cdi, hookPaths: real-binaries}\n")
    code, _, err = run(["helm-values", str(intent), "--strict"], capsys)
    assert code == 2
    assert "warning(s) treated as errors" in err


def test_helm_values_for_a_mode_the_release_cannot_run_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(
        ["helm-values", "-P", "nvidia-operator", "--talos-version", "1.11"], capsys
    )
    assert code == 2 and out == ""
    assert "runtime mode 'operator' needs Talos 1.13+" in err


def test_helm_values_unknown_profile(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["helm-values", "-P", "nope"], capsys)
    assert code == 2
    assert out == ""
    assert "unknown profile 'nope'" in err
