"""The installer image of a config: where it is, which release and schematic it names.

The image is ``machine.install.image`` (v1alpha1) or the Talos 1.14 ``UnattendedInstallConfig``
``installer.image``. Two families matter to a GPU node (research talos-internals.md §7):

* Image Factory: ``factory.talos.dev/<platform>-installer[-secureboot]/<schematic id>:<tag>``
  (or the older ``factory.talos.dev/installer[-secureboot]/<id>:<tag>``) — the 64-hex schematic
  ID says which extensions the image carries;
* a plain installer (``ghcr.io/siderolabs/installer:<tag>``): no system extensions at all.

Anything else (a private mirror, a custom build) is ``other``: talosgpu cannot tell what it holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from talosgpu.errors import VersionError
from talosgpu.plain import get_path
from talosgpu.talos.documents import is_v1alpha1
from talosgpu.versions import TalosVersion

__all__ = [
    "Installer",
    "find_installer",
    "fit_installer",
    "installer_version",
    "is_installer_only",
    "parse_installer",
]

_TAG = re.compile(r":(v\d+\.\d+\.\d+[0-9A-Za-z.+-]*)(?:@sha256:[0-9a-f]+)?$")
_FACTORY = re.compile(
    r"^factory\.talos\.dev/(?P<name>(?:[a-z0-9-]+-)?installer(?:-secureboot)?)/"
    r"(?P<id>[0-9a-f]{64})(?::|@|$)"
)
_PLAIN = re.compile(r"^ghcr\.io/siderolabs/installer(?::|@|$)")
_PLACES: tuple[tuple[str, ...], ...] = (("machine", "install", "image"), ("installer", "image"))


@dataclass(frozen=True, slots=True)
class Installer:
    """An installer image as written (``image``, at ``path`` of document ``doc``): its
    ``family`` (``factory``, ``plain`` or ``other``), the factory ``name`` (``metal-installer``,
    ``installer-secureboot``…) and ``schematic`` ID, and the release its ``tag`` names."""

    image: str
    family: Literal["factory", "plain", "other"]
    version: TalosVersion | None
    tag: str | None
    name: str | None = None
    schematic: str | None = None

    def with_schematic(self, schematic_id: str, tag: str, *, platform_installers: bool) -> str:
        """The same kind of factory installer for another schematic and tag. A plain installer
        becomes the metal one, named as ``talosgpu schematic`` names it
        (:attr:`talosgpu.knowledge.schematic.Schematic.installer_image`): ``metal-installer``
        on releases with per-platform installers (1.10+), ``installer`` before."""
        name = self.name or ("metal-installer" if platform_installers else "installer")
        return f"factory.talos.dev/{name}/{schematic_id}:{tag}"


def parse_installer(image: str) -> Installer:
    text = image.strip()
    match = _TAG.search(text)
    tag = match.group(1) if match else None
    version = None
    if tag is not None:
        try:
            version = TalosVersion.parse(tag)
        except VersionError:
            version = None
    factory = _FACTORY.match(text)
    if factory:
        return Installer(text, "factory", version, tag, factory["name"], factory["id"])
    return Installer(text, "plain" if _PLAIN.match(text) else "other", version, tag)


def _images(documents: Iterable[Any]) -> Iterator[str]:
    for doc in documents:
        if isinstance(doc, Mapping):
            for keys in _PLACES:
                image = get_path(doc, keys)
                if isinstance(image, str) and image.strip():
                    yield image


def find_installer(documents: Iterable[Any]) -> Installer | None:
    """The first installer image of ``documents`` (plain data), or None."""
    image = next(_images(documents), None)
    return parse_installer(image) if image is not None else None


def installer_version(documents: Iterable[Any]) -> TalosVersion | None:
    """The Talos release an installer image tag names (``…installer…:v1.11.1``), or None."""
    found = (parse_installer(i).version for i in _images(documents) if "installer" in i)
    return next((v for v in found if v is not None), None)


def fit_installer(
    live_docs: Sequence[Mapping[str, Any]], patch_docs: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``patch_docs`` with an ``UnattendedInstallConfig`` that only sets ``installer.image``
    rewritten as ``machine.install.image`` when the live config still uses ``.machine.install``
    (and has no ``UnattendedInstallConfig``): Talos 1.14+ rejects the two together
    (talos ``pkg/machinery/config/types/runtime/unattended_install.go``), and a config upgraded
    from 1.13 keeps its install disk there."""
    if any(d.get("kind") == _UNATTENDED for d in live_docs):
        return list(patch_docs)
    v1 = next((d for d in live_docs if is_v1alpha1(d)), None)
    install = get_path(v1, ("machine", "install")) if v1 is not None else None
    if not isinstance(install, Mapping) or not install:
        return list(patch_docs)
    out: list[dict[str, Any]] = []
    image = None
    for doc in patch_docs:
        if is_installer_only(doc):
            image = doc["installer"]["image"]
            continue
        out.append(doc)
    if image is None:
        return list(patch_docs)
    return [{"machine": {"install": {"image": image}}}, *out]


_UNATTENDED = "UnattendedInstallConfig"


def is_installer_only(doc: Mapping[str, Any]) -> bool:
    """An ``UnattendedInstallConfig`` that sets only ``installer.image`` (what talosgpu renders
    for an intent's ``installer``)."""
    installer = doc.get("installer")
    return (
        doc.get("kind") == _UNATTENDED
        and set(doc) == {"apiVersion", "kind", "installer"}
        and isinstance(installer, Mapping)
        and set(installer) == {"image"}
    )
