"""Gathering one node's facts for ``doctor``: read-only talosctl and kubectl commands.

Each command, and where its output shape and availability were read (siderolabs/talos snapshot
``ad8823176e75``: tags v1.7-v1.14.0-rc.1 and main; every command below exists on all of them
unless said):

* ``talosctl -n N version`` — ``cmd/talosctl/cmd/talos/version.go`` (``Server:`` ``Tag:``);
* ``talosctl -n N get extensions -o yaml`` — ExtensionStatuses (alias ``extensions``,
  ``pkg/machinery/resources/runtime/extension_status.go``);
* ``talosctl -n N read /proc/modules`` — the Read API serves any regular file
  (``v1alpha1_server.go`` ``Read``); the v1.10 NVIDIA guide verifies modules this way;
* ``talosctl -n N get services -o yaml`` — ``Services.v1alpha1.talos.dev``;
* ``talosctl -n N read /etc/cri/conf.d/cri.toml`` — the merged CRI config (research §5.2);
* ``talosctl -n N list DIR`` / ``read DIR/FILE`` — CDI spec dirs; ``list /usr/local/bin``,
  ``list /usr/bin`` for hook binaries (``cmd/talosctl/cmd/talos/list.go``);
* ``talosctl -n N dmesg`` — ``cmd/talosctl/cmd/talos/dmesg.go``;
* ``talosctl -n N get pcidevices -o yaml`` — ``PCIDevices.hardware.talos.dev``, Talos 1.8+
  (``pkg/machinery/resources/hardware/pcidevice.go``); skipped before;
* ``talosctl -n N read /proc/sys/net/core/bpf_jit_harden``;
* ``talosctl -n N get machineconfig v1alpha1 -o yaml`` — only for the secret values to mask;
* ``kubectl get nodes -o json``, ``get runtimeclass -o json``, ``get pods -A --field-selector
  spec.nodeName=NAME -o json``, ``get events -A --field-selector type=Warning -o json``.

A command that fails leaves its fact ``skipped`` with talosctl's (redacted) error; only an
unreachable node (``version`` fails) stops the run.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any, TypeVar

from talosgpu.cdi.hooks import iter_hooks
from talosgpu.cdi.spec import load_spec
from talosgpu.commands.talosctl import fetch_live_config, run_tool, talosctl_argv
from talosgpu.diagnosis import parse
from talosgpu.diagnosis.facts import HOOK_DIRS, Event, Fact, NodeFacts, SpecFile, missing
from talosgpu.errors import TalosGPUError
from talosgpu.talos.secrets import collect_secret_values
from talosgpu.tomlio import loads as toml_loads
from talosgpu.versions import DEFAULT_VERSION, TalosVersion

__all__ = ["gather_live", "kubectl_facts"]

T = TypeVar("T")
READ_TIMEOUT = 60.0
CRI_TOML = "/etc/cri/conf.d/cri.toml"
_MAX_SPECS = 32


class _Talos:
    def __init__(self, node: str, talosconfig: str | None, timeout: float) -> None:
        self.node, self.talosconfig, self.timeout = node, talosconfig, timeout

    def text(self, *command: str) -> str:
        argv = talosctl_argv(self.node, command, talosconfig=self.talosconfig)
        label = "talosctl " + " ".join(command)
        return run_tool(argv, label=label, timeout=self.timeout, check=True).stdout

    def fact(self, reader: Callable[[str, str], T], *command: str) -> Fact[T]:
        label = "talosctl " + " ".join(command)
        try:
            return Fact(reader(self.text(*command), label), label)
        except TalosGPUError as exc:
            return missing(f"{label} failed: {exc.message}", label)


def _spec_dirs(cri: Fact[str], version: TalosVersion) -> tuple[str, ...]:
    dirs = tuple(version.facts.cdi_default_spec_dirs)
    if cri.known:
        try:
            plugin = (toml_loads(str(cri.value), source=CRI_TOML).get("plugins") or {}).get(
                version.cri_runtime_table
            ) or {}
        except TalosGPUError:
            return dirs
        listed = plugin.get("cdi_spec_dirs")
        if isinstance(listed, list):
            dirs = tuple(str(d) for d in listed)
    return tuple(dict.fromkeys(dirs))


def _cdi(t: _Talos, dirs: tuple[str, ...]) -> Fact[tuple[SpecFile, ...]]:
    files: list[SpecFile] = []
    for directory in dirs:
        try:
            names = parse.parse_list(t.text("list", directory))
        except TalosGPUError:
            continue  # a listed dir that does not exist holds no spec (containerd skips it too)
        for name in names:
            if name.endswith((".yaml", ".yml", ".json")) and len(files) < _MAX_SPECS:
                path = f"{directory.rstrip('/')}/{name}"
                try:
                    files.append(SpecFile(path, t.text("read", path)))
                except TalosGPUError as exc:
                    files.append(SpecFile(path, None, exc.message))
    return Fact(tuple(files), f"talosctl list/read {' '.join(dirs)}")


def _hook_dirs(specs: Fact[tuple[SpecFile, ...]]) -> tuple[str, ...]:
    """HOOK_DIRS and the directory of every hook the readable specs name (the GPU Operator's
    toolkit installs its hooks in its own dir, not the extension's)."""
    dirs = list(HOOK_DIRS)
    for spec_file in specs.value or () if specs.known else ():
        if spec_file.text is None:
            continue
        try:
            spec = load_spec(spec_file.text, source=spec_file.path)
        except TalosGPUError:
            continue  # the cdi-spec check reports it
        for _, hook in iter_hooks(spec.data):
            path = hook.get("path")
            if isinstance(path, str) and path.startswith("/") and "/" in path[1:]:
                dirs.append(path.rsplit("/", 1)[0])
    return tuple(dict.fromkeys(dirs))


def _binaries(t: _Talos, dirs: tuple[str, ...]) -> Fact[tuple[str, ...]]:
    found: list[str] = []
    errors = []
    for directory in dirs:
        try:
            found.extend(f"{directory}/{n}" for n in parse.parse_list(t.text("list", directory)))
        except TalosGPUError as exc:
            errors.append(exc.message)
    if errors and not found:
        return missing(f"talosctl list {' '.join(dirs)} failed: {errors[0]}")
    return Fact(tuple(sorted(found)), f"talosctl list {' '.join(dirs)}")


def gather_live(
    node: str, *, talosconfig: str | None, timeout: float | None, version_hint: TalosVersion | None
) -> tuple[NodeFacts, dict[str, Any]]:
    """The Talos side of ``node``; returns the facts and the fields kubectl will fill."""
    t = _Talos(node, talosconfig, timeout or READ_TIMEOUT)
    tag_text = t.text("version")  # an unreachable node stops here (exit 2)
    tag = parse.parse_version_tag(tag_text)
    talos_tag: Fact[str] = (
        Fact(tag, "talosctl version")
        if tag
        else missing("talosctl version printed no server Tag", "talosctl version")
    )
    version = _version(tag, version_hint)
    cri = t.fact(lambda text, _: text, "read", CRI_TOML)
    dirs = _spec_dirs(cri, version)
    secrets: tuple[str, ...] = ()
    notes: list[str] = []
    try:
        live = fetch_live_config(node, talosconfig=talosconfig, timeout=t.timeout)
        secrets = tuple(collect_secret_values(live.documents))
    except TalosGPUError as exc:
        notes.append(f"machine config not read ({exc.message}); output is redacted by pattern only")
    pci: Fact[int] = (
        t.fact(
            lambda text, s: parse.parse_pci_gpus(text, source=s), "get", "pcidevices", "-o", "yaml"
        )
        if version.at_least("1.8")
        else missing(f"Talos {version} has no PCIDevices resource (added in 1.8)")
    )
    specs = _cdi(t, dirs)
    hook_dirs = _hook_dirs(specs)
    facts = NodeFacts(
        node=node,
        origin=f"talosctl -n {node}",
        talos_tag=talos_tag,
        extensions=t.fact(
            lambda text, s: parse.parse_extensions(text, source=s),
            "get",
            "extensions",
            "-o",
            "yaml",
        ),
        modules=t.fact(lambda text, _: parse.parse_proc_modules(text), "read", "/proc/modules"),
        services=t.fact(
            lambda text, s: parse.parse_services(text, source=s), "get", "services", "-o", "yaml"
        ),
        cri_config=cri,
        cdi_dirs=Fact(dirs, CRI_TOML if cri.known else f"containerd default for Talos {version}"),
        cdi_specs=specs,
        binaries=_binaries(t, hook_dirs),
        binary_dirs=hook_dirs,
        dmesg=t.fact(lambda text, _: text, "dmesg"),
        pci_gpus=pci,
        bpf_jit_harden=t.fact(
            lambda text, _: text.strip(), "read", "/proc/sys/net/core/bpf_jit_harden"
        ),
        notes=tuple(notes),
        secrets=secrets,
    )
    return facts, {}


def _version(tag: str | None, hint: TalosVersion | None) -> TalosVersion:
    if tag:
        try:
            return TalosVersion.parse(tag, assume_newest_known=True)
        except TalosGPUError:
            pass
    return hint or TalosVersion.parse(DEFAULT_VERSION)


class _Kube:
    def __init__(self, kubeconfig: str | None, timeout: float) -> None:
        exe = shutil.which("kubectl")
        if exe is None:
            raise TalosGPUError("kubectl not found on PATH")
        self.base = [exe, *(["--kubeconfig", kubeconfig] if kubeconfig else [])]
        self.timeout = timeout

    def json(self, *args: str) -> str:
        label = "kubectl " + " ".join(a for a in args if not a.startswith("--field-selector"))
        return run_tool([*self.base, *args], label=label, timeout=self.timeout, check=True).stdout


def kubectl_facts(
    node: str,
    *,
    k8s_name: str | None,
    kubeconfig: str | None,
    timeout: float | None,
    explicit: bool = False,
) -> dict[str, Fact[Any]]:
    """The Kubernetes facts of the node named ``k8s_name`` (else the one whose address is
    ``node``, and its source says so; never when the name was given ``explicit``ly, with
    ``--k8s-node``); every one skipped with the reason when kubectl is missing or fails."""
    try:
        kube = _Kube(kubeconfig, timeout or READ_TIMEOUT)
    except TalosGPUError as exc:
        reason = f"{exc.message} (Kubernetes checks need kubectl; --kubeconfig names its config)"
        return {k: missing(reason) for k in ("k8s_node", "runtime_classes", "pods", "events")}
    out: dict[str, Fact[Any]] = {}
    try:
        nodes = parse.parse_nodes_json(
            kube.json("get", "nodes", "-o", "json"), source="kubectl get nodes"
        )
    except TalosGPUError as exc:
        reason = f"kubectl get nodes failed: {exc.message}"
        return {k: missing(reason) for k in ("k8s_node", "runtime_classes", "pods", "events")}
    chosen = next((n for n in nodes if n.name == k8s_name), None) if k8s_name else None
    found_by = "kubectl get nodes"
    if chosen is None and not explicit:
        chosen = next((n for n in nodes if node in n.addresses or n.name == node), None)
        if chosen is not None and k8s_name:
            found_by = f"kubectl get nodes (no node named {k8s_name}: the one at {node})"
    for key, args, reader in (
        (
            "runtime_classes",
            ("get", "runtimeclass", "-o", "json"),
            parse.parse_runtime_classes_json,
        ),
    ):
        try:
            out[key] = Fact(
                reader(kube.json(*args), source="kubectl"), "kubectl " + " ".join(args[:2])
            )
        except TalosGPUError as exc:
            out[key] = missing(f"kubectl {' '.join(args[:2])} failed: {exc.message}")
    if chosen is None:
        reason = (
            f"no Kubernetes node named {k8s_name} (--k8s-node)"
            if explicit
            else f"no Kubernetes node named {k8s_name or node} or with address {node} (give --k8s-node NAME)"
        )
        return {
            **out,
            "k8s_node": missing(reason),
            "pods": missing(reason),
            "events": missing(reason),
        }
    out["k8s_node"] = Fact(chosen.node, found_by)
    name = chosen.node.name
    try:
        pods = parse.parse_pods_json(
            kube.json(
                "get", "pods", "-A", "--field-selector", f"spec.nodeName={name}", "-o", "json"
            ),
            source="kubectl get pods",
        )
        out["pods"] = Fact(pods, f"kubectl get pods (node {name})")
    except TalosGPUError as exc:
        pods = ()
        out["pods"] = missing(f"kubectl get pods failed: {exc.message}")
    try:
        events = parse.parse_events_json(
            kube.json("get", "events", "-A", "--field-selector", "type=Warning", "-o", "json"),
            source="kubectl get events",
        )
        mine = {f"Pod/{p.namespace}/{p.name}" for p in pods} | {f"Node/{name}"}
        kept = tuple(e for e in events if e.object in mine or "nvidia.com/gpu" in e.message)
        out["events"] = Fact(kept, "kubectl get events (Warning)")
    except TalosGPUError as exc:
        out["events"] = missing(f"kubectl get events failed: {exc.message}")
    return out


def with_pasted_events(facts: dict[str, Fact[Any]], text: str | None, source: str) -> None:
    """Add the events of ``--events FILE`` (one event holding the whole text) to ``facts``."""
    if text is None:
        return
    pasted = parse.parse_events_text(text)
    have = facts.get("events")
    earlier: tuple[Event, ...] = tuple(have.value or ()) if have is not None and have.known else ()
    facts["events"] = Fact(
        (*earlier, *pasted), source if not earlier else f"{have.source if have else ''} + {source}"
    )
