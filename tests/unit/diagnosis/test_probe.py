"""Diagnosing the verification workloads' logs (``doctor --probe``)."""

from __future__ import annotations

import doctor_scenarios as ds

from talosgpu.diagnosis.probe import diagnose_probe


def test_the_glx_check_on_llvmpipe_names_glvnd_vendor_selection() -> None:
    """velaryon (goldentooth/clog src/083_gpu_gaming_containers.md): nvidia-smi worked, glxinfo
    reported llvmpipe until __GLX_VENDOR_LIBRARY_NAME=nvidia."""
    logs = ds.LLVMPIPE + "FAIL: OpenGL renders on the CPU (Mesa), not the GPU\n"
    check = diagnose_probe(
        "talosgpu-opengl", ref="pod/talosgpu-opengl", outcome="failed", logs=logs
    )
    assert check.status == "fail" and check.explain == "llvmpipe-renderer"
    assert "__GLX_VENDOR_LIBRARY_NAME" in check.fix


def test_nvenc_without_the_video_capability() -> None:
    logs = "== h264_nvenc\n[h264_nvenc @ 0x55] Cannot load libnvidia-encode.so.1\n"
    check = diagnose_probe("talosgpu-nvenc", ref="job/talosgpu-nvenc", outcome="failed", logs=logs)
    assert check.explain == "nvenc-library-missing" and "video" in check.fix


def test_a_create_error_in_the_pod_status_is_diagnosed() -> None:
    check = diagnose_probe("talosgpu-nvidia-smi", ref="pod/x", outcome="did not finish in 5s", logs="",
                           problems=("c: CreateContainerError: " + ds.UNRESOLVABLE,))  # fmt: skip
    assert check.status == "fail" and check.explain == "unresolvable-cdi-devices"


def test_success_needs_the_workloads_own_evidence() -> None:
    ok = diagnose_probe("talosgpu-nvidia-smi", ref="pod/x", outcome="succeeded",
                        logs="| NVIDIA-SMI 535.247.01             Driver Version: 535.247.01   CUDA Version: 12.2     |\n")  # fmt: skip
    assert ok.status == "pass" and "Driver Version: 535.247.01" in ok.evidence[0]
    silent = diagnose_probe("talosgpu-opengl", ref="pod/x", outcome="succeeded", logs="")
    assert silent.status == "warn"
    unknown = diagnose_probe("talosgpu-opengl", ref="pod/x", outcome="failed", logs="segfault\n")
    assert unknown.status == "fail" and unknown.explain is None and "describe pod/x" in unknown.fix
