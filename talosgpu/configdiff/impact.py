"""What applying a change does to the node, per Talos version (research talos-internals.md §4).

* Talos <= 1.13: ``apply-config --mode auto`` reboots unless ``Runtime.CanApplyImmediate``
  (``internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_runtime.go``) finds the new v1alpha1
  document equal to the running one after copying the allow-listed fields
  (``facts.no_reboot_paths``) over. Only the v1alpha1 document is compared: other documents
  never force a reboot. ``machine.files`` and ``machine.udev`` are not allow-listed, so a CRI
  part or a udev rule reboots the node; adding or removing the whole ``machine.features`` block
  reboots too (its sub-fields are only ignored when it exists on both sides).
* Talos >= 1.14 (commit 995bc30d5 "feat: drop apply config method reboot"): nothing reboots;
  CRI customization restarts containerd; the docs' "changes which might need a reboot" (kernel
  modules, environment, etcd, volume encryption keys) take effect later.

Independent of the version: a kernel module added is loaded at once but never unloaded, and
module parameters only apply on first load (``modules[].parameters``: "changes applied after
reboot"); ``.machine.install`` / ``UnattendedInstallConfig`` (installer image, extensions,
schematic, kernel arguments) only matter on install or upgrade.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from talosgpu.talos.fields import AT_BOOT, FIELDS, KINDS
from talosgpu.talos.fields import Impact as ImpactRule
from talosgpu.versions import TalosVersion

if TYPE_CHECKING:  # types only: the model imports this module for its summary line
    from talosgpu.configdiff.model import ConfigDiff, Impact, Op

__all__ = ["LOADED_NOW", "MAYBE_ON_NODE", "NOT_ON_NODE", "classify", "reason_for", "summarize"]

V1 = "v1alpha1"


@cache
def _impacts(
    series: tuple[int, int],
) -> tuple[dict[tuple[str, ...], ImpactRule], dict[str, ImpactRule]]:
    """The ``impact`` facts of the field table valid on a release: by v1alpha1 path, by kind."""
    version = TalosVersion(*series)

    def valid(rule: ImpactRule) -> bool:
        return version.at_least(rule.since) and not (
            rule.until is not None and version.at_least(rule.until)
        )

    paths = {
        (f.doc, *f.parts): f.impact for f in FIELDS if f.impact and valid(f.impact)
    }  # a document's own fields too (KubeNodeConfig taints)
    kinds = {k: v.impact for k, v in KINDS.items() if v.impact and valid(v.impact)}
    return paths, kinds


def _rule(kind: str, keys: Sequence[str], version: TalosVersion) -> ImpactRule | None:
    """The table's impact for a change at ``keys`` of a ``kind`` document: the field's at the
    longest matching prefix, else the kind's."""
    paths, kinds = _impacts(version.series)
    for depth in range(len(keys), 0, -1):
        rule = paths.get((kind, *keys[:depth]))
        if rule is not None:
            return rule
    return None if kind == V1 else kinds.get(kind)


# A whole module added: the note node checks (configdiff/node.py) replace when the installer
# may not carry the module.
LOADED_NOW = "loaded now, without a reboot; Talos never unloads it"
_MODULE_NOTES = {
    "add": LOADED_NOW,
    "remove": "Talos never unloads a kernel module: it stays loaded until the next reboot",
    "change": "module parameters only apply when the module is first loaded: reboot to apply",
    "dedupe": "a duplicate entry is dropped; the module stays loaded as it is",
    "reorder": "modules load in list order at boot: the new order applies from the next reboot",
}


# A module added while the node's installer carries no NVIDIA extension (configdiff/node.py):
# there is nothing to load, whatever the config says.
NOT_ON_NODE = "not on this node: its installer carries no NVIDIA extensions (see the warning)"
# ... and while talosgpu cannot tell whether it carries them (no installer image, another
# schematic, another registry): "loaded now" would be a guess
MAYBE_ON_NODE = (
    "loaded now only if the node's installer carries the NVIDIA extensions (see the warning); "
    "Talos never unloads it"
)


def _under(keys: Sequence[str], prefixes: Sequence[str]) -> bool:
    dotted = "." + ".".join(keys)
    return any(dotted == p or dotted.startswith(p + ".") for p in prefixes)


def _starts(keys: Sequence[str], prefix: tuple[str, ...]) -> bool:
    return tuple(keys[: len(prefix)]) == prefix


def reason_for(kind: str, keys: Sequence[str], *, deep: bool = True) -> str:
    """The field a reboot is blamed on: ``.machine.files``, ``.persist``, or a document kind."""
    if kind != V1:
        return kind
    if not keys:
        return "the v1alpha1 document"
    depth = 3 if _starts(keys, ("machine", "features")) and len(keys) > 2 and deep else 2
    return "." + ".".join(keys[:depth])


def _module(op: Op, keys: Sequence[str], kind: str) -> tuple[Impact, str | None]:
    # Only a whole module (list item / document) is added or removed; anything below it
    # (parameters) changes a module that is already loaded.
    whole = len(keys) == (3 if kind == V1 else 0)
    if op == "dedupe":
        return "none", _MODULE_NOTES[op]
    return "module-load", _MODULE_NOTES[op if whole else "change"]


def classify(
    kind: str,
    keys: Sequence[str],
    op: Op,
    *,
    version: TalosVersion,
    cri_file: bool = False,
    features_both: bool = True,
) -> tuple[Impact, str | None]:
    """``(impact, note)`` of one change in a ``kind`` document at field path ``keys``.

    ``keys`` are the map keys from the document root (list selectors dropped);
    ``cri_file`` marks a change of the ``machine.files`` entry holding the CRI part;
    ``features_both``: ``machine.features`` exists in the old and the new document.
    """
    if version.apply_may_reboot:
        if kind == V1 and not features_both and _starts(keys, ("machine", "features")):
            return "reboot", "machine.features added or removed as a whole"
        return _classify_pre14(kind, keys, op, version=version, cri_file=cri_file)
    return _classify_1_14(kind, keys, op, version=version, cri_file=cri_file)


def _classify_pre14(
    kind: str, keys: Sequence[str], op: Op, *, version: TalosVersion, cri_file: bool
) -> tuple[Impact, str | None]:
    if kind != V1:
        return "none", "not the v1alpha1 document: never forces a reboot (CanApplyImmediate)"
    if not _under(keys, version.facts.no_reboot_paths):
        if cri_file:
            return "reboot", "containerd reads the CRI part at boot"
        return "reboot", None
    return _from_table(kind, keys, op, version)


def _classify_1_14(
    kind: str, keys: Sequence[str], op: Op, *, version: TalosVersion, cri_file: bool
) -> tuple[Impact, str | None]:
    if cri_file:  # the machine.files item holding the CRI part (an item, not a field)
        return "cri-restart", "containerd restarts to read it"
    return _from_table(kind, keys, op, version)


def _from_table(
    kind: str, keys: Sequence[str], op: Op, version: TalosVersion
) -> tuple[Impact, str | None]:
    rule = _rule(kind, keys, version)
    if rule is None:
        return "none", None
    if rule.impact == "module-load":
        return _module(op, keys, kind)
    return rule.impact, rule.note


def _join(items: Sequence[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def summarize(diff: ConfigDiff) -> str:
    """``3 changes; the node will reboot because .machine.files changed`` and friends."""
    count = len(diff.changes)
    if not count:
        return "no changes: the node already has everything this intent renders (talosgpu never removes what it does not render)"
    head = f"{count} change{'s' if count != 1 else ''}; "
    if diff.reboot:
        head += f"the node will reboot because {_join(diff.reboot_reasons)} changed"
    else:
        head += "no reboot"
    impacts = {c.impact for c in diff.changes}
    extras: list[str] = []
    if "cri-restart" in impacts:
        extras.append("containerd restarts")
    if "module-load" in impacts and any(c.note == NOT_ON_NODE for c in diff.changes):
        extras.append("the NVIDIA kernel modules are not on the node until its installer has them")
    elif "module-load" in impacts:
        notes = {c.note for c in diff.changes if c.impact == "module-load"}
        if notes - {LOADED_NOW, MAYBE_ON_NODE}:  # parameters changed, a module removed
            extras.append("kernel module changes other than new modules take effect after a reboot")
        if MAYBE_ON_NODE in notes:
            extras.append("new kernel modules load only if the node's installer has them")
        elif LOADED_NOW in notes:
            extras.append("new kernel modules are loaded now")
    if any(c.note == AT_BOOT for c in diff.changes):
        extras.append("machine.files changes take effect at the next reboot")
    if "upgrade" in impacts:
        extras.append("install changes apply on the next upgrade")
    return head + "".join(f"; {e}" for e in extras)
