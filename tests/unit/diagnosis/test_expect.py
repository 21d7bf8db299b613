"""How doctor's fixes name the node: a one-node intent's commands, or an inventory's (a fix
must be a command that accepts what the user has: one-node commands refuse an inventory)."""

from __future__ import annotations

import pytest

from talosgpu.diagnosis.expect import Expect
from talosgpu.intent.load import load_intent_text
from talosgpu.plan import resolve
from talosgpu.versions import TalosVersion


def _expect(mode: str, **kw: str) -> Expect:
    v = TalosVersion.parse("1.13")
    intent = load_intent_text(f"runtime: {{mode: {mode}}}\n", source="node.yaml")
    return Expect(plan=resolve(intent, v), version=v, node="10.0.0.2", installer_image="img", **kw)  # type: ignore[arg-type]


def test_one_node_fixes_use_the_one_node_commands() -> None:
    ex = _expect("cdi", intent_arg="node.yaml")
    assert ex.render_fix == "talosgpu apply node.yaml --node 10.0.0.2 --talos-version 1.13"
    assert "talosgpu schematic node.yaml --talos-version 1.13" in ex.upgrade_fix
    assert ex.manifests_fix == "talosgpu render node.yaml --talos-version 1.13 --manifests"
    assert ex.helm_values_fix == "talosgpu helm-values node.yaml"


@pytest.mark.parametrize(
    ("mode", "values"),
    [("cdi", "device-plugin-values*.yaml"), ("operator", "gpu-operator-values.yaml")],
)
def test_an_inventory_nodes_fixes_use_commands_that_take_the_inventory(
    mode: str, values: str
) -> None:
    ex = _expect(mode, intent_arg="fleet.yaml", fleet_node="gpu-b")
    assert ex.render_fix == "talosgpu apply fleet.yaml --node gpu-b --talos-version 1.13"
    assert "DIR/gpu-b/schematic.yaml): talosctl -n 10.0.0.2 upgrade --image img" in ex.upgrade_fix
    assert ex.manifests_fix.endswith("kubectl apply -f DIR/cluster/ -f DIR/gpu-b/manifests.yaml")
    assert (
        ex.helm_values_fix
        == f"talosgpu render fleet.yaml --output-dir DIR writes DIR/helm/{values}"
    )
    for fix in (ex.render_fix, ex.upgrade_fix, ex.manifests_fix, ex.helm_values_fix):
        assert "schematic fleet.yaml" not in fix and "helm-values fleet.yaml" not in fix


def test_without_an_intent_the_fixes_say_to_write_the_one_they_name() -> None:
    ex = _expect("operator", intent_arg="node.yaml", assumed=True)  # type: ignore[arg-type]
    for fix in (ex.render_fix, ex.upgrade_fix, ex.manifests_fix, ex.helm_values_fix):
        assert fix.startswith(
            'write node.yaml (talosVersion: "1.13", the defaults doctor checked), then: '
        )


def test_a_catalog_fix_naming_the_mode_the_node_has_points_at_its_checks() -> None:
    ex = _expect("cdi", intent_arg="node.yaml")
    fix = "runtime: {mode: cdi} (talosgpu puts cdi_spec_dirs on writable paths); check the spec"
    fitted = ex.catalog_fix(fix)
    assert fitted.startswith("the intent already uses runtime mode cdi: the failing checks say")
    assert "talosgpu apply node.yaml --node 10.0.0.2" in fitted and "check the spec" in fitted
    assert (
        ex.catalog_fix("runtime: {mode: operator} and more") == "runtime: {mode: operator} and more"
    )
