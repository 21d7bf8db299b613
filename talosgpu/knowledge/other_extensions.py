"""A node's other extensions (``extensions:`` in an intent): checked against the official list.

Image Factory builds a schematic's image from ``officialExtensions`` only: a name it does not
publish for the release fails the build, and a custom extension image cannot be in a schematic
at all (it needs an installer built with the imager, ``--system-extension-image``; Talos docs
"Boot Assets"). The list of names per release is ``data/official_extensions.toml`` (read from
siderolabs/extensions tags, sources there). It records each name from the ``.0`` tag of a minor
on, so a name added in a patch release is said as "not in vX.Y.0", a warning, never an error.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from talosgpu import tomlio
from talosgpu.errors import IntentError
from talosgpu.knowledge.extensions import normalise_extension, parse_extension
from talosgpu.versions import TalosVersion

__all__ = ["ExtensionIssue", "check_other_extensions", "official_names"]

_DATA = "data/official_extensions.toml"
# Names whose successor the list shows (the old one's last release, the new one's first).
_RENAMED = {
    "gasket": "gasket-driver",
    "usb-modem": "usb-modem-drivers",
    "v4l-uvc": "v4l-uvc-drivers",
    "i915-ucode": "i915",
    "amdgpu-firmware": "amdgpu",
}


@dataclass(frozen=True, slots=True)
class ExtensionIssue:
    severity: Literal["error", "warning"]
    index: int
    message: str


@functools.cache
def official_names() -> dict[str, tuple[TalosVersion, TalosVersion]]:
    """``name -> (first release, last release read)`` of every official extension."""
    text = resources.files("talosgpu.knowledge").joinpath(_DATA).read_text("utf-8")
    data = tomlio.loads(text, source=f"talosgpu/knowledge/{_DATA}")
    return {
        name: (TalosVersion.parse(row["since"]), TalosVersion.parse(row["until"]))
        for name, row in data["extensions"].items()
    }


def _newest_read() -> TalosVersion:
    return max(until for _, until in official_names().values())


def check_other_extensions(
    names: tuple[str, ...], *, version: TalosVersion
) -> tuple[tuple[str, ...], tuple[ExtensionIssue, ...]]:
    """``(factory names, issues)`` for the intent's ``extensions`` on ``version``.

    Errors: a custom image, an NVIDIA extension (the GPU's come from ``gpu.driver``), a name
    gone before the release, a duplicate. Warnings: a name talosgpu's list does not have, or
    first has after the release's ``.0`` tag.
    """
    table = official_names()
    out: list[str] = []
    issues: list[ExtensionIssue] = []
    for i, raw in enumerate(names):
        try:
            full = normalise_extension(raw)
        except IntentError as exc:
            issues.append(ExtensionIssue("error", i, exc.message))
            continue
        owner, _, short = full.rpartition("/")
        if owner != "siderolabs":
            issues.append(
                ExtensionIssue(
                    "error",
                    i,
                    f"{raw!r} is not an official extension: an Image Factory schematic holds "
                    "official extensions only; a custom extension needs an installer built "
                    "with the imager (--system-extension-image)",
                )
            )
            continue
        if parse_extension(full).role not in ("other", "gdrdrv"):
            issues.append(
                ExtensionIssue(
                    "error",
                    i,
                    f"{full} is an NVIDIA extension: talosgpu picks those from gpu.driver "
                    "(flavour, branch) and gpu.fabricManager; remove it here",
                )
            )
            continue
        if full in out:
            issues.append(ExtensionIssue("error", i, f"{full} is listed twice"))
            continue
        out.append(full)
        issues.extend(_release_issues(short, i, version, table))
    return tuple(sorted(out)), tuple(issues)


def _release_issues(
    short: str,
    index: int,
    version: TalosVersion,
    table: dict[str, tuple[TalosVersion, TalosVersion]],
) -> list[ExtensionIssue]:
    newest = _newest_read()
    if short not in table:
        close = difflib.get_close_matches(short, list(table), n=1, cutoff=0.8)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return [
            ExtensionIssue(
                "warning",
                index,
                f"siderolabs/{short} is not in talosgpu's list of official extensions (read up "
                f"to extensions v{newest.major}.{newest.minor}){hint}; Image Factory refuses a "
                "name it does not publish",
            )
        ]
    since, until = table[short]
    if version.series < since.series:
        return [
            ExtensionIssue(
                "warning",
                index,
                f"siderolabs/{short} first appears in extensions v{since}.0; Talos {version}.0 "
                "did not have it (a later patch release may)",
            )
        ]
    if version.series > until.series and until.series < newest.series:
        successor = _RENAMED.get(short)
        hint = f": it is siderolabs/{successor} from {table[successor][0]}" if successor else ""
        return [
            ExtensionIssue(
                "error",
                index,
                f"siderolabs/{short} is not published after Talos {until}{hint}",
            )
        ]
    return []
