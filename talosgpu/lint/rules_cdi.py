"""``cdi-spec-dirs-default``: what a CRI part's ``cdi_spec_dirs`` does to the dirs containerd
reads on the node's release.

Talos merges the parts with ``merge.Merge`` (``internal/pkg/toml/merge.go``), which appends
arrays (research talos-internals.md §5.2): from 1.13 the base part sets ``cdi_spec_dirs =
["/run/cdi"]`` (``hack/cri-plugin.part``), so a part adds dirs and cannot drop it; before, the
base part sets none and a part's list replaces containerd's own default. The NVIDIA extension
writes its spec to ``/run/cdi/nvidia.yaml`` from 1.13 (``nvidia-cdi-gen``,
``conformance/talos-extension-nvidia/nvidia-cdi-gen.service.yaml``), none before.
"""

from __future__ import annotations

from collections.abc import Iterator

from talosgpu.lint.context import Context, Hit
from talosgpu.lint.findings import Finding
from talosgpu.lint.rules_cri import cri_tables

__all__ = ["check_cdi_dirs"]


def check_cdi_dirs(ctx: Context) -> Iterator[Finding]:
    for hit, data in cri_tables(ctx):
        plugins = data.get("plugins")
        table = plugins.get(ctx.version.cri_runtime_table) if isinstance(plugins, dict) else None
        dirs = table.get("cdi_spec_dirs") if isinstance(table, dict) else None
        if isinstance(dirs, list):
            yield from _spec_dirs(ctx, hit, [d for d in dirs if isinstance(d, str)])


# containerd's own default CDI spec dirs (1.7: pkg/cri/config/config_unix.go; 2.x:
# internal/cri/config/config_unix.go DefaultRuntimeConfig), used while Talos's base part sets none.
_CONTAINERD_CDI_DIRS = ("/etc/cdi", "/var/run/cdi")


def _spec_dirs(ctx: Context, hit: Hit, dirs: list[str]) -> Iterator[Finding]:
    base = ctx.version.facts.cdi_default_spec_dirs
    shown = ", ".join(dirs) or "nothing"
    if ctx.version.cdi_enabled_by_default:
        if any(d in dirs for d in base):
            return
        writer = (
            ", where the NVIDIA extension's nvidia-cdi-gen writes nvidia.yaml"
            if ctx.version.extension_ships_toolkit
            else ""
        )
        yield ctx.finding(
            "cdi-spec-dirs-default",
            hit,
            f"cdi_spec_dirs lists {shown} without {', '.join(base)}, but on Talos {ctx.version} "
            "a part cannot drop it: Talos merges CRI parts by appending arrays, so containerd "
            f"reads {', '.join(base)} (Talos's base part{writer}) and then these",
            "nothing breaks; list only the extra dirs (listing the base dirs again only repeats "
            "them)",
            "info",
        )
        return
    if any(d in dirs for d in ("/var/run/cdi", "/run/cdi")):
        return
    yield ctx.finding(
        "cdi-spec-dirs-default",
        hit,
        f"cdi_spec_dirs = [{shown}] replaces containerd's default ({', '.join(_CONTAINERD_CDI_DIRS)}; "
        f"Talos {ctx.version}'s base part sets none), so specs in /var/run/cdi are no longer "
        f"read; the NVIDIA extension of Talos {ctx.version} writes no CDI spec (its nvidia-cdi-gen "
        "arrived with 1.13), but a tool that writes to /var/run/cdi (NVIDIA's nvidia-cdi-refresh "
        "does) is not seen",
        "add /var/run/cdi to the list if anything on the node writes specs there",
        "info",
    )
