"""Workload presets: what a pod does with the GPU -> ``NVIDIA_DRIVER_CAPABILITIES``.

The variable *replaces* the default ``compute,utility`` (shared/research/peers.md §4.5):
OpenGL/EGL/Vulkan need ``graphics``, presenting to X11/Wayland needs ``display``, NVENC/NVDEC
need ``video``. The velaryon field report hit Mesa's llvmpipe with a CUDA-only setup. ``utility`` (nvidia-smi,
NVML) is always included.

``video`` also includes ``compute``: ffmpeg's ``h264_nvenc``/``hevc_nvenc`` and NVDEC create a
CUDA context (libcuda.so.1, shipped with the ``compute`` libraries by libnvidia-container), so
``video,utility`` alone fails on the legacy runtime with "Cannot load libcuda.so.1".
"""

from __future__ import annotations

from collections.abc import Iterable

from talosgpu.errors import RenderError

__all__ = ["CAPABILITY_ORDER", "PRESETS", "capabilities_for"]

PRESETS: dict[str, tuple[str, ...]] = {
    "compute": ("compute", "utility"),
    "graphics": ("graphics", "utility"),
    "video": ("compute", "video", "utility"),
    "display": ("display", "graphics", "utility"),
}
# Fixed output order (utility last, as NVIDIA's examples write it): deterministic and readable.
CAPABILITY_ORDER = ("compute", "display", "graphics", "video", "utility")


def capabilities_for(workloads: Iterable[str]) -> str:
    """``NVIDIA_DRIVER_CAPABILITIES`` for a set of workloads (union of their presets).

    ``capabilities_for(["graphics", "display"]) == "display,graphics,utility"``. No workloads
    gives NVIDIA's default ``compute,utility``. Unknown names raise :class:`RenderError`.
    """
    wanted: set[str] = set()
    names = list(workloads)
    for index, name in enumerate(names):
        preset = PRESETS.get(name)
        if preset is None:
            raise RenderError(
                f"unknown workload {name!r} (known: {', '.join(PRESETS)})",
                path=["workloads", index],
            )
        wanted.update(preset)
    if not names:
        wanted.update(PRESETS["compute"])
    return ",".join(cap for cap in CAPABILITY_ORDER if cap in wanted)
