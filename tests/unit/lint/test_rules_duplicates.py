"""Duplicates a re-applied patch leaves: in a file and across layers (rules_duplicates)."""

from __future__ import annotations

from talosgpu.lint import lint_text, lint_texts

NVIDIA = "machine:\n  kernel:\n    modules:\n      - name: nvidia\n"


def test_a_module_twice_in_one_file() -> None:
    text = NVIDIA + "      - name: nvidia\n        parameters: [NVreg_X=1]\n"
    (finding,) = lint_text(text, source="p.yaml", talos_version="1.13").by_rule("duplicate-entry")
    assert finding.path == ".machine.kernel.modules[1]" and finding.severity == "warning"
    assert "with the parameters of the last entry" in finding.message


def test_layers_a_file_given_twice_and_a_delete_that_replaces() -> None:
    twice = lint_texts([(NVIDIA, "gpu.yaml"), (NVIDIA, "gpu.yaml")], layers=True)
    (finding,) = twice.by_rule("duplicate-entry")
    assert "of this same file, given twice as a layer" in finding.message
    replace = "machine:\n  kernel:\n    modules:\n      - name: nvidia\n        $patch: delete\n"
    replace += "      - name: nvidia\n        parameters: [NVreg_X=1]\n"
    report = lint_texts([(NVIDIA, "base.yaml"), (replace, "node.yaml")], layers=True)
    assert not report.by_rule("duplicate-entry")
    assert not lint_texts([(NVIDIA, "a.yaml"), (NVIDIA, "b.yaml")]).by_rule("duplicate-entry")


def test_udev_rules_across_layers_and_a_cleared_list() -> None:
    rule = 'machine:\n  udev:\n    rules: [\'KERNEL=="nvidia*", MODE="0666"\']\n'
    (finding,) = lint_texts([(rule, "a.yaml"), (rule, "b.yaml")], layers=True).by_rule(
        "duplicate-entry"
    )
    assert finding.file == "b.yaml" and "at .machine.udev.rules[0] of a.yaml" in finding.message
    cleared = "machine:\n  udev:\n    rules:\n      $patch: delete\n"
    layers = [(rule, "a.yaml"), (cleared, "b.yaml"), (rule, "c.yaml")]
    assert not lint_texts(layers, layers=True).by_rule("duplicate-entry")


def test_cri_documents_of_one_name() -> None:
    doc = "apiVersion: v1alpha1\nkind: CRICustomizationConfig\nname: gpu\ncontent: |\n  {}\n"
    same = lint_texts([(doc.format(""), "a.yaml"), (doc.format(""), "b.yaml")], layers=True)
    assert not same.by_rule("duplicate-entry")  # merging the same document changes nothing
    other = doc.format("[plugins]")
    (finding,) = lint_texts([(doc.format(""), "a.yaml"), (other, "b.yaml")], layers=True).by_rule(
        "duplicate-entry"
    )
    assert finding.path == ".content" and "only the later content is used" in finding.message


def test_the_cri_part_twice_says_both_eras() -> None:
    part = "    - op: create\n      path: /etc/cri/conf.d/20-customization.part\n      content: x\n"
    text = "machine:\n  files:\n" + part + part.replace("x\n", "y\n")
    for version in ("1.13", "1.14", None):
        report = lint_text(text, source="p.yaml", talos_version=version)
        (finding,) = report.by_rule("files-duplicate-create")
        assert finding.severity == "error" and "<= 1.13 the second entry fails at boot" in (
            finding.message
        )
        assert "from 1.14 only the first entry's content is the CRI customization" in (
            finding.message
        )


def test_append_after_create_is_no_duplicate() -> None:
    text = "machine:\n  files:\n    - {op: create, path: /var/a, content: x}\n"
    text += "    - {op: append, path: /var/a, content: y}\n"
    assert not lint_text(text, source="p.yaml", talos_version="1.12").by_rule(
        "files-duplicate-create"
    )


def test_a_udev_rule_in_the_document_and_in_machine_udev_is_not_written_twice() -> None:
    """UdevRulesConfig replaces .machine.udev (research talos-internals.md §3): the rule in both
    is one line of the rules file, which deprecated-field-with-document already says."""
    text = (
        'machine:\n  udev:\n    rules: [\'KERNEL=="nvidia", MODE="0666"\']\n---\n'
        "apiVersion: v1alpha1\nkind: UdevRulesConfig\n"
        'rules: [\'KERNEL=="nvidia", MODE="0666"\', a, a]\n'
    )
    report = lint_text(text, source="p.yaml", talos_version="1.14")
    (duplicate,) = report.by_rule("duplicate-entry")
    assert duplicate.path.endswith("rules[2]")  # only the document's own second copy
    assert report.by_rule("deprecated-field-with-document")
