"""What the node lacks beyond its machine config: the extensions its installer carries, its role.

A GPU patch loads NVIDIA kernel modules and points containerd at the NVIDIA Container Toolkit;
both come from system extensions, which only the installer image brings (on install or
``talosctl upgrade``). A diff that shows a clean patch for a node whose installer carries none
would be confidently wrong about the outcome, so :func:`check_node` compares the live config's
installer (:mod:`talosgpu.talos.installer`) with the schematic talosgpu renders, and the live
``machine.type`` with the intent's role. Each finding is a warning (``--strict``: an error).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from talosgpu.configdiff.impact import LOADED_NOW, MAYBE_ON_NODE, NOT_ON_NODE
from talosgpu.configdiff.model import ConfigDiff
from talosgpu.knowledge.schematic import Schematic
from talosgpu.plain import get_path
from talosgpu.talos.documents import CRI_PART_PATH, doc_kind, is_v1alpha1
from talosgpu.talos.installer import Installer, find_installer
from talosgpu.versions import TalosVersion

__all__ = ["NodeCheck", "check_node", "legacy_cri_part"]


@dataclass(frozen=True, slots=True)
class NodeCheck:
    """``warnings`` about the node; ``lacks_extensions``: its installer certainly carries none
    (a plain installer), so no NVIDIA module a diff adds can load."""

    warnings: tuple[str, ...]
    lacks_extensions: bool = False
    unsure_extensions: bool = False  # talosgpu cannot tell what the node's installer carries

    def apply_to(self, diff: ConfigDiff) -> ConfigDiff:
        """``diff`` with "loaded now" replaced by the truth when the modules cannot load, or
        said to depend on the installer when talosgpu cannot tell."""
        note = (
            NOT_ON_NODE
            if self.lacks_extensions
            else MAYBE_ON_NODE
            if self.unsure_extensions
            else None
        )
        if note is None:
            return diff
        changes = tuple(
            # only a whole module loads now; a parameter of a loaded one waits for a reboot
            replace(c, note=note) if c.impact == "module-load" and c.note == LOADED_NOW else c
            for c in diff.changes
        )
        return replace(diff, changes=changes)


def _role(docs: Sequence[Mapping[str, Any]]) -> str | None:
    v1 = next((d for d in docs if is_v1alpha1(d)), None)
    value = get_path(v1, ("machine", "type")) if v1 is not None else None
    return value if isinstance(value, str) else None


def _tag(installer: Installer, version: TalosVersion) -> str:
    if (
        installer.tag
        and installer.version is not None
        and installer.version.series == version.series
    ):
        return installer.tag
    return f"v{version.series[0]}.{version.series[1]}.<patch>"


def _installer(
    installer: Installer | None,
    schematic: Schematic,
    version: TalosVersion,
    node: str,
    wanted: str | None,
) -> list[str]:
    wanted_exts = ", ".join(schematic.extensions)
    # every NVIDIA extension's name says nvidia (nonfree-kmod-nvidia, nvidia-open-gpu-kernel-
    # modules, nvidia-container-toolkit, nvidia-fabricmanager): the rest are the node's others
    nvidia = ", ".join(e for e in schematic.extensions if "nvidia" in e)
    if installer is None:
        where = (
            ".machine.install.image, UnattendedInstallConfig installer.image"
            if version.gpu_documents
            else ".machine.install.image"
        )
        return [
            f"the live config names no installer image ({where}): talosgpu cannot tell "
            f"whether the node has its schematic's extensions ({wanted_exts})"
        ]
    # the intent's own installer (platform, SecureBoot, release) when it names one
    image = wanted or installer.with_schematic(
        schematic.id, _tag(installer, version), platform_installers=version.platform_installers
    )
    upgrade = f"talosctl upgrade --nodes {node} --image {image}"
    if installer.family == "plain":
        return [
            f"the node's installer {installer.image} is a plain Talos installer: it carries no "
            f"system extensions, so the NVIDIA modules and toolkit this config uses are not on "
            f"the node ({nvidia}); install them with {upgrade} (the schematic `talosgpu "
            "schematic` renders)"
        ]
    if installer.family == "factory" and installer.schematic != schematic.id:
        # GET /schematics/:schematic returns the schematic (siderolabs/image-factory
        # internal/frontend/http/http.go at 26b95cacb084)
        return [
            f"the node's installer {installer.image} was built from schematic "
            f"{installer.schematic}, not the one talosgpu renders for this intent "
            f"({schematic.id}: {nvidia}); talosgpu cannot see which extensions it holds "
            f"(https://factory.talos.dev/schematics/{installer.schematic} shows them). If the "
            f"NVIDIA ones are missing or differ, upgrade with a schematic that has them and "
            f"your other extensions (talosgpu schematic --extension NAME …), e.g. {upgrade}"
        ]
    if installer.family == "other":
        return [
            f"talosgpu cannot tell which extensions the node's installer {installer.image} "
            f"carries; the NVIDIA ones this config uses are {nvidia}"
        ]
    return []


def check_node(
    live_docs: Sequence[Mapping[str, Any]],
    *,
    schematic: Schematic | None,
    role: str,
    version: TalosVersion,
    node: str | None,
    wanted_installer: str | None = None,
) -> NodeCheck:
    """What to tell about the node the diff is for: its installer against ``schematic`` (None:
    not checked; ``wanted_installer``: the intent's, named in the upgrade hint) and its
    ``machine.type`` against the intent's ``role``."""
    warnings: list[str] = []
    live_role = _role(live_docs)
    # Talos's legacy "init" type is a control-plane node (machine.type: init, Talos < 1.?).
    seen = "controlplane" if live_role == "init" else live_role
    if seen is not None and seen != role:
        warnings.append(
            f"the live config is a {live_role} (.machine.type) but the intent is for a {role} "
            "(.node.role): is this the right node?"
        )
    installer = find_installer(live_docs)
    if schematic is not None:
        warnings += _installer(installer, schematic, version, node or "<node>", wanted_installer)
    plain = schematic is not None and installer is not None and installer.family == "plain"
    unsure = schematic is not None and (
        installer is None
        or installer.family == "other"
        or (installer.family == "factory" and installer.schematic != schematic.id)
    )
    return NodeCheck(tuple(warnings), lacks_extensions=plain, unsure_extensions=unsure)


def legacy_cri_part(proposed_docs: Sequence[Mapping[str, Any]]) -> list[str]:
    """From Talos 1.14 the v1alpha1 CRI part is still read (as the CRI customization named
    ``customization``, research talos-internals.md §1.14 files) next to a
    ``CRICustomizationConfig``: say so when a proposal keeps both, so nobody takes the new
    document for a replacement."""
    v1 = next((d for d in proposed_docs if is_v1alpha1(d)), None)
    files = get_path(v1, ("machine", "files")) if v1 is not None else None
    legacy = isinstance(files, list) and any(
        isinstance(f, Mapping) and f.get("path") == CRI_PART_PATH for f in files
    )
    documents = [d for d in proposed_docs if not is_v1alpha1(d)]
    if legacy and any(doc_kind(d) == "CRICustomizationConfig" for d in documents):
        return [
            f"the v1alpha1 CRI part (.machine.files {CRI_PART_PATH}) stays and is still read "
            "next to the CRICustomizationConfig document (containerd merges both); remove it "
            "once the document holds everything it set"
        ]
    return []
