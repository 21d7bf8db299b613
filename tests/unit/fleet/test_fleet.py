"""Inventories: layering, error attribution, fleet rendering, for_each_node."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from talosgpu import yamlio
from talosgpu.commands.fleet import FleetNode, for_each_node
from talosgpu.commands.render import render_outputs
from talosgpu.errors import IntentError, ProfileError, TalosGPUError
from talosgpu.fleet import (
    Inventory,
    fleet_output_files,
    fleet_warnings,
    load_inventory,
    load_inventory_text,
    node_intents,
    render_fleet,
)

HEAD = "apiVersion: talosgpu.dev/v1alpha1\nkind: GPUInventory\n"


def inv(body: str, source: str = "inv.yaml") -> Inventory:
    return load_inventory_text(HEAD + body, source=source)


def error_of(body: str) -> TalosGPUError:
    def load_and_build() -> None:
        node_intents(load_inventory_text(HEAD + body, source="inv.yaml"))

    with pytest.raises(TalosGPUError) as info:
        load_and_build()
    return info.value


LAYERED = """
defaults:
  talosVersion: "1.12"
  labels: {a: defaults, b: defaults, c: defaults, d: defaults, gone: defaults}
roles:
  r:
    profile: nvidia-graphics
    labels: {b: role, c: role, d: role, gone: null}
nodes:
  - name: n1
    address: 10.0.0.1
    role: r
    talosVersion: "1.11"
    overrides:
      labels: {c: overrides}
      taints: {gpu: null}
"""


def test_layering_order_profile_defaults_role_node_overrides() -> None:
    intent = node_intents(inv(LAYERED))["n1"]
    # profile nvidia-graphics sets labels {role: gpu}; each later layer wins on its keys
    assert intent.labels == {
        "role": "gpu",
        "a": "defaults",
        "b": "role",
        "c": "overrides",
        "d": "role",
    }
    assert intent.profile == "nvidia-graphics"
    assert intent.node.name == "n1"  # node field beats the profile's node.name (velaryon)
    assert intent.node.address == "10.0.0.1"
    assert intent.talos_version == "1.11"  # node field beats defaults
    assert intent.taints == {}  # overrides' null removed the profile's taint
    assert intent.sharing.replicas == 4  # untouched profile values stay


def test_profile_from_node_beats_role_and_defaults() -> None:
    body = """
defaults: {profile: nvidia-operator}
roles:
  r: {profile: nvidia-legacy}
  plain: {}
  none: {profile: null}
nodes:
  - {name: a, role: r}
  - {name: b, role: r, profile: nvidia-cdi}
  - {name: c, role: plain}
  - {name: d, role: none}
  - {name: e}
"""
    intents = node_intents(inv(body))
    profiles = {name: intent.profile for name, intent in intents.items()}
    assert profiles == {
        "a": "nvidia-legacy",
        "b": "nvidia-cdi",
        "c": "nvidia-operator",
        "d": None,
        "e": "nvidia-operator",
    }
    assert intents["d"].runtime.mode == "auto"  # no profile at all


def test_results_sorted_by_name_and_empty_sections_allowed() -> None:
    body = "defaults:\nroles:\nnodes:\n  - {name: zz}\n  - {name: aa, overrides: }\n"
    assert list(node_intents(inv(body))) == ["aa", "zz"]


def test_profiles_are_read_once_per_inventory(monkeypatch: pytest.MonkeyPatch) -> None:
    import talosgpu.fleet.load as profiles  # where the inventory loader looks it up

    calls: list[str] = []
    real = profiles.profile_data

    def counting(name: str, *, referenced_from: str | None = None) -> dict[str, object]:
        calls.append(name)
        return real(name, referenced_from=referenced_from)

    monkeypatch.setattr(profiles, "profile_data", counting)
    nodes = "".join(
        f"  - {{name: n{i}, profile: {'nvidia-cdi' if i % 2 else 'nvidia-legacy'}}}\n"
        for i in range(40)
    )
    assert len(node_intents(inv("nodes:\n" + nodes))) == 40
    assert sorted(calls) == ["nvidia-cdi", "nvidia-legacy"]


@pytest.mark.parametrize(
    ("body", "path", "words"),
    [
        (
            "nodes:\n  - {name: a}\n  - {name: a}\n",
            ".nodes[1].name",
            "duplicate node name 'a' (also .nodes[0])",
        ),
        ("roles: {x: {}}\nnodes:\n  - {name: a, role: y}\n", ".nodes[0].role", "unknown role 'y'"),
        (
            "nodes:\n  - {name: a, address: 10.0.0.2}\n  - {name: b, address: 10.0.0.2}\n",
            ".nodes[1].address",
            "duplicate node address '10.0.0.2' (also .nodes[0])",
        ),
        ("nodes:\n  - {name: helm}\n", ".nodes[0].name", "share its folder with the Helm values"),
        (
            "nodes:\n  - {name: a}\n  - {name: b, overrides: {labels: {'bad key!': x}}}\n",
            ".nodes[1].overrides.labels",
            "bad key!",
        ),
        (
            "roles: {r: {labels: {'bad key!': x}}}\nnodes:\n  - {name: a, role: r}\n",
            ".roles.r.labels",
            "(node a)",
        ),
        ("defaults: {labelz: {}}\nnodes:\n  - {name: a}\n", ".defaults.labelz", "unknown field"),
        (
            "defaults: {sharing: {strategy: time-slicing}}\nnodes:\n  - {name: a}\n",
            ".defaults.sharing",
            "needs replicas",
        ),
        (
            "nodes:\n  - {name: a, overrides: {gpu: {driver: {flavour: closed}}}}\n",
            ".nodes[0].overrides.gpu.driver.flavour",
            "open",
        ),
        ("nodes:\n  - {name: a, talosVersion: 1.10}\n", ".nodes[0].talosVersion", "quoted"),
        ("nodes:\n  - {name: a, talosVersion: '1.5'}\n", ".nodes[0].talosVersion", "1.5"),
        ("nodes:\n  - {name: Bad_Name}\n", ".nodes[0].name", "DNS-1123"),
        ("nodes:\n  - {name: a, roel: x}\n", ".nodes[0].roel", "unknown field"),
        ("nodez: []\nnodes: []\n", ".nodez", "unknown field"),
        ("defaults: {node: {name: x}}\nnodes: []\n", ".defaults.node.name", ".nodes[].name"),
        (
            "roles: {r: {node: {address: 1.2.3.4}}}\nnodes: []\n",
            ".roles.r.node.address",
            ".nodes[].address",
        ),
        (
            "nodes:\n  - {name: a, overrides: {talosVersion: '1.11'}}\n",
            ".nodes[0].overrides.talosVersion",
            ".nodes[].talosVersion",
        ),
        ("nodes:\n  - {name: a, profile: nope}\n", ".nodes[0].profile", "unknown profile"),
        ("roles: {r: {profile: nope}}\nnodes:\n  - {name: a, role: r}\n", ".roles.r.profile", ""),
        ("nodes:\n  - {name: a, overrides: [1]}\n", ".nodes[0].overrides", "dictionary"),
    ],
)
def test_errors_name_inventory_file_and_yaml_path(body: str, path: str, words: str) -> None:
    err = error_of(body)
    assert isinstance(err, IntentError | ProfileError)
    assert err.file == "inv.yaml"
    assert err.yaml_path == path
    assert words in err.message
    assert "\n" not in str(err)


def test_kind_and_document_count_are_checked() -> None:
    with pytest.raises(IntentError, match="kind"):
        load_inventory_text("nodes: []\n", source="x.yaml")
    with pytest.raises(IntentError, match="one inventory document, found 2"):
        load_inventory_text(HEAD + "nodes: []\n---\n" + HEAD + "nodes: []\n", source="x.yaml")
    with pytest.raises(IntentError, match="mapping"):
        load_inventory_text("- 1\n", source="x.yaml")


def test_load_inventory_from_file(tmp_path: Path) -> None:
    path = tmp_path / "fleet.yaml"
    path.write_text(HEAD + "nodes:\n  - {name: a, profile: nvidia-cdi}\n")
    inventory = load_inventory(path)
    assert inventory.source == str(path)
    with pytest.raises(TalosGPUError, match="no such file"):
        load_inventory(tmp_path / "missing.yaml")


def test_render_fleet_headers_versions_and_output_files() -> None:
    inventory = inv(
        "defaults: {profile: nvidia-legacy}\n"
        "nodes:\n  - {name: b, talosVersion: '1.14'}\n"
        "  - {name: a, talosVersion: '1.9', overrides: {runtime: {bpfJitHarden: leave}}}\n",
        source="clusters/lab/fleet.yaml",
    )
    rendered = render_fleet(inventory)
    assert list(rendered) == ["a", "b"]
    assert "for Talos 1.9 from fleet.yaml node a;" in rendered["a"].patch_text
    assert "kind: KernelModuleConfig" in rendered["b"].patch_text  # 1.14 documents
    overridden = render_fleet(inventory, talos_version="1.12")
    assert all(str(r.plan.version) == "1.12" for r in overridden.values())
    files = fleet_output_files(rendered)
    assert "a/patch.yaml" in files and "b/plan.json" in files
    assert files["a/patch.yaml"] == rendered["a"].patch_text
    assert all(name.split("/")[0] in ("a", "b", "cluster", "helm") for name in files)
    assert "kind: RuntimeClass" in files["cluster/manifests.yaml"]
    assert "kind: RuntimeClass" not in files["a/manifests.yaml"]
    assert any(w.startswith("node a: ") for w in fleet_warnings(rendered))


def test_render_error_names_the_node() -> None:
    modules = "{kernelModules: [{name: nvidia}, {name: nvidia}]}"
    inventory = inv(f"nodes:\n  - {{name: x}}\n  - {{name: a, overrides: {modules}}}\n")
    with pytest.raises(TalosGPUError) as info:
        render_fleet(inventory)
    assert info.value.file == "inv.yaml"
    # the layer that set it, as a validation error is named (docs/fleet.md)
    assert info.value.yaml_path == ".nodes[1].overrides.kernelModules"
    assert info.value.message == "node a: a kernel module is listed twice"


def test_a_render_error_names_the_role_that_set_the_value() -> None:
    inventory = inv(
        "roles: {r: {talosVersion: '1.15', runtime: {mode: cdi}}}\nnodes:\n  - {name: a, role: r}\n"
    )
    with pytest.raises(TalosGPUError) as info:
        render_fleet(inventory)
    assert info.value.yaml_path == ".roles.r.runtime.mode"
    assert info.value.message.startswith("node a: runtime mode 'cdi' cannot work on Talos 1.15")


def test_render_outputs_tells_an_inventory_from_an_intent(tmp_path: Path) -> None:
    intent = tmp_path / "node.yaml"
    intent.write_text("# not a GPUInventory\nprofile: nvidia-cdi\n")
    assert set(render_outputs(str(intent), what="dir").files) >= {"patch.yaml", "plan.json"}
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(HEAD + "nodes:\n  - {name: a, profile: nvidia-cdi}\n")
    with pytest.raises(IntentError, match="--output-dir"):
        render_outputs(str(fleet), what="patch")
    assert "a/patch.yaml" in render_outputs(str(fleet), what="dir").files


FOUR = "nodes:\n" + "".join(f"  - {{name: n{i}, address: 10.0.0.{i}}}\n" for i in (3, 1, 4, 2))


def test_for_each_node_parallel_but_ordered_by_name() -> None:
    inventory = inv(FOUR)
    running, peak = 0, 0
    lock = threading.Lock()

    def probe(node: FleetNode) -> str:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05 * (5 - int(node.name[1])))  # n1 finishes last
        with lock:
            running -= 1
        return f"{node.address}:{node.intent.node.name}"

    results = for_each_node(inventory, probe, jobs=4)
    assert results == [(f"n{i}", f"10.0.0.{i}:n{i}") for i in (1, 2, 3, 4)]
    assert peak > 1


def test_for_each_node_collects_talosgpu_errors_and_raises_others() -> None:
    inventory = inv(FOUR)

    def flaky(node: FleetNode) -> int:
        if node.name == "n2":
            raise TalosGPUError("unreachable", file=node.name)
        return 1

    results = dict(for_each_node(inventory, flaky, jobs=2))
    assert results["n1"] == 1 and isinstance(results["n2"], TalosGPUError)

    def broken(node: FleetNode) -> int:
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        for_each_node(inventory, broken, jobs=1)
    with pytest.raises(TalosGPUError, match="at least 1"):
        for_each_node(inventory, flaky, jobs=0)


def test_for_each_node_validates_before_calling() -> None:
    inventory = inv("nodes:\n  - {name: a, overrides: {labelz: {}}}\n")
    called: list[str] = []
    with pytest.raises(IntentError, match="unknown field"):
        for_each_node(inventory, lambda node: called.append(node.name), jobs=2)
    assert called == []


@pytest.mark.slow
def test_thousand_node_fleet_renders_every_node() -> None:
    """A large inventory renders whole (its speed is measured in benchmarks/, not here)."""
    profiles = ["nvidia-cdi", "nvidia-graphics", "nvidia-legacy", "nvidia-operator"]
    nodes = "".join(
        f"  - {{name: node{i:04d}, address: 10.0.{i // 250}.{i % 250 + 1}, role: gpu, "
        f"profile: {profiles[i % 4]}}}\n"
        for i in range(1000)
    )
    text = HEAD + "defaults: {labels: {site: bench}}\nroles: {gpu: {labels: {role: gpu}}}\n"
    rendered = render_fleet(load_inventory_text(text + "nodes:\n" + nodes))
    patches = {name: r.patch_text for name, r in rendered.items()}
    assert len(patches) == 1000
    assert "# Rendered by talosgpu" in patches["node0999"] and "node0999" in patches["node0999"]
    assert yamlio.load_all(patches["node0003"])


def test_fleet_patch_text_is_byte_identical_to_a_plain_render() -> None:
    from talosgpu.commands.render import render
    from talosgpu.renderers.base import Rendered

    inventory = inv(
        "roles: {c: {profile: nvidia-cdi}}\n"
        "nodes:\n  - {name: a, role: c}\n  - {name: b, role: c}\n"
        "  - {name: d, role: c, overrides: {sysctls: {vm.x: '1'}}}\n"
        "  - {name: e, role: c, overrides: {sysctls: {vm.x: 1}}}\n"
    )
    rendered = render_fleet(inventory)
    intents = node_intents(inventory)
    for name, item in rendered.items():
        assert isinstance(item, Rendered)
        plain = render(intents[name], source=f"inv.yaml node {name}")
        assert item.patch_text == plain.patch_text
    assert rendered["a"].patch_text.replace("node a;", "node b;") == rendered["b"].patch_text


def test_a_fleet_renders_the_same_bytes_with_and_without_the_stand_ins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nodes that differ by name and label values (some of them YAML words, numbers, dates,
    or inside each other) render exactly what each node renders alone, without stand-ins.
    (``before-113`` keeps the CDI init DaemonSet of the 1.10-1.12 nodes off the others.)"""
    from talosgpu import yamlio
    from talosgpu.fleet import fleet_output_files, load_inventory, render_fleet

    labels = ["yes", "123", "2024-01-01", "r1", "r12", "rack-1", "on", "gpu", "Zone_A.1"]
    nodes = "".join(
        f"  - {{name: node{i}, address: 10.0.0.{i + 1}, profile: nvidia-cdi, talosVersion: '1.1{i % 5}',"
        f" overrides: {{labels: {{rack: '{label}', before-113: '{i % 5 < 3}'}}}}}}\n"
        for i, label in enumerate(labels)
    )
    inventory = tmp_path / "fleet.yaml"
    inventory.write_text(f"apiVersion: talosgpu.dev/v1alpha1\nkind: GPUInventory\nnodes:\n{nodes}")
    with_memo = fleet_output_files(render_fleet(load_inventory(inventory)))
    yamlio._EMITTED.clear()
    monkeypatch.setattr(yamlio, "_emit_varying", lambda doc, vary: yamlio._emit_one(doc))
    monkeypatch.setattr(yamlio, "_emit_one", lambda doc: yamlio._ruamel_stream([doc]))
    plain = fleet_output_files(render_fleet(load_inventory(inventory)))
    assert with_memo == plain
