"""``cri-unknown-key``: a key containerd's CRI plugin does not have in that table.

The known keys are :mod:`talosgpu.lint.cri_keys` (containerd's config structs, 1.7 and 2.x).
The table decides the generation (``grpc.v1.cri`` tables are containerd 1.7's, ``cri.v1.*``
containerd 2.x's), so the verdict does not depend on the node's release; a table of the other
generation is the rule ``cri-containerd-generation``, a table name containerd has nowhere
``cri-unknown-table`` (these are not repeated here).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from talosgpu.lint.context import Context, Hit
from talosgpu.lint.cri_keys import CONTAINERD_TABLE, CRI_KEYS, RUNTIME_TABLE
from talosgpu.lint.findings import Finding
from talosgpu.lint.rules_cri import KNOWN_TABLES, cri_tables, toml_header

__all__ = ["check_cri_keys"]

_RUNTIME_SLOTS = ("default_runtime", "untrusted_workload_runtime")
# containerd 2.0 moved the pause image: [plugins."io.containerd.cri.v1.images".pinned_images]
# sandbox = "..." (internal/cri/config/config.go ImageConfig.PinnedImages, "sandbox" key;
# containerd docs/cri/config.md).
_MOVED = {
    "sandbox_image": 'sandbox = "<image>" in [plugins."io.containerd.cri.v1.images".pinned_images]'
}


def check_cri_keys(ctx: Context) -> Iterator[Finding]:
    for hit, data in cri_tables(ctx):
        plugins = data.get("plugins")
        if not isinstance(plugins, dict):
            continue
        for plugin, known in CRI_KEYS.items():
            body = plugins.get(plugin)
            if isinstance(body, dict):
                yield from _plugin(ctx, hit, plugin, body, known)


def _plugin(
    ctx: Context, hit: Hit, plugin: str, body: dict[str, Any], known: frozenset[str]
) -> Iterator[Finding]:
    path = ("plugins", plugin)
    for key, value in body.items():
        if key in known:
            continue
        if isinstance(value, dict) and key not in KNOWN_TABLES["plugin"]:
            continue  # cri-unknown-table
        yield _unknown(ctx, hit, path, key, known, plugin, value)
    containerd = body.get("containerd")
    allowed = CONTAINERD_TABLE.get(plugin)
    if not isinstance(containerd, dict) or allowed is None or "containerd" not in known:
        return
    here = (*path, "containerd")
    for key, value in containerd.items():
        if key in allowed:
            continue
        if isinstance(value, dict) and key not in KNOWN_TABLES["containerd"]:
            continue  # cri-unknown-table
        yield _unknown(ctx, hit, here, key, allowed, plugin, value)
    runtimes = containerd.get("runtimes") if "runtimes" in allowed else None
    slots: list[tuple[tuple[str, ...], Any]] = [
        ((*here, "runtimes", name), rt)
        for name, rt in (runtimes.items() if isinstance(runtimes, dict) else ())
    ]
    slots += [((*here, slot), containerd.get(slot)) for slot in _RUNTIME_SLOTS if slot in allowed]
    for where, runtime in slots:
        if isinstance(runtime, dict):
            for key, value in runtime.items():
                if key not in RUNTIME_TABLE[plugin]:
                    yield _unknown(ctx, hit, where, key, RUNTIME_TABLE[plugin], plugin, value)


def _elsewhere(key: str, plugin: str) -> str | None:
    """The table of the same containerd generation that has ``key``, as a TOML header."""
    grpc = plugin == "io.containerd.grpc.v1.cri"
    homes: list[tuple[tuple[str, ...], frozenset[str]]] = (
        [
            (("plugins", plugin), CRI_KEYS[plugin]),
            (("plugins", plugin, "containerd"), CONTAINERD_TABLE[plugin]),
            (("plugins", plugin, "containerd", "runtimes", "<name>"), RUNTIME_TABLE[plugin]),
        ]
        if grpc
        else [
            (("plugins", name), CRI_KEYS[name])
            for name in ("io.containerd.cri.v1.runtime", "io.containerd.cri.v1.images")
        ]
        + [
            (
                ("plugins", "io.containerd.cri.v1.runtime", "containerd"),
                CONTAINERD_TABLE["io.containerd.cri.v1.runtime"],
            ),
            (
                ("plugins", "io.containerd.cri.v1.runtime", "containerd", "runtimes", "<name>"),
                RUNTIME_TABLE["io.containerd.cri.v1.runtime"],
            ),
        ]
    )
    for where, keys in homes:
        if key in keys:
            return toml_header(where)
    return None


def _unknown(
    ctx: Context,
    hit: Hit,
    path: tuple[str, ...],
    key: str,
    known: frozenset[str],
    plugin: str,
    value: object,
) -> Finding:
    generation = "1.7" if plugin == "io.containerd.grpc.v1.cri" else "2.x"
    home = _elsewhere(key, plugin)
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.75)
    if home is not None:
        fix = f"move {key} to {home}"
    elif generation == "2.x" and key in _MOVED:
        fix = f"containerd 2.x has it as {_MOVED[key]}"
    elif close:
        fix = f"did you mean {close[0]}?"
    else:
        fix = "remove it (containerd has no such setting in this table)"
    # An empty value sets nothing either way (the NVIDIA extension's own part carries
    # runtime_engine = "" and runtime_root = "", 1.7 keys, under the 2.x table): said, not warned.
    # (only an empty string, list or table: a false or 0 may be meant to turn something off)
    empty = isinstance(value, str | list | dict) and not value
    return ctx.finding(
        "cri-unknown-key",
        hit,
        f"{toml_header(path)} has no key `{key}` in containerd {generation}'s CRI config, so "
        "containerd ignores it (2.x logs `Ignoring unknown key in TOML for plugin`)"
        + (
            " and its empty value sets nothing anyway"
            if empty
            else " and the setting has no effect"
        ),
        fix,
        "info" if empty else "warning",
    )
