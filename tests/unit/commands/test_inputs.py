"""Reading an input once and deciding once what it is (render, check and fleets share this)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest

from talosgpu.commands.inputs import classify, load_target, read_input
from talosgpu.errors import TalosGPUError, YAMLError

INVENTORY = {"apiVersion": "talosgpu.dev/v1alpha1", "kind": "GPUInventory", "nodes": []}


TALCONFIG = {"clusterName": "c", "talosVersion": "v1.11.0", "endpoint": "https://c", "nodes": []}


@pytest.mark.parametrize(
    ("docs", "kindless", "kind"),
    [
        ([INVENTORY], "intent-like", "inventory"),
        ([INVENTORY], "any", "inventory"),
        ([{"kind": "GPUNode"}], "intent-like", "intent"),
        (
            [{"apiVersion": "talosgpu.dev/v1alpha1", "profile": "nvidia-cdi"}],
            "intent-like",
            "intent",
        ),
        # the README's intents have no kind: check sees them by their keys
        ([{"profile": "nvidia-cdi", "talosVersion": "1.11"}], "intent-like", "intent"),
        ([{"profle": "nvidia-cdi"}], "intent-like", "intent"),  # a typo: an invalid intent
        ([TALCONFIG], "intent-like", None),  # shares talosVersion (and nodes ~ node) only
        ([{"machine": {"kernel": {}}}], "intent-like", None),  # a Talos patch
        ([{"replicas": 2}], "intent-like", None),
        ([{"replicas": 2}], "any", "intent"),  # render: the user named it, the loader words it
        ([{"profile": "nvidia-cdi"}], "any", "intent"),
        ([{"kind": "Deployment"}], "any", None),  # someone else's kind
        ([{"kind": "GPUNode"}, {"kind": "GPUNode"}], "any", None),  # two documents
        (["text"], "any", None),
        ([], "any", None),
    ],
)
def test_classify(
    docs: list[object], kindless: Literal["any", "intent-like"], kind: str | None
) -> None:
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
