"""``talosgpu cdi validate`` and ``cdi patch-hooks``: read a spec once, then the pure checks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from talosgpu.cdi.findings import CDIFinding
from talosgpu.cdi.hooks import HookPatchResult, Strategy, patch_hooks
from talosgpu.cdi.spec import CDISpec, load_spec
from talosgpu.cdi.validate import validate_spec
from talosgpu.commands.inputs import read_input
from talosgpu.versions import version_option

if TYPE_CHECKING:
    from talosgpu.versions import TalosVersion

__all__ = ["CDIValidation", "patch_spec_hooks", "validate_spec_file"]


@dataclass(frozen=True, slots=True)
class CDIValidation:
    """The spec as loaded and what the runtime loader (and Talos) would say about it."""

    spec: CDISpec
    findings: tuple[CDIFinding, ...]


def validate_spec_file(
    path: str | Path,
    *,
    device_id_strategy: Literal["uuid", "index"] | None = None,
    talos_version: str | TalosVersion | None = None,
    assume_newest_known: bool = False,
) -> CDIValidation:
    """Validate the CDI spec at ``path`` (YAML or JSON; ``-`` = stdin)."""
    item = read_input(path)
    spec = load_spec(item.text, source=item.source)
    version = version_option(talos_version, assume_newest_known=assume_newest_known)
    findings = validate_spec(spec, device_id_strategy=device_id_strategy, talos_version=version)
    return CDIValidation(spec=spec, findings=tuple(findings))


def patch_spec_hooks(
    path: str | Path, *, strategy: Strategy = "real-binaries"
) -> tuple[HookPatchResult, str]:
    """Rewrite the NVIDIA hook paths of the spec at ``path``; the result and the spec's name."""
    item = read_input(path)
    return patch_hooks(item.text, strategy=strategy, source=item.source), item.source
