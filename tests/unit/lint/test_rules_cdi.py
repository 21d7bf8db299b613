"""``cdi-spec-dirs-default`` per release (rules_cdi)."""

from __future__ import annotations

import textwrap

from talosgpu.lint import LintReport, lint_text


def dirs(toml: str, version: str | None) -> LintReport:
    body = textwrap.indent(textwrap.dedent(toml), " " * 8)
    text = "machine:\n  files:\n    - op: create\n"
    text += f"      path: /etc/cri/conf.d/20-customization.part\n      content: |\n{body}"
    return lint_text(text, source="p.yaml", talos_version=version)


RUNTIME = '[plugins."io.containerd.cri.v1.runtime"]\n  cdi_spec_dirs = ["/var/cdi"]\n'


def test_from_113_a_part_cannot_drop_run_cdi() -> None:
    (finding,) = dirs(RUNTIME, "1.13").by_rule("cdi-spec-dirs-default")
    assert finding.severity == "info" and "a part cannot drop it" in finding.message
    assert "nvidia-cdi-gen writes nvidia.yaml" in finding.message
    (finding,) = dirs(RUNTIME, "1.15").by_rule("cdi-spec-dirs-default")
    assert "nvidia-cdi-gen" not in finding.message  # 1.15's extension ships no toolkit
    kept = RUNTIME.replace('"/var/cdi"', '"/run/cdi", "/var/cdi"')
    assert not dirs(kept, "1.13").by_rule("cdi-spec-dirs-default")


def test_before_113_the_list_replaces_containerds_default() -> None:
    (finding,) = dirs(RUNTIME, "1.12").by_rule("cdi-spec-dirs-default")
    assert "replaces containerd's default (/etc/cdi, /var/run/cdi" in finding.message
    grpc = '[plugins."io.containerd.grpc.v1.cri"]\n  cdi_spec_dirs = ["/var/cdi"]\n'
    (finding,) = dirs(grpc, "1.7").by_rule("cdi-spec-dirs-default")
    assert "Talos 1.7's base part sets none" in finding.message
    # the 1.7 table on containerd 2.x is cri-containerd-generation's, not this rule's
    assert not dirs(grpc, "1.12").by_rule("cdi-spec-dirs-default")
