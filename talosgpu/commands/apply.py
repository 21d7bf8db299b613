"""The ``talosgpu apply`` use-case: diff, refuse what would surprise, then ``talosctl patch``.

The patch sent is the *reduced* one (:mod:`talosgpu.configdiff.propose`): only what the node lacks, a
changed list item as ``$patch: delete`` + re-add, so applying twice changes nothing.
``talosctl patch machineconfig`` (``cmd/talosctl/cmd/talos/patch.go``) re-reads the active config
and merges client-side with the same strategic merge, then calls ``ApplyConfiguration``.

``--mode no-reboot`` (and ``try``) are refused before anything is sent when the diff reboots the
node (Talos <= 1.13): ``ApplyConfiguration`` would answer InvalidArgument "this config change
can't be applied in immediate mode" (research talos-internals.md §4.1). Before Talos 1.14 a
patch may not touch one document twice (``split_patch``): the pieces (and then the intent's
JSON6902 patches) are the ``--patch`` flags of one ``talosctl patch`` call, applied in order.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from talosgpu import yamlio
from talosgpu.commands.diff import DiffResult, diff
from talosgpu.commands.redact import redact_error
from talosgpu.commands.talosctl import (
    ApplyMode,
    TalosctlResult,
    apply_patch,
    error_text,
    fetch_live_config,
)
from talosgpu.configdiff.semantic import diff_configs
from talosgpu.errors import TalosctlError, TalosGPUError
from talosgpu.fsio import write_atomic
from talosgpu.versions import TalosVersion

if TYPE_CHECKING:
    from talosgpu.intent.models import Intent

__all__ = ["ApplyResult", "ApplyStatus", "apply"]

ApplyStatus = Literal["applied", "dry-run", "up-to-date", "declined"]
_IMMEDIATE_MODES = ("no-reboot", "try")


@dataclass(frozen=True)
class ApplyResult:
    """``status``: ``applied``, ``dry-run`` (talosctl ran with ``--dry-run``), ``up-to-date``
    (nothing to send) or ``declined`` (``confirm`` said no). ``runs``: the talosctl runs, their
    output already redacted (unless ``show_secrets``)."""

    status: ApplyStatus
    result: DiffResult
    mode: str
    runs: tuple[TalosctlResult, ...] = ()

    @property
    def applied(self) -> bool:
        return self.status == "applied"

    @property
    def interrupted(self) -> bool:
        """Ctrl-C arrived while talosctl patched the node (it was let finish)."""
        return any(run.interrupted for run in self.runs)


def _check_mode(result: DiffResult, mode: str) -> None:
    cdiff = result.diff
    if mode in _IMMEDIATE_MODES and cdiff.reboot:
        reasons = " and ".join(cdiff.reboot_reasons)
        raise TalosGPUError(
            f"--mode {mode} refused: on Talos {cdiff.talos_version} this change reboots the node "
            f"because {reasons} changed (Talos would reject it: can't be applied in immediate "
            "mode); use --mode auto (reboots) or --mode staged (next reboot)"
        )


def _send(
    result: DiffResult,
    *,
    node: str,
    mode: ApplyMode,
    dry_run: bool,
    talosconfig: str | None,
    secrets: frozenset[str],
    timeout: float | None,
) -> tuple[TalosctlResult, ...]:
    runs: list[TalosctlResult] = []
    workdir = Path(tempfile.mkdtemp(prefix="talosgpu-apply-"))  # 0700: the patch stays private
    # the merged patch in its pieces, then the intent's JSON6902 patches that change the
    # config, in order, as the --patch flags of one talosctl call: one ApplyConfiguration, one
    # reboot at most (each piece a call of its own would reboot between them on <= 1.13)
    texts = [yamlio.dump_all(piece) for piece in result.proposal.patches]
    texts += [yamlio.dump(list(p.operations)) for p in result.proposal.after_patches]
    try:
        files = []
        for number, text in enumerate(texts, start=1):
            patch_file = workdir / f"patch-{number}.yaml"
            write_atomic(patch_file, text)
            files.append(patch_file)
        run = apply_patch(
            node,
            files,
            mode=mode,
            dry_run=dry_run,
            talosconfig=talosconfig,
            check=False,
            timeout=timeout,
        )
        shown = run if result.show_secrets else run.redacted(known_secrets=secrets)
        runs.append(shown)
        if run.returncode != 0:
            raise TalosctlError(
                f"talosctl patch machineconfig exited with status {run.returncode}: "
                f"{error_text(shown.stderr)}",
                file=f"talosctl:{node}",
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return tuple(runs)


def _check_unchanged(
    result: DiffResult, *, node: str, talosconfig: str | None, timeout: float | None
) -> None:
    """The config diffed is the config patched: re-read it right before sending the patch and
    refuse, naming what changed, if another hand edited it since (``talosctl patch`` merges
    onto whatever is current: a CRI part edited meanwhile would be erased by the part's
    delete-and-re-add, modules added meanwhile listed twice). What is left is the moment
    between this read and talosctl's own, not the minutes a confirmation prompt may take."""
    now = fetch_live_config(node, talosconfig=talosconfig, timeout=timeout)
    if now.documents == result.live.documents:
        return
    changes = diff_configs(
        result.live.documents, now.documents, talos_version=result.talos_version
    ).changes
    paths = [f"{c.document} {c.path}" for c in changes[:5]]
    more = f" and {len(changes) - 5} more" if len(changes) > 5 else ""
    what = ", ".join(paths) + more if paths else "its documents"
    raise TalosGPUError(
        f"the config on {node} changed after it was diffed ({what}); nothing was applied: "
        "run apply again to see the diff against the current config",
        file=f"talosctl:{node}",
    )


def apply(
    intent: Intent | str | Path | None = None,
    *,
    profile: str | None = None,
    node: str | None = None,
    mode: ApplyMode = "auto",
    dry_run: bool = False,
    talosconfig: str | None = None,
    talos_version: str | TalosVersion | None = None,
    show_secrets: bool = False,
    on_diff: Callable[[DiffResult], None] | None = None,
    confirm: Callable[[DiffResult], bool] | None = None,
    assume_newest_known: bool = False,
    timeout: float | None = None,
    patch_base: str | Path | None = None,
) -> ApplyResult:
    """Diff ``intent`` against ``node``'s live config and send the idempotent patch.

    ``node`` defaults to the intent's ``node.address``; with an inventory it names one of its
    nodes (by name or address).

    ``on_diff`` is called with the diff before anything else (to show it); ``confirm`` (when
    given, and not for ``dry_run``) decides whether to go on. Right before patching, the config
    is read again: if it changed since the diff, nothing is sent. ``timeout``: seconds per
    talosctl call (default 60 for a read, 300 for a patch). Raises
    :class:`~talosgpu.errors.TalosGPUError` for a refused mode and
    :class:`~talosgpu.errors.TalosctlError` when talosctl fails (its message redacted).
    """
    result = diff(
        intent,
        profile=profile,
        node=node,
        talos_version=talos_version,
        talosconfig=talosconfig,
        show_secrets=show_secrets,
        assume_newest_known=assume_newest_known,
        timeout=timeout,
        patch_base=patch_base,
    )
    address = result.address
    assert address is not None, "diff without --live reads the node it names"
    if on_diff is not None:
        on_diff(result)
    if result.proposal.empty or result.diff.empty:
        return ApplyResult("up-to-date", result, mode)
    _check_mode(result, mode)
    if not dry_run and confirm is not None and not confirm(result):
        return ApplyResult("declined", result, mode)
    secrets = result.diff.secrets
    try:
        _check_unchanged(result, node=address, talosconfig=talosconfig, timeout=timeout)
        runs = _send(
            result,
            node=address,
            mode=mode,
            dry_run=dry_run,
            talosconfig=talosconfig,
            secrets=secrets,
            timeout=timeout,
        )
    except TalosGPUError as exc:
        raise (exc if show_secrets else redact_error(exc, secrets)) from None
    return ApplyResult("dry-run" if dry_run else "applied", result, mode, runs)
