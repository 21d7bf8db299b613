"""The inventory format: many GPU nodes in one file, sharing defaults and roles.

Strict (``extra="forbid"``) and frozen pydantic models with camelCase YAML keys, like
``intent/models.py``. The partial intents (``defaults``, ``roles``, ``overrides``) stay plain
data here: they are laid over each other and over the node's profile with the intent overlay
rule (maps merge key by key, everything else replaces, ``null`` removes), and only the finished
per-node intent is validated (``fleet/load.py``), so a role may set half of a mapping that a
node's overrides complete.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator
from pydantic.alias_generators import to_camel

from talosgpu.intent import rules
from talosgpu.versions import unquoted_hint

__all__ = ["Inventory", "InventoryNode", "PartialIntent"]

PartialIntent = dict[str, Any]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=False
    )


def _mapping_or_empty(value: object) -> object:
    # ``defaults:`` with nothing under it is YAML null: read it as "no defaults".
    return {} if value is None else value


class InventoryNode(_Model):
    """One node of the inventory: who it is, which role and profile, and what differs."""

    name: str = Field(
        description="Node (host) name; also the name of the node's output folder. Becomes the "
        "intent's node.name."
    )
    address: str | None = Field(
        default=None,
        description="Talos API address used by diff/apply (--node); becomes node.address.",
    )
    role: str | None = Field(
        default=None,
        description="Name of an entry of 'roles' whose partial intent applies to this node.",
    )
    profile: str | None = Field(
        default=None,
        description="Bundled profile the node starts from (default: the 'profile' of its role, "
        "else of 'defaults', else none).",
    )
    talos_version: str | None = Field(
        default=None,
        description="Talos version of this node, e.g. '1.11' (overrides defaults and role).",
    )
    overrides: PartialIntent = Field(
        default_factory=dict,
        description="Partial intent laid over everything else for this node only.",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return rules.check_dns_name(value, what="node name")

    @field_validator("talos_version", mode="before")
    @classmethod
    def _version(cls, value: object) -> object:
        if isinstance(value, float | int) and not isinstance(value, bool):
            raise ValueError(unquoted_hint(value))
        return value

    @field_validator("overrides", mode="before")
    @classmethod
    def _overrides(cls, value: object) -> object:
        return _mapping_or_empty(value)


class Inventory(_Model):
    """A fleet: per-node intents built from defaults, roles and per-node overrides.

    Layering, lowest first: the node's profile, ``defaults``, its role, the node's own fields
    (name, address, talosVersion), then its ``overrides``.
    """

    api_version: Literal["talosgpu.dev/v1alpha1"] = Field(
        default="talosgpu.dev/v1alpha1", description="Inventory format version."
    )
    kind: Literal["GPUInventory"] = Field(description="Document kind: always GPUInventory.")
    description: str | None = Field(default=None, description="Free text for humans.")
    defaults: PartialIntent = Field(
        default_factory=dict, description="Partial intent applied to every node."
    )
    roles: dict[str, PartialIntent] = Field(
        default_factory=dict, description="Role name -> partial intent for the nodes of that role."
    )
    nodes: tuple[InventoryNode, ...] = Field(description="The nodes, each rendered on its own.")

    _source: str = PrivateAttr(default="<inventory>")

    @property
    def source(self) -> str:
        """The file the inventory was read from (used in messages and patch headers)."""
        return self._source

    @field_validator("defaults", mode="before")
    @classmethod
    def _defaults(cls, value: object) -> object:
        return _mapping_or_empty(value)

    @field_validator("roles", mode="before")
    @classmethod
    def _roles(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: _mapping_or_empty(v) for k, v in value.items()}
        return _mapping_or_empty(value)
