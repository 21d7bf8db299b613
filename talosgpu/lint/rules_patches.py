"""Patch-form rules: JSON6902 op lists against multi-document configs.

Talos applies a JSON6902 patch only while the config is a single YAML document; otherwise it fails
with ``JSON6902 patches are not supported for multi-document machine configuration``
(``pkg/machinery/config/configpatcher/apply.go``, same text v1.5 → main; research
talos-internals.md §1.8). Since 1.12 ``talosctl gen config`` emits multi-document configs
(HostnameConfig), so a JSON6902 patch fails on every freshly generated config.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from talosgpu.lint.context import Context, Hit
from talosgpu.lint.findings import Finding

__all__ = ["check_json6902"]

_OPS = ("add", "remove", "replace", "move", "copy", "test")
_WORD = re.compile(r"[A-Za-z_-]{1,16}")


def check_json6902(ctx: Context) -> Iterator[Finding]:
    if ctx.unit.form != "json6902":
        return
    for frag in ctx.unit.fragments:
        if frag.kind != "json6902" or not isinstance(frag.value, list):
            continue
        whole = Hit(frag.value, frag.physical, frag)
        if ctx.unit.multi_doc or ctx.version.multidoc_by_default:
            why = (
                "this file has several YAML documents"
                if ctx.unit.multi_doc
                else f"Talos {ctx.version} configs are multi-document (HostnameConfig, since 1.12)"
            )
            yield ctx.finding(
                "json6902-on-multidoc",
                whole,
                f"JSON6902 patch (op/path list): {why}, so Talos refuses it (`JSON6902 patches "
                "are not supported for multi-document machine configuration`)",
                "rewrite it as a strategic-merge patch (plain `machine:` YAML); to remove a key "
                "use `$patch: delete`",
                "error",
                # several documents in the file: true on every release; else it is the release's
                release_dependent=not ctx.unit.multi_doc,
            )
        else:
            yield ctx.finding(
                "json6902-on-multidoc",
                whole,
                f"JSON6902 patch: works on Talos {ctx.version} only while the config is a single "
                "document, and breaks once it is upgraded past 1.12",
                "prefer a strategic-merge patch (plain `machine:` YAML)",
                "info",
            )
        for index, op in enumerate(frag.value):
            name = op.get("op") if isinstance(op, dict) else None
            path = op.get("path") if isinstance(op, dict) else None
            if name not in _OPS:
                yield ctx.finding(
                    "json6902-invalid-op",
                    whole,
                    f"op {name!r} is not a JSON Patch operation"
                    if isinstance(name, str) and _WORD.fullmatch(name)
                    else "this op has no valid JSON Patch operation name",
                    "use one of add, remove, replace, move, copy, test",
                    "error",
                    extra=(index, "op"),
                )
            elif not isinstance(path, str) or (path and not path.startswith("/")):
                yield ctx.finding(
                    "json6902-invalid-op",
                    whole,
                    "JSON Patch paths are JSON Pointers and must start with /",
                    "write the path as /machine/...",
                    "error",
                    extra=(index, "path"),
                )
