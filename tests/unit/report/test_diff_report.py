"""Text and JSON rendering of a diff; the JSON shape documented in docs/diff-and-apply.md."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from talosgpu.configdiff.semantic import diff_configs
from talosgpu.report.diff import render_json, render_text

CRI = "/etc/cri/conf.d/20-customization.part"

# The shape documented in docs/diff-and-apply.md ("JSON output").
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "version", "node", "source", "talosVersion", "changes", "reboot", "rebootReasons",
        "summary", "warnings",
    ],
    "properties": {
        "version": {"const": 1},
        "node": {"type": ["string", "null"]},
        "source": {"type": ["string", "null"]},
        "talosVersion": {"type": "string", "pattern": r"^\d+\.\d+$"},
        "reboot": {"type": "boolean"},
        "rebootReasons": {"type": "array", "items": {"type": "string"}},
        "summary": {"type": "string"},
        "warnings": {"type": "array", "items": {"type": "string"}},
        "changes": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "document", "path", "op", "old", "new", "impact", "note", "secret", "textDiff",
                    "copies",
                ],
                "properties": {
                    "document": {"type": "string"},
                    "path": {"type": "string"},
                    "op": {"enum": ["add", "remove", "change", "dedupe", "reorder"]},
                    "old": {},
                    "new": {},
                    "impact": {"enum": ["none", "cri-restart", "module-load", "upgrade", "reboot"]},
                    "note": {"type": ["string", "null"]},
                    "secret": {"type": "boolean"},
                    "textDiff": {"type": ["string", "null"]},
                    "copies": {
                        "type": ["object", "null"],
                        "additionalProperties": False,
                        "required": ["live", "proposed"],
                        "properties": {"live": {"type": "integer"}, "proposed": {"type": "integer"}},
                    },
                },
            },
        },
    },
}  # fmt: skip


def _v1(**machine: Any) -> dict[str, Any]:
    return {"version": "v1alpha1", "machine": {"type": "worker", **machine}}


def _sample() -> Any:
    old = _v1(
        sysctls={"a": "1"}, kernel={"modules": [{"name": "gone"}]}, token="abcdef.0123456789abcdef"
    )
    new = _v1(
        sysctls={"a": "2"},
        token="zyxwvu.fedcba9876543210",
        files=[{"path": CRI, "op": "create", "content": "[a]\nb = 1\n"}],
    )
    return diff_configs([old], [new], talos_version="1.12")


def test_text_report_lines() -> None:
    text = render_text(_sample(), node="10.0.0.5", source="talosctl:10.0.0.5")
    lines = text.splitlines()
    assert (
        lines[0]
        == "talosgpu diff for Talos 1.12: node 10.0.0.5, live config from talosctl:10.0.0.5"
    )
    assert lines[1] == "v1alpha1:"
    assert "  ~ .machine.token: <redacted> → <redacted> (changed)  [reboot]" in lines
    assert '  ~ .machine.sysctls.a: "1" → "2"  [none]' in lines
    assert any(
        line.startswith("  - .machine.kernel.modules[name=gone]") and "(removed)" in line
        for line in lines
    )
    assert f"      +++ proposed {CRI}" in lines
    assert lines[-1] == (
        "4 changes; the node will reboot because .machine.token and .machine.files changed; "
        "kernel module changes other than new modules take effect after a reboot"
    )


def test_show_secrets_reveals_raw_values() -> None:
    text = render_text(_sample(), show_secrets=True)
    assert '"abcdef.0123456789abcdef" → "zyxwvu.fedcba9876543210"' in text
    assert "abcdef.0123456789abcdef" not in render_text(_sample())


def test_json_shape_is_stable_and_documented() -> None:
    data = json.loads(render_json(_sample(), node="n1", warnings=["w"]))
    jsonschema.validate(data, SCHEMA)
    assert data["reboot"] is True
    assert data["rebootReasons"] == [".machine.token", ".machine.files"]
    token = next(c for c in data["changes"] if c["path"] == ".machine.token")
    assert (token["old"], token["new"], token["secret"]) == ("<redacted>", "<redacted>", True)
    empty = json.loads(render_json(diff_configs([_v1()], [_v1()], talos_version="1.14")))
    jsonschema.validate(empty, SCHEMA)
    assert empty["changes"] == [] and empty["reboot"] is False


def test_output_is_deterministic() -> None:
    assert render_text(_sample()) == render_text(_sample())
    assert render_json(_sample()) == render_json(_sample())
