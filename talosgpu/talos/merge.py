"""Talos strategic merge on plain data.

Generic rules (``pkg/machinery/config/merge/merge.go``): maps merge key by key, lists append, a
``null`` in the patch is ignored, ``""``/``0`` do not overwrite (except pointer-typed fields from
1.12, see the ``overwrite`` flag added in commit a2122ee5c), booleans are always copied. Field
specific behaviour (keyed lists, ``merge:"replace"``, ``extraArgs``...) comes from the table in
:mod:`talosgpu.talos.mergerules`.

:func:`merge_documents` is ``configpatcher.StrategicMerge``: documents are matched by id, delete
selectors applied, unknown documents appended, v1alpha1 first in the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from talosgpu.errors import MergeError
from talosgpu.plain import clone
from talosgpu.talos.deletes import (
    PATCH_KEY,
    Selector,
    ZeroedDocument,
    apply_selector,
    extract_deletes,
)
from talosgpu.talos.documents import (
    V1ALPHA1,
    check_document,
    decoder_id,
    doc_kind,
    document_id,
    is_v1alpha1,
    order_documents,
)
from talosgpu.talos.mergerules import FieldRule, rule_for
from talosgpu.versions import TalosVersion

__all__ = ["decode_normalise", "merge_documents", "merge_value", "strategic_entries"]

Path = tuple[str | int, ...]


def _is_zero(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return value == "" or (isinstance(value, (int, float)) and value == 0)


def _go_type(value: Any) -> str:
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    return "string"


def merge_value(left: Any, right: Any, *, kind: str, path: Path, version: TalosVersion) -> Any:
    """Merge ``right`` (patch) into ``left`` (config) for the field at ``path`` of a ``kind`` doc.

    Returns a new value; neither input is modified, and the result shares nothing with them.
    """
    return _merge_value(clone(left), right, kind=kind, path=path, version=version)


def _merge_value(left: Any, right: Any, *, kind: str, path: Path, version: TalosVersion) -> Any:
    """:func:`merge_value` on a ``left`` the caller owns: the result may share untouched
    subtrees with it (merge_documents passes its private copy of the config, so the whole config
    is not copied again at every level)."""
    if right is None:
        return left
    if left is None:
        return clone(right)
    rule = rule_for(kind, path, version)
    if rule is not None and rule.behaviour == "replace":
        return clone(right)
    if isinstance(left, dict) and isinstance(right, dict):
        return _merge_map(left, right, rule, kind=kind, path=path, version=version)
    if isinstance(left, list) and isinstance(right, list):
        if rule is not None and rule.behaviour in ("keyed", "keyed-replace"):
            return _merge_keyed(left, right, rule, kind=kind, path=path, version=version)
        return [*left, *clone(right)]
    if isinstance(left, (dict, list)) or isinstance(right, (dict, list)):
        mismatch = f"merge type mismatch left {_go_type(left)} right {_go_type(right)}"
        raise MergeError(mismatch, path=list(path) or None)  # Talos's words, plus where
    if isinstance(right, bool):
        return right  # merge.go: a bool is always copied, false included
    if rule is not None and rule.behaviour == "url" and isinstance(left, str):
        return _merge_url(left, str(right))
    overwrite = rule is not None and rule.behaviour == "pointer-scalar"
    if _is_zero(right) and not overwrite:
        return left
    return right


def _merge_map(
    left: dict[str, Any],
    right: dict[str, Any],
    rule: FieldRule | None,
    *,
    kind: str,
    path: Path,
    version: TalosVersion,
) -> dict[str, Any]:
    result = dict(left)
    behaviour = rule.behaviour if rule is not None else None
    for key, value in right.items():
        if behaviour == "args":
            # meta.Args.Merge is maps.Copy: every key replaces, "" and lists included.
            result[key] = "" if value is None else clone(value)
            continue
        if value is None:
            continue  # a null in the patch is a Go zero value: nothing to merge
        if behaviour == "string-map" and not isinstance(value, (dict, list)):
            # YAML ints decode into Go strings ("0" is not a zero value); only "" is.
            if value != "" or result.get(key) is None:
                result[key] = value
            continue
        current = result.get(key)
        if current is None:
            result[key] = clone(value)
            continue
        result[key] = _merge_value(current, value, kind=kind, path=(*path, key), version=version)
    return result


def _key_of(item: Any, key: str) -> Any:
    if not isinstance(item, dict):
        return None
    value = item.get(key)
    if value is None:
        return 0 if key == "vlanId" else ""  # Go zero values compare equal to each other
    return value


def _find_device(items: list[Any], item: dict[str, Any]) -> int | None:
    """NetworkDeviceList.mergeDevice: by ``interface`` name, else by equal ``deviceSelector``."""
    name = item.get("interface")
    selector = item.get("deviceSelector")
    for index, existing in enumerate(items):
        if not isinstance(existing, dict):
            continue
        if name:
            if existing.get("interface") == name:
                return index
        elif selector is not None:
            other = existing.get("deviceSelector")
            # *NetworkDeviceSelector values compared with ==; its *bool `physical` compares
            # pointers, so a selector carrying `physical` never matches (v1alpha1_types.go).
            if other == selector and "physical" not in selector:
                return index
    return None


def _merge_keyed(
    left: list[Any],
    right: list[Any],
    rule: FieldRule,
    *,
    kind: str,
    path: Path,
    version: TalosVersion,
) -> list[Any]:
    result = list(left)
    key = rule.key[0]
    # ImageVerificationRules.Merge indexes the *original* rules (last one per pattern wins).
    original = {_key_of(item, key): i for i, item in enumerate(left)}
    for item in right:
        if not isinstance(item, dict):
            result.append(clone(item))
            continue
        index: int | None
        if rule.behaviour == "keyed-replace":
            index = original.get(_key_of(item, key))
        elif rule.key == ("interface", "deviceSelector"):
            index = _find_device(result, item)
        else:
            wanted = _key_of(item, key)
            index = next((i for i, e in enumerate(result) if _key_of(e, key) == wanted), None)
        if index is None:
            result.append(clone(item))
        elif rule.behaviour == "keyed-replace":
            result[index] = clone(item)
        else:
            result[index] = _merge_value(
                result[index], item, kind=kind, path=(*path, index), version=version
            )
    return result


def _merge_url(left: str, right: str) -> str:
    """Endpoint{*url.URL}: url.URL fields merge one by one, empty parts keep the left ones."""
    lp, rp = urlsplit(left), urlsplit(right)
    return urlunsplit(
        (
            rp.scheme or lp.scheme,
            rp.netloc or lp.netloc,
            rp.path or lp.path,
            rp.query or lp.query,
            rp.fragment or lp.fragment,
        )
    )


def decode_normalise(doc: dict[str, Any], *, version: TalosVersion) -> dict[str, Any]:
    """What Talos's decoder changes while reading a document (``trim-left`` rows).

    Copy on write: ``doc`` is returned as it is when nothing changes, else a copy along the
    changed path (``doc`` itself is never modified).
    """
    if not is_v1alpha1(doc) or not version.at_least("1.7"):
        return doc
    cluster = doc.get("cluster")
    manifests = cluster.get("inlineManifests") if isinstance(cluster, dict) else None
    if not isinstance(cluster, dict) or not isinstance(manifests, list):
        return doc
    trimmed = list(manifests)
    for index, item in enumerate(manifests):
        path = ("cluster", "inlineManifests", index, "contents")
        rule = rule_for(V1ALPHA1, path, version)
        if isinstance(item, dict) and isinstance(item.get("contents"), str) and rule is not None:
            contents = item["contents"].lstrip("\t\n\v\f\r")
            if contents != item["contents"]:
                trimmed[index] = {**item, "contents": contents}
    if all(a is b for a, b in zip(manifests, trimmed, strict=True)):
        return doc
    return {**doc, "cluster": {**cluster, "inlineManifests": trimmed}}


# ------------------------------------------------------------------------------ documents

Entry = Selector | dict[str, Any]


def strategic_entries(
    patch_docs: Sequence[Mapping[str, Any]],
    *,
    version: TalosVersion,
    source: str = "<patch>",
    lines: Sequence[int] = (),
) -> list[Entry]:
    """What Talos's loader makes of a strategic patch: selectors and documents, in apply order.

    Selectors of a document come before its remainder (decoder.go ``AppendDeletesTo``); all
    v1alpha1 selectors come first (``container.Documents``); before 1.14 the v1alpha1 document
    follows them, from 1.14 (unvalidated patch container) documents keep their order.
    """
    entries: list[Entry] = []
    seen: set[str] = set()
    for index, raw in enumerate(patch_docs):
        if not isinstance(raw, Mapping):
            raise MergeError("expected a YAML document", file=source)
        doc = dict(raw)
        if version.supports_patch_delete:
            try:
                selectors, remainder = extract_deletes(doc)
            except MergeError as exc:
                raise exc.with_file(source) from None
        else:
            if _contains_patch_key(doc):
                raise MergeError(
                    f"$patch: delete needs Talos 1.8 or newer (target is {version})", file=source
                )
            selectors, remainder = [], clone(doc)
        entries.extend(selectors)
        if remainder is None:
            continue
        check_document(remainder, source=source, index=index)
        ident = decoder_id(remainder)
        if ident in seen and not version.duplicate_patch_documents_allowed:
            line = f" (line {lines[index]})" if index < len(lines) else ""
            raise MergeError(f"duplicate document {ident} is not allowed{line}", file=source)
        seen.add(ident)
        entries.append(decode_normalise(remainder, version=version))
    legacy_sel = [e for e in entries if isinstance(e, Selector) and e.is_v1alpha1]
    rest: list[Entry] = [e for e in entries if not (isinstance(e, Selector) and e.is_v1alpha1)]
    if not version.duplicate_patch_documents_allowed:
        legacy: list[Entry] = [e for e in rest if isinstance(e, dict) and is_v1alpha1(e)]
        rest = legacy + [e for e in rest if not (isinstance(e, dict) and is_v1alpha1(e))]
    return [*legacy_sel, *rest]


def _contains_patch_key(node: Any) -> bool:
    if isinstance(node, dict):
        return PATCH_KEY in node or any(_contains_patch_key(v) for v in node.values())
    if isinstance(node, list):
        return any(_contains_patch_key(v) for v in node)
    return False


def merge_documents(
    config_docs: Sequence[Mapping[str, Any]],
    patch_docs: Sequence[Mapping[str, Any]],
    *,
    talos_version: TalosVersion,
    source: str = "<patch>",
    lines: Sequence[int] = (),
) -> list[dict[str, Any]]:
    """``configpatcher.StrategicMerge``: apply one strategic patch (its documents) to a config.

    Inputs are not modified; the result shares untouched subtrees with ``config_docs`` (treat
    both as read-only, or copy). Raises :class:`~talosgpu.errors.MergeError` with Talos's
    messages.
    """
    version = talos_version
    entries = strategic_entries(patch_docs, version=version, source=source, lines=lines)
    # Copy on write: merges copy what they change (_merge_map), so untouched subtrees of the
    # result are shared with config_docs; a document is only deep-copied before a delete edits
    # it in place.
    left = [decode_normalise(dict(doc), version=version) for doc in config_docs]
    owned: dict[int, Any] = {}  # id -> the copy; holding it keeps the id from being reused
    for entry in entries:
        if isinstance(entry, Selector):
            index = next(
                (i for i, d in enumerate(left) if document_id(d) == entry.document_id), None
            )
            target = None
            if index is not None:
                if id(left[index]) not in owned:
                    left[index] = clone(left[index])
                    owned[id(left[index])] = left[index]
                target = left[index]
            if target is None:
                if version.at_least("1.14"):
                    continue  # strategic.go: a delete for a missing document is skipped (c3052e845)
                raise MergeError(
                    f"document {entry.document_id} to delete is not in the config "
                    f"(Talos {version} mishandles this; fixed in 1.14)",
                    file=source,
                )
            try:
                apply_selector(target, entry, version=version)
            except ZeroedDocument:
                left = [d for d in left if d is not target]
            except MergeError as exc:
                raise exc.with_file(source) from None
            continue
        ident = document_id(entry)
        position = next((i for i, d in enumerate(left) if document_id(d) == ident), None)
        if position is None:
            left.append(clone(entry))
            continue
        kind = V1ALPHA1 if is_v1alpha1(entry) else doc_kind(entry)
        try:
            left[position] = _merge_value(
                left[position], entry, kind=kind, path=(), version=version
            )
        except MergeError as exc:
            raise exc.with_file(source) from None
    return order_documents(left)
