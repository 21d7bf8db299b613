"""Every JSON a command prints validates against its schema in docs/schemas/, and every key
talosgpu names is camelCase (the schemas forbid any other key).

The outputs come from the real CLI on real inputs: Talos's generated 1.11 config as the live
config, a lint finding, an explain match, a CDI spec from a public repository, a check with an
invalid and a stale file, the fleet example with one node missing its live config.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import doctor_scenarios as ds
import jsonschema
import pytest
from conftest import ROOT, run_cli, shared_path, stock_config, use_fake_talosctl

SCHEMAS = ROOT / "docs" / "schemas"


def _validate(name: str, document: Any) -> None:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.validate(document, schema)


# The commands with a JSON form, one per schema in docs/schemas (a static list: parametrizing
# over _commands would read ../shared while the module is collected, and a missing ../shared
# must skip these tests, not stop the collection).
NAMES = (
    "apply", "apply-fleet", "cdi-validate", "check", "diff", "doctor", "doctor-fleet",
    "explain", "fleet-diff", "lint", "profiles", "render", "schematic",
)  # fmt: skip


def _commands(work: Path) -> dict[str, list[str]]:
    live = str(stock_config("1.11"))
    spec = str(shared_path("conformance", "cdi", "nvidia-specs", "k8s-dra-driver__nvidia.yaml"))
    return {
        "diff": ["diff", "--profile", "nvidia-cdi", "--live", live, "--format", "json"],
        "fleet-diff": ["diff", str(work / "fleet.yaml"), "--all", "--live-dir", str(work / "live"), "--format", "json"],
        "lint": ["lint", live, "--format", "json"],
        "explain": ["explain", "unknown command nvidia-cdi-hook", "--talos-version", "1.11", "--format", "json"],
        "cdi-validate": ["cdi", "validate", spec, "--format", "json"],
        "check": ["check", str(work / "bad.yaml"), str(work / "patch.yaml"), "--format", "json"],
        "schematic": ["schematic", "--profile", "nvidia-cdi", "--format", "json"],
        "profiles": ["profiles", "--format", "json"],
        "render": ["render", "--profile", "nvidia-cdi", "--format", "json"],
        # against the FAKE talosctl (tests/fixtures/fake_talosctl: talosctl's output shapes)
        "apply": ["apply", "--profile", "nvidia-cdi", "--node", "10.0.0.5", "--dry-run", "--yes",
                  "--format", "json"],
        "apply-fleet": ["apply", str(work / "fleet.yaml"), "--all", "--dry-run", "--yes",
                        "--format", "json"],
        # a support bundle built from go-talos-support's layout (tests/doctor_scenarios.py)
        "doctor": ["doctor", str(work / "node.yaml"), "--bundle", str(work / "support.zip"),
                   "--events", str(work / "events.txt"), "--format", "json"],
        # against the FAKE talosctl/kubectl of tests/fixtures/fake_doctor (one node unreachable)
        "doctor-fleet": ["doctor", str(work / "gpu-fleet.yaml"), "--all", "--format", "json"],
    }  # fmt: skip


@pytest.fixture
def work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Path:
    (tmp_path / "fake").mkdir()
    use_fake_talosctl(tmp_path / "fake", monkeypatch, version="1.11", talosconfig_env=True)
    shutil.copy(ROOT / "examples" / "fleet-two-roles" / "inventory.yaml", tmp_path / "fleet.yaml")
    (tmp_path / "live").mkdir()
    for name in ("gpu-a", "gpu-b"):  # gpu-c has none: an error entry
        shutil.copy(stock_config("1.11"), tmp_path / "live" / f"{name}.yaml")
    (tmp_path / "bad.yaml").write_text("profle: nvidia-cdi\n")
    (tmp_path / "node.yaml").write_text('profile: nvidia-cdi\ntalosVersion: "1.11"\n')
    assert (
        run_cli(
            ["render", str(tmp_path / "node.yaml"), "-o", str(tmp_path / "patch.yaml")], capsys
        )[0]
        == 0
    )
    (tmp_path / "node.yaml").write_text('profile: nvidia-cdi\ntalosVersion: "1.12"\n')  # stale now
    scenario = ds.healthy("1.11")
    (tmp_path / "support.zip").write_bytes(scenario.bundle())
    (tmp_path / "events.txt").write_text(ds.WRAPPER + "\n")
    scenario.write(tmp_path / "doctor-node")
    (tmp_path / "gpu-fleet.yaml").write_text(
        'kind: GPUInventory\ndefaults:\n  talosVersion: "1.11"\nnodes:\n'
        f"  - name: {ds.NAME}\n    address: {ds.ADDRESS}\n  - name: gone\n    address: 10.9.9.9\n"
    )
    return tmp_path


def _talosgpu_keys(value: Any, schema: dict[str, Any]) -> list[str]:
    """Keys of the objects the schema defines (not the config values inside old/new)."""
    found: list[str] = []
    if isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            found.append(key)
            found += _talosgpu_keys(item, schema["properties"].get(key, {}))
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            sub = schema["items"]
            for option in sub.get("oneOf", [sub]):
                if isinstance(item, dict) and set(item) <= set(option.get("properties", {})):
                    found += _talosgpu_keys(item, option)
                    break
    return found


@pytest.mark.parametrize("name", NAMES)
def test_json_output_matches_its_schema(
    name: str, work: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if name == "doctor-fleet":
        ds.use_fakes(monkeypatch, work / "doctor-node")
        monkeypatch.setenv("FAKE_TALOSCTL_DOWN", "10.9.9.9")
    commands = _commands(work)
    assert set(commands) == set(NAMES)
    code, out, _ = run_cli(commands[name], capsys)
    assert code in (0, 1, 2), name
    document = json.loads(out)
    _validate(name, document)
    assert document["version"] >= 1
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    keys = _talosgpu_keys(document, schema)
    assert keys and not [k for k in keys if not re.fullmatch(r"[a-z][A-Za-z0-9]*", k)], name


def test_every_schema_is_tested_and_valid() -> None:
    names = {p.name.removesuffix(".schema.json") for p in SCHEMAS.glob("*.schema.json")}
    assert names == set(NAMES)
    for name in names:
        jsonschema.Draft202012Validator.check_schema(
            json.loads((SCHEMAS / f"{name}.schema.json").read_text())
        )
