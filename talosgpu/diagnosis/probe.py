"""Diagnosing a verification workload's outcome (``doctor --probe``): pure, on its logs.

The workloads are :func:`talosgpu.k8s.verify.verification_objects` (nvidia-smi, the velaryon
field report's GLX renderer check with its fix, the talos05 field report's NVENC encode). Their
own success lines (``OK: OpenGL renders on the NVIDIA GPU``, ``OK: NVENC encodes on the GPU``)
or, for nvidia-smi, a ``Driver Version:`` line are the evidence of a pass; anything else is
matched against the explain catalog (``llvmpipe`` → GLVND vendor selection, ``Cannot load
libnvidia-encode.so.1`` → missing ``video`` capability, the container-create errors of both
field reports in the pod's status).
"""

from __future__ import annotations

import re

from talosgpu.diagnosis.model import Check
from talosgpu.knowledge.explain import explain
from talosgpu.talos.secret_text import redact_text
from talosgpu.versions import TalosVersion

__all__ = ["diagnose_probe"]

_OK = re.compile(r"^OK: .*$|Driver Version:\s*\S+", re.MULTILINE)
_TAIL = 8


def diagnose_probe(
    name: str,
    *,
    ref: str,
    outcome: str,
    logs: str,
    problems: tuple[str, ...] = (),
    talos_version: TalosVersion | None = None,
) -> Check:
    """``outcome``: ``succeeded``, ``failed``, ``timeout`` (did not finish) or ``error: ...``;
    ``ref`` the object as kubectl names it (``pod/NAME``, ``job/NAME``) for the fix."""
    title = f"verification workload {name}"
    text = "\n".join([*problems, logs])
    ok = _OK.search(logs)
    if outcome == "succeeded" and ok:
        return Check(f"probe-{name}", title, "pass", (f"{name}: {ok.group(0).strip()}",))
    matches = explain(text, talos_version=talos_version)
    tail = [redact_text(line) for line in logs.strip().splitlines()[-_TAIL:]]
    evidence = (f"{name}: {outcome}", *(redact_text(p) for p in problems), *tail)
    if matches:
        first = matches[0]
        return Check(f"probe-{name}", f"{title}: {first.title}", "fail", evidence,
                     cause=first.cause, fix=first.fix, explain=first.id)  # fmt: skip
    if outcome == "succeeded":
        return Check(f"probe-{name}", title, "warn", evidence,
                     cause="it exited 0 but printed none of the lines that show the GPU was used")  # fmt: skip
    return Check(f"probe-{name}", title, "fail", evidence,
                 cause=f"the workload {outcome} with no known failure in its logs or status",
                 fix=f"kubectl -n default describe {ref}")  # fmt: skip
