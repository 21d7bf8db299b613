"""A GPU control-plane node: talosgpu's own pods tolerate the control-plane taint Talos puts on
it (unless cluster.allowSchedulingOnControlPlanes); a RuntimeClass, applied to every workload
of the class, does not."""

from __future__ import annotations

from typing import Any

import talosgpu as api
from talosgpu import yamlio
from talosgpu.k8s import manifest_objects
from talosgpu.k8s.common import CONTROL_PLANE_TOLERATION
from talosgpu.k8s.device_plugin import device_plugin_values
from talosgpu.k8s.operator import operator_values


def _plan(profile: str, role: str, version: str) -> Any:
    intent = api.Intent.model_validate(
        {"profile": profile, "talosVersion": version, "node": {"name": "cp1", "role": role}}
    )
    return api.render(intent).plan


def test_system_and_pinned_pods_tolerate_the_control_plane_taint() -> None:
    plan = _plan("nvidia-cdi", "controlplane", "1.11")
    values = yamlio.load(device_plugin_values(plan))
    assert CONTROL_PLANE_TOLERATION in values["tolerations"]
    objects = manifest_objects(plan)
    pods = [o for o in objects if o["kind"] == "Pod"]
    assert pods and all(CONTROL_PLANE_TOLERATION in p["spec"]["tolerations"] for p in pods)
    (rc,) = [o for o in objects if o["kind"] == "RuntimeClass"]
    assert CONTROL_PLANE_TOLERATION not in rc.get("scheduling", {}).get("tolerations", [])
    worker = _plan("nvidia-cdi", "worker", "1.11")
    assert CONTROL_PLANE_TOLERATION not in yamlio.load(device_plugin_values(worker))["tolerations"]


def test_the_operators_daemonsets_tolerate_it_with_nvidia_gpu_first() -> None:
    values = yamlio.load(operator_values(_plan("nvidia-operator", "controlplane", "1.13")))
    tol = values["daemonsets"]["tolerations"]
    assert tol[0]["key"] == "nvidia.com/gpu" and CONTROL_PLANE_TOLERATION in tol
    assert "daemonsets" not in yamlio.load(
        operator_values(_plan("nvidia-operator", "worker", "1.13"))
    )
