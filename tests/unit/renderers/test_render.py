"""Renderer tests: golden files per profile per Talos version, and structural checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import refused

import talosgpu as api
from talosgpu import tomlio, yamlio
from talosgpu.errors import RenderError, TalosGPUError
from talosgpu.intent.load import load_intent_text
from talosgpu.plan import resolve
from talosgpu.profiles import list_profiles
from talosgpu.renderers import render_plan
from talosgpu.versions import known_versions

VERSIONS = [str(v) for v in known_versions()]
PROFILES = list(list_profiles())


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("profile", PROFILES)
def test_golden_patch(profile: str, version: str, golden: Callable[[str, str], None]) -> None:
    if refused(profile, version):
        with pytest.raises(TalosGPUError) as info:
            api.render(profile=profile, talos_version=version)
        assert "\n" not in str(info.value)
        golden(f"render/{profile}/{version}.refused.txt", str(info.value) + "\n")
        return
    rendered = api.render(profile=profile, talos_version=version)
    golden(f"render/{profile}/{version}.yaml", rendered.patch_text)
    if rendered.cri_toml is not None:
        golden(f"render/{profile}/{version}.cri.toml", rendered.cri_toml)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("profile", PROFILES)
def test_shape_by_version(profile: str, version: str) -> None:
    if refused(profile, version):
        with pytest.raises(TalosGPUError):
            api.render(profile=profile, talos_version=version)
        return
    rendered = api.render(profile=profile, talos_version=version)
    docs = yamlio.load_all(rendered.patch_text)
    assert docs == list(rendered.documents)
    v = rendered.plan.version
    if v.gpu_documents:
        assert all("machine" not in d for d in docs), "1.14 output must not use deprecated fields"
        kinds = {d["kind"] for d in docs}
        assert kinds <= {
            "KernelModuleConfig",
            "UdevRulesConfig",
            "SysctlConfig",
            "KubeNodeConfig",
            "CRICustomizationConfig",
        }
        for doc in docs:
            if doc["kind"] == "CRICustomizationConfig":
                assert doc["name"] != "customization"
    else:
        assert len(docs) == 1 and set(docs[0]) == {"machine"}
        for value in docs[0]["machine"].get("sysctls", {}).values():
            assert isinstance(value, str)
        for f in docs[0]["machine"].get("files", []):
            assert f["op"] == "create"
            assert f["path"] == "/etc/cri/conf.d/20-customization.part" or f["path"].startswith(
                "/var/"
            )
    if rendered.cri_toml:
        table = tomlio.loads(rendered.cri_toml)["plugins"]
        assert list(table) == [v.cri_runtime_table]


def test_render_is_deterministic() -> None:
    texts = {api.render(profile="nvidia-cdi").patch_text for _ in range(3)}
    assert len(texts) == 1


def test_talos05_patch_matches_the_field_report() -> None:
    """The seed's machine config, plus the gpu.present label the device plugin needs."""
    machine = api.render(profile="nvidia-cdi").documents[0]["machine"]
    assert [m["name"] for m in machine["kernel"]["modules"]] == [
        "nvidia",
        "nvidia_uvm",
        "nvidia_drm",
        "nvidia_modeset",
    ]
    assert len(machine["udev"]["rules"]) == 7
    assert machine["nodeLabels"]["node.kubernetes.io/gpu-vendor"] == "nvidia"
    part = machine["files"][0]
    assert part["path"] == "/etc/cri/conf.d/20-customization.part" and part["op"] == "create"
    toml = tomlio.loads(part["content"])["plugins"]["io.containerd.cri.v1.runtime"]
    assert toml["containerd"]["default_runtime_name"] == "nvidia-cdi"
    runtime = toml["containerd"]["runtimes"]["nvidia-cdi"]
    assert runtime == {
        "runtime_type": "io.containerd.runc.v2",
        "options": {"BinaryName": "/usr/local/bin/nvidia-container-runtime.cdi"},
    }
    assert [f["path"] for f in machine["files"][1:]] == ["/var/cdi/.keep", "/var/run/cdi/.keep"]


def test_containerd_1_7_keys_on_talos_1_7() -> None:
    rendered = api.render(profile="nvidia-cdi", talos_version="1.7")
    assert rendered.cri_toml is not None
    assert 'plugins."io.containerd.grpc.v1.cri"' in rendered.cri_toml


def test_extra_cri_toml_merges_and_conflicts_are_errors() -> None:
    base = "talosVersion: '1.11'\nruntime:\n  mode: cdi\n  defaultRuntime: nvidia-cdi\n"
    ok = (
        base
        + '  extraCriToml: |\n    [plugins."io.containerd.cri.v1.runtime"]\n    enable_unprivileged_ports = true\n'
    )
    rendered = render_plan(resolve(load_intent_text(ok)))
    assert rendered.cri_toml and "enable_unprivileged_ports = true" in rendered.cri_toml
    bad = (
        base
        + '  extraCriToml: |\n    [plugins."io.containerd.cri.v1.runtime".containerd]\n    default_runtime_name = "runc"\n'
    )
    with pytest.raises(RenderError, match="default_runtime_name"):
        render_plan(resolve(load_intent_text(bad)))
    stale = (
        base
        + '  extraCriToml: |\n    [plugins."io.containerd.grpc.v1.cri"]\n    enable_cdi = true\n'
    )
    assert any("ignores" in w for w in render_plan(resolve(load_intent_text(stale))).warnings)


def test_mode_none_renders_no_cri() -> None:
    rendered = render_plan(resolve(load_intent_text("runtime: {mode: none}"), "1.11"))
    assert rendered.cri_toml is None
    assert "files" not in rendered.documents[0]["machine"]


def test_upgrade_move_deletes_exactly_what_1_13_set() -> None:
    rendered = api.render(profile="nvidia-cdi", talos_version="1.14", from_version="1.13")
    first, *rest = rendered.documents
    machine = first["machine"]
    # the old render's modules one by one: the node's other modules stay
    assert machine["kernel"] == {
        "modules": [
            {"name": name, "$patch": "delete"}
            for name in ("nvidia", "nvidia_uvm", "nvidia_drm", "nvidia_modeset")
        ]
    }
    assert "udev" not in machine  # UdevRulesConfig replaces it; the user's rules are theirs
    assert any("UdevRulesConfig replaces .machine.udev" in w for w in rendered.warnings)
    assert machine["nodeLabels"] == {"$patch": "delete"}
    assert {"path": "/etc/cri/conf.d/20-customization.part", "$patch": "delete"} in machine["files"]
    assert all("machine" not in d for d in rest)
    with pytest.raises(RenderError, match="target"):
        api.render(profile="nvidia-cdi", talos_version="1.13", from_version="1.12")
    with pytest.raises(RenderError, match="nothing to move"):
        api.render(profile="nvidia-cdi", talos_version="1.14", from_version="1.14")


def test_output_files() -> None:
    files = api.output_files(api.render(profile="nvidia-cdi"))
    assert {"patch.yaml", "20-customization.part", "plan.json"} <= set(files)
    files14 = api.output_files(api.render(profile="nvidia-cdi", talos_version="1.14"))
    assert "cri-customization.toml" in files14 and "20-customization.part" not in files14


def test_the_upgrade_move_keeps_the_node_s_own_modules_and_its_install_form() -> None:
    """A 1.13 node with its own zfs module and talosgpu's 1.13 patch, moved to 1.14: zfs stays,
    the NVIDIA modules move to KernelModuleConfig, and the installer image stays in
    .machine.install (Talos rejects UnattendedInstallConfig next to it)."""
    from conftest import stock_config

    from talosgpu.intent.models import Intent
    from talosgpu.talos.apply import apply_patches

    intent = Intent.model_validate(
        {"profile": "nvidia-cdi", "talosVersion": "1.14.1", "installer": {"platform": "metal"}}
    )
    old = api.render(intent, talos_version="1.13.2")
    node = apply_patches(
        stock_config("1.13").read_text(),
        [old.patch_text, "machine: {kernel: {modules: [{name: zfs}]}}"],
        talos_version="1.13",
    )
    move = api.render(intent, from_version="1.13.2")
    moved = apply_patches(list(node.documents), [move.patch_text], talos_version="1.14")
    v1 = next(d for d in moved.documents if "machine" in d)
    assert [m["name"] for m in v1["machine"]["kernel"]["modules"]] == ["zfs"]
    assert v1["machine"]["install"]["image"].endswith(":v1.14.1")
    assert not [d for d in moved.documents if d.get("kind") == "UnattendedInstallConfig"]
    assert {d.get("name") for d in moved.documents if d.get("kind") == "KernelModuleConfig"} >= {
        "nvidia",
        "nvidia_uvm",
    }


def test_the_1_14_to_1_15_move_applied_over_the_1_14_render_is_a_fixed_point(
    tmp_path: Path,
) -> None:
    """The node has the 1.14 render's documents; the move sends only what changes against it
    (its documents again would append module parameters and udev rules a second time)."""
    text = (
        'talosVersion: "1.14"\ngpu: {model: RTX 4090, driver: {flavour: open}}\n'
        "runtime: {mode: operator}\n"
        "kernelModules:\n  - name: nvidia\n  - name: nvidia_uvm\n"
        "  - {name: nvidia_drm, parameters: [modeset=1]}\n  - name: nvidia_modeset\n"
    )
    intent = load_intent_text(text, source="n.yaml")
    base = [{"version": "v1alpha1", "machine": {"type": "worker"}}]
    on_114 = api.apply_patches(base, [yamlio.dump_all(api.render(intent).documents)])
    move = api.render(intent, talos_version="1.15", from_version="1.14")
    after = api.apply_patches(
        on_114.documents, [yamlio.dump_all(move.documents)], talos_version="1.15"
    )
    drm = next(d for d in after.documents if d.get("name") == "nvidia_drm")
    assert drm["parameters"] == ["modeset=1"]
    live = tmp_path / "live.yaml"
    live.write_text(after.text)
    assert api.diff(intent, live=live, talos_version="1.15").diff.changes == ()
