"""``talosgpu doctor`` through the real CLI against the FAKE talosctl and kubectl of
tests/fixtures/fake_doctor (their docstrings cite the upstream output shapes they follow).

One scenario per failure of the two field reports — talos05 (TheBranchDriftCatalyst/talos-homelab
docs/06-troubleshooting/nvidia-ebpf-workaround.md: the eBPF device filter, ``unresolvable CDI
devices``, the wrapper's ``unknown command nvidia-cdi-hook``) and velaryon (goldentooth/clog
src/083_gpu_gaming_containers.md: OpenGL on llvmpipe) — a healthy node of every release era, and
the run/exit-code contract (0 healthy, 1 problems, 2 could not run).
"""

from __future__ import annotations

import json
from pathlib import Path

import doctor_scenarios as ds
import pytest
from conftest import run_cli

from talosgpu.diagnosis.model import CHECK_IDS, UNREASONED


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
         scenario: ds.Scenario, *args: str, intent: str | None = None) -> tuple[int, str, str]:  # fmt: skip
    folder = scenario.write(tmp_path / "node")
    ds.use_fakes(monkeypatch, folder)
    node = tmp_path / "node.yaml"
    node.write_text(intent or ds.intent_text(scenario.era))
    code, out, err = run_cli(["doctor", str(node), "--node", ds.ADDRESS, *args], capsys)
    assert UNREASONED not in out, out  # every check that does not run says why
    return code, out, err


@pytest.mark.parametrize("era", sorted(ds.ERAS))
def test_a_healthy_node_of_every_era_passes_with_evidence(
    era: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(tmp_path, monkeypatch, capsys, ds.healthy(era), "--format", "json")
    report = json.loads(out)
    bad = [c for c in report["checks"] if c["status"] != "pass"]
    # What does not apply to this healthy node is listed, as a skip that says why.
    no_cdi = "does not inject GPUs through CDI"  # the legacy runtime (1.7)
    not_applicable = {"legacy-ebpf": "does not use the legacy runtime", "time-slicing":
                      "shares no GPU", "node-taints": "asks for no taints", "cdi-spec": no_cdi,
                      "cdi-hook-binaries": no_cdi}  # fmt: skip
    bad = [c for c in bad if not (c["status"] == "skip" and c["id"] in not_applicable
                                  and not_applicable[c["id"]] in c["evidence"][0])]  # fmt: skip
    assert code == 0 and report["healthy"] and not bad, (bad, err)
    assert {c["id"] for c in report["checks"]} == set(CHECK_IDS)
    assert all(c["evidence"] for c in report["checks"])
    assert report["talosVersion"] == era
    ids = {c["id"] for c in report["checks"]}
    assert {
        "extensions",
        "modules",
        "cdi-spec",
        "runtime-handlers",
        "gpu-advertised",
        "gpu-pods",
    } <= ids


def test_healthy_text_says_so_in_its_first_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(tmp_path, monkeypatch, capsys, ds.healthy("1.13"))
    first = out.splitlines()[0]
    assert code == 0 and "Talos 1.13" in first and "healthy" in first
    assert "ext-nvidia-cdi-gen running" in out and "/run/cdi/nvidia.yaml: valid" in out


def _first_failure(out: str) -> list[str]:
    lines = out.splitlines()
    assert lines[1].startswith("FAIL"), out
    return lines[1:5]


def test_talos05_legacy_runtime_ebpf_device_filter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """talos05 before its workaround: legacy runtime on 1.11 (kernel 6.12), the pod's event."""
    scn = ds.healthy("1.11")
    scn.cri = ds.BASE_CRI + ds.NVIDIA_PART
    scn.runtime_classes = [("nvidia", "nvidia")]
    scn.labels = ds.plan_labels("1.11", runtime="{mode: legacy}")
    scn.events = [("Pod/media/tdarr-node-gpu-talos05", "Failed", ds.EBPF_ERROR)]
    scn.pods.append(("media", "tdarr-node-gpu-talos05", "Pending", False, []))
    intent = ds.intent_text("1.11", runtime="{mode: legacy}")
    code, out, _ = _run(tmp_path, monkeypatch, capsys, scn, intent=intent)
    head = "\n".join(_first_failure(out))
    assert code == 1
    assert "explain: ebpf-device-filter" in head and "fix:" in head
    assert "legacy-ebpf" in out and "net.core.bpf_jit_harden = 2" in out


def test_talos05_unresolvable_cdi_devices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """cdi runtime configured, no spec copied into /var/run/cdi (the report's troubleshooting)."""
    scn = ds.healthy("1.11")
    del scn.files["/var/run/cdi/nvidia.yaml"]
    scn.events = [("Pod/media/tdarr-node-gpu-talos05", "Failed", ds.UNRESOLVABLE)]
    scn.pods.append(("media", "tdarr-node-gpu-talos05", "Pending", False, []))
    code, out, _ = _run(tmp_path, monkeypatch, capsys, scn)
    head = "\n".join(_first_failure(out))
    assert code == 1 and "cdi-spec" in head and "explain: unresolvable-cdi-devices" in head
    assert "nvidia-cdi-init DaemonSet: talosgpu render" in head  # the fix for 1.11


def test_talos05_wrapper_rejects_nvidia_cdi_hook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The spec's hooks not yet patched to *.real (the report's second issue)."""
    scn = ds.healthy("1.11")
    scn.files["/var/run/cdi/nvidia.yaml"] = ds.cdi_spec("/usr/local/bin/nvidia-cdi-hook")
    scn.events = [("Pod/media/tdarr-node-gpu-talos05", "Failed", ds.WRAPPER)]
    scn.pods.append(("media", "tdarr-node-gpu-talos05", "Pending", False, []))
    code, out, _ = _run(tmp_path, monkeypatch, capsys, scn, "--format", "json")
    report = json.loads(out)
    first = report["checks"][0]
    assert code == 1 and first["status"] == "fail" and first["explain"] == "wrapper-unknown-command"
    assert "hookPaths: real-binaries" in first["fix"] and "--strategy real-binaries" in first["fix"]
    assert {"wrapper-unknown-command"} <= {
        c["explain"] for c in report["checks"] if c["id"] == "events"
    }


def test_velaryon_llvmpipe_from_pasted_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """velaryon's glxinfo output pasted with --events: GLVND picked Mesa."""
    pasted = tmp_path / "glxinfo.txt"
    pasted.write_text(ds.LLVMPIPE)
    code, out, _ = _run(tmp_path, monkeypatch, capsys, ds.healthy("1.11"), "--events", str(pasted))
    head = "\n".join(_first_failure(out))
    assert (
        code == 1 and "explain: llvmpipe-renderer" in head and "__GLX_VENDOR_LIBRARY_NAME" in head
    )


@pytest.mark.parametrize(
    ("breakage", "check", "explain"),
    [
        ("no-extensions", "extensions", "module-not-found"),
        ("driver-mismatch", "driver-versions", "nvml-version-mismatch"),
        ("no-modules", "modules", "driver-not-loaded"),
        ("nvrm-error", "driver-log", "open-modules-no-gsp"),
        ("cdi-gen-down", "services", None),
        ("no-customization", "cri-customization", "no-runtime-configured"),
        ("no-handler", "runtime-handlers", "no-runtime-configured"),
        ("no-label", "node-labels", "device-plugin-not-scheduled"),
        ("no-gpus", "gpu-advertised", "insufficient-gpu"),
        ("no-plugin", "gpu-pods", "device-plugin-not-scheduled"),
        ("time-slicing", "time-slicing", "time-slicing-not-applied"),
        ("real-hooks-on-1.13", "cdi-spec", "hook-real-binary-missing"),
        ("hook-binary-gone", "cdi-hook-binaries", "hook-binary-missing"),
    ],
)
def test_each_check_fails_with_its_fix(
    breakage: str, check: str, explain: str | None,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    era = (
        "1.13" if breakage in ("cdi-gen-down", "real-hooks-on-1.13", "hook-binary-gone") else "1.11"
    )
    scn, extra = ds.healthy(era), {}
    if breakage == "no-extensions":
        scn.extensions = []
    elif breakage == "driver-mismatch":
        scn.extensions[1] = ("nvidia-container-toolkit-production", "570.172.08-v1.17.8")
    elif breakage == "no-modules":
        scn.modules = ["nvidia"]
    elif breakage == "nvrm-error":
        scn.dmesg += ["NVRM: The NVIDIA GPU 0000:2d:00.0 (PCI ID: 10de:1c30)",
                      "NVRM: installed in this system is not supported by open",
                      "NVRM: nvidia.ko because it does not include the required GPU",
                      "NVRM: System Processor (GSP)."]  # fmt: skip
    elif breakage == "cdi-gen-down":
        scn.services = [("ext-nvidia-cdi-gen", False), ("ext-nvidia-persistenced", True)]
    elif breakage == "no-customization":
        scn.cri = ds.BASE_CRI + ds.NVIDIA_PART
    elif breakage == "no-handler":
        scn.runtime_classes.append(("nvidia-legacy", "nvidia-legacy"))
    elif breakage == "no-label":
        scn.labels = {}
    elif breakage == "no-gpus":
        scn.capacity = 0
    elif breakage == "no-plugin":
        scn.pods = []
    elif breakage == "time-slicing":
        extra = {
            "sharing": "{strategy: time-slicing, replicas: 4}",
            "labels": "{nvidia.com/device-plugin.config: time-slicing-x4}",
        }
        scn.labels["nvidia.com/device-plugin.config"] = "time-slicing-x4"
    elif breakage == "real-hooks-on-1.13":
        scn.files["/run/cdi/nvidia.yaml"] = ds.cdi_spec("/usr/local/bin/nvidia-cdi-hook.real")
    elif breakage == "hook-binary-gone":
        del scn.files["/usr/bin/nvidia-cdi-hook"]
    code, out, _ = _run(
        tmp_path, monkeypatch, capsys, scn, "--format", "json", intent=ds.intent_text(era, **extra)
    )
    report = json.loads(out)
    failing = [c for c in report["checks"] if c["status"] == "fail"]
    assert code == 1 and failing, out
    mine = [c for c in failing if c["id"] == check]
    assert mine, [c["id"] for c in failing]
    assert mine[0]["fix"] and mine[0]["evidence"] and mine[0]["explain"] == explain
    assert report["checks"][0]["status"] == "fail"  # failures first


def test_an_unreachable_node_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAKE_TALOSCTL_DOWN", ds.ADDRESS)
    code, out, err = _run(tmp_path, monkeypatch, capsys, ds.healthy("1.13"))
    assert code == 2 and out == "" and "no route to host" in err


def test_without_kubectl_the_kubernetes_checks_say_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(
        "FAKE_KUBECTL_FAIL", "error: You must be logged in to the server (Unauthorized)"
    )
    code, out, _ = _run(tmp_path, monkeypatch, capsys, ds.healthy("1.13"), "--format", "json")
    report = json.loads(out)
    skipped = {c["id"]: c["evidence"][0] for c in report["checks"] if c["status"] == "skip"}
    assert code == 0 and {"node-labels", "gpu-advertised", "gpu-pods", "events"} <= set(skipped)
    kube = ("node-labels", "gpu-advertised", "gpu-pods", "events")
    assert all("Unauthorized" in skipped[i] for i in kube), skipped
    # not "healthy": the Kubernetes side is unknown, and the headline says so
    code, out, _ = _run(tmp_path / "text", monkeypatch, capsys, ds.healthy("1.13"))
    first = out.splitlines()[0]
    assert code == 0 and "no problem found, but 4 check(s) could not run" in first, first
    assert "healthy" not in first


def test_all_nodes_of_an_inventory_in_parallel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = ds.healthy("1.13").write(tmp_path / "node")
    broken = ds.healthy("1.13")
    broken.modules = []
    broken.write(folder / "nodes" / "10.0.0.2")
    ds.use_fakes(monkeypatch, folder)
    inventory = tmp_path / "fleet.yaml"
    inventory.write_text(
        'kind: GPUInventory\ndefaults:\n  talosVersion: "1.13"\nnodes:\n'
        f"  - name: talos05\n    address: {ds.ADDRESS}\n  - name: talos06\n    address: 10.0.0.2\n"
    )
    code, out, err = run_cli(
        ["doctor", str(inventory), "--all", "--jobs", "2", "--format", "json"], capsys
    )
    data = json.loads(out)
    assert code == 1, err
    healthy = {n["name"]: n["healthy"] for n in data["nodes"]}
    assert healthy == {"talos05": True, "talos06": False}
    # the fix names a command that takes the inventory (apply INV --node NAME), not node.yaml
    (broken_node,) = [n for n in data["nodes"] if n["name"] == "talos06"]
    (modules,) = [c for c in broken_node["checks"] if c["id"] == "modules"]
    assert modules["fix"] == f"talosgpu apply {inventory} --node talos06 --talos-version 1.13"


def test_one_node_of_an_inventory_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = ds.healthy("1.13")
    broken.modules = []
    ds.use_fakes(monkeypatch, broken.write(tmp_path / "node"))
    inventory = tmp_path / "fleet.yaml"
    inventory.write_text(
        'kind: GPUInventory\ndefaults:\n  talosVersion: "1.13"\nnodes:\n'
        f"  - name: talos05\n    address: {ds.ADDRESS}\n  - name: talos06\n    address: 10.0.0.2\n"
    )
    code, out, err = run_cli(["doctor", str(inventory), "--node", "talos05"], capsys)
    assert code == 1, err
    assert f"talosgpu apply {inventory} --node talos05 --talos-version 1.13" in out
    assert "node.yaml" not in out


def test_the_intent_files_own_address_is_the_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ds.use_fakes(monkeypatch, ds.healthy("1.13").write(tmp_path / "node"))
    node = tmp_path / "node.yaml"
    node.write_text(ds.intent_text("1.13"))  # node.address: the fake node's
    code, out, err = run_cli(["doctor", str(node), "--format", "json"], capsys)
    assert code == 0, err
    assert json.loads(out)["node"] == ds.ADDRESS


def test_on_1_15_the_operators_hook_dir_is_listed_and_a_missing_hook_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """1.15's extension ships no toolkit: the hooks are where the GPU Operator's toolkit put
    them, and doctor lists that directory rather than judging the hook by /usr/bin."""
    scenario = ds.healthy("1.15")
    code, out, _ = _run(tmp_path, monkeypatch, capsys, scenario, "--format", "json")
    (hooks,) = [c for c in json.loads(out)["checks"] if c["id"] == "cdi-hook-binaries"]
    assert hooks["status"] == "pass" and f"{ds.OPERATOR_HOOK} present" in hooks["evidence"][0]
    del scenario.files[ds.OPERATOR_HOOK]
    code, out, _ = _run(tmp_path / "gone", monkeypatch, capsys, scenario, "--format", "json")
    (hooks,) = [c for c in json.loads(out)["checks"] if c["id"] == "cdi-hook-binaries"]
    assert code == 1 and hooks["status"] == "fail" and ds.OPERATOR_HOOK in hooks["cause"]


def test_a_runtime_class_that_never_schedules_here_needs_no_handler_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fleet's nvidia-cdi class selects its own nodes (talosgpu's merged RuntimeClass): a GPU
    Operator node without that handler is not failed for it; a node that matches is."""
    scenario = ds.healthy("1.13")
    selector = {"runtime.talosgpu.dev/nvidia-cdi": "true"}
    scenario.runtime_classes.append(("nvidia-cdi", "nvidia-cdi", selector))
    code, out, _ = _run(tmp_path, monkeypatch, capsys, scenario, "--format", "json")
    (handlers,) = [c for c in json.loads(out)["checks"] if c["id"] == "runtime-handlers"]
    assert code == 0 and handlers["status"] == "pass", handlers
    assert any(
        "not needed: RuntimeClass nvidia-cdi schedules on" in e for e in handlers["evidence"]
    )
    scenario.labels = {**scenario.labels, **selector}
    code, out, _ = _run(tmp_path / "matching", monkeypatch, capsys, scenario, "--format", "json")
    (handlers,) = [c for c in json.loads(out)["checks"] if c["id"] == "runtime-handlers"]
    assert code == 1 and handlers["status"] == "fail" and "nvidia-cdi" in handlers["cause"]


def test_an_explicit_k8s_node_that_does_not_exist_is_never_swapped_for_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(
        tmp_path,
        monkeypatch,
        capsys,
        ds.healthy("1.13"),
        "--k8s-node",
        "nosuch",
        "--format",
        "json",
    )
    skipped = {
        c["id"]: c["evidence"][0] for c in json.loads(out)["checks"] if c["status"] == "skip"
    }
    assert code == 0 and "no Kubernetes node named nosuch (--k8s-node)" in skipped["node-labels"]
    assert "gpu-pods" in skipped
