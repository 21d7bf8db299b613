"""validate_spec against the CDI loader's rules and the upstream conformance data."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from conftest import shared_path

from talosgpu.cdi import CDIFinding, load_spec, validate_spec
from talosgpu.cdi.spec import CDISpec

BASE: dict[str, Any] = {
    "cdiVersion": "0.3.0",
    "kind": "vendor.com/device",
    "devices": [
        {
            "name": "dev",
            "containerEdits": {
                "deviceNodes": [{"path": "/dev/card1"}],
                "hooks": [{"hookName": "createContainer", "path": "/bin/hook", "args": ["hook"]}],
                "mounts": [{"hostPath": "/a", "containerPath": "/b"}],
                "env": ["A=1"],
            },
        }
    ],
}
GENERATE_CASES = [
    "head-01-expectedSpec.yaml",
    "head-02-expectedSpec.yaml",
    "head-03-expectedSpec.yaml",
    "head-04-expectedSpec.yaml",
    "head-05-expectedSpec.yaml",
    "imex-01-expectedSpec.yaml",
    "toolkit-installer-01-expectedCdiSpec.yaml",
    "v1.18.0-01-expectedSpec.yaml",
    "v1.18.0-02-expectedSpec.yaml",
    "v1.18.0-03-expectedSpec.yaml",
    "v1.18.0-04-expectedSpec.yaml",
    "v1.18.0-05-expectedSpec.yaml",
]
# nvidia-ctk's generate tests render these Go-template placeholders before comparing.
PLACEHOLDERS = {
    "{{ .driverRoot }}": "/driver-root",
    "{{ .hostRoot }}": "/host-root",
    "{{ .toolkitRoot }}": "/usr/local/bin",
}
REAL_SPECS = ["k8s-dra-driver__nvidia.yaml", "salilkadam-Infrastructure__nvidia.yaml"]


def generate_case(name: str) -> str:
    text = shared_path("conformance", "cdi", "nvidia-ctk-generate-testcases", name).read_text(
        encoding="utf-8"
    )
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    assert "{{" not in text, f"unsubstituted placeholder in {name}"
    return text


def spec_of(mutate: Callable[[dict[str, Any]], object] | None = None) -> CDISpec:
    data = copy.deepcopy(BASE)
    if mutate is not None:
        mutate(data)
    return load_spec(json.dumps(data), source="t.json")


def edits(data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = data["devices"][0]["containerEdits"]
    return result


def errors(findings: list[CDIFinding]) -> list[CDIFinding]:
    return [f for f in findings if f.severity == "error"]


def test_base_spec_is_valid() -> None:
    assert validate_spec(spec_of()) == []


# ------------------------------------------------------------------ one rule per row
CASES: list[tuple[str, Callable[[dict[str, Any]], object], str, str, str]] = [
    # id, mutation, severity, code, path
    ("unknown-top", lambda d: d.update(extra=1), "error", "unknown-field", ".extra"),
    (
        "unknown-hook-field",
        lambda d: edits(d)["hooks"][0].update(hookNam="x"),
        "error",
        "unknown-field",
        ".devices[0].containerEdits.hooks[0].hookNam",
    ),
    (
        "case-folded-duplicate",
        lambda d: edits(d)["hooks"][0].update(hookname="prestart"),
        "warning",
        "duplicate-field",
        ".devices[0].containerEdits.hooks[0].hookname",
    ),
    (
        "case-folded",
        lambda d: d["devices"][0].update(Name=d["devices"][0].pop("name")),
        "warning",
        "field-case",
        ".devices[0].Name",
    ),
    ("bad-version", lambda d: d.update(cdiVersion="0.9.0"), "error", "version", ".cdiVersion"),
    ("version-float", lambda d: d.update(cdiVersion=0.5), "error", "type", ".cdiVersion"),
    (
        "hostPath-needs-0.5",
        lambda d: edits(d)["deviceNodes"][0].update(hostPath="/h"),
        "error",
        "min-version",
        ".cdiVersion",
    ),
    (
        "digit-name-needs-0.5",
        lambda d: d["devices"][0].update(name="0"),
        "error",
        "min-version",
        ".cdiVersion",
    ),
    (
        "dot-class-needs-0.6",
        lambda d: d.update(kind="a.com/b.c"),
        "error",
        "min-version",
        ".cdiVersion",
    ),
    (
        "annotations-need-0.6",
        lambda d: d.update(annotations={"a": "b"}),
        "error",
        "min-version",
        ".cdiVersion",
    ),
    (
        "mount-type-needs-0.4",
        lambda d: edits(d)["mounts"][0].update(type="bind"),
        "error",
        "min-version",
        ".cdiVersion",
    ),
    (
        "gids-need-0.7",
        lambda d: edits(d).update(additionalGids=[44]),
        "error",
        "min-version",
        ".cdiVersion",
    ),
    (
        "netdevices-need-1.1",
        lambda d: d.update(
            containerEdits={"netDevices": [{"hostInterfaceName": "a", "name": "b"}]}
        ),
        "error",
        "min-version",
        ".cdiVersion",
    ),
    ("kind-no-slash", lambda d: d.update(kind="vendor.com"), "error", "kind", ".kind"),
    ("kind-two-slashes", lambda d: d.update(kind="a.com/b/c"), "error", "kind", ".kind"),
    ("vendor-digit", lambda d: d.update(kind="1a.com/gpu"), "error", "kind", ".kind"),
    ("class-dash-end", lambda d: d.update(kind="a.com/gpu-"), "error", "kind", ".kind"),
    ("vendor-not-dns", lambda d: d.update(kind="Vendor_X/gpu"), "warning", "kind", ".kind"),
    ("class-too-long", lambda d: d.update(kind="a.com/" + "g" * 64), "warning", "kind", ".kind"),
    ("no-devices", lambda d: d.update(devices=[]), "error", "no-devices", ".devices"),
    ("devices-mapping", lambda d: d.update(devices={}), "error", "type", ".devices"),
    (
        "name-dash",
        lambda d: d["devices"][0].update(name="-a"),
        "error",
        "device-name",
        ".devices[0].name",
    ),
    (
        "name-space",
        lambda d: d["devices"][0].update(name="a b"),
        "error",
        "device-name",
        ".devices[0].name",
    ),
    (
        "name-empty",
        lambda d: d["devices"][0].update(name=""),
        "error",
        "device-name",
        ".devices[0].name",
    ),
    ("name-int", lambda d: d["devices"][0].update(name=7), "error", "type", ".devices[0].name"),
    (
        "duplicate-device",
        lambda d: d["devices"].append(copy.deepcopy(d["devices"][0])),
        "error",
        "duplicate-device",
        ".devices[1].name",
    ),
    (
        "empty-edits",
        lambda d: d["devices"][0].update(containerEdits={}),
        "error",
        "empty-edits",
        ".devices[0].containerEdits",
    ),
    (
        "missing-edits",
        lambda d: d["devices"][0].pop("containerEdits"),
        "error",
        "empty-edits",
        ".devices[0].containerEdits",
    ),
    (
        "env-no-equals",
        lambda d: edits(d).update(env=["FOO"]),
        "error",
        "env",
        ".devices[0].containerEdits.env[0]",
    ),
    (
        "env-empty-key",
        lambda d: edits(d).update(env=["=x"]),
        "error",
        "env",
        ".devices[0].containerEdits.env[0]",
    ),
    (
        "node-no-path",
        lambda d: edits(d).update(deviceNodes=[{"type": "c"}]),
        "error",
        "device-node",
        ".devices[0].containerEdits.deviceNodes[0].path",
    ),
    (
        "node-type",
        lambda d: edits(d)["deviceNodes"][0].update(type="x"),
        "error",
        "device-node",
        ".devices[0].containerEdits.deviceNodes[0].type",
    ),
    (
        "node-permissions",
        lambda d: edits(d)["deviceNodes"][0].update(permissions="rwx"),
        "error",
        "device-node",
        ".devices[0].containerEdits.deviceNodes[0].permissions",
    ),
    (
        "node-major-string",
        lambda d: edits(d)["deviceNodes"][0].update(major="195"),
        "error",
        "type",
        ".devices[0].containerEdits.deviceNodes[0].major",
    ),
    (
        "node-uid-negative",
        lambda d: edits(d)["deviceNodes"][0].update(uid=-1),
        "error",
        "type",
        ".devices[0].containerEdits.deviceNodes[0].uid",
    ),
    (
        "node-gid-too-big",
        lambda d: edits(d)["deviceNodes"][0].update(gid=2**32),
        "error",
        "type",
        ".devices[0].containerEdits.deviceNodes[0].gid",
    ),
    (
        "hook-name",
        lambda d: edits(d)["hooks"][0].update(hookName="preStart"),
        "error",
        "hook-name",
        ".devices[0].containerEdits.hooks[0].hookName",
    ),
    (
        "hook-relative",
        lambda d: edits(d)["hooks"][0].update(path="bin/hook"),
        "error",
        "hook-path",
        ".devices[0].containerEdits.hooks[0].path",
    ),
    (
        "hook-no-path",
        lambda d: edits(d)["hooks"][0].pop("path"),
        "error",
        "hook-path",
        ".devices[0].containerEdits.hooks[0].path",
    ),
    (
        "hook-timeout",
        lambda d: edits(d)["hooks"][0].update(timeout=0),
        "error",
        "hook-timeout",
        ".devices[0].containerEdits.hooks[0].timeout",
    ),
    (
        "hook-env",
        lambda d: edits(d)["hooks"][0].update(env=["NOVALUE"]),
        "error",
        "env",
        ".devices[0].containerEdits.hooks[0].env[0]",
    ),
    (
        "hook-args-not-strings",
        lambda d: edits(d)["hooks"][0].update(args=["x", 1]),
        "error",
        "type",
        ".devices[0].containerEdits.hooks[0].args[1]",
    ),
    (
        "hook-null-entry",
        lambda d: edits(d)["hooks"].append(None),
        "error",
        "null-entry",
        ".devices[0].containerEdits.hooks[1]",
    ),
    (
        "mount-no-container-path",
        lambda d: edits(d)["mounts"][0].pop("containerPath"),
        "error",
        "mount",
        ".devices[0].containerEdits.mounts[0].containerPath",
    ),
    (
        "annotation-key",
        lambda d: d.update(cdiVersion="0.6.0", annotations={"a b": "x"}),
        "error",
        "annotation",
        '.annotations."a b"',
    ),
    (
        "annotation-value",
        lambda d: d.update(cdiVersion="0.6.0", annotations={"a": 1}),
        "error",
        "type",
        ".annotations.a",
    ),
    (
        "intel-rdt-closid",
        lambda d: d.update(cdiVersion="0.7.0", containerEdits={"intelRdt": {"closID": "a/b"}}),
        "error",
        "intel-rdt",
        ".containerEdits.intelRdt.closID",
    ),
    (
        "rdt-monitoring-type",
        lambda d: d.update(
            cdiVersion="1.1.0", containerEdits={"intelRdt": {"enableMonitoring": "yes"}}
        ),
        "error",
        "type",
        ".containerEdits.intelRdt.enableMonitoring",
    ),
    (
        "netdevice-duplicate",
        lambda d: d.update(
            cdiVersion="1.1.0",
            containerEdits={
                "netDevices": [
                    {"hostInterfaceName": "eth0", "name": "a"},
                    {"hostInterfaceName": "eth0", "name": "b"},
                ]
            },
        ),
        "error",
        "net-device",
        ".containerEdits.netDevices[1].hostInterfaceName",
    ),
    (
        "netdevice-empty-name",
        lambda d: d.update(
            cdiVersion="1.1.0", containerEdits={"netDevices": [{"hostInterfaceName": "e"}]}
        ),
        "error",
        "net-device",
        ".containerEdits.netDevices[0].name",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "severity", "code", "path"),
    [pytest.param(m, s, c, p, id=i) for i, m, s, c, p in CASES],
)
def test_loader_rule(
    mutate: Callable[[dict[str, Any]], object], severity: str, code: str, path: str
) -> None:
    findings = validate_spec(spec_of(mutate))
    hits = [f for f in findings if (f.severity, f.code, f.path) == (severity, code, path)]
    assert hits, f"expected {severity} {code} at {path}, got {[f.one_line() for f in findings]}"
    for item in findings:
        assert "\n" not in item.one_line()
        assert item.fix


@pytest.mark.parametrize(
    ("mutate", "needed"),
    [
        (lambda d: edits(d)["deviceNodes"][0].update(hostPath="/h"), "0.5.0"),
        (lambda d: d.update(kind="a.com/b.c"), "0.6.0"),
        (lambda d: edits(d).update(intelRdt={}), "0.7.0"),
        (lambda d: edits(d).update(intelRdt={"schemata": []}), "1.1.0"),
    ],
)
def test_min_version_message_names_version_and_field(
    mutate: Callable[[dict[str, Any]], object], needed: str
) -> None:
    (finding,) = validate_spec(spec_of(mutate))
    assert f"at least v{needed}" in finding.message
    assert finding.fix == f'cdiVersion: "{needed}"'.join(["set ", ""])
    data = copy.deepcopy(BASE)
    mutate(data)
    data["cdiVersion"] = needed
    assert validate_spec(load_spec(json.dumps(data), source="t")) == []


@pytest.mark.parametrize("version", ["v0.3.0", "0.3.0", "0.8.0", "1.1.0"])
def test_known_versions_with_optional_v_are_accepted(version: str) -> None:
    assert validate_spec(spec_of(lambda d: d.update(cdiVersion=version))) == []


@pytest.mark.parametrize("version", ["0.1.0", "v0.2.0"])
def test_versions_before_earliest_are_always_too_low(version: str) -> None:
    """version.go: a spec using no versioned field still needs vEarliest (0.3.0)."""
    (finding,) = validate_spec(spec_of(lambda d: d.update(cdiVersion=version)))
    assert (finding.code, finding.path) == ("min-version", ".cdiVersion")
    assert "at least v0.3.0" in finding.message


def test_permissions_none_and_valid_types_are_accepted() -> None:
    def mutate(d: dict[str, Any]) -> None:
        edits(d)["deviceNodes"] = [
            {"path": "/dev/a", "permissions": "none", "type": "c", "major": 195, "fileMode": 438},
            {"path": "/dev/b", "permissions": "rwm", "type": "b", "uid": 0, "gid": 44},
        ]

    assert validate_spec(spec_of(mutate)) == []


def test_null_values_are_zero_values_like_go() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["containerEdits"] = None
        edits(d)["mounts"] = None

    assert validate_spec(spec_of(mutate)) == []


def test_every_problem_is_reported_not_only_the_first() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["extra"] = True
        d["kind"] = "nokind"
        edits(d)["env"] = ["BAD"]
        edits(d)["hooks"][0]["hookName"] = "nope"

    codes = [f.code for f in errors(validate_spec(spec_of(mutate)))]
    assert codes == ["unknown-field", "kind", "env", "hook-name"]


def test_findings_are_deterministic() -> None:
    spec = spec_of(lambda d: d.update(extra=1, kind="x"))
    assert validate_spec(spec) == validate_spec(spec)


# ------------------------------------------------------------------ upstream data
@pytest.mark.conformance
@pytest.mark.parametrize("name", ["minimal.json", "spec-example.json"])
def test_upstream_good_schema_examples_validate(name: str) -> None:
    path = shared_path("conformance", "cdi", "schema", "testdata", "good", name)
    assert validate_spec(load_spec(path.read_text(encoding="utf-8"), source=name)) == []


@pytest.mark.conformance
def test_upstream_schema_is_looser_than_the_loader() -> None:
    """An unknown field passes schema/schema.json (no additionalProperties) but fails here."""
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    base = shared_path("conformance", "cdi", "schema")
    schema = json.loads((base / "schema.json").read_text(encoding="utf-8"))
    defs = json.loads((base / "defs.json").read_text(encoding="utf-8"))
    registry = referencing.Registry().with_resource(
        "defs.json",
        referencing.Resource.from_contents(
            defs, default_specification=referencing.jsonschema.DRAFT7
        ),
    )
    validator = jsonschema.Draft7Validator(schema, registry=registry)
    data = copy.deepcopy(BASE)
    data["devices"][0]["containerEdits"]["hooks"][0]["hookNam"] = "typo"
    assert list(validator.iter_errors(data)) == []
    codes = [f.code for f in validate_spec(load_spec(json.dumps(data), source="t"))]
    assert codes == ["unknown-field"]
    for name in ("minimal.json", "spec-example.json"):
        good = json.loads((base / "testdata" / "good" / name).read_text(encoding="utf-8"))
        assert list(validator.iter_errors(good)) == []


@pytest.mark.conformance
@pytest.mark.parametrize("name", REAL_SPECS)
def test_real_nvidia_specs_have_no_errors(name: str) -> None:
    text = shared_path("conformance", "cdi", "nvidia-specs", name).read_text(encoding="utf-8")
    spec = load_spec(text, source=name)
    assert spec.kind == "nvidia.com/gpu"
    assert errors(validate_spec(spec)) == []


@pytest.mark.conformance
@pytest.mark.parametrize("name", GENERATE_CASES)
def test_nvidia_ctk_generate_expected_specs_validate(name: str) -> None:
    spec = load_spec(generate_case(name), source=name)
    assert validate_spec(spec) == []


@pytest.mark.conformance
@pytest.mark.parametrize("name", GENERATE_CASES)
def test_generate_specs_fail_when_cdi_version_is_lowered(name: str) -> None:
    """nvidia-ctk writes the minimum cdiVersion; anything lower must be rejected."""
    spec = load_spec(generate_case(name), source=name)
    assert spec.cdi_version == "0.5.0"
    data = copy.deepcopy(spec.data)
    data["cdiVersion"] = "0.4.0"
    codes = [f.code for f in validate_spec(load_spec(json.dumps(data), source=name))]
    assert codes == ["min-version"]


def test_an_unknown_cdi_field_gets_a_did_you_mean() -> None:
    spec_text = (
        "cdiVersion: 0.5.0\nkind: nvidia.com/gpu\ndevices:\n  - name: gpu0\n    containerEdits:\n"
        "      deviceNodse:\n        - path: /dev/nvidia0\n"
    )
    findings = validate_spec(load_spec(spec_text, source="s.yaml"))
    (found,) = [f for f in findings if f.code == "unknown-field"]
    assert found.message.endswith('(did you mean "deviceNodes"?)')
    assert found.fix.startswith('rename it to "deviceNodes"')


@pytest.mark.parametrize(
    ("raw", "hint"),
    [
        ("1e999999", "(quote it, as written)"),
        ("true", '(quote it: "true")'),
        ("0.5", '(quote it: "0.5")'),
    ],
)
def test_a_number_for_a_string_gets_an_honest_hint(raw: str, hint: str) -> None:
    """1e999999 reads as inf: suggesting "inf" would not be what was written."""
    spec = load_spec(f"cdiVersion: {raw}\nkind: nvidia.com/gpu\ndevices: []\n", source="s.yaml")
    (found,) = [f for f in validate_spec(spec) if f.path == ".cdiVersion" and f.code == "type"]
    assert found.message.endswith(hint)
