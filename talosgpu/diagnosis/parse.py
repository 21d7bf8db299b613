"""Reading talosctl and kubectl output (and support-bundle files) into facts: pure, on text.

Shapes, as printed by the upstream tools (siderolabs/talos snapshot ``ad8823176e75``, tags
v1.11.0-v1.14.0-rc.1; kubernetes API types):

* ``talosctl version``: ``Client:`` then ``Server:`` blocks of ``\\tTag:         v1.11.1`` lines
  (``pkg/machinery/version/version.go`` ``versionTemplate``; ``cmd/talosctl/cmd/talos/version.go``
  adds ``\\tNODE:`` per node). The support bundle's ``<node>/summary`` is the same text
  (go-talos-support ``support/collectors/talos.go`` ``summary``).
* ``talosctl get <type> -o yaml``: one document per resource, ``node``/``metadata``/``spec``
  (``cmd/talosctl/cmd/talos/output/yaml.go``); a bundle's ``<node>/resources/<type>.yaml`` has
  ``metadata``/``spec`` only, and ``spec: <REDACTED>`` for Sensitive types (``talosResource``).
* ``/proc/modules``: ``name size refcount deps state address [(taints)]``, one module a line.
* ``kubectl get ... -o json``: a ``List`` with ``items`` (core/v1 Node, Pod, Event;
  node.k8s.io/v1 RuntimeClass ``handler``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from talosgpu import yamlio
from talosgpu.diagnosis.facts import Event, Extension, K8sNode, Pod, Service
from talosgpu.errors import TalosGPUError

__all__ = [
    "NodeEntry",
    "nvidia_kernel_lines",
    "parse_events_json",
    "parse_events_text",
    "parse_extensions",
    "parse_list",
    "parse_loaded_modules",
    "parse_node_json",
    "parse_nodes_json",
    "parse_pci_gpus",
    "parse_pods_json",
    "parse_proc_modules",
    "parse_resources",
    "parse_runtime_classes_json",
    "parse_services",
    "parse_version_tag",
]

_TAG = re.compile(r"^\s*Tag:\s+(v?\d+\.\d+\.\d+\S*)\s*$", re.MULTILINE)
_NVIDIA_LINE = re.compile(r"NVRM|nvidia|NVIDIA", re.IGNORECASE)
# "<node>: kern:    info: [2025-11-27T16:58:24Z]: " (talosctl dmesg) or a bundle's dmesg.log line
_PREFIX = re.compile(r"^(?:\S+:\s+)?(?:\w+:\s+\w+:\s+\[[^\]]*\]:\s+)?")
# a new NVRM message rather than the continuation of the one before
_MESSAGE_START = re.compile(
    r"(?:The NVIDIA|loading NVIDIA|GPU |RmInitAdapter|Xid|nvidia-|API mismatch|objClInitPcieChipset)"
)
_NVIDIA_VENDOR = 0x10DE
_DISPLAY_CLASS = 0x03  # PCI base class "Display controller"


def parse_version_tag(text: str) -> str | None:
    """The server's ``Tag`` in ``talosctl version`` output (the client's when no server block)."""
    server = text.split("Server:", 1)[1] if "Server:" in text else ""
    match = _TAG.search(server)
    return match.group(1) if match else None


def parse_resources(text: str, *, source: str) -> list[tuple[str, Any]]:
    """``(id, spec)`` of every resource document (talosctl ``-o yaml`` or a bundle file)."""
    out: list[tuple[str, Any]] = []
    for doc in yamlio.load_all(text, source=source):
        if not isinstance(doc, dict):
            continue
        meta = doc.get("metadata")
        if not isinstance(meta, dict) or "id" not in meta:
            raise TalosGPUError("not a Talos resource document (no metadata.id)", file=source)
        out.append((str(meta["id"]), doc.get("spec")))
    return out


def parse_extensions(text: str, *, source: str) -> tuple[Extension, ...]:
    """ExtensionStatus specs: ``image`` and ``metadata.{name,version}``
    (``pkg/machinery/extensions/config.go`` ``Layer``, ``metadata.go`` ``Metadata``)."""
    out = []
    for _, spec in parse_resources(text, source=source):
        if not isinstance(spec, dict):
            continue
        meta: dict[str, Any] = spec["metadata"] if isinstance(spec.get("metadata"), dict) else {}
        out.append(
            Extension(
                name=str(meta.get("name", "")),
                version=str(meta.get("version", "")),
                image=str(spec.get("image", "")),
            )
        )
    return tuple(sorted(out, key=lambda e: e.name))


def parse_services(text: str, *, source: str) -> tuple[Service, ...]:
    """Service specs ``running``/``healthy`` (``pkg/machinery/resources/v1alpha1/service.go``)."""
    out = []
    for ident, spec in parse_resources(text, source=source):
        spec = spec if isinstance(spec, dict) else {}
        out.append(Service(ident, bool(spec.get("running")), bool(spec.get("healthy"))))
    return tuple(sorted(out, key=lambda s: s.id))


def parse_proc_modules(text: str) -> tuple[str, ...]:
    """Module names of ``/proc/modules`` whose state is ``Live``."""
    names = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 5 and parts[4] == "Live":
            names.append(parts[0])
    return tuple(sorted(names))


def parse_loaded_modules(text: str, *, source: str) -> tuple[str, ...]:
    """Module names of ``LoadedKernelModules.runtime.talos.dev`` (Talos 1.11+; resource id =
    module name, ``spec.state``; ``pkg/machinery/resources/runtime/loaded_kernel_module.go``)."""
    names = []
    for ident, spec in parse_resources(text, source=source):
        state = spec.get("state") if isinstance(spec, dict) else None
        if state in (None, "Live"):
            names.append(ident)
    return tuple(sorted(names))


def _hex(value: object) -> int:
    # talosctl prints the IDs as quoted strings ("0x10de"); an unquoted 0x10de reads as an int
    return value if isinstance(value, int) and not isinstance(value, bool) else int(str(value), 16)


def parse_pci_gpus(text: str, *, source: str) -> int:
    """NVIDIA display controllers in ``PCIDevices.hardware.talos.dev`` (``class_id`` ``0x03``,
    ``vendor_id`` ``0x10de``: ``internal/app/machined/pkg/controllers/hardware/pcidevices.go``)."""
    count = 0
    for _, spec in parse_resources(text, source=source):
        if not isinstance(spec, dict):
            continue
        try:
            vendor, klass = (_hex(spec.get(key, "0")) for key in ("vendor_id", "class_id"))
        except ValueError:
            continue
        count += vendor == _NVIDIA_VENDOR and klass == _DISPLAY_CLASS
    return count


def parse_list(text: str) -> tuple[str, ...]:
    """Names printed by ``talosctl list DIR`` for one node (one relative name a line; ``.`` is
    the directory itself: ``cmd/talosctl/cmd/talos/list.go``)."""
    names = [line.strip() for line in text.splitlines()]
    return tuple(sorted(n for n in names if n and n != "." and n != "NODE"))


def nvidia_kernel_lines(text: str) -> tuple[str, ...]:
    """The NVIDIA driver's kernel messages (``NVRM:``, ``nvidia``), without the ``node:`` /
    facility / timestamp prefixes, consecutive ``NVRM:`` lines joined into one message: the
    driver wraps one message over several (``NVRM: installed in this system is not supported by
    open`` / ``NVRM: nvidia.ko because ...``)."""
    out: list[str] = []
    joining = False
    for raw in text.splitlines():
        if not _NVIDIA_LINE.search(raw):
            joining = False
            continue
        line = _PREFIX.sub("", raw.rstrip())
        nvrm = line.startswith("NVRM:")
        body = line.removeprefix("NVRM:").strip()
        if nvrm and joining and out and not _MESSAGE_START.match(body):
            out[-1] = f"{out[-1]} {body}"
        else:
            out.append(f"NVRM: {body}" if nvrm else line)
        joining = nvrm
    return tuple(out)


def _items(text: str, *, source: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise TalosGPUError(f"kubectl printed no JSON ({exc})", file=source) from None
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        return [i for i in data["items"] if isinstance(i, dict)]
    if isinstance(data, dict) and data.get("kind") not in (None, "List"):
        return [data]
    raise TalosGPUError("kubectl JSON is neither a List nor an object", file=source)


@dataclass(frozen=True, slots=True)
class NodeEntry:
    """A Node of ``kubectl get nodes -o json`` with its ``status.addresses``."""

    node: K8sNode
    addresses: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.node.name


def parse_nodes_json(text: str, *, source: str) -> tuple[NodeEntry, ...]:
    """Every core/v1 Node of a List, with its addresses (to find a node by its IP)."""
    out = []
    for item in _items(text, source=source):
        status = item.get("status") or {}
        addresses = tuple(
            str(a.get("address", "")) for a in status.get("addresses") or () if isinstance(a, dict)
        )
        out.append(NodeEntry(_node(item), addresses))
    return tuple(out)


def parse_node_json(text: str, *, source: str) -> K8sNode:
    """A core/v1 Node: ``metadata.labels``, ``spec.taints``, ``status.capacity|allocatable``."""
    items = _items(text, source=source)
    if not items:
        raise TalosGPUError("kubectl returned no Node", file=source)
    return _node(items[0])


def _node(node: dict[str, Any]) -> K8sNode:
    meta, spec, status = (node.get(k) or {} for k in ("metadata", "spec", "status"))
    taints = tuple(
        (str(t.get("key", "")), str(t.get("value", "")), str(t.get("effect", "")))
        for t in spec.get("taints") or ()
        if isinstance(t, dict)
    )
    return K8sNode(
        name=str(meta.get("name", "")),
        labels={str(k): str(v) for k, v in (meta.get("labels") or {}).items()},
        taints=taints,
        capacity={str(k): str(v) for k, v in (status.get("capacity") or {}).items()},
        allocatable={str(k): str(v) for k, v in (status.get("allocatable") or {}).items()},
    )


def parse_runtime_classes_json(
    text: str, *, source: str
) -> tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]:
    """``(name, handler, nodeSelector pairs)`` of every node.k8s.io/v1 RuntimeClass (its
    ``scheduling.nodeSelector``: the nodes its pods may run on, kubernetes.io "RuntimeClass
    Scheduling")."""
    out = []
    for rc in _items(text, source=source):
        selector = ((rc.get("scheduling") or {}).get("nodeSelector")) or {}
        pairs = (
            tuple(sorted((str(k), str(v)) for k, v in selector.items()))
            if isinstance(selector, dict)
            else ()
        )
        out.append(
            (str((rc.get("metadata") or {}).get("name", "")), str(rc.get("handler", "")), pairs)
        )
    return tuple(sorted(out))


def _container_problems(status: dict[str, Any]) -> list[str]:
    out = []
    for cs in [
        *(status.get("initContainerStatuses") or ()),
        *(status.get("containerStatuses") or ()),
    ]:
        state = cs.get("state") or {}
        for key in ("waiting", "terminated"):
            detail = state.get(key)
            if isinstance(detail, dict) and detail.get("reason") not in (None, "Completed"):
                out.append(
                    f"{cs.get('name')}: {detail.get('reason')}: {detail.get('message', '')}".rstrip(
                        ": "
                    )
                )
    return out


def parse_pods_json(text: str, *, source: str) -> tuple[Pod, ...]:
    """core/v1 Pods: phase, the Ready condition, images and container problems."""
    out = []
    for pod in _items(text, source=source):
        meta, spec, status = (pod.get(k) or {} for k in ("metadata", "spec", "status"))
        ready = any(
            c.get("type") == "Ready" and c.get("status") == "True"
            for c in status.get("conditions") or ()
        )
        images = tuple(str(c.get("image", "")) for c in spec.get("containers") or ())
        out.append(
            Pod(
                namespace=str(meta.get("namespace", "")),
                name=str(meta.get("name", "")),
                phase=str(status.get("phase", "")),
                ready=ready,
                images=images,
                problems=tuple(_container_problems(status)),
            )
        )
    return tuple(sorted(out, key=lambda p: (p.namespace, p.name)))


def parse_events_json(text: str, *, source: str) -> tuple[Event, ...]:
    """core/v1 Events: ``involvedObject``, ``reason``, ``message``, ``type``."""
    out = []
    for ev in _items(text, source=source):
        obj = ev.get("involvedObject") or {}
        where = "/".join(
            str(p) for p in (obj.get("kind"), obj.get("namespace"), obj.get("name")) if p
        )
        out.append(
            Event(
                where,
                str(ev.get("reason", "")),
                str(ev.get("message", "")),
                str(ev.get("type", "")),
            )
        )
    return tuple(out)


def parse_events_text(text: str) -> tuple[Event, ...]:
    """Pasted ``kubectl describe`` / ``kubectl get events`` output: one event holding the whole
    text (known failures span lines, e.g. the eBPF device-filter error; explain finds them)."""
    return (Event("", "", text, ""),) if text.strip() else ()
