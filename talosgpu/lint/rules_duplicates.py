"""Duplicates a re-applied patch leaves behind: in one file, and across ``--layers``.

How Talos treats each (talos ``pkg/machinery/config/types/v1alpha1/v1alpha1_types.go`` at v1.7.7,
v1.13.9, v1.14.0-rc.1 and main: no ``Merge`` method on these lists, so ``merge.Merge`` appends):

* ``machine.kernel.modules``: appended, no key. ``KernelModuleConfigController``
  (``internal/app/machined/pkg/controllers/runtime/kernel_module_config.go``, v1.13.9 and
  v1.14.0-rc.1, where ``container.go`` ``KernelModuleConfigs`` lists v1alpha1 modules first)
  writes one ``KernelModuleSpec`` per module *name* in list order, so the module loads once with
  the last entry's parameters (``duplicate-entry``).
* ``machine.udev.rules``: appended; every item is a line of ``99-talos.rules``
  (``WriteUdevRules`` in ``v1alpha1_sequencer_tasks.go`` <= 1.13, the udev controller
  ``internal/app/machined/pkg/controllers/files/udev.go`` from 1.14; no de-duplication), so a
  repeated rule is in it twice (``duplicate-entry``).
* ``machine.files``: appended, no key (``files-duplicate-create``). ``WriteUserFiles`` writes each
  entry in turn (``create`` "allowed at all times", ``os.WriteFile``), so the last content is the
  file's. ``/etc/cri/conf.d/20-customization.part``: on <= 1.13 each entry creates the same
  ``EtcFileSpec`` (``injectCRIConfigPatch``: ``st.Create``), so the second fails at boot; from 1.14
  the first entry with that path is the customization (``v1alpha1_cri_bridge.go``
  ``CRICustomizationConfigs``) and later ones are ignored.
* ``CRICustomizationConfig`` of one name: one named document, merged, so the later ``content``
  replaces the earlier (``duplicate-entry``).

``$patch: delete`` of a list item removes the first earlier entry it selects (1.8+, research
talos-internals.md §1.6), so "delete, then add again" is not a duplicate.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from talosgpu.lint.context import Context, Hit, render_path
from talosgpu.lint.findings import Finding, Severity
from talosgpu.talos.documents import CRI_PART_PATH

__all__ = ["Entry", "check_duplicates", "cross_layer", "entries"]

_WRITES = ("create", "overwrite")


@dataclass(frozen=True, slots=True)
class Entry:
    """One list item (or named document) that a later copy would duplicate."""

    kind: str  # "module" | "udev" | "udev-doc" | "file" | "cri-doc" | "udev-clear"
    key: str
    hit: Hit
    content: object = None
    delete: bool = False


def _where(ctx: Context, entry: Entry) -> str:
    return render_path(ctx.unit, entry.hit.frag.doc, entry.hit.path)


def entries(ctx: Context) -> list[Entry]:
    """In document order; within a document deletes come first (Talos runs a document's
    ``$patch: delete`` selectors before merging the rest of it, research §1.6)."""
    out: list[Entry] = []
    for hit in ctx.items("machine", "kernel", "modules"):
        item = hit.value
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            delete = item.get("$patch") == "delete"
            out.append(Entry("module", item["name"], hit, item.get("parameters"), delete))
    for hit in ctx.values("machine", "udev", "rules"):
        if isinstance(hit.value, dict) and hit.value.get("$patch") == "delete":
            out.append(Entry("udev-clear", "", hit, delete=True))
    for hit in ctx.items("machine", "udev", "rules"):
        if isinstance(hit.value, str):
            out.append(Entry("udev", hit.value, hit))
    for doc in ctx.documents("UdevRulesConfig"):
        rules = doc.value.get("rules")
        for i, rule in enumerate(rules if isinstance(rules, list) else []):
            if isinstance(rule, str):
                # its own slot: the document replaces .machine.udev (research talos-internals.md
                # §3 UdevRulesConfig), so a rule in both is not written twice
                out.append(Entry("udev-doc", rule, Hit(rule, (*doc.path, "rules", i), doc.frag)))
    for hit in ctx.items("machine", "files"):
        item = hit.value
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            continue
        if item.get("$patch") == "delete":
            out.append(Entry("file", item["path"], hit, delete=True))
        elif item.get("op") in _WRITES:
            out.append(Entry("file", item["path"], hit, item.get("content")))
    for doc in ctx.documents("CRICustomizationConfig"):
        if isinstance(doc.value.get("name"), str):
            out.append(Entry("cri-doc", doc.value["name"], doc, doc.value.get("content")))
    out.sort(key=lambda e: (e.hit.frag.doc, not e.delete))
    return out


def check_duplicates(ctx: Context) -> Iterator[Finding]:
    """Duplicates within one unit (one file, or one talhelper inline patch). A ``$patch:
    delete`` here selects from the config the unit is applied to, never from the unit itself,
    so it cancels nothing of the unit's own entries."""
    seen: dict[tuple[str, str], Entry] = {}
    for entry in entries(ctx):
        if entry.delete:
            continue
        found = _apply(seen, entry)
        if found is not None:
            yield _finding(ctx, entry, found, f"at {_where(ctx, found)}")


def _apply(seen: dict[tuple[str, str], Entry], entry: Entry) -> Entry | None:
    """Record ``entry``; return the earlier entry it duplicates (None: no duplicate)."""
    slot = (entry.kind, entry.key)
    earlier = seen.get(slot)
    if entry.kind == "file" and earlier is not None and entry.key == CRI_PART_PATH:
        return earlier  # from 1.14 the first one stays the customization: keep it recorded
    seen[slot] = entry
    if entry.kind == "cri-doc" and earlier is not None and earlier.content == entry.content:
        return None  # the same document merged again changes nothing
    return earlier


def cross_layer(layers: Sequence[tuple[int, Context]]) -> list[Finding]:
    """Duplicates between layers of one node, in order (``--layers``); ``index`` tells a file
    given twice apart from itself."""
    seen: dict[tuple[str, str], tuple[int, Context, Entry]] = {}
    findings: list[Finding] = []
    for index, ctx in layers:
        for entry in entries(ctx):
            if entry.kind == "udev-clear":
                for key in [k for k in seen if k[0] == "udev"]:
                    del seen[key]
                continue
            slot = (entry.kind, entry.key)
            if entry.delete:
                seen.pop(slot, None)
                continue
            earlier = seen.get(slot)
            keep_first = entry.kind == "file" and entry.key == CRI_PART_PATH
            if earlier is None or not keep_first:
                seen[slot] = (index, ctx, entry)
            if earlier is None or earlier[0] == index:
                continue  # within one layer: check_duplicates said it
            if entry.kind == "cri-doc" and earlier[2].content == entry.content:
                continue
            _, e_ctx, e_entry = earlier
            if e_ctx.source == ctx.source:
                where = f"at {_where(e_ctx, e_entry)} of this same file, given twice as a layer"
            else:
                where = f"at {_where(e_ctx, e_entry)} of {e_ctx.source}"
            findings.append(_finding(ctx, entry, e_entry, where, layered=True))
    return findings


def _finding(
    ctx: Context, entry: Entry, earlier: Entry, where: str, *, layered: bool = False
) -> Finding:
    scope = "as layers of one node, Talos appends" if layered else "Talos appends"
    if entry.kind == "module":
        dropped = (
            "; the parameters of the earlier entry are not used"
            if earlier.content not in (None, []) and earlier.content != entry.content
            else ""
        )
        return ctx.finding(
            "duplicate-entry",
            entry.hit,
            f"kernel module {entry.key} is listed again ({where}): {scope} "
            "machine.kernel.modules (no key), so the config keeps both copies, as when a patch "
            "is applied twice; Talos loads the module once, with the parameters of the last "
            f"entry{dropped}",
            f"keep one entry; to replace the one of an earlier layer, start with `- name: "
            f"{entry.key}` + `$patch: delete` (Talos 1.8+)",
            "warning",
        )
    if entry.kind in ("udev", "udev-doc"):
        return ctx.finding(
            "duplicate-entry",
            entry.hit,
            f"this udev rule is already in the list ({where}): {scope} udev rules, so Talos "
            "writes the rule twice into its rules file and udev applies it twice to every "
            "matching event (a RUN+= runs twice)",
            "keep one copy (a list of strings cannot be edited item by item: replace the whole "
            "list with `rules: {$patch: delete}` and set it again)",
            "warning",
        )
    if entry.kind == "cri-doc":
        return ctx.finding(
            "duplicate-entry",
            entry.hit,
            f"CRICustomizationConfig {entry.key} is also {where} with other content: Talos "
            "merges documents of one name, so only the later content is used",
            "keep one document of this name, holding both concerns",
            "warning",
            extra=("content",),
        )
    return _file(ctx, entry, earlier, where, scope)


def _file(ctx: Context, entry: Entry, earlier: Entry, where: str, scope: str) -> Finding:
    same = earlier.content == entry.content
    severity: Severity
    if entry.key == CRI_PART_PATH:
        # Both eras, whatever the target: the finding stays true on an assumed release.
        what = (
            "on Talos <= 1.13 the second entry fails at boot (its CRI customization already "
            "exists) and WriteUserFiles reports an error; from 1.14 only the first entry's "
            "content is the CRI customization and the later one is ignored"
        )
        severity = "error"
    else:
        what = (
            "at boot each entry is written in turn: the file ends up right, but every "
            "re-apply adds another copy"
            if same
            else "at boot each entry is written in turn, so the file holds the last content "
            "and the earlier one is lost"
        )
        severity = "warning" if same else "error"
    return ctx.finding(
        "files-duplicate-create",
        entry.hit,
        f"{entry.key} is written again ({where}): {scope} machine.files (no key on "
        f"path), so the config keeps both entries{', the same content twice' if same else ''}; "
        + what,
        "merge the two into one entry (for the CRI part: one TOML with both concerns), or start "
        f"this layer's entry with `- path: {entry.key}` + `$patch: delete` to replace an "
        "earlier layer's (Talos 1.8+)",
        severity,
        extra=("path",),
    )
