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

from talosgpu.errors import RenderError, TalosGPUError
from talosgpu.plan import resolve
from talosgpu.renderers import render_plan
from talosgpu.renderers.base import Rendered
from talosgpu.renderers.cri import DOCUMENT_NAME, delete_own_part, is_own_part
from talosgpu.renderers.relabel import drop_stale_talosgpu_labels
from talosgpu.talos.installer import is_installer_only
from talosgpu.talos.kubenode import KUBE_NODE_CONFIG_CONFLICTS, dotted
from talosgpu.talos.reduce import reduce_patch
from talosgpu.versions import TalosVersion

__all__ = ["KUBE_NODE_CONFIG_WARNING", "add_upgrade_moves", "deletes_for"]

_DELETE = {"$patch": "delete"}

KUBE_NODE_CONFIG_WARNING = (
    "Talos 1.14 rejects a config that has a KubeNodeConfig (talosgpu's, or the one every 1.14 "
    "gen config emits) and also sets any of "
    + ", ".join(dotted(path) for path, _ in KUBE_NODE_CONFIG_CONFLICTS)
    + "; this "
    "patch only moves what the intent set: talosgpu diff against the live config (or lint of "
    "the node's config) finds the others"
)


def deletes_for(old_machine: dict[str, Any]) -> dict[str, Any]:
    """The ``machine:`` deletes that remove what an old (<= 1.13) render set."""
    machine: dict[str, Any] = {}
    modules = (old_machine.get("kernel") or {}).get("modules") or []
    if modules:
        # the old render's modules one by one (selector.go removes the item whose name
        # matches): the node's other modules stay; KernelModuleConfig loads ours from now on
        names = [m["name"] for m in modules if isinstance(m, dict) and "name" in m]
        machine["kernel"] = {"modules": [{"name": n, **_DELETE} for n in names]}
    # .machine.udev is left alone: UdevRulesConfig replaces it as a whole once present, and
    # deleting it would also delete rules set outside this intent (add_upgrade_moves warns)
    for key in ("nodeLabels", "nodeAnnotations", "nodeTaints"):
        if key in old_machine:
            machine[key] = dict(_DELETE)
    if "sysctls" in old_machine:
        machine["sysctls"] = {name: dict(_DELETE) for name in old_machine["sysctls"]}
    if "files" in old_machine:
        machine["files"] = [{"path": f["path"], **_DELETE} for f in old_machine["files"]]
    return machine


def _without_installer_document(rendered: Rendered) -> tuple[Rendered, str | None]:
    """``rendered`` without its ``UnattendedInstallConfig`` (only the installer image), and
    that image: an upgraded node keeps ``.machine.install``, where the image then goes."""
    image = rendered.plan.installer_image
    docs = [d for d in rendered.documents if not is_installer_only(d)]
    if image is None or len(docs) == len(rendered.documents):
        return rendered, None
    return replace(rendered, documents=tuple(docs)), image


def _old_render(rendered: Rendered, from_version: TalosVersion) -> Rendered:
    try:
        return render_plan(resolve(rendered.plan.intent, from_version))
    except TalosGPUError as exc:
        raise RenderError(
            f"--from-version {from_version}: this intent cannot be rendered for Talos "
            f"{from_version}, so talosgpu cannot tell what to move ({exc.message}); diff the "
            "live config instead (talosgpu diff --live/--node)"
        ) from None


def _toolkit_moves(rendered: Rendered, from_version: TalosVersion) -> tuple[list[Any], list[str]]:
    """Into a release whose extension ships no toolkit (1.15): drop the runtime part, say why."""
    target = rendered.plan.version
    docs: list[Any] = []
    if from_version.gpu_documents and not any(is_own_part(d) for d in rendered.documents):
        # Delete the 1.14 runtime part (its runtimes point at binaries 1.15 lacks); safe
        # whether or not the node has it.
        docs.append(delete_own_part())
    warnings = [
        f"Talos {target}'s nvidia-container-toolkit extension ships no NVIDIA Container Toolkit "
        "(only the driver's userspace libraries and persistenced): before upgrading, install the "
        f"GPU Operator >= {target.gpu_operator_min} with its toolkit through NRI (talosgpu "
        f"helm-values --talos-version {target}) and remove the nvidia-device-plugin chart; any "
        "CRI customization pointing at /usr/local/bin/nvidia-container-runtime* (talosgpu lint "
        f"--talos-version {target} finds them) breaks every pod that uses it",
    ]
    if target.open_only("lts") and not from_version.open_only("lts"):
        warnings.append(
            f"if this node ran nonfree-kmod-nvidia-lts, Image Factory replaces it with the open "
            f"LTS modules ({target.facts.drivers_lts}) on upgrade to Talos {target}: a Maxwell, "
            "Pascal or Volta GPU then has no driver (extensions discussion #1365)"
        )
    return docs, warnings


def add_upgrade_moves(rendered: Rendered, *, from_version: TalosVersion) -> Rendered:
    """Prefix the target's documents with what a ``from_version`` node must lose.

    From <= 1.13: deletes of the v1alpha1 fields the ``from_version`` render set. Into a release
    whose toolkit extension ships no runtime binaries (1.15): a delete of talosgpu's 1.14 CRI
    customization, and warnings for what changes outside the machine config.
    """
    target = rendered.plan.version
    if not target.gpu_documents:
        raise RenderError(
            f"--from-version moves settings into the Talos 1.14 documents; the target Talos {target} "
            "has none (use --talos-version 1.14 or newer)"
        )
    if from_version.series >= target.series:
        raise RenderError(
            f"--from-version {from_version} is not older than the target Talos {target}: "
            "nothing to move"
        )
    crosses_toolkit = from_version.extension_ships_toolkit and target.nri_injection
    if from_version.gpu_documents and not crosses_toolkit:
        raise RenderError(
            f"--from-version {from_version} already uses the 1.14 documents: nothing to move"
        )
    moves: list[Any] = []
    warnings = list(rendered.warnings)
    header = rendered.header
    if not from_version.gpu_documents:
        old = _old_render(rendered, from_version)
        old_machine: dict[str, Any] = old.documents[0]["machine"] if old.documents else {}
        deletes = deletes_for(old_machine)
        if "install" in old_machine:
            # Talos rejects UnattendedInstallConfig next to the upgraded node's .machine.install
            rendered, image = _without_installer_document(rendered)
            if image is not None:
                deletes["install"] = {"image": image}
                header += (
                    "# Upgrade move: the installer image stays in .machine.install, which the "
                    "upgraded node has (Talos rejects UnattendedInstallConfig next to it).\n"
                )
        if deletes:
            moves.append({"machine": deletes})
            header += (
                f"# Upgrade move: deletes the v1alpha1 fields the Talos {from_version} patch set.\n"
            )
            warnings.append(
                f"the move deletes exactly what talosgpu's Talos {from_version} render of this "
                "intent sets: on a node whose config lacks one of those entries (set up by hand "
                "or from another intent) Talos refuses the whole patch (`lookup failed`); talosgpu "
                "diff/apply work the move out from the node's own config"
            )
        if "udev" in old_machine:
            warnings.append(
                "UdevRulesConfig replaces .machine.udev as a whole on Talos 1.14+: udev rules set "
                "outside this intent stop applying; add them to udevRules (talosgpu diff "
                "against the live config carries them into the document)"
            )
        if "nodeLabels" in deletes or "nodeTaints" in deletes or "nodeAnnotations" in deletes:
            warnings.append(
                "the move deletes .machine.nodeLabels/nodeAnnotations/nodeTaints whole (1.14 "
                "rejects them next to KubeNodeConfig): labels set outside this intent must move "
                "too (talosgpu diff against the live config shows them)"
            )
        warnings.append(KUBE_NODE_CONFIG_WARNING)
    if crosses_toolkit and from_version.gpu_documents:
        # The 1.14 node has the 1.14 render's documents: re-adding them would append their
        # lists (module parameters, udev rules) a second time (merge.go). Send what still
        # changes against that render (talos/reduce.py), and delete talosgpu's labels it set
        # that this plan does not.
        old = _old_render(rendered, from_version)
        rendered, relabel = drop_stale_talosgpu_labels(rendered, list(old.documents))
        reduced = reduce_patch(list(old.documents), rendered.documents, talos_version=target)
        rendered = replace(rendered, documents=tuple(reduced))
        warnings += [
            *relabel,
            f"the move sends what changes against talosgpu's Talos {from_version} render of this "
            "intent: on a node whose config differs from it (set up by hand or from another "
            "intent) use talosgpu diff/apply, which work the move out from the node's own config",
        ]
    if crosses_toolkit:
        docs, more = _toolkit_moves(rendered, from_version)
        if docs:
            header += (
                f"# Upgrade move: deletes talosgpu's Talos {from_version} CRI customization "
                f"({DOCUMENT_NAME}); Talos {target} has no NVIDIA runtime binaries.\n"
            )
        moves.extend(docs)
        warnings.extend(more)
    if not moves and len(warnings) == len(rendered.warnings):
        return rendered
    return replace(
        rendered,
        documents=(*moves, *rendered.documents),
        header=header,
        warnings=tuple(dict.fromkeys(warnings)),
    )
