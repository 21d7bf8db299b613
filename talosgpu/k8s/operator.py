"""NVIDIA GPU Operator on Talos >= 1.13: the privileged namespace and the chart's Helm values.

Sidero's Talos 1.13+ guide (talos-internals.md §6; talos-docs-nvidia/v1.13/nvidia-gpu.mdx)
installs the operator with ``driver.enabled=false`` (the driver is a Talos system extension),
``toolkit.enabled=false`` (the toolkit extension and Talos's native CDI provide the runtime side)
and ``hostPaths.driverInstallDir=/usr/local`` (where the extension puts the driver), into a
namespace labelled ``pod-security.kubernetes.io/enforce=privileged``. Operator >= v26.3.1:
v26.3.0 crashed on Talos's ``VERSION_ID`` (gpu-operator#2239, fixed by #2244/#2261).

Talos 1.15 (as of its beta) turns this around: the toolkit extension no longer ships the NVIDIA
Container Toolkit, so the operator must install its own toolkit (``toolkit.enabled=true``) as an
NRI plugin (``cdi.enabled=true``, ``cdi.nriPluginEnabled=true``); with NRI on the operator creates
no RuntimeClass and gives its operands no ``runtimeClassName``, and it refuses NRI with the
toolkit off ("the NRI Plugin cannot be enabled when the Container Toolkit is disabled"). It drops
the containerd config mounts on read-only hosts such as Talos only from v26.7.0 (d91f4aa65).
Sources: gpu-operator v26.7.0 ``deployments/gpu-operator/values.yaml``,
``controllers/object_controls.go``, ``controllers/state_manager.go``; Talos docs v1.15 nvidia-gpu.
The 1.15 guide's own Helm section was not readable when this was written: the values are the
operator's requirements, and the header says so.
"""

from __future__ import annotations

from typing import Any

from talosgpu import yamlio
from talosgpu.errors import RenderError
from talosgpu.k8s.common import GPU_TOLERATION, MANAGED_BY, tolerations
from talosgpu.k8s.device_plugin import config_entry_name, sharing_config_map
from talosgpu.plan import Plan

__all__ = [
    "NAMESPACE",
    "OPERATOR_MIN",
    "operator_header",
    "operator_objects",
    "operator_tolerations",
    "operator_values",
    "operator_values_doc",
]

NAMESPACE = "gpu-operator"
OPERATOR_MIN = "v26.3.1"
SHARING_CONFIG_MAP = "time-slicing-config"  # the name NVIDIA's GPU-sharing docs use


def _min_version(plan: Plan) -> str:
    return plan.version.gpu_operator_min or OPERATOR_MIN


def operator_objects(plan: Plan) -> list[dict[str, Any]]:
    """The privileged ``gpu-operator`` Namespace (+ the sharing ConfigMap); operator mode only."""
    if plan.mode != "operator":
        return []
    objects: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": NAMESPACE,
                "labels": {"pod-security.kubernetes.io/enforce": "privileged", **MANAGED_BY},
            },
        }
    ]
    if plan.intent.sharing.strategy != "none":
        objects.append(sharing_config_map(plan, name=SHARING_CONFIG_MAP, namespace=NAMESPACE))
    return objects


def operator_values_doc(plan: Plan) -> dict[str, Any]:
    """The chart's values for ``plan`` without tolerations (a fleet merges those across nodes)."""
    nri = plan.version.nri_injection
    values: dict[str, Any] = {"driver": {"enabled": False}}
    if nri:
        values["toolkit"] = {"enabled": True}
        values["cdi"] = {"enabled": True, "nriPluginEnabled": True}
    else:
        values["toolkit"] = {"enabled": False}
    values["hostPaths"] = {"driverInstallDir": "/usr/local"}
    if plan.intent.sharing.strategy != "none":
        values["devicePlugin"] = {
            "config": {"name": SHARING_CONFIG_MAP, "default": config_entry_name(plan)}
        }
    return values


def operator_tolerations(tol: list[dict[str, str]]) -> list[dict[str, str]]:
    """``daemonsets.tolerations``: the list replaces the chart default, which only tolerates
    nvidia.com/gpu, so that one stays and comes first."""
    if not any(t["key"] == GPU_TOLERATION["key"] for t in tol):
        tol = [*tol, dict(GPU_TOLERATION)]
    return sorted(tol, key=lambda t: t["key"] != GPU_TOLERATION["key"])


def operator_header(
    plan: Plan,
    *,
    file: str = "gpu-operator-values.yaml",
    manifests: str = "manifests.yaml",
    title: str | None = None,
) -> list[str]:
    """The values file's comment: ``title`` (default: the plan's release), requirements, where
    the namespace is (``manifests``), and the install command."""
    return [
        title
        or "# Helm values for the NVIDIA GPU Operator, rendered by talosgpu for Talos "
        f"{plan.version} (runtime mode operator).",
        *_requirement_lines(plan),
        f"# The privileged {NAMESPACE} namespace is in {manifests}: apply it first.",
        "#   helm repo add nvidia https://helm.ngc.nvidia.com/nvidia",
        f"#   helm upgrade --install gpu-operator nvidia/gpu-operator --version {_min_version(plan)} \\",
        f"#     --namespace {NAMESPACE} -f {file}",
    ]


def operator_values(plan: Plan) -> str:
    """Helm values for the ``nvidia/gpu-operator`` chart (runtime mode operator), as YAML text.

    Raises :class:`RenderError` for other modes (the operator path needs Talos 1.13+).
    """
    if plan.mode != "operator":
        raise RenderError(
            f"runtime mode is {plan.mode!r}: GPU Operator values need runtime mode 'operator' "
            "(Talos 1.13+)",
            path=".runtime.mode",
        )
    values = operator_values_doc(plan)
    tol = tolerations(plan, gpu=True)
    if tol != [GPU_TOLERATION]:  # the chart's default tolerates only nvidia.com/gpu
        values["daemonsets"] = {"tolerations": operator_tolerations(tol)}
    header = operator_header(plan)
    return "\n".join(header) + "\n" + yamlio.dump(values)


def _requirement_lines(plan: Plan) -> list[str]:
    v = plan.version
    if not v.nri_injection:
        return [
            f"# Needs GPU Operator >= {_min_version(plan)} (v26.3.0 crashes on Talos: "
            "gpu-operator#2239)."
        ]
    lines = [
        f"# Talos {v}: the nvidia-container-toolkit extension ships no NVIDIA Container Toolkit;",
        "# the operator installs it as an NRI plugin (toolkit + cdi.nriPluginEnabled) and creates",
        "# no RuntimeClass: GPU pods need no runtimeClassName.",
        f"# Needs GPU Operator >= {_min_version(plan)} (NRI plugin; no containerd config mounts on",
        "# read-only hosts, gpu-operator d91f4aa65).",
    ]
    if v.facts_note:
        lines += [
            f"# {v.facts_note}.",
            "# These values follow the operator's NRI requirements (gpu-operator v26.7.0); the",
            "# Talos 1.15 guide's Helm section could not be read. UNVERIFIED: where the operator's",
            "# toolkit installs on Talos (chart default toolkit.installDir /usr/local/nvidia; /usr",
            "# is read-only on Talos) and driverInstallDir: check the Talos 1.15 NVIDIA guide.",
        ]
    return lines
