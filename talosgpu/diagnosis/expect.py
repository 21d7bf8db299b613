"""What the node should look like: the plan for its release, and how to word the fixes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from talosgpu.plan import Plan
from talosgpu.versions import TalosVersion

__all__ = ["Expect"]

# a catalog fix that picks a runtime mode (knowledge/data/explain_catalog.toml)
_MODE_FIX = re.compile(r"^runtime: \{mode: ([a-z]+)")


@dataclass(frozen=True)
class Expect:
    """The plan doctor checks against and the names its fixes use.

    ``intent_arg`` is how a fix names the intent on a command line (its file, ``--profile X``,
    or ``node.yaml`` when doctor ran without one, ``assumed`` then says so); ``node`` the
    Talos API address for ``talosctl -n``; ``k8s_name`` the Kubernetes node name;
    ``installer_image`` the factory installer of the intent's schematic for this release;
    ``fleet_node`` the node's name when ``intent_arg`` is an inventory (``doctor --all``): its
    fixes then use the commands an inventory takes (``apply INV --node NAME``, ``render INV
    --output-dir``), never a one-node command that refuses it.
    """

    plan: Plan
    version: TalosVersion
    intent_arg: str
    node: str
    k8s_name: str | None = None
    installer_image: str = ""
    extensions: tuple[str, ...] = ()  # factory names of the NVIDIA extensions the plan needs
    assumed: bool = False  # no intent given: talosgpu's defaults for the release
    fleet_node: str | None = None  # the node's name in the inventory ``intent_arg`` names

    @property
    def _target(self) -> str:
        return f"{self.intent_arg} --node {self.fleet_node or self.node}"

    @property
    def _write_intent(self) -> str:
        # no intent was given: the fixes' commands need one, so say how to make it
        if not self.assumed:
            return ""
        return f'write {self.intent_arg} (talosVersion: "{self.version}", the defaults doctor checked), then: '

    @property
    def render_fix(self) -> str:
        # apply shows the diff and sends only what the node lacks (a plain talosctl patch of
        # the whole render would append list items the node already has)
        return f"{self._write_intent}talosgpu apply {self._target} --talos-version {self.version}"

    @property
    def upgrade_fix(self) -> str:
        image = self.installer_image or "<installer image of the node's schematic>"
        where = (
            f"talosgpu render {self.intent_arg} --output-dir DIR writes DIR/{self.fleet_node}/schematic.yaml"
            if self.fleet_node
            else f"talosgpu schematic {self.intent_arg} --talos-version {self.version}"
        )
        return f"{self._write_intent}install the schematic ({where}): talosctl -n {self.node} upgrade --image {image}"

    @property
    def manifests_fix(self) -> str:
        """How to get the node's Kubernetes objects (the CDI generator Pod, the init DaemonSet)."""
        if self.fleet_node:
            return (f"talosgpu render {self.intent_arg} --output-dir DIR, then kubectl apply -f "
                    f"DIR/cluster/ -f DIR/{self.fleet_node}/manifests.yaml")  # fmt: skip
        return f"{self._write_intent}talosgpu render {self.intent_arg} --talos-version {self.version} --manifests"

    @property
    def helm_values_fix(self) -> str:
        """Where the Helm values of the node's chart come from (a fleet's are in cluster/)."""
        if self.fleet_node:
            file = (
                "gpu-operator-values.yaml"
                if self.plan.mode == "operator"
                else "device-plugin-values*.yaml"
            )
            return f"talosgpu render {self.intent_arg} --output-dir DIR writes DIR/helm/{file}"
        return f"{self._write_intent}talosgpu helm-values {self.intent_arg}"

    def catalog_fix(self, fix: str) -> str:
        """A known failure's fix, fitted to this node: one that says to pick the runtime mode
        the plan already has would change nothing, so it points at the node's failing checks."""
        picked = _MODE_FIX.match(fix)
        if picked is None or picked.group(1) != self.plan.mode:
            return fix
        rest = fix[picked.end() :].lstrip("}, ;")
        return (
            f"the intent already uses runtime mode {self.plan.mode}: the failing checks say what "
            f"the node lacks; then {self.render_fix}" + (f" ({rest})" if rest else "")
        )
