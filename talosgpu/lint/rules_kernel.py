"""Kernel modules, sysctls and kubelet-registration rules for GPU nodes.

* Modules: the NVIDIA extensions ship their modules blacklisted, so the config must load
  ``nvidia``, ``nvidia_uvm``, ``nvidia_drm``, ``nvidia_modeset`` (peers.md §1.9; every Talos
  NVIDIA guide, research talos-internals.md §6), ``nvidia`` first.
* ``net.core.bpf_jit_harden``: guides up to 1.12 set it to 1 for the legacy runtime's eBPF
  device filter (libnvidia-container#176); 1.13 dropped it (CDI), leaving the KSPP default 2
  (talos ``pkg/kernel/kspp/kspp.go``). The sources disagree from 1.13: the toolkit extension's
  README (``conformance/talos-extension-nvidia/nvidia-container-toolkit.README.md``) still asks
  for it, for ``nvidia-container-cli``, which the extension's CDI switch removed (extensions
  c5480f9, peers.md §1.9): the finding says both. The schema types sysctl values as strings
  (``conformance/talos-schema/*.json`` ``sysctls.patternProperties``), but Talos's YAML decoder
  reads any scalar into a Go string (yaml.v3 ``decode.go`` ``case reflect.String:
  out.SetString(n.Value)``), so a number works: info, not a warning.
* ``registerWithTaints`` / ``--register-with-taints``: applied once when the Node object is
  created; Talos does not reconcile them (peers.md §4.5).
"""

from __future__ import annotations

from collections.abc import Iterator

from talosgpu.lint.context import Context, Hit
from talosgpu.lint.findings import Finding

__all__ = ["check_modules", "check_sysctls", "check_taints"]

GPU_MODULES = ("nvidia", "nvidia_uvm", "nvidia_drm", "nvidia_modeset")
BPF_JIT_HARDEN = ("net.core.bpf_jit_harden", "net/core/bpf_jit_harden")


def _modules(ctx: Context) -> list[tuple[str, Hit]]:
    """The modules the unit loads: an item or document with ``$patch: delete`` removes its
    module (a delete selector), it loads nothing."""
    found: list[tuple[str, Hit]] = []
    for hit in ctx.items("machine", "kernel", "modules"):
        item = hit.value
        if isinstance(item, dict) and isinstance(item.get("name"), str) and not _deletes(item):
            found.append((item["name"], hit))
    for doc in ctx.documents("KernelModuleConfig"):
        if isinstance(doc.value.get("name"), str) and not _deletes(doc.value):
            found.append((doc.value["name"], doc))
    return found


def _deletes(value: dict[str, object]) -> bool:
    return value.get("$patch") == "delete"


def check_modules(ctx: Context) -> Iterator[Finding]:
    modules = _modules(ctx)
    names = [name for name, _ in modules]
    if "nvidia" not in names:
        return
    first = names.index("nvidia")
    nvidia_hit = modules[first][1]
    missing = [m for m in GPU_MODULES[1:] if m not in names]
    if missing:
        form = (
            "KernelModuleConfig documents"
            if ctx.version.gpu_documents
            else "machine.kernel.modules"
        )
        yield ctx.finding(
            "gpu-modules-missing",
            nvidia_hit,
            f"`nvidia` is loaded but {', '.join(missing)} not; the NVIDIA extension ships its "
            "modules blacklisted, so nothing else loads them (nvidia_uvm is needed by CUDA)",
            f"add {', '.join(missing)} after nvidia ({form})",
            "warning",
        )
    early = [(name, hit) for name, hit in modules[:first] if name in GPU_MODULES[1:]]
    if early:
        name, hit = early[0]
        yield ctx.finding(
            "gpu-modules-order",
            hit,
            f"{name} is listed before nvidia; modules load in list order and {name} depends on "
            "the nvidia core module",
            "list nvidia first, then nvidia_uvm, nvidia_drm, nvidia_modeset",
            "warning",
        )


def _sysctls(ctx: Context) -> list[tuple[str, Hit]]:
    found = list(ctx.entries("machine", "sysctls"))
    for doc in ctx.documents("SysctlConfig"):
        params = doc.value.get("params")
        if isinstance(params, dict):
            found.extend(
                (str(k), Hit(v, (*doc.path, "params", str(k)), doc.frag)) for k, v in params.items()
            )
    return found


def check_sysctls(ctx: Context) -> Iterator[Finding]:
    for key, hit in _sysctls(ctx):
        if key not in BPF_JIT_HARDEN:
            continue
        if not isinstance(hit.value, str):
            yield ctx.finding(
                "bpf-jit-harden-number",
                hit,
                f"{key} is given as a YAML {type(hit.value).__name__}; Talos accepts it (its "
                "YAML decoder reads any scalar into the string sysctl value, and the NVIDIA guide "
                "<= 1.12 publishes it unquoted), but the config schema types sysctl values as "
                "strings, so schema validation (editors, `talhelper validate`) rejects it",
                f'quote it: {key}: "1"',
                "info",
            )
        if not ctx.version.bpf_jit_harden_documented:
            yield ctx.finding(
                "bpf-jit-harden-unneeded",
                hit,
                f"{key}: the sources disagree. The Talos {ctx.version} NVIDIA guide no longer "
                "sets it (since 1.13 GPU containers use CDI, no eBPF device filter), while the "
                "nvidia-container-toolkit extension's README still asks for it for "
                "nvidia-container-cli, which the extension no longer ships since 1.13 (extensions "
                "c5480f9 'switch to CDI'); setting it lowers the KSPP default 2 and weakens BPF "
                "JIT hardening",
                "remove it unless a GPU container on this node still fails with `failed to add "
                "device rules` / `last insn is not an exit or jmp` (libnvidia-container#176): the "
                "README's advice is for the runtime of Talos <= 1.12",
                "warning",
            )


def check_taints(ctx: Context) -> Iterator[Finding]:
    hits = ctx.values("machine", "kubelet", "extraConfig", "registerWithTaints")
    hits += [
        hit
        for key, hit in ctx.entries("machine", "kubelet", "extraArgs")
        if key == "register-with-taints"
    ]
    for doc in ctx.documents("KubeletConfig"):
        config, args = doc.value.get("config"), doc.value.get("extraArgs")
        if isinstance(config, dict) and "registerWithTaints" in config:
            hits.append(
                Hit(
                    config["registerWithTaints"],
                    (*doc.path, "config", "registerWithTaints"),
                    doc.frag,
                )
            )
        if isinstance(args, dict) and "register-with-taints" in args:
            hits.append(
                Hit(
                    args["register-with-taints"],
                    (*doc.path, "extraArgs", "register-with-taints"),
                    doc.frag,
                )
            )
    where = "KubeNodeConfig.taints" if ctx.version.gpu_documents else "machine.nodeTaints"
    for hit in hits:
        yield ctx.finding(
            "kubelet-register-taints",
            hit,
            "taints given to the kubelet at registration apply once, when the Node object is "
            "created; Talos does not track them, so later edits or removals in the config never "
            "reach the node",
            f"use {where}: Talos reconciles it on control-plane nodes; on workers it too applies "
            "only when the node registers (NodeRestriction forbids self-tainting later), so "
            "change a worker's taints with `kubectl taint`",
            "warning",
        )
