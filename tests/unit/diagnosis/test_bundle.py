"""The support-bundle reader on zip bytes built from go-talos-support's layout
(``support/collectors/collectors.go``; tests/doctor_scenarios.py builds them)."""

from __future__ import annotations

import io
import zipfile

import doctor_scenarios as ds
import pytest

from talosgpu.commands.doctor import doctor_for_facts
from talosgpu.diagnosis.bundle import bundle_nodes, read_bundle
from talosgpu.errors import TalosGPUError
from talosgpu.intent.load import load_intent_text

LIMIT = 4 * 1024 * 1024


def _facts(scenario: ds.Scenario, **kw: object):  # type: ignore[no-untyped-def]
    return read_bundle(
        scenario.bundle(), source="support.zip", node=None, k8s_name=ds.NAME, limit=LIMIT, **kw
    )


@pytest.mark.parametrize("era", sorted(ds.ERAS))
def test_a_healthy_bundle_passes_what_a_bundle_holds_and_skips_the_rest(era: str) -> None:
    facts = _facts(ds.healthy(era))
    assert facts.talos_tag.value == ds.ERAS[era]["tag"]
    before_1_11 = int(era.split(".")[1]) < 11  # no LoadedKernelModules resource yet
    assert before_1_11 or "nvidia" in (facts.modules.value or ())
    intent = load_intent_text(ds.intent_text(era), source="node.yaml")
    report = doctor_for_facts(facts, intent, intent_arg="node.yaml")
    status = {c.id: c.status for c in report.checks}
    assert report.exit_code == 0, [c for c in report.checks if c.status == "fail"]
    for ident in (
        "extensions",
        "driver-versions",
        "modules",
        "driver-log",
        "services",
        "node-labels",
        "gpu-advertised",
    ):
        assert status[ident] == ("skip" if ident == "modules" and before_1_11 else "pass"), ident
    skipped = {c.id: c.evidence[0] for c in report.checks if c.status == "skip"}
    assert not before_1_11 or "Talos < 1.11 has none" in skipped["modules"]
    assert "does not hold it" in skipped["cri-customization"] and "cdi-spec" in skipped


def test_the_machine_config_is_redacted_in_a_bundle_and_said_so() -> None:
    facts = _facts(ds.healthy("1.13"))
    assert facts.machine_config.skipped and "REDACTED" in facts.machine_config.skipped


def test_an_age_encrypted_bundle_is_refused_with_the_flag_to_use() -> None:
    with pytest.raises(TalosGPUError, match="--no-encryption"):
        read_bundle(
            b"age-encryption.org/v1\n-> X25519 abc\n",
            source="s.zip.age",
            node=None,
            k8s_name=None,
            limit=LIMIT,
        )


def test_not_a_zip() -> None:
    with pytest.raises(TalosGPUError, match="not a zip"):
        read_bundle(b"hello", source="s.zip", node=None, k8s_name=None, limit=LIMIT)


def test_several_nodes_need_a_choice_naming_them() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for node in ("10.0.0.1", "10.0.0.2"):
            z.writestr(f"{node}/summary", "Server:\n\tTag:         v1.13.0\n")
    data = buf.getvalue()
    assert bundle_nodes(data, source="s.zip", limit=LIMIT) == ("10.0.0.1", "10.0.0.2")
    with pytest.raises(TalosGPUError, match=r"10\.0\.0\.1, 10\.0\.0\.2; pick one with --node"):
        read_bundle(data, source="s.zip", node=None, k8s_name=None, limit=LIMIT)
    assert (
        read_bundle(data, source="s.zip", node="10.0.0.2", k8s_name=None, limit=LIMIT).node
        == "10.0.0.2"
    )


def test_a_member_larger_than_the_input_limit_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("n/summary", "Server:\n\tTag:         v1.13.0\n")
        z.writestr("n/dmesg.log", "x" * 2048)
    with pytest.raises(TalosGPUError, match="at most 1,024"):
        read_bundle(buf.getvalue(), source="s.zip", node=None, k8s_name=None, limit=1024)


def test_a_bundle_from_before_1_11_has_no_loaded_modules_and_says_why() -> None:
    scn = ds.healthy("1.11")
    scn.era = "1.10"  # the builder then writes no LoadedKernelModules file
    facts = _facts(scn)
    assert not facts.modules.known and "Talos < 1.11" in (facts.modules.skipped or "")


def test_the_device_plugins_kube_system_log_is_searched_for_known_failures() -> None:
    data = io.BytesIO(ds.healthy("1.11").bundle())
    with zipfile.ZipFile(data, "a") as z:
        z.writestr(f"{ds.ADDRESS}/kubernetes-logs/kube-system/nvidia-device-plugin-ctr.log",
                   "I1127 16:58:24 main.go:317] Retrieving plugins.\nE1127 could not load NVML library: libnvidia-ml.so.1: cannot open shared object file\n")  # fmt: skip
    facts = read_bundle(
        data.getvalue(), source="support.zip", node=None, k8s_name=ds.NAME, limit=LIMIT
    )
    intent = load_intent_text(ds.intent_text("1.11"), source="node.yaml")
    events = [
        c
        for c in doctor_for_facts(facts, intent, intent_arg="node.yaml").checks
        if c.id == "events"
    ]
    assert events[0].status == "fail" and events[0].explain == "nvml-library-not-found"
    assert "nvidia-device-plugin-ctr.log" in events[0].evidence[0]
