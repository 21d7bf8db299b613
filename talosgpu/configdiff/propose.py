"""The proposed config: the live config with the rendered patch applied *idempotently*.

Talos appends list items on every application (``pkg/machinery/config/merge/merge.go``), so the
rendered patch is first reduced against the live config
(:func:`talosgpu.talos.idempotency.reduce_patch`): what is already there is dropped, a changed
list item (the CRI part with new TOML, a module with new parameters) becomes ``$patch: delete``
plus the new item, so it is replaced rather than appended. The reduced patch is what
``talosgpu apply`` sends; applying it again changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from talosgpu.errors import LiveConfigError, MergeError, RenderError
from talosgpu.live import LiveConfig
from talosgpu.renderers.base import Rendered
from talosgpu.talos.apply import JSON6902_MULTIDOC, apply_json6902, apply_patch_chain
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
    # the intent's JSON6902 patches that change the config, sent after ``patches``
    after_patches: list[Patch] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.patch_documents and not self.after_patches


def propose_documents(
    live_docs: list[dict[str, Any]],
    patch_docs: list[dict[str, Any]] | tuple[dict[str, Any], ...],
    *,
    talos_version: str | TalosVersion,
    source: str = "<live config>",
    after: Sequence[Patch] = (),
    own: Sequence[dict[str, Any]] | None = None,
) -> Proposal:
    """Reduce ``patch_docs`` against ``live_docs`` and apply the result, as Talos would, then
    the JSON6902 patches ``after`` (the intent's; they need the whole config).

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
    except MergeError as exc:
        # The rendered patch is well-formed; what it cannot merge with is the live config's
        # shape (a `machine: false`, a list where Talos has a map): name the live config.
        raise LiveConfigError(
            f"the patch cannot be merged into this config: {exc.message}",
            file=source,
            path=exc.yaml_path,
        ) from None
    if after:
        proposal = _after(proposal, list(own if own is not None else patch_docs), after, notes)
    return replace(proposal, notes=notes) if notes else proposal


def _after(
    proposal: Proposal,
    ours: list[dict[str, Any]] | tuple[dict[str, Any], ...],
    after: Sequence[Patch],
    notes: list[str],
) -> Proposal:
    """The JSON6902 patches applied to the proposed config, as ``talosctl patch`` applies them
    after the merged patch: one that changes nothing is already in effect and is not sent; one
    that undoes part of talosgpu's own patch (``ours``: not the intent's strategic patches,
    which a JSON6902 patch may well adjust) is refused, naming it."""
    docs = proposal.proposed_documents
    lacking = reduce_patch(docs, list(ours), talos_version=proposal.talos_version)
    sent: list[Patch] = []
    for patch in after:
        try:
            changed = apply_json6902(docs, patch.operations, source=patch.source)
        except MergeError as exc:
            hint = (
                " (the node's config has several documents: write it as a strategic merge patch)"
                if exc.message == JSON6902_MULTIDOC
                else ""
            )
            raise RenderError(f"{patch.source}: {exc.message}{hint}", path=exc.yaml_path) from None
        if changed == docs:
            continue
        try:
            repeats = apply_json6902(changed, patch.operations, source=patch.source) != changed
        except MergeError:
            notes.append(
                f"{patch.source}: once applied, this JSON6902 patch fails on the node's config "
                "(a remove or test of what it changed): the next diff stops there; drop it "
                "from patches: after applying"
            )
        else:
            if repeats:
                notes.append(
                    f"{patch.source}: a JSON6902 patch that changes the config each time it is "
                    "applied (an add to a list end?): every apply adds it again"
                )
        docs = changed
        sent.append(patch)
    undone = reduce_patch(docs, list(ours), talos_version=proposal.talos_version)
    if undone != lacking:
        names = ", ".join(p.source for p in sent)
        raise RenderError(
            f"{names} undoes part of talosgpu's patch (after it, the config still lacks: "
            f"{_short(undone)}); change the intent instead"
        )
    return replace(proposal, proposed_documents=docs, after_patches=sent)


def _short(docs: list[dict[str, Any]], limit: int = 160) -> str:
    text = json.dumps(docs[0] if len(docs) == 1 else docs, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
        live.documents,
        rendered.documents,
        talos_version=version,
        source=live.source,
        after=rendered.after_patches,
        own=rendered.own_documents,
    )
