"""Planning for Talos 1.15 (as of its beta): every mode either works on the release or is
refused on one line naming the release and what to use instead."""

from __future__ import annotations

import pytest

from talosgpu.errors import IntentError, RenderError
from talosgpu.intent.load import load_intent_text
from talosgpu.knowledge.extensions import nvidia_extensions
from talosgpu.plan import resolve
from talosgpu.renderers import render_plan
from talosgpu.versions import TalosVersion, known_versions


def plan_for(text: str, version: str = "1.15"):  # type: ignore[no-untyped-def]
    return resolve(load_intent_text(text, source="i.yaml"), version)


def test_auto_picks_the_operator_with_nri_and_says_why() -> None:
    plan = plan_for("gpu: {driver: {flavour: open}}\n")
    assert plan.mode == "operator"
    why = next(d for d in plan.decisions if d.id == "runtime-mode").reason
    assert "NRI" in why and "userspace libraries" in why
    assert plan.runtime_classes == ()
    assert any(d.id == "version-facts" and "pre-release" in d.summary for d in plan.decisions)


@pytest.mark.parametrize("mode", ["cdi", "legacy"])
def test_runtime_modes_without_binaries_are_refused(mode: str) -> None:
    with pytest.raises(
        RenderError, match=f"runtime mode '{mode}' cannot work on Talos 1.15"
    ) as info:
        plan_for(f"runtime: {{mode: {mode}}}\n")
    assert info.value.yaml_path == ".runtime.mode"
    assert "operator" in info.value.message and "1.14" in info.value.message


@pytest.mark.parametrize("runtime", ["nvidia", "nvidia-cdi"])
def test_no_nvidia_default_runtime_on_1_15(runtime: str) -> None:
    with pytest.raises(RenderError, match=r"does not exist on Talos 1\.15"):
        plan_for(f"runtime: {{mode: operator, defaultRuntime: {runtime}}}\n")
    assert (
        plan_for("runtime: {mode: operator, defaultRuntime: runc}\n").cri.default_runtime == "runc"
    )


def test_every_mode_on_every_release_renders_a_working_runtime_or_refuses() -> None:
    """No rendered runtime points at a binary the release's extension does not ship."""
    for v in known_versions():
        for mode in ("auto", "cdi", "legacy", "operator", "none"):
            if (v.nri_injection and mode in ("cdi", "legacy")) or (
                mode == "operator" and not v.native_cdi
            ):
                with pytest.raises(RenderError) as info:
                    plan_for(f"runtime: {{mode: {mode}}}\n", str(v))
                assert "\n" not in str(info.value)
                continue
            plan = plan_for(f"runtime: {{mode: {mode}}}\n", str(v))
            if not v.extension_ships_toolkit:
                assert plan.cri.runtimes == () and plan.runtime_classes == (), (v, mode)
            text = render_plan(plan).cri_toml or ""
            assert ("nvidia-container-runtime" in text) <= v.extension_ships_toolkit


def test_proprietary_lts_is_gone_on_1_15() -> None:
    with pytest.raises(RenderError, match="nonfree-kmod-nvidia-lts is not published") as info:
        plan_for("gpu: {driver: {flavour: proprietary, branch: lts}}\n")
    assert "branch: production" in info.value.message
    assert (
        plan_for("gpu: {driver: {flavour: proprietary, branch: production}}\n").mode == "operator"
    )


def test_new_feature_branch_exists_from_1_15_open_only() -> None:
    assert plan_for("gpu: {driver: {flavour: open, branch: new-feature}}\n").mode == "operator"
    with pytest.raises(RenderError, match=r"published from Talos 1\.15 on"):
        plan_for("gpu: {driver: {branch: new-feature}}\n", "1.14")
    with pytest.raises(RenderError, match="open kernel modules only"):
        plan_for("gpu: {driver: {flavour: proprietary, branch: new-feature}}\n")
    names = nvidia_extensions(
        talos_version=TalosVersion.parse("1.15"), flavour="open", branch="new-feature"
    )
    assert names == (
        "siderolabs/nvidia-open-gpu-kernel-modules-new-feature",
        "siderolabs/nvidia-container-toolkit-new-feature",
    )
    with pytest.raises(IntentError, match="nonfree-kmod-nvidia-lts"):
        nvidia_extensions(
            talos_version=TalosVersion.parse("1.15"), flavour="proprietary", branch="lts"
        )


@pytest.mark.parametrize("model", ["Quadro P2000", "GTX 970", "Tesla V100"])
def test_maxwell_to_volta_have_no_driver_and_the_error_names_the_last_release(model: str) -> None:
    for flavour in ("proprietary",):
        for branch in ("lts", "production"):
            with pytest.raises(RenderError, match=r"no driver of Talos 1\.15 supports") as info:
                plan_for(
                    f"gpu: {{model: {model}, driver: {{flavour: {flavour}, branch: {branch}}}}}\n"
                )
            assert "the last Talos release that ships one is 1.14 (lts 580." in info.value.message
            assert "stay on Talos 1.14" in info.value.message


def test_turing_runs_on_every_1_15_branch() -> None:
    for branch in ("lts", "production", "new-feature"):
        plan = plan_for(
            f"gpu: {{model: RTX 2070 Super, driver: {{flavour: open, branch: {branch}}}}}\n"
        )
        assert plan.mode == "operator"


def test_extra_cri_toml_on_containerd_config_v4() -> None:
    text = 'runtime:\n  mode: operator\n  extraCriToml: |\n    [metrics]\n      address = "0.0.0.0:1338"\n'
    rendered = render_plan(plan_for(text))
    (warning,) = [w for w in rendered.warnings if "[metrics]" in w]
    assert "io.containerd.server.v1.metrics" in warning and "silently ignores" in warning
    assert not [w for w in render_plan(plan_for(text, "1.14")).warnings if "[metrics]" in w]
    nri = 'runtime:\n  mode: operator\n  extraCriToml: |\n    [plugins."io.containerd.nri.v1.nri"]\n      disable = true\n'
    with pytest.raises(RenderError, match="disables containerd's NRI plugin"):
        render_plan(plan_for(nri))
    render_plan(plan_for(nri, "1.14"))  # 1.14's operator path does not use NRI


def test_open_modules_stage_on_geforce_by_driver_branch() -> None:
    """Open modules on GeForce/workstation GPUs: alpha R515-R535, beta R545-R555, default R560+."""
    intent = "gpu: {model: RTX 2070 Super, driver: {flavour: open, branch: lts}}\n"
    alpha = [w for w in plan_for(intent, "1.11").warnings if "open kernel modules" in w]
    assert len(alpha) == 1 and "alpha (R515-R535)" in alpha[0] and "R560" in alpha[0]
    assert not [w for w in plan_for(intent, "1.12").warnings if "open kernel modules" in w]
