"""The hardware step of planning: can this driver flavour and branch drive this GPU here?

Uses the hardware table in ``knowledge/`` (open modules need Turing or newer, Maxwell–Volta end
with the 580 LTS branch, consumer Blackwell needs the open modules, GB10 needs the proprietary
driver and ``arm64.nobti``, HGX/NVSwitch needs the fabric manager; research peers.md §4.3).
An impossible combination is an error naming ``.gpu.driver`` and the fix; doubts are warnings.
"""

from __future__ import annotations

from talosgpu.errors import RenderError
from talosgpu.intent.models import Intent
from talosgpu.knowledge.compat import check_compatibility
from talosgpu.knowledge.extensions import branch_problem
from talosgpu.knowledge.hardware import CompatIssue, identify_gpu
from talosgpu.versions import TalosVersion

__all__ = ["hardware_findings"]


def hardware_findings(intent: Intent, version: TalosVersion) -> tuple[str | None, list[str]]:
    """Return (a one-line description of the identified GPU or None, warnings).

    Raises :class:`RenderError` when the intent's driver cannot drive its GPU on ``version``.
    """
    gpu = intent.gpu

    problem = branch_problem(
        talos_version=version, flavour=gpu.driver.flavour, branch=gpu.driver.branch
    )
    if gpu.model is None and gpu.pci_id is None:
        if problem is not None:
            raise RenderError(f"{problem[0]}; fix: {problem[1]}", path=".gpu.driver")
        return None, []

    arch = identify_gpu(model=gpu.model, pci_id=gpu.pci_id)
    if arch is None:
        what = gpu.model or gpu.pci_id
        return None, [
            f"GPU {what!r} is not in talosgpu's hardware table; compatibility not checked"
        ]
    issues = check_compatibility(
        architecture=arch,
        flavour=gpu.driver.flavour,
        branch=gpu.driver.branch,
        talos_version=version,
        fabric_manager=gpu.fabric_manager,
        arch_cpu=intent.node.arch,
        extra_kernel_args=tuple(intent.extra_kernel_args),
    )
    errors = [i for i in issues if i.is_error]
    if problem is not None:
        # A GPU the release cannot drive at all says so first; else the missing build.
        errors.append(CompatIssue("error", "branch-unpublished", problem[0], problem[1]))
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise RenderError(f"{first.message}; fix: {first.fix}{more}", path=".gpu.driver")
    label = f"{gpu.model or gpu.pci_id}: {arch.name}"
    return label, [f"{i.message} (fix: {i.fix})" for i in issues]
