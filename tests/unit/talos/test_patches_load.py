"""Patch loading like talosctl (configpatcher/load.go), JSON6902 and duplicate documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import shared_path

from talosgpu.errors import ConfigError, MergeError
from talosgpu.talos.apply import JSON6902_MULTIDOC, apply_patches
from talosgpu.talos.patches import Patch, load_patch, parse_patch


def test_loader_fixtures() -> None:
    base = shared_path("conformance", "talos-configpatcher")
    assert load_patch("@" + str(base / "patch.json")).kind == "json6902"
    yaml_ops = load_patch(str(base / "patch.yaml"))
    assert yaml_ops.kind == "json6902" and yaml_ops.operations[0]["value"] == ["a", "b", "c"]
    strategic = load_patch("strategic.yaml", base_dir=base)
    assert strategic.kind == "strategic"
    assert strategic.documents == ({"machine": {"network": {"hostname": "foo.bar"}}},)


def test_inline_forms(tmp_path: Path) -> None:
    assert load_patch('{"machine": {"env": {"A": "1"}}}').kind == "strategic"
    assert load_patch('[{"op": "remove", "path": "/machine/env"}]').kind == "json6902"
    assert load_patch("machine:\n  env: {A: '1'}\n").kind == "strategic"
    with pytest.raises(Exception, match="no such file"):
        load_patch("does-not-exist.yaml", base_dir=tmp_path)


def test_empty_patch_is_an_empty_json6902_patch_like_talos() -> None:
    patch = parse_patch("# nothing\n")
    assert patch == Patch("json6902", source="<patch>")
    with pytest.raises(MergeError, match=JSON6902_MULTIDOC):
        apply_patches("machine: {}\n---\napiVersion: v1alpha1\nkind: SideroLinkConfig\n", [patch])


def test_json6902_sees_go_encoder_defaults_and_strips_them_after() -> None:
    ops = '[{"op": "add", "path": "/machine/certSANs/-", "value": "a.example"}]'
    out = apply_patches("machine: {env: {A: '1'}}\n", [ops]).documents[0]["machine"]
    assert out == {"env": {"A": "1"}, "certSANs": ["a.example"]}


def test_json6902_failure_text() -> None:
    ops = '[{"op": "replace", "path": "/machine/missing/x", "value": 1}]'
    with pytest.raises(
        MergeError, match="failure applying rfc6902 patches to talos machine config"
    ):
        apply_patches("machine: {}\n", [ops])


def test_duplicate_documents_in_one_patch_by_version() -> None:
    patch = "machine: {env: {A: '1'}}\n---\nmachine: {env: {B: '2'}}\n"
    with pytest.raises(
        MergeError, match=r"duplicate document /v1alpha1/ is not allowed \(line 3\)"
    ):
        apply_patches("machine: {}\n", [patch], talos_version="1.13")
    out = apply_patches("machine: {}\n", [patch], talos_version="1.14")
    assert out.documents[0]["machine"]["env"] == {"A": "1", "B": "2"}


def test_bad_documents() -> None:
    with pytest.raises(ConfigError, match="missing kind"):
        apply_patches("machine: {}\n", ["foo: bar"])
    with pytest.raises(ConfigError, match="duplicate document"):
        apply_patches("machine: {}\n---\nmachine: {}\n", [])
    with pytest.raises(ConfigError, match="expected a YAML document"):
        parse_patch("a: 1\n---\n- b\n")


def test_patch_result_text_is_canonical_yaml() -> None:
    result = apply_patches("machine: {env: {A: '1'}}\n", ["machine: {env: {B: 'yes'}}"])
    assert result.text == "machine:\n  env:\n    A: '1'\n    B: 'yes'\n"


def test_json6902_failed_test_names_the_path_never_the_values() -> None:
    """A failed ``test`` op says where, as Talos's evanphx/json-patch does ("testing value %s
    failed: test failed", json-patch v5 patch.go), not what: the live value may be a secret."""
    config = "cluster: {secret: Zq9LiveSecret, ca: {key: Zq9LiveKey}}\nmachine: {}\n"
    for path in ("/cluster/secret", "/cluster"):
        ops = f'[{{"op": "test", "path": "{path}", "value": "x"}}]'
        with pytest.raises(MergeError) as info:
            apply_patches(config, [ops])
        message = str(info.value)
        assert f"testing value {path} failed: test failed" in message
        assert "Zq9Live" not in message


def test_json6902_second_test_op_is_the_one_named() -> None:
    ops = (
        '[{"op": "test", "path": "/machine/type", "value": "worker"},'
        ' {"op": "test", "path": "/cluster/secret", "value": "x"}]'
    )
    with pytest.raises(MergeError, match="testing value /cluster/secret failed"):
        apply_patches("machine: {type: worker}\ncluster: {secret: s}\n", [ops])


@pytest.mark.parametrize(
    ("op", "said"),
    [
        ('{"op": "add", "path": "/cluster/nosuch/x", "value": 1}', "member 'nosuch' not found"),
        ('{"op": "remove", "path": "/cluster/secret/x"}', "non-container type"),
        ('{"op": "replace", "path": "/cluster/nothere", "value": 1}', "non-existent object"),
    ],
)
def test_json6902_failure_names_the_op_never_the_document(op: str, said: str) -> None:
    """jsonpatch ends a pointer error with the repr of the document it searched (the whole
    cluster section, secrets and keys included); the error names the op and its path only."""
    config = "cluster: {secret: Zq9LiveSecret, ca: {key: Zq9LiveKey}}\nmachine: {}\n"
    with pytest.raises(MergeError) as info:
        apply_patches(config, [f'[{{"op": "add", "path": "/machine/env", "value": {{}}}}, {op}]'])
    message = str(info.value)
    assert said in message and "op 1 (" in message
    assert "Zq9Live" not in message and "{" not in message.split("op 1 (")[1]
