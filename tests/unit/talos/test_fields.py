"""The one field table: one entry per field, and every reader derives from it."""

from __future__ import annotations

from collections import Counter

from talosgpu.configdiff.impact import classify
from talosgpu.lint.rules_documents import DEPRECATED_FIELDS
from talosgpu.talos.fields import ANY_ITEM, FIELDS, KINDS, parse_path
from talosgpu.talos.kubenode import KUBE_NODE_CONFIG_CONFLICTS
from talosgpu.talos.mergerules import NAMED_KINDS, RULES
from talosgpu.talos.secrets import SECRET_PATHS
from talosgpu.versions import TalosVersion


def test_one_entry_per_field() -> None:
    counts = Counter((f.doc, f.path) for f in FIELDS)
    assert [key for key, n in counts.items() if n > 1] == []
    assert all(
        f.merge or f.secret or f.impact or f.home or f.file_mode or f.zero_unset or f.shape
        for f in FIELDS
    )


def test_paths_parse_like_the_secret_patterns() -> None:
    assert parse_path("machine.network.interfaces[].vlans[].vip") == (
        "machine", "network", "interfaces", ANY_ITEM, "vlans", ANY_ITEM, "vip"
    )  # fmt: skip
    assert parse_path("") == ()


def test_every_reader_sees_every_fact() -> None:
    assert len(RULES) == sum(len(f.merge) for f in FIELDS)
    assert len(SECRET_PATHS) == sum(1 for f in FIELDS if f.secret)
    homes = [f for f in FIELDS if f.home]
    assert len(DEPRECATED_FIELDS) == len(homes)
    assert len(KUBE_NODE_CONFIG_CONFLICTS) == sum(
        1 for f in homes if f.home and f.home.kind == "KubeNodeConfig"
    )
    assert {kind for kind, facts in KINDS.items() if facts.named} == NAMED_KINDS


def test_one_entry_carries_merge_secret_and_impact() -> None:
    """cluster.inlineManifests[].contents: trimmed when decoded, and masked; machine.env: a
    string map whose change might need a reboot on 1.14, and whose values are masked."""
    contents = next(f for f in FIELDS if f.path == "cluster.inlineManifests[].contents")
    assert contents.merge[0].behaviour == "trim-left" and contents.secret is not None
    v14, v13 = TalosVersion.parse("1.14"), TalosVersion.parse("1.13")
    assert classify("v1alpha1", ("machine", "env", "A"), "add", version=v14)[1] == (
        "might need a reboot to take effect (Talos 1.14 docs)"
    )
    assert classify("v1alpha1", ("machine", "registries", "x"), "add", version=v13)[1] == (
        "containerd may only pick up registry auth after a reboot (Talos docs)"
    )
    assert classify("v1alpha1", ("machine", "registries", "x"), "add", version=v14) == (
        "none",
        None,
    )
    assert classify("CRICustomizationConfig", (), "add", version=v14)[0] == "cri-restart"
    assert classify("KernelModuleConfig", (), "add", version=v14)[0] == "module-load"
