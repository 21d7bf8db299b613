"""The canary sweep: every secret path of every release's generated config, every command.

For each release's ``talosctl gen config`` output (stability/v1.3 … v1.15, the control-plane
config with overrides, read through ``conftest.shared_path``), a unique value goes into every
row of the secret table (v1alpha1 rows, and from 1.5 one document per multi-document kind:
the 1.14 ``SideroLinkConfig.uniqueToken``, ``KubeExternalManifestConfig.headers``,
``KubeInlineManifestConfig.manifest`` among them), plus credentials in a CRI part (a registry
password, an ``Authorization`` header) and one under an explicit ``!!int`` tag. Every command
that reads a config runs on it — reports, error paths, written files — and no canary may be
printed or written. With ``--show-secrets`` the diff does show them, so the sweep can fail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import plant_secret_canaries, run_cli, shared_path

from talosgpu import yamlio

RELEASES = ["1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "1.9", "1.10", "1.11", "1.12", "1.13",
            "1.14", "1.15"]  # fmt: skip
CANARY = "Zq9Sweep"
CRI_PART = "/etc/cri/conf.d/20-customization.part"
CRI_TOML = (
    '[plugins."io.containerd.grpc.v1.cri".registry.configs."r.example".auth]\n'
    'password = "{p}"\n'
    '[plugins."io.containerd.grpc.v1.cri".registry.headers]\n'
    'Authorization = ["Bearer {h}"]\n'
)


def _planted(release: str, folder: Path) -> tuple[Path, Path, list[str]]:
    """The planted config, and a copy with an explicitly tagged secret; the canaries."""
    source = shared_path(
        "conformance",
        "talos-machineconfigs",
        "stability",
        f"v{release}",
        "overrides-controlplane.yaml",
    )
    docs = yamlio.load_all(source.read_text())
    multi = tuple(int(p) for p in release.split(".")) >= (1, 5)
    docs, values = plant_secret_canaries(
        docs, f"{CANARY}{release.replace('.', '')}x", documents=multi, talos_version=release
    )
    part = {"p": f"{CANARY}CriPw{release}", "h": f"{CANARY}CriHdr{release}"}
    files: list[dict[str, Any]] = docs[0].setdefault("machine", {}).setdefault("files", [])
    files.append({"path": CRI_PART, "op": "create", "content": CRI_TOML.format(**part)})
    config = folder / "live.yaml"
    config.write_text(yamlio.dump_all(docs))
    single = folder / "single.yaml"  # JSON6902 applies to a v1alpha1-only config (apply.go)
    single.write_text(yamlio.dump_all(docs[:1]))
    tagged = folder / "tagged.yaml"
    tag_value = f"{CANARY}Tagged{release}"
    tagged.write_text(config.read_text().replace(values[0], f"!!int {tag_value}", 1))
    return config, tagged, [*values, *part.values(), tag_value]


def _commands(config: Path, tagged: Path, out: Path, version: str) -> list[list[str]]:
    single = config.with_name("single.yaml")
    target = ["--talos-version", version]
    diff = ["diff", "--profile", "nvidia-cdi" if version < "1.15" else "nvidia-operator"]
    return [
        [*diff, "--live", str(config), *target],
        [*diff, "--live", str(config), *target, "--format", "json"],
        [*diff, "--live", str(tagged), *target],  # error path: the tag does not fit
        ["lint", str(config), *target],
        ["lint", str(config), *target, "--format", "json"],
        ["lint", "--layers", str(config), str(config), *target],
        ["lint", str(tagged)],
        [
            "patch",
            str(config),
            "-p",
            "machine: {sysctls: {vm.swappiness: '10'}}",
            *target,
            "--redact",
        ],
        ["patch", str(single), "-p", '[{"op": "test", "path": "/cluster", "value": 1}]', *target],
        ["patch", str(single), "-p", '[{"op": "test", "path": "/machine/token", "value": 1}]'],
        ["patch", str(single), "-p", '[{"op": "replace", "path": "/machine/nope/x", "value": 1}]'],
        ["patch", str(config), "-p", "machine: {nodeLabels: [oops]}", *target],  # merge error
        ["patch", str(tagged), "-p", "machine: {}"],
        ["patch", str(config), "-p", "machine: {}", "--redact", "-o", str(out / "redacted.yaml")],
        ["explain", f"@{config}"],
        ["explain", f"@{config}", "--format", "json"],
        ["render", "--profile", "nvidia-cdi", "--output-dir", str(out / "render")],
    ]


def _version(release: str) -> str:
    # The config contract of an old release, judged for the oldest release talosgpu renders.
    return release if tuple(int(p) for p in release.split(".")) >= (1, 7) else "1.7"


@pytest.mark.parametrize("release", RELEASES)
def test_no_canary_reaches_any_output_or_file(
    release: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, tagged, canaries = _planted(release, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    version = _version(release)
    reported = []
    for argv in _commands(config, tagged, out, version):
        code, stdout, stderr = run_cli(argv, capsys)
        leaked = [c for c in canaries if c in stdout or c in stderr]
        assert not leaked, (argv, code, leaked[:3])
        reported.append(code)
    written = "".join(p.read_text() for p in out.rglob("*") if p.is_file())
    assert written and not [c for c in canaries if c in written]
    assert 2 in reported and 0 in reported  # error paths and reports both ran


@pytest.mark.parametrize("release", ["1.5", "1.11", "1.14", "1.15"])
def test_the_sweep_can_fail(
    release: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the sweep plants is there to be found: the whole config ``patch`` prints holds
    every canary (its --redact view none of them), and --show-secrets shows the CRI part's."""
    config, _, canaries = _planted(release, tmp_path)
    code, whole, _ = run_cli(["patch", str(config), "-p", "machine: {}"], capsys)
    assert code == 0 and not [c for c in canaries if c not in whole and "Tagged" not in c]
    code, redacted, _ = run_cli(["patch", str(config), "-p", "machine: {}", "--redact"], capsys)
    assert code == 0 and not [c for c in canaries if c in redacted]
    if release == "1.11":  # the planted CRI part replaces the rendered one: a shown change
        argv = [
            "diff",
            "--profile",
            "nvidia-cdi",
            "--live",
            str(config),
            "--talos-version",
            release,
        ]
        code, shown, _ = run_cli([*argv, "--show-secrets"], capsys)
        assert code == 1 and f"{CANARY}CriPw{release}" in shown
        code, hidden, _ = run_cli(argv, capsys)
        assert code == 1 and f"{CANARY}CriPw{release}" not in hidden
