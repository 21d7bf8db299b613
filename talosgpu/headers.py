"""The talosgpu header of a rendered patch: written by the renderers, read back by ``lint``
(the release it was rendered for) and ``check`` (the command that renders it again).

Stdlib only: ``check`` reads headers on the render cache's hit path, where nothing heavy is
imported.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

__all__ = [
    "AFTER_PREFIX",
    "HEADER_PREFIX",
    "MERGED_PREFIX",
    "RERENDER_PREFIX",
    "Rerender",
    "header_version",
    "is_merged_patch",
    "rerender_of",
]

# The first line of every rendered patch.
HEADER_PREFIX = "# Rendered by talosgpu for Talos "
# The second line of a patch rendered from one intent file or profile: the `talosgpu render`
# arguments that give it again (the intent named by its file name, found beside the patch).
RERENDER_PREFIX = "# Re-render: talosgpu render "
_FLAGS_WITH_VALUE = {"--talos-version": "talos_version", "--from-version": "from_version"}


@dataclass(frozen=True, slots=True)
class Rerender:
    """What a header says renders the file again."""

    intent: str | None  # the intent's file name (None: a bundled profile)
    profile: str | None
    talos_version: str | None = None
    from_version: str | None = None
    assume_newest_known: bool = False
    with_patches: bool = False  # the merged node patch (render --with-patches)

    def args(self, intent: str | None = None) -> tuple[str, ...]:
        """The ``talosgpu render`` arguments; ``intent``: the intent's path as the user reaches
        it (default: the file name the header holds)."""
        target = ["--profile", self.profile] if self.profile else [intent or self.intent or ""]
        flags = [f for flag, value in (("--talos-version", self.talos_version),
                 ("--from-version", self.from_version)) if value for f in (flag, value)]  # fmt: skip
        if self.assume_newest_known:
            flags.append("--assume-newest-known")
        if self.with_patches:
            flags.append("--with-patches")
        return (*target, *flags)

    def command(self, intent: str | None = None) -> str:
        """The command line (:meth:`args`), as a shell reads it."""
        return "talosgpu render " + shlex.join(self.args(intent))


# the header line of a node patch merged with the intent's patches (nodepatch.py): a committed
# folder holding one was rendered with --with-patches, and check renders it that way
MERGED_PREFIX = "# Merged with the intent's patches, in order: "
# and of one whose JSON6902 patches diff/apply apply to the node's config after it
AFTER_PREFIX = "# JSON6902 patches that diff and apply apply after this one: "


def is_merged_patch(text: str) -> bool:
    """A talosgpu node patch merged with the intent's patches (``render --with-patches``)."""
    text = text.lstrip("\ufeff")
    if not text.startswith(HEADER_PREFIX):
        return False
    for line in text.splitlines():
        if not line.startswith("#"):
            return False  # the header is the leading comment block
        if line.startswith((MERGED_PREFIX, AFTER_PREFIX)):
            return True
    return False


def _first_lines(text: str, count: int) -> list[str]:
    return text.lstrip("\ufeff").split("\n", count)[:count]


def header_version(text: str) -> str | None:
    """The release a talosgpu-rendered text was rendered for (its first line), else None."""
    first = _first_lines(text, 1)[0]
    if not first.startswith(HEADER_PREFIX):
        return None
    return first[len(HEADER_PREFIX) :].split(" ", 1)[0] or None


def rerender_of(text: str) -> Rerender | None:
    """The re-render command a talosgpu patch names on its second line; None when the text is
    no talosgpu patch or its header names none (a fleet node, an older talosgpu) or names
    arguments this version does not know."""
    lines = _first_lines(text, 2)
    if len(lines) < 2 or not lines[0].startswith(HEADER_PREFIX):
        return None
    if not lines[1].startswith(RERENDER_PREFIX):
        return None
    try:
        args = shlex.split(lines[1][len(RERENDER_PREFIX) :])
    except ValueError:
        return None
    values: dict[str, str] = {}
    positional: list[str] = []
    newest = merged = False
    while args:
        arg = args.pop(0)
        if arg in _FLAGS_WITH_VALUE or arg == "--profile":
            if not args:
                return None
            values[_FLAGS_WITH_VALUE.get(arg, "profile")] = args.pop(0)
        elif arg == "--assume-newest-known":
            newest = True
        elif arg == "--with-patches":
            merged = True
        elif arg.startswith("-"):
            return None
        else:
            positional.append(arg)
    if len(positional) + ("profile" in values) != 1:
        return None
    return Rerender(
        intent=positional[0] if positional else None,
        profile=values.get("profile"),
        talos_version=values.get("talos_version"),
        from_version=values.get("from_version"),
        assume_newest_known=newest,
        with_patches=merged,
    )
