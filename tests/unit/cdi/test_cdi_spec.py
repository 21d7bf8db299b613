"""Loading CDI specs: YAML or JSON, format remembered, non-specs refused with file and path."""

from __future__ import annotations

import json

import pytest
from conftest import shared_path

from talosgpu.cdi import CDISpec, load_spec
from talosgpu.cdi.spec import dump_spec_data
from talosgpu.errors import CDIError

MINIMAL = {
    "cdiVersion": "0.3.0",
    "kind": "vendor.com/device",
    "devices": [{"name": "dev", "containerEdits": {"env": ["A=1"]}}],
}
YAML_MINIMAL = """---
cdiVersion: 0.3.0
kind: vendor.com/device
devices:
  - name: dev
    containerEdits:
      env: [A=1]
"""


def test_yaml_is_read_and_remembered() -> None:
    spec = load_spec(YAML_MINIMAL, source="spec.yaml")
    assert isinstance(spec, CDISpec)
    assert spec.format == "yaml"
    assert spec.data == MINIMAL
    assert (spec.cdi_version, spec.kind, spec.device_names) == (
        "0.3.0",
        "vendor.com/device",
        ("dev",),
    )
    assert spec.source == "spec.yaml"
    assert spec.text == YAML_MINIMAL


def test_json_is_detected_by_content() -> None:
    spec = load_spec("\n  " + json.dumps(MINIMAL), source="<stdin>")
    assert spec.format == "json"
    assert spec.data == MINIMAL


def test_yaml_flow_mapping_is_yaml() -> None:
    text = "{cdiVersion: 0.3.0, kind: vendor.com/device, devices: [{name: dev}]}"
    spec = load_spec(text, source="flow.yaml")
    assert spec.format == "yaml"
    assert spec.kind == "vendor.com/device"


@pytest.mark.parametrize(
    ("text", "path", "fragment"),
    [
        ("", ".", "empty input"),
        ("# only a comment\n", ".", "empty input"),
        ("[1, 2]", ".", "expected a mapping, got a list"),
        ("just text", ".", "expected a mapping, got a string"),
        ("{}", ".cdiVersion", "missing cdiVersion, kind, devices"),
        ("cdiVersion: 0.3.0\nkind: a.com/b\n", ".devices", "missing devices"),
        ("cdiVersion: 0.3.0\ndevices: []\n", ".kind", "missing kind"),
    ],
)
def test_non_specs_are_refused_with_file_and_path(text: str, path: str, fragment: str) -> None:
    with pytest.raises(CDIError) as info:
        load_spec(text, source="in.yaml")
    assert info.value.file == "in.yaml"
    assert info.value.yaml_path == path
    assert fragment in info.value.message
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('{"cdiVersion": "0.3.0", "cdiVersion": "0.4.0"}', 'duplicate key "cdiVersion"'),
        ("cdiVersion: 0.3.0\ncdiVersion: 0.4.0\n", 'duplicate key "cdiVersion"'),
        ('{"cdiVersion": NaN, "kind": "a/b", "devices": []}', "NaN is not valid JSON"),
        ("a: [\n", "not valid YAML"),
        ("---\ncdiVersion: 0.3.0\n---\ncdiVersion: 0.4.0\n", "found 2 YAML documents"),
    ],
)
def test_unparseable_input_is_a_cdi_error(text: str, fragment: str) -> None:
    with pytest.raises(CDIError, match=fragment) as info:
        load_spec(text, source="bad")
    assert info.value.file == "bad"


def test_spec_properties_tolerate_wrong_types() -> None:
    spec = load_spec(
        '{"cdiVersion": 3, "kind": {"a": 1}, "devices": [1, {"name": 0}, {"name": "x"}]}',
        source="s",
    )
    assert (spec.cdi_version, spec.kind, spec.device_names) == ("", "", ("x",))


def test_dump_keeps_format_and_leading_document_marker() -> None:
    assert dump_spec_data(MINIMAL, fmt="json") == json.dumps(MINIMAL, indent=2) + "\n"
    with_marker = dump_spec_data(MINIMAL, fmt="yaml", original="---\ncdiVersion: x\n")
    without = dump_spec_data(MINIMAL, fmt="yaml", original="cdiVersion: x\n")
    assert with_marker == "---\n" + without
    assert load_spec(with_marker, source="x").data == MINIMAL


@pytest.mark.conformance
@pytest.mark.parametrize("name", ["empty.json", "explicit-empty.json"])
def test_upstream_bad_schema_examples_are_refused(name: str) -> None:
    path = shared_path("conformance", "cdi", "schema", "testdata", "bad", name)
    with pytest.raises(CDIError) as info:
        load_spec(path.read_text(encoding="utf-8"), source=name)
    assert info.value.file == name


@pytest.mark.conformance
@pytest.mark.parametrize("name", ["minimal.json", "spec-example.json"])
def test_upstream_good_schema_examples_load_as_json(name: str) -> None:
    path = shared_path("conformance", "cdi", "schema", "testdata", "good", name)
    spec = load_spec(path.read_text(encoding="utf-8"), source=name)
    assert spec.format == "json"
    assert spec.device_names == ("myDevice",)
