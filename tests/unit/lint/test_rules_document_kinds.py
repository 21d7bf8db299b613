"""Document kinds per release (the ``kinds`` of data/talos_field_names.toml: the kinds each
minor's config decoder registers), and their conflicts across ``--layers``."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import shared_path

from talosgpu.commands.lint import lint_files
from talosgpu.lint import lint_text


def doc(kind: str, extra: str = "") -> str:
    return f"apiVersion: v1alpha1\nkind: {kind}\n{extra}"


@pytest.mark.parametrize(
    ("kind", "version", "since"),
    [
        ("KubePrismConfig", "1.13", "1.14"),
        ("KubeNetworkConfig", "1.13", "1.14"),
        ("DiscoveryServiceConfig", "1.13", "1.14"),
        ("FilesystemTrimConfig", "1.13", "1.14"),
        ("HostnameConfig", "1.11", "1.12"),
        ("BondConfig", "1.11", "1.12"),
        ("KernelModuleConfig", "1.13", "1.14"),
    ],
)
def test_a_kind_of_a_later_release(kind: str, version: str, since: str) -> None:
    report = lint_text(doc(kind), source="p.yaml", talos_version=version)
    (found,) = report.by_rule("document-needs-newer-talos")
    assert found.path == ".kind" and found.severity == "error"
    assert f"{kind} documents exist from Talos {since}; Talos {version} rejects" in found.message
    assert not lint_text(doc(kind), source="p.yaml", talos_version=since).by_rule(
        "document-needs-newer-talos"
    )


def test_a_kind_no_known_release_has_names_no_release() -> None:
    report = lint_text(doc("KernelModulesConfig", "name: nvidia\n"), source="p.yaml",
                       talos_version="1.14")  # fmt: skip
    (found,) = report.by_rule("unknown-document-kind")
    assert "no Talos release talosgpu knows (1.7 to 1.15)" in found.message
    assert "from Talos" not in found.message
    assert found.fix == "did you mean KernelModuleConfig?"
    assert not report.by_rule("document-needs-newer-talos")


def test_layers_take_the_release_from_any_layer_and_see_the_conflict(tmp_path: Path) -> None:
    """A 1.14 base config (KubeNodeConfig) under a patch setting .machine.nodeLabels: Talos
    rejects the merged config (`.machine.nodeLabels is already set in v1alpha1 config`)."""
    base = shared_path("conformance", "talos-machineconfigs", "stability", "v1.14",
                       "base-worker.yaml")  # fmt: skip
    patch = tmp_path / "gpu.yaml"
    patch.write_text('machine:\n  nodeLabels:\n    nvidia.com/gpu: "true"\n')
    report = lint_files([base, patch], layers=True)
    origins = {Path(t.file).name: (t.talos_version, t.origin) for t in report.targets}
    assert origins["gpu.yaml"] == ("1.14", "layer")
    (found,) = [f for f in report.findings if f.file == str(patch)]
    assert (found.rule, found.severity, found.path) == (
        "deprecated-field-with-document",
        "error",
        ".machine.nodeLabels",
    )
    assert "already set in v1alpha1 config" in found.message and "#" in found.message
    # deleting the field in a later layer leaves no conflict
    drop = tmp_path / "drop.yaml"
    drop.write_text("machine:\n  nodeLabels:\n    $patch: delete\n")
    later = lint_files([base, patch, drop], layers=True)
    assert not later.by_rule("deprecated-field-with-document")


def test_layers_naming_different_releases_give_none_to_the_others(tmp_path: Path) -> None:
    a, b, c = (tmp_path / n for n in ("a.yaml", "b.yaml", "c.yaml"))
    a.write_text("machine:\n  install:\n    image: factory.talos.dev/installer/x:v1.12.3\n")
    b.write_text("machine:\n  install:\n    image: factory.talos.dev/installer/x:v1.13.1\n")
    c.write_text('machine:\n  sysctls:\n    vm.swappiness: "1"\n')
    report = lint_files([a, b, c], layers=True)
    origins = {Path(t.file).name: t.origin for t in report.targets}
    assert origins == {"a.yaml": "installer", "b.yaml": "installer", "c.yaml": "default"}
    without = lint_files([a, c])  # not layers: each file on its own
    assert {Path(t.file).name: t.origin for t in without.targets}["c.yaml"] == "default"
