"""Running every check on one node's facts, redacted, failures first."""

from __future__ import annotations

from dataclasses import replace

from talosgpu.diagnosis.checks_cri import cri_checks
from talosgpu.diagnosis.checks_k8s import k8s_checks
from talosgpu.diagnosis.checks_node import node_checks
from talosgpu.diagnosis.expect import Expect
from talosgpu.diagnosis.facts import NodeFacts
from talosgpu.diagnosis.model import CHECK_IDS, UNREASONED, Check, ordered
from talosgpu.talos.secret_text import redact_text

__all__ = ["run_checks"]


def _redact(check: Check, secrets: tuple[str, ...]) -> Check:
    def mask(text: str) -> str:
        return redact_text(text, known_secrets=secrets)

    return replace(
        check,
        evidence=tuple(mask(line) for line in check.evidence),
        cause=mask(check.cause),
        fix=mask(check.fix),
    )


def run_checks(facts: NodeFacts, ex: Expect, *, show_secrets: bool = False) -> tuple[Check, ...]:
    """Every check against ``ex`` (the plan for the node's release), failures first.

    Evidence quotes the node's own output (a kernel line, an event, a config key); unless
    ``show_secrets`` it is passed through the secret redaction with the values the node's
    config holds (``facts.secrets``) and the secret shapes of :mod:`talosgpu.talos.secret_text`.
    """
    checks = [*node_checks(facts, ex), *cri_checks(facts, ex), *k8s_checks(facts, ex)]
    reported = {c.id for c in checks}
    # A check without its line would read as a pass; tests keep this list empty.
    checks += [Check(i, i, "skip", (UNREASONED,)) for i in CHECK_IDS if i not in reported]
    if not show_secrets:
        checks = [_redact(c, facts.secrets) for c in checks]
    return ordered(checks)
