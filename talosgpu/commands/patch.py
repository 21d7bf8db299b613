"""``talosgpu patch``: apply patches to a config exactly as Talos does, redacted unless asked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from talosgpu import yamlio
from talosgpu.commands.inputs import read_input
from talosgpu.talos.apply import PatchResult, apply_patches, load_config
from talosgpu.talos.secrets import redact_documents
from talosgpu.versions import version_option

if TYPE_CHECKING:
    from talosgpu.versions import TalosVersion

__all__ = ["PatchOutcome", "patch_config"]


@dataclass(frozen=True, slots=True)
class PatchOutcome:
    """The merged config (``result``) and the text to print: whole with ``show_secrets``,
    else with secret values redacted (``redacted`` says whether any were)."""

    result: PatchResult
    text: str
    redacted: bool


def patch_config(
    config: str | Path,
    patches: Sequence[str],
    *,
    talos_version: str | TalosVersion | None = None,
    show_secrets: bool = False,
    assume_newest_known: bool = False,
) -> PatchOutcome:
    """Read ``config`` (``-`` = stdin), apply ``patches`` (``@file``, a file, inline YAML/JSON)."""
    item = read_input(config)
    docs = load_config(item.text, source=item.source)
    version = version_option(talos_version, assume_newest_known=assume_newest_known)
    result = apply_patches(docs, list(patches), talos_version=version)
    if show_secrets:
        return PatchOutcome(result=result, text=result.text, redacted=False)
    masked = redact_documents(list(result.documents))
    return PatchOutcome(
        result=result, text=yamlio.dump_all(masked), redacted=masked != list(result.documents)
    )
