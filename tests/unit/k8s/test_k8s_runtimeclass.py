"""RuntimeClasses: ``nvidia`` (legacy) / ``nvidia-cdi`` (cdi), handler = name, with scheduling."""

from __future__ import annotations

import pytest
from conftest import shared_path

from talosgpu import yamlio
from talosgpu.commands.render import render
from talosgpu.intent.models import Intent
from talosgpu.k8s.common import tolerations
from talosgpu.k8s.runtimeclass import runtime_classes
from talosgpu.plan import resolve


@pytest.mark.parametrize(
    ("profile", "name"),
    [("nvidia-legacy", "nvidia"), ("nvidia-graphics", "nvidia"), ("nvidia-cdi", "nvidia-cdi")],
)
def test_runtime_class(profile: str, name: str) -> None:
    (rc,) = runtime_classes(render(profile=profile).plan)
    assert rc["apiVersion"] == "node.k8s.io/v1"
    assert rc["metadata"]["name"] == rc["handler"] == name
    # the class selects the nodes the plan labels with its handler (runtime.talosgpu.dev/<name>)
    plan = render(profile=profile).plan
    assert rc["scheduling"]["nodeSelector"] == {f"runtime.talosgpu.dev/{name}": "true"}
    assert plan.labels[f"runtime.talosgpu.dev/{name}"] == "true"


def test_velaryon_scheduling() -> None:
    (rc,) = runtime_classes(render(profile="nvidia-graphics").plan)
    assert rc["scheduling"] == {
        "nodeSelector": {"runtime.talosgpu.dev/nvidia": "true"},
        "tolerations": [
            {"key": "gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"}
        ],
    }


def test_none_in_operator_mode() -> None:
    assert runtime_classes(render(profile="nvidia-operator").plan) == []


@pytest.mark.conformance
def test_same_identity_as_real_runtime_classes() -> None:
    """Real RuntimeClasses people apply: same apiVersion, and handler == name for nvidia."""
    root = shared_path("conformance", "k8s-device-plugin", "runtimeclass")
    ours = {
        rc["metadata"]["name"]: rc
        for p in ("nvidia-legacy", "nvidia-cdi")
        for rc in runtime_classes(render(profile=p).plan)
    }
    seen = 0
    for path in sorted(root.iterdir()):
        if path.suffix not in (".yaml", ".yml"):
            continue
        for doc in yamlio.load_all(path.read_text(encoding="utf-8"), source=path.name):
            if doc.get("kind") != "RuntimeClass" or doc["metadata"]["name"] not in ours:
                continue
            mine = ours[doc["metadata"]["name"]]
            assert (doc["apiVersion"], doc["handler"]) == (mine["apiVersion"], mine["handler"]), (
                path.name
            )
            seen += 1
    assert seen >= 3


def test_taint_forms() -> None:
    plan = resolve(
        Intent.model_validate(
            {
                "talosVersion": "1.11",
                "taints": {
                    "b": "NoExecute",
                    "a": "x:NoSchedule",
                    "nvidia.com/gpu": "PreferNoSchedule",
                },
            }
        )
    )
    assert tolerations(plan, gpu=True) == [
        {"key": "a", "operator": "Equal", "value": "x", "effect": "NoSchedule"},
        {"key": "b", "operator": "Exists", "effect": "NoExecute"},
        # the user's own nvidia.com/gpu taint replaces the generic GPU toleration
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "PreferNoSchedule"},
    ]
