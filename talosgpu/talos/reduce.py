"""Reduce a strategic patch to what a config still lacks, so that applying it reaches a fixed point.

Talos appends list items on every application (``merge/merge.go``), so a rendered patch must not
be re-applied as is. :func:`reduce_patch` drops what is already there; for a list item whose
identity exists with other content (a ``machine.files`` entry with new content, a kernel module
with new parameters) it emits ``$patch: delete`` of the old item(s) followed by the new item —
Talos applies a document's delete selectors before its merge (``configloader/internal/decoder/
delete.go``) and deletes only the first match per selector (``selector.go``), hence one delete per
old occurrence. Strings in a list (udev rules) cannot be deleted one by one: when a string list
holds duplicates the whole key is deleted and the full de-duplicated list re-added in a second
document of the same id, which one patch may carry from Talos 1.14 (:func:`split_patch` splits
it for older releases).

Property: with ``C1 = apply(C, reduce_patch(C, P))``, ``reduce_patch(C1, P)`` changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from talosgpu.errors import MergeError
from talosgpu.plain import clone
from talosgpu.talos.deletes import (
    DELETE,
    PATCH_KEY,
    ZeroedDocument,
    apply_selector,
    extract_deletes,
)
from talosgpu.talos.documents import V1ALPHA1, doc_kind, document_id, is_v1alpha1
from talosgpu.talos.equivalence import same_item
from talosgpu.talos.merge import _find_device, _is_zero, _key_of, merge_documents
from talosgpu.talos.mergerules import rule_for
from talosgpu.versions import TalosVersion

__all__ = ["reduce_patch", "split_patch"]

_DROP = object()
_ID_KEYS = ("version", "apiVersion", "kind", "name")
Path = tuple[str | int, ...]
# Lists talosgpu states whole: a module's parameters. A .machine.kernel.modules item with other
# parameters is replaced (_reduce_append: delete + re-add); a KernelModuleConfig's parameters
# would be appended to (merge.go), leaving the old next to the new (modeset=1 beside
# modeset=0), so the key is deleted and the list written again, or deleted when the patch has
# none.
_OWNED_LISTS: frozenset[tuple[str, Path]] = frozenset({("KernelModuleConfig", ("parameters",))})


class _Ctx:
    def __init__(self, kind: str, version: TalosVersion) -> None:
        self.kind = kind
        self.version = version
        self.item_deletes: list[tuple[Path, str, str]] = []
        self.replacements: list[tuple[Path, list[Any]]] = []


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def _ident(value: Any) -> tuple[int, str]:
    """A hashable identity for a list item's whole content (strings, the common case, as they
    are: udev rules and kernel arguments; anything else as canonical JSON)."""
    return (0, value) if type(value) is str else (1, _canonical(value))


def _same_scalar(old: Any, new: Any, behaviour: str | None) -> bool:
    if behaviour == "string-map" and old is not None and new is not None:
        # map[string]string: YAML 1 and "1" decode to the same Go string
        return _go_text(old) == _go_text(new)
    return bool(old == new and type(old) is type(new))


def _go_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _reduce(config: Any, patch: Any, path: Path, ctx: _Ctx) -> Any:
    """The part of ``patch`` that still changes ``config`` (``_DROP`` when nothing does)."""
    if patch is None:
        return _DROP
    if config is None:
        # New here: still de-duplicate lists, or the next reduction would have to shrink them.
        if not isinstance(patch, (dict, list)):
            return clone(patch)
        config = {} if isinstance(patch, dict) else []
    rule = rule_for(ctx.kind, path, ctx.version)
    behaviour = rule.behaviour if rule is not None else None
    if behaviour == "replace":
        return _DROP if config == patch else clone(patch)
    if isinstance(config, dict) and isinstance(patch, dict):
        out: dict[str, Any] = {}
        for key, value in patch.items():
            if behaviour in ("args", "string-map") and not isinstance(value, (dict, list)):
                unchanged = _same_scalar(config.get(key), value, behaviour) or (
                    behaviour == "string-map" and value in ("", None) and key in config
                )
                if not unchanged:
                    out[key] = clone(value)
                continue
            reduced = _reduce(config.get(key), value, (*path, key), ctx)
            if reduced is not _DROP:
                out[key] = reduced
        return out if out else _DROP
    if isinstance(config, list) and isinstance(patch, list):
        if behaviour in ("keyed", "keyed-replace") and rule is not None:
            return _reduce_keyed(config, patch, path, ctx, rule.key)
        return _reduce_append(config, patch, path, ctx)
    if isinstance(config, (dict, list)) or isinstance(patch, (dict, list)):
        return clone(patch)  # a type mismatch: let the merge report it
    if config == patch and type(config) is type(patch):
        return _DROP
    if path == ("content",) and isinstance(config, str) and isinstance(patch, str):
        if same_item(ctx.kind, (), {"content": config}, {"content": patch}):
            return _DROP  # a CRICustomizationConfig whose TOML has the same tables
    if _is_zero(patch) and behaviour != "pointer-scalar":
        return _DROP  # Talos ignores "" / 0 here
    return patch


def _reduce_keyed(
    config: list[Any], patch: list[Any], path: Path, ctx: _Ctx, keys: tuple[str, ...]
) -> Any:
    out: list[Any] = []
    for item in patch:
        if not isinstance(item, dict):
            out.append(clone(item))
            continue
        if keys == ("interface", "deviceSelector"):
            index = _find_device(config, item)
        else:
            wanted = _key_of(item, keys[0])
            index = next((i for i, c in enumerate(config) if _key_of(c, keys[0]) == wanted), None)
        if index is None:
            out.append(clone(item))
            continue
        if _is_keyed_replace(path, ctx):
            if config[index] != item:
                out.append(clone(item))
            continue
        reduced = _reduce(config[index], item, (*path, index), ctx)
        if reduced is _DROP:
            continue
        if isinstance(reduced, dict):
            for key in reversed(keys):  # the merge needs the key to find the item again
                if key in item and key not in reduced:
                    reduced = {key: clone(item[key]), **reduced}
        out.append(reduced)
    return out if out else _DROP


def _is_keyed_replace(path: Path, ctx: _Ctx) -> bool:
    rule = rule_for(ctx.kind, path, ctx.version)
    return rule is not None and rule.behaviour == "keyed-replace"


def _can_delete(path: Path, ctx: _Ctx) -> bool:
    # selector.go: "searching for complex paths in slices is not supported"
    return ctx.version.supports_patch_delete and not any(isinstance(p, int) for p in path)


def _last_per_identity(items: list[Any], key: str | None) -> list[Any]:
    """De-duplicate patch items by identity, keeping the last (what the node ends up using)."""
    ident = [_keyed_ident(i, key) if key and isinstance(i, dict) else _ident(i) for i in items]
    last = {value: n for n, value in enumerate(ident)}
    return [item for n, item in enumerate(items) if last[ident[n]] == n]


def _keyed_ident(item: dict[str, Any], key: str) -> tuple[int, Any]:
    value = _key_of(item, key)
    return (2, value) if isinstance(value, str | int | float | bool) else (3, _canonical(value))


def _reduce_append(config: list[Any], patch: list[Any], path: Path, ctx: _Ctx) -> Any:
    rule = rule_for(ctx.kind, path, ctx.version)
    key = rule.key[0] if rule is not None and rule.key else None
    if config and (ctx.kind, path) in _OWNED_LISTS and _can_delete(path, ctx):
        wanted = _dedupe(patch)
        if config == wanted:
            return _DROP
        ctx.replacements.append((path, wanted))
        return _DROP
    out: list[Any] = []
    for item in _last_per_identity(patch, key):
        if key is not None and isinstance(item, dict) and isinstance(item.get(key), str):
            matches = [c for c in config if isinstance(c, dict) and c.get(key) == item[key]]
            # Already there in another spelling (a mode as "0644", `permissions: 0`, the CRI
            # part's TOML reformatted): the same config, so not deleted and re-added.
            container = (*tuple("[]" if isinstance(p, int) else str(p) for p in path), "[]")
            exact = [c for c in matches if same_item(ctx.kind, container, c, item)]
            if exact and (len(matches) == 1 or not _can_delete(path, ctx)):
                continue
            if matches and _can_delete(path, ctx):
                ctx.item_deletes.extend((path, key, item[key]) for _ in matches)
            out.append(clone(item))
            continue
        if item in config:
            continue
        out.append(clone(item))
    strings = all(isinstance(c, str) for c in config)
    duplicated = len({_ident(c) for c in config}) < len(config)
    if strings and duplicated and _can_delete(path, ctx):
        # udev rules cannot be deleted one by one: delete the key, re-add the whole list.
        ctx.replacements.append((path, _dedupe([*config, *out])))
        return _DROP
    return out if out else _DROP


def _dedupe(items: list[Any]) -> list[Any]:
    seen: set[tuple[int, str]] = set()
    result = []
    for item in items:
        ident = _ident(item)
        if ident not in seen:
            seen.add(ident)
            result.append(clone(item))
    return result


def _put(doc: dict[str, Any], path: Path, value: Any) -> None:
    node = doc
    for part in path[:-1]:
        node = node.setdefault(str(part), {})
    node[str(path[-1])] = value


def _get(doc: dict[str, Any], path: Path) -> Any:
    node: Any = doc
    for part in path:
        node = node.get(str(part)) if isinstance(node, dict) else None
    return node


def _id_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {k: clone(raw[k]) for k in _ID_KEYS if k in raw}


def _reduce_document(
    raw: Mapping[str, Any], working: list[dict[str, Any]], version: TalosVersion
) -> list[dict[str, Any]]:
    """The reduced form of one patch document (zero, one or two documents)."""
    if version.supports_patch_delete:
        selectors, remainder = extract_deletes(dict(raw))
    else:
        selectors, remainder = [], clone(dict(raw))
    # apply_selector edits documents in place: only then is a scratch copy needed.
    scratch = clone(working) if selectors else working
    kept = []
    for sel in selectors:
        target = next((d for d in scratch if document_id(d) == sel.document_id), None)
        if target is None:
            continue  # deleting what is not there is already satisfied
        try:
            apply_selector(target, sel, version=version)
        except ZeroedDocument:
            return [{**_id_fields(raw), PATCH_KEY: DELETE}]
        except MergeError:
            continue
        kept.append(sel)
    out = _id_fields(raw)
    extra: list[dict[str, Any]] = []
    if remainder is not None:
        target = next((d for d in scratch if document_id(d) == document_id(remainder)), None)
        kind = V1ALPHA1 if is_v1alpha1(remainder) else doc_kind(remainder)
        ctx = _Ctx(kind, version)
        if target is None:  # a new document: kept, lists de-duplicated
            reduced = _reduce({}, remainder, (), ctx)
            out.update(reduced if isinstance(reduced, dict) else {})
            return [out]
        else:
            reduced = _reduce(target, remainder, (), ctx)
            if isinstance(reduced, dict):
                out.update({k: v for k, v in reduced.items() if k not in _ID_KEYS})
            for owned_kind, owned in _OWNED_LISTS:
                if owned_kind == kind and _get(target, owned) and _get(remainder, owned) is None:
                    _put(out, owned, {PATCH_KEY: DELETE})  # the patch states none
            for path, key, value in ctx.item_deletes:
                _put_list_item_delete(out, path, key, value)
            for path, full in ctx.replacements:
                _put(out, path, {PATCH_KEY: DELETE})
                second = _id_fields(raw)
                _put(second, path, full)
                extra.append(second)
    for sel in kept:
        if sel.key:
            _put_list_item_delete(out, sel.path[:-1], sel.key, sel.value)
        else:
            _put(out, sel.path, {PATCH_KEY: DELETE})
    has_content = any(k not in _ID_KEYS for k in out)
    return ([out] if has_content else []) + extra


def _put_list_item_delete(doc: dict[str, Any], path: Path, key: str, value: str) -> None:
    current = _get(doc, path)
    marker = {key: value, PATCH_KEY: DELETE}
    if isinstance(current, list):
        deletes = [c for c in current if isinstance(c, dict) and c.get(PATCH_KEY) == DELETE]
        current.insert(len(deletes), marker)
    else:
        _put(doc, path, [marker])


def reduce_patch(
    config_docs: Sequence[Mapping[str, Any]],
    patch_docs: Sequence[Mapping[str, Any]],
    *,
    talos_version: str | TalosVersion,
) -> list[dict[str, Any]]:
    """The documents of ``patch_docs`` that still change ``config_docs``, reduced to a fixed point.

    Items already present are dropped; changed items are deleted and re-added; deletes of things
    that are not there are dropped. Before Talos 1.14 pass the result through
    :func:`split_patch` (it may hold two documents with the same id). Neither input is modified.
    """
    version = TalosVersion.parse(talos_version)
    working = [dict(d) for d in config_docs]  # merge_documents copies what it changes
    result: list[dict[str, Any]] = []
    for number, raw in enumerate(patch_docs, start=1):
        docs = _reduce_document(raw, working, version)
        if number < len(patch_docs):  # the state after the last document is not needed
            for doc in docs:
                working = merge_documents(working, [doc], talos_version=version)
        result.extend(docs)
    return result


def split_patch(
    docs: Sequence[Mapping[str, Any]], *, talos_version: str | TalosVersion
) -> list[list[dict[str, Any]]]:
    """Split patch documents into consecutive patches this Talos release accepts.

    From 1.14 one patch may touch a document twice; before, every repeated id starts a new patch.
    """
    version = TalosVersion.parse(talos_version)
    if version.duplicate_patch_documents_allowed:
        return [[dict(d) for d in docs]] if docs else []
    patches: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    seen: set[str] = set()
    for doc in docs:
        ident = document_id(doc)
        if ident in seen:
            patches.append(current)
            current, seen = [], set()
        current.append(dict(doc))
        seen.add(ident)
    if current:
        patches.append(current)
    return patches
