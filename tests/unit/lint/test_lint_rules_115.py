"""Lint on Talos 1.15 (beta facts) and on versions talosgpu does not know."""

from __future__ import annotations

import textwrap

import pytest

from talosgpu.errors import VersionError
from talosgpu.lint import lint_text
from talosgpu.talos.kubenode import KUBE_NODE_CONFIG_CONFLICTS

CDI_RUNTIME = """\
[plugins."io.containerd.cri.v1.runtime".containerd]
  default_runtime_name = "nvidia-cdi"
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia-cdi]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia-cdi.options]
  BinaryName = "/usr/local/bin/nvidia-container-runtime.cdi"
"""


def document(content: str) -> str:
    body = textwrap.indent(content, "  ")
    return f"apiVersion: v1alpha1\nkind: CRICustomizationConfig\nname: nvidia\ncontent: |\n{body}"


def test_runtime_binaries_the_release_lacks_are_errors_on_1_15_only() -> None:
    on_115 = lint_text(document(CDI_RUNTIME), source="p.yaml", talos_version="1.15")
    (binary,) = on_115.by_rule("cri-runtime-binary-missing")
    assert binary.severity == "error" and "fails to start" in binary.message
    (default,) = on_115.by_rule("cri-default-runtime-nvidia")
    assert default.severity == "error"
    on_114 = lint_text(document(CDI_RUNTIME), source="p.yaml", talos_version="1.14")
    assert not on_114.by_rule("cri-runtime-binary-missing")
    # A CDI-mode runtime as the default is a deliberate setup on 1.8-1.14: said at info level.
    assert on_114.by_rule("cri-default-runtime-nvidia")[0].severity == "info"


@pytest.mark.parametrize("table", ["metrics", "grpc", "ttrpc", "debug"])
def test_top_level_tables_containerd_v4_ignores(table: str) -> None:
    part = f'[{table}]\n  address = "0.0.0.0:11234"\n'
    (finding,) = lint_text(document(part), source="p.yaml", talos_version="1.15").by_rule(
        "cri-config-v4-moved"
    )
    assert "io.containerd.server.v1" in finding.fix or "io.containerd.metrics" in finding.fix
    assert not lint_text(document(part), source="p.yaml", talos_version="1.14").by_rule(
        "cri-config-v4-moved"
    )


def test_nri_disabled_breaks_1_15_gpu_injection() -> None:
    part = '[plugins."io.containerd.nri.v1.nri"]\n  disable = true\n'
    assert lint_text(document(part), source="p.yaml", talos_version="1.15").by_rule(
        "cri-nri-disabled"
    )
    assert not lint_text(document(part), source="p.yaml", talos_version="1.14").by_rule(
        "cri-nri-disabled"
    )


def test_an_unknown_release_is_refused_or_reported_never_linted_by_guess() -> None:
    with pytest.raises(VersionError, match="newer than the newest"):
        lint_text(document(CDI_RUNTIME), source="p.yaml", talos_version="1.16")
    config = "machine:\n  install:\n    image: ghcr.io/siderolabs/installer:v1.16.0\n"
    report = lint_text(config, source="c.yaml")
    assert report.rules() == {"talos-version-unknown"}
    assumed = lint_text(config, source="c.yaml", assume_newest_known=True)
    assert "talos-version-unknown" not in assumed.rules()


def _set(path: tuple[str, ...], value: str) -> str:
    lines, indent = [], ""
    for key in path[:-1]:
        lines.append(f"{indent}{key}:")
        indent += "  "
    lines.append(f"{indent}{path[-1]}: {value}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("path", "key"), KUBE_NODE_CONFIG_CONFLICTS)
def test_every_kube_node_config_conflict_is_an_error(
    path: tuple[str, ...], key: str | None
) -> None:
    value = (
        "true"
        if path[-1] in ("registerWithFQDN", "skipNodeRegistration") or "allow" in path[-1]
        else "{a: b}"
    )
    text = _set(path, value) + "---\napiVersion: v1alpha1\nkind: KubeNodeConfig\n"
    findings = lint_text(text, source="p.yaml", talos_version="1.14").by_rule(
        "deprecated-field-with-document"
    )
    dotted = "." + ".".join(path)
    hit = [f for f in findings if f.message.startswith(dotted + " ")]
    assert hit and hit[0].severity == "error", findings
    assert (
        ("KubeNodeConfig." + key in hit[0].message)
        if key
        else ("no KubeNodeConfig twin" in hit[0].message)
    )


@pytest.mark.parametrize(
    ("tag", "fires"), [("v1.13.4", False), ("v1.14.2", True), ("v1.15.0", True)]
)
def test_ghcr_installer_is_not_published_from_1_14(tag: str, fires: bool) -> None:
    config = f"machine:\n  install:\n    image: ghcr.io/siderolabs/installer:{tag}\n"
    findings = lint_text(config, source="c.yaml").by_rule("installer-image-unpublished")
    assert bool(findings) is fires
    if fires:
        assert f"factory.talos.dev/metal-installer/<schematic id>:{tag}" in findings[0].fix
    document = (
        "apiVersion: v1alpha1\nkind: UnattendedInstallConfig\n"
        f"installer:\n  image: ghcr.io/siderolabs/installer:{tag}\n"
    )
    assert (
        bool(
            lint_text(document, source="u.yaml", talos_version=tag).by_rule(
                "installer-image-unpublished"
            )
        )
        is fires
    )


def test_debug_level_stays_top_level_in_v4() -> None:
    """containerd's v4 migration moves only [debug] address/uid/gid; level/format stay."""
    level = '[debug]\n  level = "debug"\n'
    assert not lint_text(document(level), source="p.yaml", talos_version="1.15").by_rule(
        "cri-config-v4-moved"
    )
    address = '[debug]\n  address = "/run/containerd/debug.sock"\n'
    assert lint_text(document(address), source="p.yaml", talos_version="1.15").by_rule(
        "cri-config-v4-moved"
    )


def test_every_profile_render_lints_clean_for_its_own_release() -> None:
    """render and lint agree: what talosgpu renders, lint (reading the header) does not flag."""
    from conftest import refused

    import talosgpu as api
    from talosgpu.profiles import list_profiles
    from talosgpu.versions import known_versions

    for profile in list_profiles():
        for v in known_versions():
            if refused(profile, str(v)):
                continue
            text = api.render(profile=profile, talos_version=v).patch_text
            report = lint_text(text, source=f"{profile}-{v}.yaml")
            bad = [f for f in report.findings if f.severity != "info"]
            assert not bad, (profile, str(v), [f.message for f in bad])
            assert "talos-version-assumed" not in report.rules(), (profile, str(v))


def test_the_render_header_sets_the_release() -> None:
    text = "# Rendered by talosgpu for Talos 1.11 from x; do not edit by hand.\nmachine:\n  sysctls:\n    net.core.bpf_jit_harden: '1'\n"
    assert not lint_text(text, source="p.yaml").by_rule("bpf-jit-harden-unneeded")
    newer = text.replace("1.11", "1.13")
    assert lint_text(newer, source="p.yaml").by_rule("bpf-jit-harden-unneeded")
    unknown = text.replace("1.11", "1.16")
    assert lint_text(unknown, source="p.yaml").rules() == {"talos-version-unknown"}
