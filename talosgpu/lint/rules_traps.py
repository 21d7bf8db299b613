"""Traps found in real repositories: JSON6902 ``add`` that replaces, vfio-pci on an NVIDIA node,
``NVreg_*`` module parameters that only apply on first load.

* ``json6902-add-replaces``: RFC 6902 §4.1 ``add``: "If the target location specifies an object
  member that does exist, that member's value is replaced"; ``-`` appends to an array and an
  index inserts. Talos applies op lists with evanphx/json-patch
  (``pkg/machinery/config/configpatcher/json6902.go``, research talos-internals.md §1.8).
* ``vfio-pci-nvidia-gpu``: ``vfio-pci.ids=VVVV:DDDD[,...]`` (kernel argument, or the ``ids``
  parameter of the ``vfio-pci`` module) makes vfio-pci claim every PCI device with that vendor and
  device id at boot (Linux ``drivers/vfio/pci/vfio_pci.c`` ``ids`` parameter). Vendor ``10de`` is
  NVIDIA (PCI-SIG vendor id). Which device id the node's container GPU has is not in the config, so
  the finding says which ids are NVIDIA's, not that the container GPU is among them.
* ``nvreg-first-load``: ``NVreg_*`` are parameters of the ``nvidia`` module, read when it loads;
  Talos loads modules and never unloads them (docs v1.14 editing-machine-configuration.mdx
  "Changes which might need a reboot"; ``KernelModuleConfig.parameters`` / v1alpha1
  ``modules[].parameters``: "changes applied after reboot").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from talosgpu.lint.context import Context, Hit, render_path
from talosgpu.lint.findings import Finding

__all__ = ["add_replaces_across_layers", "check_json6902_add", "check_nvreg", "check_vfio"]

_INDEX = re.compile(r"-|\d+")
_NVIDIA_VENDOR = "10de"
_VFIO_MODULES = ("vfio-pci", "vfio_pci")
_IDS = re.compile(r"^(?:vfio[-_]pci\.)?ids=(\S+)$")
_NVREG = re.compile(r"^(?:(nvidia[a-z_]*)\.)?(NVreg_[A-Za-z0-9_]+)=")
_NVIDIA_LABEL_PREFIX = "nvidia.com/"


# ------------------------------------------------------------------------------ JSON6902 add
def _decode(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _ops(ctx: Context) -> Iterator[tuple[Hit, int, str, str, tuple[str, ...], object]]:
    """``(whole op list, index, op name, path, path tokens, value)`` of the unit's JSON6902 ops."""
    if ctx.unit.form != "json6902":
        return
    for frag in ctx.unit.fragments:
        if frag.kind != "json6902" or not isinstance(frag.value, list):
            continue
        whole = Hit(frag.value, frag.physical, frag)
        for index, op in enumerate(frag.value):
            if not isinstance(op, dict) or not isinstance(op.get("path"), str):
                continue
            path = op["path"]
            tokens = tuple(_decode(t) for t in path.split("/")[1:]) if path.startswith("/") else ()
            yield whole, index, str(op.get("op")), path, tokens, op.get("value")


def _replacing(name: str, tokens: tuple[str, ...], value: object) -> bool:
    """An ``add`` on an object member (not ``-``, not an index) with a map or list value."""
    return (
        name == "add"
        and bool(tokens)
        and not _INDEX.fullmatch(tokens[-1])
        and isinstance(value, dict | list)
    )


def check_json6902_add(ctx: Context) -> Iterator[Finding]:
    earlier: list[tuple[str, ...]] = []
    for whole, index, name, path, tokens, value in _ops(ctx):
        if index == 0:
            earlier = []
        if _replacing(name, tokens, value):
            yield _replaces(ctx, whole, index, path, tokens, value, earlier)
        if name in ("add", "replace", "copy", "move") and tokens:
            earlier.append(tokens)


def add_replaces_across_layers(layers: Sequence[tuple[int, Context]]) -> list[Finding]:
    """``--layers``: an add that replaces what an earlier layer set there (then it is known)."""
    findings: list[Finding] = []
    for pos, (index, ctx) in enumerate(layers):
        for whole, op_index, name, path, tokens, value in _ops(ctx):
            if not _replacing(name, tokens, value):
                continue
            for e_index, e_ctx in layers[:pos]:
                hits = [h for h in e_ctx.values(*tokens) if h.value not in (None, {}, [])]
                if e_index == index or not hits:
                    continue
                where = render_path(e_ctx.unit, hits[0].frag.doc, hits[0].path)
                setter = (
                    "this same file, given twice as a layer,"
                    if e_ctx.source == ctx.source
                    else e_ctx.source
                )
                findings.append(
                    ctx.finding(
                        "json6902-add-replaces",
                        whole,
                        f"op: add on {path} (an object member) replaces its whole value (RFC "
                        f"6902 §4.1), and {setter} sets {'.'.join(tokens)} ({where}): "
                        "applied after it, this patch wipes what that layer set there",
                        _fix(path, value),
                        "warning",
                        extra=(op_index, "path"),
                    )
                )
                break
    return findings


def _fix(path: str, value: object) -> str:
    if isinstance(value, list):
        return (
            "use a strategic-merge patch (plain `machine:` YAML: maps merge, lists append), or "
            f"add items one by one with path {path}/- when the list already exists"
        )
    return (
        "use a strategic-merge patch (plain `machine:` YAML: maps merge key by key), or add "
        f"one key at a time ({path}/<key>)"
    )


def _replaces(
    ctx: Context,
    whole: Hit,
    index: int,
    path: str,
    tokens: tuple[str, ...],
    value: object,
    earlier: list[tuple[str, ...]],
) -> Finding:
    shape = "list" if isinstance(value, list) else "map"
    # Known to exist: an earlier op of this list set the target, something below it, or a
    # parent holding it (RFC 6902 applies the ops in order).
    known = any(e[: len(tokens)] == tokens or tokens[: len(e)] == e for e in earlier)
    dotted = ".".join(tokens)
    if known:
        message = (
            f"op: add on {path} (an object member) replaces its whole value (RFC 6902 §4.1), and "
            f"an earlier op of this patch already set {dotted}: what that op added is wiped"
        )
    else:
        message = (
            f"op: add on {path} (an object member) replaces its whole value if the config "
            f"already has one (RFC 6902 §4.1): every entry of {dotted} set by the base config or "
            "an earlier patch is wiped, not merged with this " + shape
        )
    return ctx.finding(
        "json6902-add-replaces",
        whole,
        message,
        _fix(path, value),
        "warning" if known else "info",
        extra=(index, "path"),
    )


# ------------------------------------------------------------------------------ module lists
def _module_entries(ctx: Context) -> list[tuple[str, Hit]]:
    """``(module name, hit of its parameters list)`` for v1alpha1 modules and documents."""
    found: list[tuple[str, Hit]] = []
    for hit in ctx.items("machine", "kernel", "modules"):
        entry = hit.value
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            params = entry.get("parameters")
            found.append((entry["name"], Hit(params, (*hit.path, "parameters"), hit.frag)))
    for doc in ctx.documents("KernelModuleConfig"):
        if isinstance(doc.value.get("name"), str):
            params = doc.value.get("parameters")
            found.append((doc.value["name"], Hit(params, (*doc.path, "parameters"), doc.frag)))
    return found


def _kernel_args(ctx: Context) -> list[Hit]:
    hits: list[Hit] = []
    for hit in ctx.values("machine", "install", "extraKernelArgs"):
        if isinstance(hit.value, list):
            hits.extend(Hit(v, (*hit.path, i), hit.frag) for i, v in enumerate(hit.value))
    hits += ctx.items("machine", "install", "extraKernelArgs")
    return [h for h in hits if isinstance(h.value, str)]


def _nvidia_node(ctx: Context, modules: list[tuple[str, Hit]]) -> str | None:
    """Why this unit is set up for NVIDIA containers (None: nothing in it says so)."""
    if any(name == "nvidia" for name, _ in modules):
        return "this config also loads the nvidia module"
    labels = [k for k, _ in ctx.entries("machine", "nodeLabels")]
    for doc in ctx.documents("KubeNodeConfig"):
        if isinstance(doc.value.get("labels"), dict):
            labels += [str(k) for k in doc.value["labels"]]
    nvidia = sorted(k for k in labels if k.startswith(_NVIDIA_LABEL_PREFIX))
    if nvidia:
        return f"this node is labelled {nvidia[0]}"
    return None


def _nvidia_ids(text: str) -> list[str]:
    return [i for i in text.split(",") if i.lower().startswith(_NVIDIA_VENDOR + ":")]


def check_vfio(ctx: Context) -> Iterator[Finding]:
    modules = _module_entries(ctx)
    why = _nvidia_node(ctx, modules)
    if why is None:
        return
    sources: list[tuple[Hit, list[str], str]] = []
    for hit in _kernel_args(ctx):
        match = _IDS.match(hit.value)
        if match and hit.value.startswith(("vfio-pci.", "vfio_pci.")):
            sources.append((hit, _nvidia_ids(match.group(1)), "kernel argument"))
    for name, params in modules:
        if name in _VFIO_MODULES and isinstance(params.value, list):
            for i, param in enumerate(params.value):
                match = _IDS.match(param) if isinstance(param, str) else None
                if match:
                    hit = Hit(param, (*params.path, i), params.frag)
                    sources.append((hit, _nvidia_ids(match.group(1)), f"{name} module parameter"))
    for hit, ids, form in sources:
        if not ids:
            continue  # no NVIDIA vendor id: nothing known about the node's GPU
        shown = ", ".join(ids)
        yield ctx.finding(
            "vfio-pci-nvidia-gpu",
            hit,
            f"the {form} binds PCI ids {shown} to vfio-pci (vendor 10de is NVIDIA): at boot "
            "vfio-pci claims every device with these ids, so the nvidia driver never drives "
            f"them, and {why}; if the GPU meant for containers has one of these ids, GPU pods "
            "get none of it (which id that GPU has is not in the config)",
            "list in vfio-pci ids only devices meant for VMs (`talosctl get pcidevices` lists "
            "the node's PCI devices, Talos 1.8+); two GPUs of one model share an id, so binding "
            "one by id binds both",
            "warning",
        )


# ------------------------------------------------------------------------------ NVreg
def check_nvreg(ctx: Context) -> Iterator[Finding]:
    for name, params in _module_entries(ctx):
        if not name.startswith("nvidia") or not isinstance(params.value, list):
            continue
        for i, param in enumerate(params.value):
            match = _NVREG.match(param) if isinstance(param, str) else None
            if match:
                yield ctx.finding(
                    "nvreg-first-load",
                    Hit(param, (*params.path, i), params.frag),
                    f"{match.group(2)} is read when {name} is first loaded; Talos loads modules "
                    "but never unloads them, so a change to it takes effect only after a reboot",
                    "reboot the node after changing it (`talosctl reboot`); `talosgpu diff` says "
                    "which module changes need one",
                    "info",
                )
    for hit in _kernel_args(ctx):
        match = _NVREG.match(hit.value)
        if match and match.group(1):
            yield ctx.finding(
                "nvreg-first-load",
                hit,
                f"{match.group(2)} as a kernel argument is read when {match.group(1)} loads at "
                "boot; machine.install.extraKernelArgs are written only by an install or upgrade, "
                "so a change takes effect after `talosctl upgrade` and the reboot it makes",
                "prefer the module parameter (machine.kernel.modules parameters, or a "
                "KernelModuleConfig on 1.14+) and reboot after changing it",
                "info",
            )
