"""Reading what a command is given, once, and deciding once what it is.

Every command that takes a file reads it here: the bytes (for the render cache key, so a hit
parses nothing), the text, and the name errors use. What a YAML input *is* — an intent, a fleet
inventory, or neither — is decided by :func:`classify` alone, for ``render``, ``check`` and the
fleet commands alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from talosgpu.errors import TalosGPUError
from talosgpu.fsio import decode_utf8, read_file_bytes, read_stdin_bytes

if TYPE_CHECKING:
    from talosgpu.intent.models import Intent

# This module is imported on the render cache's hit path: the YAML library and pydantic are
# imported inside the functions that parse (a hit parses nothing).
STDIN = "-"  # as talosgpu.yamlio.STDIN

__all__ = ["Input", "InputKind", "classify", "load_target", "read_input", "require_target"]

InputKind = Literal["intent", "inventory"]


@dataclass(frozen=True, slots=True)
class Input:
    """One input as read: ``path`` as given (``-`` for stdin), ``source`` the name messages
    use (``<stdin>`` or the path), ``label`` the name a rendered header uses (the file name)."""

    path: str
    source: str
    data: bytes  # for the render cache key
    text: str  # decoded once (a leading byte-order mark dropped)

    @property
    def label(self) -> str:
        return self.source if self.path == STDIN else Path(self.path).name


def read_input(path: str | Path) -> Input:
    """Read ``path`` (``-`` = standard input) as bytes once; a file that cannot be read, or is
    not UTF-8, is a :class:`~talosgpu.errors.YAMLError` naming it."""
    given = str(path)
    if given == STDIN:
        path, source, data = STDIN, "<stdin>", read_stdin_bytes()
    else:
        path, source, data = given, given, read_file_bytes(given)
    return Input(path=path, source=source, data=data, text=decode_utf8(data, name=source))


def classify(
    docs: list[Any], *, kindless: Literal["any", "intent-like"]
) -> tuple[InputKind | None, Any]:
    """What parsed YAML ``docs`` are: ``inventory`` (one ``kind: GPUInventory`` document),
    ``intent`` (one ``kind: GPUNode`` or ``talosgpu.dev/*`` document, or one without ``kind``
    as ``kindless`` says) or None (not talosgpu's), with the document.

    ``kindless="any"`` (``render``: the user named the file, and the README's intents have no
    ``kind``): any other mapping is an intent, so the intent loader words what is wrong.
    ``"intent-like"`` (``check``, which meets every YAML file of a folder): a mapping without
    ``kind``/``apiVersion`` is an intent when more than half of its keys are intent fields, or
    one letter from one (``profle``: a typo is an invalid intent, not someone else's file) — a
    talconfig.yaml shares ``talosVersion`` (and ``nodes`` is one letter from ``node``) among
    ``clusterName``, ``endpoint`` and more; a Talos patch shares nothing.
    """
    doc = docs[0] if len(docs) == 1 else None
    if isinstance(doc, Mapping):
        kind, api = doc.get("kind"), doc.get("apiVersion")
        if kind == "GPUInventory":
            return "inventory", doc
        ours = kind == "GPUNode" or (isinstance(api, str) and api.startswith("talosgpu.dev/"))
        if ours:
            return "intent", doc
        if kind is None and api is None and (kindless == "any" or _intent_like(doc)):
            return "intent", doc
    return None, None


def _intent_like(doc: Mapping[Any, Any]) -> bool:
    # lazy: difflib and the intent model (pydantic) serve only the render cache's miss path
    import difflib

    from talosgpu.intent.models import INTENT_KEYS  # lazy: pydantic, as above

    keys = [str(key) for key in doc]
    known = sum(
        1
        for key in keys
        if key in INTENT_KEYS or difflib.get_close_matches(key, INTENT_KEYS, 1, 0.8)
    )
    return 2 * known > len(keys)


def load_target(
    intent: Intent | str | Path | None = None, *, profile: str | None = None
) -> tuple[Intent, str]:
    """Resolve what to render: an Intent, an intent file (``-`` = stdin) or a bundled profile.

    Returns the intent and a label naming where it came from (used in messages and headers).
    """
    # lazy: pydantic only once an input is parsed (cache hit path)
    from talosgpu.intent.load import load_intent_text, load_profile
    from talosgpu.intent.models import Intent

    if isinstance(intent, Intent):
        if profile:
            raise TalosGPUError("give an intent or a profile, not both")
        source = intent.source or "intent"
        # load_profile's source is "profile:NAME"; messages and headers say "profile NAME"
        return intent, source.replace("profile:", "profile ", 1) if source.startswith(
            "profile:"
        ) else source
    require_target(intent, profile)
    if intent is not None:
        item = read_input(intent)
        if b"GPUInventory" in item.data:
            _refuse_inventory(item)
        return load_intent_text(item.text, source=item.source), item.label
    assert profile
    return load_profile(profile), f"profile {profile}"


def _refuse_inventory(item: Input) -> None:
    """A one-node command given an inventory: say what to do instead (not a model error)."""
    from talosgpu import yamlio  # lazy: as above

    docs = yamlio.load_all(item.text, source=item.source)
    if classify(docs, kindless="any")[0] == "inventory":
        raise TalosGPUError(
            "this is an inventory; this command takes one node's intent: `render INVENTORY "
            "--output-dir DIR` writes every node's files (schematic.yaml among them), "
            "cluster/ and helm/ (the Helm values of each chart release), and "
            "diff/apply/doctor take --node NAME or --all",
            file=item.source,
        )


def require_target(intent: str | Path | None, profile: str | None) -> None:
    """Exactly one of an intent file and a profile name, else a TalosGPUError saying so."""
    if intent is not None and profile:
        raise TalosGPUError("give an intent file or --profile, not both")
    if intent is None and not profile:
        raise TalosGPUError("nothing to render: give an intent file or --profile NAME")
