"""Rewriting the hook paths of NVIDIA CDI specs for the Talos NVIDIA extension.

Why (peers.md §1.9, the talos05 field report): on Talos 1.8-1.12 every toolkit binary in ``/usr/local/bin`` was a
symlink to ``nvidia-container-runtime-wrapper``, which dispatches on ``argv[0]`` and has no
``nvidia-cdi-hook`` entry ("unknown command nvidia-cdi-hook"), so hooks must call the
``/usr/local/bin/*.real`` binaries. Talos 1.13 removed the wrapper (siderolabs/extensions c5480f9)
and added ``/usr/bin/nvidia-ctk`` and ``/usr/bin/nvidia-cdi-hook`` symlinks (talos PR #13022),
the default paths of ``nvidia-ctk cdi generate`` and of the device plugin's ``nvidiaCTKPath``.

The rewrite is structural: only ``hooks[].path`` changes. ``args`` is the hook's argv (SPEC.md:
execv semantics), so ``args[0]`` is what the program is told it is, not what runs: nvidia-ctk
writes the program name (``nvidia-cdi-hook``, ``nvidia-ctk``), older generators a path
(k8s-dra-driver: ``/usr/bin/nvidia-ctk``). Both are kept: pointing argv[0] at ``*.real`` would
change the name an argv[0] dispatcher sees, and the init DaemonSet's in-cluster rewrite
(talosgpu/k8s/cdi_init.py ``HOOK_REWRITE_SED``) keeps them too, so both give the same spec data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from talosgpu.cdi.spec import CDISpec, SpecFormat, dump_spec_data, load_spec
from talosgpu.errors import CDIError, format_yaml_path
from talosgpu.plain import clone

__all__ = [
    "HOOK_BINARIES",
    "HookChange",
    "HookPatchResult",
    "HookPath",
    "classify_hook_path",
    "iter_hooks",
    "patch_hooks",
    "target_path",
]

Strategy = Literal["real-binaries", "usr-bin"]
HookForm = Literal["local", "local-real", "usr-bin"]

HOOK_BINARIES = ("nvidia-cdi-hook", "nvidia-ctk")
LOCAL_BIN = "/usr/local/bin"  # where the Talos extension installs the toolkit
USR_BIN = "/usr/bin"  # nvidia-ctk's default hook dir; symlinks on Talos >= 1.13


@dataclass(frozen=True, slots=True)
class HookPath:
    """A hook path that points at an NVIDIA hook binary in a known place."""

    binary: str
    form: HookForm


class HookChange(NamedTuple):
    """One rewritten value: ``(yaml_path, old, new)``."""

    path: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class HookPatchResult:
    """The rewritten spec text (same format as the input) and what changed."""

    text: str
    format: SpecFormat
    strategy: Strategy
    changes: tuple[HookChange, ...]
    spec: CDISpec

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def classify_hook_path(path: str) -> HookPath | None:
    """``/usr/local/bin/nvidia-cdi-hook[.real]`` or ``/usr/bin/nvidia-{cdi-hook,ctk}``, else None."""
    directory, _, name = path.rpartition("/")
    real = name.endswith(".real")
    binary = name.removesuffix(".real")
    if binary not in HOOK_BINARIES:
        return None
    if directory == LOCAL_BIN:
        return HookPath(binary, "local-real" if real else "local")
    if directory == USR_BIN and not real:
        return HookPath(binary, "usr-bin")
    return None


def target_path(hook: HookPath, strategy: Strategy) -> str:
    """Where ``strategy`` points a hook of ``hook.binary``."""
    if strategy == "real-binaries":
        return f"{LOCAL_BIN}/{hook.binary}.real"
    return f"{USR_BIN}/{hook.binary}"


def iter_hooks(data: dict[str, Any]) -> Iterator[tuple[list[str | int], dict[str, Any]]]:
    """Every hook mapping of a spec (spec-level first, then per device), tolerating bad shapes."""
    places: list[tuple[list[str | int], Any]] = [(["containerEdits"], data.get("containerEdits"))]
    devices = data.get("devices")
    if isinstance(devices, list):
        for index, device in enumerate(devices):
            if isinstance(device, dict):
                places.append((["devices", index, "containerEdits"], device.get("containerEdits")))
    for path, edits in places:
        hooks = edits.get("hooks") if isinstance(edits, dict) else None
        if not isinstance(hooks, list):
            continue
        for index, hook in enumerate(hooks):
            if isinstance(hook, dict):
                yield [*path, "hooks", index], hook


def patch_hooks(
    spec_or_text: CDISpec | str,
    *,
    strategy: Strategy = "real-binaries",
    source: str = "<input>",
) -> HookPatchResult:
    """Point NVIDIA hook paths at ``*.real`` binaries or at ``/usr/bin``; idempotent.

    ``real-binaries`` (Talos 1.8-1.12): ``/usr/local/bin/X`` and ``/usr/bin/X`` become
    ``/usr/local/bin/X.real``. ``usr-bin`` (Talos >= 1.13): ``/usr/local/bin/X[.real]`` become
    ``/usr/bin/X``. Other hooks are untouched. With nothing to change, ``text`` is the input text
    unchanged. Raises :class:`~talosgpu.errors.CDIError` when the text is not a CDI spec.
    """
    if strategy not in ("real-binaries", "usr-bin"):
        raise CDIError(
            f"unknown hook strategy {strategy!r}: use real-binaries or usr-bin", file=source
        )
    spec = (
        spec_or_text
        if isinstance(spec_or_text, CDISpec)
        else load_spec(spec_or_text, source=source)
    )
    data = clone(spec.data)
    changes: list[HookChange] = []
    for path, hook in iter_hooks(data):
        old = hook.get("path")
        kind = classify_hook_path(old) if isinstance(old, str) else None
        if kind is None or not isinstance(old, str):
            continue
        new = target_path(kind, strategy)
        if new == old:
            continue
        hook["path"] = new
        changes.append(HookChange(format_yaml_path([*path, "path"]), old, new))
    if not changes:
        return HookPatchResult(spec.text, spec.format, strategy, (), spec)
    text = dump_spec_data(data, fmt=spec.format, original=spec.text)
    patched = CDISpec(data=data, format=spec.format, source=spec.source, text=text)
    return HookPatchResult(text, spec.format, strategy, tuple(changes), patched)
