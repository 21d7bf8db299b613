"""check's stale-file details: what changed in a committed rendered file, in plain words."""

from __future__ import annotations

from talosgpu.check.semantic import semantic_diff


def test_a_dropped_duplicate_is_named_as_one_not_as_a_removal() -> None:
    old = [{"machine": {"udev": {"rules": ["A", "A"]}}}]
    new = [{"machine": {"udev": {"rules": ["A"]}}}]
    assert semantic_diff(old, new) == ['~ .machine.udev.rules[0]: "A" 2 → 1 copies']


def test_reordered_rules_are_said_to_be_reordered() -> None:
    old = [{"machine": {"udev": {"rules": ["A", "B"]}}}]
    new = [{"machine": {"udev": {"rules": ["B", "A"]}}}]
    assert semantic_diff(old, new) == ["~ .machine.udev.rules: the same items in another order"]
