"""The decoder's view of differently written values: what the proposal leaves alone."""

from __future__ import annotations

from typing import Any

import pytest

from talosgpu.configdiff.propose import propose_documents
from talosgpu.configdiff.semantic import diff_configs
from talosgpu.talos.documents import CRI_PART_PATH
from talosgpu.talos.equivalence import decoded, file_mode, same_item

_FILES = ("machine", "files", "[]")
_TOML = '[plugins."io.containerd.cri.v1.runtime"]\nenable_cdi = true\n'


def _cri(content: str, **extra: Any) -> dict[str, Any]:
    return {"content": content, "path": CRI_PART_PATH, "op": "create", **extra}


@pytest.mark.parametrize("written", ["0644", "0o644", "420", 420, " 0644 "])
def test_file_modes_are_one_value(written: object) -> None:
    assert file_mode(written) == 0o644


def test_zero_values_of_plain_fields_are_unset_but_other_values_stay() -> None:
    item = {"path": "/var/x", "permissions": 0, "op": "", "content": ""}
    # content "" is a real (empty) file content in the table's eyes: not marked zero_unset
    assert decoded("v1alpha1", _FILES, item) == {"path": "/var/x", "content": ""}
    kept = {"path": "/var/x", "permissions": 0o600}
    assert decoded("v1alpha1", _FILES, kept) is kept
    assert decoded("EtcFileConfig", (), {"kind": "EtcFileConfig", "mode": "0"}) == {
        "kind": "EtcFileConfig"
    }


def test_cri_parts_with_the_same_tables_are_the_same_item() -> None:
    reformatted = "# managed by hand\n" + _TOML.replace(" = ", "=")
    assert same_item("v1alpha1", _FILES, _cri(_TOML), _cri(reformatted))
    assert not same_item("v1alpha1", _FILES, _cri(_TOML), _cri(_TOML.replace("true", "false")))
    # only the CRI part is TOML: another file's text is compared as text
    other = {**_cri(_TOML), "path": "/var/x"}
    assert not same_item("v1alpha1", _FILES, other, {**other, "content": reformatted})


@pytest.mark.parametrize(
    "live_item",
    [
        _cri(_TOML, permissions=0),
        _cri(_TOML, permissions="0"),
        _cri("# comment\n" + _TOML.replace(" = ", "  =  ")),
    ],
    ids=["permissions-0", "permissions-quoted-0", "toml-reformatted"],
)
def test_the_proposal_leaves_an_equivalent_live_item_alone(live_item: dict[str, Any]) -> None:
    """A change that is none: no delete-and-re-add (which would reboot a <= 1.13 node)."""
    live = [{"version": "v1alpha1", "machine": {"files": [live_item]}}]
    patch = [{"machine": {"files": [_cri(_TOML)]}}]
    proposal = propose_documents(live, patch, talos_version="1.11")
    assert proposal.empty
    diff = diff_configs(live, proposal.proposed_documents, talos_version="1.11")
    assert diff.empty and not diff.reboot


def test_a_cri_document_with_the_same_tables_is_not_rewritten() -> None:
    doc = {"apiVersion": "v1alpha1", "kind": "CRICustomizationConfig", "name": "customization"}
    live = [{"version": "v1alpha1"}, {**doc, "content": "# x\n" + _TOML}]
    proposal = propose_documents(live, [{**doc, "content": _TOML}], talos_version="1.14")
    assert proposal.empty
