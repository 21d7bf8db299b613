"""What each input of ``talosgpu check`` stands for now, through the on-disk render cache.

For every file given to ``check``: is it an intent, an inventory or neither, and what would
``talosgpu render`` write for it? On a cache hit (same bytes, same name, same rendered-folder
presence, same talosgpu) nothing is parsed, so a current repository costs neither the YAML
library nor pydantic (:mod:`talosgpu.cache`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from talosgpu.errors import TalosGPUError

__all__ = ["Rendered", "classify", "render_input", "rendered_folder"]


def rendered_folder(path: str, template: str) -> str:
    """The folder holding ``path``'s committed rendered files (``{dir}``/``{stem}`` template)."""
    p = Path(path)
    try:
        return os.path.normpath(template.format(dir=str(p.parent), stem=p.stem))
    except (KeyError, IndexError, ValueError):
        raise TalosGPUError(
            f"--rendered-dir {template!r}: only {{dir}} and {{stem}} can be used"
        ) from None


def classify(
    path: str, template: str, *, text: str, display: str
) -> tuple[Literal["intent", "inventory"] | None, Any]:
    """``intent``/``inventory``/None (not ours) and the parsed document of ``text``, the
    contents of ``path`` (``display`` names it in errors)."""
    from talosgpu import yamlio

    docs = yamlio.load_all(text, source=display)
    doc = docs[0] if len(docs) == 1 else None
    if not isinstance(doc, Mapping):
        return None, None
    kind, api = doc.get("kind"), doc.get("apiVersion")
    if kind == "GPUInventory":
        return "inventory", doc
    ours = kind == "GPUNode" or (isinstance(api, str) and api.startswith("talosgpu.dev/"))
    # A kind-less intent (``profile: nvidia-cdi`` + overrides) counts when it has outputs.
    if ours or (kind is None and Path(rendered_folder(path, template)).is_dir()):
        return "intent", doc
    return None, None


@dataclass(frozen=True, slots=True)
class Rendered:
    """What one input stands for now: an intent or inventory (``kind``) with the files talosgpu
    renders for it and the render's warnings, or None (YAML that is not ours: ignored)."""

    kind: Literal["intent", "inventory"] | None
    files: Mapping[str, str]
    warnings: tuple[str, ...]


def render_input(path: str, template: str) -> Rendered:
    """Classify and render ``path``, through the on-disk cache of :mod:`talosgpu.cache`.

    The pre-commit hook meets unchanged intents on nearly every commit: on a hit (same bytes,
    same name, same rendered-folder presence, same talosgpu) nothing is parsed, so neither the
    YAML library nor pydantic is imported. A miss, or any error, takes the full path.
    """
    from talosgpu import cache

    source = os.path.normpath(path)
    has_folder = Path(rendered_folder(path, template)).is_dir()  # decides kind-less intents
    try:
        data = Path(path).read_bytes()
    except OSError:
        data = None  # the full path reports it
    cache_key = ""
    if data is not None:
        cache_key = cache.key(command=["check", source, str(has_folder)], inputs=[data])
        hit = cache.get(cache_key)
        if hit is not None and isinstance(hit.get("files"), dict):
            kind = hit.get("kind")
            return Rendered(
                kind=kind if kind in ("intent", "inventory") else None,
                files=dict(hit["files"]),
                warnings=tuple(hit.get("warnings", ())),
            )
    result = _render_uncached(path, template, source)
    if cache_key:
        record = {"kind": result.kind, "files": dict(result.files), "warnings": result.warnings}
        cache.put(cache_key, record)
    return result


def _render_uncached(path: str, template: str, source: str) -> Rendered:
    from talosgpu import yamlio

    text, display = yamlio.read_source(path)  # read once: classify and render both use it
    kind, doc = classify(path, template, text=text, display=display)
    if kind is None:
        return Rendered(kind=None, files={}, warnings=())
    if kind == "inventory":
        from talosgpu.fleet import (
            fleet_output_files,
            fleet_warnings,
            inventory_from_data,
            render_fleet,
        )

        rendered_fleet = render_fleet(inventory_from_data(doc, source=source))
        return Rendered(
            kind=kind,
            files=dict(fleet_output_files(rendered_fleet)),
            warnings=tuple(fleet_warnings(rendered_fleet)),
        )
    from talosgpu import api
    from talosgpu.intent.load import load_intent_text

    rendered = api.render(load_intent_text(text, source=source), source=Path(path).name)
    return Rendered(
        kind=kind, files=dict(api.output_files(rendered)), warnings=tuple(rendered.warnings)
    )
