"""UdevRulesConfig replaces .machine.udev (research talos-internals.md §3): a proposal keeps the
node's own rules by carrying them into the document."""

from __future__ import annotations

from talosgpu.talos.udevmove import carry_udev_rules

OURS = {
    "apiVersion": "v1alpha1",
    "kind": "UdevRulesConfig",
    "rules": ['KERNEL=="nvidia", MODE="0666"'],
}
USB = 'SUBSYSTEM=="usb", MODE="0666"'


def test_the_node_s_own_rules_are_carried_into_the_document() -> None:
    live = [{"version": "v1alpha1", "machine": {"udev": {"rules": [USB, OURS["rules"][0]]}}}]
    docs, warnings = carry_udev_rules(live, [OURS])
    assert docs[0]["rules"] == [OURS["rules"][0], USB]
    assert OURS["rules"] == ['KERNEL=="nvidia", MODE="0666"']  # the input is not edited
    assert warnings and "carries the live config's 1 other udev rule(s)" in warnings[0]


def test_nothing_to_carry() -> None:
    assert carry_udev_rules([{"version": "v1alpha1", "machine": {}}], [OURS]) == ([OURS], [])
    live = [{"version": "v1alpha1", "machine": {"udev": {"rules": [USB]}}}, dict(OURS)]
    assert carry_udev_rules(live, [OURS]) == ([OURS], [])  # the node has the document already
