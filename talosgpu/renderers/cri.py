"""containerd CRI customization: one TOML part built from the plan's concerns.

Placement depends on the version:

* <= 1.13: ``machine.files`` entry ``/etc/cri/conf.d/20-customization.part`` with ``op: create``
  — the only ``machine.files`` path outside ``/var`` Talos accepts for ``create``, and the only
  ``.part`` name it injects (``WriteUserFiles`` in
  ``internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_sequencer_tasks.go``, research §3).
  Directories for CDI specs under ``/var`` get a ``.keep`` file so they exist at boot.
* 1.14+: a named ``CRICustomizationConfig`` document (``types/cri/customization.go``); the name
  must be a qualified name other than the reserved ``customization``.

Plugin tables follow the node's containerd: ``io.containerd.grpc.v1.cri`` (1.x) or
``io.containerd.cri.v1.runtime`` (2.x), research §5.3.
"""

from __future__ import annotations

from typing import Any

from talosgpu import tomlio
from talosgpu.errors import RenderError
from talosgpu.plan import Plan

name = "cri"

CUSTOMIZATION_PATH = "/etc/cri/conf.d/20-customization.part"
DOCUMENT_NAME = "talosgpu-nvidia"
_OTHER_TABLE = {
    "io.containerd.cri.v1.runtime": "io.containerd.grpc.v1.cri",
    "io.containerd.grpc.v1.cri": "io.containerd.cri.v1.runtime",
}


def _fragments(plan: Plan) -> list[tuple[str, dict[str, Any]]]:
    cri = plan.cri
    table = cri.table
    frags: list[tuple[str, dict[str, Any]]] = []
    if cri.enable_cdi is not None or cri.cdi_spec_dirs:
        body: dict[str, Any] = {}
        if cri.enable_cdi is not None:
            body["enable_cdi"] = cri.enable_cdi
        if cri.cdi_spec_dirs:
            body["cdi_spec_dirs"] = list(cri.cdi_spec_dirs)
        frags.append(("cdi", {"plugins": {table: body}}))
    if cri.default_runtime:
        frags.append(
            (
                "runtime.defaultRuntime",
                {"plugins": {table: {"containerd": {"default_runtime_name": cri.default_runtime}}}},
            )
        )
    for runtime, binary in cri.runtimes:
        spec = {"runtime_type": "io.containerd.runc.v2", "options": {"BinaryName": binary}}
        frags.append(
            (
                f"runtime {runtime}",
                {"plugins": {table: {"containerd": {"runtimes": {runtime: spec}}}}},
            )
        )
    if cri.extra_toml:
        extra = tomlio.loads(cri.extra_toml, source="runtime.extraCriToml")
        frags.append(("runtime.extraCriToml", extra))
    return frags


def toml_text(plan: Plan) -> str | None:
    """The customization TOML, or None when the plan changes nothing in containerd."""
    if plan.cri.empty:
        return None
    merged = tomlio.merge_fragments(_fragments(plan))
    return tomlio.dumps(merged)


def warnings(plan: Plan) -> list[str]:
    """Problems in user-supplied TOML that would silently do nothing on this version."""
    if not plan.cri.extra_toml:
        return []
    extra = tomlio.loads(plan.cri.extra_toml, source="runtime.extraCriToml")
    stale = _OTHER_TABLE[plan.cri.table]
    if stale in extra.get("plugins", {}):
        return [
            f"runtime.extraCriToml uses plugins.{stale!r}, which containerd on Talos "
            f"{plan.version} ignores; use plugins.{plan.cri.table!r}"
        ]
    return []


def machine(plan: Plan) -> dict[str, Any]:
    text = toml_text(plan)
    files: list[dict[str, Any]] = []
    if text is not None:
        files.append({"content": text, "path": CUSTOMIZATION_PATH, "op": "create"})
    files.extend(
        {"content": "", "path": f"{d.rstrip('/')}/.keep", "op": "create"} for d in plan.keep_dirs
    )
    return {"files": files} if files else {}


def documents(plan: Plan) -> list[dict[str, Any]]:
    text = toml_text(plan)
    if text is None:
        return []
    if DOCUMENT_NAME == "customization":  # pragma: no cover - guard against a bad edit
        raise RenderError("'customization' is reserved for the legacy machine file")
    return [
        {
            "apiVersion": "v1alpha1",
            "kind": "CRICustomizationConfig",
            "name": DOCUMENT_NAME,
            "content": text,
        }
    ]
