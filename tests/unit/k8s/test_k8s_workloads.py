"""Workload presets (NVIDIA_DRIVER_CAPABILITIES) and the verification workloads of the velaryon and talos05 field reports."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from talosgpu.commands.render import render
from talosgpu.errors import RenderError
from talosgpu.intent.models import Intent
from talosgpu.k8s import capabilities_for
from talosgpu.k8s.verify import RENDERER_CHECK, verification_objects
from talosgpu.k8s.workloads import PRESETS
from talosgpu.plan import resolve

SH = shutil.which("sh")


@pytest.mark.parametrize(
    ("workloads", "expected"),
    [
        (["compute"], "compute,utility"),
        (["graphics"], "graphics,utility"),
        (["display"], "display,graphics,utility"),
        (["graphics", "display"], "display,graphics,utility"),
        (["video"], "compute,video,utility"),  # NVENC/NVDEC need a CUDA context (libcuda)
        (["compute", "graphics", "video", "display"], "compute,display,graphics,video,utility"),
        ([], "compute,utility"),
    ],
)
def test_capabilities_for(workloads: list[str], expected: str) -> None:
    assert capabilities_for(workloads) == expected


@given(st.lists(st.sampled_from(sorted(PRESETS)), unique=True))
def test_capabilities_are_a_union_independent_of_order(workloads: list[str]) -> None:
    caps = capabilities_for(workloads).split(",")
    assert caps == sorted(set(caps), key=caps.index)  # no repeats
    assert capabilities_for(reversed(workloads)) == ",".join(caps)
    assert caps[-1] == "utility"
    for name in workloads:
        assert set(PRESETS[name]) <= set(caps)


def test_capabilities_unknown_workload() -> None:
    with pytest.raises(RenderError, match="unknown workload 'vulkan'") as info:
        capabilities_for(["compute", "vulkan"])
    assert info.value.yaml_path == ".workloads[1]"


def _env(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container["env"]}


def _by_name(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["labels"]["app.kubernetes.io/name"]: o for o in objects}


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = obj["spec"]["template"]["spec"] if obj["kind"] == "Job" else obj["spec"]
    return spec


def test_velaryon_graphics_node() -> None:
    objects = _by_name(verification_objects(render(profile="nvidia-graphics").plan))
    assert sorted(objects) == ["talosgpu-nvidia-smi", "talosgpu-opengl"]
    for obj in objects.values():
        spec = _pod_spec(obj)
        assert spec["runtimeClassName"] == "nvidia"
        # pinned to the node by its hostname; the intent's other labels select nothing more
        assert spec["nodeSelector"] == {
            "kubernetes.io/hostname": "velaryon",
            "nvidia.com/gpu.present": "true",
        }
        assert spec["tolerations"] == [
            {"key": "gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"}
        ]
        assert spec["containers"][0]["resources"]["limits"] == {"nvidia.com/gpu": 1}
    smi = objects["talosgpu-nvidia-smi"]["spec"]["containers"][0]
    assert smi["command"] == ["nvidia-smi"]
    assert smi["image"].startswith("nvidia/cuda:") and "latest" not in smi["image"]
    opengl = objects["talosgpu-opengl"]["spec"]["containers"][0]
    env = _env(opengl)
    assert env["__GLX_VENDOR_LIBRARY_NAME"] == "nvidia"
    assert "graphics" in env["NVIDIA_DRIVER_CAPABILITIES"].split(",")
    assert env["NVIDIA_DRIVER_CAPABILITIES"] == "display,graphics,utility"
    assert "llvmpipe" in opengl["command"][2]
    assert RENDERER_CHECK in opengl["command"][2]


def test_talos05_nvenc_job() -> None:
    objects = _by_name(verification_objects(render(profile="nvidia-cdi").plan))
    job = objects["talosgpu-nvenc"]
    assert job["kind"] == "Job"
    spec = _pod_spec(job)
    assert spec["restartPolicy"] == "Never"
    assert spec["runtimeClassName"] == "nvidia-cdi"
    container = spec["containers"][0]
    script = container["command"][2]
    assert "testsrc=duration=2:size=1280x720:rate=30" in script
    assert "h264_nvenc hevc_nvenc" in script
    assert "video" in _env(container)["NVIDIA_DRIVER_CAPABILITIES"].split(",")


def test_operator_mode_has_no_runtime_class() -> None:
    objects = verification_objects(render(profile="nvidia-operator").plan)
    assert objects
    for obj in objects:
        spec = _pod_spec(obj)
        assert "runtimeClassName" not in spec
        assert spec["nodeSelector"] == {"nvidia.com/gpu.present": "true"}


def test_renamed_shared_resource() -> None:
    plan = resolve(
        Intent.model_validate(
            {
                "talosVersion": "1.11",
                "runtime": {"mode": "legacy"},
                "sharing": {"strategy": "time-slicing", "replicas": 2, "renameByDefault": True},
            }
        )
    )
    (pod,) = verification_objects(plan)
    assert pod["spec"]["containers"][0]["resources"]["limits"] == {"nvidia.com/gpu.shared": 1}


def test_display_alone_gets_the_opengl_pod() -> None:
    plan = resolve(Intent.model_validate({"talosVersion": "1.11", "workloads": ["display"]}))
    (pod,) = verification_objects(plan)
    assert _env(pod["spec"]["containers"][0])["NVIDIA_DRIVER_CAPABILITIES"] == (
        "display,graphics,utility"
    )


def test_no_workloads_no_pods() -> None:
    plan = resolve(Intent.model_validate({"talosVersion": "1.11", "workloads": []}))
    assert verification_objects(plan) == []


@pytest.mark.skipif(SH is None, reason="needs sh on PATH")
@pytest.mark.parametrize(
    ("glxinfo", "code"),
    [
        (
            "OpenGL renderer string: llvmpipe (LLVM 15.0.7, 256 bits)",
            1,
        ),  # the velaryon field report, before
        ("OpenGL renderer string: softpipe", 1),
        ("", 1),
        ("OpenGL renderer string: NVIDIA GeForce RTX 2070 SUPER/PCIe/SSE2", 0),  # after the fix
    ],
)
def test_renderer_check_fails_on_llvmpipe(glxinfo: str, code: int, tmp_path: Path) -> None:
    fake = tmp_path / "glxinfo"
    fake.write_text(f"#!/bin/sh\necho 'name of display: :99'\necho '{glxinfo}'\n", encoding="utf-8")
    fake.chmod(0o755)
    result = subprocess.run(
        [SH, "-c", "set -eu\n" + RENDERER_CHECK],
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": f"{tmp_path}:/usr/bin:/bin"},
    )
    assert result.returncode == code, result.stderr
    if code:
        assert "__GLX_VENDOR_LIBRARY_NAME=nvidia" in result.stderr
