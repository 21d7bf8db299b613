"""``talosgpu schematic``: the Image Factory schematic of a GPU node."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Literal

from talosgpu.commands.inputs import load_target
from talosgpu.errors import RenderError
from talosgpu.intent.models import Intent
from talosgpu.knowledge.schematic import Schematic
from talosgpu.outputs import schematic_for
from talosgpu.plan import target_version
from talosgpu.plan_node import installer_reference
from talosgpu.versions import TalosVersion

__all__ = ["schematic"]


def schematic(
    intent: Intent | str | Path | None = None,
    *,
    profile: str | None = None,
    talos_version: str | TalosVersion | None = None,
    flavour: Literal["open", "proprietary"] | None = None,
    branch: Literal["lts", "production", "new-feature"] | None = None,
    fabric_manager: bool | None = None,
    extra_kernel_args: Sequence[str] = (),
    extra_extensions: Sequence[str] = (),
    assume_newest_known: bool = False,
) -> tuple[Schematic, tuple[str, ...]]:
    """The Image Factory schematic for an intent, a profile, or flags alone (``talosgpu schematic``).

    Explicit arguments override the intent's GPU settings. Returns the schematic and warnings.
    """
    if intent is None and profile is None:
        loaded = Intent()
    else:
        loaded, _ = load_target(intent, profile=profile)
    version = target_version(loaded, talos_version, assume_newest_known=assume_newest_known)
    warnings: list[str] = list(version.warnings)
    result = schematic_for(
        loaded,
        version,
        flavour=flavour,
        branch=branch,
        fabric_manager=fabric_manager,
        extra_kernel_args=extra_kernel_args,
        extra_extensions=extra_extensions,
        warnings=warnings,
    )
    # the intent's platform and SecureBoot choice (metal by default), for this very schematic;
    # the tag is the full release the user named, never a guessed patch release
    try:
        image, _ = installer_reference(loaded, version, talos_version, schematic_id=result.id)
    except RenderError:
        image = (
            installer_reference(loaded, version, f"{version}.0", schematic_id=result.id)[0].rsplit(
                ":", 1
            )[0]
            + f":v{version}.<patch>"
        )
        warnings.append(
            f"the installer tag is the node's full Talos release: give --talos-version {version}.N "
            "(or talosVersion with the patch release) for a reference you can install"
        )
    result = replace(result, installer=image)
    return result, tuple(warnings)
