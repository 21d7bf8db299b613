"""Sysctls: ``machine.sysctls`` (<= 1.13) or ``SysctlConfig`` (1.14+).

Values are strings: Talos types ``machine.sysctls`` as ``map[string]string`` and an integer in
YAML fails schema validation (a trap seen in real-world patches with ``bpf_jit_harden: 1``).
"""

from __future__ import annotations

from typing import Any

from talosgpu.plan import Plan

name = "sysctl"


def machine(plan: Plan) -> dict[str, Any]:
    return {"sysctls": dict(plan.sysctls)} if plan.sysctls else {}


def documents(plan: Plan) -> list[dict[str, Any]]:
    if not plan.sysctls:
        return []
    return [{"apiVersion": "v1alpha1", "kind": "SysctlConfig", "params": dict(plan.sysctls)}]
