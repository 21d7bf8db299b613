"""What talosgpu renders for one node: plan + render, and the files of ``--output-dir``.

Pure: an :class:`~talosgpu.intent.models.Intent` in, a :class:`~talosgpu.renderers.base.Rendered`
and its files out. The use cases in :mod:`talosgpu.commands` read the inputs and call these.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Literal

from talosgpu.errors import RenderError, TalosGPUError
from talosgpu.intent.models import Intent
from talosgpu.k8s import render_manifests
from talosgpu.knowledge.other_extensions import check_other_extensions
from talosgpu.knowledge.schematic import Schematic, build_schematic
from talosgpu.plan import plan_summary, resolve
from talosgpu.plan_node import other_extensions
from talosgpu.renderers import render_plan
from talosgpu.renderers.base import Rendered
from talosgpu.renderers.upgrade import add_upgrade_moves
from talosgpu.versions import TalosVersion, version_option

__all__ = ["output_files", "render_intent", "schematic_for"]


def render_intent(
    intent: Intent,
    *,
    source: str,
    talos_version: str | TalosVersion | None = None,
    from_version: str | TalosVersion | None = None,
    assume_newest_known: bool = False,
    rerender: Sequence[str] = (),
) -> Rendered:
    """Plan and render a loaded intent; plan errors are attributed to ``source``.
    ``rerender``: the ``talosgpu render`` arguments the header names for rendering it again."""
    try:
        plan = resolve(intent, talos_version, assume_newest_known=assume_newest_known)
        rendered = render_plan(plan, source=source, rerender=rerender)
    except TalosGPUError as exc:
        # Plan errors carry the YAML path; attribute them to the input they came from.
        raise exc.with_file(source) from None
    if from_version is not None:
        old = version_option(from_version, option="--from-version")
        assert old is not None
        rendered = add_upgrade_moves(rendered, from_version=old)
    return rendered


def output_files(rendered: Rendered, *, manifests: bool = True) -> dict[str, str]:
    """The files ``render --output-dir`` writes for one node, by relative name (without
    ``manifests.yaml`` when not ``manifests``: a fleet writes its own, split per node)."""
    files = {"patch.yaml": rendered.patch_text}
    if rendered.cri_toml is not None:
        files[rendered.cri_file_name] = rendered.cri_toml
    files["plan.json"] = json.dumps(plan_summary(rendered.plan), indent=2, sort_keys=True) + "\n"
    files["schematic.yaml"] = schematic_for(rendered.plan.intent, rendered.plan.version).yaml
    if manifests:
        files["manifests.yaml"] = render_manifests(rendered.plan)
    return files


def schematic_for(
    intent: Intent,
    version: TalosVersion,
    *,
    flavour: Literal["open", "proprietary"] | None = None,
    branch: Literal["lts", "production", "new-feature"] | None = None,
    fabric_manager: bool | None = None,
    extra_kernel_args: Sequence[str] = (),
    extra_extensions: Sequence[str] = (),
    warnings: list[str] | None = None,
) -> Schematic:
    """The node's Image Factory schematic: its NVIDIA extensions, its other extensions (checked
    for the release: an error raises, a warning is appended to ``warnings``) and kernel args."""
    gpu = intent.gpu
    others, _ = other_extensions(intent, version, [] if warnings is None else warnings)
    extra, issues = check_other_extensions(tuple(extra_extensions), version=version)
    for issue in issues:  # checked as the intent's extensions are
        where = f"--extension {extra_extensions[issue.index]}"
        if issue.severity == "error":
            raise RenderError(f"{where}: {issue.message}")
        if warnings is not None:
            warnings.append(f"{where}: {issue.message}")
    return build_schematic(
        talos_version=version,
        flavour=flavour or gpu.driver.flavour,
        branch=branch or gpu.driver.branch,
        fabric_manager=gpu.fabric_manager if fabric_manager is None else fabric_manager,
        extra_kernel_args=(*intent.extra_kernel_args, *extra_kernel_args),
        # the node's other extensions: a schematic without them removes them from the node
        extra_extensions=(*others, *extra),
    )
