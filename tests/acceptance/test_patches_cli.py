"""An intent's ``patches:`` (the rest of the node's config) through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli as run
from conftest import stock_config

from talosgpu import yamlio

INTENT = """\
profile: nvidia-cdi
talosVersion: "1.12.4"
patches:
  - file: patches/network.yaml
  - inline: {machine: {sysctls: {vm.max_map_count: "262144"}}}
"""


@pytest.fixture
def node(tmp_path: Path) -> Path:
    (tmp_path / "patches").mkdir()
    (tmp_path / "patches" / "network.yaml").write_text(
        "machine:\n  network:\n    hostname: gpu-1\n"
    )
    path = tmp_path / "node.yaml"
    path.write_text(INTENT)
    return path


def test_render_leaves_patches_out_and_says_so(
    node: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["render", str(node)], capsys)
    assert code == 0
    assert "hostname" not in out
    assert "the intent has 2 patch(es) this output leaves out: --with-patches" in err


def test_render_with_patches_is_the_merged_node_patch(
    node: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["render", str(node), "--with-patches"], capsys)
    assert code == 0
    (doc,) = yamlio.load_all(out)
    assert doc["machine"]["network"]["hostname"] == "gpu-1"
    assert doc["machine"]["sysctls"]["vm.max_map_count"] == "262144"
    assert "# Re-render: talosgpu render node.yaml --with-patches" in out


def test_a_patch_file_edit_is_seen_at_once(node: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The render cache keys on the intent's bytes; a patch file is not in them, so an intent
    with patches is never served from the cache."""
    run(["render", str(node), "--with-patches"], capsys)
    (node.parent / "patches" / "network.yaml").write_text("machine: {network: {hostname: b}}\n")
    _, out, _ = run(["render", str(node), "--with-patches"], capsys)
    assert "hostname: b" in out


def test_diff_always_uses_the_merged_patch(node: Path, capsys: pytest.CaptureFixture[str]) -> None:
    live = node.parent / "live.yaml"
    live.write_text(stock_config("1.12").read_text())
    code, out, err = run(["diff", str(node), "--live", str(live), "--format", "json"], capsys)
    assert code == 1, err
    paths = [c["path"] for c in json.loads(out)["changes"]]
    assert ".machine.network.hostname" in paths


def test_a_collision_names_both_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "cri.yaml").write_text(
        "machine:\n  files:\n    - path: /etc/cri/conf.d/20-customization.part\n"
        "      op: create\n      content: |\n        x = 1\n"
    )
    node = tmp_path / "node.yaml"
    node.write_text('profile: nvidia-cdi\ntalosVersion: "1.12"\npatches: [{file: cri.yaml}]\n')
    code, _, err = run(["render", str(node), "--with-patches"], capsys)
    assert code == 2
    assert "cri.yaml: .machine.files[0] writes /etc/cri/conf.d/20-customization.part" in err
    assert "talosgpu's CRI customization" in err


def test_a_missing_patch_file_names_the_intent_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    node = tmp_path / "node.yaml"
    node.write_text('profile: nvidia-cdi\ntalosVersion: "1.12"\npatches: [{file: nope.yaml}]\n')
    code, _, err = run(["render", str(node), "--with-patches"], capsys)
    assert code == 2
    assert ".patches[0].file" in err and "nope.yaml" in err


def test_a_patch_is_a_file_or_inline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    node = tmp_path / "node.yaml"
    node.write_text('talosVersion: "1.12"\npatches: [{file: a.yaml, inline: {machine: {}}}]\n')
    code, _, err = run(["render", str(node)], capsys)
    assert code == 2 and "a patch is either file: PATH or inline: {...}" in err
