"""Rules on the containerd CRI TOML users put in ``machine.files`` or ``CRICustomizationConfig``.

Plugin tables per containerd generation (research talos-internals.md §5.3, peers.md §4.4):
containerd 1.7 (Talos 1.7) reads ``plugins."io.containerd.grpc.v1.cri"``; containerd 2.x (Talos
1.8+, config version 3) reads ``plugins."io.containerd.cri.v1.runtime"`` and
``plugins."io.containerd.cri.v1.images"`` and keeps only streaming-server settings in
``grpc.v1.cri``. The NVIDIA extension registers runtime ``nvidia`` with
``BinaryName = "/usr/local/bin/nvidia-container-runtime"`` in every era
(``conformance/talos-extension-nvidia/*.part``; extensions repo
``nvidia-gpu/nvidia-container-toolkit/nvidia-container-runtime/10-nvidia-container-runtime.part``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from talosgpu import tomlio
from talosgpu.errors import YAMLError
from talosgpu.lint.context import Context, Hit
from talosgpu.lint.findings import Finding
from talosgpu.lint.rules_files import CRI_DIR, runtime_config_paths
from talosgpu.renderers.cri import NRI_PLUGIN, v4_moved_tables
from talosgpu.talos.documents import CRI_PART_PATH

__all__ = ["KNOWN_TABLES", "check_cri", "containerd_series", "cri_contents", "toml_header"]

GRPC = "io.containerd.grpc.v1.cri"
RUNTIME = "io.containerd.cri.v1.runtime"
IMAGES = "io.containerd.cri.v1.images"
CRI_PLUGINS = (GRPC, RUNTIME, IMAGES)
_PLUGIN_ID = re.compile(r"io\.containerd\.[a-z0-9-]+\.v\d+\.[a-z0-9_.-]+")
# containerd 2.x grpc.v1.cri keeps only the CRI gRPC/streaming server settings.
_GRPC_V2_KEYS = frozenset(
    {
        "disable_tcp_service", "stream_server_address", "stream_server_port",
        "stream_idle_timeout", "enable_tls_streaming", "x509_key_pair_streaming",
    }
)  # fmt: skip
# Tables (not scalars) known below each CRI plugin table (containerd pkg/cri/config).
KNOWN_TABLES = {
    "plugin": frozenset(
        {
            "containerd", "cni", "registry", "image_decryption", "x509_key_pair_streaming",
            "pinned_images", "runtime_platforms", "image_pull_progress_timeout",
        }
    ),
    "containerd": frozenset({"runtimes", "default_runtime", "untrusted_workload_runtime"}),
}  # fmt: skip
_NVIDIA_RUNTIME_DIR = "/usr/local/bin"


def cri_contents(ctx: Context) -> Iterator[tuple[Hit, str | None]]:
    """The CRI TOML of the unit: machine.files parts (not a runtime's own ConfigPath file, such
    as gVisor's runsc.toml) and CRICustomizationConfig contents, each with the rule that says
    why containerd never reads it (None when it does)."""
    runtime_files = runtime_config_paths(ctx)
    for hit in ctx.items("machine", "files"):
        entry = hit.value
        if not isinstance(entry, dict) or not isinstance(entry.get("content"), str):
            continue
        path = entry.get("path")
        if (
            isinstance(path, str)
            and path not in runtime_files
            and (
                (path.startswith(CRI_DIR) and path.endswith(".part"))
                or (path.endswith((".part", ".toml")) and "cri" in path)
            )
        ):
            yield Hit(entry["content"], (*hit.path, "content"), hit.frag), _unread(path, entry)
    for doc in ctx.documents("CRICustomizationConfig"):
        if isinstance(doc.value.get("content"), str):
            yield Hit(doc.value["content"], (*doc.path, "content"), doc.frag), None


def _unread(path: str, entry: dict[str, Any]) -> str | None:
    """The rule (rules_files) that says why a machine.files CRI part never reaches containerd:
    WriteUserFiles rejects an unknown op and op: create outside /var, and only the one part
    name is injected into the CRI config (talos-internals.md §3, machine.files runtime rules)."""
    op = entry.get("op")
    if isinstance(op, str) and op not in ("create", "overwrite", "append"):
        return "files-unknown-op"
    if not path.startswith(CRI_DIR) or (path != CRI_PART_PATH and op == "create"):
        return "cri-file-ignored"
    return None


def cri_tables(ctx: Context) -> Iterator[tuple[Hit, dict[str, Any]]]:
    """Each CRI customization that is valid TOML, parsed (an invalid one is check_cri's
    ``cri-toml-invalid``): the rules that read its tables share this."""
    for hit, _unread_by in cri_contents(ctx):
        try:
            yield hit, tomlio.loads(hit.value)
        except YAMLError:
            continue


def check_cri(ctx: Context) -> Iterator[Finding]:
    for doc in ctx.documents("CRICustomizationConfig"):
        if doc.value.get("name") == "customization":
            yield ctx.finding(
                "cri-customization-name",
                doc,
                "CRICustomizationConfig name `customization` is reserved for the legacy "
                f"machine.files {CRI_PART_PATH}; Talos rejects it",
                "pick another name, e.g. `nvidia`",
                "error",
                extra=("name",),
            )
    for hit, unread in cri_contents(ctx):
        try:
            data = tomlio.loads(hit.value)
        except YAMLError as exc:
            detail = exc.message.removeprefix("not valid TOML: ")
            yield ctx.finding(
                "cri-toml-invalid",
                hit,
                f"the CRI customization is not valid TOML ({detail}); Talos cannot merge it and CRI "
                "does not start with it",
                "fix the TOML (check quotes around dotted plugin ids and [table] headers)",
                "error",
            )
            continue
        yield from _tables(ctx, hit, data)
        yield from _config_v4(ctx, hit, data)
        yield from _walk(ctx, hit, data, (), dead=unread)


def _config_v4(ctx: Context, hit: Hit, data: dict[str, Any]) -> Iterator[Finding]:
    """Talos 1.15 reads every part as containerd config version 4 (renderers/cri.py)."""
    if ctx.version.containerd_config_version >= 4:
        for key, home in v4_moved_tables(data):
            yield ctx.finding(
                "cri-config-v4-moved",
                hit,
                f"top-level [{key}]: containerd config version 4 (Talos {ctx.version}) "
                "silently ignores it",
                f"move it to {home}",
                "warning",
            )
    plugins = data.get("plugins")
    nri = plugins.get(NRI_PLUGIN) if isinstance(plugins, dict) else None
    if isinstance(nri, dict) and nri.get("disable") is True and ctx.version.nri_injection:
        yield ctx.finding(
            "cri-nri-disabled",
            hit,
            f"containerd's NRI plugin is disabled, but on Talos {ctx.version} the GPU Operator's "
            "toolkit injects GPUs through NRI: GPU pods get no GPU",
            f'remove disable = true from [plugins."{NRI_PLUGIN}"]',
            "error",
        )


def toml_header(path: tuple[str, ...]) -> str:
    return "[" + ".".join(f'"{p}"' if "." in p or not p else p for p in path) + "]"


def _tables(ctx: Context, hit: Hit, data: dict[str, Any]) -> Iterator[Finding]:
    for key in data:
        if _PLUGIN_ID.fullmatch(key):
            yield ctx.finding(
                "cri-unknown-table",
                hit,
                f"{toml_header((key,))} is a top-level table; containerd reads plugin settings only "
                "under `plugins`",
                f"write it as {toml_header(('plugins', key))}",
                "error",
            )
    plugins = data.get("plugins")
    if not isinstance(plugins, dict):
        return
    for plugin, body in plugins.items():
        if plugin in CRI_PLUGINS:
            yield from _generation(ctx, hit, plugin, body)
            if isinstance(body, dict):
                yield from _unknown_tables(ctx, hit, ("plugins", plugin), body, "plugin")
        elif not _PLUGIN_ID.fullmatch(plugin) or "cri" in plugin:
            close = difflib.get_close_matches(plugin, CRI_PLUGINS, n=1, cutoff=0.6)
            yield ctx.finding(
                "cri-unknown-table",
                hit,
                f"{toml_header(('plugins', plugin))}: containerd has no plugin with this id, so the "
                "table is ignored",
                f"use {toml_header(('plugins', close[0]))}" if close else _expected(ctx),
                "error",
            )


def _expected(ctx: Context) -> str:
    if ctx.version.containerd_v2:
        return f'use plugins."{RUNTIME}" (runtimes, CDI) or plugins."{IMAGES}" (images)'
    return f'use plugins."{GRPC}"'


def containerd_series(ctx: Context) -> str:
    """The containerd minor of the release (``2.2``), the part true for every patch release:
    the version table holds the .0 tag's containerd, and patch releases move only its patch
    level (Talos 1.13.0 ships 2.2.3, 1.13.9 2.2.7, talos ``hack/release.toml``; 1.14.x 2.3.3 to
    2.3.7, research talos-1.14-1.15-gpu.md §2)."""
    return ".".join(ctx.version.facts.containerd.split(".")[:2])


def _generation(ctx: Context, hit: Hit, plugin: str, body: Any) -> Iterator[Finding]:
    if plugin == GRPC and ctx.version.containerd_v2:
        keys = sorted(set(body) - _GRPC_V2_KEYS) if isinstance(body, dict) else []
        if keys:
            shown = ", ".join(keys[:4]) + (", ..." if len(keys) > 4 else "")
            yield ctx.finding(
                "cri-containerd-generation",
                hit,
                f"{toml_header(('plugins', GRPC))} ({shown}) is the containerd 1.7 layout; Talos "
                f"{ctx.version} runs containerd {containerd_series(ctx)} (config version "
                f"{ctx.version.containerd_config_version}), which "
                "ignores these settings",
                f"move runtime settings (containerd.runtimes, default_runtime_name, enable_cdi, "
                f'cdi_spec_dirs, device_ownership_from_security_context) to plugins."{RUNTIME}" '
                f'and image settings (registry, discard_unpacked_layers) to plugins."{IMAGES}"',
                "error",
            )
    elif plugin in (RUNTIME, IMAGES) and not ctx.version.containerd_v2:
        yield ctx.finding(
            "cri-containerd-generation",
            hit,
            f"{toml_header(('plugins', plugin))} is a containerd 2.x table; Talos {ctx.version} runs "
            f"containerd {containerd_series(ctx)}, which does not know it",
            f'use plugins."{GRPC}" (runtimes under plugins."{GRPC}".containerd.runtimes)',
            "error",
        )


def _unknown_tables(
    ctx: Context, hit: Hit, path: tuple[str, ...], body: dict[str, Any], level: str
) -> Iterator[Finding]:
    known = KNOWN_TABLES[level]
    for key, value in body.items():
        if not isinstance(value, dict):
            continue
        if key in known:
            if level == "plugin" and key == "containerd":
                yield from _unknown_tables(ctx, hit, (*path, key), value, "containerd")
            continue
        dotted = key.replace("_", ".")
        first = dotted.split(".", 1)[0]
        if first in known and dotted != key:
            suggestion = f"{toml_header((*path, *dotted.split('.')))}"
        else:
            close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
            suggestion = toml_header((*path, close[0])) if close else "remove or rename it"
        yield ctx.finding(
            "cri-unknown-table",
            hit,
            f"{toml_header((*path, key))}: containerd has no table `{key}` here, so everything in "
            "it is silently ignored",
            f"did you mean {suggestion}?" if suggestion.startswith("[") else suggestion,
            "error",
        )


def _ignored(ctx: Context, path: tuple[str, ...]) -> str | None:
    """Why containerd ignores this table on the release linted (the rule that reports the
    table), or None: what is inside has no effect, so a finding about its contents is said as
    what comes once the table is fixed (a BinaryName there starts nothing)."""
    if len(path) == 1:
        return "cri-unknown-table" if _PLUGIN_ID.fullmatch(path[0]) else None
    if path[0] != "plugins":
        return None
    plugin = path[1]
    if plugin not in CRI_PLUGINS:
        return "cri-unknown-table"
    # The other containerd generation's table (talos-internals.md §5.3): on an assumed release
    # too, where every finding is said under the assumption ("if the node runs ...").
    if len(path) > 2 and plugin == GRPC and ctx.version.containerd_v2:
        return None if path[2] in _GRPC_V2_KEYS else "cri-containerd-generation"
    if len(path) > 2 and plugin != GRPC and not ctx.version.containerd_v2:
        return "cri-containerd-generation"
    if len(path) > 2 and path[2] not in KNOWN_TABLES["plugin"]:
        return "cri-unknown-table"
    if len(path) > 3 and path[2] == "containerd" and path[3] not in KNOWN_TABLES["containerd"]:
        return "cri-unknown-table"
    return None


def _walk(
    ctx: Context, hit: Hit, node: dict[str, Any], path: tuple[str, ...], *, dead: str | None = None
) -> Iterator[Finding]:
    for key, value in node.items():
        here = (*path, key)
        if isinstance(value, dict):
            yield from _walk(ctx, hit, value, here, dead=dead or _ignored(ctx, here))
        elif key == "BinaryName" and isinstance(value, str):
            yield from _dead(ctx, here, dead, _binary(ctx, hit, here, value))
        elif key == "default_runtime_name" and isinstance(value, str):
            yield from _dead(ctx, here, dead, _default_runtime(ctx, hit, here, value))
        elif dead:
            continue  # nothing else in a table containerd ignores has an effect
        elif key == "cdi_spec_dirs" and isinstance(value, list):
            bad = [
                d for d in value if isinstance(d, str) and (d == "/etc" or d.startswith("/etc/"))
            ]
            if bad:
                yield ctx.finding(
                    "cdi-spec-dir-readonly",
                    hit,
                    f"cdi_spec_dirs lists {', '.join(bad)}: /etc is read-only on Talos, so no "
                    "CDI spec can be written there",
                    "use /var/cdi/... (or /run/cdi, the Talos 1.13+ default, where the NVIDIA "
                    "extension's nvidia-cdi-gen writes nvidia.yaml)",
                    "warning",
                )


def _dead(
    ctx: Context, path: tuple[str, ...], dead: str | None, findings: Iterator[Finding]
) -> Iterator[Finding]:
    """A finding about a key in a table containerd ignores (``dead`` names the rule reporting
    the table): nothing happens today, so it is said at info, as what comes once the table is
    fixed."""
    for finding in findings:
        if dead is None:
            yield finding
            continue
        yield replace(
            finding,
            severity="info",
            message=f"{_unread_subject(ctx, path, dead)} ({dead}), so {path[-1]} has no effect "
            f"today; once that is fixed: {finding.message}",
        )


def _unread_subject(ctx: Context, path: tuple[str, ...], dead: str) -> str:
    if dead in ("cri-file-ignored", "files-unknown-op"):
        return "this file never reaches containerd"
    return f"{toml_header(path[:-1])} is ignored on Talos {ctx.version}"


def _binary(ctx: Context, hit: Hit, path: tuple[str, ...], value: str) -> Iterator[Finding]:
    directory, _, name = value.rpartition("/")
    if name.startswith("nvidia-container-runtime") and not ctx.version.extension_ships_toolkit:
        yield ctx.finding(
            "cri-runtime-binary-missing",
            hit,
            f"{toml_header(path[:-1])} BinaryName is {value}, but the Talos {ctx.version} "
            "nvidia-container-toolkit extension ships no NVIDIA Container Toolkit: every pod "
            "using this runtime fails to start",
            "delete this runtime (the GPU Operator's toolkit injects GPUs through NRI; "
            f"talosgpu render --from-version <old> --talos-version {ctx.version} drops "
            "talosgpu's own part)",
            "error",
        )
        return
    if name.startswith("nvidia-container-runtime") and directory != _NVIDIA_RUNTIME_DIR:
        yield ctx.finding(
            "cri-binary-path",
            hit,
            f"{toml_header(path[:-1])} BinaryName is {value}; the NVIDIA container toolkit "
            f"extension installs {name} in {_NVIDIA_RUNTIME_DIR}, so containers with this "
            "runtime fail to start",
            f'BinaryName = "{_NVIDIA_RUNTIME_DIR}/{name}" (or drop the table: the extension '
            "already registers runtime `nvidia` in 10-nvidia-container-runtime.part)",
            "error",
        )


def _default_runtime(
    ctx: Context, hit: Hit, path: tuple[str, ...], value: str
) -> Iterator[Finding]:
    if len(path) < 2 or path[-2] != "containerd":
        yield ctx.finding(
            "cri-misplaced-key",
            hit,
            f"default_runtime_name is set in {toml_header(path[:-1])}; containerd reads it only "
            "from the plugin's `containerd` table",
            'set it in [plugins."<cri plugin>".containerd]',
            "error",
        )
        return
    if not value.startswith("nvidia"):
        return
    if not ctx.version.extension_ships_toolkit:
        yield ctx.finding(
            "cri-default-runtime-nvidia",
            hit,
            f"default_runtime_name = {value!r}: Talos {ctx.version} has no NVIDIA runtime "
            "binaries, so every pod on the node fails to start",
            "delete default_runtime_name (runc stays the default; the GPU Operator injects GPUs "
            "through NRI)",
            "error",
        )
        return
    why = (
        "; Talos 1.13+ uses CDI, where the GPU Operator / device plugin inject devices without "
        "a default runtime"
        if ctx.version.native_cdi
        else ""
    )
    yield ctx.finding(
        "cri-default-runtime-nvidia",
        hit,
        f"default_runtime_name = {value!r} makes every pod on the node (including system pods "
        f"without GPUs) run through the NVIDIA runtime{why}",
        f"keep runc as the default and give GPU pods `runtimeClassName: {value}` (RuntimeClass "
        f"with handler {value})",
        # The legacy runtime on every pod is the real-world trap (its eBPF device filter runs for
        # every container); a CDI-mode runtime such as nvidia-cdi only acts on pods that request
        # CDI devices, a deliberate setup (the talos05 field report): said, not warned about,
        # the same verdict `render` gives such an intent.
        "warning" if value == "nvidia" else "info",
    )
