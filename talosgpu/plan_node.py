"""The whole-node parts of planning: the node's other extensions, its installer, kernel args.

Kept apart from :mod:`talosgpu.plan` (the GPU runtime choices) as :mod:`talosgpu.plan_hardware`
is. Each function returns data (factory names, an image, warnings, decision notes
``(id, summary, reason)``) and raises :class:`RenderError` with the intent's YAML path.
"""

from __future__ import annotations

import re

from talosgpu.errors import RenderError
from talosgpu.intent.models import InstallerSpec, Intent
from talosgpu.knowledge.other_extensions import check_other_extensions, official_names
from talosgpu.knowledge.schematic import FACTORY, build_schematic
from talosgpu.versions import TalosVersion

__all__ = [
    "Note",
    "installer_image",
    "installer_reference",
    "kernel_arg_warnings",
    "other_extensions",
]

Note = tuple[str, str, str]  # a plan Decision's (id, summary, reason)


def other_extensions(
    intent: Intent, v: TalosVersion, warnings: list[str]
) -> tuple[tuple[str, ...], list[Note]]:
    """The intent's other extensions as factory names (errors raised, warnings appended) and
    the decision notes to record."""
    if not intent.extensions:
        return (), []
    names, issues = check_other_extensions(tuple(intent.extensions), version=v)
    for issue in issues:
        if issue.severity == "error":
            raise RenderError(issue.message, path=f".extensions[{issue.index}]")
        warnings.append(f".extensions[{issue.index}]: {issue.message}")
    newest = max(until for _, until in official_names().values())
    notes: list[Note] = []
    if v.series > newest.series:
        notes.append(
            (
                "extensions",
                f"other extensions: {', '.join(names)}",
                f"talosgpu's list of official extensions ends at Talos {newest}; their names "
                f"are assumed to exist on Talos {v}",
            )
        )
    return names, notes


_FULL_RELEASE = re.compile(r"v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?")


def installer_image(
    intent: Intent,
    v: TalosVersion,
    version: TalosVersion | str | None,
    extensions: tuple[str, ...],
) -> tuple[str | None, list[Note]]:
    """The Image Factory installer of the node's schematic when the intent asks for one
    (``installer:``), and the decision note; the tag is the full release the user named."""
    if intent.installer is None:
        return None, []
    schematic = build_schematic(
        talos_version=v,
        flavour=intent.gpu.driver.flavour,
        branch=intent.gpu.driver.branch,
        fabric_manager=intent.gpu.fabric_manager,
        extra_kernel_args=intent.extra_kernel_args,
        extra_extensions=extensions,
    )
    return installer_reference(intent, v, version, schematic_id=schematic.id)


def installer_reference(
    intent: Intent, v: TalosVersion, version: TalosVersion | str | None, *, schematic_id: str
) -> tuple[str, list[Note]]:
    """``factory.talos.dev/<platform>-installer[-secureboot]/<id>:<tag>`` for the intent's
    ``installer`` (``installer[-secureboot]`` before 1.10) and its decision note."""
    spec = intent.installer or InstallerSpec()
    text = version.full if isinstance(version, TalosVersion) else (version or intent.talos_version)
    if not text or not _FULL_RELEASE.fullmatch(text.strip()):
        raise RenderError(
            "the installer image tag is the node's full Talos release: set talosVersion to it "
            f"('{v}.N', the release the node runs, not '{text or v}'); talosgpu does not guess "
            "the patch release",
            path=".installer",
        )
    tag = "v" + text.strip().removeprefix("v")
    suffix = "-secureboot" if spec.secure_boot else ""
    if v.platform_installers:
        name = f"{spec.platform}-installer{suffix}"
        why = "Image Factory's installer for the platform (Talos 1.10+ names one per platform)"
    else:
        name = f"installer{suffix}"
        why = (
            f"before Talos 1.10 one Image Factory installer serves every platform "
            f"({spec.platform} included)"
        )
    image = f"{FACTORY}/{name}/{schematic_id}:{tag}"
    where = (
        "UnattendedInstallConfig installer.image" if v.gpu_documents else "machine.install.image"
    )
    note = (
        "installer",
        f"{where}: {image}",
        f"{why}, built from the node's schematic (talosgpu schematic); Talos uses it on the "
        f"next install or upgrade. The tag {tag} is the release talosVersion names: talosgpu "
        "cannot see which releases Image Factory publishes, so a mistyped one fails at the pull",
    )
    return image, [note]


def kernel_arg_warnings(intent: Intent) -> list[str]:
    """GPU kernel args that need care (``extraKernelArgs``)."""
    out = []
    for arg in intent.extra_kernel_args:
        raw, _, value = arg.partition("=")
        # the kernel treats - and _ alike in module names (kernel/params.c parameq)
        key = raw.replace("-", "_")
        if key == "vfio_pci.ids" and any(i.lower().startswith("10de:") for i in value.split(",")):
            out.append(
                f"extraKernelArgs {arg}: binds NVIDIA devices (vendor 10de) to vfio-pci for "
                "passthrough; a GPU bound there is not driven by the nvidia modules this node "
                "loads for containers"
            )
        elif key.startswith(("nvidia.", "nvidia_drm.", "nvidia_modeset.", "nvidia_uvm.")):
            module, _, param = key.partition(".")
            out.append(
                f"extraKernelArgs {arg}: a parameter of the {module} module; Talos loads the "
                f"NVIDIA modules from the machine config, so give it as kernelModules "
                f"[{{name: {module}, parameters: [{param}={value or '1'}]}}] (applied when the "
                "module is first loaded, i.e. after a reboot)"
            )
    return out
