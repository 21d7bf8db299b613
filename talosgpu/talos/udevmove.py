"""Keep a node's own udev rules when a patch brings Talos 1.14's ``UdevRulesConfig``.

If present, ``UdevRulesConfig`` *replaces* ``.machine.udev`` (the first matching document is
used; research talos-internals.md §3 "New multi-doc kinds"): a config that still lists rules in
``.machine.udev.rules`` (upgraded from 1.13, or another tool's patch) would silently lose them
the moment talosgpu's document arrives. The proposal therefore carries those rules into the
document, after talosgpu's own, and says so.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from talosgpu.plain import get_path
from talosgpu.talos.documents import is_v1alpha1

__all__ = ["KIND", "carry_udev_rules"]

KIND = "UdevRulesConfig"


def carry_udev_rules(
    live_docs: Sequence[dict[str, Any]], patch_docs: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """``(patch documents, warnings)``: the live ``.machine.udev.rules`` that ours lack added
    to the patch's ``UdevRulesConfig`` when the live config has no ``UdevRulesConfig`` yet."""
    ours = next((d for d in patch_docs if d.get("kind") == KIND), None)
    if ours is None or any(d.get("kind") == KIND for d in live_docs):
        return list(patch_docs), []
    v1 = next((d for d in live_docs if is_v1alpha1(d)), None)
    rules = get_path(v1, ("machine", "udev", "rules")) if v1 is not None else None
    mine = list(ours.get("rules") or [])
    extra = (
        [r for r in rules if isinstance(r, str) and r not in mine]
        if isinstance(rules, list)
        else []
    )
    if not extra:
        return list(patch_docs), []
    out = [copy.deepcopy(d) for d in patch_docs]
    doc = next(d for d in out if d.get("kind") == KIND)
    doc["rules"] = [*mine, *extra]
    warning = (
        f"UdevRulesConfig replaces .machine.udev on Talos 1.14+: the proposal carries the live "
        f"config's {len(extra)} other udev rule(s) into it, so they keep applying (lint: "
        "deprecated-field; remove .machine.udev once the node has the document)"
    )
    return out, [warning]
