"""Canary secrets across every command that reads configs, in every output format.

A unique value is planted in each secret path of a real generated config; no command may print
one (stdout or stderr, success or error) unless ``--show-secrets`` is given — and with it, the
values do come through, so the test can fail.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_path

from talosgpu import yamlio
from talosgpu.cli import main

CANARIES: dict[tuple[str, ...], str] = {
    ("machine", "token"): "canary01.abcdefghijklmnop",
    ("machine", "ca", "key"): "Q0FOQVJZLW1hY2hpbmUtY2Eta2V5LXZhbHVl",
    ("cluster", "secret"): "canary-cluster-secret-2f8a91",
    ("cluster", "token"): "canary02.qrstuvwxyzabcdef",
    ("cluster", "secretboxEncryptionSecret"): "canary-secretbox-77c1e0",
    ("cluster", "aescbcEncryptionSecret"): "canary-aescbc-5b2d94",
    ("cluster", "ca", "key"): "Q0FOQVJZLWNsdXN0ZXItY2Eta2V5LXZhbHVl",
    ("cluster", "serviceAccount", "key"): "Q0FOQVJZLXNlcnZpY2UtYWNjb3VudC1rZXk=",
}


def _plant(doc: dict[str, Any]) -> None:
    for path, value in CANARIES.items():
        node = doc
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    registry = doc["machine"].setdefault("registries", {}).setdefault("config", {})
    registry["registry.example.com"] = {
        "auth": {"username": "u", "password": "canary-registry-pw-9d3"}
    }


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = shared_path(
        "conformance", "talos-machineconfigs", "stability", "v1.11", "base-worker.yaml"
    ).read_text()
    docs = yamlio.load_all(text)
    _plant(docs[0])
    path = tmp_path_factory.mktemp("live") / "live.yaml"
    path.write_text(yamlio.dump_all(docs))
    return path


def _canaries() -> list[str]:
    return [*CANARIES.values(), "canary-registry-pw-9d3"]


def run(
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str = "",
) -> str:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit):
        main(argv)
    out, err = capsys.readouterr()
    return out + err


def commands(live: Path) -> list[tuple[list[str], str]]:
    log = live.read_text()
    return [
        (["diff", "--profile", "nvidia-cdi", "--live", str(live)], ""),
        (["diff", "--profile", "nvidia-cdi", "--live", str(live), "--format", "json"], ""),
        (["diff", "--profile", "nvidia-cdi", "--live", "-"], log),
        (["diff", "-", "--live", str(live)], "gpu: {driver: {flavor: x}}\n"),  # error path
        (["lint", str(live)], ""),
        (["lint", str(live), "--format", "json"], ""),
        # patch prints a whole config (it is one); its report view is --redact
        (
            [
                "patch",
                str(live),
                "-p",
                "machine:\n  sysctls:\n    vm.swappiness: '10'\n",
                "--redact",
            ],
            "",
        ),
        (["patch", str(live), "-p", "machine:\n  nodeLabels: [oops]\n"], ""),  # merge error
        # a failed JSON6902 test: jsonpatch's own message quotes the live value
        (["patch", str(live), "-p", '[{"op":"test","path":"/cluster/secret","value":"x"}]'], ""),
        (["patch", str(live), "-p", '[{"op":"test","path":"/cluster","value":"x"}]'], ""),
        (["explain", "-"], log + "\nunknown command nvidia-cdi-hook\n"),
        (["explain", "-", "--format", "json"], log + "\nunknown command nvidia-cdi-hook\n"),
    ]


@pytest.mark.parametrize("index", range(12))
def test_no_secret_reaches_any_output(
    index: int, live: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv, stdin = commands(live)[index]
    output = run(argv, capsys, monkeypatch, stdin)
    leaked = [c for c in _canaries() if c in output]
    assert not leaked, (argv, leaked)


@pytest.mark.parametrize("legacy", [[], ["--show-secrets"]], ids=["default", "legacy-flag"])
def test_patch_writes_the_whole_config(
    legacy: list[str],
    live: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """patch is a config tool: what it prints can be applied, so every secret is in it."""
    output = run(
        ["patch", str(live), "-p", "machine:\n  sysctls:\n    vm.swappiness: '10'\n", *legacy],
        capsys,
        monkeypatch,
    )
    assert all(c in output for c in _canaries())


# ------------------------------------------------------------- through talosctl, fleets, check
# The --node and apply commands run against tests/fixtures/fake_talosctl/talosctl, a FAKE that
# mimics talosctl's arguments and output shapes (the ``get machineconfig -o yaml`` envelope and
# the ``patch --dry-run`` summary); it proves what talosgpu prints, not Talos behaviour.

INVENTORY = "\n".join(
    [
        "apiVersion: talosgpu.dev/v1alpha1",
        "kind: GPUInventory",
        "nodes:",
        "  - {name: gpu-a, address: 10.0.0.5, profile: nvidia-cdi}",
        "  - {name: gpu-b, address: 10.0.0.6, profile: nvidia-legacy}",
        "",
    ]
)


def remote_commands(tmp: Path, live: Path) -> list[list[str]]:
    inventory = tmp / "fleet.yaml"
    inventory.write_text(INVENTORY)
    live_dir = tmp / "live"
    live_dir.mkdir(exist_ok=True)
    for name in ("gpu-a", "gpu-b"):
        (live_dir / f"{name}.yaml").write_text(live.read_text())
    node = ["--node", "10.0.0.5"]
    return [
        ["diff", "--profile", "nvidia-cdi", *node],
        ["diff", "--profile", "nvidia-cdi", *node, "--format", "json"],
        ["apply", "--profile", "nvidia-cdi", *node, "--dry-run", "--yes"],
        ["apply", "--profile", "nvidia-cdi", *node, "--yes"],
        ["diff", str(inventory), "--all", "--live-dir", str(live_dir)],
        ["diff", str(inventory), "--all", "--live-dir", str(live_dir), "--format", "json"],
        ["apply", str(inventory), "--all", "--dry-run", "--yes"],
        ["lint", "--layers", str(live), str(live)],
    ]


@pytest.mark.parametrize("index", range(8))
def test_no_secret_reaches_remote_or_fleet_output(
    index: int,
    live: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from conftest import use_fake_talosctl

    fake = use_fake_talosctl(tmp_path, monkeypatch, version="1.11", talosconfig_env=True)
    fake["config"].write_text(live.read_text())  # the node answers with the planted config
    argv = remote_commands(tmp_path, live)[index]
    output = run(argv, capsys, monkeypatch)
    leaked = [c for c in _canaries() if c in output]
    assert not leaked, (argv, leaked)
    assert output.strip(), argv  # the command did report something


def test_check_redacts_a_secret_pasted_into_a_committed_file(
    live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("gpu1.yaml").write_text(
        'apiVersion: talosgpu.dev/v1alpha1\nkind: GPUNode\nprofile: nvidia-cdi\ntalosVersion: "1.11"\n'
    )
    run(["render", "gpu1.yaml", "--output-dir", "gpu1.rendered"], capsys, monkeypatch)
    patch = Path("gpu1.rendered/patch.yaml")
    docs = yamlio.load_all(patch.read_text())
    docs[0].setdefault("machine", {})["token"] = CANARIES[("machine", "token")]
    docs[0].setdefault("cluster", {})["secret"] = CANARIES[("cluster", "secret")]
    patch.write_text(yamlio.dump_all(docs))
    output = run(["check", "gpu1.yaml"], capsys, monkeypatch)
    assert "differs from what talosgpu renders now" in output
    assert ".machine.token" in output  # the change is reported ...
    assert not [c for c in _canaries() if c in output]  # ... without its value


def other_commands(live: Path) -> list[list[str]]:
    """Commands that do not expect a machine config, given one anyway (a wrong file in a
    pre-commit run, a mistyped argument): their errors and reports must not echo it."""
    path = str(live)
    return [
        ["render", path],
        ["render", path, "--explain"],
        ["schematic", path],
        ["helm-values", path],
        ["cdi", "validate", path],
        ["cdi", "validate", path, "--format", "json"],
        ["cdi", "patch-hooks", path],
        ["check", path],
        ["explain", f"@{path}", "--format", "json"],
    ]


@pytest.mark.parametrize("index", range(9))
def test_no_secret_reaches_output_of_commands_given_a_config(
    index: int, live: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = other_commands(live)[index]
    output = run(argv, capsys, monkeypatch)
    leaked = [c for c in _canaries() if c in output]
    assert not leaked, (argv, leaked)
