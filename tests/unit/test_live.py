"""Reading live configs: plain files, multi-document configs, stdin and the talosctl envelope.

The envelopes below have the shape of ``talosctl get machineconfig -o yaml`` (research §8):
``spec`` as a block string (talosctl >= 1.8) or as a mapping (older talosctl).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import shared_path
from conftest import talosctl_envelope as envelope

from talosgpu.errors import LiveConfigError
from talosgpu.live import LiveConfig, detect_talos_version, load_live_config

CONFIG = """\
version: v1alpha1 # comment
machine:
  type: worker
  token: d8cwfa.eyvpi0xwxyarbfid
  install: {image: "ghcr.io/siderolabs/installer:v1.11.1", disk: /dev/sda}
  files:
    - {path: /var/a, op: create, content: x, permissions: 0o644}
    - path: /var/b
      op: create
      content: y
      permissions: 0644
    - {path: /var/c, op: create, content: z, permissions: 420}
    - {path: /var/d, op: create, content: w, permissions: "0o600"}
cluster:
  secret: pofHbABZq7VXuObsdLdy/bHmz6hlMHZ3p8+6WKrv1ic=
---
apiVersion: v1alpha1
kind: EtcFileConfig
name: nvidia/x.conf
mode: 0600
contents: hello
"""


def test_plain_multidoc_file(tmp_path: Path) -> None:
    path = tmp_path / "live.yaml"
    path.write_text(CONFIG)
    live = load_live_config(path)
    assert isinstance(live, LiveConfig)
    assert live.source == str(path) and live.node is None and live.resource_id is None
    assert [d.get("kind", "v1alpha1") for d in live.documents] == ["v1alpha1", "EtcFileConfig"]
    assert live.raw_text == CONFIG
    assert str(live.talos_version) == "1.11" and live.talos_version.full == "v1.11.1"
    assert live.v1alpha1 is live.documents[0]


def test_octal_spellings_normalise_to_the_same_int() -> None:
    live = load_live_config("x.yaml", text=CONFIG)
    modes = [f["permissions"] for f in live.documents[0]["machine"]["files"]]
    assert modes == [0o644, 0o644, 0o644, 0o600]
    assert all(type(m) is int for m in modes)
    assert live.documents[1]["mode"] == 0o600


def test_comments_order_and_style_do_not_matter() -> None:
    block = "machine:\n  type: worker\n  # note\n  nodeLabels:\n    b: '2'\n    a: '1'\n"
    flow = "machine: {nodeLabels: {a: '1', b: '2'}, type: worker}"
    assert load_live_config("a", text=block).documents == load_live_config("b", text=flow).documents


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(envelope("10.0.0.5", "v1alpha1", CONFIG)))
    live = load_live_config("-")
    assert live.source == "<stdin>" and live.node == "10.0.0.5"
    assert live.resource_id == "v1alpha1" and len(live.documents) == 2


def test_envelope_spec_as_string_equals_plain() -> None:
    live = load_live_config("env.yaml", text=envelope("10.0.0.5", "v1alpha1", CONFIG))
    assert live.documents == load_live_config("plain.yaml", text=CONFIG).documents
    assert live.warnings == ()


def test_envelope_spec_as_mapping_old_talosctl() -> None:
    live = load_live_config("env.yaml", text=envelope("10.0.0.5", "v1alpha1", CONFIG, mapping=True))
    assert len(live.documents) == 1
    assert live.documents[0]["machine"]["files"][1]["permissions"] == 0o644
    assert live.warnings and "older than 1.8" in live.warnings[0]


def test_prefers_active_resource_id() -> None:
    other = CONFIG.replace("type: worker", "type: controlplane")
    text = envelope("n1", "persistent", other) + "---\n" + envelope("n1", "v1alpha1", CONFIG)
    live = load_live_config("env.yaml", text=text)
    assert live.resource_id == "v1alpha1"
    assert live.documents[0]["machine"]["type"] == "worker"


def test_single_non_active_resource_is_used() -> None:
    live = load_live_config("env.yaml", text=envelope("n1", "persistent", CONFIG))
    assert live.resource_id == "persistent"


def test_several_nodes_need_a_choice() -> None:
    text = (
        envelope("10.0.0.2", "v1alpha1", CONFIG)
        + "---\n"
        + envelope("10.0.0.1", "v1alpha1", CONFIG.replace("worker", "controlplane"))
    )
    with pytest.raises(LiveConfigError, match=r"several nodes \(10\.0\.0\.1, 10\.0\.0\.2\)") as err:
        load_live_config("env.yaml", text=text)
    assert err.value.file == "env.yaml"
    live = load_live_config("env.yaml", text=text, node="10.0.0.1")
    assert live.node == "10.0.0.1" and live.documents[0]["machine"]["type"] == "controlplane"
    with pytest.raises(
        LiveConfigError,
        match=r"no resource for node 10\.9\.9\.9; nodes in input: 10\.0\.0\.1, 10\.0\.0\.2",
    ):
        load_live_config("env.yaml", text=text, node="10.9.9.9")


def test_envelope_without_node_field_takes_the_given_node() -> None:
    live = load_live_config("env.yaml", text=envelope(None, "v1alpha1", CONFIG), node="gpu-1")
    assert live.node == "gpu-1"


@pytest.mark.parametrize(
    ("text", "message", "yaml_path"),
    [
        ("", "no machine config documents", None),
        ("- a\n- b\n", "expected a machine config document", "[0]"),
        (
            "node: x\nmetadata: {type: Pods.v1}\nspec: {}\n",
            "not MachineConfigs",
            "[0].metadata.type",
        ),
        ("node: x\nmetadata: {id: v1alpha1}\nspec: 3\n", "neither a YAML string", "[0].spec"),
        ("node: x\nmetadata: {}\nspec: 'a: [b'\n", "not valid YAML", "[0].spec"),
        ("node: x\nmetadata: {}\nspec: {}\n---\nmachine: {}\n", "mixes talosctl resources", "[1]"),
        ("machine: {token: a\n", "not valid YAML", None),
    ],
)
def test_errors_name_file_and_path(text: str, message: str, yaml_path: str | None) -> None:
    with pytest.raises(LiveConfigError, match=message) as err:
        load_live_config("bad.yaml", text=text)
    assert err.value.file == "bad.yaml"
    assert err.value.yaml_path == yaml_path


def test_errors_never_echo_secret_values() -> None:
    secret = "pofHbABZq7VXuObsdLdy/bHmz6hlMHZ3p8+6WKrv1ic="
    bad = [
        f"machine:\n  token: {secret}\n  token: {secret}\n",  # duplicate key under a secret
        f"node: x\nmetadata: {{}}\nspec: '- {secret}'\n",
        f"cluster: {{secret: {secret}\n",
    ]
    for text in bad:
        with pytest.raises(LiveConfigError) as err:
            load_live_config("bad.yaml", text=text)
        assert secret not in str(err.value)


def test_missing_file() -> None:
    with pytest.raises(LiveConfigError, match="no such file") as err:
        load_live_config("/nonexistent/live.yaml")
    assert err.value.file == "/nonexistent/live.yaml"


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("ghcr.io/siderolabs/installer:v1.11.1", "v1.11.1"),
        (
            "factory.talos.dev/installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.13.2",
            "v1.13.2",
        ),
        ("factory.talos.dev/metal-installer-secureboot/abc:v1.14.0-rc.1", "v1.14.0"),
        ("ghcr.io/siderolabs/installer:v1.10.3@sha256:" + "a" * 64, "v1.10.3"),
        ("ghcr.io/siderolabs/installer:latest", None),
        ("registry.example/kubelet:v1.11.1", None),
        ("ghcr.io/siderolabs/installer:v1.5.0", None),  # older than talosgpu supports
    ],
)
def test_detect_talos_version(image: str, expected: str | None) -> None:
    version = detect_talos_version([{"machine": {"install": {"image": image}}}])
    assert (version.full if version else None) == expected


def test_detect_version_from_unattended_install_document() -> None:
    docs = [{"apiVersion": "v1alpha1", "kind": "UnattendedInstallConfig",
             "installer": {"image": "ghcr.io/siderolabs/installer:v1.14.0"}}]  # fmt: skip
    assert detect_talos_version(docs).full == "v1.14.0"  # type: ignore[union-attr]


def test_real_configs_round_trip_through_the_envelope() -> None:
    root = shared_path("conformance/talos-machineconfigs/stability")
    files = sorted(root.glob("v*/*.yaml"))
    assert len(files) >= 48
    for path in files:
        raw = path.read_text()
        plain = load_live_config(path)
        wrapped = load_live_config("env.yaml", text=envelope("10.5.0.2", "v1alpha1", raw))
        assert wrapped.documents == plain.documents, path
        assert plain.documents[0]["version"] == "v1alpha1"
