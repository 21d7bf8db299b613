"""Identity of Talos machine-config documents (plain data from :mod:`talosgpu.yamlio`).

Talos matches a patch document to a config document by ``apiVersion/kind[/name]``
(``pkg/machinery/config/configpatcher/strategic.go`` ``documentID``); the legacy v1alpha1 document
has no apiVersion and kind ``v1alpha1``, so its id is ``/v1alpha1``
(``types/v1alpha1/v1alpha1_provider.go``). A document is v1alpha1 when it has one of the top-level
keys ``machine``, ``cluster``, ``debug`` or ``persist``
(``configloader/internal/decoder/decoder.go``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from talosgpu.errors import ConfigError
from talosgpu.talos.mergerules import NAMED_KINDS

# The one machine file Talos <= 1.13 injects into containerd's CRI config, and the only
# machine.files path outside /var it accepts for op: create (WriteUserFiles in
# internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_sequencer_tasks.go, research §3).
CRI_PART_PATH = "/etc/cri/conf.d/20-customization.part"
# Its 1.14 successor: the part's TOML as a document's `content` (cri/customization.go).
CRI_KIND = "CRICustomizationConfig"

__all__ = [
    "CRI_KIND",
    "CRI_PART_PATH",
    "V1ALPHA1",
    "check_config_documents",
    "doc_kind",
    "document_id",
    "is_v1alpha1",
    "order_documents",
]

V1ALPHA1 = "v1alpha1"
_V1ALPHA1_KEYS = frozenset({"machine", "cluster", "debug", "persist"})


def is_v1alpha1(doc: Mapping[str, Any]) -> bool:
    """True for the legacy ``version: v1alpha1`` document (decoder.go's top-level key test)."""
    if not _V1ALPHA1_KEYS.isdisjoint(doc):  # set test in C: this runs for every document
        return True
    return "kind" not in doc and "apiVersion" not in doc and doc.get("version") == V1ALPHA1


def doc_kind(doc: Mapping[str, Any]) -> str:
    """``v1alpha1`` for the legacy document, else the document's ``kind`` (``""`` when missing)."""
    if is_v1alpha1(doc):
        return V1ALPHA1
    kind = doc.get("kind")
    return kind if isinstance(kind, str) else ""


def document_id(doc: Mapping[str, Any]) -> str:
    """``apiVersion/kind`` plus ``/name`` for named kinds; ``/v1alpha1`` for the legacy document.

    >>> document_id({"apiVersion": "v1alpha1", "kind": "KernelModuleConfig", "name": "nvidia"})
    'v1alpha1/KernelModuleConfig/nvidia'
    >>> document_id({"machine": {}})
    '/v1alpha1'
    """
    if is_v1alpha1(doc):
        return "/" + V1ALPHA1
    api_version = doc.get("apiVersion")
    ident = f"{api_version if isinstance(api_version, str) else ''}/{doc_kind(doc)}"
    name = doc.get("name")
    if doc_kind(doc) in NAMED_KINDS or name is not None:
        ident += "/" + (str(name) if name is not None else "")
    return ident


def decoder_id(doc: Mapping[str, Any]) -> str:
    """The id the decoder prints in its duplicate error: ``apiVersion/kind/name`` (decoder.go)."""
    api_version = "" if is_v1alpha1(doc) else str(doc.get("apiVersion") or "")
    kind = doc_kind(doc) or V1ALPHA1
    name = doc.get("name")
    return f"{api_version}/{kind}/{'' if name is None or is_v1alpha1(doc) else name}"


def check_document(doc: Any, *, source: str, index: int) -> None:
    """Reject what Talos's decoder rejects: non-mappings and documents without kind/apiVersion."""
    if not isinstance(doc, Mapping):
        raise ConfigError(
            f"expected a YAML document (document {index + 1})", file=source, path=[index]
        )
    if is_v1alpha1(doc):
        _check_v1alpha1_keys(doc, source=source, index=index)
        return
    ident = decoder_id(doc)
    if not doc.get("kind"):
        message = f"error decoding document {ident}: missing kind"
        raise ConfigError(message, file=source, path=[index, "kind"])
    if not doc.get("apiVersion"):
        message = f"error decoding document {ident}: missing apiVersion"
        raise ConfigError(message, file=source, path=[index, "apiVersion"])


# v1alpha1_types.go Config: version, debug, persist (deprecated, still decoded), machine, cluster
_V1ALPHA1_TOP = frozenset({"version", "debug", "persist", "machine", "cluster"})
# ``talosctl gen secrets`` (generate/secrets/bundle.go): a bundle shares ``cluster`` with a config
_BUNDLE_KEYS = frozenset({"secrets", "trustdinfo", "certs"})


def _check_v1alpha1_keys(doc: Mapping[str, Any], *, source: str, index: int) -> None:
    """Unknown top-level keys: Talos's decoder is strict (decoder.go checkUnknownKeys)."""
    if "kind" in doc or "apiVersion" in doc:
        return  # a document that mixes both forms: judged elsewhere, not guessed at here
    unknown = sorted(str(key) for key in doc if key not in _V1ALPHA1_TOP)
    if not unknown:
        return
    shown = ", ".join(repr(key[:40]) for key in unknown[:5])
    message = f"unknown keys found during decoding: {shown}"
    if set(unknown) >= _BUNDLE_KEYS:
        message += " (this is a `talosctl gen secrets` bundle, not a machine config)"
    raise ConfigError(message, file=source, path=[index, unknown[0]])


def check_config_documents(docs: Sequence[Any], *, source: str) -> None:
    """A full config: every document valid, no two documents with the same id (decoder.go)."""
    seen: set[str] = set()
    for index, doc in enumerate(docs):
        check_document(doc, source=source, index=index)
        ident = decoder_id(doc)
        if ident in seen:
            message = f"duplicate document {ident} is not allowed"
            raise ConfigError(message, file=source, path=[index])
        seen.add(ident)


def order_documents(docs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """v1alpha1 first, the rest in their order (``container.Container.Documents``)."""
    legacy = [doc for doc in docs if is_v1alpha1(doc)]
    return legacy + [doc for doc in docs if not is_v1alpha1(doc)]
