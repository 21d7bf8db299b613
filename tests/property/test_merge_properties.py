"""Properties of the strategic merge and of patch reduction (hypothesis)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from talosgpu.talos.idempotency import reduce_patch, split_patch
from talosgpu.talos.merge import merge_documents
from talosgpu.versions import TalosVersion

V = TalosVersion.parse("1.14")
names = st.sampled_from(["nvidia", "nvidia_uvm", "nvidia_drm", "nvidia_modeset", "ib_umad"])
params = st.lists(st.sampled_from(["a=1", "a=2", "b=1"]), max_size=2)
module = st.builds(lambda n, p: {"name": n, **({"parameters": p} if p else {})}, names, params)
paths = st.sampled_from(["/etc/cri/conf.d/20-customization.part", "/var/etc/x", "/var/etc/y"])
mfile = st.builds(
    lambda p, c: {"path": p, "op": "create", "content": c}, paths, st.sampled_from(["a", "b"])
)
rules = st.lists(st.sampled_from(["r1", "r2", "r3"]), max_size=4)
labels = st.dictionaries(
    st.sampled_from(["x", "y", "nvidia.com/gpu.present"]),
    st.sampled_from(["", "true", "1"]),
    max_size=3,
)


@st.composite
def machine_doc(draw: st.DrawFn) -> dict[str, Any]:
    machine: dict[str, Any] = {}
    if draw(st.booleans()):
        machine["kernel"] = {"modules": draw(st.lists(module, max_size=4))}
    if draw(st.booleans()):
        machine["files"] = draw(st.lists(mfile, max_size=3))
    if draw(st.booleans()):
        machine["udev"] = {"rules": draw(rules)}
    if draw(st.booleans()):
        machine["nodeLabels"] = draw(labels)
    if draw(st.booleans()):
        machine["install"] = {"image": draw(st.sampled_from(["", "factory/a:v1", "factory/b:v1"]))}
    return {"machine": machine}


@st.composite
def kernel_module_docs(draw: st.DrawFn) -> list[dict[str, Any]]:
    chosen = draw(st.lists(names, unique=True, max_size=2))
    return [
        {
            "apiVersion": "v1alpha1",
            "kind": "KernelModuleConfig",
            "name": n,
            "parameters": draw(params),
        }
        for n in chosen
    ]


configs = st.builds(lambda m, k: [m, *k], machine_doc(), kernel_module_docs())
patches = st.builds(lambda m, k: [m, *k], machine_doc(), kernel_module_docs())


@given(configs)
def test_empty_patch_is_identity(config: list[dict[str, Any]]) -> None:
    assert merge_documents(config, [], talos_version=V) == config
    assert merge_documents(config, [{"machine": {}}], talos_version=V) == config


@given(configs, patches)
def test_merge_is_deterministic_and_pure(
    config: list[dict[str, Any]], patch: list[dict[str, Any]]
) -> None:
    before = copy.deepcopy((config, patch))
    first = merge_documents(config, patch, talos_version=V)
    assert merge_documents(config, patch, talos_version=V) == first
    assert (config, patch) == before


def _apply(
    config: list[dict[str, Any]], docs: list[dict[str, Any]], version: TalosVersion
) -> list[dict[str, Any]]:
    for patch in split_patch(docs, talos_version=version):
        config = merge_documents(config, patch, talos_version=version)
    return config


@settings(max_examples=200)
@given(configs, patches, st.sampled_from(["1.7", "1.8", "1.13", "1.14"]))
def test_reduced_patch_reaches_a_fixed_point(
    config: list[dict[str, Any]], patch: list[dict[str, Any]], version_text: str
) -> None:
    version = TalosVersion.parse(version_text)
    once = _apply(config, reduce_patch(config, patch, talos_version=version), version)
    again = reduce_patch(once, patch, talos_version=version)
    assert _apply(once, again, version) == once
