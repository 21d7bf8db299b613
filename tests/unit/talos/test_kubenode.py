"""Every v1alpha1 field Talos 1.14 rejects next to a KubeNodeConfig, walked through the live
proposal (diff/apply), the upgrade render and real generated configs."""

from __future__ import annotations

import pytest
from conftest import stock_config

import talosgpu as api
from talosgpu import yamlio
from talosgpu.configdiff.propose import propose_documents
from talosgpu.errors import LiveConfigError
from talosgpu.talos.kubenode import KUBE_NODE_CONFIG_CONFLICTS, conflict_paths

NODE_DOC = {"apiVersion": "v1alpha1", "kind": "KubeNodeConfig", "labels": {"role": "gpu"}}
VALUES = {
    "nodeLabels": {"zone": "a", "role": "old"},
    "nodeAnnotations": {"rack": "r1"},
    "nodeTaints": {"gpu": "true:NoSchedule"},
    "nodeIP": {"validSubnets": ["10.0.0.0/8"]},
    "registerWithFQDN": True,
    "skipNodeRegistration": True,
    "allowSchedulingOnControlPlanes": True,
    "allowSchedulingOnMasters": True,
}


def live_with(path: tuple[str, ...]) -> list[dict[str, object]]:
    doc: dict[str, object] = {"version": "v1alpha1", "machine": {"type": "worker"}, "cluster": {}}
    node = doc
    for key in path[:-1]:
        node = node.setdefault(key, {})  # type: ignore[assignment]
    node[path[-1]] = VALUES[path[-1]]  # type: ignore[index]
    return [doc]


@pytest.mark.parametrize(("path", "key"), KUBE_NODE_CONFIG_CONFLICTS)
def test_proposal_moves_or_refuses_every_conflict(path: tuple[str, ...], key: str | None) -> None:
    live = live_with(path)
    if key is None:
        with pytest.raises(LiveConfigError, match="no KubeNodeConfig twin") as info:
            propose_documents(live, [NODE_DOC], talos_version="1.14")
        assert info.value.yaml_path == "." + ".".join(path)
        return
    proposal = propose_documents(live, [NODE_DOC], talos_version="1.14")
    v1 = next(d for d in proposal.proposed_documents if "machine" in d)
    assert conflict_paths(v1) == []  # nothing left that Talos would reject
    node = next(d for d in proposal.proposed_documents if d.get("kind") == "KubeNodeConfig")
    if key == "labels":
        assert node["labels"] == {"zone": "a", "role": "gpu"}  # the intent wins per key
    else:
        assert node[key] == VALUES[path[-1]]
        assert node["labels"] == {"role": "gpu"}


def test_no_kube_node_config_means_no_move() -> None:
    live = live_with(("machine", "nodeLabels"))
    module = {"apiVersion": "v1alpha1", "kind": "KernelModuleConfig", "name": "nvidia"}
    proposal = propose_documents(live, [module], talos_version="1.14")
    v1 = next(d for d in proposal.proposed_documents if "machine" in d)
    assert v1["machine"]["nodeLabels"] == VALUES["nodeLabels"]


@pytest.mark.conformance
def test_upgraded_1_13_controlplane_is_refused_with_the_fix() -> None:
    """The real 1.13 gen-config control plane sets nodeLabels and allowSchedulingOnControlPlanes."""
    live = yamlio.load_all(stock_config("1.13", "overrides-controlplane.yaml").read_text())
    rendered = api.render(
        _intent(),  # type: ignore[arg-type]
        talos_version="1.14",
    )
    with pytest.raises(LiveConfigError, match=r"\.cluster\.allowSchedulingOnControlPlanes"):
        propose_documents(live, rendered.documents, talos_version="1.14")


@pytest.mark.conformance
def test_stock_1_14_worker_config_takes_the_patch_as_is() -> None:
    """Every 1.14 gen config has a KubeNodeConfig and none of the conflicting fields."""
    live = yamlio.load_all(stock_config("1.14").read_text())
    proposal = propose_documents(live, [NODE_DOC], talos_version="1.14")
    assert not any("$patch" in str(d) for d in proposal.patch_documents if "machine" in d), (
        proposal.patch_documents
    )


def _intent() -> object:
    from talosgpu.intent.load import load_intent_text

    return load_intent_text(
        'talosVersion: "1.14"\nlabels: {role: gpu}\nruntime: {mode: operator}\n', source="i.yaml"
    )


def test_from_version_warns_about_the_fields_it_cannot_see() -> None:
    rendered = api.render(_intent(), talos_version="1.14", from_version="1.13")  # type: ignore[arg-type]
    text = " ".join(rendered.warnings)
    for path, _ in KUBE_NODE_CONFIG_CONFLICTS:
        assert "." + ".".join(path) in text
