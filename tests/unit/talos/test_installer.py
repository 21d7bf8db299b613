"""Installer images: factory (with schematic), plain, other; the release of the tag."""

from __future__ import annotations

import pytest

from talosgpu.talos.installer import find_installer, installer_version, parse_installer

ID = "af8eb82417d3deaa94d2ef19c3b590b0dac1b2549d0b9b35b3da2bc325de75f7"


@pytest.mark.parametrize(
    ("image", "family", "name"),
    [
        (f"factory.talos.dev/installer/{ID}:v1.11.3", "factory", "installer"),
        (f"factory.talos.dev/metal-installer/{ID}:v1.11.3", "factory", "metal-installer"),
        (f"factory.talos.dev/installer-secureboot/{ID}:v1.11.3", "factory", "installer-secureboot"),
        (
            f"factory.talos.dev/aws-installer-secureboot/{ID}:v1.11.3",
            "factory",
            "aws-installer-secureboot",
        ),
        ("ghcr.io/siderolabs/installer:v1.11.3", "plain", None),
        ("registry.local/mirror/installer:v1.11.3", "other", None),
        ("factory.talos.dev/metal-installer/not-an-id:v1.11.3", "other", None),
    ],
)
def test_families(image: str, family: str, name: str | None) -> None:
    found = parse_installer(image)
    assert (found.family, found.name) == (family, name)
    assert str(found.version) == "1.11" and found.tag == "v1.11.3"
    if family == "factory":
        assert found.schematic == ID
        assert (
            found.with_schematic("b" * 64, "v1.11.4", platform_installers=True)
            == f"factory.talos.dev/{name}/{'b' * 64}:v1.11.4"
        )
    if family == "plain":  # the metal installer, as `talosgpu schematic` names it
        for per_platform, name in ((True, "metal-installer"), (False, "installer")):
            assert found.with_schematic("b" * 64, "v1.11.4", platform_installers=per_platform) == (
                f"factory.talos.dev/{name}/{'b' * 64}:v1.11.4"
            )


def test_found_in_either_home() -> None:
    v1 = {
        "version": "v1alpha1",
        "machine": {"install": {"image": "ghcr.io/siderolabs/installer:v1.12.1"}},
    }
    doc = {
        "kind": "UnattendedInstallConfig",
        "installer": {"image": f"factory.talos.dev/installer/{ID}:v1.14.1"},
    }
    assert find_installer([v1]).family == "plain"  # type: ignore[union-attr]
    assert str(installer_version([doc])) == "1.14"
    assert find_installer([{"version": "v1alpha1", "machine": {}}]) is None
    # an image whose tag names no release is skipped, the next candidate is read
    odd = {"machine": {"install": {"image": "ghcr.io/siderolabs/installer:latest"}}}
    assert str(installer_version([odd, doc])) == "1.14"


def test_fit_installer_keeps_machine_install_where_the_node_has_it() -> None:
    """A 1.14 config upgraded from 1.13 still has .machine.install; Talos rejects an
    UnattendedInstallConfig next to it (types/runtime/unattended_install.go)."""
    from talosgpu.talos.installer import fit_installer

    ours = {
        "apiVersion": "v1alpha1",
        "kind": "UnattendedInstallConfig",
        "installer": {"image": "factory.talos.dev/metal-installer/abc:v1.14.1"},
    }
    upgraded = [{"version": "v1alpha1", "machine": {"install": {"disk": "/dev/sda"}}}]
    assert fit_installer(upgraded, [ours]) == [
        {"machine": {"install": {"image": "factory.talos.dev/metal-installer/abc:v1.14.1"}}}
    ]
    fresh = [
        {"version": "v1alpha1", "machine": {}},
        {"apiVersion": "v1alpha1", "kind": "UnattendedInstallConfig", "installer": {}},
    ]
    assert fit_installer(fresh, [ours]) == [ours]
    assert fit_installer([{"version": "v1alpha1", "machine": {}}], [ours]) == [ours]
