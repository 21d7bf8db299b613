"""What doctor knows about one node: each fact gathered, or the reason it could not be.

A :class:`Fact` is either a value with the place it came from (``source``: the talosctl/kubectl
command, or the file inside a support bundle) or ``skipped`` with the reason (the release has no
such resource, the command failed, the bundle does not hold it). A check that needs a skipped
fact reports ``skip`` with that reason: nothing passes in silence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

__all__ = [
    "KUBE_SYSTEM_ONLY",
    "Event",
    "Extension",
    "Fact",
    "K8sNode",
    "NodeFacts",
    "Pod",
    "Service",
    "SpecFile",
    "missing",
]

T = TypeVar("T")
KUBE_SYSTEM_ONLY = "kube-system only"  # a pod list that covers that namespace alone (a bundle's)


@dataclass(frozen=True, slots=True)
class Fact(Generic[T]):
    """A gathered value (``value``, from ``source``) or why there is none (``skipped``)."""

    value: T | None = None
    source: str = ""
    skipped: str | None = None

    @property
    def known(self) -> bool:
        return self.skipped is None and self.value is not None


def missing(reason: str, source: str = "") -> Fact[Any]:
    """A fact that could not be gathered, and why."""
    return Fact(None, source, reason)


@dataclass(frozen=True, slots=True)
class Extension:
    """One ``ExtensionStatuses.runtime.talos.dev`` resource (``talosctl get extensions``)."""

    name: str
    version: str
    image: str = ""


@dataclass(frozen=True, slots=True)
class Service:
    """One ``Services.v1alpha1.talos.dev`` resource (``talosctl get services``)."""

    id: str
    running: bool
    healthy: bool


@dataclass(frozen=True, slots=True)
class SpecFile:
    """A CDI spec file read from the node: its path and text (``None``: listed, unreadable)."""

    path: str
    text: str | None
    error: str = ""


@dataclass(frozen=True, slots=True)
class K8sNode:
    """The Kubernetes Node object's parts doctor checks (``kubectl get node NAME -o json``)."""

    name: str
    labels: dict[str, str]
    taints: tuple[tuple[str, str, str], ...]  # (key, value, effect)
    capacity: dict[str, str]
    allocatable: dict[str, str]


@dataclass(frozen=True, slots=True)
class Pod:
    """A pod on the node (``kubectl get pods -A -o json``), reduced to its health."""

    namespace: str
    name: str
    phase: str
    ready: bool
    images: tuple[str, ...]
    problems: tuple[str, ...] = ()  # waiting/terminated reasons and messages


@dataclass(frozen=True, slots=True)
class Event:
    """A Kubernetes event (``kubectl get events -A -o json``) or a pasted event line."""

    object: str  # "Pod/default/gpu-test", "Node/talos05", or "" when pasted
    reason: str
    message: str
    type: str = "Warning"


RuntimeClassFact = tuple[str, str, tuple[tuple[str, str], ...]]

# where the NVIDIA extension puts its toolkit binaries (/usr/local/bin) and, from 1.13, their
# symlinks (/usr/bin, talos#13022)
HOOK_DIRS = ("/usr/local/bin", "/usr/bin")


@dataclass(frozen=True)
class NodeFacts:
    """Everything gathered from one node (live through talosctl/kubectl, or from a bundle)."""

    node: str
    origin: str  # "talosctl -n 10.0.0.5", "support bundle support.zip"
    talos_tag: Fact[str] = field(default_factory=lambda: missing("not gathered"))
    extensions: Fact[tuple[Extension, ...]] = field(default_factory=lambda: missing("not gathered"))
    modules: Fact[tuple[str, ...]] = field(default_factory=lambda: missing("not gathered"))
    services: Fact[tuple[Service, ...]] = field(default_factory=lambda: missing("not gathered"))
    cri_config: Fact[str] = field(default_factory=lambda: missing("not gathered"))
    cdi_specs: Fact[tuple[SpecFile, ...]] = field(default_factory=lambda: missing("not gathered"))
    cdi_dirs: Fact[tuple[str, ...]] = field(default_factory=lambda: missing("not gathered"))
    binaries: Fact[tuple[str, ...]] = field(default_factory=lambda: missing("not gathered"))
    # the directories ``binaries`` lists: a hook elsewhere is not judged present or absent
    binary_dirs: tuple[str, ...] = HOOK_DIRS
    dmesg: Fact[str] = field(default_factory=lambda: missing("not gathered"))
    pci_gpus: Fact[int] = field(default_factory=lambda: missing("not gathered"))
    bpf_jit_harden: Fact[str] = field(default_factory=lambda: missing("not gathered"))
    machine_config: Fact[tuple[dict[str, Any], ...]] = field(
        default_factory=lambda: missing("not gathered")
    )
    k8s_node: Fact[K8sNode] = field(default_factory=lambda: missing("not gathered"))
    # (name, handler, scheduling.nodeSelector as sorted pairs) of every RuntimeClass
    runtime_classes: Fact[tuple[RuntimeClassFact, ...]] = field(
        default_factory=lambda: missing("not gathered")
    )
    pods: Fact[tuple[Pod, ...]] = field(default_factory=lambda: missing("not gathered"))
    events: Fact[tuple[Event, ...]] = field(default_factory=lambda: missing("not gathered"))
    notes: tuple[str, ...] = ()
    secrets: tuple[str, ...] = field(default=(), repr=False)  # values to mask in every output
