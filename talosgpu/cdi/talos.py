"""Findings that depend on the node: Talos hook-binary eras and the device plugin's device names.

Hook eras come from ``TalosVersion.hook_era`` (data/talos_versions.toml): ``nvidia-ctk`` (1.7,
toolkit 1.14: no ``nvidia-cdi-hook`` yet, it arrived in toolkit 1.16.0, peers.md §1.7),
``wrapper-real`` (1.8-1.12: the extension's argv[0] wrapper rejects ``nvidia-cdi-hook``, hooks
must call ``*.real``; the talos05 field report) and ``usr-bin`` (1.13+: wrapper and ``.real`` binaries gone with
siderolabs/extensions c5480f9, ``/usr/bin`` symlinks from talos PR #13022). From 1.15 the
extension ships no toolkit (the GPU Operator installs it): hook paths there are not judged,
only said to be unverified, except the ``.real`` binaries, gone since 1.13.

Device names: the NVIDIA device plugin asks the runtime for ``nvidia.com/gpu=<id>`` where the id
follows its ``deviceIDStrategy``: ``uuid`` gives ``GPU-<uuid>`` (``MIG-<uuid>``), ``index`` gives
``0``, ``1`` (``0:1`` for MIG). A spec without those names fails pods with "unresolvable CDI
devices" (nvidia-container-toolkit#1239, #1895; peers.md §4.5).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from talosgpu.cdi.findings import CDIFinding, finding
from talosgpu.cdi.hooks import USR_BIN, classify_hook_path, iter_hooks
from talosgpu.versions import TalosVersion

__all__ = ["device_name_findings", "talos_findings"]

_UUID_NAME = re.compile(r"(GPU|MIG)-[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}")
_INDEX_NAME = re.compile(r"\d+(:\d+)?")
_STRATEGY_NAMES = {"uuid": _UUID_NAME, "index": _INDEX_NAME}
_STRATEGY_EXAMPLE = {"uuid": "GPU-<uuid>", "index": "0, 1, ..."}
NVIDIA_GPU_KIND = "nvidia.com/gpu"


def device_name_findings(
    data: dict[str, Any], *, strategy: Literal["uuid", "index"] | None
) -> list[CDIFinding]:
    """Do the device names match what the device plugin (and ``=all`` users) will request?"""
    names = [d.get("name", "") for d in data.get("devices", [])]
    out: list[CDIFinding] = []
    if strategy is not None and names:
        pattern = _STRATEGY_NAMES[strategy]
        if not any(pattern.fullmatch(name) for name in names):
            other = "index" if strategy == "uuid" else "uuid"
            out.append(
                finding(
                    "error",
                    "device-id-strategy",
                    ["devices"],
                    f"no device is named like {_STRATEGY_EXAMPLE[strategy]}, which the device "
                    f"plugin requests with deviceIDStrategy={strategy}: pods will fail with "
                    "'unresolvable CDI devices'",
                    f"regenerate with nvidia-ctk cdi generate --device-name-strategy={strategy} "
                    f"(the default generates index and uuid names) or set deviceIDStrategy={other} "
                    "if the names match that",
                )
            )
    if data.get("kind") == NVIDIA_GPU_KIND and names and "all" not in names:
        out.append(
            finding(
                "warning",
                "no-all-device",
                ["devices"],
                "no device named 'all': requests for nvidia.com/gpu=all will not resolve",
                "regenerate without --no-all-device",
            )
        )
    return out


def talos_findings(data: dict[str, Any], *, talos_version: str | TalosVersion) -> list[CDIFinding]:
    """Hook paths that cannot run on ``talos_version``'s NVIDIA extension."""
    version = TalosVersion.parse(talos_version)
    if not version.is_known and not version.assumed:
        # No facts, no verdict: say so instead of judging hooks by another release's extension.
        message = f"hook paths not checked: Talos {version} is newer than talosgpu knows"
        return [
            finding(
                "error", "talos-version", [], message,
                "upgrade talosgpu, or pass --assume-newest-known to check with the newest facts",
            )
        ]  # fmt: skip
    out = [
        finding("warning", "talos-version", [], message, "check the hook paths by hand")
        for message in version.warnings
    ]
    era = version.hook_era
    for path, hook in iter_hooks(data):
        target = hook.get("path", "")
        kind = classify_hook_path(target) if isinstance(target, str) else None
        where = [*path, "path"]
        if not version.extension_ships_toolkit and (kind is None or kind.form != "local-real"):
            # 1.15+: the toolkit (and its hooks) comes from the GPU Operator, installed in its
            # toolkit dir; which of these paths exist on the node is not verified (research
            # talos-1.14-1.15-gpu.md), so say so rather than pass or fail the path.
            out.append(
                finding(
                    "warning",
                    "talos-hook-unverified",
                    where,
                    f"{target} not verified for Talos {version}: its nvidia-container-toolkit "
                    "extension ships no NVIDIA Container Toolkit; the GPU Operator installs the "
                    "toolkit and its hooks in its own toolkit dir",
                    "check the path exists on the node (talosctl ls), or use the spec the GPU "
                    "Operator's toolkit generates",
                )
            )
        elif kind is None:
            continue
        elif era != "usr-bin" and kind.form == "usr-bin":
            out.append(
                finding(
                    "error",
                    "talos-hook-missing",
                    where,
                    f"{target} does not exist on Talos {version}: the extension installs the "
                    f"toolkit in /usr/local/bin ({USR_BIN} symlinks arrived in Talos 1.13, "
                    "talos#13022); the hook fails with 'no such file or directory'",
                    "talosgpu cdi patch-hooks --strategy real-binaries"
                    if era == "wrapper-real"
                    else "point the hook at /usr/local/bin/nvidia-ctk",
                )
            )
        elif era == "nvidia-ctk" and kind.binary == "nvidia-cdi-hook":
            out.append(
                finding(
                    "error",
                    "talos-hook-missing",
                    where,
                    f"Talos {version} ships toolkit {version.facts.toolkit}, which has no "
                    "nvidia-cdi-hook (added in toolkit 1.16.0)",
                    "generate the spec with the node's own nvidia-ctk (hooks: nvidia-ctk hook ...)",
                )
            )
        elif era == "wrapper-real" and kind.form == "local" and kind.binary == "nvidia-cdi-hook":
            out.append(
                finding(
                    "error",
                    "talos-hook-wrapper",
                    where,
                    f"on Talos {version} {target} is the extension's argv[0] wrapper, which fails "
                    "with 'unknown command nvidia-cdi-hook'",
                    "talosgpu cdi patch-hooks --strategy real-binaries "
                    "(points hooks at /usr/local/bin/nvidia-cdi-hook.real)",
                )
            )
        elif era == "usr-bin" and kind.form == "local-real":
            out.append(
                finding(
                    "error",
                    "talos-hook-real",
                    where,
                    f"{target} does not exist on Talos {version}: the extension dropped the "
                    "argv[0] wrapper and its .real binaries in 1.13 (siderolabs/extensions c5480f9)",
                    "talosgpu cdi patch-hooks --strategy usr-bin",
                )
            )
    return out
