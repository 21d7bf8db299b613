"""Image Factory schematics: canonical text and IDs must match the factory byte for byte."""

from __future__ import annotations

import hashlib

import pytest

from talosgpu.errors import ConfigError, RenderError, VersionError
from talosgpu.knowledge.schematic import (
    build_schematic,
    canonical_schematic_yaml,
    load_schematic,
    schematic_id,
)
from talosgpu.versions import TalosVersion

# research talos-internals.md §7 (first four from image-factory pkg/schematic/schematic_test.go,
# the fifth quoted by the Talos v1.13 docs), plus the two newer factory test vectors.
VECTORS = [
    ({}, "customization: {}\n", "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba"),
    (
        {"customization": {"extraKernelArgs": ["noapic", "nolapic"]}},
        "customization:\n    extraKernelArgs:\n        - noapic\n        - nolapic\n",
        "9cba8e32753f91a16c1837ab8abf356af021706ef284aef07380780177d9a06c",
    ),
    (
        {"customization": {"meta": [{"key": 10, "value": "foo"}]}},
        "customization:\n    meta:\n        - key: 10\n          value: foo\n",
        "d308a2a5ee2277bed5fbaa104fcbc8d59122abfa737df987a95b4ca763459a7f",
    ),
    (
        {"overlay": {"name": "rpi_generic", "image": "siderolabs/sbc-raspberrypi"}},
        "overlay:\n    image: siderolabs/sbc-raspberrypi\n    name: rpi_generic\ncustomization: {}\n",
        "ee21ef4a5ef808a9b7484cc0dda0f25075021691c8c09a276591eedb638ea1f9",
    ),
    (
        {
            "customization": {
                "systemExtensions": {"officialExtensions": ["siderolabs/qemu-guest-agent"]}
            }
        },
        "customization:\n    systemExtensions:\n        officialExtensions:\n"
        "            - siderolabs/qemu-guest-agent\n",
        "ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515",
    ),
    (
        {"customization": {"secureboot": {"includeWellKnownCertificates": True}}},
        "customization:\n    secureboot:\n        includeWellKnownCertificates: true\n",
        "fa8e05f142a851d3ee568eb0a8e5841eaf6b0ebc8df9a63df16ac5ed2c04f3e6",
    ),
    (
        {"customization": {"diskImage": {"sectorSize": 4096}}},
        "customization:\n    diskImage:\n        sectorSize: 4096\n",
        "92833e9ddd9bb9e11b2464fa5525429f01866306d52ebd882ee08d7918f6d1ea",
    ),
]


@pytest.mark.parametrize(("mapping", "text", "want"), VECTORS)
def test_factory_vectors(mapping: dict[str, object], text: str, want: str) -> None:
    assert canonical_schematic_yaml(mapping) == text
    assert schematic_id(text) == want
    assert load_schematic(text).id == want


@pytest.mark.parametrize(
    ("raw", "want"),
    [  # image-factory TestUnmarshalID: the same schematic written differently has one ID
        ("{}", VECTORS[0][2]),
        ('customization: {"extraKernelArgs": []}', VECTORS[0][2]),
        (
            '{"customization": {"extraKernelArgs": ["noapic", "nolapic"], "systemExtensions": {}}}',
            VECTORS[1][2],
        ),
        (
            '{"customization": {"meta": [{"key": 10, "value": "foo"}], "extraKernelArgs": []}}',
            VECTORS[2][2],
        ),
        (
            '{"overlay": {"name": "rpi_generic", "image": "siderolabs/sbc-raspberrypi"},"customization":{}}',
            VECTORS[3][2],
        ),
    ],
)
def test_equivalent_inputs_share_an_id(raw: str, want: str) -> None:
    assert load_schematic(raw, "s.yaml").id == want


def test_build_uses_era_names_and_is_deterministic() -> None:
    old = build_schematic(
        talos_version="1.7", flavour="proprietary", branch="lts", fabric_manager=True
    )
    assert old.extensions == (
        "siderolabs/nonfree-kmod-nvidia",
        "siderolabs/nvidia-container-toolkit",
        "siderolabs/nvidia-fabricmanager",
    )
    new = build_schematic(
        talos_version="1.13", flavour="open", branch="production", fabric_manager=True
    )
    assert new.extensions == (
        "siderolabs/nvidia-container-toolkit-production",
        "siderolabs/nvidia-fabricmanager-production",
        "siderolabs/nvidia-open-gpu-kernel-modules-production",
    )
    again = build_schematic(
        talos_version="1.13", flavour="open", branch="production", fabric_manager=True
    )
    assert again == new
    assert new.id == hashlib.sha256(new.yaml.encode()).hexdigest()


def test_build_text_kernel_args_and_installer() -> None:
    s = build_schematic(
        talos_version=TalosVersion.parse("v1.13.2"),
        flavour="proprietary",
        branch="lts",
        extra_kernel_args=["arm64.nobti", "arm64.nobti"],
        extra_extensions=["ghcr.io/siderolabs/nvidia-gdrdrv-device:580"],
    )
    assert s.yaml == (
        "customization:\n"
        "    extraKernelArgs:\n"
        "        - arm64.nobti\n"
        "    systemExtensions:\n"
        "        officialExtensions:\n"
        "            - siderolabs/nonfree-kmod-nvidia-lts\n"
        "            - siderolabs/nvidia-container-toolkit-lts\n"
        "            - siderolabs/nvidia-gdrdrv-device\n"
    )
    assert s.installer_image == f"factory.talos.dev/metal-installer/{s.id}:v1.13.2"


def test_build_rejects_branch_mix() -> None:
    with pytest.raises(RenderError, match="different drivers"):
        build_schematic(
            talos_version="1.11",
            flavour="open",
            branch="lts",
            extra_extensions=["siderolabs/nvidia-container-toolkit-production"],
        )
    with pytest.raises(RenderError, match="kernel argument"):
        build_schematic(
            talos_version="1.11", flavour="open", branch="lts", extra_kernel_args=["a b"]
        )


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("customization:\n  extraKernelArg: [x]\n", "extraKernelArg not found"),
        ("foo: 1\n", "foo not found"),
        ("customization:\n  meta:\n    - key: 300\n      value: x\n", "0..255"),
        ("customization:\n  extraKernelArgs: noapic\n", "list of strings"),
        ("owner: alice\n", "Enterprise"),
        ("- a\n", "mapping"),
        ("", "empty"),
        ("customization:\n  bootloader: lilo\n", "bootloader"),
    ],
)
def test_load_is_strict(text: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        load_schematic(text, "user.yaml")
    assert info.value.file == "user.yaml"


def test_loaded_schematic_needs_version_for_installer() -> None:
    loaded = load_schematic("customization: {}\n")
    with pytest.raises(VersionError):
        _ = loaded.installer_image
    assert load_schematic("{}", talos_version="1.12").installer_image.endswith(":v1.12.0")


def test_quoting_and_overlay_options_follow_go_yaml() -> None:
    # yaml.v3 double-quotes strings a reader would take for another type, YAML 1.1 booleans
    # ("y") included (encode.go isOldBool), single-quotes what cannot be plain ("a: b"), and
    # sorts map[string]any keys with numbers compared by value (sorter.go: b9 < b10).
    text = canonical_schematic_yaml(
        {
            "overlay": {
                "image": "x",
                "name": "y",
                "options": {"b10": 1.5, "b9": "true", "a": [True]},
            },
            "customization": {"extraKernelArgs": ["console=ttyS0,115200", "1", "a: b", "-x"]},
        }
    )
    assert text == (
        'overlay:\n    image: x\n    name: "y"\n    options:\n'
        '        a:\n            - true\n        b9: "true"\n        b10: 1.5\n'
        "customization:\n    extraKernelArgs:\n        - console=ttyS0,115200\n"
        "        - \"1\"\n        - 'a: b'\n        - -x\n"
    )
