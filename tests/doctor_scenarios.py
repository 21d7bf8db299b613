"""Scenario folders for the FAKE talosctl/kubectl of tests/fixtures/fake_doctor, and support
bundles built from the same data in the layout go-talos-support writes
(``support/collectors/collectors.go``: ``<node>/summary``, ``<node>/dmesg.log``,
``<node>/resources/<type lower case>.yaml`` with ``metadata``/``spec`` documents,
``<node>/service-logs/<id>.log``, ``kubernetesResources/nodes.yaml`` / ``systemPods.yaml``).

``healthy(era)`` is a node as the official guide of that release leaves it:

* ``1.11`` — the talos05 field report's node done right (TheBranchDriftCatalyst/talos-homelab
  docs/06-troubleshooting/nvidia-ebpf-workaround.md): cdi runtime ``nvidia-cdi``, spec in
  ``/var/run/cdi`` with hooks on the ``*.real`` binaries, device plugin, RuntimeClass.
* ``1.13`` — native CDI: ``ext-nvidia-cdi-gen`` writes ``/run/cdi/nvidia.yaml`` (hooks in
  ``/usr/bin``), the extension's ``nvidia`` runtime, GPU Operator pods.
* ``1.14`` — the same with 1.14's driver and toolkit; ``1.15`` — NRI: no NVIDIA runtime, no
  RuntimeClass, the operator's pods.
"""

from __future__ import annotations

import importlib.util
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ADDRESS = "192.168.1.194"
NAME = "talos05"

OPERATOR_HOOK = "/usr/local/nvidia/toolkit/nvidia-cdi-hook"
# One healthy node per release talosgpu supports, with the .0 release's driver and toolkit
# (talosgpu/data/talos_versions.toml, from siderolabs/extensions nvidia-gpu/vars.yaml): 1.7 the
# legacy runtime (nvidia-ctk hooks, unsuffixed extensions, containerd config 2), 1.8-1.12 the
# CDI runtime on the *.real binaries, 1.13/1.14 native CDI, 1.15 NRI.
_CDI_ERA = {"spec_dir": "/var/run/cdi", "hook": "/usr/local/bin/nvidia-cdi-hook.real",
            "runtime_class": ("nvidia-cdi", "nvidia-cdi")}  # fmt: skip
ERAS: dict[str, dict[str, Any]] = {
    "1.7": {"tag": "v1.7.0", "driver": "535.129.03", "toolkit": "535.129.03-v1.14.6", "spec_dir": None,
            "hook": None, "runtime_class": ("nvidia", "nvidia")},
    "1.8": {"tag": "v1.8.0", "driver": "535.183.06", "toolkit": "535.183.06-v1.16.1", **_CDI_ERA},
    "1.9": {"tag": "v1.9.0", "driver": "535.216.03", "toolkit": "535.216.03-v1.17.2", **_CDI_ERA},
    "1.10": {"tag": "v1.10.0", "driver": "535.230.02", "toolkit": "535.230.02-v1.17.5", **_CDI_ERA},
    "1.12": {"tag": "v1.12.0", "driver": "580.105.08", "toolkit": "580.105.08-v1.18.1", **_CDI_ERA},
    "1.11": {"tag": "v1.11.1", "driver": "535.247.01", "toolkit": "535.247.01-v1.17.8", "spec_dir": "/var/run/cdi",
             "hook": "/usr/local/bin/nvidia-cdi-hook.real", "runtime_class": ("nvidia-cdi", "nvidia-cdi")},
    "1.13": {"tag": "v1.13.0", "driver": "580.126.20", "toolkit": "580.126.20-v1.19.0", "spec_dir": "/run/cdi",
             "hook": "/usr/bin/nvidia-cdi-hook", "runtime_class": ("nvidia", "nvidia")},
    "1.14": {"tag": "v1.14.0", "driver": "580.196.07", "toolkit": "580.196.07-v1.19.1", "spec_dir": "/run/cdi",
             "hook": "/usr/bin/nvidia-cdi-hook", "runtime_class": ("nvidia", "nvidia")},
    # 1.15: the GPU Operator's toolkit writes the spec, with hooks in its install dir (chart
    # default toolkit.installDir /usr/local/nvidia: gpu-operator v26.7.0 values.yaml)
    "1.15": {"tag": "v1.15.0-beta.1", "driver": "620.70.06", "toolkit": "620.70.06", "spec_dir": "/run/cdi",
             "hook": OPERATOR_HOOK, "runtime_class": None},
}  # fmt: skip

BASE_CRI = """version = 3
[plugins."io.containerd.cri.v1.images"]
  discard_unpacked_layers = true
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
"""
LEGACY_CRI = """version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia]
  privileged_without_host_devices = false
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia.options]
  BinaryName = "/usr/local/bin/nvidia-container-runtime"
"""
NATIVE_CDI = """[plugins."io.containerd.cri.v1.runtime"]
  enable_cdi = true
  cdi_spec_dirs = ["/run/cdi"]
"""
NVIDIA_PART = """[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia.options]
  BinaryName = "/usr/local/bin/nvidia-container-runtime"
"""
CDI_CUSTOMIZATION = """[plugins."io.containerd.cri.v1.runtime"]
  enable_cdi = true
  cdi_spec_dirs = ["/var/cdi", "/var/run/cdi"]
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia-cdi]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia-cdi.options]
  BinaryName = "/usr/local/bin/nvidia-container-runtime.cdi"
"""


def cdi_spec(hook: str) -> str:
    return f"""cdiVersion: 0.5.0
kind: nvidia.com/gpu
devices:
- name: "0"
  containerEdits:
    deviceNodes:
    - path: /dev/nvidia0
- name: all
  containerEdits:
    deviceNodes:
    - path: /dev/nvidia0
containerEdits:
  deviceNodes:
  - path: /dev/nvidiactl
  hooks:
  - hookName: createContainer
    path: {hook}
    args: [nvidia-cdi-hook, create-symlinks, --link, libcuda.so.1::/usr/lib/x86_64-linux-gnu/libcuda.so]
"""


def intent_text(era: str, **extra: str) -> str:
    lines = [f'talosVersion: "{era}"', f"node: {{name: {NAME}, address: {ADDRESS}}}"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def plan_labels(era: str, **extra: str) -> dict[str, str]:
    """The node labels talosgpu's plan puts on the node of ``intent_text(era, **extra)``: a
    healthy node carries what its patch sets (gpu.present, the runtime handler labels)."""
    from talosgpu.intent.load import load_intent_text
    from talosgpu.plan import resolve

    return dict(resolve(load_intent_text(intent_text(era, **extra), source="node.yaml")).labels)


@dataclass
class Scenario:
    """One node's state; ``write(folder)`` lays it out for the fakes, ``bundle()`` zips it."""

    era: str
    tag: str
    extensions: list[tuple[str, str]]
    services: list[tuple[str, bool]]
    modules: list[str]
    cri: str
    files: dict[str, str]  # absolute path on the node -> content
    dmesg: list[str]
    labels: dict[str, str]
    capacity: int
    runtime_classes: list[tuple[Any, ...]]  # (name, handler[, scheduling.nodeSelector])
    pods: list[tuple[str, str, str, bool, list[str]]]  # ns, name, phase, ready, problems
    events: list[tuple[str, str, str]] = field(default_factory=list)  # object, reason, message
    pci_gpus: int = 1
    probe: dict[str, dict[str, Any]] = field(default_factory=dict)

    # --------------------------------------------------------------- the fakes' folder
    def resources(self) -> dict[str, list[tuple[str, Any]]]:
        exts = [(f"{i}", {"image": f"{n}.sqsh", "metadata": {"name": n, "version": v, "author": "NVIDIA",
                 "description": n, "compatibility": {"talos": {"version": f">= {self.tag}"}}}})
                for i, (n, v) in enumerate(self.extensions)]  # fmt: skip
        services = [
            (s, {"running": up, "healthy": up, "unknown": False}) for s, up in self.services
        ]
        pci = [(f"0000:2d:00.{i}", {"class": "Display controller", "class_id": "0x03", "vendor": "NVIDIA Corporation",
                "vendor_id": "0x10de", "product_id": "0x1c30", "driver": "nvidia"}) for i in range(self.pci_gpus)]  # fmt: skip
        return {"extensions": exts, "services": services, "pcidevices": pci}

    def k8s(self) -> dict[str, Any]:
        caps = {"cpu": "24", "memory": "32786032Ki", "nvidia.com/gpu": str(self.capacity)}
        node = {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": NAME, "labels": {"kubernetes.io/hostname": NAME, **self.labels}},
                "spec": {}, "status": {"capacity": caps, "allocatable": caps,
                "addresses": [{"type": "InternalIP", "address": ADDRESS}, {"type": "Hostname", "address": NAME}]}}  # fmt: skip
        rcs = [{"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": rc[0]}, "handler": rc[1],
                **({"scheduling": {"nodeSelector": rc[2]}} if len(rc) > 2 else {})}
               for rc in self.runtime_classes]  # fmt: skip
        pods = []
        for ns, name, phase, ready, problems in self.pods:
            statuses = [
                {
                    "name": "c",
                    "state": {"waiting": {"reason": "CreateContainerError", "message": p}},
                }
                for p in problems
            ]
            pods.append({"metadata": {"name": name, "namespace": ns}, "spec": {"nodeName": NAME,
                         "containers": [{"name": "c", "image": "nvcr.io/nvidia/k8s-device-plugin:v0.17.0"}]},
                         "status": {"phase": phase, "conditions": [{"type": "Ready", "status": str(ready)}],
                                    "containerStatuses": statuses}})  # fmt: skip
        events = [{"involvedObject": {"kind": o.split("/")[0], "namespace": o.split("/")[1] if o.count("/") == 2 else None,
                   "name": o.split("/")[-1]}, "reason": r, "message": m, "type": "Warning"} for o, r, m in self.events]  # fmt: skip
        return {"nodes": [node], "runtimeclasses": rcs, "pods": pods, "events": events}

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "version").write_text(self.tag)
        for name, items in self.resources().items():
            if name == "pcidevices" and not self.pci_gpus:
                continue
            (folder / f"{name}.json").write_text(json.dumps(items))
        root = folder / "root"
        modules = "".join(f"{m} 1146880 0 - Live 0xffffffffc2733000 (PO)\n" for m in self.modules)
        files = {"/proc/modules": "nf_tables 364544 0 - Live 0xffffffffc0a00000\n" + modules,
                 "/etc/cri/conf.d/cri.toml": self.cri, "/proc/sys/net/core/bpf_jit_harden": "2\n",
                 "/usr/bin/.keep": "", "/usr/local/bin/nvidia-ctk": "", **self.files}  # fmt: skip
        for path, text in files.items():
            target = root / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        (root / "usr/bin/.keep").unlink()
        (folder / "dmesg.txt").write_text(
            "".join(f"kern:    info: [2025-11-27T16:58:24Z]: {line}\n" for line in self.dmesg)
        )
        k8s = folder / "k8s"
        (k8s / "probe").mkdir(parents=True, exist_ok=True)
        for name, items in self.k8s().items():
            (k8s / f"{name}.json").write_text(json.dumps({"kind": "List", "items": items}))
        for name, spec in self.probe.items():
            (k8s / "probe" / f"{name}.json").write_text(json.dumps(spec))
        return folder

    # --------------------------------------------------------------- a support bundle
    def bundle(self) -> bytes:
        buf = io.BytesIO()
        types = {"extensions": "extensionstatuses.runtime.talos.dev", "services": "services.v1alpha1.talos.dev",
                 "pcidevices": "pcidevices.hardware.talos.dev"}  # fmt: skip
        with zipfile.ZipFile(buf, "w") as z:
            n = ADDRESS
            z.writestr(
                f"{n}/summary",
                f"Client:\n\tTag:         {self.tag}\nServer:\n\tTag:         {self.tag}\n\tSHA:         0123abcd\n",
            )
            z.writestr(
                f"{n}/dmesg.log",
                "".join(f"kern:    info: [2025-11-27T16:58:24Z]: {line}\n" for line in self.dmesg),
            )
            for key, items in self.resources().items():
                docs = [
                    _yaml(
                        {
                            "metadata": {
                                "namespace": "runtime",
                                "type": key,
                                "id": i,
                                "version": 1,
                            },
                            "spec": s,
                        }
                    )
                    for i, s in items
                ]
                if docs:
                    z.writestr(f"{n}/resources/{types[key]}.yaml", "---\n".join(docs))
            mods = [_yaml({"metadata": {"namespace": "runtime", "type": "LoadedKernelModules.runtime.talos.dev", "id": m},
                           "spec": {"size": 1146880, "referenceCount": 0, "state": "Live", "address": "0xffffffffc2733000"}})
                    for m in ["nf_tables", *self.modules]]  # fmt: skip
            if int(self.era.split(".")[1]) >= 11:  # the resource arrived in Talos 1.11
                z.writestr(
                    f"{n}/resources/loadedkernelmodules.runtime.talos.dev.yaml", "---\n".join(mods)
                )
            z.writestr(f"{n}/resources/machineconfigs.config.talos.dev.yaml",
                       "metadata:\n    namespace: config\n    type: MachineConfigs.config.talos.dev\n    id: v1alpha1\nspec: <REDACTED>\n")  # fmt: skip
            for sid, up in self.services:
                z.writestr(f"{n}/service-logs/{sid}.log", "started\n" if up else "exited\n")
            k8s = self.k8s()
            z.writestr(
                "kubernetesResources/nodes.yaml",
                json.dumps(
                    {"apiVersion": "v1", "kind": "NodeList", "items": k8s["nodes"]}, indent=2
                ),
            )
            z.writestr("kubernetesResources/systemPods.yaml", json.dumps({"apiVersion": "v1", "kind": "PodList",
                       "items": [p for p in k8s["pods"] if p["metadata"]["namespace"] == "kube-system"]}, indent=2))  # fmt: skip
        return buf.getvalue()


FAKE_DIR = Path(__file__).resolve().parent / "fixtures" / "fake_doctor"


def _yaml(doc: Any) -> str:
    spec = importlib.util.spec_from_file_location("fakelib", FAKE_DIR / "fakelib.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text: str = module.block_yaml(doc)
    return text


def healthy(era: str) -> Scenario:
    e = ERAS[era]
    suffix = "" if era == "1.7" else "-lts"
    kmod = f"nvidia-open-gpu-kernel-modules{suffix}"
    exts = [
        (kmod, f"{e['driver']}-{e['tag']}"),
        (f"nvidia-container-toolkit{suffix}", e["toolkit"]),
    ]
    services = [("ext-nvidia-persistenced", True)] + (
        [("ext-nvidia-cdi-gen", True)] if era in ("1.13", "1.14") else []
    )
    native = era in ("1.13", "1.14", "1.15")
    files: dict[str, str]
    if era == "1.7":  # legacy: the extension's runtime, bpf_jit_harden=1 as the plan sets it
        cri = LEGACY_CRI
        files = {f"/usr/local/bin/{b}": "" for b in ("nvidia-container-runtime", "nvidia-ctk")}
        files["/proc/sys/net/core/bpf_jit_harden"] = "1\n"
        labels = plan_labels(era)
        pods = [("kube-system", "nvidia-device-plugin-wflzh", "Running", True, [])]
    elif not native:
        cri = BASE_CRI + NVIDIA_PART + CDI_CUSTOMIZATION
        bins = ["nvidia-cdi-hook", "nvidia-cdi-hook.real", "nvidia-ctk.real", "nvidia-container-runtime",
                "nvidia-container-runtime.cdi"]  # fmt: skip
        files = {f"/usr/local/bin/{b}": "" for b in bins}
        labels = plan_labels(era)
        pods = [("kube-system", "nvidia-device-plugin-wflzh", "Running", True, [])]
    else:
        cri = BASE_CRI + NATIVE_CDI + (NVIDIA_PART if era != "1.15" else "")
        files = (
            {"/usr/bin/nvidia-cdi-hook": "", "/usr/bin/nvidia-ctk": ""}
            if era != "1.15"
            else {OPERATOR_HOOK: ""}
        )
        labels = {}
        pods = [("gpu-operator", "nvidia-device-plugin-daemonset-7x2kq", "Running", True, []),
                ("gpu-operator", "nvidia-container-toolkit-daemonset-9pl4d", "Running", True, [])]  # fmt: skip
    if e["spec_dir"]:
        files[f"{e['spec_dir']}/nvidia.yaml"] = cdi_spec(e["hook"])
    rc = e["runtime_class"]
    return Scenario(
        era=era, tag=e["tag"], extensions=exts, services=services,
        modules=["nvidia", "nvidia_uvm", "nvidia_drm", "nvidia_modeset"], cri=cri, files=files,
        dmesg=[f"NVRM: loading NVIDIA UNIX Open Kernel Module for x86_64  {e['driver']}  Release Build",
               "nvidia-modeset: Loading NVIDIA UNIX Open Kernel Mode Setting Driver for x86_64"],
        labels=labels, capacity=1, runtime_classes=[rc] if rc else [], pods=pods,
    )  # fmt: skip


def use_fakes(monkeypatch: Any, folder: Path) -> Path:
    """The FAKE talosctl and kubectl of tests/fixtures/fake_doctor first on PATH, answering
    from ``folder``; returns the call log of both."""
    import os

    log = folder / "calls.jsonl"
    monkeypatch.setenv("PATH", f"{FAKE_DIR}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_NODE_DIR", str(folder))
    monkeypatch.setenv("FAKE_TALOSCTL_LOG", str(log))
    monkeypatch.setenv("FAKE_KUBECTL_LOG", str(log))
    return log


# The field reports' error lines, verbatim (public sources named in the module docstring):
EBPF_ERROR = (
    "Error: failed to create containerd task: failed to create shim task: OCI runtime create failed: "
    "runc create failed: unable to start container process: error during container init: error running "
    "prestart hook #0: exit status 1, stdout: , stderr: nvidia-container-cli: mount error: failed to add "
    "device rules: unable to generate new device filter program from existing programs: unable to create "
    "new device filters program: load program: invalid argument: last insn is not an exit or jmp"
)
UNRESOLVABLE = (
    "Error: failed to create containerd task: failed to create shim task: failed to inject CDI devices: "
    "unresolvable CDI devices nvidia.com/gpu=all"
)
WRAPPER = (
    "Error: failed to create containerd task: failed to create shim task: OCI runtime create failed: "
    "runc create failed: unable to start container process: error during container init: error running "
    "createContainer hook #0: exit status 1, stdout: , stderr: nvidia-container-runtime-wrapper: unknown "
    "command nvidia-cdi-hook"
)
LLVMPIPE = "OpenGL renderer string: llvmpipe (LLVM 15.0.7, 256 bits)\nOpenGL version string: 4.5 (Compatibility Profile) Mesa 23.2.1\n"
