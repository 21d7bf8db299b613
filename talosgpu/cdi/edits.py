"""Checks of ``containerEdits`` (spec-level and per device), as the CDI loader does them.

Follows cncf-tags/container-device-interface ``pkg/cdi/container-edits.go``: ``ValidateEnv``,
``DeviceNode.Validate``, ``Hook.Validate``, ``Mount.Validate``, ``IntelRdt.Validate`` and
``ValidateNetDevices``. SPEC.md's MUSTs that the loader leaves to the OCI runtime (absolute hook
path, hook timeout > 0) are errors here too: the container fails to start either way.
"""

from __future__ import annotations

from typing import Any

from talosgpu.cdi.findings import CDIFinding, Path, finding, show

__all__ = ["HOOK_NAMES", "check_edits", "check_env"]

# pkg/cdi/container-edits.go validHookNames (OCI hook names plus the deprecated prestart).
HOOK_NAMES = (
    "prestart",
    "createRuntime",
    "createContainer",
    "startContainer",
    "poststart",
    "poststop",
)
_DEVICE_TYPES = ("", "b", "c", "u", "p")


def check_env(env: list[str], path: Path, out: list[CDIFinding]) -> None:
    for index, item in enumerate(env):
        if item.find("=") <= 0:
            out.append(
                finding(
                    "error",
                    "env",
                    [*path, index],
                    f"invalid environment variable {show(item)}: expected KEY=VALUE",
                    "write it as NAME=value",
                )
            )


def check_edits(edits: dict[str, Any], path: Path, out: list[CDIFinding]) -> None:
    check_env(edits.get("env", []), [*path, "env"], out)
    for index, node in enumerate(edits.get("deviceNodes", [])):
        here = [*path, "deviceNodes", index]
        if not node.get("path"):
            out.append(
                finding(
                    "error",
                    "device-node",
                    [*here, "path"],
                    "invalid (empty) device path",
                    "set path: /dev/...",
                )
            )
        if node.get("type", "") not in _DEVICE_TYPES:
            out.append(
                finding(
                    "error",
                    "device-node",
                    [*here, "type"],
                    f"invalid device type {show(node['type'])}",
                    "use b, c, u or p (or leave it out)",
                )
            )
        perms = node.get("permissions", "")
        if perms not in ("", "none") and perms.strip("rwm"):
            out.append(
                finding(
                    "error",
                    "device-node",
                    [*here, "permissions"],
                    f"invalid permissions {show(perms)}",
                    "use a combination of r, w and m, or none",
                )
            )
    for index, hook in enumerate(edits.get("hooks", [])):
        _check_hook(hook, [*path, "hooks", index], out)
    for index, mount in enumerate(edits.get("mounts", [])):
        here = [*path, "mounts", index]
        for key in ("hostPath", "containerPath"):
            if not mount.get(key):
                out.append(
                    finding(
                        "error",
                        "mount",
                        [*here, key],
                        f"invalid mount, empty {key}",
                        f"set {key} to an absolute path",
                    )
                )
    closid = edits.get("intelRdt", {}).get("closID", "")
    if closid != "/" and (
        len(closid) >= 4096 or closid in (".", "..") or set(closid) & {"/", "\n"}
    ):
        out.append(
            finding(
                "error",
                "intel-rdt",
                [*path, "intelRdt", "closID"],
                "invalid ClosID",
                "use a plain file name (or / for the root CLOS)",
            )
        )
    hosts: set[str] = set()
    names: set[str] = set()
    for index, dev in enumerate(edits.get("netDevices", [])):
        here = [*path, "netDevices", index]
        for key, seen in (("hostInterfaceName", hosts), ("name", names)):
            value = dev.get(key, "")
            if not value:
                out.append(
                    finding(
                        "error",
                        "net-device",
                        [*here, key],
                        f"invalid linux net device, empty {key}",
                        f"set {key}",
                    )
                )
            elif value in seen:
                out.append(
                    finding(
                        "error",
                        "net-device",
                        [*here, key],
                        f"invalid linux net device, duplicate {key} {show(value)}",
                        "list each interface once",
                    )
                )
            seen.add(value)


def _check_hook(hook: dict[str, Any], path: Path, out: list[CDIFinding]) -> None:
    name = hook.get("hookName", "")
    if name not in HOOK_NAMES:
        out.append(
            finding(
                "error",
                "hook-name",
                [*path, "hookName"],
                f"invalid hook name {show(name)}",
                f"use one of {', '.join(HOOK_NAMES)} (NVIDIA hooks use createContainer)",
            )
        )
    target = hook.get("path", "")
    if not target:
        out.append(
            finding(
                "error",
                "hook-path",
                [*path, "path"],
                f"invalid hook {show(name)} with empty path",
                "set path to the absolute path of the hook binary",
            )
        )
    elif not target.startswith("/"):
        out.append(
            finding(
                "error",
                "hook-path",
                [*path, "path"],
                f"hook path {show(target)} is not absolute (SPEC.md: path MUST be absolute)",
                "use an absolute path, e.g. /usr/bin/nvidia-cdi-hook",
            )
        )
    check_env(hook.get("env", []), [*path, "env"], out)
    if "timeout" in hook and hook["timeout"] <= 0:
        out.append(
            finding(
                "error",
                "hook-timeout",
                [*path, "timeout"],
                "hook timeout must be greater than zero (SPEC.md)",
                "remove timeout or set a positive number of seconds",
            )
        )
