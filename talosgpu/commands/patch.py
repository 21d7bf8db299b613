"""``talosgpu patch``: apply patches to a config exactly as Talos does; the result is a config.

Like ``talosctl machineconfig patch`` (``cmd/talosctl/cmd/mgmt/machineconfig/patch.go``), the
output is the whole merged config — its input already held those secrets, and a redacted
"config" cannot be applied. ``redact=True`` gives the view to share instead. The config is read
in every form ``diff`` accepts (a file, stdin, the ``talosctl get machineconfig -o yaml``
envelope), and merged with the rules of its own release: ``--talos-version``, else the
installer image tag, else the newest released minor (``DEFAULT_VERSION``), said as an assumption.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from talosgpu import yamlio
from talosgpu.commands.diff import resolve_version
from talosgpu.commands.inputs import read_input
from talosgpu.commands.redact import redact_error
from talosgpu.errors import TalosGPUError
from talosgpu.live import load_live_config
from talosgpu.talos.apply import PatchResult, apply_patches
from talosgpu.talos.secrets import collect_secret_values, redact_documents, redact_text

if TYPE_CHECKING:
    from talosgpu.versions import TalosVersion

__all__ = ["PatchOutcome", "patch_config"]


@dataclass(frozen=True, slots=True)
class PatchOutcome:
    """The merged config (``result``) and the text to write: whole, or with secret values
    masked when asked (``redacted``: some were). ``warnings``: how the release was chosen."""

    result: PatchResult
    text: str
    redacted: bool
    warnings: tuple[str, ...] = ()

    @property
    def talos_version(self) -> TalosVersion:
        return self.result.talos_version


def patch_config(
    config: str | Path,
    patches: Sequence[str],
    *,
    talos_version: str | TalosVersion | None = None,
    redact: bool = False,
    assume_newest_known: bool = False,
) -> PatchOutcome:
    """Read ``config`` (``-`` = stdin), apply ``patches`` (``@file``, a file, inline YAML/JSON)
    in order. Raises :class:`~talosgpu.errors.TalosGPUError` for a config or patch Talos would
    reject (naming the file and path)."""
    item = read_input(config)
    live = load_live_config(item.path, text=item.text)
    version, warnings = resolve_version(
        talos_version, None, live, assume_newest_known=assume_newest_known, action="merging"
    )
    try:
        result = apply_patches(live.documents, list(patches), talos_version=version)
    except TalosGPUError as exc:
        # an error is a report: never the config's secrets (a JSON6902 op may quote values)
        raise redact_error(exc, collect_secret_values(live.documents)) from None
    notes = (*version.warnings, *live.warnings, *warnings)
    if not redact:
        return PatchOutcome(result=result, text=result.text, redacted=False, warnings=notes)
    masked = redact_documents(list(result.documents))
    # a secret copied to a path that is not secret (a JSON6902 copy/move, an alias, a value
    # repeated by hand) is masked by its value, as diff does
    known = collect_secret_values([*live.documents, *result.documents])
    return PatchOutcome(
        result=result,
        text=redact_text(yamlio.dump_all(masked), known_secrets=known),
        redacted=masked != list(result.documents),
        warnings=notes,
    )
