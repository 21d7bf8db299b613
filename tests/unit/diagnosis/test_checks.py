"""The pure checks on facts built by hand: a missing fact is a skip with its reason (never a
silent pass), and each era's expectations come from the plan."""

from __future__ import annotations

import doctor_scenarios as ds
import pytest

from talosgpu.commands.doctor import doctor_for_facts
from talosgpu.diagnosis.facts import Extension, Fact, K8sNode, NodeFacts, missing
from talosgpu.diagnosis.model import CHECK_IDS, UNREASONED
from talosgpu.intent.load import load_intent_text
from talosgpu.versions import TalosVersion


def _report(facts: NodeFacts, era: str = "1.13", **extra: str):  # type: ignore[no-untyped-def]
    intent = load_intent_text(ds.intent_text(era, **extra), source="node.yaml")
    return doctor_for_facts(facts, intent, intent_arg="node.yaml")


def test_nothing_gathered_is_all_skips_each_with_its_reason() -> None:
    report = _report(
        NodeFacts(node="n", origin="test", talos_tag=Fact("v1.13.0", "talosctl version"))
    )
    statuses = {c.id: c.status for c in report.checks}
    assert set(statuses.values()) <= {"pass", "skip"} and statuses["talos-version"] == "pass"
    for check in report.checks:
        if check.status == "skip":
            assert check.evidence and check.evidence[0].startswith(
                ("skipped: ", "not applicable: ")
            ), check
    assert report.exit_code == 0


def test_an_unknown_release_is_a_warning_and_says_what_was_assumed() -> None:
    report = _report(
        NodeFacts(node="n", origin="test", talos_tag=missing("talosctl version failed"))
    )
    first = report.checks[0]
    assert first.id == "talos-version" and first.status == "warn"
    assert any("assumed Talos 1.13" in n for n in report.notes)  # the intent's release


def test_the_other_kmod_flavour_is_a_difference_not_a_missing_driver() -> None:
    exts = (
        Extension("nonfree-kmod-nvidia-lts", "580.126.20-v1.13.0"),
        Extension("nvidia-container-toolkit-lts", "580.126.20-v1.19.0"),
    )
    facts = NodeFacts(
        node="n", origin="test", talos_tag=Fact("v1.13.0", "v"), extensions=Fact(exts, "x")
    )
    check = next(c for c in _report(facts).checks if c.id == "extensions")
    assert (
        check.status == "warn"
        and "nonfree-kmod-nvidia-lts" in check.cause
        and "intent wants" in check.cause
    )
    intent = load_intent_text('talosVersion: "1.13"\n', source="x")
    assumed = doctor_for_facts(facts, intent, intent_arg="node.yaml", assumed=True)
    assert next(c for c in assumed.checks if c.id == "extensions").status == "pass"


def test_time_slicing_counts_gpus_from_the_pci_bus() -> None:
    node = K8sNode("talos05", {"nvidia.com/gpu.present": "true", "nvidia.com/device-plugin.config": "time-slicing-x4"},
                   (), {"nvidia.com/gpu": "4"}, {"nvidia.com/gpu": "4"})  # fmt: skip
    sharing = {"sharing": "{strategy: time-slicing, replicas: 4}"}
    base = NodeFacts(
        node="n", origin="t", talos_tag=Fact("v1.11.1", "v"), k8s_node=Fact(node, "kubectl")
    )
    one = next(
        c
        for c in _report(
            NodeFacts(**{**base.__dict__, "pci_gpus": Fact(1, "pci")}), "1.11", **sharing
        ).checks
        if c.id == "time-slicing"
    )
    assert one.status == "pass" and "expected 1 x 4 = 4" in one.evidence[-1]
    two = next(
        c
        for c in _report(
            NodeFacts(**{**base.__dict__, "pci_gpus": Fact(2, "pci")}), "1.11", **sharing
        ).checks
        if c.id == "time-slicing"
    )
    assert two.status == "fail" and two.explain == "time-slicing-not-applied"
    none = next(
        c
        for c in _report(
            NodeFacts(**{**base.__dict__, "pci_gpus": Fact(0, "pci")}), "1.11", **sharing
        ).checks
        if c.id == "time-slicing"
    )
    assert (
        none.status == "skip" and "no NVIDIA display controller on the PCI bus" in none.evidence[0]
    )
    guessed = next(c for c in _report(base, "1.11", **sharing).checks if c.id == "time-slicing")
    assert guessed.status == "pass" and any(
        line.startswith("assumed: 1 GPU(s) from the intent") for line in guessed.evidence
    )


def test_taints_the_intent_asks_for() -> None:
    node = K8sNode("talos05", {}, (("gpu", "true", "NoSchedule"),), {"nvidia.com/gpu": "1"}, {})
    facts = NodeFacts(
        node="n", origin="t", talos_tag=Fact("v1.13.0", "v"), k8s_node=Fact(node, "kubectl")
    )
    ok = next(
        c for c in _report(facts, taints="{gpu: 'true:NoSchedule'}").checks if c.id == "node-taints"
    )
    bad = next(
        c
        for c in _report(facts, taints="{nvidia.com/gpu: NoSchedule}").checks
        if c.id == "node-taints"
    )
    assert (
        ok.status == "pass"
        and bad.status == "warn"
        and bad.fix == "kubectl taint node talos05 nvidia.com/gpu:NoSchedule"
    )


def test_services_on_1_15_are_not_judged_by_1_14s_list() -> None:
    facts = NodeFacts(
        node="n",
        origin="t",
        talos_tag=Fact("v1.15.0-beta.1", "v"),
        services=Fact((), "talosctl get services"),
    )
    check = next(c for c in _report(facts, "1.15").checks if c.id == "services")
    assert check.status == "skip" and "not verified" in check.evidence[-1]


def test_evidence_is_redacted_with_the_configs_secret_values() -> None:
    secret = "s3cr3t-token-value-1234"
    facts = NodeFacts(node="n", origin="t", talos_tag=Fact("v1.13.0", "v"),
                      dmesg=Fact(f"NVRM: RmInitAdapter failed! {secret}", "talosctl dmesg"), secrets=(secret,))  # fmt: skip
    report = _report(facts)
    text = repr(report.checks)
    assert "rm-init-adapter-failed" in text and secret not in text


_GATHERED = {
    "nothing": {},
    "node only": {
        "extensions": Fact((Extension("nvidia-container-toolkit-lts", "580.0-v1.19.0"),), "ext"),
        "modules": Fact(("nvidia", "nvidia_uvm"), "/proc/modules"),
        "cdi_specs": Fact((), "talosctl ls /run/cdi"),
        "binaries": Fact((), "talosctl ls /usr/bin"),
    },
    "kubernetes only": {
        "k8s_node": Fact(
            K8sNode("n", {}, (), {"nvidia.com/gpu": "1"}, {"nvidia.com/gpu": "1"}), "kubectl"
        ),
    },
}


def _runs(era: str, mode: str) -> bool:
    """The release can run the mode (else the plan refuses it: test_plan*.py pins that)."""
    v = TalosVersion.parse(era)
    return not (
        (mode in ("cdi", "legacy") and v.nri_injection) or (mode == "operator" and not v.native_cdi)
    )


@pytest.mark.parametrize(
    ("era", "mode"),
    [(e, m) for e in sorted(ds.ERAS) for m in ("legacy", "cdi", "operator", "none") if _runs(e, m)],
)
@pytest.mark.parametrize("gathered", sorted(_GATHERED))
def test_every_check_is_reported_and_a_skip_says_why(era: str, mode: str, gathered: str) -> None:
    """No check goes missing from a report (a missing line reads as a pass): whatever the
    release, mode and facts, each one is listed, a skip with its own reason."""
    facts = NodeFacts(node="n", origin="test", talos_tag=Fact(f"v{era}.0", "talosctl version"),
                      **_GATHERED[gathered])  # type: ignore[arg-type]  # fmt: skip
    sharing = "{strategy: time-slicing, replicas: 4}"
    report = _report(
        facts, era, runtime=f"{{mode: {mode}}}", sharing=sharing, taints="{gpu: 'true:NoSchedule'}"
    )
    ids = [c.id for c in report.checks]
    assert set(CHECK_IDS) <= set(ids)
    for check in report.checks:
        assert check.evidence and UNREASONED not in check.evidence, check


def test_a_kubernetes_name_other_than_the_intents_fails_the_pinned_pods() -> None:
    """talosgpu pins its CDI generator and verification pods with kubernetes.io/hostname =
    node.name (k8s/common.py node_selector): a node Kubernetes knows by another name (Talos
    HostnameConfig auto: stable) never runs them, which a fleet trial's doctor called healthy."""
    labels = {"nvidia.com/gpu.present": "true", "kubernetes.io/hostname": "talos-abc-xyz"}
    node = K8sNode("talos-abc-xyz", labels, (), {"nvidia.com/gpu": "1"}, {})
    facts = NodeFacts(
        node="n", origin="t", talos_tag=Fact("v1.13.0", "v"), k8s_node=Fact(node, "kubectl")
    )
    check = next(c for c in _report(facts).checks if c.id == "node-labels")
    assert check.status == "fail" and "'talos-abc-xyz'" in check.cause
    same = K8sNode(ds.NAME, {**labels, "kubernetes.io/hostname": ds.NAME}, (), {}, {})
    facts = NodeFacts(
        node="n", origin="t", talos_tag=Fact("v1.13.0", "v"), k8s_node=Fact(same, "kubectl")
    )
    assert next(c for c in _report(facts).checks if c.id == "node-labels").status != "fail"
