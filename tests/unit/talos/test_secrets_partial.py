"""The fast paths used by diffs agree with whole-document redaction on real configs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_path

from talosgpu import yamlio
from talosgpu.plain import clone
from talosgpu.talos.secrets import (
    collect_secret_values,
    redact_at,
    redact_documents,
    secret_path_values,
)


def _paths(
    value: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _lookup(value: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


def _configs() -> list[str]:
    root = shared_path("conformance", "talos-machineconfigs", "stability")
    return sorted(str(p) for p in root.glob("v1.1[134]/*.yaml"))


def test_redact_at_matches_whole_document_redaction() -> None:
    for file in _configs():
        for doc in yamlio.load_all(Path(file).read_text()):
            whole = redact_documents([doc])[0]
            for path, value in _paths(doc):
                if not path:
                    continue
                shown, _ = redact_at(doc, path, value)
                assert shown == _lookup(whole, path), (file, path)


def test_secret_path_values_cover_the_secret_paths() -> None:
    for file in _configs():
        docs = yamlio.load_all(Path(file).read_text())
        fast = secret_path_values(docs)
        full = collect_secret_values(docs)
        assert fast <= full, file
        # Every value at a secret path (tokens, keys, encryption secrets) is found.
        machine = docs[0]["machine"]
        assert machine["token"] in fast
        cluster = docs[0].get("cluster") or {}
        for key in ("secret", "token", "secretboxEncryptionSecret"):
            if cluster.get(key):
                assert cluster[key] in fast, (file, key)


@pytest.mark.parametrize("value", [{"a": [1, {"b": "c"}], "d": None}, [[]], "x", 3, None])
def test_clone_is_deep_and_equal(value: Any) -> None:
    copy = clone(value)
    assert copy == value
    if isinstance(value, dict):
        copy["a"][1]["b"] = "changed"
        assert value["a"][1]["b"] == "c"
