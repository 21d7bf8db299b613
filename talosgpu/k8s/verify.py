"""Verification workloads, one per workload kind the intent names.

* compute: the ``nvidia-smi`` Pod of the velaryon field report.
* graphics / display: the velaryon field report's OpenGL Pod *with its fix*: ``NVIDIA_DRIVER_CAPABILITIES``
  including ``graphics`` and ``__GLX_VENDOR_LIBRARY_NAME=nvidia`` (without it GLVND picked Mesa's
  ``llvmpipe`` CPU renderer while ``nvidia-smi`` worked), and a renderer check that fails the Pod
  when ``glxinfo`` still reports a software renderer.
* video: an NVENC Job encoding ffmpeg's ``testsrc`` with ``h264_nvenc`` and ``hevc_nvenc``
  (the talos05 field report's check).

Every Pod requests one GPU, tolerates the node's taints, selects the GPU node and uses the
plan's RuntimeClass (none in operator mode: the operator's CDI setup needs none).
"""

from __future__ import annotations

from typing import Any

from talosgpu.k8s.common import gpu_resource_name, metadata, node_selector, node_suffix, tolerations
from talosgpu.k8s.workloads import capabilities_for
from talosgpu.plan import Plan

__all__ = [
    "CUDA_IMAGE",
    "FFMPEG_IMAGE",
    "NAMESPACE",
    "OPENGL_IMAGE",
    "RENDERER_CHECK",
    "verification_objects",
]

NAMESPACE = "default"
# CUDA 12.2 is what the 535 LTS driver (Talos <= 1.11) supports: a newer base image's
# NVIDIA_REQUIRE_CUDA check would refuse to start on that driver under the legacy runtime.
CUDA_IMAGE = "nvidia/cuda:12.2.2-base-ubuntu22.04"
OPENGL_IMAGE = "nvidia/opengl:1.2-glvnd-runtime-ubuntu22.04"  # the velaryon field report
FFMPEG_IMAGE = "jrottenberg/ffmpeg:6.1-nvidia2204"  # ffmpeg built with NVENC/NVDEC

# Fails (exit 1) on a software renderer: the velaryon field report's symptom was
# "OpenGL renderer string: llvmpipe (LLVM 15.0.7, 256 bits)".
RENDERER_CHECK = """\
renderer="$(glxinfo -B 2>&1 | grep 'OpenGL renderer' || true)"
echo "${renderer:-glxinfo reported no OpenGL renderer}"
case "$renderer" in
  ''|*llvmpipe*|*softpipe*|*'software rasterizer'*)
    echo "FAIL: OpenGL renders on the CPU (Mesa), not the GPU: check NVIDIA_DRIVER_CAPABILITIES includes graphics and __GLX_VENDOR_LIBRARY_NAME=nvidia" >&2
    exit 1
    ;;
esac
echo "OK: OpenGL renders on the NVIDIA GPU"
"""

_OPENGL_SETUP = """\
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends mesa-utils xvfb >/dev/null
Xvfb :99 -screen 0 1024x768x24 &
export DISPLAY=:99
sleep 2
"""

_NVENC = """\
set -eu
for codec in h264_nvenc hevc_nvenc; do
  echo "== $codec"
  ffmpeg -hide_banner -f lavfi -i testsrc=duration=2:size=1280x720:rate=30 -c:v "$codec" -preset fast -f null -
done
echo "OK: NVENC encodes on the GPU"
"""


def verification_objects(plan: Plan) -> list[dict[str, Any]]:
    """The verification Pods/Job for ``plan.intent.workloads``."""
    workloads = plan.intent.workloads
    out: list[dict[str, Any]] = []
    if "compute" in workloads:
        container = _container(plan, "nvidia-smi", CUDA_IMAGE, ["nvidia-smi"], ("compute",))
        out.append(_pod(plan, "talosgpu-nvidia-smi", container))
    graphics = tuple(w for w in workloads if w in ("graphics", "display"))
    if graphics:
        command = ["/bin/sh", "-c", _OPENGL_SETUP + RENDERER_CHECK]
        container = _container(plan, "opengl", OPENGL_IMAGE, command, ("graphics", *graphics))
        container["env"].append({"name": "__GLX_VENDOR_LIBRARY_NAME", "value": "nvidia"})
        out.append(_pod(plan, "talosgpu-opengl", container))
    if "video" in workloads:
        command = ["/bin/sh", "-c", _NVENC]
        container = _container(plan, "nvenc", FFMPEG_IMAGE, command, ("video",))
        out.append(_job(plan, "talosgpu-nvenc", container))
    return out


def _container(
    plan: Plan, name: str, image: str, command: list[str], workloads: tuple[str, ...]
) -> dict[str, Any]:
    return {
        "name": name,
        "image": image,
        "command": command,
        "env": [
            {
                "name": "NVIDIA_DRIVER_CAPABILITIES",
                "value": capabilities_for(dict.fromkeys(workloads)),
            }
        ],
        "resources": {"limits": {gpu_resource_name(plan): 1}},
    }


def _pod_spec(plan: Plan, container: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if plan.runtime_classes and plan.mode != "operator":
        spec["runtimeClassName"] = plan.runtime_classes[0]
    spec["restartPolicy"] = "Never"
    spec["nodeSelector"] = node_selector(plan, pin_node=True)
    tol = tolerations(plan, pinned=True)
    if tol:
        spec["tolerations"] = tol
    spec["containers"] = [container]
    return spec


def _pod(plan: Plan, name: str, container: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata(name + node_suffix(plan), namespace=NAMESPACE, app=name),
        "spec": _pod_spec(plan, container),
    }


def _job(plan: Plan, name: str, container: dict[str, Any]) -> dict[str, Any]:
    meta = metadata(name + node_suffix(plan), namespace=NAMESPACE, app=name)
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta,
        "spec": {
            "backoffLimit": 0,
            "ttlSecondsAfterFinished": 3600,
            "template": {
                "metadata": {"labels": dict(meta["labels"])},
                "spec": _pod_spec(plan, container),
            },
        },
    }
