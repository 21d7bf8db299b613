"""Settings of the node's own CRI part that a proposal drops.

talosgpu's CRI part replaces the node's part whole: a changed ``machine.files`` item becomes
``$patch: delete`` plus the new item (:mod:`talosgpu.talos.idempotency`), and a
``CRICustomizationConfig`` of the same name is one document. TOML talosgpu did not render — a
registry mirror, its credentials, a debug level written by hand into
``/etc/cri/conf.d/20-customization.part`` — goes with it. The diff shows the removed lines, but a
reviewer reading "talosgpu's part changes" would not expect their registry auth to go, so the
keys that go are named in a warning, with the way to keep them (``runtime.extraCriToml``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from talosgpu import tomlio
from talosgpu.errors import YAMLError
from talosgpu.renderers.cri import DOCUMENT_NAME
from talosgpu.talos.documents import CRI_PART_PATH, doc_kind, is_v1alpha1

__all__ = ["dropped_cri_settings", "other_default_runtimes", "renders_only_talosgpu_keys"]

# What talosgpu's CRI renderer writes (renderers/cri.py): dropping one of these is talosgpu
# replacing its own earlier render, not the user's setting.
_RENDERED_KEYS = frozenset({"enable_cdi", "cdi_spec_dirs", "default_runtime_name"})
_SHOWN = 4


def _parts(docs: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """The CRI part texts talosgpu replaces, by where they live."""
    out: dict[str, list[str]] = {}
    for doc in docs:
        if is_v1alpha1(doc):
            machine = doc.get("machine")
            files = machine.get("files") if isinstance(machine, Mapping) else None
            for entry in files if isinstance(files, list) else ():
                if isinstance(entry, Mapping) and entry.get("path") == CRI_PART_PATH:
                    if isinstance(entry.get("content"), str):
                        out.setdefault(CRI_PART_PATH, []).append(entry["content"])
        elif doc_kind(doc) == "CRICustomizationConfig" and doc.get("name") == DOCUMENT_NAME:
            if isinstance(doc.get("content"), str):
                label = f"CRICustomizationConfig {DOCUMENT_NAME}"
                out.setdefault(label, []).append(doc["content"])
    return out


def _leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """``(key path, value)`` of every value that is not a table with keys (an empty table is
    one: it is set too)."""
    if isinstance(value, dict) and value:
        for key, inner in value.items():
            yield from _leaves(inner, (*path, str(key)))
    else:
        yield path, value


def _settings(texts: Sequence[str]) -> set[tuple[str, ...]] | None:
    """Every key path the texts set; None when one is not TOML (nothing can be said of it)."""
    found: set[tuple[str, ...]] = set()
    for text in texts:
        try:
            found.update(p for p, _ in _leaves(tomlio.loads(text)))
        except YAMLError:
            return None
    return found


def _rendered(path: tuple[str, ...]) -> bool:
    """A key talosgpu writes itself: a CDI/default-runtime key or an NVIDIA runtime's table."""
    if path and path[-1] in _RENDERED_KEYS:
        return True
    return any(
        step == "runtimes" and i + 1 < len(path) and path[i + 1].startswith("nvidia")
        for i, step in enumerate(path)
    )


def renders_only_talosgpu_keys(text: str) -> bool:
    """Does this CRI part set nothing but what talosgpu's renderer writes (an earlier render of
    talosgpu's, not the user's TOML)?"""
    found = _settings([text])
    return found is not None and bool(found) and all(_rendered(p) for p in found)


def _key(path: tuple[str, ...]) -> str:
    """The TOML key path (``plugins."io.containerd.cri.v1.images".discard_unpacked_layers``):
    a key name, never its value."""
    return ".".join(f'"{p}"' if "." in p or not p else p for p in path)


def dropped_cri_settings(
    live_docs: Sequence[Mapping[str, Any]], proposed_docs: Sequence[Mapping[str, Any]]
) -> list[str]:
    """A warning per CRI part whose settings (not talosgpu's own keys) the proposal removes,
    naming their keys (never their values)."""
    proposed = _parts(proposed_docs)
    warnings: list[str] = []
    for label, texts in _parts(live_docs).items():
        before, after = _settings(texts), _settings(proposed.get(label, []))
        if before is None or after is None:
            continue
        gone = sorted({_key(p) for p in before - after if not _rendered(p)})
        if not gone:
            continue
        shown = ", ".join(gone[:_SHOWN]) + (
            f" and {len(gone) - _SHOWN} more" if len(gone) > _SHOWN else ""
        )
        them = "it" if len(gone) == 1 else "them"
        warnings.append(
            f"the node's CRI part ({label}) sets {shown}, which talosgpu's part does not: "
            f"applying replaces the part whole and removes {them}; to keep {them}, put {them} in "
            "the intent's runtime.extraCriToml"
        )
    return warnings


def other_default_runtimes(
    proposed_docs: Sequence[Mapping[str, Any]], intended: str | None
) -> list[str]:
    """A warning per other CRI customization of the proposed config that sets another
    ``default_runtime_name`` than the plan's: containerd merges the parts (in name order,
    research talos-1.14-1.15-gpu.md §2), so one of the two settings is not in effect."""
    if intended is None:
        return []  # talosgpu's part sets no default runtime: the node's own setting stands
    wanted = intended
    out: list[str] = []
    for doc in proposed_docs:
        if doc_kind(doc) != "CRICustomizationConfig" or doc.get("name") == DOCUMENT_NAME:
            continue
        content = doc.get("content")
        try:
            data = tomlio.loads(content) if isinstance(content, str) else {}
        except YAMLError:
            continue
        found = sorted(
            {
                str(v)
                for p, v in _leaves(data)
                if p and p[-1] == "default_runtime_name" and not isinstance(v, dict)
            }
            - {wanted}
        )
        if found:
            out.append(
                f"the node's CRICustomizationConfig {doc.get('name')!r} sets default_runtime_name "
                f"= {found[0]!r}, the plan {wanted!r}: containerd merges both parts, so one of "
                "them is not in effect; remove it there or set runtime.defaultRuntime"
            )
    return out
