"""Leftover CRI customizations a new plan no longer renders (configdiff/stale.py)."""

from __future__ import annotations

from pathlib import Path

from conftest import stock_config

import talosgpu as api
from talosgpu import yamlio
from talosgpu.talos.apply import apply_patches


def test_a_cri_part_the_plan_no_longer_renders_is_said(tmp_path: Path) -> None:
    """A 1.13 node patched for runtime mode cdi, then diffed for the GPU Operator: diff adds
    nothing and removes nothing, so the leftover NVIDIA part must be named (not only 'no
    changes')."""
    cdi = api.render(profile="nvidia-cdi", talos_version="1.13")
    live = apply_patches(stock_config("1.13").read_text(), [cdi.patch_text], talos_version="1.13")
    path = tmp_path / "live.yaml"
    path.write_text(yamlio.dump_all(list(live.documents)))
    result = api.diff(profile="nvidia-operator", live=str(path), talos_version="1.13")
    assert any("does not render (from an earlier render" in w for w in result.warnings)
    clean = api.diff(
        profile="nvidia-operator", live=str(stock_config("1.13")), talos_version="1.13"
    )
    assert not any("earlier render" in w for w in clean.warnings)


def test_a_stale_handler_label_is_deleted(tmp_path: Path) -> None:
    """The same node moved to the GPU Operator: its runtime.talosgpu.dev/nvidia-cdi label would
    let RuntimeClass nvidia-cdi schedule pods onto a node without that runtime."""
    cdi = api.render(profile="nvidia-cdi", talos_version="1.13")
    live = apply_patches(stock_config("1.13").read_text(), [cdi.patch_text], talos_version="1.13")
    path = tmp_path / "live.yaml"
    path.write_text(yamlio.dump_all(list(live.documents)))
    result = api.diff(profile="nvidia-operator", live=str(path), talos_version="1.13")
    removed = [c.path for c in result.diff.changes if c.op == "remove"]
    assert '.machine.nodeLabels."runtime.talosgpu.dev/nvidia-cdi"' in removed
    assert any("an earlier talosgpu render set them" in w for w in result.warnings)
    (v1,) = [d for d in result.proposal.proposed_documents if "machine" in d]
    assert "runtime.talosgpu.dev/nvidia-cdi" not in v1["machine"]["nodeLabels"]
