"""The values the diff produces: one :class:`Change` per document path, a :class:`ConfigDiff`.

Raw values are kept (``repr=False``) next to their redacted display forms: the diff compares raw
values, every output shows the display forms unless the caller opts out (``show_secrets``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from talosgpu.configdiff.impact import summarize
from talosgpu.versions import TalosVersion

__all__ = ["IMPACTS", "Change", "ConfigDiff", "Impact", "Op"]

# ``dedupe``: n copies of a list item become k (0 < k < n): the item stays; ``reorder``: the
# same items of an order-sensitive list (udev rules) in another order; ``move``: a v1alpha1 value
# that leaves for its Talos 1.14 document (``note`` names it), still in the proposed config.
Op = Literal["add", "remove", "change", "dedupe", "reorder", "move"]
Impact = Literal["none", "cri-restart", "module-load", "upgrade", "reboot"]
# From least to most disruptive; the report sorts nothing by it, the summary reads it.
IMPACTS: tuple[Impact, ...] = ("none", "cri-restart", "module-load", "upgrade", "reboot")


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between the live and the proposed config.

    ``document`` is ``v1alpha1`` or ``Kind`` / ``Kind/name``; ``path`` the YAML path inside it,
    list items selected by identity (``.machine.kernel.modules[name=nvidia]``; ``[]`` for items
    identified by their whole content, such as udev rules) and ``.`` for a whole document.
    ``old``/``new`` are redacted display values (``None`` on the side that has nothing);
    ``raw_old``/``raw_new`` the real values. ``secret``: the display hides a change of a secret.
    ``text_diff`` is a unified diff of the TOML of a CRI part (redacted), ``raw_text_diff`` the
    same unredacted. ``reason`` is the field named in the reboot summary (``.machine.files``).
    ``copies``: for ``dedupe`` (or an ``add`` of one more copy), the number of items of that
    identity live and proposed (``(2, 1)``); ``old`` is then the dropped copy, ``new`` the kept.
    """

    document: str
    path: str
    op: Op
    old: Any
    new: Any
    impact: Impact
    note: str | None = None
    secret: bool = False
    text_diff: str | None = None
    reason: str = ""
    copies: tuple[int, int] | None = None
    raw_old: Any = field(default=None, repr=False, compare=False)
    raw_new: Any = field(default=None, repr=False, compare=False)
    raw_text_diff: str | None = field(default=None, repr=False, compare=False)

    def value(self, side: Literal["old", "new"], *, show_secrets: bool = False) -> Any:
        """``old`` or ``new``, raw when ``show_secrets``."""
        if side == "old":
            return self.raw_old if show_secrets else self.old
        return self.raw_new if show_secrets else self.new

    def diff_text(self, *, show_secrets: bool = False) -> str | None:
        return self.raw_text_diff if show_secrets else self.text_diff


@dataclass(frozen=True, slots=True)
class ConfigDiff:
    """Every change from the live to the proposed config, for one Talos version.

    ``secrets`` (never printed) are the secret values of both configs, used to scrub free text.
    """

    changes: tuple[Change, ...]
    talos_version: TalosVersion
    secrets: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    @property
    def empty(self) -> bool:
        return not self.changes

    @property
    def reboot(self) -> bool:
        """Applying (``--mode auto``) reboots the node (Talos <= 1.13 only)."""
        return any(c.impact == "reboot" for c in self.changes)

    @property
    def reboot_reasons(self) -> tuple[str, ...]:
        """The fields whose change reboots the node, in order of first appearance."""
        seen: list[str] = []
        for change in self.changes:
            if change.impact == "reboot" and change.reason not in seen:
                seen.append(change.reason)
        return tuple(seen)

    @property
    def summary(self) -> str:
        """One line: how many changes, whether the node reboots and why."""
        return summarize(self)
