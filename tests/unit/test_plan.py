from __future__ import annotations

import pytest

from talosgpu.errors import RenderError
from talosgpu.intent.load import load_intent_text, load_profile
from talosgpu.intent.models import Intent
from talosgpu.plan import DEFAULT_MODULES, resolve


def plan_for(text: str, version: str | None = None):  # type: ignore[no-untyped-def]
    return resolve(load_intent_text(text), version)


@pytest.mark.parametrize(
    ("version", "mode"),
    [
        ("1.7", "legacy"),
        ("1.8", "cdi"),
        ("1.9", "cdi"),
        ("1.11", "cdi"),
        ("1.12", "cdi"),
        ("1.13", "operator"),
        ("1.14", "operator"),
    ],
)
def test_auto_mode_by_version(version: str, mode: str) -> None:
    plan = plan_for("{}", version)
    assert plan.mode == mode
    assert any(d.id == "runtime-mode" and d.reason != "set in the intent" for d in plan.decisions)


def test_talos05_plan() -> None:
    plan = resolve(load_profile("nvidia-cdi"))
    assert str(plan.version) == "1.11"
    assert plan.mode == "cdi"
    assert plan.hook_strategy == "real-binaries"
    assert plan.cri.table == "io.containerd.cri.v1.runtime"
    assert plan.cri.default_runtime == "nvidia-cdi"
    assert plan.cri.enable_cdi is True
    assert plan.cri.cdi_spec_dirs == ("/var/cdi", "/var/run/cdi")
    assert plan.keep_dirs == ("/var/cdi", "/var/run/cdi")
    assert [m.name for m in plan.modules] == list(DEFAULT_MODULES)
    assert plan.labels["nvidia.com/gpu.present"] == "true"
    assert "net.core.bpf_jit_harden" not in plan.sysctls
    assert not plan.warnings


def test_bpf_jit_harden_only_where_documented() -> None:
    assert plan_for("runtime: {mode: legacy}", "1.12").sysctls == {"net.core.bpf_jit_harden": "1"}
    assert plan_for("runtime: {mode: legacy}", "1.13").sysctls == {}
    leave = plan_for("runtime: {mode: legacy, bpfJitHarden: leave}", "1.10")
    assert leave.sysctls == {}
    forced = plan_for("runtime: {mode: legacy, bpfJitHarden: set}", "1.13")
    assert forced.sysctls == {"net.core.bpf_jit_harden": "1"}
    assert any("not needed on Talos 1.13" in w for w in forced.warnings)


def test_legacy_in_ebpf_window_warns() -> None:
    plan = plan_for("runtime: {mode: legacy, bpfJitHarden: leave}", "1.10")
    assert any("device filter" in w for w in plan.warnings)
    # with the documented workaround in place (auto sets bpf_jit_harden=1) it is not repeated
    fixed = plan_for("runtime: {mode: legacy}", "1.10")
    assert fixed.sysctls["net.core.bpf_jit_harden"] == "1"
    assert not any("device filter" in w for w in fixed.warnings)
    assert not any(
        "device filter" in w for w in plan_for("runtime: {mode: legacy}", "1.8").warnings
    )


def test_operator_before_1_13_is_refused_not_swapped_for_another_mode() -> None:
    """As cdi/legacy on 1.15: another mode is other cluster objects, not a warning's detail."""
    with pytest.raises(
        RenderError,
        match=r"runtime mode 'operator' needs Talos 1\.13\+ .*on Talos 1\.12 use runtime mode 'cdi' or 'legacy'",
    ):
        plan_for("runtime: {mode: operator}", "1.12")


def test_real_binaries_after_1_13_becomes_usr_bin() -> None:
    plan = plan_for("runtime: {mode: cdi, hookPaths: real-binaries}", "1.13")
    assert plan.hook_strategy == "usr-bin"
    assert any("talos#13022" in w for w in plan.warnings)


def test_cdi_on_native_cdi_release_adds_no_base_settings() -> None:
    plan = plan_for("runtime: {mode: cdi}", "1.13")
    assert plan.cri.enable_cdi is None and plan.cri.cdi_spec_dirs == ()
    assert plan.cri.runtimes == (("nvidia-cdi", "/usr/local/bin/nvidia-container-runtime.cdi"),)


def test_default_runtime_must_exist() -> None:
    with pytest.raises(RenderError, match="not defined") as err:
        plan_for("runtime: {mode: none, defaultRuntime: nvidia-cdi}", "1.11")
    assert err.value.yaml_path == ".runtime.defaultRuntime"
    plan = plan_for("runtime: {mode: legacy, defaultRuntime: nvidia}", "1.11")
    assert any("every pod" in w for w in plan.warnings)


def test_duplicate_module_is_an_error_and_order_warns() -> None:
    with pytest.raises(RenderError, match="twice"):
        plan_for("kernelModules: [{name: nvidia}, {name: nvidia}]", "1.11")
    plan = plan_for("kernelModules: [{name: nvidia_uvm}, {name: nvidia}]", "1.11")
    assert any("before" in w for w in plan.warnings)
    assert any("nvidia_drm" in w for w in plan.warnings)


def test_worker_taints_warn_about_node_restriction() -> None:
    assert any("NodeRestriction" in w for w in resolve(load_profile("nvidia-graphics")).warnings)


def test_missing_version_defaults_with_warning() -> None:
    plan = plan_for("{}")
    assert str(plan.version) == "1.14"
    assert any("no talosVersion" in w for w in plan.warnings)


def test_override_version_beats_intent() -> None:
    assert str(resolve(load_profile("nvidia-cdi"), "1.9").version) == "1.9"


def _mode(data: dict[str, object], version: str) -> tuple[str, str]:
    plan = resolve(Intent.model_validate(data), version)
    decision = next(d for d in plan.decisions if d.id == "runtime-mode")
    return plan.mode, decision.reason


def test_auto_on_113_follows_the_guide_and_names_the_device_plugin_alternative() -> None:
    mode, reason = _mode({}, "1.13")
    assert mode == "operator"
    assert "docs v1.13 and v1.14 nvidia-gpu" in reason
    assert "runtime: {mode: legacy}" in reason


@pytest.mark.parametrize(
    ("runtime", "expected"),
    [
        ({"defaultRuntime": "nvidia"}, "legacy"),
        ({"defaultRuntime": "nvidia-cdi"}, "cdi"),
        ({"cdiSpecDirs": ["/var/cdi"]}, "cdi"),
        ({"hookPaths": "usr-bin"}, "cdi"),
    ],
)
def test_auto_on_114_with_device_plugin_fields_picks_the_device_plugin(
    runtime: dict[str, object], expected: str
) -> None:
    mode, reason = _mode({"runtime": runtime}, "1.14")
    assert mode == expected
    assert "only make sense with the NVIDIA device plugin" in reason


def test_auto_on_115_refuses_device_plugin_fields() -> None:
    with pytest.raises(RenderError, match="no longer has"):
        _mode({"runtime": {"cdiSpecDirs": ["/var/cdi"]}}, "1.15")


def test_legacy_on_113_is_not_told_to_remove_its_runtime_class() -> None:
    plan = resolve(Intent.model_validate({"runtime": {"mode": "legacy"}}), "1.13")
    assert not [w for w in plan.warnings if "RuntimeClass" in w]
    reason = next(d.reason for d in plan.decisions if d.id == "runtime-mode")
    assert "keeps working" in reason and "upgrade notes" in reason
