"""udev rules: ``machine.udev.rules`` (<= 1.13) or the ``UdevRulesConfig`` singleton (1.14+).

Note: when a ``UdevRulesConfig`` is present it replaces ``.machine.udev`` entirely
(talos ``config/container/container.go``, research §3).
"""

from __future__ import annotations

from typing import Any

from talosgpu.plan import Plan

name = "udev"


def machine(plan: Plan) -> dict[str, Any]:
    return {"udev": {"rules": list(plan.udev_rules)}} if plan.udev_rules else {}


def documents(plan: Plan) -> list[dict[str, Any]]:
    if not plan.udev_rules:
        return []
    return [{"apiVersion": "v1alpha1", "kind": "UdevRulesConfig", "rules": list(plan.udev_rules)}]
