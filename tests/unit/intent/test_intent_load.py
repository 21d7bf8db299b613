from __future__ import annotations

import pytest

from talosgpu.errors import IntentError, ProfileError
from talosgpu.intent.load import load_intent_text, overlay


def test_minimal_intent_has_defaults() -> None:
    intent = load_intent_text("talosVersion: '1.11'\n")
    assert intent.gpu.driver.flavour == "open"
    assert intent.runtime.mode == "auto"
    assert intent.kernel_modules is None


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ("gpu:\n  driver:\n    flavor: open\n", ".gpu.driver.flavor", "unknown field"),
        ("gpu:\n  driver:\n    flavour: closed\n", ".gpu.driver.flavour", "open"),
        (
            "gpu:\n  driver:\n    flavour: proprietry\n",
            ".gpu.driver.flavour",
            "(did you mean 'proprietary'?)",
        ),
        ("talosVersion: 1.10\n", ".talosVersion", "quoted string: '1.10', or '1.1'"),
        ("talosVersion: 1.9\n", ".talosVersion", "quoted string: '1.9' (YAML"),
        ("talosVersion: '1.5'\n", ".talosVersion", "not supported"),
        ("labels:\n  'bad key!': x\n", ".labels", "bad key!"),
        ("labels:\n  a: " + "x" * 64 + "\n", ".labels", "63"),
        ("taints:\n  gpu: 'true:NoScheduled'\n", ".taints", "invalid taint effect"),
        ("annotations:\n  talos.dev/owned-labels: x\n", ".annotations", "reserved"),
        (
            'udevRules:\n  - \'KERNEL=="nvidia, MODE="0666"\'\n',
            ".udevRules[0]",
            "unbalanced quotes",
        ),
        ('udevRules:\n  - |\n    KERNEL=="a"\n    KERNEL=="b"\n', ".udevRules[0]", "single line"),
        ("runtime:\n  cdiSpecDirs: [/etc/cdi]\n", ".runtime.cdiSpecDirs[0]", "read-only"),
        ("kernelModules:\n  - name: 'nvidia uvm'\n", ".kernelModules[0].name", "kernel module"),
        ("sharing:\n  strategy: time-slicing\n  replicas: 1\n", ".sharing.replicas", "2"),
        ("sharing:\n  strategy: time-slicing\n", ".sharing", "needs replicas"),
        (
            "sysctls:\n  net.core.bpf_jit_harden: [1]\n",
            '.sysctls."net.core.bpf_jit_harden"',
            "valid string",
        ),
        ("workloads: [graphics, graphics]\n", ".workloads", "repeat"),
        # the TOML error names the intent and the field, never the value (a password may be
        # the unquoted word): "Invalid value (at line 1, column 12)"
        (
            "runtime:\n  extraCriToml: 'password = Zq9x'\n",
            ".runtime.extraCriToml",
            "not valid TOML",
        ),
        ("- a\n- b\n", ".", "mapping"),
    ],
)
def test_errors_name_file_and_yaml_path(text: str, path: str, message: str) -> None:
    with pytest.raises(IntentError) as err:
        load_intent_text(text, source="node.yaml")
    assert err.value.file == "node.yaml"
    assert err.value.yaml_path == path
    assert message in err.value.message
    assert "\n" not in str(err.value)


def test_profile_override_rule() -> None:
    intent = load_intent_text(
        "profile: nvidia-cdi\n"
        "labels:\n  extra: 'yes'\n"
        'udevRules: [\'KERNEL=="nvidia", MODE="0660"\']\n'
        "node:\n  address: 10.0.0.9\n"
        "runtime:\n  defaultRuntime: null\n"
    )
    assert intent.profile == "nvidia-cdi"
    # maps merge key by key
    assert intent.labels == {"node.kubernetes.io/gpu-vendor": "nvidia", "extra": "yes"}
    assert intent.node.name == "talos05" and intent.node.address == "10.0.0.9"
    # lists replace
    assert intent.udev_rules == ('KERNEL=="nvidia", MODE="0660"',)
    # null removes the profile's value -> default
    assert intent.runtime.default_runtime is None
    assert intent.runtime.mode == "cdi"


def test_unknown_profile_names_the_intent_file() -> None:
    with pytest.raises(ProfileError) as err:
        load_intent_text("profile: nope\n", source="node.yaml")
    assert str(err.value).startswith("node.yaml: .profile: unknown profile 'nope'")


def test_overlay_does_not_mutate() -> None:
    base = {"a": {"b": 1, "c": [1]}, "d": 1}
    out = overlay(base, {"a": {"c": [2]}, "d": None})
    assert out == {"a": {"b": 1, "c": [2]}}
    assert base == {"a": {"b": 1, "c": [1]}, "d": 1}
