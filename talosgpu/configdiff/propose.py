"""The proposed config: the live config with the rendered patch applied *idempotently*.

Talos appends list items on every application (``pkg/machinery/config/merge/merge.go``), so the
rendered patch is first reduced against the live config
(:func:`talosgpu.talos.idempotency.reduce_patch`): what is already there is dropped, a changed
list item (the CRI part with new TOML, a module with new parameters) becomes ``$patch: delete``
plus the new item, so it is replaced rather than appended. The reduced patch is what
``talosgpu apply`` sends; applying it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from talosgpu.errors import LiveConfigError, MergeError
from talosgpu.live import LiveConfig
from talosgpu.renderers.base import Rendered
from talosgpu.talos.apply import apply_patch_chain
from talosgpu.talos.idempotency import reduce_patch, split_patch
from talosgpu.talos.installer import fit_installer
from talosgpu.talos.kubenode import move_kube_node_fields
from talosgpu.talos.patches import Patch
from talosgpu.talos.udevmove import carry_udev_rules
from talosgpu.versions import TalosVersion

__all__ = ["Proposal", "propose", "propose_documents"]


@dataclass(frozen=True)
class Proposal:
    """``patch_documents``: the idempotent patch (empty when the node is up to date);
    ``patches``: the same split into the patches this Talos release accepts (before 1.14 one
    patch may not touch a document twice); ``proposed_documents``: live + patch;
    ``live_documents``: the live config as read. The proposed documents share every subtree the
    patch does not touch with the live ones: treat both as read-only (or copy)."""

    patch_documents: list[dict[str, Any]]
    proposed_documents: list[dict[str, Any]]
    live_documents: list[dict[str, Any]]
    talos_version: TalosVersion
    patches: list[list[dict[str, Any]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the proposal did to stay valid

    @property
    def empty(self) -> bool:
        return not self.patch_documents


def propose_documents(
    live_docs: list[dict[str, Any]],
    patch_docs: list[dict[str, Any]] | tuple[dict[str, Any], ...],
    *,
    talos_version: str | TalosVersion,
    source: str = "<live config>",
) -> Proposal:
    """Reduce ``patch_docs`` against ``live_docs`` and apply the result, as Talos would.

    ``source`` names the live config in errors."""
    version = TalosVersion.parse(talos_version)
    if version.gpu_documents:
        # Never propose a config Talos rejects: carry the live v1alpha1 node fields into the
        # KubeNodeConfig (talos/kubenode.py), or refuse with the fix.
        patch_docs = move_kube_node_fields(live_docs, patch_docs, source=source)
        # and keep the installer image in .machine.install where the node still has that
        patch_docs = fit_installer(live_docs, patch_docs)
        # and the node's own udev rules, which UdevRulesConfig would otherwise replace
        patch_docs, notes = carry_udev_rules(live_docs, patch_docs)
    else:
        notes = []
    try:
        proposal = _propose(live_docs, patch_docs, version, source)
        return replace(proposal, notes=notes) if notes else proposal
    except MergeError as exc:
        # The rendered patch is well-formed; what it cannot merge with is the live config's
        # shape (a `machine: false`, a list where Talos has a map): name the live config.
        raise LiveConfigError(
            f"the patch cannot be merged into this config: {exc.message}",
            file=source,
            path=exc.yaml_path,
        ) from None


def _propose(
    live_docs: list[dict[str, Any]],
    patch_docs: list[dict[str, Any]] | tuple[dict[str, Any], ...],
    version: TalosVersion,
    source: str,
) -> Proposal:
    # reduce_patch and apply_patch_chain never modify their inputs: no copy needed here.
    live = [dict(d) for d in live_docs]
    reduced = reduce_patch(live, list(patch_docs), talos_version=version)
    pieces = split_patch(reduced, talos_version=version)
    proposed = apply_patch_chain(
        live,
        [Patch.from_documents(p, source="<proposed patch>") for p in pieces],
        talos_version=version,
        source=source,
    ).documents
    return Proposal(reduced, proposed, live, version, pieces)


def propose(
    live: LiveConfig, rendered: Rendered, *, talos_version: str | TalosVersion | None = None
) -> Proposal:
    """The proposal for ``rendered`` (a rendered intent) on the node whose config is ``live``.

    ``talos_version`` defaults to the version the patch was rendered for.
    """
    version = talos_version if talos_version is not None else rendered.plan.version
    return propose_documents(
        live.documents, rendered.documents, talos_version=version, source=live.source
    )
