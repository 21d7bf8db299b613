"""Derive talosgpu/data/talos_field_names.toml: the field names Talos's config decoder accepts in
the sections GPU patches touch, per minor release.

Read from the ``yaml:"..."`` tags of the Go types in a siderolabs/talos clone (the decoder is
strict: ``configloader/internal/decoder`` uses ``KnownFields(true)``, so a key that is not a tag
is rejected). The published JSON schemas (``../shared/conformance/talos-schema/vX.Y.json``) are
only a cross-check: they leave out deprecated fields the decoder still accepts (v1.13 has no
``machine.install.extensions``, v1.14 no deprecated ``machine.*`` at all), so they cannot say
what is unknown. Every schema field must be among the derived names, or the script fails.

The section ``kinds`` lists the document kinds the release's decoder registers
(``registry.Register(<kind>, ...)`` under ``pkg/machinery/config/types``, the kind constant
resolved in its package; not ``v1alpha1``, which has no ``kind``): configloader rejects any
other kind. The schemas are a cross-check here too (every schema kind must be registered, but
for two kind enums the schemas misspell, :data:`SCHEMA_KIND_TYPOS`); they are not the source,
as they leave out registered kinds (the v1.13 schema has no ``ImageVerificationConfig``).

    python scripts/derive_field_names.py /path/to/talos [/path/to/talos-schema] > \
        talosgpu/data/talos_field_names.toml
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

# minor -> tag read (the newest tag of each minor in the clone; main for the 1.15 beta)
TAGS = {
    "1.7": "v1.7.7", "1.8": "v1.8.4", "1.9": "v1.9.6", "1.10": "v1.10.9", "1.11": "v1.11.6",
    "1.12": "v1.12.11", "1.13": "v1.13.9", "1.14": "v1.14.0-rc.1", "1.15": "ad8823176e75",
}
V1 = "pkg/machinery/config/types/v1alpha1/v1alpha1_types.go"
T = "pkg/machinery/config/types/"
# section -> (file, Go type); "Kind" sections are the documents' top level.
V1_SECTIONS = {
    "machine": "MachineConfig",
    "machine.kernel": "KernelConfig",
    "machine.kernel.modules[]": "KernelModuleConfig",
    "machine.udev": "UdevConfig",
    "machine.files[]": "MachineFile",
    "machine.install": "InstallConfig",
    "machine.install.diskSelector": "InstallDiskSelector",
    "machine.install.extensions[]": "InstallExtensionConfig",
    "machine.kubelet": "KubeletConfig",
    "machine.kubelet.nodeIP": "KubeletNodeIPConfig",
    "machine.kubelet.extraMounts[]": "ExtraMount",
}
DOC_SECTIONS = {
    "KernelModuleConfig": (T + "runtime/kernel_module.go", "KernelModuleConfigV1Alpha1"),
    "UdevRulesConfig": (T + "runtime/udev_rules.go", "UdevRulesConfigV1Alpha1"),
    "SysctlConfig": (T + "runtime/sysctl.go", "SysctlConfigV1Alpha1"),
    "SysfsConfig": (T + "runtime/sysfs.go", "SysfsConfigV1Alpha1"),
    "KubeNodeConfig": (T + "k8s/node.go", "KubeNodeConfigV1Alpha1"),
    "KubeNodeConfig.nodeIP": (T + "k8s/node.go", "NodeIPConfig"),
    "KubeletConfig": (T + "k8s/kubelet.go", "KubeletConfigV1Alpha1"),
    "EtcFileConfig": (T + "runtime/etc_file.go", "EtcFileConfigV1Alpha1"),
    "CRICustomizationConfig": (T + "cri/customization.go", "CRICustomizationConfigV1Alpha1"),
    "CRIBaseRuntimeSpecConfig": (T + "cri/base_runtime_spec.go", "CRIBaseRuntimeSpecConfigV1Alpha1"),
    "UnattendedInstallConfig": (T + "runtime/unattended_install.go", "UnattendedInstallConfigV1Alpha1"),
    "UnattendedInstallConfig.installer": (T + "runtime/unattended_install.go", "InstallerSpec"),
    "UnattendedInstallConfig.provisioning": (T + "runtime/unattended_install.go", "ProvisioningSpec"),
}
META = ["apiVersion", "kind"]  # meta.Meta, inlined in every document
KINDS = "kinds"  # the section of registered document kinds
_REGISTER = re.compile(r'registry\.Register\(\s*("[^"]*"|[A-Za-z_][A-Za-z0-9_]*)\s*,')
# schema kind enums that are not the registered kind (v1.8+ network.KubespanEndpointsConfigV1Alpha1,
# v1.14+ runtime.UnattendedInstallConfigV1Alpha1)
SCHEMA_KIND_TYPOS = {
    "KubeSpanEndpoints": "KubeSpanEndpointsConfig",
    "UnattendedInstall": "UnattendedInstallConfig",
}


def _show(repo: str, tag: str, path: str) -> str | None:
    run = subprocess.run(["git", "-C", repo, "show", f"{tag}:{path}"], capture_output=True, text=True)
    return run.stdout if run.returncode == 0 else None


def _fields(text: str, name: str) -> list[str] | None:
    match = re.search(rf"^type {name} struct \{{\n(.*?)^\}}", text, re.M | re.S)
    if match is None:
        return None
    out: list[str] = []
    for line in match.group(1).splitlines():
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        tag = re.search(r'yaml:"([^"]*)"', line)
        if tag is None:
            continue
        key = tag.group(1).split(",")[0]
        if ",inline" in tag.group(1):
            embedded = line.split()[0]
            if embedded == "meta.Meta":
                out += META
            else:
                out += _fields(text, embedded.lstrip("*")) or []
        elif key and key != "-":
            out.append(key)
    return out


def _git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True).stdout


def _constant(repo: str, tag: str, folder: str, name: str) -> str:
    """The string value of the Go constant ``name`` declared in package ``folder``."""
    files = _git(repo, "ls-tree", "--name-only", f"{tag}:{folder}").split()
    pattern = re.compile(rf'^\s*(?:const\s+)?{name}\s*(?:string\s*)?=\s*"([^"]+)"', re.M)
    for file in files:
        if file.endswith(".go") and (match := pattern.search(_show(repo, tag, f"{folder}/{file}") or "")):
            return match.group(1)
    raise SystemExit(f"{tag}: constant {name} not found in {folder}")


def _kinds(repo: str, tag: str) -> list[str]:
    """The document kinds ``registry.Register`` registers at ``tag`` (not test files)."""
    kinds: set[str] = set()
    for line in _git(repo, "grep", "-n", "registry.Register(", tag, "--", T).splitlines():
        path, _, text = line.removeprefix(f"{tag}:").partition(":")
        match = _REGISTER.search(text)
        if path.endswith("_test.go") or match is None:
            continue
        arg = match.group(1)
        folder = path.rsplit("/", 1)[0]
        kinds.add(arg.strip('"') if arg.startswith('"') else _constant(repo, tag, folder, arg))
    kinds.discard("v1alpha1")  # the v1alpha1 document has no kind
    return sorted(kinds)


def derive(repo: str) -> dict[str, dict[str, list[str]]]:
    table: dict[str, dict[str, list[str]]] = {}
    for minor, tag in TAGS.items():
        row: dict[str, list[str]] = {}
        v1 = _show(repo, tag, V1) or ""
        for section, go in V1_SECTIONS.items():
            names = _fields(v1, go)
            if names is not None:
                row[section] = sorted(set(names))
        for section, (path, go) in DOC_SECTIONS.items():
            text = _show(repo, tag, path)
            names = _fields(text, go) if text else None
            if names is not None:
                row[section] = sorted(set(names))
        row[KINDS] = _kinds(repo, tag)
        table[minor] = row
    return table


def _schema_check(table: dict[str, dict[str, list[str]]], schemas: Path) -> None:
    defs = {"machine": "v1alpha1.MachineConfig", "machine.install": "v1alpha1.InstallConfig",
            "machine.kubelet": "v1alpha1.KubeletConfig", "machine.files[]": "v1alpha1.MachineFile"}
    for minor, row in table.items():
        path = schemas / f"v{minor}.json"
        if not path.exists():
            continue
        found = json.loads(path.read_text())["$defs"]
        for section, name in defs.items():
            if name in found and section in row:
                extra = set(found[name].get("properties", {})) - set(row[section])
                assert not extra, (minor, section, extra)
        kinds = {_schema_kind(d) for d in found.values()} - {None}
        missing = {SCHEMA_KIND_TYPOS.get(k, k) for k in kinds} - set(row[KINDS])
        assert not missing, (minor, "kinds", missing)


def _schema_kind(definition: dict) -> str | None:
    kind = definition.get("properties", {}).get("kind", {})
    values = kind.get("enum") or ([kind["const"]] if "const" in kind else [])
    return values[0] if values else None


def main() -> None:
    table = derive(sys.argv[1])
    if len(sys.argv) > 2:
        _schema_check(table, Path(sys.argv[2]))
    print("# Field names the Talos config decoder accepts, per minor release, in the sections GPU")
    print("# patches touch. Generated by scripts/derive_field_names.py from the yaml tags of the Go")
    print("# types in siderolabs/talos (" + V1 + ",")
    print("# " + T + "{runtime,k8s,cri}/*.go) at: " + ", ".join(f"{m} {t}" for m, t in TAGS.items()) + ".")
    print("# Checked against ../shared/conformance/talos-schema (every schema field is listed; the")
    print("# schemas omit deprecated fields the decoder still accepts). \"kinds\": the document kinds")
    print("# registered (registry.Register under " + T + "), v1alpha1 aside. Do not edit by hand.")
    for minor, row in table.items():
        print(f'\n[versions."{minor}"]')
        for section, names in row.items():
            print(f'"{section}" = [' + ", ".join(f'"{n}"' for n in names) + "]")


if __name__ == "__main__":
    main()
