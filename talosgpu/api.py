"""The Python twins of the CLI commands: plain functions returning typed results.

``talosgpu render`` is :func:`render`, ``talosgpu profiles`` is :func:`list_profiles` /
:func:`profile_text`, ``talosgpu schema`` is :func:`intent_schema`. Other commands' twins live in
their own modules and are re-exported from ``talosgpu/__init__.py``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from talosgpu.errors import TalosGPUError
from talosgpu.intent.models import Intent
from talosgpu.renderers.base import Rendered
from talosgpu.versions import TalosVersion

if TYPE_CHECKING:
    from talosgpu.knowledge.schematic import Schematic

__all__ = ["intent_schema", "load", "output_files", "render", "schematic"]


def load(
    intent: Intent | str | Path | None = None, *, profile: str | None = None
) -> tuple[Intent, str]:
    """Resolve what to render: an Intent, an intent file (``-`` = stdin) or a bundled profile.

    Returns the intent and a label naming where it came from (used in messages and headers).
    """
    from talosgpu.intent.load import load_intent
    from talosgpu.profiles import load_profile

    if isinstance(intent, Intent):
        if profile:
            raise TalosGPUError("give an intent or a profile, not both")
        return intent, "intent"
    if intent is not None and profile:
        raise TalosGPUError("give an intent file or --profile, not both")
    if intent is not None:
        return load_intent(intent), "<stdin>" if str(intent) == "-" else Path(intent).name
    if profile:
        return load_profile(profile), f"profile {profile}"
    raise TalosGPUError("nothing to render: give an intent file or --profile NAME")


def render(
    intent: Intent | str | Path | None = None,
    *,
    profile: str | None = None,
    talos_version: str | TalosVersion | None = None,
    from_version: str | TalosVersion | None = None,
    source: str | None = None,
    assume_newest_known: bool = False,
) -> Rendered:
    """Render the Talos patch (and CRI part) for an intent or a bundled profile.

    ``from_version`` (with a 1.14+ target) adds the moves that delete the deprecated v1alpha1
    fields a ``from_version`` node carries, so nothing is left set twice. ``source`` names the
    input in the patch header (default: the file name or ``profile NAME``). A Talos release
    newer than talosgpu knows is a :class:`~talosgpu.errors.VersionError` unless
    ``assume_newest_known`` (the newest known facts are used, and the header says so).
    """
    from talosgpu.plan import resolve
    from talosgpu.renderers import render_plan

    loaded, label = load(intent, profile=profile)
    label = source or label
    try:
        plan = resolve(loaded, talos_version, assume_newest_known=assume_newest_known)
        rendered = render_plan(plan, source=label)
    except TalosGPUError as exc:
        # Plan errors carry the YAML path; attribute them to the input they came from.
        raise exc.with_file(label) from None
    if from_version is not None:
        from talosgpu.renderers.upgrade import add_upgrade_moves
        from talosgpu.versions import version_option

        old = version_option(from_version, option="--from-version")
        assert old is not None
        rendered = add_upgrade_moves(rendered, from_version=old)
    return rendered


def output_files(rendered: Rendered) -> dict[str, str]:
    """The files ``render --output-dir`` writes for one node, by relative name."""
    from talosgpu.plan import plan_summary

    files = {"patch.yaml": rendered.patch_text}
    if rendered.cri_toml is not None:
        name = (
            "cri-customization.toml"
            if rendered.plan.version.gpu_documents
            else "20-customization.part"
        )
        files[name] = rendered.cri_toml
    files["plan.json"] = json.dumps(plan_summary(rendered.plan), indent=2, sort_keys=True) + "\n"
    for name, text in _extra_outputs(rendered).items():
        files[name] = text
    return files


def _extra_outputs(rendered: Rendered) -> dict[str, str]:
    """The Image Factory schematic and the Kubernetes manifests for the plan."""
    from talosgpu.k8s import render_manifests

    schematic_ = _schematic_for(rendered.plan.intent, rendered.plan.version)
    return {"schematic.yaml": schematic_.yaml, "manifests.yaml": render_manifests(rendered.plan)}


def _schematic_for(
    intent: Intent,
    version: TalosVersion,
    *,
    flavour: Literal["open", "proprietary"] | None = None,
    branch: Literal["lts", "production", "new-feature"] | None = None,
    fabric_manager: bool | None = None,
    extra_kernel_args: Sequence[str] = (),
    extra_extensions: Sequence[str] = (),
) -> Schematic:
    from talosgpu.knowledge.schematic import build_schematic

    gpu = intent.gpu
    return build_schematic(
        talos_version=version,
        flavour=flavour or gpu.driver.flavour,
        branch=branch or gpu.driver.branch,
        fabric_manager=gpu.fabric_manager if fabric_manager is None else fabric_manager,
        extra_kernel_args=(*intent.extra_kernel_args, *extra_kernel_args),
        extra_extensions=tuple(extra_extensions),
    )


def schematic(
    intent: Intent | str | Path | None = None,
    *,
    profile: str | None = None,
    talos_version: str | TalosVersion | None = None,
    flavour: Literal["open", "proprietary"] | None = None,
    branch: Literal["lts", "production", "new-feature"] | None = None,
    fabric_manager: bool | None = None,
    extra_kernel_args: Sequence[str] = (),
    extra_extensions: Sequence[str] = (),
    assume_newest_known: bool = False,
) -> tuple[Schematic, tuple[str, ...]]:
    """The Image Factory schematic for an intent, a profile, or flags alone (``talosgpu schematic``).

    Explicit arguments override the intent's GPU settings. Returns the schematic and warnings.
    """
    from talosgpu.plan import target_version

    if intent is None and profile is None:
        loaded = Intent()
    else:
        loaded, _ = load(intent, profile=profile)
    version = target_version(loaded, talos_version, assume_newest_known=assume_newest_known)
    result = _schematic_for(
        loaded,
        version,
        flavour=flavour,
        branch=branch,
        fabric_manager=fabric_manager,
        extra_kernel_args=extra_kernel_args,
        extra_extensions=extra_extensions,
    )
    return result, version.warnings


def intent_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the intent format, generated from the models."""
    schema = Intent.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://talosgpu.dev/schemas/intent.schema.json",
        **schema,
    }
