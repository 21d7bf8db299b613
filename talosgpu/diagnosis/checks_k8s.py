"""Checks of the Kubernetes side, and the known failures in events and pasted output.

Facts (``--kubeconfig``, else kubectl's own lookup): ``kubectl get node NAME -o json``
(core/v1 Node ``metadata.labels``, ``spec.taints``, ``status.capacity`` / ``allocatable``),
``kubectl get runtimeclass -o json`` (node.k8s.io/v1 ``handler``), ``kubectl get pods -A
--field-selector spec.nodeName=NAME -o json``, ``kubectl get events -A --field-selector
type=Warning -o json`` (core/v1 Event ``involvedObject``, ``reason``, ``message``), or the
text of ``--events FILE``. Device-plugin behaviour: NVIDIA/k8s-device-plugin README (the
``nvidia.com/gpu.present`` label; time-slicing multiplies ``nvidia.com/gpu`` by ``replicas``).
"""

from __future__ import annotations

from talosgpu.diagnosis.expect import Expect
from talosgpu.diagnosis.facts import KUBE_SYSTEM_ONLY, NodeFacts
from talosgpu.diagnosis.model import Check, not_applicable, skipped
from talosgpu.k8s.common import HOSTNAME_LABEL, gpu_resource_name
from talosgpu.knowledge.explain import explain

__all__ = ["k8s_checks"]

_PLUGIN_HINTS = ("nvidia-device-plugin", "device-plugin", "gpu-operator", "nvidia-operator")


def _node_skip(ident: str, title: str, facts: NodeFacts) -> Check:
    return skipped(ident, title, str(facts.k8s_node.skipped))


def _labels(facts: NodeFacts, ex: Expect) -> Check:
    title = "Node labels the device plugin and GPU pods select on"
    if not facts.k8s_node.known or facts.k8s_node.value is None:
        return _node_skip("node-labels", title, facts)
    node = facts.k8s_node.value
    wanted = ex.plan.labels
    pinned = ex.plan.intent.node.name
    seen_as = node.labels.get(HOSTNAME_LABEL)
    if pinned and seen_as is not None and seen_as != pinned:
        # k8s/common.py node_selector: talosgpu's pinned pods select the intent's node name
        return Check(
            "node-labels", title, "fail",
            (f"{facts.k8s_node.source}: {HOSTNAME_LABEL}={seen_as}",
             f"talosgpu's pods pinned to this node select {HOSTNAME_LABEL}={pinned}"),
            cause=f"the intent names the node {pinned!r} but Kubernetes knows it as {seen_as!r}: "
            "the pods talosgpu pins to it (CDI spec generator, verification pods) never schedule",
            fix=f"give the node the hostname {pinned!r}, or name it {seen_as!r} in the intent "
            f"(node.name; in an inventory, the node's name) and apply the manifests rendered "
            f"again: {ex.manifests_fix}",
        )  # fmt: skip
    if not wanted:
        return Check(
            "node-labels",
            title,
            "pass",
            (f"the plan for runtime mode {ex.plan.mode} needs no labels",),
        )
    evidence = tuple(
        f"{facts.k8s_node.source}: {k}={node.labels.get(k, '(absent)')}" for k in sorted(wanted)
    )
    wrong = [k for k, val in sorted(wanted.items()) if node.labels.get(k) != val]
    if not wrong:
        return Check("node-labels", title, "pass", evidence)
    sets = " ".join(f"{k}={wanted[k]}" for k in wrong)
    return Check("node-labels", title, "fail", evidence,
                 cause=f"label {', '.join(wrong)} missing or different: the device plugin DaemonSet "
                 "does not schedule on this node (or picks another sharing config)",
                 fix=f"{ex.render_fix} (or now: kubectl label node {node.name} --overwrite {sets})",
                 explain="time-slicing-not-applied" if any("device-plugin.config" in k for k in wrong) else "device-plugin-not-scheduled")  # fmt: skip


def _taints(facts: NodeFacts, ex: Expect) -> Check:
    title = "Node taints"
    if not ex.plan.taints:
        return not_applicable("node-taints", title, "the intent asks for no taints")
    if not facts.k8s_node.known or facts.k8s_node.value is None:
        return _node_skip("node-taints", title, facts)
    node = facts.k8s_node.value
    have = {k: (v, e) for k, v, e in node.taints}
    missing = []
    for key, spec in sorted(ex.plan.taints.items()):
        value, _, effect = spec.rpartition(":") if ":" in spec else ("", "", spec)
        if have.get(key) != (value, effect):
            missing.append(f"{key}={value}:{effect}" if value else f"{key}:{effect}")
    evidence = tuple(f"{facts.k8s_node.source}: taint {k}={v}:{e}" for k, (v, e) in sorted(have.items())) or (
        f"{facts.k8s_node.source}: no taints",)  # fmt: skip
    if not missing:
        return Check("node-taints", title, "pass", evidence)
    return Check("node-taints", title, "warn", evidence,
                 cause=f"taint {', '.join(missing)} is not on the node (taints apply at registration)",
                 fix=f"kubectl taint node {node.name} {' '.join(missing)}")  # fmt: skip


_SHARING = "GPU sharing replicas as configured"


def _advertised(facts: NodeFacts, ex: Expect) -> list[Check]:
    title = "GPUs advertised to Kubernetes"
    sharing = ex.plan.intent.sharing
    no_sharing = (
        "the intent shares no GPU"
        if sharing.strategy == "none" or sharing.replicas is None
        else None
    )
    if no_sharing is not None:
        shared = not_applicable("time-slicing", _SHARING, no_sharing)
    elif not facts.k8s_node.known or facts.k8s_node.value is None:
        shared = skipped(
            "time-slicing", _SHARING, f"the Kubernetes node was not read: {facts.k8s_node.skipped}"
        )
    else:
        shared = skipped("time-slicing", _SHARING, "no GPU is advertised (gpu-advertised)")
    if not facts.k8s_node.known or facts.k8s_node.value is None:
        return [_node_skip("gpu-advertised", title, facts), shared]
    if ex.plan.mode == "none":
        return [not_applicable("gpu-advertised", title, "runtime mode none"),
                not_applicable("time-slicing", _SHARING, "runtime mode none")]  # fmt: skip
    node, src = facts.k8s_node.value, facts.k8s_node.source
    resource = gpu_resource_name(ex.plan)
    cap, alloc = node.capacity.get(resource, "0"), node.allocatable.get(resource, "0")
    evidence = (f"{src}: capacity {resource}={cap}, allocatable {resource}={alloc}",)
    out: list[Check] = []
    if not cap.isdigit() or int(cap) == 0:
        out.append(Check("gpu-advertised", title, "fail", evidence,
                         cause=f"the node advertises no {resource}: the device plugin is not running "
                         "there, or it found no GPU; GPU pods stay Pending ('Insufficient nvidia.com/gpu')",
                         fix=f"the device plugin must run on {node.name} (gpu-pods); once it does, its log says whether it found the GPU: kubectl -n <its namespace> logs <its pod>",
                         explain="insufficient-gpu"))  # fmt: skip
        return [*out, shared]
    out.append(Check("gpu-advertised", title, "pass", evidence))
    if no_sharing is not None or sharing.replicas is None:
        return [*out, shared]
    if facts.pci_gpus.known and not facts.pci_gpus.value:
        return [*out, skipped("time-slicing", _SHARING, f"{facts.pci_gpus.source}: no NVIDIA display controller on the PCI bus, so no count to multiply")]  # fmt: skip
    if facts.pci_gpus.known and facts.pci_gpus.value:
        gpus, origin = (
            int(facts.pci_gpus.value),
            f"{facts.pci_gpus.source}: {facts.pci_gpus.value} NVIDIA display controller(s)",
        )
    else:
        gpus, origin = (
            ex.plan.intent.gpu.count,
            f"assumed: {ex.plan.intent.gpu.count} GPU(s) from the intent (gpu.count; the PCI devices were not read: {facts.pci_gpus.skipped})",
        )
    expected = gpus * sharing.replicas
    sl_title = f"{sharing.strategy} replicas as configured"
    sl_evidence = (*evidence, origin, f"expected {gpus} x {sharing.replicas} = {expected}")
    if int(cap) == expected:
        out.append(Check("time-slicing", sl_title, "pass", sl_evidence))
    else:
        out.append(Check("time-slicing", sl_title, "fail", sl_evidence,
                         cause=f"capacity {cap}, expected {expected}: the device plugin did not load the "
                         "sharing config for this node",
                         fix=f"{ex.helm_values_fix} (then helm upgrade the device plugin); check the node label nvidia.com/device-plugin.config",
                         explain="time-slicing-not-applied"))  # fmt: skip
    return out


def _plugin_pods(facts: NodeFacts, ex: Expect) -> Check:
    title = "Device plugin / GPU Operator pods on the node"
    if ex.plan.mode == "none":
        return not_applicable("gpu-pods", title, "runtime mode none")
    pods = facts.pods
    if not pods.known:
        return skipped("gpu-pods", title, str(pods.skipped))
    ours = [
        p for p in pods.value or () if any(h in p.name or h in p.namespace for h in _PLUGIN_HINTS)
    ]
    plugin = [p for p in ours if "device-plugin" in p.name]
    evidence = tuple(
        f"{pods.source}: {p.namespace}/{p.name} {p.phase}{' ready' if p.ready else ' not ready'}"
        for p in ours
    )
    if not plugin and KUBE_SYSTEM_ONLY in pods.source:
        return Check("gpu-pods", title, "skip", (*evidence, f"skipped: no device-plugin pod in {pods.source}; "
                     "pods of other namespaces (the GPU Operator's) are not in a support bundle"))  # fmt: skip
    if not plugin:
        chart = "the GPU Operator" if ex.plan.mode == "operator" else "nvidia-device-plugin"
        how = f"helm install {chart} with the values of: {ex.helm_values_fix}"
        return Check("gpu-pods", title, "fail", evidence or (f"{pods.source}: no device-plugin pod on the node",),
                     cause="no NVIDIA device plugin runs on this node", fix=how,
                     explain="device-plugin-not-scheduled")  # fmt: skip
    bad = [
        p
        for p in ours
        if p.phase not in ("Running", "Succeeded") or (p.phase == "Running" and not p.ready)
    ]
    if not bad:
        return Check("gpu-pods", title, "pass", evidence)
    problems = [f"{p.namespace}/{p.name}: {'; '.join(p.problems) or p.phase}" for p in bad]
    matches = explain("\n".join(problems), talos_version=ex.version)
    first = matches[0] if matches else None
    return Check("gpu-pods", title, "fail", (*evidence, *problems),
                 cause=first.cause if first else "a GPU pod is not running", fix=ex.catalog_fix(first.fix) if first else
                 f"kubectl -n {bad[0].namespace} describe pod {bad[0].name}", explain=first.id if first else None)  # fmt: skip


def _events(facts: NodeFacts, ex: Expect) -> list[Check]:
    title = "Known failures in events and pasted output"
    events = facts.events
    if not events.known:
        return [skipped("events", title, str(events.skipped))]
    out: list[Check] = []
    seen: set[str] = set()
    for event in events.value or ():
        text = f"{event.reason}: {event.message}" if event.reason else event.message
        for match in explain(text, talos_version=ex.version):
            if match.id in seen:
                continue
            seen.add(match.id)
            where = f"{events.source}{': ' + event.object if event.object else ''}"
            out.append(Check("events", f"{match.title}", "fail", (f"{where}: {match.excerpt}",),
                             cause=match.cause, fix=ex.catalog_fix(match.fix), explain=match.id))  # fmt: skip
    if not out:
        count = len(events.value or ())
        out.append(
            Check(
                "events", title, "pass", (f"{events.source}: {count} event(s), no known failure",)
            )
        )
    return out


def k8s_checks(facts: NodeFacts, ex: Expect) -> list[Check]:
    """Labels, taints, advertised GPUs, time-slicing, device-plugin pods, known failures."""
    return [
        _labels(facts, ex),
        _taints(facts, ex),
        *_advertised(facts, ex),
        _plugin_pods(facts, ex),
        *_events(facts, ex),
    ]
