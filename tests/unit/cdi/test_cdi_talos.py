"""Talos hook-era findings and device-plugin device-name findings."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from conftest import shared_path

from talosgpu.cdi import CDIFinding, load_spec, patch_hooks, validate_spec
from talosgpu.cdi.spec import CDISpec
from talosgpu.errors import VersionError
from talosgpu.versions import TalosVersion

UUID = "GPU-520e01f2-cf30-6396-abef-e8e9a5233b0e"


def nvidia_spec(hook_path: str, names: tuple[str, ...] = ("0", UUID, "all")) -> CDISpec:
    data: dict[str, Any] = {
        "cdiVersion": "0.5.0",
        "kind": "nvidia.com/gpu",
        "devices": [
            {"name": name, "containerEdits": {"deviceNodes": [{"path": "/dev/nvidia0"}]}}
            for name in names
        ],
        "containerEdits": {
            "hooks": [
                {
                    "hookName": "createContainer",
                    "path": hook_path,
                    "args": ["nvidia-cdi-hook", "update-ldcache"],
                }
            ]
        },
    }
    return load_spec(json.dumps(data), source="nvidia.json")


def codes(findings: list[CDIFinding]) -> list[str]:
    return [f.code for f in findings]


@pytest.mark.parametrize(
    ("talos", "hook_path", "expected"),
    [
        # 1.8-1.12: the argv[0] wrapper rejects nvidia-cdi-hook; .real works; /usr/bin is absent.
        ("1.8", "/usr/local/bin/nvidia-cdi-hook", ["talos-hook-wrapper"]),
        ("1.11", "/usr/local/bin/nvidia-cdi-hook", ["talos-hook-wrapper"]),
        ("v1.12.4", "/usr/local/bin/nvidia-cdi-hook", ["talos-hook-wrapper"]),
        ("1.11", "/usr/local/bin/nvidia-cdi-hook.real", []),
        ("1.11", "/usr/local/bin/nvidia-ctk.real", []),
        ("1.11", "/usr/local/bin/nvidia-ctk", []),  # nvidia-ctk is on the wrapper's allowlist
        ("1.11", "/usr/bin/nvidia-cdi-hook", ["talos-hook-missing"]),
        ("1.12", "/usr/bin/nvidia-ctk", ["talos-hook-missing"]),
        # 1.13+: wrapper and .real gone, /usr/bin symlinks (talos#13022).
        ("1.13", "/usr/local/bin/nvidia-cdi-hook.real", ["talos-hook-real"]),
        ("1.14", "/usr/local/bin/nvidia-ctk.real", ["talos-hook-real"]),
        ("1.13", "/usr/local/bin/nvidia-cdi-hook", []),
        ("1.13", "/usr/bin/nvidia-cdi-hook", []),
        ("1.14", "/usr/bin/nvidia-ctk", []),
        # 1.7: toolkit 1.14, no nvidia-cdi-hook binary at all.
        ("1.7", "/usr/local/bin/nvidia-cdi-hook", ["talos-hook-missing"]),
        ("1.7", "/usr/local/bin/nvidia-cdi-hook.real", ["talos-hook-missing"]),
        ("1.7", "/usr/local/bin/nvidia-ctk", []),
        # Hooks elsewhere are not ours to judge.
        ("1.11", "/usr/local/nvidia/toolkit/nvidia-cdi-hook", []),
        ("1.13", "/opt/vendor/hook.real", []),
    ],
)
def test_hook_paths_per_talos_release(talos: str, hook_path: str, expected: list[str]) -> None:
    findings = validate_spec(nvidia_spec(hook_path), talos_version=talos)
    assert codes(findings) == expected
    for item in findings:
        assert item.severity == "error"
        assert item.path == ".containerEdits.hooks[0].path"


def test_fix_names_the_patch_hooks_strategy_that_resolves_it() -> None:
    (wrapper,) = validate_spec(nvidia_spec("/usr/local/bin/nvidia-cdi-hook"), talos_version="1.11")
    assert "unknown command nvidia-cdi-hook" in wrapper.message
    assert "--strategy real-binaries" in wrapper.fix
    (real,) = validate_spec(
        nvidia_spec("/usr/local/bin/nvidia-cdi-hook.real"), talos_version="1.13"
    )
    assert "--strategy usr-bin" in real.fix


@pytest.mark.parametrize(
    ("talos", "strategy"),
    [("1.11", "real-binaries"), ("1.12", "real-binaries"), ("1.13", "usr-bin")],
)
@pytest.mark.parametrize(
    "hook_path",
    [
        "/usr/local/bin/nvidia-cdi-hook",
        "/usr/bin/nvidia-cdi-hook",
        "/usr/local/bin/nvidia-cdi-hook.real",
    ],
)
def test_the_suggested_fix_clears_the_finding(talos: str, strategy: Any, hook_path: str) -> None:
    patched = patch_hooks(nvidia_spec(hook_path), strategy=strategy).spec
    assert validate_spec(patched, talos_version=talos) == []


def test_no_talos_version_means_no_talos_findings() -> None:
    assert validate_spec(nvidia_spec("/usr/local/bin/nvidia-cdi-hook")) == []


def test_malformed_talos_version_is_a_version_error() -> None:
    with pytest.raises(VersionError):
        validate_spec(nvidia_spec("/usr/bin/nvidia-cdi-hook"), talos_version="one.eleven")


def test_unknown_newer_talos_version_is_not_judged() -> None:
    findings = validate_spec(
        nvidia_spec("/usr/local/bin/nvidia-cdi-hook.real"), talos_version="1.99"
    )
    assert codes(findings) == ["talos-version"]
    assert findings[0].severity == "error"
    assert "not checked" in findings[0].message


def test_unknown_newer_talos_version_assumed_uses_newest_facts() -> None:
    assumed = TalosVersion.parse("1.99", assume_newest_known=True)
    findings = validate_spec(
        nvidia_spec("/usr/local/bin/nvidia-cdi-hook.real"), talos_version=assumed
    )
    assert codes(findings) == ["talos-version", "talos-hook-real"]
    assert findings[0].severity == "warning"


# ------------------------------------------------------------------ device names
@pytest.mark.parametrize(
    ("names", "strategy", "expected"),
    [
        (("0", UUID, "all"), "uuid", []),
        (("0", UUID, "all"), "index", []),
        (("0", "all"), "uuid", ["device-id-strategy"]),
        ((UUID, "all"), "index", ["device-id-strategy"]),
        (("0:1", "all"), "index", []),
        (("MIG-520e01f2-cf30-6396-abef-e8e9a5233b0e", "all"), "uuid", []),
        (("GPU-not-a-uuid", "all"), "uuid", ["device-id-strategy"]),
        (("0", UUID), None, ["no-all-device"]),
        (("0", UUID), "uuid", ["no-all-device"]),
    ],
)
def test_device_names_against_device_id_strategy(
    names: tuple[str, ...], strategy: Any, expected: list[str]
) -> None:
    findings = validate_spec(
        nvidia_spec("/usr/bin/nvidia-cdi-hook", names), device_id_strategy=strategy
    )
    assert codes(findings) == expected


def test_missing_all_is_only_flagged_for_nvidia_gpu_kind() -> None:
    spec = nvidia_spec("/usr/bin/nvidia-cdi-hook", ("0",))
    data = copy.deepcopy(spec.data)
    data["kind"] = "nvidia.com/imex-channel"
    assert validate_spec(load_spec(json.dumps(data), source="imex")) == []


@pytest.mark.conformance
def test_real_specs_against_strategies() -> None:
    base = ("conformance", "cdi", "nvidia-specs")
    generated = shared_path(*base, "salilkadam-Infrastructure__nvidia.yaml").read_text(
        encoding="utf-8"
    )
    spec = load_spec(generated, source="salilkadam")
    for strategy in ("uuid", "index"):
        assert validate_spec(spec, device_id_strategy=strategy) == []  # type: ignore[arg-type]
    # The DRA driver's spec names devices gpu0 / mig-gpu0-gi0-ci0 and has no `all`.
    dra = load_spec(
        shared_path(*base, "k8s-dra-driver__nvidia.yaml").read_text(encoding="utf-8"), source="dra"
    )
    for strategy in ("uuid", "index"):
        found = codes(validate_spec(dra, device_id_strategy=strategy))  # type: ignore[arg-type]
        assert found == ["device-id-strategy", "no-all-device"]


@pytest.mark.conformance
def test_talos05_spec_fails_on_1_11_until_patched() -> None:
    """The talos05 field report: nvidia-ctk on a Talos 1.11 node writes /usr/local/bin hooks; the wrapper rejects them."""
    text = shared_path(
        "conformance", "cdi", "nvidia-specs", "salilkadam-Infrastructure__nvidia.yaml"
    ).read_text(encoding="utf-8")
    on_node = text.replace("path: /usr/bin/nvidia-cdi-hook", "path: /usr/local/bin/nvidia-cdi-hook")
    spec = load_spec(on_node, source="nvidia.yaml")
    found = validate_spec(spec, talos_version="1.11.1", device_id_strategy="uuid")
    assert set(codes(found)) == {"talos-hook-wrapper"}
    assert len(found) == 10
    patched = patch_hooks(spec, strategy="real-binaries").spec
    assert validate_spec(patched, talos_version="1.11.1", device_id_strategy="uuid") == []


@pytest.mark.parametrize(
    "hook",
    [
        "/usr/bin/nvidia-cdi-hook",
        "/usr/local/bin/nvidia-cdi-hook",
        "/usr/local/nvidia/toolkit/nvidia-cdi-hook",
    ],
)
def test_on_1_15_a_hook_path_is_said_unverified_never_passed_or_failed(hook: str) -> None:
    """1.15's extension ships no toolkit: where the GPU Operator's hooks live is not known to
    talosgpu, so no path is judged right or wrong (a .real binary is still wrong: gone in 1.13)."""
    findings = validate_spec(nvidia_spec(hook), talos_version="1.15")
    hooks = [f for f in findings if f.code.startswith("talos-hook")]
    assert [(f.severity, f.code) for f in hooks] == [("warning", "talos-hook-unverified")]
    real = validate_spec(nvidia_spec("/usr/local/bin/nvidia-cdi-hook.real"), talos_version="1.15")
    assert [f.code for f in real if f.code.startswith("talos-hook")] == ["talos-hook-real"]
