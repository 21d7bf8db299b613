"""The whole-node parts of a plan: other extensions, the installer, GPU kernel args."""

from __future__ import annotations

from typing import Any

import pytest

from talosgpu.errors import RenderError
from talosgpu.intent.models import Intent
from talosgpu.outputs import output_files, render_intent, schematic_for
from talosgpu.plan import resolve
from talosgpu.versions import TalosVersion


def _intent(**fields: Any) -> Intent:
    return Intent.model_validate({"gpu": {"driver": {"flavour": "open"}}, **fields})


def test_the_schematic_keeps_every_extension_of_the_node() -> None:
    """Installing a schematic without the node's other extensions removes them from the node."""
    intent = _intent(
        talosVersion="1.12.3",
        extensions=["siderolabs/zfs", "iscsi-tools", "ghcr.io/siderolabs/intel-ucode:20250512"],
    )
    files = output_files(render_intent(intent, source="n.yaml"))
    for name in ("zfs", "iscsi-tools", "intel-ucode", "nvidia-open-gpu-kernel-modules-lts"):
        assert f"- siderolabs/{name}\n" in files["schematic.yaml"]
    listed = [
        line.strip()[2:] for line in files["schematic.yaml"].splitlines() if "- siderolabs/" in line
    ]
    assert listed == sorted(listed)  # as Image Factory canonicalises


@pytest.mark.parametrize(
    ("extension", "message"),
    [
        ("ghcr.io/me/custom-ext:v1", "is not an official extension"),
        ("siderolabs/nvidia-container-toolkit-lts", "is an NVIDIA extension"),
        ("siderolabs/gasket", "it is siderolabs/gasket-driver from 1.8"),
    ],
)
def test_extensions_the_schematic_cannot_hold_are_errors(extension: str, message: str) -> None:
    with pytest.raises(RenderError, match=message) as info:
        resolve(_intent(extensions=[extension]), "1.12")
    assert info.value.yaml_path == ".extensions[0]"


def test_an_unknown_or_later_extension_is_a_warning_not_an_error() -> None:
    plan = resolve(_intent(extensions=["siderolabs/iscsi-tool", "siderolabs/px-fuse"]), "1.12")
    assert any("did you mean iscsi-tools" in w for w in plan.warnings)
    assert any("px-fuse first appears in extensions v1.13.0" in w for w in plan.warnings)


def test_a_duplicate_extension_is_an_error() -> None:
    with pytest.raises(RenderError, match="listed twice"):
        resolve(_intent(extensions=["zfs", "siderolabs/zfs"]), "1.12")


@pytest.mark.parametrize(
    ("version", "installer", "expected"),
    [
        ("1.13.4", {"platform": "metal"}, "factory.talos.dev/metal-installer/"),
        ("1.13.4", {"secureBoot": True}, "factory.talos.dev/metal-installer-secureboot/"),
        ("1.11.2", {"platform": "nocloud"}, "factory.talos.dev/nocloud-installer/"),
        (
            "1.9.5",
            {"platform": "aws", "secureBoot": True},
            "factory.talos.dev/installer-secureboot/",
        ),
    ],
)
def test_the_installer_reference(version: str, installer: dict[str, Any], expected: str) -> None:
    intent = _intent(talosVersion=version, installer=installer, extensions=["zfs"])
    plan = resolve(intent)
    schematic = schematic_for(intent, TalosVersion.parse(version))
    assert plan.installer_image == f"{expected}{schematic.id}:v{version}"


def test_the_installer_lands_in_the_release_s_form() -> None:
    old = render_intent(_intent(talosVersion="1.13.4", installer={}), source="n")
    assert old.documents[0]["machine"]["install"]["image"].endswith(":v1.13.4")
    new = render_intent(_intent(talosVersion="1.14.1", installer={}), source="n")
    (doc,) = [d for d in new.documents if d.get("kind") == "UnattendedInstallConfig"]
    assert doc["installer"]["image"].endswith(":v1.14.1")


def test_the_installer_needs_the_full_release() -> None:
    with pytest.raises(RenderError, match="does not guess") as info:
        resolve(_intent(talosVersion="1.13", installer={}))
    assert info.value.yaml_path == ".installer"


@pytest.mark.parametrize(
    ("arg", "says"),
    [
        ("vfio-pci.ids=10de:2204,10de:1aef", "binds NVIDIA devices (vendor 10de) to vfio-pci"),
        ("nvidia_drm.modeset=1", "kernelModules [{name: nvidia_drm, parameters: [modeset=1]}]"),
    ],
)
def test_gpu_kernel_args_that_need_care(arg: str, says: str) -> None:
    plan = resolve(_intent(extraKernelArgs=[arg]), "1.12")
    assert any(says in w for w in plan.warnings)


def test_other_kernel_args_are_quiet() -> None:
    plan = resolve(_intent(extraKernelArgs=["vfio-pci.ids=8086:1234", "console=ttyS0"]), "1.12")
    assert not [w for w in plan.warnings if "extraKernelArgs" in w]


def test_gdrdrv_is_an_extension_the_intent_may_name() -> None:
    plan = resolve(_intent(extensions=["siderolabs/nvidia-gdrdrv-device"]), "1.12")
    assert plan.extensions == ("siderolabs/nvidia-gdrdrv-device",)


def test_the_kernel_treats_dash_and_underscore_alike() -> None:
    plan = resolve(
        _intent(extraKernelArgs=["vfio_pci.ids=10de:2204", "nvidia-drm.fbdev=1"]), "1.12"
    )
    assert any("vfio-pci" in w for w in plan.warnings)
    assert any("parameter of the nvidia_drm module" in w for w in plan.warnings)
