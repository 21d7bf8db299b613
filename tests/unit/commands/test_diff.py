"""The Python twin ``talosgpu.configdiff`` and its version resolution."""

from __future__ import annotations

import json

import pytest
from conftest import shared_path

import talosgpu
from talosgpu.errors import TalosGPUError
from talosgpu.live import load_live_config


def _stock(version: str) -> str:
    return str(
        shared_path(
            "conformance", "talos-machineconfigs", "stability", f"v{version}", "base-worker.yaml"
        )
    )


def test_exported_diff_is_the_function_after_importing_the_package() -> None:
    import talosgpu.configdiff.semantic  # the package has its own name: no clash

    result = talosgpu.diff(profile="nvidia-legacy", live=_stock("1.12"))
    assert isinstance(result, talosgpu.DiffResult)
    assert isinstance(result.diff, talosgpu.ConfigDiff)
    assert result.changed and not result.diff.reboot


def test_diff_accepts_a_live_config_object_and_reports_version_mismatch() -> None:
    live = load_live_config(_stock("1.11"))  # a 1.11 config whose installer tag says 1.13
    live = type(live)(
        documents=live.documents,
        source="mem",
        talos_version=talosgpu.TalosVersion.parse("1.13"),
    )
    result = talosgpu.diff(profile="nvidia-cdi", live=live)  # profile says 1.11
    assert str(result.talos_version) == "1.11"
    assert any("installer image is Talos 1.13" in w for w in result.warnings)
    data = json.loads(talosgpu.format_report(result, "json"))
    assert data["source"] == "mem" and data["talosVersion"] == "1.11"
    assert talosgpu.format_report(result).splitlines()[-1] == result.diff.summary


def test_intent_and_live_cannot_both_be_stdin() -> None:
    with pytest.raises(TalosGPUError, match="both come from stdin"):
        talosgpu.diff("-", live="-")


def test_needs_a_live_config() -> None:
    with pytest.raises(TalosGPUError, match="no live config"):
        talosgpu.diff(profile="nvidia-cdi")
