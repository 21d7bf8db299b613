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
from dataclasses import dataclass
from typing import Any

from talosgpu.lint.context import Context, Hit
from talosgpu.lint.cri_keys import CONTAINERD_TABLE, CRI_KEYS, RUNTIME_TABLE
from talosgpu.lint.findings import Finding
from talosgpu.lint.rules_cri import GRPC, IMAGES, KNOWN_TABLES, RUNTIME, cri_tables, toml_header

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
                yield from _plugin(ctx, _Toml(hit, data, plugin), body, known)


@dataclass(frozen=True, slots=True)
class _Toml:
    """One CRI TOML being checked: where it is, all of it (to see what it already sets) and the
    plugin table of the key."""

    hit: Hit
    data: dict[str, Any]
    plugin: str


def _plugin(
    ctx: Context, toml: _Toml, body: dict[str, Any], known: frozenset[str]
) -> Iterator[Finding]:
    path = ("plugins", toml.plugin)
    for key, value in body.items():
        if key in known:
            continue
        if isinstance(value, dict) and key not in KNOWN_TABLES["plugin"]:
            continue  # cri-unknown-table
        yield _unknown(ctx, toml, path, key, known, body)
    containerd = body.get("containerd")
    allowed = CONTAINERD_TABLE.get(toml.plugin)
    if not isinstance(containerd, dict) or allowed is None or "containerd" not in known:
        return
    here = (*path, "containerd")
    for key, value in containerd.items():
        if key in allowed:
            continue
        if isinstance(value, dict) and key not in KNOWN_TABLES["containerd"]:
            continue  # cri-unknown-table
        yield _unknown(ctx, toml, here, key, allowed, containerd)
    runtimes = containerd.get("runtimes") if "runtimes" in allowed else None
    slots: list[tuple[tuple[str, ...], Any]] = [
        ((*here, "runtimes", name), rt)
        for name, rt in (runtimes.items() if isinstance(runtimes, dict) else ())
    ]
    slots += [((*here, slot), containerd.get(slot)) for slot in _RUNTIME_SLOTS if slot in allowed]
    keys = RUNTIME_TABLE[toml.plugin]
    for where, runtime in slots:
        if isinstance(runtime, dict):
            for key in runtime:
                if key not in keys:
                    yield _unknown(ctx, toml, where, key, keys, runtime)


def _homes(grpc: bool) -> list[tuple[tuple[str, ...], frozenset[str]]]:
    """The tables of one containerd generation (1.7: ``grpc``), with their keys."""
    if grpc:
        return [
            (("plugins", GRPC), CRI_KEYS[GRPC]),
            (("plugins", GRPC, "containerd"), CONTAINERD_TABLE[GRPC]),
            (("plugins", GRPC, "containerd", "runtimes", "<name>"), RUNTIME_TABLE[GRPC]),
        ]
    return [
        (("plugins", RUNTIME), CRI_KEYS[RUNTIME]),
        (("plugins", IMAGES), CRI_KEYS[IMAGES]),
        (("plugins", RUNTIME, "containerd"), CONTAINERD_TABLE[RUNTIME]),
        (("plugins", RUNTIME, "containerd", "runtimes", "<name>"), RUNTIME_TABLE[RUNTIME]),
    ]


def _home(key: str, *, grpc: bool) -> tuple[str, ...] | None:
    """The table of that containerd generation that has ``key``."""
    return next((where for where, keys in _homes(grpc) if key in keys), None)


def _sets(data: dict[str, Any], where: tuple[str, ...], key: str) -> bool:
    """The TOML already has ``key`` in the table ``where`` (not a ``<name>`` runtime slot)."""
    node: Any = data
    for step in where:
        node = node.get(step) if isinstance(node, dict) else None
    return isinstance(node, dict) and key in node


def _fix(toml: _Toml, key: str, known: frozenset[str], table: dict[str, Any]) -> str:
    grpc = toml.plugin == GRPC
    home = _home(key, grpc=grpc)
    if home is not None:
        # containerd 1.7 keeps image settings in .containerd, 2.x in cri.v1.images
        # (pkg/cri/config vs internal/cri/config ImageConfig, e.g. discard_unpacked_layers)
        later = _home(key, grpc=False) if grpc else None
        if _sets(toml.data, home, key):
            fix = f"remove it: {toml_header(home)} already sets {key}"
        else:
            fix = f"move {key} to {toml_header(home)}"
        if later is None:
            return fix
        return f"{fix} (containerd 1.7; on 2.x, Talos 1.8+, it is in {toml_header(later)})"
    if not grpc and key in _MOVED:
        return f"containerd 2.x has it as {_MOVED[key]}"
    if not grpc and (earlier := _home(key, grpc=True)) is not None:
        # e.g. runtime_root, runtime_engine: 1.7 Runtime fields 2.x's Runtime dropped
        return (
            f"remove it: {key} is a containerd 1.7 setting ({toml_header(earlier)}) that 2.x "
            "does not have"
        )
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.75)
    if close and close[0] in table:
        # never offered when the table has it: following the hint would set it twice
        return f"remove it (the table already sets {close[0]})"
    if close:
        return f"did you mean {close[0]}?"
    return "remove it (containerd has no such setting in this table)"


def _unknown(
    ctx: Context,
    toml: _Toml,
    path: tuple[str, ...],
    key: str,
    known: frozenset[str],
    table: dict[str, Any],
) -> Finding:
    generation = "1.7" if toml.plugin == GRPC else "2.x"
    value = table[key]
    # An empty value sets nothing either way (the NVIDIA extension's own part carries
    # runtime_engine = "" and runtime_root = "", 1.7 keys, under the 2.x table): said, not warned.
    # (only an empty string, list or table: a false or 0 may be meant to turn something off)
    empty = isinstance(value, str | list | dict) and not value
    return ctx.finding(
        "cri-unknown-key",
        toml.hit,
        f"{toml_header(path)} has no key `{key}` in containerd {generation}'s CRI config, so "
        "containerd ignores it (2.x logs `Ignoring unknown key in TOML for plugin`)"
        + (
            " and its empty value sets nothing anyway"
            if empty
            else " and the setting has no effect"
        ),
        _fix(toml, key, known, table),
        "info" if empty else "warning",
    )
