"""Bundled profiles: plain intent files shipped with the package.

In a wheel they live in ``talosgpu/_profiles`` (hatch force-include of the repository's
``profiles/``); in a source checkout or an editable install the repository folder is used.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from talosgpu import yamlio
from talosgpu.errors import ProfileError

__all__ = ["list_profiles", "profile_data", "profile_text", "profiles_dir"]


@cache
def profiles_dir() -> Path:
    """Folder holding ``<name>.yaml`` profiles."""
    packaged = Path(str(resources.files("talosgpu").joinpath("_profiles")))
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "profiles"
    if checkout.is_dir():
        return checkout
    raise ProfileError("no bundled profiles found (broken installation?)")  # pragma: no cover


def list_profiles() -> tuple[str, ...]:
    """Names of the bundled profiles, sorted."""
    return tuple(sorted(p.stem for p in profiles_dir().glob("*.yaml")))


def profile_text(name: str) -> str:
    """The YAML text of a bundled profile."""
    path = profiles_dir() / f"{name}.yaml"
    if not name or "/" in name or not path.is_file():
        known = ", ".join(list_profiles())
        raise ProfileError(f"unknown profile {name!r} (known: {known})")
    return path.read_text(encoding="utf-8")


def profile_data(name: str, *, referenced_from: str | None = None) -> dict[str, Any]:
    """A profile as plain data (what an intent naming it is laid over)."""
    try:
        text = profile_text(name)
    except ProfileError as exc:
        raise ProfileError(exc.message, file=referenced_from, path=".profile") from None
    data = yamlio.load(text, source=f"profile:{name}")
    if not isinstance(data, dict):
        raise ProfileError("profile is not a mapping", file=f"profile:{name}")
    if "profile" in data:
        raise ProfileError("profiles cannot name another profile", file=f"profile:{name}")
    return data
