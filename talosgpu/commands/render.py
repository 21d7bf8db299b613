"""``talosgpu render``, ``schematic``, ``schema``, ``helm-values``, ``profiles``: the use cases.

:func:`render` and the others are the documented Python twins. :func:`render_outputs` is what
the command line runs: one read of the input, one classification (intent or inventory), the
on-disk render cache (:mod:`talosgpu.commands.cache`) — a hit parses nothing, which is what
keeps the pre-commit hook fast — and one typed result for the reporter.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from talosgpu.commands import cache
from talosgpu.commands.inputs import Input, load_target, read_input
from talosgpu.errors import TalosGPUError

if TYPE_CHECKING:
    from talosgpu.intent.models import Intent
    from talosgpu.knowledge.schematic import Schematic
    from talosgpu.renderers.base import Rendered
    from talosgpu.versions import TalosVersion

# On a render cache hit this module runs without the YAML library, pydantic or the renderers:
# those are imported inside the functions of the miss path (pre-commit latency, benchmarks/).

__all__ = [
    "RenderOutcome",
    "intent_schema",
    "output_files",
    "profile_rows",
    "render",
    "render_helm_values",
    "render_outputs",
    "schematic",
]

RenderWhat = Literal["patch", "explain", "manifests", "dir"]


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
    loaded, label = load_target(intent, profile=profile)
    return render_intent(
        loaded,
        source=source or label,
        talos_version=talos_version,
        from_version=from_version,
        assume_newest_known=assume_newest_known,
    )


def render_intent(
    intent: Intent,
    *,
    source: str,
    talos_version: str | TalosVersion | None = None,
    from_version: str | TalosVersion | None = None,
    assume_newest_known: bool = False,
) -> Rendered:
    """Plan and render a loaded intent; plan errors are attributed to ``source``."""
    from talosgpu.plan import resolve
    from talosgpu.renderers import render_plan
    from talosgpu.versions import version_option

    try:
        plan = resolve(intent, talos_version, assume_newest_known=assume_newest_known)
        rendered = render_plan(plan, source=source)
    except TalosGPUError as exc:
        # Plan errors carry the YAML path; attribute them to the input they came from.
        raise exc.with_file(source) from None
    if from_version is not None:
        from talosgpu.renderers.upgrade import add_upgrade_moves

        old = version_option(from_version, option="--from-version")
        assert old is not None
        rendered = add_upgrade_moves(rendered, from_version=old)
    return rendered


def output_files(rendered: Rendered) -> dict[str, str]:
    """The files ``render --output-dir`` writes for one node, by relative name."""
    from talosgpu.k8s import render_manifests
    from talosgpu.plan import plan_summary

    files = {"patch.yaml": rendered.patch_text}
    if rendered.cri_toml is not None:
        files[rendered.cri_file_name] = rendered.cri_toml
    files["plan.json"] = json.dumps(plan_summary(rendered.plan), indent=2, sort_keys=True) + "\n"
    files["schematic.yaml"] = _schematic_for(rendered.plan.intent, rendered.plan.version).yaml
    files["manifests.yaml"] = render_manifests(rendered.plan)
    return files


# ----------------------------------------------------------------------------- the CLI use case
@dataclass(frozen=True, slots=True)
class RenderOutcome:
    """What ``talosgpu render`` produced: ``text`` for stdout/``-o`` (patch, explanation or
    manifests) or ``files`` for ``--output-dir`` (one folder per node for an inventory)."""

    what: RenderWhat
    warnings: tuple[str, ...] = ()
    text: str = ""
    files: dict[str, str] = field(default_factory=dict)
    explanation: tuple[tuple[str, str], ...] = ()  # (summary, reason) per plan decision
    headline: str = ""

    def record(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "warnings": list(self.warnings),
            "text": self.text,
            "files": self.files,
            "explanation": [list(pair) for pair in self.explanation],
            "headline": self.headline,
        }

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> RenderOutcome | None:
        """A cached record, or None when it does not have the shape this code writes."""
        try:
            files = data["files"]
            if not isinstance(files, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in files.items()
            ):
                return None
            return cls(
                what=data["what"],
                warnings=tuple(str(w) for w in data["warnings"]),
                text=str(data["text"]),
                files=dict(files),
                explanation=tuple((str(a), str(b)) for a, b in data["explanation"]),
                headline=str(data["headline"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


def render_outputs(
    intent: str | None,
    *,
    profile: str | None = None,
    what: RenderWhat = "patch",
    talos_version: str | None = None,
    from_version: str | None = None,
    assume_newest_known: bool = False,
) -> RenderOutcome:
    """``talosgpu render``: the input read once, through the render cache.

    An inventory renders only to a folder (``what="dir"``): anything else is an
    :class:`~talosgpu.errors.IntentError` naming the file.
    """
    if intent is not None and profile:
        raise TalosGPUError("give an intent file or --profile, not both")
    if intent is None and not profile:
        raise TalosGPUError("nothing to render: give an intent file or --profile NAME")
    item = read_input(intent) if intent is not None else None
    key = cache.key(
        command=[
            "render",
            what,
            intent or "",
            profile or "",
            talos_version or "",
            from_version or "",
            "assume" if assume_newest_known else "",
        ],
        inputs=[item.data if item is not None else b""],
    )
    hit = cache.get(key)
    outcome = RenderOutcome.from_record(hit) if hit is not None else None
    if outcome is None or outcome.what != what:
        options = {
            "talos_version": talos_version,
            "from_version": from_version,
            "assume_newest_known": assume_newest_known,
        }
        outcome = _render_uncached(item, profile, what, options)
        cache.put(key, outcome.record())
    return outcome


def _render_uncached(
    item: Input | None, profile: str | None, what: RenderWhat, options: dict[str, Any]
) -> RenderOutcome:
    from talosgpu import yamlio
    from talosgpu.commands.inputs import classify, intent_of

    if item is None:
        assert profile is not None
        loaded, label = load_target(profile=profile)
        return _outcome(render_intent(loaded, source=label, **options), what)
    text = item.text
    docs = yamlio.load_all(text, source=item.source)
    kind, doc = classify(docs, kindless=True)
    if kind == "inventory":
        from talosgpu.commands.fleet import fleet_output_files, fleet_warnings, render_fleet
        from talosgpu.errors import IntentError
        from talosgpu.fleet.load import inventory_from_data

        if what != "dir":
            raise IntentError(
                "an inventory renders one folder per node: use --output-dir DIR "
                "(without --output, --explain or --manifests)",
                file=item.source,
            )
        rendered = render_fleet(inventory_from_data(doc, source=item.source), **options)
        return RenderOutcome(
            what=what,
            warnings=tuple(fleet_warnings(rendered)),
            files=fleet_output_files(rendered),
        )
    if kind == "intent":
        loaded = intent_of(doc, text=text, source=item.source)
    else:
        from talosgpu.intent.load import load_intent_text

        loaded = load_intent_text(text, source=item.source)  # words what is wrong
    return _outcome(render_intent(loaded, source=item.label, **options), what)


def _outcome(rendered: Rendered, what: RenderWhat) -> RenderOutcome:
    warnings = tuple(rendered.warnings)
    if what == "explain":
        plan = rendered.plan
        return RenderOutcome(
            what=what,
            warnings=warnings,
            headline=f"Talos {plan.version}: runtime mode {plan.mode}",
            explanation=tuple((d.summary, d.reason) for d in plan.decisions),
        )
    if what == "manifests":
        from talosgpu.k8s import render_manifests

        return RenderOutcome(what=what, warnings=warnings, text=render_manifests(rendered.plan))
    if what == "dir":
        return RenderOutcome(what=what, warnings=warnings, files=output_files(rendered))
    return RenderOutcome(what=what, warnings=warnings, text=rendered.patch_text)


# ----------------------------------------------------------------------------- schematic
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
    from talosgpu.intent.models import Intent
    from talosgpu.plan import target_version

    if intent is None and profile is None:
        loaded = Intent()
    else:
        loaded, _ = load_target(intent, profile=profile)
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


# ----------------------------------------------------------------------------- small ones
def render_helm_values(
    intent: Intent | str | Path | None = None,
    *,
    profile: str | None = None,
    talos_version: str | TalosVersion | None = None,
    assume_newest_known: bool = False,
) -> tuple[str, tuple[str, ...]]:
    """``talosgpu helm-values``: the chart values for the intent's runtime mode, and warnings."""
    from talosgpu.k8s import helm_values

    rendered = render(
        intent,
        profile=profile,
        talos_version=talos_version,
        assume_newest_known=assume_newest_known,
    )
    return helm_values(rendered.plan), tuple(rendered.warnings)


def profile_rows() -> list[tuple[str, str]]:
    """``talosgpu profiles``: (name, description) of every bundled profile."""
    from talosgpu.intent.load import load_profile
    from talosgpu.profiles import list_profiles

    return [(name, load_profile(name).description or "") for name in list_profiles()]


def intent_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the intent format, generated from the models."""
    from talosgpu.intent.models import Intent

    schema = Intent.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://talosgpu.dev/schemas/intent.schema.json",
        **schema,
    }
