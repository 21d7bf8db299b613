"""Kernel modules: ``machine.kernel.modules`` (<= 1.13) or ``KernelModuleConfig`` (1.14+).

Talos 1.14 deprecates ``machine.kernel`` for one named ``KernelModuleConfig`` per module
(talos ``pkg/machinery/config/types/runtime/kernel_module.go``; docs example
``runtime-kernel_module.yaml``).
"""

from __future__ import annotations

from typing import Any

from talosgpu.plan import Plan

name = "kernel"


def _module(m: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": m.name}
    if m.parameters:
        out["parameters"] = list(m.parameters)
    return out


def machine(plan: Plan) -> dict[str, Any]:
    if not plan.modules:
        return {}
    return {"kernel": {"modules": [_module(m) for m in plan.modules]}}


def documents(plan: Plan) -> list[dict[str, Any]]:
    return [
        {"apiVersion": "v1alpha1", "kind": "KernelModuleConfig", **_module(m)} for m in plan.modules
    ]
