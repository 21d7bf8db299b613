"""Schematic fixes name only what the release publishes and what drives the node's GPU.

Facts: talosgpu's version table (1.15: nonfree-kmod-nvidia-lts removed, the LTS is open only,
extensions discussion #1365; production 595.x on 1.13-1.15) and ``knowledge/data/gpus.toml``
(Pascal: no GSP, so no open modules; support ends with the 580 branch).
"""

from __future__ import annotations

import pytest

from talosgpu.lint import LintReport, lint_text


def talconfig(extensions: list[str], version: str, gpu: str | None = "Tesla-P4") -> LintReport:
    labels = f"    nodeLabels:\n      nvidia.com/gpu.product: {gpu}\n" if gpu else ""
    listed = "".join(f"            - {e}\n" for e in extensions)
    text = (
        f"clusterName: c\ntalosVersion: v{version}.0\nendpoint: https://x:6443\nnodes:\n"
        f"  - hostname: gpu\n    ipAddress: 10.0.0.2\n{labels}    schematic:\n"
        "      customization:\n        systemExtensions:\n          officialExtensions:\n"
        f"{listed}"
    )
    return lint_text(text, source="talconfig.yaml")


def schematic(extensions: list[str], version: str) -> LintReport:
    listed = "".join(f"      - {e}\n" for e in extensions)
    text = f"customization:\n  systemExtensions:\n    officialExtensions:\n{listed}"
    return lint_text(text, source="schematic.yaml", talos_version=version)


def test_an_old_name_whose_lts_alias_is_not_published_is_an_error_naming_what_is() -> None:
    """1.15: Image Factory's alias for nonfree-kmod-nvidia is -lts, which 1.15 does not publish;
    the fix names the proprietary build 1.15 has, never the -lts one."""
    report = schematic(["siderolabs/nonfree-kmod-nvidia", "siderolabs/nvidia-container-toolkit"],
                       "1.15")  # fmt: skip
    kmod = next(f for f in report.findings if f.path.endswith("[0]"))
    assert (kmod.rule, kmod.severity) == ("schematic-extension-name", "error")
    assert "aliases to siderolabs/nonfree-kmod-nvidia-lts" in kmod.message
    assert "not published for Talos 1.15" in kmod.message
    assert "siderolabs/nonfree-kmod-nvidia-production with " in kmod.fix
    assert "nonfree-kmod-nvidia-lts" not in kmod.fix
    # still only a warning where the alias target exists
    on_114 = schematic(["siderolabs/nonfree-kmod-nvidia", "siderolabs/nvidia-container-toolkit"],
                       "1.14")  # fmt: skip
    assert [(f.rule, f.severity) for f in on_114.findings] == [
        ("schematic-extension-name", "warning"), ("schematic-extension-name", "warning"),
    ]  # fmt: skip


@pytest.mark.parametrize("version", ["1.13", "1.14", "1.15"])
def test_production_on_pascal_is_an_error_where_its_driver_is_past_580(version: str) -> None:
    report = talconfig(["siderolabs/nonfree-kmod-nvidia-production",
                        "siderolabs/nvidia-container-toolkit-production"], version)  # fmt: skip
    (found,) = report.by_rule("schematic-gpu-modules")
    assert found.severity == "error"
    assert f"on Talos {version}, its production branch is the 595 driver" in found.message
    assert "ended Pascal support with the 580 branch" in found.message
    assert "open" not in found.fix and "production" not in found.fix


@pytest.mark.parametrize("version", ["1.8", "1.12"])
def test_production_on_pascal_is_fine_where_its_driver_is_580_or_older(version: str) -> None:
    report = talconfig(["siderolabs/nonfree-kmod-nvidia-production",
                        "siderolabs/nvidia-container-toolkit-production"], version)  # fmt: skip
    assert not report.by_rule("schematic-gpu-modules")


def test_the_fix_for_pascal_respects_the_gpu() -> None:
    """1.14: the lts branch (580, proprietary) drives Pascal; 1.15 publishes nothing that does."""
    on_114 = talconfig(["siderolabs/nonfree-kmod-nvidia-production",
                        "siderolabs/nvidia-container-toolkit-production"], "1.14")  # fmt: skip
    (found,) = on_114.by_rule("schematic-gpu-modules")
    assert found.fix == (
        "use siderolabs/nonfree-kmod-nvidia-lts with siderolabs/nvidia-container-toolkit-lts"
    )
    on_115 = talconfig(["siderolabs/nonfree-kmod-nvidia-lts",
                        "siderolabs/nvidia-container-toolkit-lts"], "1.15")  # fmt: skip
    (name,) = on_115.by_rule("schematic-extension-name")
    assert "not published for Talos 1.15" in name.message
    assert name.fix.startswith(
        "no NVIDIA kernel-module extension Talos 1.15 publishes drives the Tesla-P4 (Pascal); "
        "the last release with one is Talos 1.14 (siderolabs/nonfree-kmod-nvidia-lts"
    )
    assert "open-gpu-kernel-modules" not in name.fix


def test_open_modules_on_pascal_name_only_what_drives_it() -> None:
    report = talconfig(["siderolabs/nvidia-open-gpu-kernel-modules-lts",
                        "siderolabs/nvidia-container-toolkit-lts"], "1.13")  # fmt: skip
    (found,) = report.by_rule("schematic-gpu-modules")
    assert "no GSP" in found.message and "on Talos" not in found.message
    assert found.fix == (
        "use siderolabs/nonfree-kmod-nvidia-lts with siderolabs/nvidia-container-toolkit-lts"
    )


def test_without_a_named_gpu_the_branch_is_not_judged() -> None:
    report = talconfig(["siderolabs/nonfree-kmod-nvidia-production",
                        "siderolabs/nvidia-container-toolkit-production"], "1.14", gpu=None)  # fmt: skip
    assert not report.findings


def test_the_driver_verdict_is_an_assumption_on_an_assumed_release() -> None:
    text = (
        "clusterName: c\nendpoint: https://x:6443\nnodes:\n  - hostname: gpu\n"
        "    ipAddress: 10.0.0.2\n    nodeLabels:\n      nvidia.com/gpu.product: Tesla-P40\n"
        "    schematic:\n      customization:\n        systemExtensions:\n"
        "          officialExtensions:\n            - siderolabs/nonfree-kmod-nvidia-production\n"
        "            - siderolabs/nvidia-container-toolkit-production\n"
    )
    (found,) = lint_text(text, source="talconfig.yaml").by_rule("schematic-gpu-modules")
    assert found.severity == "info" and "(assumed: nothing names the release)" in found.message
