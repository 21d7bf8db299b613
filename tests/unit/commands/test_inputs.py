"""Reading an input once and deciding once what it is (render, check and fleets share this)."""

from __future__ import annotations

from pathlib import Path

import pytest

from talosgpu.commands.inputs import classify, load_target, read_input
from talosgpu.errors import TalosGPUError, YAMLError

INVENTORY = {"apiVersion": "talosgpu.dev/v1alpha1", "kind": "GPUInventory", "nodes": []}


@pytest.mark.parametrize(
    ("docs", "kindless", "kind"),
    [
        ([INVENTORY], False, "inventory"),
        ([INVENTORY], True, "inventory"),
        ([{"kind": "GPUNode"}], False, "intent"),
        ([{"apiVersion": "talosgpu.dev/v1alpha1", "profile": "nvidia-cdi"}], False, "intent"),
        ([{"profile": "nvidia-cdi"}], False, None),  # a kind-less file is ours only if asked
        ([{"profile": "nvidia-cdi"}], True, "intent"),
        ([{"kind": "Deployment"}], True, None),  # someone else's kind
        ([{"kind": "GPUNode"}, {"kind": "GPUNode"}], True, None),  # two documents: not one intent
        (["text"], True, None),
        ([], True, None),
    ],
)
def test_classify(docs: list[object], kindless: bool, kind: str | None) -> None:
    assert classify(docs, kindless=kindless)[0] == kind


def test_read_input_names_the_file_in_its_errors(tmp_path: Path) -> None:
    with pytest.raises(YAMLError, match="no such file") as missing:
        read_input(tmp_path / "absent.yaml")
    assert missing.value.file == str(tmp_path / "absent.yaml")
    binary = tmp_path / "blob.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(YAMLError, match="not UTF-8"):
        read_input(binary)
    with pytest.raises(YAMLError, match="is a directory"):
        read_input(tmp_path)


def test_read_input_keeps_bytes_and_drops_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "node.yaml"
    path.write_bytes(b"\xef\xbb\xbfprofile: nvidia-cdi\n")
    item = read_input(path)
    assert item.data.startswith(b"\xef\xbb\xbf") and item.text == "profile: nvidia-cdi\n"
    assert item.label == "node.yaml" and item.source == str(path)


def test_load_target_refuses_both_or_neither() -> None:
    with pytest.raises(TalosGPUError, match="not both"):
        load_target("node.yaml", profile="nvidia-cdi")
    with pytest.raises(TalosGPUError, match="nothing to render"):
        load_target()
    intent, label = load_target(profile="nvidia-cdi")
    assert label == "profile nvidia-cdi" and intent.runtime.mode == "cdi"
