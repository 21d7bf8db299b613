"""Renderers: one module per concern, and the registry that runs them in a fixed order.

``render(plan)`` emits, for Talos <= 1.13, one v1alpha1 strategic-merge patch document whose
``machine:`` keys come from every concern; for 1.14+, the multi-document kinds that replace them
(never a deprecated field). Output is deterministic.
"""

from __future__ import annotations

from typing import Any

from talosgpu.plan import Plan
from talosgpu.renderers import cri, kernel, node, sysctl, udev
from talosgpu.renderers.base import Rendered

__all__ = ["CONCERNS", "HEADER_PREFIX", "Rendered", "header", "header_version", "render_plan"]

# Order = order of keys in the patch and of documents in 1.14 output.
CONCERNS = (kernel, udev, node, sysctl, cri)


# The first line of every rendered patch; lint reads the release back from it.
HEADER_PREFIX = "# Rendered by talosgpu for Talos "


def header_version(text: str) -> str | None:
    """The release a talosgpu-rendered text was rendered for (its first line), else None."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if not first.startswith(HEADER_PREFIX):
        return None
    return first[len(HEADER_PREFIX) :].split(" ", 1)[0] or None


def header(plan: Plan, *, source: str) -> str:
    """The comment block on top of a rendered patch: what, for which version, and why."""
    lines = [
        f"{HEADER_PREFIX}{plan.version} from {source}; do not edit by hand.",
        f"# Runtime mode: {plan.mode}.",
    ]
    lines += [f"# - {d.summary}: {d.reason}" for d in plan.decisions]
    return "\n".join(lines) + "\n"


def render_plan(plan: Plan, *, source: str = "intent") -> Rendered:
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
        header=header(plan, source=source),
        warnings=tuple(dict.fromkeys([*plan.warnings, *cri.warnings(plan)])),
    )
