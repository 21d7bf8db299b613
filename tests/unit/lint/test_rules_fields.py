"""Unknown fields per release, from the field-name facts (rules_fields, talos/field_names)."""

from __future__ import annotations

from talosgpu.lint import lint_text
from talosgpu.talos.field_names import field_names, releases_with
from talosgpu.versions import TalosVersion


def test_the_facts_hold_deprecated_fields_the_schemas_leave_out() -> None:
    # the 1.14 JSON schema has no .machine.install.extensions: the decoder still accepts it
    assert "extensions" in (field_names(TalosVersion.parse("1.14"), "machine.install") or ())
    assert releases_with("machine.install", "grubUseUKICmdline")[0] == "1.12"
    assert field_names(TalosVersion.parse("1.13"), "KernelModuleConfig") is None


def test_a_typo_in_a_document_and_in_a_list_item() -> None:
    text = (
        "apiVersion: v1alpha1\nkind: KubeNodeConfig\nlabel:\n  a: b\nnodeIP:\n  validSubnet: []\n"
    )
    report = lint_text(text, source="p.yaml", talos_version="1.14")
    assert [(f.path, f.fix) for f in report.by_rule("unknown-field")] == [
        (".label", "did you mean 'labels'?"),
        (".nodeIP.validSubnet", "did you mean 'validSubnets'?"),
    ]
    files = "machine:\n  files:\n    - {op: create, path: /var/a, contents: x}\n"
    (finding,) = lint_text(files, source="p.yaml", talos_version="1.12").by_rule("unknown-field")
    assert finding.path == ".machine.files[0].contents" and "'content'" in finding.fix


def test_a_field_of_another_release_is_release_dependent() -> None:
    text = "machine:\n  install:\n    grubUseUKICmdline: true\n"
    (finding,) = lint_text(text, source="p.yaml", talos_version="1.11").by_rule(
        "field-not-in-release"
    )
    assert "(Talos 1.12-1.15 has it)" in finding.message and finding.severity == "error"
    assumed = lint_text(text.replace("true", "true\n    image: x"), source="p.yaml")
    assert not assumed.by_rule("field-not-in-release")  # 1.14 has it
    old = "machine:\n  install:\n    image: ghcr.io/siderolabs/installer:v1.11.3\n    grubUseUKICmdline: true\n"
    (finding,) = lint_text(old, source="p.yaml").by_rule("field-not-in-release")
    assert finding.severity == "error"  # the installer tag names the release


def test_json6902_ops_and_patch_directives() -> None:
    ops = "- op: add\n  path: /machine/kernel/modulez\n  value: []\n"
    (finding,) = lint_text(ops, source="p.yaml", talos_version="1.11").by_rule("unknown-field")
    assert finding.path == "[0].value"
    delete = "machine:\n  kernel:\n    modules:\n      - name: nvidia\n        $patch: delete\n"
    assert not lint_text(delete, source="p.yaml", talos_version="1.11").by_rule("unknown-field")
