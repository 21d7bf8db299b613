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
from conftest import plant_secret_canaries, shared_path

from talosgpu import yamlio
from talosgpu.configdiff.semantic import diff_configs
from talosgpu.report.diff import render_json, render_text
from talosgpu.talos.secrets import SECRET_PATHS

CANARY = "Zq9Canary"


def planted(tag: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The real 1.13 worker config with a canary in every secret path; the canaries."""
    path = shared_path(
        "conformance", "talos-machineconfigs", "stability", "v1.13", "base-worker.yaml"
    )
    return plant_secret_canaries(yamlio.load_all(path.read_text()), f"{CANARY}{tag}")


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
