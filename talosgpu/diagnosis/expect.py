"""What the node should look like: the plan for its release, and how to word the fixes."""

from __future__ import annotations

from dataclasses import dataclass

from talosgpu.plan import Plan
from talosgpu.versions import TalosVersion

__all__ = ["Expect"]


@dataclass(frozen=True)
class Expect:
    """The plan doctor checks against and the names its fixes use.

    ``intent_arg`` is how a fix names the intent on a command line (its file, ``--profile X``,
    or ``node.yaml`` when doctor ran without one, ``assumed`` then says so); ``node`` the
    Talos API address for ``talosctl -n``; ``k8s_name`` the Kubernetes node name;
    ``installer_image`` the factory installer of the intent's schematic for this release.
    """

    plan: Plan
    version: TalosVersion
    intent_arg: str
    node: str
    k8s_name: str | None = None
    installer_image: str = ""
    extensions: tuple[str, ...] = ()  # factory names of the NVIDIA extensions the plan needs
    assumed: bool = False  # no intent given: talosgpu's defaults for the release

    @property
    def render_fix(self) -> str:
        # apply shows the diff and sends only what the node lacks (a plain talosctl patch of
        # the whole render would append list items the node already has)
        return f"talosgpu apply {self.intent_arg} --node {self.node} --talos-version {self.version}"

    @property
    def upgrade_fix(self) -> str:
        image = self.installer_image or "<installer image of: talosgpu schematic INTENT>"
        return (
            f"install the schematic (talosgpu schematic {self.intent_arg} --talos-version "
            f"{self.version}): talosctl -n {self.node} upgrade --image {image}"
        )

    @property
    def kubectl_node(self) -> str:
        return self.k8s_name or "<node>"
