"""Every rendered patch, merged into the real generated worker config of the same Talos version
(``talosctl gen config`` output in ../shared/conformance/talos-machineconfigs/stability/), is
accepted by that version's official config JSON Schema (../shared/conformance/talos-schema/)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
import pytest
from conftest import refused, shared_path

import talosgpu as api
from talosgpu import yamlio
from talosgpu.profiles import list_profiles
from talosgpu.talos.apply import apply_patches
from talosgpu.versions import TalosVersion, known_versions

VERSIONS = [str(v) for v in known_versions()]


@cache
def schema(version: str) -> dict[str, Any]:
    return json.loads(shared_path("conformance", "talos-schema", f"v{version}.json").read_text())  # type: ignore[no-any-return]


@cache
def validator(version: str, kind: str) -> jsonschema.Draft202012Validator:
    """The validator of one document kind (the top-level oneOf only says "no branch matched")."""
    defs = schema(version)["$defs"]
    if kind == "v1alpha1":
        name = "v1alpha1.Config"
    else:
        name = next(
            (
                n
                for n, d in defs.items()
                if kind in (d.get("properties", {}).get("kind", {}).get("enum") or [])
                or d.get("properties", {}).get("kind", {}).get("const") == kind
            ),
            None,
        )
        if name is None:
            # The published v1.14/v1.15 schemas give UnattendedInstallConfig the kind enum
            # "UnattendedInstall", while `talosctl gen config` writes "UnattendedInstallConfig"
            # (stability/v1.14/overrides-worker.yaml): the generated config is what Talos
            # reads, so the document is checked against its definition without the kind enum.
            name = next(n for n in defs if n.endswith(f".{kind}V1Alpha1"))
            definition = dict(defs[name])
            props = dict(definition["properties"])
            props["kind"] = {"const": kind}
            defs = {**defs, name: {**definition, "properties": props}}
    return jsonschema.Draft202012Validator({"$defs": defs, "$ref": f"#/$defs/{name}"})


def worker_config(version: str) -> str:
    return shared_path(
        "conformance", "talos-machineconfigs", "stability", f"v{version}", "base-worker.yaml"
    ).read_text()


def errors_of(version: str, docs: list[Any]) -> set[str]:
    out = set()
    for doc in docs:
        kind = doc.get("kind", "v1alpha1")
        for error in validator(version, kind).iter_errors(doc):
            path = ".".join(str(p) for p in error.absolute_path)
            out.add(f"{kind}: .{path}: {error.message[:200]}")
    return out


@pytest.mark.conformance
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("profile", list(list_profiles()))
def test_merged_patch_validates_against_official_schema(profile: str, version: str) -> None:
    if refused(profile, version):
        return  # no patch to validate (test_golden_patch pins the refusal)
    rendered = api.render(profile=profile, talos_version=version)
    config = worker_config(version)
    # The generated configs carry fields the published schema lacks (e.g. the deprecated
    # top-level ``persist``): those are pre-existing; the patch must add no error of its own.
    base_errors = errors_of(version, yamlio.load_all(config))
    assert base_errors <= {
        "v1alpha1: .: Additional properties are not allowed ('persist' was unexpected)"
    }
    merged = apply_patches(config, [rendered.patch_text], talos_version=version)
    assert errors_of(version, list(merged.documents)) - base_errors == set()


@pytest.mark.conformance
@pytest.mark.parametrize("version", VERSIONS)
def test_schema_catches_a_broken_patch(version: str) -> None:
    """The check can fail: an integer sysctl value (a real-world trap) is rejected."""
    config = worker_config(version)
    patch = (
        "apiVersion: v1alpha1\nkind: SysctlConfig\nparams:\n  net.core.bpf_jit_harden: 1\n"
        if TalosVersion.parse(version).gpu_documents
        else "machine:\n  sysctls:\n    net.core.bpf_jit_harden: 1\n"
    )
    merged = apply_patches(config, [patch], talos_version=version)
    base_errors = errors_of(version, yamlio.load_all(config))
    assert errors_of(version, list(merged.documents)) - base_errors


@pytest.mark.conformance
@pytest.mark.parametrize("version", VERSIONS)
def test_a_whole_node_patch_validates(version: str) -> None:
    """The whole-node fields (other extensions, installer, kernel args) merged into the release's
    generated config: machine.install.image, or the 1.14 UnattendedInstallConfig."""
    from talosgpu.intent.models import Intent

    intent = Intent.model_validate(
        {
            "profile": None,
            "talosVersion": f"{version}.3",
            "gpu": {"driver": {"flavour": "open", "branch": "production"}},
            "extensions": ["siderolabs/iscsi-tools"],
            "installer": {"platform": "metal", "secureBoot": True},
        }
    )
    rendered = api.render(intent)
    assert rendered.plan.installer_image is not None
    config = worker_config(version)
    base_errors = errors_of(version, yamlio.load_all(config))
    merged = apply_patches(config, [rendered.patch_text], talos_version=version)
    assert errors_of(version, list(merged.documents)) - base_errors == set()
    assert rendered.plan.installer_image in yamlio.dump_all(list(merged.documents))
