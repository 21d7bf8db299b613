"""Applying a chain of patches to a machine config (``configpatcher/apply.go``).

Strategic patches merge documents (:func:`talosgpu.talos.merge.merge_documents`); JSON6902 patches
(``configpatcher/json6902.go``) only work while the config is exactly one YAML document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonpatch

from talosgpu import yamlio
from talosgpu.errors import MergeError
from talosgpu.plain import clone
from talosgpu.talos.documents import check_config_documents, is_v1alpha1, order_documents
from talosgpu.talos.homes import check_homes
from talosgpu.talos.merge import merge_documents
from talosgpu.talos.patches import Patch, load_patch
from talosgpu.talos.shapes import check_shapes
from talosgpu.versions import DEFAULT_VERSION, TalosVersion, version_option

__all__ = ["PatchResult", "apply_json6902", "apply_patch_chain", "apply_patches", "load_config"]

JSON6902_MULTIDOC = "JSON6902 patches are not supported for multi-document machine configuration"

# Fields Talos's encoder always writes for v1alpha1 (see every configpatcher expected.yaml): a
# JSON6902 patch sees them because it runs on the encoded bytes, e.g. `add /machine/certSANs/-`.
_ENCODER_DEFAULTS: tuple[tuple[str, Any], ...] = (("type", ""), ("token", ""), ("certSANs", []))


@dataclass(frozen=True, slots=True)
class PatchResult:
    """The patched config: its documents (v1alpha1 first) and their canonical YAML."""

    documents: list[dict[str, Any]]
    talos_version: TalosVersion

    @property
    def text(self) -> str:
        """Canonical YAML (``yamlio.dump_all``); ``""`` for an empty config."""
        return yamlio.dump_all(self.documents)


def load_config(text: str, *, source: str = "<config>") -> list[dict[str, Any]]:
    """Parse a machine config (any number of documents) and check it like Talos's loader."""
    docs = yamlio.load_all(text, source=source)
    check_config_documents(docs, source=source)
    check_shapes(docs, source=source)
    return [dict(doc) for doc in docs]


def apply_json6902(
    docs: Sequence[Mapping[str, Any]],
    operations: Sequence[Mapping[str, Any]],
    *,
    source: str = "<patch>",
) -> list[dict[str, Any]]:
    """Apply RFC 6902 operations to a single-document config (Talos's exact error otherwise)."""
    if len(docs) != 1:
        raise MergeError(JSON6902_MULTIDOC, file=source)
    doc = clone(dict(docs[0]))
    machine = doc.get("machine") if is_v1alpha1(doc) else None
    injected: list[tuple[str, Any]] = []
    if isinstance(machine, dict):
        for key, default in _ENCODER_DEFAULTS:
            if key not in machine:
                machine[key] = clone(default)
                injected.append((key, default))
    try:
        result = jsonpatch.apply_patch(doc, [dict(op) for op in operations])
    except jsonpatch.JsonPatchTestFailed:
        # jsonpatch quotes both values (the live one may be /cluster/secret); Talos's
        # evanphx/json-patch says only where: "testing value %s failed: test failed".
        failed = _failed_op(doc, operations)
        where = str(failed[1].get("path")) if failed else "(a test operation)"
        raise MergeError(
            "failure applying rfc6902 patches to talos machine config: "
            f"testing value {where} failed: test failed",
            file=source,
        ) from None
    except (
        jsonpatch.JsonPatchException,
        jsonpatch.JsonPointerException,
        KeyError,
        IndexError,
        TypeError,
        ValueError,
    ) as exc:
        raise MergeError(
            f"failure applying rfc6902 patches to talos machine config: {_detail(exc, doc, operations)}",
            file=source,
        ) from None
    if not isinstance(result, dict):
        raise MergeError("talos machine config is not a yaml document", file=source)
    machine = result.get("machine")
    if isinstance(machine, dict):
        for key, default in injected:
            if machine.get(key, object()) == default:
                del machine[key]
    return [result]


def _failed_op(
    doc: Mapping[str, Any], operations: Sequence[Mapping[str, Any]]
) -> tuple[int, Mapping[str, Any]] | None:
    """The index and operation that fails first when the operations run in order."""
    current: Any = clone(dict(doc))
    for index, op in enumerate(operations):
        try:
            current = jsonpatch.apply_patch(current, [dict(op)])
        except Exception:  # locating the failure: whichever error it is
            return index, op
    return None


# jsonpatch ends a pointer error with the repr of the document it searched ("member 'x' not
# found in {...}"): the whole cluster section with its secrets. Talos's evanphx/json-patch
# names only the path, and so does this message.
_DOCUMENT_REPR = re.compile(r" in [\[{].*$", re.DOTALL)


def _detail(exc: Exception, doc: Mapping[str, Any], operations: Sequence[Mapping[str, Any]]) -> str:
    """What failed, by operation and path, never quoting the document."""
    text = _DOCUMENT_REPR.sub("", " ".join(str(exc).split())) or type(exc).__name__
    failed = _failed_op(doc, operations)
    if failed is None:
        return text
    index, op = failed
    return f"op {index} ({op.get('op')} {op.get('path')}): {text}"


def apply_patches(
    config: str | Sequence[Mapping[str, Any]],
    patches: Sequence[str | Patch],
    *,
    talos_version: str | TalosVersion | None = None,
    base_dir: Path | None = None,
) -> PatchResult:
    """Apply ``patches`` in order to ``config``, as ``talosctl machineconfig patch`` does.

    ``config`` is YAML text or plain documents; a patch is a :class:`Patch` or a ``-p`` style
    string (``@file``, a bare filename, inline YAML/JSON; see :func:`load_patch`).
    ``talos_version`` (default: the newest released minor, DEFAULT_VERSION) selects version-dependent behaviour.

    >>> apply_patches("machine: {sysctls: {a: '1'}}", ["machine: {sysctls: {b: '2'}}"]).documents
    [{'machine': {'sysctls': {'a': '1', 'b': '2'}}}]
    """
    # Talos's merge rules change by release: a release talosgpu does not know is refused.
    version = version_option(talos_version if talos_version is not None else DEFAULT_VERSION)
    assert version is not None
    # A private copy: the result of apply_patch_chain shares subtrees with what it is given.
    docs = load_config(config) if isinstance(config, str) else [clone(dict(d)) for d in config]
    loaded = [p if isinstance(p, Patch) else load_patch(p, base_dir=base_dir) for p in patches]
    result = apply_patch_chain(docs, loaded, talos_version=version)
    # A JSON6902 op can put anything anywhere: the merged config must decode too.
    check_shapes(result.documents, source="the patched config")
    if version.gpu_documents:
        check_homes(result.documents, source="the patched config")
    return result


def apply_patch_chain(
    config_docs: Sequence[Mapping[str, Any]],
    patches: Sequence[Patch],
    *,
    talos_version: TalosVersion,
    source: str = "<config>",
) -> PatchResult:
    """:func:`apply_patches` on documents without copying them first: the result shares
    untouched subtrees with ``config_docs`` (merges copy only what they change), which is what
    lets a diff skip everything a patch did not touch. Treat both as read-only. ``source``
    names the config in errors."""
    version = talos_version
    docs = [dict(doc) for doc in config_docs]
    check_config_documents(docs, source=source)
    for patch in patches:
        if patch.kind == "json6902":
            docs = apply_json6902(docs, patch.operations, source=patch.source)
        else:
            docs = merge_documents(
                docs,
                patch.documents,
                talos_version=version,
                source=patch.source,
                lines=patch.lines,
            )
    return PatchResult(documents=order_documents(docs), talos_version=version)
