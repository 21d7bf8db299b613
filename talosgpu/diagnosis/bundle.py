"""Reading a ``talosctl support`` bundle (zip bytes) into per-node facts.

Layout (siderolabs/go-talos-support ``support/collectors/collectors.go`` and ``talos.go``,
``kubernetes.go``, snapshot 0f784bd, v0.1.x, which Talos 1.8-1.12 use; Talos 1.13 pins
v0.2.1 and 1.14 v0.3.1, not in the snapshot: the layout below is assumed unchanged for them, and a
missing file is reported as such):

* ``<node>/summary`` — ``Client:`` / ``Server:`` version blocks (``Tag:``);
* ``<node>/dmesg.log`` — the kernel log;
* ``<node>/resources/<type, lower case>.yaml`` — every resource of every ResourceDefinition in its
  default namespace, ``metadata`` + ``spec`` documents; ``spec: <REDACTED>`` for Sensitive types
  (so the MachineConfig is never in a bundle);
* ``<node>/service-logs/<id>.log`` and ``.state``, ``<node>/kubernetes-logs/kube-system/*.log``;
* ``kubernetesResources/nodes.yaml`` / ``systemPods.yaml`` — the Node and kube-system Pod lists
  as YAML.

Talos 1.14's talosctl encrypts the bundle with age by default (``support.go``, commit cb42d9d9a,
``--no-encryption``); such a file is refused with that advice. CRI config, CDI specs and binaries
are not in a bundle: those facts are skipped with that reason.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any, TypeVar

from talosgpu import yamlio
from talosgpu.diagnosis import parse
from talosgpu.diagnosis.facts import KUBE_SYSTEM_ONLY, Event, Fact, NodeFacts, missing
from talosgpu.errors import TalosGPUError

__all__ = ["BUNDLE_ABSENT", "bundle_nodes", "read_bundle"]

T = TypeVar("T")
BUNDLE_ABSENT = "a talosctl support bundle does not hold it"
_MAX_MEMBERS = 100_000
_RES = "resources/"


class _Zip:
    def __init__(self, data: bytes, *, source: str, limit: int) -> None:
        if data.startswith(b"age-encryption.org/"):
            raise TalosGPUError(
                "the support bundle is age-encrypted (talosctl support encrypts by default since "
                "Talos 1.14); create it with talosctl support --no-encryption",
                file=source,
            )
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise TalosGPUError(
                "not a zip file (talosctl support writes a .zip)", file=source
            ) from None
        infos = self.zip.infolist()
        if len(infos) > _MAX_MEMBERS:
            raise TalosGPUError(
                f"the bundle has {len(infos):,} files; talosgpu reads at most {_MAX_MEMBERS:,}",
                file=source,
            )
        self.infos = {i.filename: i for i in infos if not i.is_dir()}
        self.source, self.limit = source, limit

    def text(self, name: str) -> str | None:
        info = self.infos.get(name)
        if info is None:
            return None
        if info.file_size > self.limit:
            raise TalosGPUError(
                f"{name} is {info.file_size:,} bytes; talosgpu reads at most {self.limit:,} from one input "
                "(TALOSGPU_MAX_INPUT_MIB raises the limit)",
                file=self.source,
            )
        with self.zip.open(info) as handle:
            data = handle.read(self.limit + 1)
        if len(data) > self.limit:
            raise TalosGPUError(f"{name} expands past {self.limit:,} bytes", file=self.source)
        return data.decode("utf-8", errors="replace")


def bundle_nodes(data: bytes, *, source: str, limit: int) -> tuple[str, ...]:
    """The node folders of a bundle (every top-level folder holding a ``summary`` or resources)."""
    archive = _Zip(data, source=source, limit=limit)
    return tuple(sorted({n.split("/", 1)[0] for n in archive.infos if n.count("/") >= 1 and (
        n.endswith("/summary") or f"/{_RES}" in n)}))  # fmt: skip


def _fact(
    archive: _Zip, node: str, name: str, reader: Callable[[str, str], T], absent: str
) -> Fact[T]:
    path = f"{node}/{name}"
    text = archive.text(path)
    where = f"bundle {path}"
    if text is None:
        return missing(absent, where)
    if text.lstrip().startswith("spec: <REDACTED>") or "spec: <REDACTED>" in text[:2000]:
        return missing("redacted in the bundle (a Sensitive resource)", where)
    try:
        return Fact(reader(text, path), where)
    except TalosGPUError as exc:
        return missing(f"unreadable: {exc.message}", where)


def _version(text: str, _: str) -> str:
    tag = parse.parse_version_tag(text)
    if tag is None:
        raise TalosGPUError("no server Tag in the summary")
    return tag


def _k8s(archive: _Zip, node: str, k8s_name: str | None, facts: dict[str, Any]) -> None:
    text = archive.text("kubernetesResources/nodes.yaml")
    where = "bundle kubernetesResources/nodes.yaml"
    if text is None:
        facts["k8s_node"] = missing(
            "the bundle has no kubernetesResources/nodes.yaml (talosctl support ran without Kubernetes access)",
            where,
        )
        return
    items = (yamlio.load(text, source=where) or {}).get("items") or []
    chosen = None
    for item in items:
        meta, status = item.get("metadata") or {}, item.get("status") or {}
        addresses = {a.get("address") for a in status.get("addresses") or ()}
        if meta.get("name") in (k8s_name, node) or node in addresses:
            chosen = item
            break
    if chosen is None:
        facts["k8s_node"] = missing(
            f"no Kubernetes node named {k8s_name or node} or with address {node} in the bundle",
            where,
        )
        return
    node_obj = parse.parse_node_json(json.dumps(chosen), source=where)
    facts["k8s_node"] = Fact(node_obj, where)
    pods_text = archive.text("kubernetesResources/systemPods.yaml")
    if pods_text is not None:
        pods_doc = yamlio.load(pods_text, source="systemPods.yaml") or {}
        mine = [
            p
            for p in pods_doc.get("items") or ()
            if (p.get("spec") or {}).get("nodeName") == node_obj.name
        ]
        facts["pods"] = Fact(parse.parse_pods_json(json.dumps({"items": mine}), source="systemPods.yaml"),
                             f"bundle kubernetesResources/systemPods.yaml ({KUBE_SYSTEM_ONLY})")  # fmt: skip


def read_bundle(
    data: bytes, *, source: str, node: str | None, k8s_name: str | None, limit: int
) -> NodeFacts:
    """The facts of ``node`` (a folder of the bundle; the only one, or the one with NVIDIA
    extensions, when not given). Raises :class:`TalosGPUError` naming the nodes it holds."""
    archive = _Zip(data, source=source, limit=limit)
    nodes = bundle_nodes(data, source=source, limit=limit)
    if not nodes:
        raise TalosGPUError(
            "no node folders in the bundle (not a talosctl support bundle?)", file=source
        )
    if node is None:
        gpu = [
            n
            for n in nodes
            if "nvidia"
            in (archive.text(f"{n}/{_RES}extensionstatuses.runtime.talos.dev.yaml") or "")
        ]
        if len(gpu) != 1 and len(nodes) != 1:
            raise TalosGPUError(
                f"the bundle holds nodes {', '.join(nodes)}; pick one with --node", file=source
            )
        node = gpu[0] if len(gpu) == 1 else nodes[0]
    elif node not in nodes:
        raise TalosGPUError(
            f"node {node} is not in the bundle (it holds {', '.join(nodes)})", file=source
        )
    res = f"{_RES}"
    loaded = _fact(archive, node, f"{res}loadedkernelmodules.runtime.talos.dev.yaml",
                   lambda t, s: parse.parse_loaded_modules(t, source=s),
                   "no LoadedKernelModules resource in the bundle (Talos < 1.11 has none: "
                   "pkg/machinery/resources/runtime/loaded_kernel_module.go, v1.11.0)")  # fmt: skip
    facts: dict[str, Any] = {
        "talos_tag": _fact(archive, node, "summary", _version, "the bundle has no summary"),
        "extensions": _fact(
            archive,
            node,
            f"{res}extensionstatuses.runtime.talos.dev.yaml",
            lambda t, s: parse.parse_extensions(t, source=s),
            "no ExtensionStatuses in the bundle (not collected, or the node has no extensions: the bundle does not tell which)",
        ),
        "modules": loaded,
        "services": _fact(
            archive,
            node,
            f"{res}services.v1alpha1.talos.dev.yaml",
            lambda t, s: parse.parse_services(t, source=s),
            "no Services resource in the bundle",
        ),
        "dmesg": _fact(archive, node, "dmesg.log", lambda t, s: t, "the bundle has no dmesg.log"),
        "pci_gpus": _fact(
            archive,
            node,
            f"{res}pcidevices.hardware.talos.dev.yaml",
            lambda t, s: parse.parse_pci_gpus(t, source=s),
            "no PCIDevices resource in the bundle",
        ),
        "cri_config": missing(
            f"the effective CRI config (/etc/cri/conf.d/cri.toml): {BUNDLE_ABSENT}"
        ),
        "cdi_specs": missing(f"CDI spec files: {BUNDLE_ABSENT}"),
        "binaries": missing(f"the hook binaries' directory listing: {BUNDLE_ABSENT}"),
        "machine_config": missing("the MachineConfig is Sensitive: the bundle holds <REDACTED>"),
        "runtime_classes": missing(f"RuntimeClasses: {BUNDLE_ABSENT}"),
        "pods": missing("no kube-system pod list in the bundle"),
    }
    _k8s(archive, node, k8s_name, facts)
    logs = [
        n
        for n in archive.infos
        if n.endswith(".log")
        and (
            n.startswith(f"{node}/service-logs/ext-nvidia")
            or (n.startswith(f"{node}/kubernetes-logs/") and "nvidia" in n.rsplit("/", 1)[-1])
        )
    ]
    notes = (f"read {len(archive.infos)} files of {source}",)
    return NodeFacts(node=node, origin=f"support bundle {source}", notes=notes, **facts,
                     events=_log_events(archive, logs))  # fmt: skip


def _log_events(archive: _Zip, names: list[str]) -> Fact[Any]:
    events = tuple(Event(f"log {n}", "", archive.text(n) or "", "") for n in sorted(names))
    return (
        Fact(events, "bundle service logs")
        if events
        else missing(
            "no ext-nvidia service logs or nvidia kube-system container logs in the bundle"
        )
    )
