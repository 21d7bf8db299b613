"""``talosgpu render``, ``schematic``, ``schema``, ``helm-values``, ``profiles``: the use cases.

:func:`render` and the others are the documented Python twins. :func:`render_outputs` is what
the command line runs: one read of the input, one classification (intent or inventory), the
on-disk render cache (:mod:`talosgpu.commands.cache`) — a hit parses nothing, which is what
keeps the pre-commit hook fast — and one typed result for the reporter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from talosgpu.commands import cache
from talosgpu.commands.inputs import Input, InputKind, load_target, read_input, require_target
from talosgpu.errors import TalosGPUError
from talosgpu.headers import Rerender

if TYPE_CHECKING:
    from talosgpu.intent.models import Intent
    from talosgpu.renderers.base import Rendered
    from talosgpu.versions import TalosVersion

# On a render cache hit this module runs without the YAML library, pydantic or the renderers:
# those are imported inside the functions of the miss path (pre-commit latency, benchmarks/).

__all__ = [
    "OUTPUT_NAMES",
    "RenderOutcome",
    "RenderWhat",
    "check_output_dir",
    "render",
    "render_cached",
    "render_outputs",
    "write_output_dir",
]

RenderWhat = Literal["patch", "explain", "manifests", "dir", "json"]


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
    from talosgpu.outputs import render_intent  # lazy: the plan, renderers and pydantic

    loaded, label = load_target(intent, profile=profile)
    again = rerender_args(
        label,
        talos_version=talos_version,
        from_version=from_version,
        assume_newest_known=assume_newest_known,
    )
    return render_intent(
        loaded,
        source=source or label,
        rerender=again,
        talos_version=talos_version,
        from_version=from_version,
        assume_newest_known=assume_newest_known,
    )


def rerender_args(
    label: str,
    *,
    talos_version: str | TalosVersion | None = None,
    from_version: str | TalosVersion | None = None,
    assume_newest_known: bool = False,
) -> tuple[str, ...]:
    """The ``talosgpu render`` arguments that render ``label`` (an intent's file name, or
    ``profile NAME``) the same way again; none when it cannot be named (stdin, an object)."""
    profile = label.removeprefix("profile ") if label.startswith("profile ") else None
    if profile is None and not label.endswith((".yaml", ".yml", ".json")):
        return ()  # stdin, an Intent object: nothing to name
    again = Rerender(
        intent=None if profile else label,
        profile=profile,
        talos_version=None if talos_version is None else str(talos_version),
        from_version=None if from_version is None else str(from_version),
        assume_newest_known=assume_newest_known,
    )
    return again.args()


_NODE_DIR = re.compile(r"[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?")


def _inside(name: str) -> bool:
    """A name render writes: ``patch.yaml`` (one of :data:`OUTPUT_NAMES`), or ``NODE/patch.yaml``
    for an inventory (the node's DNS-1123 name). Anything else in a cache entry — a path
    outside the folder, ``.git/hooks/...``, a NUL — makes the entry a miss."""
    parts = name.split("/")
    if len(parts) == 2 and not _NODE_DIR.fullmatch(parts[0]):
        return False
    return len(parts) in (1, 2) and parts[-1] in OUTPUT_NAMES


# ----------------------------------------------------------------------------- the CLI use case
@dataclass(frozen=True, slots=True)
class RenderOutcome:
    """What ``talosgpu render`` produced: ``text`` for stdout/``-o`` (patch, explanation or
    manifests) or ``files`` for ``--output-dir`` (one folder per node for an inventory).
    ``kind``: what the input was (None: not talosgpu's, only when kind-less files do not count).
    """

    what: RenderWhat
    kind: InputKind | None = "intent"
    warnings: tuple[str, ...] = ()
    text: str = ""
    files: dict[str, str] = field(default_factory=dict)
    explanation: tuple[tuple[str, str], ...] = ()  # (summary, reason) per plan decision
    headline: str = ""

    def record(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "kind": self.kind,
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
                isinstance(k, str) and isinstance(v, str) and _inside(k) for k, v in files.items()
            ):
                return None
            if data["kind"] not in ("intent", "inventory", None):
                return None
            if data["what"] not in ("patch", "dir", "explain", "manifests", "json"):
                return None
            return cls(
                what=data["what"],
                kind=data["kind"],
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
    with_patches: bool = False,
) -> RenderOutcome:
    """``talosgpu render``: the input read once, through the render cache.

    ``with_patches``: merge the intent's ``patches`` into the node patch (else they are left
    out, with a warning saying so).

    An inventory renders only to a folder (``what="dir"``): anything else is an
    :class:`~talosgpu.errors.IntentError` naming the file.
    """
    require_target(intent, profile)
    item = read_input(intent) if intent is not None else None
    command = ["render", what, intent or "", profile or "", talos_version or "",
               from_version or "", "assume" if assume_newest_known else "",
               "with-patches" if with_patches else ""]  # fmt: skip
    return render_cached(
        item,
        profile=profile,
        what=what,
        key=command,
        talos_version=talos_version,
        from_version=from_version,
        assume_newest_known=assume_newest_known,
        with_patches=with_patches,
    )


def render_cached(
    item: Input | None,
    *,
    key: list[str],
    what: RenderWhat,
    profile: str | None = None,
    kindless: Literal["any", "intent-like"] = "any",
    ignore_unknown: bool = False,
    source: str | None = None,
    **options: Any,
) -> RenderOutcome:
    """Classify and render ``item`` (or ``profile``) through the render cache, keyed by the
    command's ``key`` and the input bytes: on a hit nothing is parsed. ``kindless``: when a YAML
    mapping without ``kind`` is an intent (:func:`talosgpu.commands.inputs.classify`).
    ``ignore_unknown``: YAML that is neither is not talosgpu's (``check``: ``kind`` None)
    rather than an intent the loader words the error for (``render``). ``source`` names the
    input in errors (default: as given)."""
    if item is not None and b"patches" in item.data:
        # the intent may name patch files: their bytes are not in the key, so no cache
        return _render_uncached(
            item, profile, what, kindless=kindless, ignore_unknown=ignore_unknown,
            source=source, options=options,
        )  # fmt: skip
    cache_key = cache.key(command=key, inputs=[item.data if item is not None else b""])
    hit = cache.get(cache_key)
    outcome = RenderOutcome.from_record(hit) if hit is not None else None
    if outcome is None or outcome.what != what:
        outcome = _render_uncached(
            item,
            profile,
            what,
            kindless=kindless,
            ignore_unknown=ignore_unknown,
            source=source,
            options=options,
        )
        cache.put(cache_key, outcome.record())
    return outcome


def _render_uncached(
    item: Input | None,
    profile: str | None,
    what: RenderWhat,
    *,
    kindless: Literal["any", "intent-like"],
    ignore_unknown: bool,
    source: str | None,
    options: dict[str, Any],
) -> RenderOutcome:
    # lazy: a cache hit needs none of the YAML library, pydantic, the plan or the renderers
    from talosgpu import yamlio
    from talosgpu.commands.inputs import classify
    from talosgpu.intent.load import intent_from_document, load_intent_text
    from talosgpu.outputs import render_intent

    options = dict(options)
    merge = bool(options.pop("with_patches", False))
    if item is None:
        assert profile is not None
        loaded, label = load_target(profile=profile)
        again = rerender_args(label, **options)
        return _outcome(render_intent(loaded, source=label, rerender=again, **options), what)
    text, where = item.text, source or item.source
    kind, doc = classify(yamlio.load_all(text, source=where), kindless=kindless)
    if kind == "inventory":
        # lazy: only an inventory needs the fleet layer
        from talosgpu.errors import IntentError
        from talosgpu.fleet import (
            fleet_output_files,
            fleet_warnings,
            inventory_from_data,
            render_fleet,
        )

        if what != "dir":
            raise IntentError(
                "an inventory renders one folder per node: use --output-dir DIR "
                "(without --output, --explain or --manifests)",
                file=where,
            )
        rendered = render_fleet(inventory_from_data(doc, source=where), **options)
        rendered = {
            name: _with_patches(one, one.plan.intent, where=where, merge=merge, node=name)
            for name, one in rendered.items()
        }
        return RenderOutcome(
            what=what,
            kind=kind,
            warnings=tuple(fleet_warnings(rendered)),
            files=fleet_output_files(rendered, source=where),
        )
    if kind == "intent":
        loaded = intent_from_document(doc, source=where)
    elif ignore_unknown:
        return RenderOutcome(what=what, kind=None)  # YAML that is not talosgpu's
    else:
        loaded = load_intent_text(text, source=where)  # words what is wrong
    again = rerender_args(item.label, **options)
    if merge and loaded.patches:
        again = (*again, "--with-patches")
    one = render_intent(loaded, source=item.label, rerender=again, **options)
    return _outcome(_with_patches(one, loaded, where=where, merge=merge), what)


def _with_patches(
    rendered: Rendered, loaded: Intent, *, where: str, merge: bool, node: str | None = None
) -> Rendered:
    """The node patch merged with the intent's ``patches`` (``--with-patches``), else
    talosgpu's part with a warning that the output leaves them out."""
    if not loaded.patches:
        return rendered
    from talosgpu.commands.patches import base_dir, load_user_patches  # lazy: as above
    from talosgpu.nodepatch import merge_node_patches  # lazy: as above

    try:
        patches = load_user_patches(loaded, base=base_dir(where))
        # JSON6902 patches are not merged: the header names them (nodepatch._with_after)
        merged = merge_node_patches(rendered, patches)
        if merge:
            return merged
        # left out of this output, but checked: diff and apply use them, and check refuses an
        # intent whose patches do not load or collide, so render must not pass it
    except TalosGPUError as exc:
        prefix = f"node {node}: " if node else ""
        # an error inside a patch file names that file (a bad YAML line there), else the intent
        raise type(exc)(prefix + exc.message, file=exc.file or where, path=exc.yaml_path) from None
    note = (
        f"the intent has {len(loaded.patches)} patch(es) this output leaves out: "
        "--with-patches gives the merged node patch (diff and apply always use it)"
    )
    return replace(rendered, warnings=(*rendered.warnings, note))


def _outcome(rendered: Rendered, what: RenderWhat) -> RenderOutcome:
    from talosgpu.outputs import output_files  # lazy: as above

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
        from talosgpu.k8s import render_manifests  # lazy: as above

        return RenderOutcome(what=what, warnings=warnings, text=render_manifests(rendered.plan))
    if what == "dir":
        return RenderOutcome(what=what, warnings=warnings, files=output_files(rendered))
    if what == "json":
        return RenderOutcome(what=what, warnings=warnings, text=_json_text(rendered))
    return RenderOutcome(what=what, warnings=warnings, text=rendered.patch_text)


def _json_text(rendered: Rendered) -> str:
    """``render --format json`` (docs/schemas/render.schema.json): the patch documents, the
    CRI part, the plan's decisions and the warnings."""
    import json  # lazy: as above

    from talosgpu.plan import plan_summary  # lazy: as above

    summary = plan_summary(rendered.plan)
    document = {
        "version": 1,
        "talosVersion": summary["talosVersion"],
        "mode": summary["mode"],
        "header": rendered.header,
        "documents": list(rendered.documents),
        "criPart": rendered.cri_toml,
        "decisions": summary["decisions"],
        "warnings": list(rendered.warnings),
    }
    return json.dumps(document, indent=2) + "\n"


# Every name render --output-dir writes (outputs.output_files; the CRI file is the machine
# file's name to 1.13, the CRICustomizationConfig content from 1.14): an old output folder
# holding only these (in node sub-folders for an inventory) is talosgpu's to replace.
OUTPUT_NAMES = frozenset(
    {
        "patch.yaml",
        "plan.json",
        "schematic.yaml",
        "manifests.yaml",
        "20-customization.part",
        "cri-customization.toml",
    }
)


def check_output_dir(output_dir: str | Path) -> None:
    """Fail before rendering when ``output_dir`` holds files render would not write."""
    from talosgpu.fsio import check_replaceable  # lazy: a cache hit needs no file helpers

    base = Path(output_dir)
    if base.exists():
        check_replaceable(base, OUTPUT_NAMES)


def write_output_dir(output_dir: str | Path, files: dict[str, str]) -> list[Path]:
    """Replace ``output_dir`` with exactly ``files``, all or nothing (:func:`fsio.write_tree_atomic`)."""
    from talosgpu.fsio import write_tree_atomic  # lazy: a cache hit needs no file helpers

    owned = OUTPUT_NAMES | {Path(name).name for name in files}
    return write_tree_atomic(output_dir, files, owned=owned)
