"""``doctor --probe``: run the verification workloads talosgpu renders, read, diagnose, delete.

kubectl commands (argv lists through :func:`talosgpu.commands.talosctl.run_tool`):
``kubectl apply -f FILE`` (the objects of :func:`talosgpu.k8s.verify.verification_objects`),
``kubectl -n NS get pod NAME -o json`` / ``get pods -l job-name=NAME -o json`` polled until the
pod ends (``status.phase`` Succeeded/Failed) or the timeout, ``kubectl -n NS logs pod/NAME``,
and always ``kubectl delete -f FILE --ignore-not-found --wait=false`` — in a ``finally``, so a
failure, a timeout or Ctrl-C still removes what was created.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from talosgpu import yamlio
from talosgpu.commands.doctor import DoctorReport
from talosgpu.commands.inputs import load_target
from talosgpu.commands.node_target import load_node_target
from talosgpu.commands.talosctl import run_tool
from talosgpu.diagnosis.model import Check
from talosgpu.diagnosis.parse import parse_pods_json
from talosgpu.diagnosis.probe import diagnose_probe
from talosgpu.errors import TalosGPUError
from talosgpu.k8s.verify import verification_objects
from talosgpu.plan import resolve
from talosgpu.talos.secret_text import redact_text
from talosgpu.versions import TalosVersion

__all__ = ["POLL_SECONDS", "run_probes", "with_probes"]

POLL_SECONDS = 2.0
_CALL_TIMEOUT = 60.0


class _Kubectl:
    def __init__(self, kubeconfig: str | None) -> None:
        exe = shutil.which("kubectl")
        if exe is None:
            raise TalosGPUError("--probe needs kubectl on PATH")
        self.base = [exe, *(["--kubeconfig", kubeconfig] if kubeconfig else [])]

    def run(self, *args: str, check: bool = True) -> str:
        result = run_tool(
            [*self.base, *args],
            label="kubectl " + " ".join(args[:2]),
            timeout=_CALL_TIMEOUT,
            check=check,
        )
        return result.stdout


def _pod_query(obj: dict[str, Any]) -> tuple[str, ...]:
    meta = obj["metadata"]
    if obj["kind"] == "Job":
        return ("get", "pods", "-l", f"job-name={meta['name']}", "-o", "json")
    return ("get", "pods", "--field-selector", f"metadata.name={meta['name']}", "-o", "json")


def _wait(kube: _Kubectl, obj: dict[str, Any], timeout: float) -> tuple[str, str, tuple[str, ...]]:
    """(outcome, logs, pod problems) of one workload."""
    ns = obj["metadata"].get("namespace", "default")
    deadline = time.monotonic() + timeout
    pod_name = ""
    problems: tuple[str, ...] = ()
    while True:
        pods = parse_pods_json(kube.run("-n", ns, *_pod_query(obj)), source="kubectl get pods")
        if pods:
            pod = pods[-1]
            pod_name, problems = pod.name, pod.problems
            if pod.phase in ("Succeeded", "Failed"):
                outcome = "succeeded" if pod.phase == "Succeeded" else "failed"
                break
        if time.monotonic() >= deadline:
            outcome = f"did not finish in {timeout:g}s"
            break
        time.sleep(POLL_SECONDS)
    logs = kube.run("-n", ns, "logs", f"pod/{pod_name}", check=False) if pod_name else ""
    return outcome, logs, problems


def run_probes(
    objects: list[dict[str, Any]],
    *,
    kubeconfig: str | None,
    timeout: float,
    talos_version: TalosVersion | None,
) -> tuple[Check, ...]:
    """Apply ``objects``, wait for each, diagnose, and delete them all (also on error/Ctrl-C)."""
    if not objects:
        return (
            Check(
                "probe",
                "verification workloads",
                "skip",
                ("skipped: the intent names no workloads to verify",),
            ),
        )
    kube = _Kubectl(kubeconfig)
    checks: list[Check] = []
    with tempfile.TemporaryDirectory(prefix="talosgpu-probe-") as tmp:
        manifest = Path(tmp) / "probe.yaml"
        manifest.write_text(yamlio.dump_all(objects), encoding="utf-8")
        try:
            kube.run("apply", "-f", str(manifest))
            for obj in objects:
                name = obj["metadata"]["name"]
                ref = f"{obj['kind'].lower()}/{name}"
                try:
                    outcome, logs, problems = _wait(kube, obj, timeout)
                except TalosGPUError as exc:
                    outcome, logs, problems = f"error: {exc.message}", "", ()
                checks.append(
                    diagnose_probe(
                        name,
                        ref=ref,
                        outcome=outcome,
                        logs=logs,
                        problems=problems,
                        talos_version=talos_version,
                    )
                )
        finally:
            kube.run(
                "delete", "-f", str(manifest), "--ignore-not-found", "--wait=false", check=False
            )
    return tuple(checks)


def with_probes(
    report: DoctorReport,
    intent: str | Path | None,
    *,
    profile: str | None,
    kubeconfig: str | None,
    talos_version: str,
    timeout: float,
    show_secrets: bool = False,
    node: str | None = None,
) -> DoctorReport:
    """``report`` with the probe checks added (the plan for the release the report used);
    ``node`` picks the node of an inventory ``intent``."""
    if intent is None and profile is None:
        # lazy: pydantic only here
        from talosgpu.intent.models import Intent

        loaded = Intent()
    elif profile is None and intent is not None:
        loaded = load_node_target(intent, profile=None, node=node).intent
    else:
        loaded, _ = load_target(intent, profile=profile)
    version = TalosVersion.parse(talos_version, assume_newest_known=True)
    plan = resolve(loaded, version, assume_newest_known=True)
    checks = run_probes(
        verification_objects(plan), kubeconfig=kubeconfig, timeout=timeout, talos_version=version
    )
    if not show_secrets:
        checks = tuple(
            replace(c, evidence=tuple(redact_text(e) for e in c.evidence)) for c in checks
        )
    return replace(report, probes=checks)
