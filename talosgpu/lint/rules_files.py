"""``machine.files`` rules: what ``WriteUserFiles`` does with each entry at boot.

Source: talos ``internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_sequencer_tasks.go``
``WriteUserFiles`` (identical v1.5 → v1.14; research talos-internals.md §3 "machine.files runtime
rules"): ``op`` must be create/overwrite/append; files in ``/etc/kubernetes/manifests`` are written
directly; exactly ``/etc/cri/conf.d/20-customization.part`` is injected as the CRI customization;
anything else outside ``/var`` goes to ``/var/<path>`` bind-mounted read-only, and ``op: create``
there aborts the task (``create operation not allowed outside of /var``). A path written twice
is :mod:`talosgpu.lint.rules_duplicates` (``files-duplicate-create``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from talosgpu import tomlio
from talosgpu.errors import YAMLError
from talosgpu.lint.context import Context, Hit
from talosgpu.lint.findings import Finding
from talosgpu.talos.documents import CRI_PART_PATH

__all__ = [
    "CRI_DIR",
    "EXTENSION_CONFIG_PATHS",
    "check_files",
    "runtime_config_paths",
]

CRI_DIR = "/etc/cri/conf.d/"
MANIFESTS_DIR = "/etc/kubernetes/manifests"
_OPS = ("create", "overwrite", "append")
_WORD = re.compile(r"[A-Za-z_-]{1,16}")
# Files a runtime's ``options.ConfigPath`` points at: read by the runtime's shim, not merged by
# containerd. The gVisor extension registers runsc with ConfigPath = "/etc/cri/conf.d/runsc.toml"
# and runsc-kvm with "/etc/cri/conf.d/runsc-kvm.toml" (siderolabs/extensions
# container-runtime/gvisor/gvisor.part, gvisor-kvm.part), and ships both files.
EXTENSION_CONFIG_PATHS = frozenset({"/etc/cri/conf.d/runsc.toml", "/etc/cri/conf.d/runsc-kvm.toml"})


def _config_path_values(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "ConfigPath" and isinstance(value, str):
                yield value
            else:
                yield from _config_path_values(value)


def runtime_config_paths(ctx: Context) -> frozenset[str]:
    """Paths a runtime's ``ConfigPath`` names: in a CRI part of this unit, or the gVisor
    extension's own (:data:`EXTENSION_CONFIG_PATHS`)."""
    texts = [
        h.value.get("content")
        for h in _entries(ctx)
        if isinstance(h.value.get("path"), str) and h.value["path"].endswith(".part")
    ]
    texts += [d.value.get("content") for d in ctx.documents("CRICustomizationConfig")]
    found = set(EXTENSION_CONFIG_PATHS)
    for text in texts:
        if isinstance(text, str):
            try:
                found.update(_config_path_values(tomlio.loads(text)))
            except YAMLError:
                continue
    return frozenset(found)


def _entries(ctx: Context) -> list[Hit]:
    return [hit for hit in ctx.items("machine", "files") if isinstance(hit.value, dict)]


def check_files(ctx: Context) -> Iterator[Finding]:
    yield from _entry_rules(ctx)


def _entry_rules(ctx: Context) -> Iterator[Finding]:
    runtime_files = runtime_config_paths(ctx)
    for hit in _entries(ctx):
        entry = hit.value
        path = entry.get("path")
        if entry.get("$patch") == "delete":
            yield _patch_delete(ctx, hit, path)
            continue
        op = entry.get("op")
        if op not in _OPS:
            # Echo only a word-like op ("delete"): never an arbitrary value (it could be a secret).
            shown = f"'{op}'" if isinstance(op, str) and _WORD.fullmatch(op) else "no valid op"
            yield ctx.finding(
                "files-unknown-op",
                hit,
                f"machine.files entry has op {shown}; Talos only knows create, overwrite and "
                "append and aborts writing files at boot (`unknown operation for file`)",
                "use op: create (new file under /var, or the CRI customization part), overwrite or "
                "append; to remove an entry from the config use `$patch: delete` with its path",
                "error",
                extra=("op",) if "op" in entry else (),
            )
        if not isinstance(path, str):
            continue
        is_cri = path.startswith(CRI_DIR) or (path.endswith((".part", ".toml")) and "cri" in path)
        if is_cri and path not in runtime_files:
            yield from _cri_location(ctx, hit, path, op)
            continue
        outside_var = path != "/var" and not path.startswith("/var/")
        in_manifests = path.rsplit("/", 1)[0] == MANIFESTS_DIR
        if op == "create" and outside_var and not in_manifests:
            yield ctx.finding(
                "files-create-outside-var",
                hit,
                f"op: create of {path} is outside /var; Talos rejects it at boot (`create "
                "operation not allowed outside of /var`) and stops writing the remaining files",
                "write the file under /var, or use op: overwrite for an existing file in /etc "
                "(Talos writes it to /var and bind-mounts it read-only)"
                + (
                    "; on Talos 1.14 use an EtcFileConfig document"
                    if ctx.version.gpu_documents
                    else ""
                ),
                "error",
                extra=("path",),
            )


def _patch_delete(ctx: Context, hit: Hit, path: object) -> Finding:
    shown = path if isinstance(path, str) else "the selected path"
    if not ctx.version.supports_patch_delete:
        return ctx.finding(
            "files-patch-delete",
            hit,
            f"`$patch: delete` is not understood by Talos {ctx.version} (it arrived in 1.8); the "
            "patch is rejected as an unknown field",
            "upgrade to Talos 1.8+, or edit the base config instead of deleting from it",
            "error",
        )
    return ctx.finding(
        "files-patch-delete",
        hit,
        f"`$patch: delete` removes the first machine.files entry whose path is {shown} from the "
        "config this patch is applied to (before the rest of the document merges); if the config "
        "has no such entry the whole patch fails (`lookup failed`); it does not delete a file "
        "already written on the node",
        "keep it only as the 'replace the base layer's entry' idiom (delete, then create the "
        "entry again in the same patch) and make sure every base config carries the entry",
        "info",
    )


def _cri_location(ctx: Context, hit: Hit, path: str, op: object) -> Iterator[Finding]:
    if path == CRI_PART_PATH:
        return
    name = path.rsplit("/", 1)[-1]
    if not path.startswith(CRI_DIR):
        yield ctx.finding(
            "cri-file-ignored",
            hit,
            f"{path} is not read by containerd on Talos: the CRI config is merged only from "
            f"{CRI_DIR}*.part",
            f"put the TOML in {CRI_PART_PATH}"
            + (" or a CRICustomizationConfig document" if ctx.version.gpu_documents else ""),
            "warning",
            extra=("path",),
        )
        return
    if op == "create":
        yield ctx.finding(
            "cri-file-ignored",
            hit,
            f"{name}: machine.files only injects {CRI_PART_PATH} into the CRI config; any "
            "other name is an ordinary file, and op: create outside /var is rejected at boot",
            f"move the TOML into {CRI_PART_PATH} (one entry; merge several concerns into it)"
            + ("; or use a CRICustomizationConfig document" if ctx.version.gpu_documents else ""),
            "error",
            extra=("path",),
        )
        return
    yield ctx.finding(
        "cri-file-ignored",
        hit,
        f"{name}: machine.files only injects {CRI_PART_PATH}; {op} of another part (such "
        "as the NVIDIA extension's 10-nvidia-container-runtime.part) bind-mounts a copy that is "
        "written only at boot and stops following extension updates",
        f"put overrides in {CRI_PART_PATH}: parts merge in name order, so 20- wins over 10-",
        "warning",
        extra=("path",),
    )
