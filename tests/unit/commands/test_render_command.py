"""commands/render: ``talosgpu.render`` on a loaded intent."""

from __future__ import annotations

from pathlib import Path

import pytest

import talosgpu


def test_a_loaded_intent_names_its_file_in_later_errors(tmp_path: Path) -> None:
    """An error the plan raises (a mode the release refuses) names the file the intent was
    loaded from, not "intent"; where it was read is not part of its equality."""
    path = tmp_path / "node.yaml"
    path.write_text('talosVersion: "1.15"\ngpu: {model: RTX 3090}\nruntime: {mode: cdi}\n')
    loaded = talosgpu.load_intent(path)
    with pytest.raises(talosgpu.TalosGPUError) as info:
        talosgpu.render(loaded)
    assert str(info.value).startswith(f"{path}: .runtime.mode: ")
    assert loaded == talosgpu.load_intent_text(path.read_text(), source="elsewhere.yaml")
