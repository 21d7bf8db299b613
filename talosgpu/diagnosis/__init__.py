"""``talosgpu doctor``'s pure core: node facts, the checks against the plan, bundle reading.

Nothing here runs a process or reads a file: :mod:`talosgpu.commands.doctor` gathers the facts
(talosctl, kubectl, a support bundle's bytes) and hands them to :func:`run_checks`.
"""

from __future__ import annotations

from talosgpu.diagnosis.expect import Expect
from talosgpu.diagnosis.facts import Fact, NodeFacts
from talosgpu.diagnosis.model import Check
from talosgpu.diagnosis.run import run_checks

__all__ = ["Check", "Expect", "Fact", "NodeFacts", "run_checks"]
