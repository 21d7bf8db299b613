"""The real CLI on inventories: ``talosgpu render INVENTORY --output-dir DIR``."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli as run

from talosgpu import yamlio
from talosgpu.fleet import fleet_output_files, load_inventory, render_fleet

INVENTORY = """\
apiVersion: talosgpu.dev/v1alpha1
kind: GPUInventory
defaults:
  talosVersion: "1.11"
roles:
  compute: {profile: nvidia-cdi, labels: {role: compute}}
  graphics: {profile: nvidia-graphics}
nodes:
  - {name: gpu2, address: 10.0.0.2, role: graphics}
  - {name: gpu1, address: 10.0.0.1, role: compute, overrides: {labels: {extra: "yes"}}}
"""


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    path = tmp_path / "fleet.yaml"
    path.write_text(INVENTORY)
    return path


def test_render_inventory_writes_one_folder_per_node(
    inventory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    code, out, err = run(["render", str(inventory), "--output-dir", str(out_dir)], capsys)
    assert code == 0, err
    assert out == ""
    expected = fleet_output_files(render_fleet(load_inventory(inventory)))
    written = {p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()}
    assert written == set(expected)
    assert {name.split("/")[0] for name in written} == {"gpu1", "gpu2", "cluster", "helm"}
    for name, text in expected.items():
        assert (out_dir / name).read_text() == text
    labels = yamlio.load_all((out_dir / "gpu1" / "patch.yaml").read_text())[0]["machine"]
    assert labels["nodeLabels"]["extra"] == "yes"
    assert "from fleet.yaml node gpu1" in (out_dir / "gpu1" / "patch.yaml").read_text()
    assert f"wrote {out_dir / 'gpu1' / 'patch.yaml'}" in err
    assert "talosgpu: warning: node gpu2:" in err


def test_render_inventory_talos_version_and_strict(
    inventory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    code, _, _ = run(
        ["render", str(inventory), "--output-dir", str(out_dir), "--talos-version", "1.14"], capsys
    )
    assert code == 0
    assert "kind: KubeNodeConfig" in (out_dir / "gpu1" / "patch.yaml").read_text()
    strict_dir = tmp_path / "strict"
    code, _, err = run(
        ["render", str(inventory), "--output-dir", str(strict_dir), "--strict"], capsys
    )
    assert code == 2 and "treated as errors" in err
    assert not strict_dir.exists()  # nothing written when --strict fails


def test_render_inventory_needs_output_dir(
    inventory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["render", str(inventory)], capsys)
    assert code == 2 and out == ""
    assert err == (
        f"talosgpu: error: {inventory}: an inventory renders one folder per node: use "
        "--output-dir DIR (without --output, --explain or --manifests)\n"
    )


def test_invalid_inventory_is_one_line_with_path(
    inventory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory.write_text(INVENTORY.replace("role: compute, overrides", "role: cpu, overrides"))
    out_dir = tmp_path / "out"
    code, _, err = run(["render", str(inventory), "--output-dir", str(out_dir)], capsys)
    assert code == 2
    assert err == (
        f"talosgpu: error: {inventory}: .nodes[1].role: unknown role 'cpu' "
        "(known: compute, graphics)\n"
    )
    assert not out_dir.exists()


def test_intent_mentioning_inventory_still_renders_as_intent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    intent = tmp_path / "node.yaml"
    intent.write_text("# see also our GPUInventory\nprofile: nvidia-cdi\n")
    code, _, _ = run(["render", str(intent), "--output-dir", str(tmp_path / "out")], capsys)
    assert code == 0
    assert (tmp_path / "out" / "patch.yaml").is_file()
