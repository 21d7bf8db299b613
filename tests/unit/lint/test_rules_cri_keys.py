"""Unknown keys under containerd's CRI tables, per containerd generation (rules_cri_keys)."""

from __future__ import annotations

import textwrap

from talosgpu.lint import LintReport, lint_text


def part(
    toml: str,
    version: str = "1.12",
    path: str = "/etc/cri/conf.d/20-customization.part",
    op: str = "create",
) -> LintReport:
    body = textwrap.indent(textwrap.dedent(toml), " " * 8)
    text = f"machine:\n  files:\n    - op: {op}\n      path: {path}\n      content: |\n{body}"
    return lint_text(text, source="p.yaml", talos_version=version)


def test_containerd_17_runtime_keys_and_their_home() -> None:
    report = part(
        """\
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
          runtime_type = "io.containerd.runc.v2"
          discard_unpacked_layers = true
        """,
        "1.7",
    )
    (finding,) = report.by_rule("cri-unknown-key")
    assert "containerd 1.7's CRI config" in finding.message
    assert (
        finding.fix
        == 'move discard_unpacked_layers to [plugins."io.containerd.grpc.v1.cri".containerd]'
    )


def test_containerd_2_keys_that_moved_or_were_removed() -> None:
    report = part(
        """\
        [plugins."io.containerd.cri.v1.images"]
          sandbox_image = "registry.k8s.io/pause:3.10"
        [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia]
          runtime_engine = ""
          privileged_without_host_devices = false
          [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia.options]
            BinaryName = "/usr/local/bin/nvidia-container-runtime"
            AnythingTheShimReads = 1
        """
    )
    severities = {f.message.split("`")[1]: f.severity for f in report.by_rule("cri-unknown-key")}
    # the extension's own part carries runtime_engine = "": ignored, and it sets nothing anyway
    assert severities == {"sandbox_image": "warning", "runtime_engine": "info"}
    fixes = sorted(f.fix for f in report.by_rule("cri-unknown-key"))
    assert fixes == [
        'containerd 2.x has it as sandbox = "<image>" in '
        '[plugins."io.containerd.cri.v1.images".pinned_images]',
        "remove it (containerd has no such setting in this table)",
    ]


def test_a_known_table_in_the_wrong_plugin() -> None:
    report = part('[plugins."io.containerd.cri.v1.runtime".registry]\n  config_path = "/x"\n')
    (finding,) = report.by_rule("cri-unknown-key")
    assert finding.fix == 'move registry to [plugins."io.containerd.cri.v1.images"]'


def test_a_runsc_config_file_is_not_cri_toml() -> None:
    runsc = '[runsc_config]\n  debug = "true"\n'
    # the gVisor extension ships it and its part points ConfigPath at it: overwrite is right,
    assert not part(runsc, path="/etc/cri/conf.d/runsc.toml", op="overwrite").findings
    # and create outside /var is still rejected at boot
    created = part(runsc, path="/etc/cri/conf.d/runsc.toml")
    assert created.rules() == {"files-create-outside-var"}
    own = part(
        """\
        [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.mine.options]
          TypeUrl = "io.containerd.runsc.v1.options"
          ConfigPath = "/etc/cri/conf.d/mine.toml"
        """
    )
    assert not own.findings
    own_part = (
        '[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.mine.options]\n'
        '  ConfigPath = "/etc/cri/conf.d/mine.toml"\n'
    )
    both = (
        "machine:\n  files:\n    - op: create\n      path: /etc/cri/conf.d/20-customization.part\n"
        "      content: |\n"
        + textwrap.indent(own_part, " " * 8)
        + "    - op: overwrite\n      path: /etc/cri/conf.d/mine.toml\n      content: |\n"
        + textwrap.indent("[mine]\n  debug = true\n", " " * 8)
    )
    assert not lint_text(both, source="p.yaml", talos_version="1.12").by_rule("cri-file-ignored")
