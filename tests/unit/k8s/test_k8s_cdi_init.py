"""The CDI generator Pod and init DaemonSet (the talos05 field report), and the idempotent hook rewrite run with
a real ``sh`` and ``sed`` on real NVIDIA CDI specs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_path

from talosgpu import yamlio
from talosgpu.commands.render import render
from talosgpu.intent.load import load_profile
from talosgpu.intent.models import Intent
from talosgpu.k8s.cdi_init import (
    HOOK_REWRITE_SED,
    cdi_init_objects,
    hook_rewrite_command,
    needs_cdi_init,
    spec_dirs,
)
from talosgpu.plan import resolve

SPECS = ("k8s-dra-driver__nvidia.yaml", "salilkadam-Infrastructure__nvidia.yaml")
SH = shutil.which("sh")
SED = shutil.which("sed")
needs_sh = pytest.mark.skipif(SH is None or SED is None, reason="needs sh and sed on PATH")


def _hook_paths(spec: dict[str, Any]) -> list[str]:
    edits = [spec.get("containerEdits", {})]
    edits += [d.get("containerEdits", {}) for d in spec.get("devices", [])]
    return [h["path"] for e in edits for h in e.get("hooks", [])]


def _without_hook_paths(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with every hook path blanked: what the rewrite must leave untouched."""
    for edits in [spec.get("containerEdits", {})] + [
        d.get("containerEdits", {}) for d in spec.get("devices", [])
    ]:
        for hook in edits.get("hooks", []):
            hook["path"] = "<hook>"
    return spec


def _run(script: str) -> None:
    subprocess.run([SH, "-c", script], check=True, capture_output=True, text=True, timeout=30)


def _objects(profile: str, version: str) -> dict[str, dict[str, Any]]:
    return {
        o["kind"]: o for o in cdi_init_objects(render(profile=profile, talos_version=version).plan)
    }


def _script(container: dict[str, Any]) -> str:
    command = container["command"]
    assert command[:2] == ["/bin/sh", "-c"]
    return str(command[2])


# ------------------------------------------------------------------------------ the rewrite
@needs_sh
@pytest.mark.conformance
@pytest.mark.parametrize("name", SPECS)
@pytest.mark.parametrize("bindir", ["/usr/bin", "/usr/local/bin"])
def test_hook_rewrite_is_idempotent_on_real_specs(name: str, bindir: str, tmp_path: Path) -> None:
    original = shared_path("conformance", "cdi", "nvidia-specs", name).read_text(encoding="utf-8")
    # nvidia-ctk on a Talos node (the extension lives in /usr/local/bin) writes /usr/local/bin
    # hook paths; the upstream specs were generated elsewhere with /usr/bin.
    text = original.replace("path: /usr/bin/", f"path: {bindir}/")
    spec = tmp_path / "nvidia.yaml"
    spec.write_text(text, encoding="utf-8")
    before = yamlio.load(text)
    assert _hook_paths(before), "the spec has hooks to rewrite"

    _run(hook_rewrite_command(str(spec)))
    once = spec.read_text(encoding="utf-8")
    _run(hook_rewrite_command(str(spec)))
    twice = spec.read_text(encoding="utf-8")

    assert once == twice, "a second run (DaemonSet restart) must not change the spec"
    after = yamlio.load(once)
    paths = _hook_paths(after)
    assert paths and all(p.startswith("/usr/local/bin/") and p.endswith(".real") for p in paths)
    assert not any(p.endswith(".real.real") for p in paths)
    # args[0] (what the binary is told it is) and everything else stay as generated.
    assert _without_hook_paths(after) == _without_hook_paths(before)


@needs_sh
def test_talos05_sed_is_not_idempotent(tmp_path: Path) -> None:
    """Why the rewrite is not the talos05 field report's: its sed appends .real again on every restart."""
    spec = tmp_path / "nvidia.yaml"
    spec.write_text("    path: /usr/local/bin/nvidia-cdi-hook\n", encoding="utf-8")
    original = (
        f"sed -i 's|/usr/local/bin/nvidia-cdi-hook|/usr/local/bin/nvidia-cdi-hook.real|g' {spec}"
    )
    _run(original)
    _run(original)
    assert (
        spec.read_text(encoding="utf-8").strip() == "path: /usr/local/bin/nvidia-cdi-hook.real.real"
    )
    spec.write_text("    path: /usr/local/bin/nvidia-cdi-hook\n", encoding="utf-8")
    _run(hook_rewrite_command(str(spec)))
    _run(hook_rewrite_command(str(spec)))
    assert spec.read_text(encoding="utf-8").strip() == "path: /usr/local/bin/nvidia-cdi-hook.real"


@needs_sh
def test_hook_rewrite_leaves_other_paths_alone(tmp_path: Path) -> None:
    text = (
        "  deviceNodes:\n  - path: /dev/nvidia0\n  mounts:\n"
        "  - containerPath: /usr/local/bin/nvidia-ctk\n    hostPath: /usr/local/bin/nvidia-ctk\n"
        "  hooks:\n  - args:\n    - nvidia-cdi-hook\n    hookName: createContainer\n"
        "    path: /usr/local/bin/nvidia-cdi-hook\n"
        "  - path: /usr/bin/nvidia-ctk\n"
    )
    spec = tmp_path / "nvidia.yaml"
    spec.write_text(text, encoding="utf-8")
    _run(hook_rewrite_command(str(spec)))
    out = spec.read_text(encoding="utf-8")
    assert "hostPath: /usr/local/bin/nvidia-ctk\n" in out
    assert "containerPath: /usr/local/bin/nvidia-ctk\n" in out
    assert "- path: /dev/nvidia0\n" in out
    assert "    - nvidia-cdi-hook\n" in out
    assert "    path: /usr/local/bin/nvidia-cdi-hook.real\n" in out
    assert "  - path: /usr/local/bin/nvidia-ctk.real\n" in out


def test_rewrite_command_quotes_spec_path() -> None:
    assert hook_rewrite_command("/host/a b/nvidia.yaml").endswith("'/host/a b/nvidia.yaml'")
    assert "'" not in HOOK_REWRITE_SED  # it sits inside single quotes in the shell command


# ------------------------------------------------------------------------------ the objects
def test_talos05_shapes() -> None:
    objects = _objects("nvidia-cdi", "1.11")
    pod, ds = objects["Pod"], objects["DaemonSet"]

    # Generator: pinned to the named node, host PID for nsenter, spec into the persistent dir.
    assert pod["metadata"]["namespace"] == "kube-system"
    assert pod["spec"]["nodeSelector"]["kubernetes.io/hostname"] == "talos05"
    assert pod["spec"]["hostPID"] is True
    assert pod["spec"]["restartPolicy"] == "Never"
    gen = pod["spec"]["containers"][0]
    script = _script(gen)
    assert "nvidia-ctk cdi generate --output=/var/cdi/nvidia.yaml" in script
    assert hook_rewrite_command("/host/var/cdi/nvidia.yaml") in script
    assert pod["spec"]["volumes"] == [
        {"name": "var-cdi", "hostPath": {"path": "/var/cdi", "type": "DirectoryOrCreate"}}
    ]
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in pod["spec"][
        "tolerations"
    ]

    # DaemonSet: selector matches the template, the plan's variant label, hostPaths of the plan.
    spec = ds["spec"]
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    tpl = spec["template"]["spec"]
    plan = resolve(load_profile("nvidia-cdi"), "1.11")
    assert plan.cdi_init is not None
    variant = plan.labels["runtime.talosgpu.dev/cdi-init"]
    assert tpl["nodeSelector"] == {"runtime.talosgpu.dev/cdi-init": variant}
    assert variant == plan.cdi_init.variant and len(variant) == 8
    assert [v["hostPath"]["path"] for v in tpl["volumes"]] == ["/var/cdi", "/var/run/cdi"]
    names = [c["name"] for c in tpl["initContainers"]]
    assert names == ["rewrite-hook-paths", "copy-cdi-spec"]
    copy = _script(tpl["initContainers"][1])
    assert "mv /host/var/run/cdi/.nvidia.yaml.tmp /host/var/run/cdi/nvidia.yaml" in copy
    for container in [*tpl["initContainers"], *tpl["containers"], gen]:
        assert ":" in container["image"] and not container["image"].endswith(":latest")
        assert container["resources"]["requests"]
    assert tpl["containers"][0]["image"] == "registry.k8s.io/pause:3.10"


def test_mounted_volumes_exist() -> None:
    for obj in _objects("nvidia-cdi", "1.9").values():
        pod = obj["spec"]["template"]["spec"] if obj["kind"] == "DaemonSet" else obj["spec"]
        volumes = {v["name"] for v in pod["volumes"]}
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            for mount in container.get("volumeMounts", []):
                assert mount["name"] in volumes


@needs_sh
def test_daemonset_scripts_run_twice(tmp_path: Path) -> None:
    """Run the DaemonSet's init scripts (with /host mapped to a temp dir) twice: a restart."""
    objects = _objects("nvidia-cdi", "1.11")
    host = tmp_path / "host"
    (host / "var/cdi").mkdir(parents=True)
    (host / "var/run/cdi").mkdir(parents=True)
    (host / "var/cdi/nvidia.yaml").write_text(
        "hooks:\n- args: [nvidia-cdi-hook, update-ldcache]\n  path: /usr/local/bin/nvidia-cdi-hook\n",
        encoding="utf-8",
    )
    tpl = objects["DaemonSet"]["spec"]["template"]["spec"]
    for _ in range(2):
        for container in tpl["initContainers"]:
            _run(_script(container).replace("/host/", f"{host}/"))
    for path in ("var/cdi/nvidia.yaml", "var/run/cdi/nvidia.yaml"):
        spec = yamlio.load((host / path).read_text(encoding="utf-8"))
        assert spec["hooks"][0]["path"] == "/usr/local/bin/nvidia-cdi-hook.real"
    assert sorted(p.name for p in (host / "var/run/cdi").iterdir()) == ["nvidia.yaml"]


@needs_sh
def test_daemonset_fails_without_spec(tmp_path: Path) -> None:
    tpl = _objects("nvidia-cdi", "1.11")["DaemonSet"]["spec"]["template"]["spec"]
    script = _script(tpl["initContainers"][0]).replace("/host/", f"{tmp_path}/")
    result = subprocess.run([SH, "-c", script], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "nvidia-cdi-generator" in result.stderr


@pytest.mark.parametrize("hooks", ["unchanged", "usr-bin"])
def test_no_rewrite_container_without_real_binaries(hooks: str) -> None:
    plan = resolve(
        Intent.model_validate(
            {"talosVersion": "1.11", "runtime": {"mode": "cdi", "hookPaths": hooks}}
        )
    )
    assert plan.hook_strategy == hooks
    objects = {o["kind"]: o for o in cdi_init_objects(plan)}
    assert "rewrite" not in str(objects)
    assert ".real" not in yamlio.dump_all(objects.values())
    tpl = objects["DaemonSet"]["spec"]["template"]["spec"]
    assert [c["name"] for c in tpl["initContainers"]] == ["copy-cdi-spec"]


def test_generator_without_node_name_uses_gpu_labels() -> None:
    plan = resolve(Intent.model_validate({"talosVersion": "1.10", "runtime": {"mode": "cdi"}}))
    pod = cdi_init_objects(plan)[0]
    assert pod["metadata"]["name"] == "nvidia-cdi-generator"
    assert pod["spec"]["nodeSelector"] == {"nvidia.com/gpu.present": "true"}


def test_spec_dirs_prefer_persistent_source() -> None:
    plan = resolve(
        Intent.model_validate(
            {
                "talosVersion": "1.11",
                "runtime": {"mode": "cdi", "cdiSpecDirs": ["/var/run/cdi", "/var/cdi"]},
            }
        )
    )
    assert spec_dirs(plan) == ("/var/cdi", ("/var/run/cdi",))


@pytest.mark.parametrize(
    ("profile", "version", "expected"),
    [
        ("nvidia-cdi", "1.12", True),
        ("nvidia-cdi", "1.13", False),  # the extension's nvidia-cdi-gen writes /run/cdi
        ("nvidia-legacy", "1.11", False),
        ("nvidia-operator", "1.14", False),
    ],
)
def test_needs_cdi_init(profile: str, version: str, expected: bool) -> None:
    plan = render(profile=profile, talos_version=version).plan
    assert needs_cdi_init(plan) is expected
    assert bool(cdi_init_objects(plan)) is expected
