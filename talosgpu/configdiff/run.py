"""The ``talosgpu diff`` use-case: live config + intent → proposal → semantic, redacted diff.

The Talos version is ``talos_version`` when given, else the intent's ``talosVersion``, else the
one read from the live config's installer image, else the newest known (with a warning).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from talosgpu.configdiff.model import ConfigDiff
from talosgpu.configdiff.propose import Proposal, propose
from talosgpu.configdiff.report import render_json, render_text
from talosgpu.configdiff.semantic import diff_configs
from talosgpu.errors import TalosGPUError
from talosgpu.live import LiveConfig
from talosgpu.versions import DEFAULT_VERSION, TalosVersion, version_option

if TYPE_CHECKING:
    from talosgpu.intent.models import Intent
    from talosgpu.renderers.base import Rendered

__all__ = ["DiffResult", "diff", "redact_error", "resolve_version"]


@dataclass(frozen=True)
class DiffResult:
    """What ``talosgpu diff`` computed: the diff, the proposal behind it and where it came from."""

    diff: ConfigDiff
    proposal: Proposal
    live: LiveConfig
    rendered: Rendered
    warnings: tuple[str, ...] = ()
    show_secrets: bool = False

    @property
    def changed(self) -> bool:
        return not self.diff.empty

    @property
    def talos_version(self) -> TalosVersion:
        return self.diff.talos_version

    @property
    def text(self) -> str:
        """The text report (redacted unless ``show_secrets``)."""
        return render_text(self.diff, **self._meta())

    @property
    def json(self) -> str:
        """The JSON report (see ``docs/diff-and-apply.md`` for its shape)."""
        return render_json(self.diff, **self._meta())

    def to_dict(self) -> dict[str, Any]:
        """The JSON report as plain data (values redacted unless ``show_secrets``)."""
        import json

        data: dict[str, Any] = json.loads(self.json)
        return data

    def _meta(self) -> dict[str, Any]:
        return {
            "node": self.live.node,
            "source": self.live.source,
            "warnings": self.warnings,
            "show_secrets": self.show_secrets,
        }


def redact_error(exc: TalosGPUError, secrets: Iterable[str]) -> TalosGPUError:
    """The same error with ``secrets`` masked in its message (type, file and path kept)."""
    from talosgpu.talos.secrets import redact_text

    clone = copy.copy(exc)
    clone.message = redact_text(exc.message, known_secrets=secrets)
    if exc.file:
        clone.file = redact_text(exc.file, known_secrets=secrets)
    Exception.__init__(clone, clone.one_line())
    return clone


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
        warnings.append(
            f"Talos version unknown (no --talos-version, no talosVersion in the intent, no "
            f"installer image tag in the live config); diffing for Talos {DEFAULT_VERSION}"
        )
        return TalosVersion.parse(DEFAULT_VERSION), warnings
    if detected is not None and detected.series != version.series:
        warnings.append(
            f"the live config's installer image is Talos {detected} but the diff is for Talos "
            f"{version} ({origin})"
        )
    return version, warnings


def drop_stale_runtime_parts(
    rendered: Rendered, live_docs: list[dict[str, Any]]
) -> tuple[Rendered, list[str]]:
    """On a release without NVIDIA runtime binaries (1.15+), remove talosgpu's own old CRI part
    from the live config and warn about any other part that points at those binaries."""
    from dataclasses import replace

    from talosgpu.renderers.cri import delete_own_part, is_own_part

    v = rendered.plan.version
    if v.extension_ships_toolkit:
        return rendered, []
    warnings: list[str] = []
    docs = list(rendered.documents)
    for doc in live_docs:
        if doc.get("kind") == "CRICustomizationConfig" and isinstance(doc.get("content"), str):
            name = doc.get("name")
            if is_own_part(doc) and not any(is_own_part(d) for d in docs):
                docs.insert(0, delete_own_part())
            elif "nvidia-container-runtime" in doc["content"]:
                warnings.append(
                    f"the live CRICustomizationConfig {name!r} points at NVIDIA runtime "
                    f"binaries that Talos {v} does not ship: pods using it fail (delete it)"
                )
    machine = next((d.get("machine") for d in live_docs if "machine" in d), None)
    files = machine.get("files") if isinstance(machine, dict) else None
    for entry in files if isinstance(files, list) else []:
        content = entry.get("content") if isinstance(entry, dict) else None
        if isinstance(content, str) and "nvidia-container-runtime" in content:
            where = entry.get("path", "?")
            warnings.append(
                f"the live machine file {where} points at NVIDIA runtime binaries that Talos {v} "
                f"does not ship: pods using it fail (delete it with "
                f"`machine: {{files: [{{path: {where}, $patch: delete}}]}}`)"
            )
    if len(docs) == len(rendered.documents):
        return rendered, warnings
    return replace(rendered, documents=tuple(docs)), warnings


def _read_live(
    live: str | Path | LiveConfig | None, *, node: str | None, talosconfig: str | None
) -> LiveConfig:
    if isinstance(live, LiveConfig):
        return live
    if live is not None and node is not None:
        # --node with a file picks a node from a multi-node talosctl envelope
        from talosgpu.live import load_live_config

        return load_live_config(live, node=node)
    if live is not None:
        from talosgpu.live import load_live_config

        return load_live_config(live)
    if node is not None:
        from talosgpu.talosctl import fetch_live_config

        return fetch_live_config(node, talosconfig=talosconfig)
    raise TalosGPUError("no live config: give --live FILE (- for stdin) or --node ADDR")


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
) -> DiffResult:
    """Diff the config ``intent`` (or ``profile``) would give a node against its live config.

    ``live`` is a file (``-`` = stdin) or a :class:`~talosgpu.live.LiveConfig`; without it the
    config is fetched from ``node`` with ``talosctl``. Errors never carry the live config's
    secrets unless ``show_secrets``.
    """
    from talosgpu import api

    if intent is not None and str(intent) == "-" and live is not None and str(live) == "-":
        raise TalosGPUError("the intent and the live config cannot both come from stdin")
    live_config = _read_live(live, node=node, talosconfig=talosconfig)
    loaded, label = api.load(intent, profile=profile)
    version, warnings = resolve_version(
        talos_version, loaded.talos_version, live_config, assume_newest_known=assume_newest_known
    )
    try:
        rendered = api.render(loaded, talos_version=version, source=label)
        rendered, stale = drop_stale_runtime_parts(rendered, live_config.documents)
        warnings.extend(stale)
        proposal = propose(live_config, rendered)
        result = diff_configs(
            proposal.live_documents, proposal.proposed_documents, talos_version=version
        )
    except TalosGPUError as exc:
        if show_secrets:
            raise
        from talosgpu.talos.secrets import collect_secret_values

        raise redact_error(exc, collect_secret_values(live_config.documents)) from None
    notes = [*version.warnings, *live_config.warnings, *warnings, *rendered.warnings]
    return DiffResult(
        diff=result,
        proposal=proposal,
        live=live_config,
        rendered=rendered,
        warnings=tuple(dict.fromkeys(notes)),
        show_secrets=show_secrets,
    )
