"""The ``talosgpu diff`` use-case: live config + intent → proposal → semantic, redacted diff.

The Talos version is ``talos_version`` when given, else the intent's ``talosVersion``, else the
one read from the live config's installer image, else the newest known (with a warning).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from talosgpu.commands.node_target import load_node_target
from talosgpu.commands.patches import base_dir, load_user_patches
from talosgpu.commands.redact import redact_error
from talosgpu.commands.talosctl import fetch_live_config
from talosgpu.configdiff.cri_dropped import dropped_cri_settings, other_default_runtimes
from talosgpu.configdiff.model import ConfigDiff
from talosgpu.configdiff.node import check_node, legacy_cri_part
from talosgpu.configdiff.propose import Proposal, propose
from talosgpu.configdiff.semantic import diff_configs
from talosgpu.configdiff.stale import drop_stale_runtime_parts, unrendered_runtime_parts
from talosgpu.errors import TalosGPUError, VersionError
from talosgpu.live import LiveConfig, load_live_config
from talosgpu.nodepatch import merge_node_patches
from talosgpu.outputs import render_intent, schematic_for
from talosgpu.renderers.relabel import drop_stale_talosgpu_labels
from talosgpu.talos.documents import doc_kind, is_v1alpha1
from talosgpu.talos.field_names import KINDS, field_names, releases_with
from talosgpu.talos.secrets import collect_secret_values
from talosgpu.versions import DEFAULT_VERSION, TalosVersion, version_option

if TYPE_CHECKING:
    from talosgpu.intent.models import Intent
    from talosgpu.renderers.base import Rendered

__all__ = ["DiffResult", "diff", "resolve_version"]


@dataclass(frozen=True)
class DiffResult:
    """What ``talosgpu diff`` computed: the diff, the proposal behind it and where it came from."""

    diff: ConfigDiff
    proposal: Proposal
    live: LiveConfig
    rendered: Rendered
    warnings: tuple[str, ...] = ()
    show_secrets: bool = False
    address: str | None = None  # the node talosctl read the live config from

    @property
    def changed(self) -> bool:
        return not self.diff.empty

    @property
    def talos_version(self) -> TalosVersion:
        return self.diff.talos_version


def _known(
    version: str | TalosVersion, *, assume: bool, origin: str, live: LiveConfig | None = None
) -> TalosVersion:
    """``version`` parsed, refused (naming where it came from) when talosgpu does not know it."""
    try:
        return TalosVersion.parse(version, assume_newest_known=assume).require_known()
    except TalosGPUError as exc:
        if live is not None:
            raise type(exc)(f"{origin}: {exc.message}", file=live.source) from None
        raise type(exc)(exc.message, file=origin) from None


def resolve_version(
    explicit: str | TalosVersion | None,
    intent_version: str | None,
    live: LiveConfig,
    *,
    assume_newest_known: bool = False,
    action: str = "diffing",
) -> tuple[TalosVersion, list[str]]:
    """The target version and warnings about how it was chosen.

    A release newer than talosgpu knows (given, or read from the live installer tag) is a
    :class:`~talosgpu.errors.VersionError` unless ``assume_newest_known``.
    """
    warnings: list[str] = []
    detected = live.talos_version
    assume = assume_newest_known
    if explicit is not None:
        version = version_option(explicit, assume_newest_known=assume)
        assert version is not None
        origin = "--talos-version"
    elif intent_version is not None:
        version = _known(intent_version, assume=assume, origin="the intent's talosVersion")
        origin = "the intent's talosVersion"
    elif detected is not None:
        where = "the installer image tag (.machine.install.image)"
        return _known(detected, assume=assume, origin=where, live=live), warnings
    else:
        intent = ", no talosVersion in the intent" if action == "diffing" else ""
        warnings.append(
            f"Talos version unknown (no --talos-version{intent}, no installer image tag in the "
            f"config); assumed the newest released one: {action} for Talos {DEFAULT_VERSION}"
        )
        return TalosVersion.parse(DEFAULT_VERSION), warnings
    _check_documents_allow(version, live, origin=origin)
    if detected is not None and detected.series != version.series:
        warnings.append(
            f"the live config's installer image is Talos {detected}; {action} for "
            f"Talos {version} ({origin})"
        )
    return version, warnings


def _check_documents_allow(version: TalosVersion, live: LiveConfig, *, origin: str) -> None:
    """A config holding a document kind the target release's decoder does not register (the
    ``kinds`` of data/talos_field_names.toml: ``KubeNodeConfig`` from 1.14, ``HostnameConfig``
    from 1.12) is on a node running a newer release: a proposal for the older one would be
    judged by the wrong release (and, below 1.14, add the v1alpha1 fields those documents
    conflict with, a config Talos rejects). Refused, whichever option named the release."""
    accepted = field_names(version, KINDS)
    if accepted is None:
        return
    newer: dict[str, str] = {}
    for doc in live.documents:
        kind = doc_kind(doc)
        since = releases_with(KINDS, kind) if kind and not is_v1alpha1(doc) else ()
        if since and kind not in accepted:
            newer[kind] = since[0]
    if newer:
        order = sorted(newer.items(), key=lambda km: (_descending(km[1]), km[0]))
        first = order[0][1]
        shown = ", ".join(f"{k} (Talos {m}+)" for k, m in order[:3])
        shown += f" and {len(order) - 3} more" if len(order) > 3 else ""
        raise VersionError(
            f"the live config has {shown}, so the node runs Talos {first} or newer, not "
            f"{version} ({origin}): give the node's release (--talos-version, or talosVersion "
            "in the intent)",
            file=live.source,
        )


def _descending(release: str) -> tuple[int, int]:
    major, minor = TalosVersion.parse(release).series
    return -major, -minor


def _read_live(
    live: str | Path | LiveConfig | None,
    *,
    node: str | None,
    talosconfig: str | None,
    timeout: float | None = None,
) -> LiveConfig:
    if isinstance(live, LiveConfig):
        return live
    if live is not None:
        # --node with a file picks a node from a multi-node talosctl envelope
        return load_live_config(live, node=node)
    if node is not None:
        return fetch_live_config(node, talosconfig=talosconfig, timeout=timeout)
    raise TalosGPUError(
        "no live config: give --live FILE (- for stdin) or --node ADDR, or set node.address "
        "in the intent"
    )


def diff(
    intent: Intent | str | Path | None = None,
    *,
    profile: str | None = None,
    live: str | Path | LiveConfig | None = None,
    node: str | None = None,
    talos_version: str | TalosVersion | None = None,
    talosconfig: str | None = None,
    show_secrets: bool = False,
    assume_newest_known: bool = False,
    timeout: float | None = None,
    patch_base: str | Path | None = None,
) -> DiffResult:
    """Diff the config ``intent`` (or ``profile``) would give a node against its live config.

    ``live`` is a file (``-`` = stdin) or a :class:`~talosgpu.live.LiveConfig`; without it the
    config is fetched with ``talosctl`` (``timeout`` seconds at most) from ``node``, else the
    intent's ``node.address``. ``intent`` may be an inventory: ``node`` (a node's name or
    address) picks one of its nodes. The intent's ``patches`` are merged after talosgpu's
    documents (files relative to the intent file, or ``patch_base``). Errors never carry the
    live config's secrets unless ``show_secrets``.
    """
    if intent is not None and str(intent) == "-" and live is not None and str(live) == "-":
        raise TalosGPUError("the intent and the live config cannot both come from stdin")
    target = load_node_target(intent, profile=profile, node=node)
    loaded, label = target.intent, target.label
    # --node with --live picks a node of a multi-node envelope; an inventory's node by address
    pick = target.address if live is None or target.from_inventory else node
    live_config = _read_live(live, node=pick, talosconfig=talosconfig, timeout=timeout)
    version, warnings = resolve_version(
        talos_version, loaded.talos_version, live_config, assume_newest_known=assume_newest_known
    )
    try:
        rendered = render_intent(loaded, talos_version=version, source=label)
        # the rest of the node's config: diff and apply always use the merged node patch
        base = Path(patch_base) if patch_base is not None else base_dir(target.source)
        patches = load_user_patches(loaded, base=base)
        rendered = merge_node_patches(rendered, patches)
        rendered, stale = drop_stale_runtime_parts(rendered, live_config.documents)
        warnings.extend(stale)
        warnings.extend(unrendered_runtime_parts(rendered, live_config.documents))
        rendered, relabel = drop_stale_talosgpu_labels(rendered, live_config.documents)
        warnings.extend(relabel)
        proposal = propose(live_config, rendered)
        warnings.extend(proposal.notes)
        warnings.extend(dropped_cri_settings(proposal.live_documents, proposal.proposed_documents))
        if rendered.cri_toml is not None:  # the plan states a default runtime (or runc)
            intended = rendered.plan.cri.default_runtime
            warnings.extend(other_default_runtimes(proposal.proposed_documents, intended))
        result = diff_configs(
            proposal.live_documents, proposal.proposed_documents, talos_version=version
        )
        checked = check_node(
            live_config.documents,
            schematic=schematic_for(loaded, version),
            role=loaded.node.role,
            version=version,
            node=target.address or live_config.node,
            wanted_installer=rendered.plan.installer_image,
        )
        result = checked.apply_to(result)
        warnings.extend(checked.warnings)
        if version.gpu_documents:
            warnings.extend(legacy_cri_part(proposal.proposed_documents))
    except TalosGPUError as exc:
        if target.source is not None:
            # an error of the intent's own patches or plan names the intent file
            exc = exc.with_file(str(target.source))
        if show_secrets:
            raise exc from None
        raise redact_error(exc, collect_secret_values(live_config.documents)) from None
    notes = [*target.notes, *version.warnings, *live_config.warnings, *warnings, *rendered.warnings]
    return DiffResult(
        diff=result,
        proposal=proposal,
        live=live_config,
        rendered=rendered,
        warnings=tuple(dict.fromkeys(notes)),
        show_secrets=show_secrets,
        address=target.address if live is None else None,
    )
