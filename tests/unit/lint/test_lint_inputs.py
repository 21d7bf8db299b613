"""Input shapes: plain, multi-doc, envelopes, JSON6902, talconfig, templates, Markdown, TOML."""

from __future__ import annotations

import json
import textwrap

import pytest

from talosgpu.commands.lint import lint_files
from talosgpu.errors import YAMLError
from talosgpu.lint import lint_text

BAD_BPF = "machine:\n  sysctls:\n    net.core.bpf_jit_harden: 1\n"


def lint(text: str, version: str | None = "1.11", source: str = "x.yaml"):  # type: ignore[no-untyped-def]
    return lint_text(textwrap.dedent(text), source=source, talos_version=version)


def test_plain_patch_path() -> None:
    report = lint(BAD_BPF)
    (finding,) = report.by_rule("bpf-jit-harden-number")
    assert finding.path == '.machine.sysctls."net.core.bpf_jit_harden"'
    assert finding.file == "x.yaml"
    assert report.files_checked == 1


def test_multi_document_paths_carry_the_document_index() -> None:
    text = "apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: a\n---\n" + BAD_BPF
    (finding,) = lint(text).by_rule("bpf-jit-harden-number")
    assert finding.path.startswith("#1.machine.sysctls")


@pytest.mark.parametrize("as_string", [True, False])
def test_talosctl_envelope_spec_string_or_mapping(as_string: bool) -> None:
    spec = BAD_BPF if as_string else {"machine": {"sysctls": {"net.core.bpf_jit_harden": 1}}}
    envelope = {
        "node": "10.0.0.1",
        "metadata": {
            "namespace": "config",
            "type": "MachineConfigs.config.talos.dev",
            "id": "v1alpha1",
        },
        "spec": spec,
    }
    (finding,) = lint(json.dumps(envelope)).by_rule("bpf-jit-harden-number")
    assert finding.path.startswith(".spec") and "bpf_jit_harden" in finding.path


def test_json6902_as_json() -> None:
    ops = [{"op": "add", "path": "/machine/sysctls", "value": {"net.core.bpf_jit_harden": 1}}]
    report = lint(json.dumps(ops), version="1.11")
    assert report.by_rule("bpf-jit-harden-number")[0].path == '[0].value."net.core.bpf_jit_harden"'


def test_json6902_list_item_ops() -> None:
    text = """\
    - op: add
      path: /machine/files/-
      value:
        path: /etc/cri/conf.d/20-customization.part
        op: delete
        content: ""
    """
    (finding,) = lint(text).by_rule("files-unknown-op")
    assert finding.path == "[0].value.op"


def test_talconfig_inline_patch_paths() -> None:
    text = """\
    clusterName: c
    talosVersion: v1.11.2
    nodes:
      - hostname: gpu
        patches:
          - "@./patches/ignored.yaml"
          - |-
            machine:
              sysctls:
                net.core.bpf_jit_harden: 1
        kernelModules:
          - name: nvidia_uvm
          - name: nvidia
    worker:
      patches:
        - |-
          - op: remove
            path: /cluster/proxy
    """
    report = lint(text, version=None)
    assert report.targets[0].talos_version == "1.11" and report.targets[0].origin == "talconfig"
    (bpf,) = report.by_rule("bpf-jit-harden-number")
    assert bpf.path == '.nodes[0].patches[1].machine.sysctls."net.core.bpf_jit_harden"'
    (order,) = report.by_rule("gpu-modules-order")
    assert order.path == ".nodes[0].kernelModules[0]"
    assert report.by_rule("json6902-on-multidoc")[0].path == ".worker.patches[0]"


def test_talconfig_malformed_inline_patch_is_an_error_finding() -> None:
    text = 'clusterName: c\nnodes: []\npatches:\n  - "machine:\\n  a: b\\n- x"\n'
    report = lint(text)
    (finding,) = report.by_rule("invalid-inline-patch")
    assert finding.path == ".patches[0]" and finding.severity == "error"
    assert report.exit_code == 1


def test_not_talos_config_is_skipped_with_a_note() -> None:
    text = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: x}\n"
    report = lint(text)
    assert report.files_checked == 0
    assert report.skipped[0].reason.startswith("Kubernetes object (HelmRelease)")
    assert report.rules() == {"not-talos-config"} and report.exit_code == 0


def test_a_schematic_is_linted_not_skipped() -> None:
    report = lint(
        "customization:\n  systemExtensions:\n    officialExtensions:\n"
        "      - siderolabs/nonfree-kmod-nvidia-lts\n"
        "      - siderolabs/nvidia-container-toolkit-production\n",
        version="1.12",
    )
    assert report.files_checked == 1 and not report.skipped
    (found,) = report.by_rule("schematic-driver-mismatch")
    assert found.path == ".customization.systemExtensions.officialExtensions[1]"


def test_templates_are_blanked() -> None:
    text = """\
    machine:
      token: {{ secrets.token }}
      kernel:
        modules:
          {% if gpu %}
          - name: nvidia_uvm
          - name: nvidia
          {% endif %}
    """
    report = lint(text)
    assert {"templated-input", "gpu-modules-order"} <= report.rules()


def test_broken_yaml_is_an_error_naming_the_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.yaml"
    path.write_text("machine: [\n")
    with pytest.raises(YAMLError) as info:
        lint_files([path])
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_markdown_yaml_blocks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "notes.md"
    path.write_text("# notes\n\n```yaml\n" + BAD_BPF + "```\n\n```yaml\nfoo: [\n```\n")
    report = lint_files([path], talos_version="1.11")
    assert report.by_rule("bpf-jit-harden-number")[0].path.startswith("#L4.machine")


def test_markdown_without_config_is_skipped(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "readme.md"
    path.write_text("hello\n```yaml\napiVersion: v1\nkind: Pod\n```\n")
    assert lint_files([path]).skipped


def test_directories_are_expanded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.yaml").write_text(BAD_BPF)
    (tmp_path / "b.txt").write_text("not looked at")
    report = lint_files([tmp_path], talos_version="1.11")
    assert report.files_checked == 1


@pytest.mark.parametrize(
    ("text", "expected", "origin"),
    [
        (
            "machine:\n  install:\n    image: factory.talos.dev/metal-installer/abc:v1.12.3\n",
            "1.12",
            "installer",
        ),
        ("apiVersion: v1alpha1\nkind: KernelModuleConfig\nname: nvidia\n", "1.14", "documents"),
        (BAD_BPF, "1.14", "default"),
    ],
)
def test_version_inference(text: str, expected: str, origin: str) -> None:
    report = lint(text, version=None)
    assert (report.targets[0].talos_version, report.targets[0].origin) == (expected, origin)
    assert ("talos-version-assumed" in report.rules()) == (origin == "default")


def test_option_overrides_inference() -> None:
    text = "machine:\n  install:\n    image: ghcr.io/siderolabs/installer:v1.12.3\n"
    assert lint(text, version="1.9").targets[0].origin == "option"
