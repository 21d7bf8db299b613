"""Renderers: one module per concern, and the registry that runs them in a fixed order.

``render(plan)`` emits, for Talos <= 1.13, one v1alpha1 strategic-merge patch document whose
``machine:`` keys come from every concern; for 1.14+, the multi-document kinds that replace them
(never a deprecated field). Output is deterministic.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import Any

from talosgpu.headers import HEADER_PREFIX, RERENDER_PREFIX, header_version
from talosgpu.plan import Plan
from talosgpu.renderers import cri, install, kernel, node, sysctl, udev
from talosgpu.renderers.base import Rendered

__all__ = [
    "CONCERNS",
    "HEADER_PREFIX",
    "RERENDER_PREFIX",
    "Rendered",
    "header",
    "header_version",
    "render_plan",
]

# Order = order of keys in the patch and of documents in 1.14 output.
CONCERNS = (install, kernel, udev, node, sysctl, cri)


def header(plan: Plan, *, source: str, rerender: Sequence[str] = ()) -> str:
    """The comment block on top of a rendered patch: what, for which version, and why;
    ``rerender``: the ``talosgpu render`` arguments that give it again (none: no such line)."""
    lines = [f"{HEADER_PREFIX}{plan.version} from {source}; do not edit by hand."]
    if rerender:
        lines.append(RERENDER_PREFIX + shlex.join(rerender))
    lines.append(f"# Runtime mode: {plan.mode}.")
    lines += [f"# - {d.summary}: {d.reason}" for d in plan.decisions]
    return "\n".join(lines) + "\n"


def render_plan(plan: Plan, *, source: str = "intent", rerender: Sequence[str] = ()) -> Rendered:
    """Translate a plan into Talos documents for its version."""
    docs: list[dict[str, Any]] = []
    if plan.version.gpu_documents:
        for concern in CONCERNS:
            docs.extend(concern.documents(plan))
    else:
        machine: dict[str, Any] = {}
        for concern in CONCERNS:
            machine.update(concern.machine(plan))
        if machine:
            docs.append({"machine": machine})
    return Rendered(
        plan=plan,
        documents=tuple(docs),
        cri_toml=cri.toml_text(plan),
        header=header(plan, source=source, rerender=rerender),
        warnings=tuple(dict.fromkeys([*plan.warnings, *cri.warnings(plan)])),
    )
