"""What a node moving to a release without NVIDIA runtime binaries (Talos 1.15+) must lose.

The 1.15 toolkit extension ships no ``nvidia-container-runtime`` (research
``talos-1.14-1.15-gpu.md``): a CRI part that still points at it breaks every pod that uses it.
talosgpu's own old part is deleted in the proposal; any other such part or file is a warning.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from talosgpu.renderers.base import Rendered
from talosgpu.renderers.cri import delete_own_part, is_own_part

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
            if is_own_part(doc) and not any(is_own_part(d) for d in docs):
                docs.insert(0, delete_own_part())
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
            warnings.append(
                f"the live machine file {where} points at NVIDIA runtime binaries that Talos {v} "
                f"does not ship: pods using it fail (delete it with "
                f"`machine: {{files: [{{path: {where}, $patch: delete}}]}}`)"
            )
    if len(docs) == len(rendered.documents):
        return rendered, warnings
    return replace(rendered, documents=tuple(docs)), warnings
