"""``talosgpu helm-values``: the values of the NVIDIA chart the intent's runtime mode installs."""

from __future__ import annotations

from pathlib import Path

from talosgpu.commands.render import render
from talosgpu.intent.models import Intent
from talosgpu.k8s import helm_values
from talosgpu.versions import TalosVersion

__all__ = ["render_helm_values"]


def render_helm_values(
    intent: Intent | str | Path | None = None,
    *,
    profile: str | None = None,
    talos_version: str | TalosVersion | None = None,
    assume_newest_known: bool = False,
) -> tuple[str, tuple[str, ...]]:
    """``talosgpu helm-values``: the chart values for the intent's runtime mode, and warnings."""
    rendered = render(
        intent,
        profile=profile,
        talos_version=talos_version,
        assume_newest_known=assume_newest_known,
    )
    return helm_values(rendered.plan), tuple(rendered.warnings)
