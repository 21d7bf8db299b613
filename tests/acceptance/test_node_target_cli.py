"""One node of an inventory, and the intent's own ``node.address``, for ``diff`` and ``apply``.

The FAKE talosctl (tests/fixtures/fake_talosctl/talosctl) mimics the real argument and output
shapes: ``talosctl -n NODE get machineconfig v1alpha1 -o yaml`` prints the resource envelope of
``cmd/talosctl/cmd/talos/output/yaml.go`` (research talos-internals.md §8).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli as run
from conftest import use_fake_talosctl

INVENTORY = """\
apiVersion: talosgpu.dev/v1alpha1
kind: GPUInventory
defaults: {profile: nvidia-operator, talosVersion: "1.13"}
nodes:
  - {name: gpu-a, address: 10.0.0.11}
  - {name: gpu-b, address: 10.0.0.12}
  - {name: gpu-c}
"""


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    return use_fake_talosctl(tmp_path, monkeypatch, version="1.13")


def _nodes_called(fake: dict[str, Path]) -> list[str]:
    calls = [json.loads(line)["argv"] for line in fake["log"].read_text().splitlines()]
    return [argv[argv.index("-n") + 1] for argv in calls]


@pytest.mark.parametrize("pick", ["gpu-b", "10.0.0.12"])
def test_diff_one_node_of_an_inventory(
    pick: str, fake: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "fleet.yaml"
    inventory.write_text(INVENTORY)
    args = ["diff", str(inventory), "--node", pick, "--talosconfig", str(fake["talosconfig"])]
    code, out, err = run(args, capsys)
    assert code == 1, err
    assert out.startswith("talosgpu diff for Talos 1.13: node 10.0.0.12")
    assert _nodes_called(fake) == ["10.0.0.12"]


def test_an_inventory_without_node_says_all_or_node(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "fleet.yaml"
    inventory.write_text(INVENTORY)
    code, _, err = run(["diff", str(inventory)], capsys)
    assert code == 2
    assert err.strip().splitlines() == [
        f"talosgpu: error: {inventory}: this is an inventory of 3 nodes: use --all for every "
        "node, or --node NAME|ADDR for one of them (gpu-a, gpu-b, gpu-c)"
    ]


def test_an_unknown_node_gets_a_did_you_mean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "fleet.yaml"
    inventory.write_text(INVENTORY)
    code, _, err = run(["apply", str(inventory), "--node", "gpu-x", "--dry-run"], capsys)
    assert code == 2
    assert "no node named 'gpu-x' or at that address in the inventory; did you mean" in err


def test_a_node_without_address_needs_live(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "fleet.yaml"
    inventory.write_text(INVENTORY)
    code, _, err = run(["diff", str(inventory), "--node", "gpu-c"], capsys)
    assert code == 2 and "no live config" in err


def test_diff_reads_the_node_the_intent_names(
    fake: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    node = tmp_path / "intent.yaml"
    node.write_text('profile: nvidia-operator\ntalosVersion: "1.13"\nnode: {address: 10.0.0.7}\n')
    code, out, err = run(["diff", str(node), "--talosconfig", str(fake["talosconfig"])], capsys)
    assert code == 1, err
    assert _nodes_called(fake) == ["10.0.0.7"]
    assert out.startswith("talosgpu diff for Talos 1.13: node 10.0.0.7")
    # --node naming another node than the intent's own address is acted on, and said
    code, out, err = run(
        ["diff", str(node), "-n", "10.0.0.8", "--talosconfig", str(fake["talosconfig"])], capsys
    )
    assert code == 1 and _nodes_called(fake)[-1] == "10.0.0.8"
    assert (
        "--node 10.0.0.8 is not the node.address 10.0.0.7 that intent.yaml sets: acting on 10.0.0.8"
        in err
    )


def test_a_profile_s_example_address_is_never_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """nvidia-cdi carries the talos05 field report's address; an intent built on it that
    names no address of its own must not reach that node."""
    node = tmp_path / "intent.yaml"
    node.write_text('profile: nvidia-cdi\ntalosVersion: "1.11"\n')
    code, _, err = run(["diff", str(node)], capsys)
    assert code == 2 and "no live config" in err


def test_apply_one_node_of_an_inventory_dry_run(
    fake: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "fleet.yaml"
    inventory.write_text(INVENTORY)
    args = ["apply", str(inventory), "--node", "gpu-a", "--dry-run", "--yes"]
    code, out, err = run([*args, "--talosconfig", str(fake["talosconfig"])], capsys)
    assert code == 0, err
    assert set(_nodes_called(fake)) == {"10.0.0.11"}
    assert "dry run only: nothing was changed on 10.0.0.11" in out + err


@pytest.mark.parametrize("command", [["helm-values"], ["schematic"], ["render"]])
def test_an_inventory_given_to_a_one_node_command_says_what_to_do(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "fleet.yaml"
    inventory.write_text(INVENTORY)
    code, _, err = run([*command, str(inventory)], capsys)
    assert code == 2
    assert "Input should be" not in err
    assert "inventor" in err and "--output-dir" in err
