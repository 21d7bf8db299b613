"""Canary: a unique value planted in every secret path of a real config never reaches output.

Every row of :data:`talosgpu.talos.secrets.SECRET_PATHS` gets its own value, in the real 1.13
worker config (v1alpha1 rows) and in one document per multi-doc kind. The diff between two such
configs (every secret changed) and from a stock config (every secret added) is rendered as text
and JSON; no canary may appear. ``show_secrets=True`` must show them (so the test can fail).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from conftest import shared_path

from talosgpu import yamlio
from talosgpu.configdiff.semantic import diff_configs
from talosgpu.report.diff import render_json, render_text
from talosgpu.talos.secrets import ANY_ITEM, ANY_KEY, SECRET_PATHS, SecretPath

CANARY = "Zq9Canary"


def _value(row: SecretPath, tag: str, number: int) -> str:
    secret = f"{CANARY}{tag}{number:03d}x7Yp"
    if row.mode == "tokens":  # only embedded credentials are secret in these strings
        if row.pattern[-1] == "apiUrl":
            return f"https://siderolink.example:8099?jointoken={secret}"
        return f"talos.secret={secret}"
    return secret


def _plant(doc: dict[str, Any], pattern: tuple[str, ...], value: str) -> None:
    node: Any = doc
    for index, part in enumerate(pattern):
        last = index == len(pattern) - 1
        nxt = None if last else pattern[index + 1]
        key: Any = "canary-key" if part == ANY_KEY else part
        if part == ANY_ITEM:
            if not node:
                node.append(None)
            key = 0
        empty: Any = [] if nxt == ANY_ITEM else {}
        if last:
            node[key] = value
        elif isinstance(node, list):
            if node[0] is None:
                node[0] = empty
            node = node[0]
        else:
            if not isinstance(node.get(key), (dict, list)):
                node[key] = empty
            node = node[key]


def planted(tag: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The real 1.13 worker config with a canary in every secret path; the canaries."""
    path = shared_path(
        "conformance", "talos-machineconfigs", "stability", "v1.13", "base-worker.yaml"
    )
    docs = yamlio.load_all(path.read_text())
    extra: dict[str, dict[str, Any]] = {}
    values = []
    for number, row in enumerate(SECRET_PATHS):
        value = _value(row, tag, number)
        values.append(f"{CANARY}{tag}{number:03d}x7Yp")
        if row.kind == "v1alpha1":
            _plant(docs[0], row.pattern, value)
        else:
            doc = extra.setdefault(
                row.kind, {"apiVersion": "v1alpha1", "kind": row.kind, "name": "canary"}
            )
            _plant(doc, row.pattern, value)
    return [*docs, *extra.values()], values


def _outputs(diff: Any, *, show: bool = False) -> str:
    return render_text(diff, show_secrets=show) + render_json(diff, show_secrets=show)


def test_every_secret_path_is_planted() -> None:
    docs, values = planted("A")
    dumped = yamlio.dump_all(docs)
    assert all(value in dumped for value in values)
    assert len(values) == len(SECRET_PATHS)


@pytest.mark.parametrize("version", ["1.13", "1.14"])
def test_changed_secrets_never_reach_text_or_json(version: str) -> None:
    old, old_values = planted("A")
    new, new_values = planted("B")
    diff = diff_configs(old, new, talos_version=version)
    assert len(diff.changes) >= len(SECRET_PATHS)
    out = _outputs(diff)
    leaked = [v for v in old_values + new_values if v in out]
    assert leaked == []
    assert CANARY not in out
    assert "(changed)" in out
    # the canaries are really in the data: opting out shows them
    assert all(v in _outputs(diff, show=True) for v in new_values)


def test_added_and_removed_secrets_never_reach_output() -> None:
    docs, values = planted("C")
    stock = yamlio.load_all(
        shared_path(
            "conformance", "talos-machineconfigs", "stability", "v1.13", "base-worker.yaml"
        ).read_text()
    )
    for old, new in ((stock, docs), (docs, stock)):
        out = _outputs(diff_configs(old, new, talos_version="1.13"))
        assert CANARY not in out, [v for v in values if v in out]


def test_secret_inside_the_cri_toml_is_masked_in_its_text_diff() -> None:
    part = "/etc/cri/conf.d/20-customization.part"
    toml = '[plugins."io.containerd.grpc.v1.cri".registry.configs."r.io".auth]\npassword = "{}"\n'
    docs = [
        {"machine": {"files": [{"path": part, "op": "create", "content": toml.format(p)}]}}
        for p in (f"{CANARY}old123", f"{CANARY}new456")
    ]
    diff = diff_configs(docs[:1], copy.deepcopy(docs[1:]), talos_version="1.11")
    assert diff.changes
    assert CANARY not in _outputs(diff)
    assert f"{CANARY}new456" in json.dumps(json.loads(render_json(diff, show_secrets=True)))


def _cri_diff(old: str, new: str) -> Any:
    part = "/etc/cri/conf.d/20-customization.part"
    docs = [
        [{"machine": {"files": [{"path": part, "op": "create", "content": text}]}}]
        for text in (old, new)
    ]
    return diff_configs(docs[0], docs[1], talos_version="1.11")


def test_registry_headers_in_the_cri_part_are_masked() -> None:
    """containerd hosts ``headers`` (docs/hosts.md: ``[header] Authorization = "Bearer …"``,
    also in the CRI registry table) carry credentials as often as not."""
    table = '[plugins."io.containerd.grpc.v1.cri".registry.headers]\nAuthorization = ["{}"]\n'
    diff = _cri_diff(table.format(f"Bearer {CANARY}old1"), table.format(f"Bearer {CANARY}new2"))
    assert diff.changes
    assert CANARY not in _outputs(diff)
    assert f"{CANARY}new2" in json.dumps(json.loads(render_json(diff, show_secrets=True)))


def test_a_cri_part_that_is_not_toml_is_hidden_whole() -> None:
    """Unquoted value: its credential cannot be found, so none of its text is shown."""
    bad = '[plugins."io.containerd.grpc.v1.cri".registry.configs."r".auth]\npassword = {}\n'
    diff = _cri_diff(bad.format(f"{CANARY}old1"), bad.format(f"{CANARY}new2"))
    assert diff.changes
    out = _outputs(diff)
    assert CANARY not in out
    assert "not valid TOML" in out
    assert f"{CANARY}new2" in json.dumps(json.loads(render_json(diff, show_secrets=True)))
