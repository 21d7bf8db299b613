"""Every manifest for every profile and Talos version validates against upstream Kubernetes
schemas (kubernetes-validate, strict: unknown fields fail), and matches its golden file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import kubernetes_validate
import pytest
from conftest import refused
from kubernetes_validate.utils import all_versions, major_minor

from talosgpu import yamlio
from talosgpu.commands.render import render
from talosgpu.intent.models import Intent
from talosgpu.k8s import manifest_objects, render_manifests
from talosgpu.plan import resolve
from talosgpu.profiles import list_profiles
from talosgpu.versions import known_versions

K8S_VERSIONS = ("1.30", "1.31", "1.32", "1.33", "1.34")
TALOS_VERSIONS = tuple(str(v) for v in known_versions())
_SHIPPED = {major_minor(v) for v in all_versions()}

# Intents beyond the profiles that exercise the other branches (MPS, renamed resources, taints
# without a value, operator with sharing and taints, mode none, unchanged hooks, unnamed node).
EXTRA_INTENTS: dict[str, dict[str, Any]] = {
    "mps-renamed": {
        "talosVersion": "1.11",
        "runtime": {"mode": "cdi"},
        "sharing": {"strategy": "mps", "replicas": 2, "renameByDefault": True},
        "taints": {"nvidia.com/gpu": "NoSchedule", "dedicated": "ml:NoExecute"},
        "workloads": ["compute", "graphics", "video", "display"],
    },
    "operator-shared": {
        "talosVersion": "1.14",
        "node": {"name": "gpu01"},
        "runtime": {"mode": "operator"},
        "sharing": {"strategy": "time-slicing", "replicas": 3},
        "taints": {"gpu": "true:NoSchedule"},
        "workloads": ["graphics"],
    },
    "none": {"talosVersion": "1.12", "runtime": {"mode": "none"}, "workloads": ["video"]},
    "cdi-unchanged-hooks": {
        "talosVersion": "1.10",
        "runtime": {"mode": "cdi", "hookPaths": "unchanged", "cdiSpecDirs": ["/var/run/cdi"]},
    },
    "no-workloads": {"talosVersion": "1.9", "runtime": {"mode": "legacy"}, "workloads": []},
}


def _need(k8s: str) -> None:
    if k8s not in _SHIPPED:
        pytest.skip(
            f"kubernetes-validate {kubernetes_validate.__version__} ships no schemas for "
            f"Kubernetes {k8s} (has {min(_SHIPPED)}..{max(_SHIPPED)})"
        )


def _validate_all(docs: list[dict[str, Any]], k8s: str) -> None:
    assert docs, "nothing to validate"
    for doc in docs:
        # validate() silently falls back to an older schema set; make sure it used this one.
        used = kubernetes_validate.validate(doc, k8s, strict=True)
        assert used == k8s, f"{doc['kind']}: validated against {used}, not {k8s}"


@pytest.mark.conformance
@pytest.mark.parametrize("k8s", K8S_VERSIONS)
@pytest.mark.parametrize("talos", TALOS_VERSIONS)
@pytest.mark.parametrize("profile", list_profiles())
def test_profile_manifests_validate(profile: str, talos: str, k8s: str) -> None:
    _need(k8s)
    if refused(profile, talos):
        return  # no render, so no manifests (test_golden_patch pins the refusal)
    text = render_manifests(render(profile=profile, talos_version=talos).plan)
    _validate_all(yamlio.load_all(text, source=f"{profile}/{talos}"), k8s)


@pytest.mark.conformance
@pytest.mark.parametrize("k8s", K8S_VERSIONS)
@pytest.mark.parametrize("name", sorted(EXTRA_INTENTS))
def test_extra_intent_manifests_validate(name: str, k8s: str) -> None:
    _need(k8s)
    plan = resolve(Intent.model_validate(EXTRA_INTENTS[name]))
    docs = yamlio.load_all(render_manifests(plan))
    if not docs:
        pytest.fail(f"{name}: no objects rendered")
    _validate_all(docs, k8s)


def test_strict_validation_rejects_unknown_fields() -> None:
    """Guards the guard: strict mode must fail on a field Kubernetes does not know."""
    _need("1.34")
    plan = resolve(Intent.model_validate(EXTRA_INTENTS["mps-renamed"]))
    pod = next(o for o in manifest_objects(plan) if o["kind"] == "Pod")
    pod["spec"]["containers"][0]["gpus"] = 1
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(pod, "1.34", strict=True)


@pytest.mark.parametrize("talos", TALOS_VERSIONS)
@pytest.mark.parametrize("profile", list_profiles())
def test_manifests_golden(profile: str, talos: str, golden: Callable[[str, str], None]) -> None:
    if refused(profile, talos):
        return  # no render, so no manifests (test_golden_patch pins the refusal)
    text = render_manifests(render(profile=profile, talos_version=talos).plan)
    golden(f"manifests/{profile}/{talos}.yaml", text)


@pytest.mark.parametrize("profile", list_profiles())
def test_manifests_deterministic(profile: str) -> None:
    plan = render(profile=profile).plan
    assert render_manifests(plan) == render_manifests(plan)
    assert "latest" not in render_manifests(plan).replace("latest release", "")
