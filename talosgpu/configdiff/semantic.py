"""Semantic diff of two machine configs: per document, per YAML path, list items by identity.

Documents are matched by Talos's id (``apiVersion/kind[/name]``,
``configpatcher/strategic.go`` ``documentID``). List items are matched by the identity Talos's
own merge and ``$patch: delete`` use (:func:`talosgpu.talos.mergerules.identity_key`: kernel
module ``name``, file ``path``, extraMount ``destination``, extension ``image``...); items without
one (udev rules, kernel arguments) are matched by their whole content, as a multiset. Values are
compared raw and shown redacted (:func:`talosgpu.talos.secrets.redact_documents`); the CRI part
(``machine.files`` ``/etc/cri/conf.d/20-customization.part`` or a ``CRICustomizationConfig``)
also gets a unified diff of its TOML.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from talosgpu.configdiff.impact import classify, reason_for
from talosgpu.configdiff.model import Change, ConfigDiff, Impact, Op
from talosgpu.configdiff.moves import already_there, moved_to
from talosgpu.configdiff.normalize import (
    normalize_documents,
    same_scalar,
    same_toml,
    toml_secret_values,
)
from talosgpu.structdiff import At, Raw, RawPath, walk
from talosgpu.talos.documents import (
    CRI_KIND,
    CRI_PART_PATH,
    V1ALPHA1,
    doc_kind,
    document_id,
    is_v1alpha1,
)
from talosgpu.talos.equivalence import parse_toml
from talosgpu.talos.mergerules import identity_key
from talosgpu.talos.secret_toml import mask_toml_text
from talosgpu.talos.secrets import (
    REDACTED,
    redact_in,
    redact_text,
    rule_kind,
    secret_path_values,
)
from talosgpu.versions import TalosVersion

__all__ = ["diff_configs"]

_CRI_SELECTOR = f"[path={CRI_PART_PATH}]"
_UNCHANGED = "the part's content is unchanged"
_DEDUPE_CRI: dict[bool, tuple[Impact, str]] = {
    True: ("reboot", f".machine.files changes, which reboots before Talos 1.14; {_UNCHANGED}"),
    False: ("none", f"a duplicate copy is dropped; {_UNCHANGED}"),
}  # the display segment of the CRI part's file item


class _TalosPolicy:
    """Talos's view: list items matched by the field its merge uses, scalars equal as the
    decoder reads them, a CRI part's TOML equal when its tables are."""

    expand = True
    # Talos's typed fields never accept 1 for true (or the reverse): == may skip equal subtrees.
    loose_equal = True

    def __init__(self, kind: str, version: TalosVersion) -> None:
        self.kind, self.version = kind, version

    def list_key(self, old: list[Any], new: list[Any], path: RawPath) -> str | None:
        return identity_key(self.kind, path, self.version)

    def same(self, old: Any, new: Any, keys: tuple[str, ...], at: At) -> bool:
        if same_scalar(old, new, kind=self.kind, path=at[3] or (), version=self.version):
            return True
        # same tables: only comments, spacing or key order differ
        return (
            isinstance(old, str)
            and isinstance(new, str)
            and _is_cri(self.kind, keys, at)
            and same_toml(old, new)
        )


def _is_cri(kind: str, keys: Sequence[str], at: tuple[Any, ...]) -> bool:
    if kind == CRI_KIND:
        return tuple(keys) == ("content",)
    display = at[0]
    return tuple(keys) == ("machine", "files", "content") and _CRI_SELECTOR in display


def _name(doc: Mapping[str, Any]) -> str:
    if is_v1alpha1(doc):
        return V1ALPHA1
    name = doc.get("name")
    return doc_kind(doc) + (f"/{name}" if name is not None else "")


def _has_features(doc: Any) -> bool:
    machine = doc.get("machine") if isinstance(doc, Mapping) else None
    return isinstance(machine, Mapping) and isinstance(machine.get("features"), Mapping)


def _cri_text(value: Any, kind: str) -> str | None:
    """The TOML text a change carries, when it is (or contains) the CRI part."""
    if isinstance(value, str):
        return value
    if kind == CRI_KIND and isinstance(value, Mapping) and isinstance(value.get("content"), str):
        return str(value["content"])
    if kind == V1ALPHA1 and isinstance(value, Mapping) and value.get("path") == CRI_PART_PATH:
        content = value.get("content")
        return content if isinstance(content, str) else ""
    return None


@functools.lru_cache(maxsize=4096)
def _impact(
    kind: str, keys: tuple[str, ...], op: Op, version: TalosVersion, cri: bool, features: bool
) -> tuple[tuple[Impact, str | None], str]:
    # Memoised: a fleet diff asks the same few questions for every node.
    impact = classify(kind, keys, op, version=version, cri_file=cri, features_both=features)
    return impact, reason_for(kind, keys, deep=features)


@functools.lru_cache(maxsize=256)
def _text_diff(old: str | None, new: str | None, where: str) -> str:
    lines = difflib.unified_diff(
        (old or "").splitlines(keepends=True),
        (new or "").splitlines(keepends=True),
        fromfile=f"live {where}",
        tofile=f"proposed {where}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _documents(
    old_docs: Sequence[Mapping[str, Any]], new_docs: Sequence[Mapping[str, Any]]
) -> Iterator[tuple[Mapping[str, Any] | None, Mapping[str, Any] | None, int, int]]:
    """Pairs of (old, new) documents by id, old order first; indexes into each list (-1: none)."""
    old_ids = {document_id(d): i for i, d in enumerate(old_docs)}
    new_ids = {document_id(d): i for i, d in enumerate(new_docs)}
    for ident in [*old_ids, *(i for i in new_ids if i not in old_ids)]:
        i, j = old_ids.get(ident, -1), new_ids.get(ident, -1)
        yield (old_docs[i] if i >= 0 else None), (new_docs[j] if j >= 0 else None), i, j


def diff_configs(
    live_docs: Sequence[Mapping[str, Any]],
    proposed_docs: Sequence[Mapping[str, Any]],
    *,
    talos_version: str | TalosVersion,
) -> ConfigDiff:
    """Every change from ``live_docs`` to ``proposed_docs``, tagged with its impact on Talos
    ``talos_version``. Values are compared raw; ``Change.old``/``new`` are redacted."""
    version = TalosVersion.parse(talos_version)
    clean: set[int] = set()  # proposed configs share most subtrees with the live one
    old_docs = normalize_documents([dict(d) for d in live_docs], clean=clean)
    new_docs = normalize_documents([dict(d) for d in proposed_docs], clean=clean)
    # Secrets: the values at secret paths of the live side, plus the secrets inside every value
    # a change shows (found while redacting just those values, in _shown). A secret-path value of
    # the proposed side is either unchanged (so the live side has it) or inside a change.
    secrets = set(secret_path_values(old_docs))
    pairs = list(_documents(old_docs, new_docs))
    raws: list[tuple[str, str, Raw]] = []
    for number, (old, new, _, _) in enumerate(pairs):
        either = new if new is not None else old
        assert either is not None
        kind = V1ALPHA1 if is_v1alpha1(either) else doc_kind(either)
        if old is None:
            found = [Raw(number, "add", (), (), None, (), None, new)]
        elif new is None:
            found = [Raw(number, "remove", (), (), (), None, old, None)]
        else:
            found = walk(old, new, _TalosPolicy(kind, version), doc=number)
        name = _name(either)
        raws.extend((kind, name, raw) for raw in found)
    texts = [(_cri_text(raw.old, kind), _cri_text(raw.new, kind)) for kind, _, raw in raws]
    for (kind, _, _), pair in zip(raws, texts, strict=True):
        for text in pair:
            if text and (kind in (CRI_KIND, V1ALPHA1)):
                secrets |= toml_secret_values(text)
    rule_kinds = [(rule_kind(old), rule_kind(new)) for old, new, _, _ in pairs]
    shown = [_shown(raw, rule_kinds[raw.doc], secrets) for _, _, raw in raws]
    features = [_has_features(old) and _has_features(new) for old, new, _, _ in pairs]
    known = frozenset(secrets)
    changes = [
        _related(
            _change(kind, name, raw, features[raw.doc], old_new, text_pair, version, known),
            kind,
            raw,
            (old_docs, new_docs) if version.gpu_documents else None,
        )
        for (kind, name, raw), old_new, text_pair in zip(raws, shown, texts, strict=True)
    ]
    return ConfigDiff(tuple(changes), version, known)


def _shown(raw: Raw, kinds: tuple[str, str], secrets: set[str]) -> tuple[Any, Any, bool]:
    """The old and new values of a change as shown: redacted in the context of their path, and
    whether the secrets the two sides hold differ (one added, removed or changed).

    ``kinds``: the secret-rule kinds of the old and the new document (:func:`talosgpu.talos.secrets.rule_kind`);
    a side whose path is None (the document or the item is not there) shows None."""
    out: list[Any] = []
    held: list[list[Any]] = []
    for kind, path, value in ((kinds[0], raw.old_path, raw.old), (kinds[1], raw.new_path, raw.new)):
        if path is None:
            out.append(None)
            held.append([])
            continue
        redacted, found = redact_in(kind, path, value)
        secrets.update(v for v in found if v)
        out.append(redacted)
        held.append(sorted(map(str, found)))
    return out[0], out[1], held[0] != held[1]


def _related(
    change: Change,
    kind: str,
    raw: Raw,
    docs: tuple[Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]]] | None,
) -> Change:
    """A removal whose value moved to its 1.14 document is a ``move``; a module document for a
    module already loaded loads nothing (:mod:`talosgpu.configdiff.moves`)."""
    if docs is None:
        return change
    old_docs, new_docs = docs
    if raw.op == "remove" and kind == V1ALPHA1:
        target = moved_to(raw, new_docs)
        if target is not None:
            return replace(change, op="move", impact="none", note=f"moved to {target}")
    elif raw.op == "add" and not raw.keys and isinstance(raw.new, Mapping):
        legacy = already_there(kind, raw.new.get("name"), old_docs)
        if legacy is not None:
            note = "already loaded (.machine.kernel.modules lists it); this document now wins"
            before, after = legacy.get("parameters") or [], raw.new.get("parameters") or []
            if before == after:
                return replace(change, impact="none", note=note)
            # the document's parameters replace the item's (container.go KernelModuleConfigs:
            # the document wins on the same name), read when the module is next loaded
            return replace(
                change,
                impact="module-load",
                note=f"{note}: its parameters become {_inline_list(after)} instead of "
                f"{_inline_list(before)} (.machine.kernel.modules), from the next reboot",
            )
    return change


def _module_item(kind: str, raw: Raw) -> bool:
    return kind == V1ALPHA1 and tuple(raw.keys) == ("machine", "kernel", "modules")


def _inline_list(items: Any) -> str:
    return json.dumps(items, ensure_ascii=False)


_UNPARSED = "(the CRI part is not valid TOML: its text is not shown, as secrets in it cannot be found; --show-secrets shows it)\n"


_SECRET_ONLY = "(only a credential in the CRI part changed: --show-secrets shows it)\n"


def _hide_content(value: Any) -> Any:
    return _map_content(value, lambda _: REDACTED)


def _mask_content(value: Any) -> Any:
    return _map_content(value, mask_toml_text)


def _map_content(value: Any, mask: Callable[[str], str]) -> Any:
    """``value`` (the part's text, or the file entry / document holding it) with the text
    masked."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, Mapping) and isinstance(value.get("content"), str):
        return {**value, "content": mask(value["content"])}
    return value


def _masked(text: str | None) -> str | None:
    return None if text is None else mask_toml_text(text)


def _change(
    kind: str,
    name: str,
    raw: Raw,
    features_both: bool,
    shown: tuple[Any, Any, bool],
    cri_texts: tuple[str | None, str | None],
    version: TalosVersion,
    secrets: frozenset[str],
) -> Change:
    shown_old, shown_new, secrets_differ = shown
    path = "".join(raw.display) or "."
    cri_file = kind == V1ALPHA1 and _CRI_SELECTOR in raw.display
    (impact, note), reason = _impact(kind, raw.keys, raw.op, version, cri_file, features_both)
    old_text, new_text = cri_texts
    raw_diff = red_diff = None
    is_cri = kind == CRI_KIND or cri_file
    if is_cri and (old_text is not None or new_text is not None):
        label = CRI_PART_PATH if cri_file else name
        raw_diff = _text_diff(old_text, new_text, label) or None
        # credentials masked on the text as written (escapes, short values, multi-line
        # values: talos/secret_toml.py), then every known secret value
        masked = _text_diff(_masked(old_text), _masked(new_text), label)
        red_diff = redact_text(masked, known_secrets=secrets) if masked else None
        if raw_diff and not masked:
            red_diff = _SECRET_ONLY
        shown_old, shown_new = _mask_content(shown_old), _mask_content(shown_new)
    if is_cri and any(t and parse_toml(t) is None for t in (old_text, new_text)):
        # Not TOML: its credentials cannot be found, so the report hides the whole text
        # (--show-secrets shows it; containerd will refuse the part anyway).
        red_diff = _UNPARSED
        shown_old, shown_new = _hide_content(shown_old), _hide_content(shown_new)
    if raw.op == "dedupe" and impact == "none" and _module_item(kind, raw) and raw.old != raw.new:
        # the copy that goes had other parameters: Talos loads a module with the parameters of
        # its last entry (research talos-internals.md §1.5), which may be the one dropped
        impact, note = (
            "module-load",
            (
                "a dropped copy has other parameters than the kept one; the parameters read at the "
                "next load (the last entry's) may change: reboot to apply"
            ),
        )
    if raw.op == "dedupe" and is_cri and old_text == new_text:
        # The part containerd reads is the same: only a duplicate entry goes. Before 1.14 the
        # v1alpha1 document still changed, and CanApplyImmediate reboots for .machine.files.
        impact, note = _DEDUPE_CRI[version.apply_may_reboot]
    hidden = raw.op == "change" and shown_old == shown_new and raw.old != raw.new
    if is_cri:
        # a credential added, removed or changed inside the CRI TOML (docs: "secret")
        secrets_differ = toml_secret_values(old_text or "") != toml_secret_values(new_text or "")
    return Change(
        document=name,
        path=path,
        op=raw.op,
        old=shown_old,
        new=shown_new,
        impact=impact,
        note=note,
        secret=hidden or secrets_differ,
        text_diff=red_diff,
        reason=reason,
        copies=raw.copies,
        raw_old=raw.old,
        raw_new=raw.new,
        raw_text_diff=raw_diff,
    )
