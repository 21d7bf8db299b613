from __future__ import annotations

import pytest

import talosgpu as api
from talosgpu.errors import RenderError
from talosgpu.intent.load import load_intent_text
from talosgpu.plan import resolve


def test_pascal_on_production_595_is_an_error_with_the_fix() -> None:
    intent = load_intent_text(
        "gpu: {model: Quadro P2000, driver: {flavour: proprietary, branch: production}}"
    )
    with pytest.raises(RenderError) as err:
        resolve(intent, "1.13")
    assert err.value.yaml_path == ".gpu.driver"
    assert "branch: lts" in err.value.message
    # Before 595 became production, the same intent is fine.
    assert resolve(intent, "1.12").mode == "cdi"


def test_open_modules_on_pascal_are_refused() -> None:
    intent = load_intent_text("gpu: {model: Tesla P4, driver: {flavour: open}}")
    with pytest.raises(RenderError, match=r"fix: .*proprietary"):
        resolve(intent, "1.11")


def test_identified_gpu_is_a_recorded_decision() -> None:
    plan = api.render(profile="nvidia-graphics").plan
    hardware = [d for d in plan.decisions if d.id == "hardware"]
    assert hardware
    assert "Turing" in hardware[0].summary


def test_unknown_model_only_warns() -> None:
    plan = resolve(load_intent_text("gpu: {model: Imaginary 9000}"), "1.11")
    assert any("not in talosgpu's hardware table" in w for w in plan.warnings)


def test_plan_errors_name_the_input_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "node.yaml"
    path.write_text(
        "talosVersion: '1.13'\ngpu: {model: Quadro P2000, driver: {flavour: proprietary, branch: production}}\n"
    )
    with pytest.raises(RenderError) as err:
        api.render(path)
    assert str(err.value).startswith("node.yaml: .gpu.driver: ")
