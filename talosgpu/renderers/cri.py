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
from talosgpu.talos.documents import CRI_PART_PATH

name = "cri"

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


def is_own_part(doc: dict[str, Any]) -> bool:
    """Is ``doc`` talosgpu's own ``CRICustomizationConfig`` (1.14+)?"""
    return doc.get("kind") == "CRICustomizationConfig" and doc.get("name") == DOCUMENT_NAME


def delete_own_part() -> dict[str, Any]:
    """A patch document deleting talosgpu's ``CRICustomizationConfig``. On 1.14+ a delete of a
    document the config does not have is skipped (configpatcher strategic.go, c3052e845)."""
    return {
        "apiVersion": "v1alpha1",
        "kind": "CRICustomizationConfig",
        "name": DOCUMENT_NAME,
        "$patch": "delete",
    }


def toml_text(plan: Plan) -> str | None:
    """The customization TOML, or None when the plan changes nothing in containerd."""
    if plan.cri.empty:
        return None
    merged = tomlio.merge_fragments(_fragments(plan))
    return tomlio.dumps(merged)


# containerd config version 4 (Talos 1.15+, PR #13626) moved the server settings out of the
# top level; containerd migrates only older versions, so Talos's parts, read as v4, drop these
# tables with no more than an "Ignoring unknown key in TOML" log line.
V4_MOVED_TABLES = {
    "metrics": 'plugins."io.containerd.server.v1.metrics" (grpc_histogram: '
    'plugins."io.containerd.metrics.v1.grpc-prometheus")',
    "grpc": 'plugins."io.containerd.server.v1.grpc" (tcp_address: '
    'plugins."io.containerd.server.v1.grpc-tcp")',
    "ttrpc": 'plugins."io.containerd.server.v1.ttrpc"',
    "debug": 'plugins."io.containerd.server.v1.debug"',
}
NRI_PLUGIN = "io.containerd.nri.v1.nri"
# [debug] level/format stay top-level in v4; only address/uid/gid move (containerd serviceMigrate).
_DEBUG_MOVED = frozenset({"address", "uid", "gid"})


def v4_moved_tables(data: dict[str, Any]) -> list[tuple[str, str]]:
    """``(table, new home)`` of the top-level tables in ``data`` that config v4 ignores."""
    out = []
    for key, home in V4_MOVED_TABLES.items():
        value = data.get(key)
        if value is None:
            continue
        if key == "debug" and isinstance(value, dict) and not _DEBUG_MOVED & set(value):
            continue
        out.append((key, home))
    return out


def warnings(plan: Plan) -> list[str]:
    """Problems in user-supplied TOML that would silently do nothing on this version.

    Raises :class:`RenderError` for TOML that breaks the release's GPU path (NRI turned off
    where the GPU Operator injects GPUs through NRI).
    """
    if not plan.cri.extra_toml:
        return []
    extra = tomlio.loads(plan.cri.extra_toml, source="runtime.extraCriToml")
    out: list[str] = []
    plugins = extra.get("plugins", {})
    stale = _OTHER_TABLE[plan.cri.table]
    if stale in plugins:
        out.append(
            f"runtime.extraCriToml uses plugins.{stale!r}, which containerd on Talos "
            f"{plan.version} ignores; use plugins.{plan.cri.table!r}"
        )
    if plan.version.containerd_config_version >= 4:
        for key, home in v4_moved_tables(extra):
            out.append(
                f"runtime.extraCriToml sets top-level [{key}], which containerd config "
                f"version 4 (Talos {plan.version}) silently ignores; move it to {home}"
            )
    nri = plugins.get(NRI_PLUGIN, {})
    if isinstance(nri, dict) and nri.get("disable") is True and plan.version.nri_injection:
        raise RenderError(
            f"runtime.extraCriToml disables containerd's NRI plugin, through which the GPU "
            f"Operator's toolkit injects GPUs on Talos {plan.version}: GPU pods would get no GPU "
            f"(remove plugins.{NRI_PLUGIN!r}.disable)",
            path=".runtime.extraCriToml",
        )
    return out


def machine(plan: Plan) -> dict[str, Any]:
    text = toml_text(plan)
    files: list[dict[str, Any]] = []
    if text is not None:
        files.append({"content": text, "path": CRI_PART_PATH, "op": "create"})
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
