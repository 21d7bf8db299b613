"""Proposals against the real generated configs of every supported Talos version.

Live configs: ``talosctl gen config`` output in ``shared/conformance/talos-machineconfigs/
stability/vX.Y/`` (worker configs, base and with overrides; 1.14 workers are multi-document).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import refused, shared_path

import talosgpu as api
from talosgpu import yamlio
from talosgpu.configdiff.propose import propose, propose_documents
from talosgpu.configdiff.semantic import diff_configs
from talosgpu.live import load_live_config
from talosgpu.profiles import list_profiles
from talosgpu.talos.apply import apply_patches
from talosgpu.talos.patches import Patch

VERSIONS = ["1.7", "1.8", "1.9", "1.10", "1.11", "1.12", "1.13", "1.14"]
CRI = "/etc/cri/conf.d/20-customization.part"
# every profile on every release it renders for (a refused pair has no patch to propose)
CASES = [(p, v) for p in list_profiles() for v in VERSIONS if not refused(p, v)]


def _live(version: str, flavour: str) -> Path:
    return shared_path(
        "conformance", "talos-machineconfigs", "stability", f"v{version}", f"{flavour}-worker.yaml"
    )


def _patch_keys(docs: tuple[dict[str, Any], ...]) -> set[tuple[str, str]]:
    """(document, top field path) pairs a rendered patch touches."""
    out: set[tuple[str, str]] = set()
    for doc in docs:
        if "machine" in doc:
            out |= {("v1alpha1", f".machine.{key}") for key in doc["machine"]}
        else:
            name = doc["kind"] + (f"/{doc['name']}" if "name" in doc else "")
            out |= {(name, f".{key}") for key in doc if key not in ("apiVersion", "kind", "name")}
            out.add((name, "."))
    return out


@pytest.mark.parametrize("flavour", ["base", "overrides"])
@pytest.mark.parametrize(("profile", "version"), CASES)
def test_profile_against_real_config_shows_only_real_changes(
    profile: str, version: str, flavour: str
) -> None:
    live = load_live_config(_live(version, flavour))
    rendered = api.render(profile=profile, talos_version=version)
    proposal = propose(live, rendered)
    diff = diff_configs(live.documents, proposal.proposed_documents, talos_version=version)
    assert diff.changes, "a GPU profile always changes a stock config"
    touched = _patch_keys(rendered.documents)
    for change in diff.changes:
        pattern = r"\.machine\.\w+" if change.document == "v1alpha1" else r"\.\w*"
        match = re.match(pattern, change.path)
        top = match.group(0) if match else change.path
        assert (change.document, top) in touched, (change.document, change.path)
        assert change.op == "add", change  # stock configs have no GPU settings to change
    # what Talos rejects would raise here: the patch applies to the real config
    again = apply_patches(
        live.documents, [Patch.from_documents(p) for p in proposal.patches], talos_version=version
    )
    assert diff_configs(proposal.proposed_documents, again.documents, talos_version=version).empty


@pytest.mark.parametrize(("profile", "version"), CASES)
def test_rediff_after_applying_the_proposed_patch_is_empty(profile: str, version: str) -> None:
    live = load_live_config(_live(version, "overrides"))
    rendered = api.render(profile=profile, talos_version=version)
    proposal = propose(live, rendered)
    applied = apply_patches(
        live.documents, [Patch.from_documents(p) for p in proposal.patches], talos_version=version
    ).documents
    second = propose_documents(applied, rendered.documents, talos_version=version)
    assert second.patch_documents == []
    assert diff_configs(applied, second.proposed_documents, talos_version=version).empty


@pytest.mark.parametrize("version", ["1.8", "1.11", "1.13"])
def test_changed_cri_part_is_replaced_not_appended(version: str) -> None:
    live_docs = yamlio.load_all(_live(version, "base").read_text())
    rendered = api.render(profile="nvidia-cdi", talos_version=version)
    stale = '[plugins."io.containerd.cri.v1.runtime"]\nenable_cdi = false\n'
    live_docs[0]["machine"]["files"] = [{"path": CRI, "op": "create", "content": stale}]
    proposal = propose_documents(live_docs, rendered.documents, talos_version=version)
    files = proposal.proposed_documents[0]["machine"]["files"]
    assert [f["path"] for f in files].count(CRI) == 1
    diff = diff_configs(live_docs, proposal.proposed_documents, talos_version=version)
    cri = [c for c in diff.changes if c.path.startswith(f".machine.files[path={CRI}]")]
    assert [c.path for c in cri] == [f".machine.files[path={CRI}].content"]
    assert cri[0].text_diff is not None and "-enable_cdi = false\n" in cri[0].text_diff
    assert cri[0].impact == "reboot"


def test_node_already_configured_has_nothing_to_propose() -> None:
    live = load_live_config(_live("1.13", "base"))
    rendered = api.render(profile="nvidia-legacy", talos_version="1.13")
    done = propose(live, rendered).proposed_documents
    again = propose_documents(done, rendered.documents, talos_version="1.13")
    assert again.empty and again.proposed_documents == done


def _with_json6902(version: str, ops: str) -> tuple[Any, Any]:
    from talosgpu.intent.models import Intent
    from talosgpu.nodepatch import merge_node_patches, read_patch_text
    from talosgpu.outputs import render_intent

    intent = Intent.model_validate({"profile": "nvidia-cdi", "talosVersion": version})
    rendered = merge_node_patches(
        render_intent(intent, source="node.yaml"), [read_patch_text(ops, source="ops.yaml")]
    )
    return load_live_config(_live(version, "base")), rendered


HOSTNAME = "- op: add\n  path: /machine/network/hostname\n  value: gpu-1\n"


def test_a_json6902_patch_applies_to_the_whole_config_after_the_merged_patch() -> None:
    """On a single-document config (Talos 1.11's generated worker), as talosctl patch would."""
    live, rendered = _with_json6902("1.11", HOSTNAME)
    proposal = propose(live, rendered)
    (proposed,) = proposal.proposed_documents
    assert proposed["machine"]["network"]["hostname"] == "gpu-1"
    assert CRI in {f["path"] for f in proposed["machine"]["files"]}  # talosgpu's patch too
    assert [p.source for p in proposal.after_patches] == ["ops.yaml"]
    # applied already: nothing to send, the node is up to date
    again = propose(
        load_live_config("x", text=yamlio.dump_all(proposal.proposed_documents)), rendered
    )
    assert again.empty and again.after_patches == []


def test_a_json6902_patch_that_appends_each_time_says_so() -> None:
    ops = "- op: add\n  path: /machine/certSANs/-\n  value: gpu-1.lan\n"
    live, rendered = _with_json6902("1.11", ops)
    proposal = propose(live, rendered)
    assert any("changes the config each time it is applied" in n for n in proposal.notes)


def test_a_json6902_patch_on_a_multi_document_config_is_talos_s_refusal() -> None:
    # 1.13 renders one document; its generated config has several (HostnameConfig): the diff
    # against that config stops with Talos's refusal
    live, rendered = _with_json6902("1.13", HOSTNAME)
    assert len(rendered.documents) == 1 and len(live.documents) > 1
    assert "only while the node's config is one document" in rendered.header
    refusal = r"ops.yaml: JSON6902 patches are not supported for multi-document machine configuration \(the node's config has several documents"
    with pytest.raises(api.TalosGPUError, match=refusal):
        propose(live, rendered)


def test_a_json6902_patch_beside_a_multi_document_node_patch_is_refused_at_render() -> None:
    """On 1.14 talosgpu's own patch is several documents: certain to fail, so said at render
    (and by check), not first by diff."""
    refusal = r"ops.yaml: a JSON6902 patch cannot apply to this node: the node patch has \d+ documents \(KernelModuleConfig"
    with pytest.raises(api.TalosGPUError, match=refusal):
        _with_json6902("1.14", HOSTNAME)


def test_a_json6902_patch_that_undoes_talosgpus_patch_is_refused() -> None:
    ops = "- op: replace\n  path: /machine/files/0/content\n  value: '# mine'\n"
    live, rendered = _with_json6902("1.11", ops)
    with pytest.raises(
        api.TalosGPUError, match=r"ops.yaml undoes part of talosgpu's patch .*20-customization.part"
    ):
        propose(live, rendered)


def test_a_json6902_patch_that_cannot_apply_twice_says_so() -> None:
    ops = "- op: remove\n  path: /machine/install/wipe\n"
    live, rendered = _with_json6902("1.11", ops)
    assert "wipe" in live.documents[0]["machine"]["install"]
    proposal = propose(live, rendered)
    assert any("once applied, this JSON6902 patch fails" in n for n in proposal.notes)


def test_a_json6902_patch_may_adjust_what_the_intents_own_patches_set() -> None:
    """Only talosgpu's documents are guarded: a JSON6902 patch listed last overriding an
    earlier strategic patch of the intent is what it is for."""
    from talosgpu.intent.models import Intent
    from talosgpu.nodepatch import UserPatch, merge_node_patches, read_patch_text
    from talosgpu.outputs import render_intent

    intent = Intent.model_validate({"profile": "nvidia-cdi", "talosVersion": "1.11"})
    mine = UserPatch("sysctls.yaml", ({"machine": {"sysctls": {"vm.max_map_count": "262144"}}},))
    ops = read_patch_text(
        "- op: replace\n  path: /machine/sysctls/vm.max_map_count\n  value: '524288'\n",
        source="ops.yaml",
    )
    rendered = merge_node_patches(render_intent(intent, source="node.yaml"), [mine, ops])
    proposal = propose(load_live_config(_live("1.11", "base")), rendered)
    (proposed,) = proposal.proposed_documents
    assert proposed["machine"]["sysctls"]["vm.max_map_count"] == "524288"
