"""The 1.13 → 1.14 move: delete the deprecated v1alpha1 fields a GPU node carries and add the
1.14 documents, in one patch, so that nothing is left set twice.

Why each delete is needed (research talos-internals.md §3, 1.14 kinds):

* ``KubeNodeConfig`` is *rejected* while ``.machine.nodeLabels`` / ``nodeAnnotations`` /
  ``nodeTaints`` are set (``.machine.nodeLabels is already set in v1alpha1 config``), so those
  maps are deleted whole.
* ``UdevRulesConfig`` silently replaces ``.machine.udev`` and ``KernelModuleConfig`` /
  ``SysctlConfig`` win over the legacy fields: leaving the old ones is confusing, not fatal.
* The legacy ``20-customization.part`` machine file becomes CRI customization ``customization``
  next to our named ``CRICustomizationConfig``: arrays would concatenate twice.

A ``$patch: delete`` of a path that does not exist is an error (``lookup failed``, Talos 1.13+),
so only what the ``from_version`` render sets is deleted: render the same intent for the old
version and delete exactly that. Within one document Talos applies deletes before merges
(``configloader/internal/decoder/delete.go``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from talosgpu.errors import RenderError
from talosgpu.renderers.base import Rendered
from talosgpu.versions import TalosVersion

__all__ = ["add_upgrade_moves", "deletes_for"]

_DELETE = {"$patch": "delete"}


def deletes_for(old_machine: dict[str, Any]) -> dict[str, Any]:
    """The ``machine:`` deletes that remove what an old (<= 1.13) render set."""
    machine: dict[str, Any] = {}
    if "kernel" in old_machine:
        machine["kernel"] = dict(_DELETE)
    if "udev" in old_machine:
        machine["udev"] = dict(_DELETE)
    for key in ("nodeLabels", "nodeAnnotations", "nodeTaints"):
        if key in old_machine:
            machine[key] = dict(_DELETE)
    if "sysctls" in old_machine:
        machine["sysctls"] = {name: dict(_DELETE) for name in old_machine["sysctls"]}
    if "files" in old_machine:
        machine["files"] = [{"path": f["path"], **_DELETE} for f in old_machine["files"]]
    return machine


def add_upgrade_moves(rendered: Rendered, *, from_version: TalosVersion) -> Rendered:
    """Prefix the 1.14 documents with deletes of what ``from_version`` rendered."""
    target = rendered.plan.version
    if not target.gpu_documents:
        raise RenderError(
            f"--from-version moves settings into the Talos 1.14 documents; the target Talos {target} "
            "has none (use --talos-version 1.14 or newer)"
        )
    if from_version.gpu_documents:
        raise RenderError(
            f"--from-version {from_version} already uses the 1.14 documents: nothing to move"
        )
    from talosgpu.plan import resolve
    from talosgpu.renderers import render_plan

    old = render_plan(resolve(rendered.plan.intent, from_version))
    old_machine: dict[str, Any] = old.documents[0]["machine"] if old.documents else {}
    deletes = deletes_for(old_machine)
    if not deletes:
        return rendered
    warnings = list(rendered.warnings)
    if "nodeLabels" in deletes or "nodeTaints" in deletes or "nodeAnnotations" in deletes:
        warnings.append(
            "the move deletes .machine.nodeLabels/nodeAnnotations/nodeTaints whole (1.14 rejects "
            "them next to KubeNodeConfig): labels set outside this intent must move too "
            "(talosgpu diff against the live config shows them)"
        )
    header = rendered.header + (
        f"# Upgrade move: deletes the v1alpha1 fields the Talos {from_version} patch set.\n"
    )
    return replace(
        rendered,
        documents=({"machine": deletes}, *rendered.documents),
        header=header,
        warnings=tuple(dict.fromkeys(warnings)),
    )
