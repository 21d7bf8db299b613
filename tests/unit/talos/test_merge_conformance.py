"""Talos's own patch test vectors (configpatcher testdata + v1alpha1 strategic-merge triples).

Driven by ``../shared/conformance/talos-configpatcher/TESTS.md`` (every row) and
``../shared/conformance/talos-strategic-merge/00N``. Results are compared structurally after
removing what Talos's Go encoder adds or omits (research §1.9).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_path

from talosgpu import yamlio
from talosgpu.errors import MergeError
from talosgpu.talos.apply import apply_patches

_ROW = re.compile(r"^\| (Test\w+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$")


def normalise(value: Any) -> Any:
    """Drop what omitempty drops (empty maps/lists, nulls) and v1alpha1 encoder defaults."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = normalise(item)
            if item is None or item == {} or item == []:
                continue
            out[key] = item
        return out
    if isinstance(value, list):
        return [normalise(item) for item in value]
    return value


def normalise_docs(docs: list[dict[str, Any]]) -> list[Any]:
    result = []
    for doc in docs:
        doc = dict(doc)
        machine = doc.get("machine")
        if isinstance(machine, dict):
            doc["machine"] = {
                k: v for k, v in machine.items() if not (k in ("type", "token") and v == "")
            }
        result.append(normalise(doc))
    return result


def _rows() -> list[tuple[str, str, list[str], str]]:
    path = shared_path("conformance", "talos-configpatcher", "TESTS.md")
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line.strip())
        if not match:
            continue
        name, config, patches, expected = (part.strip() for part in match.groups())
        folder = patches.split("/")[0]
        files = [p.strip() if "/" in p else f"{folder}/{p.strip()}" for p in patches.split(",")]
        rows.append((name, config, files, expected))
    return rows


def _cases() -> list[Any]:
    try:
        rows = _rows()
    except pytest.skip.Exception:
        return [pytest.param(None, marks=pytest.mark.skip(reason="conformance data absent"))]
    return [pytest.param(row, id=row[0]) for row in rows]


@pytest.mark.parametrize("row", _cases())
def test_configpatcher_vector(row: tuple[str, str, list[str], str]) -> None:
    name, config, patches, expected = row
    base = shared_path("conformance", "talos-configpatcher")
    config_docs: Any = [] if config.startswith("(empty") else (base / config).read_text()
    specs = ["@" + str(base / p) for p in patches]
    if expected.startswith("error"):
        message = expected.split('"')[1]
        with pytest.raises(MergeError) as err:
            apply_patches(config_docs, specs)
        assert message in str(err.value), name
        return
    result = apply_patches(config_docs, specs)
    if expected.endswith("documents"):
        assert len(result.documents) == int(expected.split()[0]), name
        return
    want = yamlio.load_all((base / expected).read_text())
    assert normalise_docs(result.documents) == normalise_docs(want), name


def test_every_tests_md_row_is_run() -> None:
    names = [row[0] for row in _rows()]
    assert len(names) == 11  # research §2.1: 11 apply cases
    assert "TestPatchMixed" in names and "TestApplyMultiDocFail" in names


def _triples() -> list[Any]:
    root = Path(str(shared_path("conformance", "talos-strategic-merge"))) if _has_shared() else None
    if root is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason="conformance data absent"))]
    return [pytest.param(d, id=d.name) for d in sorted(root.iterdir()) if d.is_dir()]


def _has_shared() -> bool:
    try:
        shared_path("conformance", "talos-strategic-merge")
    except pytest.skip.Exception:
        return False
    return True


@pytest.mark.parametrize("case", _triples())
def test_strategic_merge_triple(case: Path) -> None:
    left = (case / "left.yaml").read_text()
    right = (case / "right.yaml").read_text()
    want = yamlio.load_all((case / "expected.yaml").read_text())
    result = apply_patches(left, [right])
    assert normalise_docs(result.documents) == normalise_docs(want)


def test_strategic_merge_triples_are_all_present() -> None:
    shared_path("conformance", "talos-strategic-merge")
    assert len(_triples()) == 6


def test_json6902_then_strategic_output_order_v1alpha1_first() -> None:
    base = shared_path("conformance", "talos-configpatcher")
    result = apply_patches(
        [], ["@" + str(base / "multidoc/strategic2.yaml"), "machine: {env: {A: b}}"]
    )
    assert [d.get("kind", "v1alpha1") for d in result.documents] == [
        "v1alpha1",
        "SideroLinkConfig",
        "ExtensionServiceConfig",
    ]
