"""Parsers of talosctl / kubectl output, on the shapes the upstream tools print (cited in
talosgpu/diagnosis/parse.py)."""

from __future__ import annotations

import json

from talosgpu.diagnosis import parse

VERSION = """Client:
\tTag:         v1.12.0
\tSHA:         abc
Server:
\tNODE:        10.0.0.5
\tTag:         v1.11.1
\tSHA:         def
\tEnabled:     RBAC
"""

EXTENSIONS = """node: 10.0.0.5
metadata:
    namespace: runtime
    type: ExtensionStatuses.runtime.talos.dev
    id: "0"
    version: 1
    phase: running
spec:
    image: nonfree-kmod-nvidia-lts.sqsh
    metadata:
        name: nonfree-kmod-nvidia-lts
        version: 535.247.01-v1.11.1
        author: Sidero Labs
        description: nvidia
        compatibility:
            talos:
                version: '>= v1.11.0'
---
node: 10.0.0.5
metadata:
    namespace: runtime
    type: ExtensionStatuses.runtime.talos.dev
    id: "1"
    version: 1
spec:
    image: nvidia-container-toolkit-lts.sqsh
    metadata:
        name: nvidia-container-toolkit-lts
        version: 535.247.01-v1.17.8
"""


def test_version_reads_the_server_tag_not_the_clients() -> None:
    assert parse.parse_version_tag(VERSION) == "v1.11.1"
    assert parse.parse_version_tag("Client:\n\tTag:         v1.12.0\n") is None


def test_extensions() -> None:
    exts = parse.parse_extensions(EXTENSIONS, source="x")
    assert [(e.name, e.version) for e in exts] == [
        ("nonfree-kmod-nvidia-lts", "535.247.01-v1.11.1"),
        ("nvidia-container-toolkit-lts", "535.247.01-v1.17.8"),
    ]


def test_proc_modules_keeps_live_modules_only() -> None:
    text = (
        "nvidia_uvm 1146880 - - Live 0xffffffffc2733000 (PO)\n"
        "nvidia_drm 69632 - - Live 0xffffffffc2721000 (PO)\n"
        "nvidia 56233984 2 nvidia_uvm,nvidia_modeset, Loading 0xffffffffc0000000 (PO)\n"
    )
    assert parse.parse_proc_modules(text) == ("nvidia_drm", "nvidia_uvm")


def test_list_drops_the_directory_itself() -> None:
    assert parse.parse_list(".\nnvidia.yaml\nother.json\n") == ("nvidia.yaml", "other.json")


def test_pci_counts_nvidia_display_controllers_only() -> None:
    text = "\n---\n".join(
        f"metadata:\n    id: {i}\nspec:\n    class_id: '{c}'\n    vendor_id: '{v}'\n"
        for i, (c, v) in enumerate([("0x03", "0x10de"), ("0x04", "0x10de"), ("0x03", "0x8086")])
    )
    assert parse.parse_pci_gpus(text, source="x") == 1


def test_pods_report_container_problems() -> None:
    pod = {"metadata": {"name": "p", "namespace": "ns"}, "spec": {"containers": [{"image": "i"}]},
           "status": {"phase": "Pending", "conditions": [{"type": "Ready", "status": "False"}],
                      "containerStatuses": [{"name": "c", "state": {"waiting": {"reason": "CreateContainerError",
                                             "message": "unresolvable CDI devices nvidia.com/gpu=all"}}}]}}  # fmt: skip
    (got,) = parse.parse_pods_json(json.dumps({"kind": "List", "items": [pod]}), source="x")
    assert not got.ready and got.problems == (
        "c: CreateContainerError: unresolvable CDI devices nvidia.com/gpu=all",
    )


def test_events_name_their_object() -> None:
    ev = {"involvedObject": {"kind": "Pod", "namespace": "media", "name": "tdarr"}, "reason": "Failed",
          "message": "boom", "type": "Warning"}  # fmt: skip
    (got,) = parse.parse_events_json(json.dumps({"items": [ev]}), source="x")
    assert (got.object, got.reason, got.message) == ("Pod/media/tdarr", "Failed", "boom")


def test_pasted_events_stay_one_text_so_multi_line_errors_match() -> None:
    text = "failed to add device rules:\nunable to generate new device filter program\n"
    (got,) = parse.parse_events_text(text)
    assert got.message == text
    assert parse.parse_events_text("  \n") == ()


def test_nodes_with_addresses() -> None:
    node = {"metadata": {"name": "talos05", "labels": {"a": "b"}}, "spec": {"taints": [{"key": "gpu", "value": "true", "effect": "NoSchedule"}]},
            "status": {"capacity": {"nvidia.com/gpu": "4"}, "addresses": [{"type": "InternalIP", "address": "192.168.1.194"}]}}  # fmt: skip
    (entry,) = parse.parse_nodes_json(json.dumps({"items": [node]}), source="x")
    assert entry.name == "talos05" and entry.addresses == ("192.168.1.194",)
    assert (
        entry.node.taints == (("gpu", "true", "NoSchedule"),)
        and entry.node.capacity["nvidia.com/gpu"] == "4"
    )


def test_pci_ids_read_as_numbers_still_count() -> None:
    """talosctl quotes the IDs ("0x10de"); YAML reads an unquoted 0x10de as 4318."""
    meta = "metadata:\n  namespace: hardware\n  type: PCIDevices.hardware.talos.dev\n  id: 0000:01:00.{n}\n"
    text = (meta.format(n=0) + "spec:\n  vendor_id: 0x10de\n  class_id: 0x03\n---\n"
            + meta.format(n=1) + "spec:\n  vendor_id: '0x10de'\n  class_id: '0x03'\n")  # fmt: skip
    assert parse.parse_pci_gpus(text, source="pci") == 2
