"""GPU identification and driver compatibility rules (research peers.md §4.3)."""

from __future__ import annotations

import pytest

from talosgpu.errors import IntentError
from talosgpu.knowledge.compat import check_compatibility, check_extension_set
from talosgpu.knowledge.hardware import (
    architectures,
    driver_for,
    gpu_extensions_without_gpu_warning,
    identify_gpu,
)
from talosgpu.versions import TalosVersion, known_versions

V = TalosVersion.parse


@pytest.mark.parametrize(
    ("model", "arch", "fabric"),
    [
        ("Quadro P2000", "pascal", "no"),
        ("NVIDIA GeForce RTX 2070 Super", "turing", "no"),
        ("Tesla P4", "pascal", "no"),
        ("H100 SXM", "hopper", "likely"),
        ("HGX H100 8-GPU", "hopper", "required"),
        ("NVIDIA H100 PCIe", "hopper", "no"),
        ("B200", "blackwell", "required"),
        ("GeForce RTX 5090", "blackwell-consumer", "no"),
        ("RTX PRO 6000 Blackwell", "blackwell-consumer", "no"),
        ("DGX Spark", "gb10", "no"),
        ("GT 710", "kepler", "no"),
        ("GTX 750 Ti", "maxwell", "no"),
        ("Titan Xp", "pascal", "no"),
        ("Tesla V100 SXM2", "volta", "likely"),
        ("Quadro RTX 6000", "turing", "no"),
        ("RTX A6000", "ampere", "no"),
        ("RTX 6000 Ada Generation", "ada", "no"),
        ("Tesla T4", "turing", "no"),
        ("A100 SXM4 80GB", "ampere", "likely"),
    ],
)
def test_identify_by_model(model: str, arch: str, fabric: str) -> None:
    found = identify_gpu(model=model)
    assert found is not None
    assert (found.key, found.fabric_manager) == (arch, fabric)


def test_identify_by_pci_id() -> None:
    exact = identify_gpu(pci_id="10DE:1C30")
    assert exact is not None and (exact.key, exact.pci_confidence) == ("pascal", "exact")
    ranged = identify_gpu(pci_id="10de:1d01")
    assert ranged is not None and (ranged.key, ranged.pci_confidence) == ("pascal", "approximate")
    assert identify_gpu(pci_id="10de:0001") is None
    assert identify_gpu(model="Matrox G200") is None
    with pytest.raises(IntentError):
        identify_gpu(pci_id="8086:1234")


def test_driver_for_reads_version_facts() -> None:
    for version in known_versions():
        assert driver_for(version, "lts") == version.facts.drivers_lts
    assert driver_for("1.7", "production") == "535.129.03"
    assert driver_for("1.13", "production") == "595.58.03"


def codes(issues: list) -> list[str]:  # type: ignore[type-arg]
    return [i.code for i in issues]


def test_pascal_needs_proprietary_and_lts_on_113() -> None:
    pascal = identify_gpu(model="Quadro P2000")
    assert pascal is not None
    issues = check_compatibility(
        architecture=pascal, flavour="open", branch="production", talos_version=V("1.13")
    )
    assert codes(issues) == ["driver-branch-unsupported", "open-modules-unsupported"]
    assert "branch: lts" in issues[0].fix and all(i.is_error for i in issues)
    ok = check_compatibility(
        architecture=pascal, flavour="proprietary", branch="lts", talos_version=V("1.13")
    )
    assert ok == []
    # 1.12's production branch is 570: still fine for Pascal
    assert (
        check_compatibility(
            architecture="pascal", flavour="proprietary", branch="production", talos_version="1.12"
        )
        == []
    )


def test_open_modules_need_turing() -> None:
    for key in ("maxwell", "pascal", "volta"):
        assert "open-modules-unsupported" in codes(
            check_compatibility(
                architecture=key, flavour="open", branch="lts", talos_version="1.11"
            )
        )
    assert (
        check_compatibility(
            architecture="ampere", flavour="open", branch="lts", talos_version="1.13"
        )
        == []
    )


def test_consumer_blackwell() -> None:
    issues = check_compatibility(
        architecture="blackwell-consumer", flavour="proprietary", branch="lts", talos_version="1.11"
    )
    assert codes(issues) == ["driver-too-old", "proprietary-modules-unsupported"]
    assert "branch: production" in issues[0].fix
    early = check_compatibility(
        architecture="blackwell-consumer", flavour="open", branch="lts", talos_version="1.9"
    )
    assert codes(early) == ["driver-too-old"] and "Talos 1.12" in early[0].fix
    assert (
        check_compatibility(
            architecture="blackwell-consumer",
            flavour="open",
            branch="production",
            talos_version="1.13",
        )
        == []
    )


def test_gb10() -> None:
    issues = check_compatibility(
        architecture="gb10", flavour="open", branch="lts", talos_version="1.13"
    )
    assert codes(issues) == ["open-modules-unsupported", "cpu-arch-mismatch", "missing-kernel-arg"]
    assert check_compatibility(
        architecture="gb10", flavour="proprietary", branch="lts", talos_version="1.13",
        arch_cpu="arm64", extra_kernel_args=["arm64.nobti"],
    ) == []  # fmt: skip


def test_fabric_manager() -> None:
    hgx = identify_gpu(model="HGX H100")
    assert hgx is not None
    issue = check_compatibility(
        architecture=hgx, flavour="open", branch="lts", talos_version="1.14"
    )
    assert codes(issue) == ["fabric-manager-required"] and issue[0].is_error
    assert (
        check_compatibility(
            architecture=hgx,
            flavour="open",
            branch="lts",
            talos_version="1.14",
            fabric_manager=True,
        )
        == []
    )
    sxm = identify_gpu(model="H100 SXM")
    assert codes(
        check_compatibility(
            architecture=sxm or "hopper", flavour="open", branch="lts", talos_version="1.14"
        )
    ) == ["fabric-manager-likely"]
    pcie = identify_gpu(model="RTX 2070 Super")
    assert "fabric-manager-unneeded" in codes(
        check_compatibility(
            architecture=pcie or "turing",
            flavour="proprietary",
            branch="lts",
            talos_version="1.14",
            fabric_manager=True,
        )
    )
    assert "fabric-manager-libz" in codes(
        check_compatibility(
            architecture=hgx,
            flavour="open",
            branch="lts",
            talos_version="1.13",
            fabric_manager=True,
        )
    )


def test_kepler_has_no_talos_driver() -> None:
    for version in known_versions():
        issues = check_compatibility(
            architecture="kepler", flavour="proprietary", branch="lts", talos_version=version
        )
        assert codes(issues) == ["no-talos-driver"]


def test_branch_is_moot_on_17() -> None:
    issues = check_compatibility(
        architecture="turing", flavour="proprietary", branch="production", talos_version="1.7"
    )
    assert [(i.code, i.severity) for i in issues] == [("branch-ignored", "warning")]


def test_open_geforce_before_560_warns() -> None:
    rtx = identify_gpu(model="RTX 2070 Super")
    assert rtx is not None
    assert codes(
        check_compatibility(architecture=rtx, flavour="open", branch="lts", talos_version="1.11")
    ) == ["open-modules-geforce-alpha"]
    assert (
        check_compatibility(architecture=rtx, flavour="open", branch="lts", talos_version="1.12")
        == []
    )


def test_unknown_inputs_raise() -> None:
    with pytest.raises(IntentError):
        check_compatibility(
            architecture="fermi", flavour="open", branch="lts", talos_version="1.11"
        )
    with pytest.raises(IntentError):
        check_compatibility(
            architecture="turing", flavour="nouveau", branch="lts", talos_version="1.11"
        )  # type: ignore[arg-type]


def test_extension_set_branch_mismatch() -> None:
    issues = check_extension_set(
        ["nvidia-open-gpu-kernel-modules-lts", "siderolabs/nvidia-container-toolkit-production"],
        talos_version="1.11",
    )
    assert codes(issues) == ["branch-mismatch"] and issues[0].is_error
    assert "nvidia-container-toolkit-lts" in issues[0].fix


def test_extension_set_eras() -> None:
    assert codes(check_extension_set(["siderolabs/nonfree-kmod-nvidia-lts", "siderolabs/nvidia-container-toolkit-lts"], talos_version="1.7")) == [
        "suffixed-name-too-early", "suffixed-name-too-early",
    ]  # fmt: skip
    # seed 004: unsuffixed names on 1.11 are aliased to -lts (warning, consistent branch)
    seed = check_extension_set(
        ["siderolabs/nvidia-container-toolkit", "siderolabs/nonfree-kmod-nvidia"],
        talos_version="1.11",
    )
    assert [(i.code, i.severity) for i in seed] == [("unsuffixed-extension", "warning")] * 2
    fm = check_extension_set(
        [
            "siderolabs/nvidia-open-gpu-kernel-modules-lts",
            "siderolabs/nvidia-container-toolkit-lts",
            "siderolabs/nvidia-fabricmanager",
        ],
        talos_version="1.13",
    )
    assert codes(fm) == ["fabric-manager-alias-broken"]
    fm_branch = check_extension_set(
        [
            "siderolabs/nvidia-open-gpu-kernel-modules-lts",
            "siderolabs/nvidia-container-toolkit-lts",
            "siderolabs/nvidia-fabricmanager-production",
        ],
        talos_version="1.13",
    )
    assert codes(fm_branch) == ["branch-mismatch"]
    assert codes(
        check_extension_set(["siderolabs/nvidia-gdrdrv-device"], talos_version="1.11")
    ) == ["extension-not-published"]
    both = check_extension_set(
        [
            "nonfree-kmod-nvidia-lts",
            "nvidia-open-gpu-kernel-modules-lts",
            "nvidia-container-toolkit-lts",
        ],
        talos_version="1.12",
    )
    assert codes(both) == ["conflicting-kernel-modules"]


def test_extensions_without_gpu() -> None:
    names = [
        "siderolabs/nvidia-open-gpu-kernel-modules-lts",
        "siderolabs/nvidia-container-toolkit-lts",
    ]
    assert check_extension_set(names, talos_version="1.12", gpu_count=1) == []
    assert check_extension_set(names, talos_version="1.12", gpu_count=0) == [
        gpu_extensions_without_gpu_warning()
    ]
    assert (
        check_extension_set(["siderolabs/qemu-guest-agent"], talos_version="1.12", gpu_count=0)
        == []
    )


def test_table_is_consistent() -> None:
    table = architectures()
    assert list(table)[:5] == ["kepler", "maxwell", "pascal", "volta", "turing"]
    for arch in table.values():
        assert arch.open_modules or arch.proprietary_modules
        assert arch.open_modules == (arch.generation >= 5 and arch.key != "gb10")
