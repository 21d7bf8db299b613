"""What a renderer produces, and the protocol every concern module follows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from talosgpu import yamlio
from talosgpu.intent.models import node_values
from talosgpu.plan import Plan
from talosgpu.talos.documents import CRI_PART_PATH
from talosgpu.talos.patches import Patch

__all__ = ["Concern", "Rendered"]


class Concern(Protocol):
    """One concern (kernel modules, udev, node metadata, sysctls, containerd...).

    ``machine(plan)`` returns the ``machine:`` keys it owns in a v1alpha1 patch (Talos <= 1.13);
    ``documents(plan)`` returns the 1.14+ documents that replace them.
    """

    name: str

    def machine(self, plan: Plan) -> dict[str, Any]: ...

    def documents(self, plan: Plan) -> list[dict[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class Rendered:
    """Everything rendered for one node."""

    plan: Plan
    documents: tuple[dict[str, Any], ...]
    cri_toml: str | None
    header: str
    warnings: tuple[str, ...] = field(default=())
    # the intent's JSON6902 patches: RFC 6902 paths point into the node's whole config, so
    # they apply there after this patch (configdiff.propose), never merged into it
    after_patches: tuple[Patch, ...] = field(default=())
    # talosgpu's own documents when ``documents`` also holds the intent's strategic patches
    own_documents: tuple[dict[str, Any], ...] | None = field(default=None)

    @property
    def patch_text(self) -> str:
        """The Talos patch: header comment + multi-document YAML."""
        # a node's name and label values recur in its documents (nodeLabels, the 1.14+
        # KubeNodeConfig): documents equal up to them are emitted once (yamlio.dump_all)
        return self.header + yamlio.dump_all(self.documents, vary=node_values(self.plan.intent))

    @property
    def cri_file_name(self) -> str:
        """The name ``render --output-dir`` gives the CRI TOML: the machine file's own name up to
        Talos 1.13, the ``CRICustomizationConfig`` content from 1.14."""
        if self.plan.version.gpu_documents:
            return "cri-customization.toml"
        return CRI_PART_PATH.rsplit("/", 1)[-1]
