"""Unknown keys under containerd's CRI tables, per containerd generation (rules_cri_keys)."""

from __future__ import annotations

import textwrap

import pytest

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
    # containerd 1.7 pkg/cri/config ContainerdConfig; 2.x internal/cri/config ImageConfig
    assert finding.fix == (
        'move discard_unpacked_layers to [plugins."io.containerd.grpc.v1.cri".containerd] '
        '(containerd 1.7; on 2.x, Talos 1.8+, it is in [plugins."io.containerd.cri.v1.images"])'
    )


def test_a_key_its_home_table_already_sets_is_to_be_removed_not_moved() -> None:
    """Talos 1.7's own base part put discard_unpacked_layers under runtimes.runc (ignored by
    containerd 1.7); repositories copy it next to the right one (jahanson, lenaxia): moving it
    would set it twice."""
    for version in ("1.7", "1.9"):
        report = part(
            """\
            [plugins."io.containerd.grpc.v1.cri".containerd]
              discard_unpacked_layers = false
            [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
              discard_unpacked_layers = false
            """,
            version,
        )
        (finding,) = report.by_rule("cri-unknown-key")
        assert finding.fix.startswith(
            'remove it: [plugins."io.containerd.grpc.v1.cri".containerd] already sets '
            "discard_unpacked_layers"
        ), version
        assert "move discard" not in finding.fix


def test_did_you_mean_never_offers_a_key_the_table_already_has() -> None:
    """runtime_root next to runtime_type (d4rkfella): "did you mean runtime_type?" would give a
    duplicate key; it is a containerd 1.7 key, so: remove it."""
    report = part(
        """\
        [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia]
          runtime_type = "io.containerd.runc.v2"
          runtime_root = "/run/nvidia"
          runtime_typ = "io.containerd.runc.v2"
        """
    )
    fixes = {f.message.split("`")[1]: f.fix for f in report.by_rule("cri-unknown-key")}
    assert fixes["runtime_root"] == (
        "remove it: runtime_root is a containerd 1.7 setting "
        '([plugins."io.containerd.grpc.v1.cri".containerd.runtimes.<name>]) that 2.x does not have'
    )
    assert fixes["runtime_typ"] == "remove it (the table already sets runtime_type)"
    alone = part(
        '[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia]\n'
        '  runtime_typ = "io.containerd.runc.v2"\n'
    )
    (typo,) = alone.by_rule("cri-unknown-key")
    assert typo.fix == "did you mean runtime_type?"


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
        "remove it: runtime_engine is a containerd 1.7 setting "
        '([plugins."io.containerd.grpc.v1.cri".containerd.runtimes.<name>]) that 2.x does not have',
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


@pytest.mark.parametrize("version", ["1.13", "1.13.9"])
def test_the_containerd_version_said_is_true_for_every_patch_release(version: str) -> None:
    """The version table holds 1.13.0's containerd (2.2.3); 1.13.9 ships 2.2.7 (talos
    hack/release.toml): only the minor, 2.2, is said."""
    report = part(
        '[plugins."io.containerd.grpc.v1.cri".containerd]\n  snapshotter = "x"\n', version
    )
    (found,) = report.by_rule("cri-containerd-generation")
    assert "Talos 1.13 runs containerd 2.2 (config version 3)" in found.message
    assert "2.2.3" not in found.message
    old = part('[plugins."io.containerd.cri.v1.runtime"]\n  enable_cdi = true\n', "1.7.7")
    (generation,) = old.by_rule("cri-containerd-generation")
    assert "Talos 1.7 runs containerd 1.7, which does not know it" in generation.message
