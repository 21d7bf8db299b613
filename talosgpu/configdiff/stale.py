"""What a node moving to a release without NVIDIA runtime binaries (Talos 1.15+) must lose.

The 1.15 toolkit extension ships no ``nvidia-container-runtime`` (research
``talos-1.14-1.15-gpu.md``): a CRI part that still points at it breaks every pod that uses it.
talosgpu's own old part is deleted in the proposal; any other such part or file is a warning.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from talosgpu.configdiff.cri_dropped import renders_only_talosgpu_keys
from talosgpu.renderers.base import Rendered
from talosgpu.renderers.cri import delete_own_part, is_own_part
from talosgpu.talos.documents import CRI_PART_PATH, is_v1alpha1

__all__ = ["drop_stale_runtime_parts"]


def drop_stale_runtime_parts(
    rendered: Rendered, live_docs: list[dict[str, Any]]
) -> tuple[Rendered, list[str]]:
    """On a release without NVIDIA runtime binaries (1.15+), remove talosgpu's own old CRI part
    from the live config and warn about any other part that points at those binaries."""
    v = rendered.plan.version
    if v.extension_ships_toolkit:
        return rendered, []
    warnings: list[str] = []
    docs = list(rendered.documents)
    for doc in live_docs:
        if doc.get("kind") == "CRICustomizationConfig" and isinstance(doc.get("content"), str):
            name = doc.get("name")
            if is_own_part(doc):
                if not any(is_own_part(d) for d in docs):
                    docs.insert(0, delete_own_part())
                # else the render rewrites talosgpu's part: nothing of the old one stays
            elif "nvidia-container-runtime" in doc["content"]:
                warnings.append(
                    f"the live CRICustomizationConfig {name!r} points at NVIDIA runtime "
                    f"binaries that Talos {v} does not ship: pods using it fail (delete it)"
                )
    machine = next((d.get("machine") for d in live_docs if "machine" in d), None)
    files = machine.get("files") if isinstance(machine, dict) else None
    for entry in files if isinstance(files, list) else []:
        content = entry.get("content") if isinstance(entry, dict) else None
        if isinstance(content, str) and "nvidia-container-runtime" in content:
            where = entry.get("path", "?")
            if where == CRI_PART_PATH and renders_only_talosgpu_keys(content):
                # talosgpu's own part of an earlier release (only the keys its renderer
                # writes): deleted, as its 1.14 document is
                docs = _with_file_delete(docs, CRI_PART_PATH)
                warnings.append(
                    f"deletes talosgpu's old CRI part ({CRI_PART_PATH}): its runtimes point at "
                    f"NVIDIA runtime binaries that Talos {v} does not ship"
                )
                continue
            warnings.append(
                f"the live machine file {where} points at NVIDIA runtime binaries that Talos {v} "
                f"does not ship: pods using it fail (delete it with "
                f"`machine: {{files: [{{path: {where}, $patch: delete}}]}}`)"
            )
    if docs == list(rendered.documents):  # (a delete may go into the existing v1alpha1 doc)
        return rendered, warnings
    return replace(rendered, documents=tuple(docs)), warnings


def _with_file_delete(docs: list[Any], path: str) -> list[Any]:
    """``docs`` with a ``machine.files`` delete of ``path`` in the v1alpha1 patch document."""
    marker = {"path": path, "$patch": "delete"}
    out = [dict(d) for d in docs]
    v1 = next((d for d in out if is_v1alpha1(d)), None)
    if v1 is None:
        return [{"machine": {"files": [marker]}}, *out]
    machine = dict(v1.get("machine") or {})
    machine["files"] = [marker, *list(machine.get("files") or [])]
    v1["machine"] = machine
    return out


def unrendered_runtime_parts(rendered: Rendered, live_docs: list[dict[str, Any]]) -> list[str]:
    """When the plan renders no CRI customization but the live config has one with NVIDIA
    runtime settings (an earlier render for another runtime mode), say so: ``diff`` only adds
    what the intent renders and never removes what it does not, so it would report no change."""
    if rendered.cri_toml is not None or not rendered.plan.version.extension_ships_toolkit:
        return []  # 1.15+: drop_stale_runtime_parts handles them
    out: list[str] = []
    for doc in live_docs:
        if doc.get("kind") == "CRICustomizationConfig" and isinstance(doc.get("content"), str):
            if "nvidia" in doc["content"]:
                out.append(doc.get("name") or "?")
    machine = next((d.get("machine") for d in live_docs if "machine" in d), None)
    files = machine.get("files") if isinstance(machine, dict) else None
    for entry in files if isinstance(files, list) else []:
        if isinstance(entry, dict) and entry.get("path") == CRI_PART_PATH:
            if "nvidia" in str(entry.get("content") or ""):
                out.append(CRI_PART_PATH)
    return [
        f"the live config has a CRI customization with NVIDIA runtime settings ({where}) that "
        f"runtime mode {rendered.plan.mode!r} does not render (from an earlier render for "
        "another mode?); talosgpu never removes what it does not render: delete it if this "
        "mode does not need it"
        for where in out
    ]
