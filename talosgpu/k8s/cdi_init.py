"""The CDI spec generator Pod and the CDI init DaemonSet (the talos05 field report), for cdi mode before 1.13.

Before Talos 1.13 nothing on the node writes a CDI spec (1.13's toolkit extension adds the
``nvidia-cdi-gen`` service writing ``/run/cdi/nvidia.yaml``, talos-internals.md §6), so in cdi
mode talosgpu renders what the talos05 field report ran by hand:

* ``nvidia-cdi-generator`` (Pod): enters the host's namespaces and runs the extension's
  ``/usr/local/bin/nvidia-ctk cdi generate`` into the persistent spec dir. Talos has no shell, so
  nvidia-ctk is run directly (the talos05 field report's ``nsenter ... sh -c "mkdir ..."`` needs a host ``sh``);
  the hostPath volume (``DirectoryOrCreate``) creates the directory instead.
* ``nvidia-cdi-init`` (DaemonSet): on every start (so after every reboot, ``/var/run`` is tmpfs)
  copies the spec into the other spec dirs.

In the hook-rewrite era (``plan.hook_strategy == "real-binaries"``, Talos 1.8-1.12) both also
point every CDI hook at ``/usr/local/bin/<binary>.real``: the extension's
``nvidia-container-runtime-wrapper`` dispatches on argv[0] and rejects ``nvidia-cdi-hook``
("unknown command nvidia-cdi-hook", the talos05 field report; peers.md §1.9). The talos05 field report's
``sed 's|nvidia-cdi-hook|nvidia-cdi-hook.real|g'`` is not idempotent (a restart gives
``.real.real``); :data:`HOOK_REWRITE_SED` is: it rewrites only ``path:`` values ending in the
hook binary with or without ``.real``, and also moves ``/usr/bin/...`` hooks (the toolkit's
default, absent on Talos before 1.13, talos#13021) to ``/usr/local/bin``.
"""

from __future__ import annotations

import shlex
from typing import Any

from talosgpu.k8s.common import (
    ALPINE_IMAGE,
    PAUSE_IMAGE,
    metadata,
    node_selector,
    node_suffix,
    tolerations,
    volume_name,
)
from talosgpu.plan import CDI_INIT_LABEL, Plan

__all__ = [
    "HOOK_REWRITE_SED",
    "NAMESPACE",
    "cdi_init_objects",
    "hook_rewrite_command",
    "needs_cdi_init",
    "spec_dirs",
]

NAMESPACE = "kube-system"  # exempt from Talos's default PodSecurity "baseline" enforcement
SPEC_FILE = "nvidia.yaml"
HOST = "/host"
NVIDIA_CTK = "/usr/local/bin/nvidia-ctk"  # the extension's toolkit (wrapper allowlists nvidia-ctk)
# POSIX ERE understood by busybox and GNU sed. Groups: 1 = indentation + "path: ",
# 3 = hook binary. Only whole ``path:`` values are touched (args[0] stays "nvidia-cdi-hook").
HOOK_REWRITE_SED = (
    r"s#^([[:space:]]*(- )?path:[[:space:]]*)[^[:space:]]*/(nvidia-cdi-hook|nvidia-ctk)"
    r"(\.real)?[[:space:]]*$#\1/usr/local/bin/\3.real#"
)
_SHOW_HOOKS = (
    "grep -E '^[[:space:]]*(- )?path:[[:space:]]*[^[:space:]]*(nvidia-cdi-hook|nvidia-ctk)' {spec}"
    " | sort | uniq -c || true"
)


def hook_rewrite_command(spec: str) -> str:
    """The shell command rewriting hook paths of the CDI spec at ``spec`` in place (idempotent)."""
    return f"sed -E -i '{HOOK_REWRITE_SED}' {shlex.quote(spec)}"


def needs_cdi_init(plan: Plan) -> bool:
    """cdi mode on a release whose node does not generate CDI specs itself (< 1.13)."""
    return plan.cdi_init is not None


def spec_dirs(plan: Plan) -> tuple[str, tuple[str, ...]]:
    """``(source, targets)``: where nvidia-ctk writes, and the dirs the spec is copied into
    (:class:`talosgpu.plan.CDIInit`: the source is the first dir that survives a reboot)."""
    init = plan.cdi_init
    assert init is not None, "spec_dirs needs a plan with a CDI init"
    return init.source, init.targets


def cdi_init_objects(plan: Plan) -> list[dict[str, Any]]:
    """The generator Pod and the init DaemonSet, or nothing when the plan does not need them."""
    init = plan.cdi_init
    if init is None:
        return []
    objects = [_generator(plan, init.source, rewrite=init.rewrite_hooks)]
    if init.needs_daemonset:
        objects.append(_daemonset(plan, init.source, init.targets, rewrite=init.rewrite_hooks))
    return objects


def _volume(path: str) -> dict[str, Any]:
    return {"name": volume_name(path), "hostPath": {"path": path, "type": "DirectoryOrCreate"}}


def _mount(path: str, *, read_only: bool = False) -> dict[str, Any]:
    mount: dict[str, Any] = {"name": volume_name(path), "mountPath": HOST + path}
    if read_only:
        mount["readOnly"] = True
    return mount


def _resources(cpu: str, memory: str, limit: str) -> dict[str, Any]:
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": limit}}


def _check_spec(spec: str) -> str:
    return (
        f'if [ ! -f {spec} ]; then\n  echo "ERROR: {spec[len(HOST) :]} not found: run the '
        'nvidia-cdi-generator Pod first" >&2\n  exit 1\nfi'
    )


def _generator(plan: Plan, source: str, *, rewrite: bool) -> dict[str, Any]:
    host_spec = f"{source}/{SPEC_FILE}"
    spec = HOST + host_spec
    lines = [
        "set -eu",
        # busybox may lack nsenter; util-linux has it (the talos05 field report installed it unconditionally).
        "command -v nsenter >/dev/null 2>&1 || apk add --no-cache util-linux",
        f"nsenter -t 1 -m -u -n -i -- {NVIDIA_CTK} cdi generate --output={host_spec}",
    ]
    if rewrite:
        lines.append(hook_rewrite_command(spec))
    lines += [
        f'echo "CDI spec written to {host_spec}; hook paths:"',
        _SHOW_HOOKS.format(spec=spec),
    ]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata(
            f"nvidia-cdi-generator{node_suffix(plan)}",
            namespace=NAMESPACE,
            app="nvidia-cdi-generator",
        ),
        "spec": {
            "nodeSelector": node_selector(plan, pin_node=True),
            "tolerations": tolerations(plan, gpu=True),
            "restartPolicy": "Never",
            "hostPID": True,  # nsenter -t 1 needs the host's PID 1
            "containers": [
                {
                    "name": "generator",
                    "image": ALPINE_IMAGE,
                    "command": ["/bin/sh", "-c", "\n".join(lines) + "\n"],
                    "securityContext": {"privileged": True},
                    "resources": _resources("50m", "64Mi", "256Mi"),
                    "volumeMounts": [_mount(source)],
                }
            ],
            "volumes": [_volume(source)],
        },
    }


def _daemonset(
    plan: Plan, source: str, targets: tuple[str, ...], *, rewrite: bool
) -> dict[str, Any]:
    spec = f"{HOST}{source}/{SPEC_FILE}"
    init: list[dict[str, Any]] = []
    if rewrite:
        script = [
            "set -eu",
            _check_spec(spec),
            hook_rewrite_command(spec),
            'echo "hook paths now:"',
            _SHOW_HOOKS.format(spec=spec),
        ]
        init.append(_init_container("rewrite-hook-paths", script, [_mount(source)]))
    if targets:
        script = ["set -eu", _check_spec(spec)]
        for target in targets:
            dest = f"{HOST}{target}/{SPEC_FILE}"
            tmp = f"{HOST}{target}/.{SPEC_FILE}.tmp"  # not *.yaml: the CDI cache ignores it
            script.append(f"cp {spec} {tmp} && mv {tmp} {dest}")
            script.append(f'echo "copied {source}/{SPEC_FILE} to {target}/{SPEC_FILE}"')
        mounts = [_mount(source, read_only=True), *(_mount(t) for t in targets)]
        init.append(_init_container("copy-cdi-spec", script, mounts))
    labels = {"app.kubernetes.io/name": "nvidia-cdi-init"}
    meta = metadata("nvidia-cdi-init", namespace=NAMESPACE, app="nvidia-cdi-init")
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": meta,
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": dict(meta["labels"])},
                "spec": {
                    # exactly the nodes of this variant (the plan's label), also in a fleet
                    "nodeSelector": {CDI_INIT_LABEL: plan.labels[CDI_INIT_LABEL]},
                    "tolerations": tolerations(plan, gpu=True),
                    "priorityClassName": "system-node-critical",
                    "initContainers": init,
                    "containers": [
                        {
                            "name": "pause",
                            "image": PAUSE_IMAGE,
                            "resources": _resources("1m", "4Mi", "16Mi"),
                        }
                    ],
                    "volumes": [_volume(d) for d in (source, *targets)],
                },
            },
        },
    }


def _init_container(name: str, script: list[str], mounts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": name,
        "image": ALPINE_IMAGE,
        "command": ["/bin/sh", "-c", "\n".join(script) + "\n"],
        "securityContext": {"privileged": True},
        "resources": _resources("10m", "16Mi", "64Mi"),
        "volumeMounts": mounts,
    }
