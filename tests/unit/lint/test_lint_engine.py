"""Report model, ordering, exit codes, JSON shape, cross-file layers, secrets."""

from __future__ import annotations

import dataclasses
import json

import pytest

from talosgpu.commands.lint import lint_files
from talosgpu.lint import RULES, Finding, exit_code, lint_text, lint_texts
from talosgpu.report.lint import render_report

CREATE = "machine:\n  files:\n    - op: create\n      path: {path}\n      content: x\n"
DELETE = "machine:\n  files:\n    - path: {path}\n      $patch: delete\n"


def test_findings_are_frozen_and_sorted_in_file_order() -> None:
    text = (
        "machine:\n  kubelet:\n    extraConfig:\n      registerWithTaints: []\n"
        "  sysctls:\n    net.core.bpf_jit_harden: 1\n  kernel:\n    modules: [{name: nvidia}]\n"
    )
    report = lint_text(text, source="a.yaml", talos_version="1.12")
    assert [f.rule for f in report.findings] == [
        "kubelet-register-taints",
        "bpf-jit-harden-number",
        "gpu-modules-missing",
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.findings[0].rule = "x"  # type: ignore[misc]
    assert report == lint_text(text, source="a.yaml", talos_version="1.12")


def test_every_rule_id_is_registered_and_kebab_case() -> None:
    for rule in RULES:
        assert rule == rule.lower() and " " not in rule and "_" not in rule


def test_exit_code_ignores_info_unless_strict() -> None:
    report = lint_text("machine:\n  nodeLabels: {a: b}\n", source="a", talos_version="1.14")
    assert report.findings and report.exit_code == 0
    assert exit_code(report, strict=True) == 1
    clean = lint_text("machine:\n  nodeLabels: {a: b}\n", source="a", talos_version="1.13")
    assert not clean.findings and clean.exit_code == 0


def test_json_shape() -> None:
    report = lint_text(
        "machine:\n  sysctls:\n    net.core.bpf_jit_harden: 1\n", source="a", talos_version="1.12"
    )
    data = json.loads(render_report(report, output="json"))
    assert data["version"] == 2 and data["filesChecked"] == 1
    assert set(data["findings"][0]) == {"file", "path", "rule", "severity", "message", "fix"}
    assert data["targets"] == [{"file": "a", "talosVersion": "1.12", "origin": "option"}]


def test_text_line_format() -> None:
    finding = Finding("f.yaml", ".a", "r-x", "error", "m", "do")
    assert finding.one_line() == "f.yaml:.a: error r-x: m (fix: do)"


def test_two_layers_creating_one_path(tmp_path) -> None:  # type: ignore[no-untyped-def]
    base, node = tmp_path / "base.yaml", tmp_path / "node.yaml"
    base.write_text(CREATE.format(path="/var/x"))
    node.write_text(CREATE.format(path="/var/x"))
    (finding,) = lint_files([base, node], layers=True).by_rule("files-duplicate-create")
    assert finding.file == str(node) and str(base) in finding.message
    assert finding.path == ".machine.files[0].path"
    assert not lint_files([base], layers=True).by_rule("files-duplicate-create")
    assert not lint_files([base, node]).by_rule("files-duplicate-create")


def test_a_later_layer_deleting_first_is_fine(tmp_path) -> None:  # type: ignore[no-untyped-def]
    base, node = tmp_path / "base.yaml", tmp_path / "node.yaml"
    base.write_text(CREATE.format(path="/var/x"))
    node.write_text(
        DELETE.format(path="/var/x").rstrip("\n")
        + "\n"
        + CREATE.format(path="/var/x").split("files:\n")[1]
    )
    assert not lint_files([base, node], layers=True).by_rule("files-duplicate-create")


def test_secret_values_never_appear() -> None:
    secret = "s3cr3t-t0ken-value-abcdef"
    text = (
        f"machine:\n  token: {secret}\n  ca:\n    key: {secret}\n  files:\n"
        f"    - op: {secret}\n      path: /var/x\n      content: '{secret}'\n"
        "  sysctls:\n    net.core.bpf_jit_harden: 1\n"
        f"cluster:\n  secret: {secret}\n"
    )
    report = lint_text(text, source="full.yaml", talos_version="1.14")
    rendered = render_report(report) + render_report(report, output="json")
    assert report.findings and "files-unknown-op" in report.rules()
    assert secret not in rendered and secret[:20] not in rendered


def test_layers_judge_documents_by_the_release_a_layer_names() -> None:
    """A base config's installer tag names the node's release; a patch's 1.14 documents only
    bound it from below, so a KubeNodeConfig over a 1.13 base is the error it is alone."""
    base = "machine:\n  install:\n    image: ghcr.io/siderolabs/installer:v1.13.2\n"
    patch = "apiVersion: v1alpha1\nkind: KubeNodeConfig\nlabels: {a: b}\n"
    report = lint_texts([(base, "base.yaml"), (patch, "gpu.yaml")], layers=True)
    assert [(t.file, t.talos_version) for t in report.targets] == [
        ("base.yaml", "1.13"), ("gpu.yaml", "1.13"),
    ]  # fmt: skip
    assert report.by_rule("document-needs-newer-talos")
    other = base.replace("v1.13.2", "v1.12.4")
    (differ,) = lint_texts([(base, "base.yaml"), (other, "b12.yaml")], layers=True).by_rule(
        "layer-releases-differ"
    )
    assert "base.yaml names 1.13, b12.yaml names 1.12" in differ.message
