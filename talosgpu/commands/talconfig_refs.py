"""The Talos release of a patch file, from the talhelper ``talconfig.yaml`` that uses it.

A repository keeps its GPU patch as ``patches/gpu.yaml`` and names it in ``talconfig.yaml``
(``patches:``, ``controlPlane.patches``, ``worker.patches``, ``nodes[].patches``: ``"@./patches/
gpu.yaml"``, talhelper's docs "Configuration"); the release is the talconfig's
``talosVersion``, often ``${talosVersion}`` from a ``talenv.yaml`` (or ``talenv.sops.yaml``)
beside it. Only plain values are read: a SOPS-encrypted value (``ENC[…]``) is never decrypted,
so such a version stays unknown. A patch named by two talconfigs of different releases gets
none (it is not guessed at).

The talconfigs looked at: those among the inputs, and a ``talconfig.yaml`` in an input's folder
or up to three folders above it.

A talconfig among the inputs brings its ``@file`` patches (:func:`talconfig_patch_files`): linted
with it even when not given (the patches are the talconfig's content, as an Omni template's
``file:`` patches are), each once; one that does not exist is an ``unreadable-input`` finding.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from talosgpu import yamlio
from talosgpu.errors import TalosGPUError, YAMLError, format_yaml_path

__all__ = ["TalconfigFiles", "talconfig_patch_files", "talconfig_versions"]

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_UP = 3


def _load(path: Path) -> Any:
    """The YAML of ``path`` through the one reader (size limit, no FIFO), None if absent or bad."""
    if not path.is_file():
        return None
    try:
        text, source = yamlio.read_source(path)
        return yamlio.load(text, source=source)
    except TalosGPUError:
        return None


def _env(folder: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in ("talenv.yaml", "talenv.sops.yaml"):
        data = _load(folder / name)
        if isinstance(data, Mapping):
            for key, value in data.items():
                if isinstance(value, str | int | float) and not str(value).startswith("ENC["):
                    values.setdefault(str(key), str(value))
    return values


def _version(talconfig: Path, data: Mapping[str, Any]) -> str | None:
    raw = data.get("talosVersion")
    if not isinstance(raw, str):
        return None
    env = _env(talconfig.parent)
    resolved = _VAR.sub(lambda m: env.get(m.group(1) or m.group(2), m.group(0)), raw)
    return None if "$" in resolved else resolved


def _patch_refs_at(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``(file, YAML path)`` of each ``"@file"`` patch (talhelper ``pkg/config/config.go``)."""
    nodes = data.get("nodes")
    holders: list[tuple[tuple[str | int, ...], Any]] = [
        ((), data), (("controlPlane",), data.get("controlPlane")), (("worker",), data.get("worker"))
    ]  # fmt: skip
    holders += [(("nodes", i), n) for i, n in enumerate(nodes if isinstance(nodes, list) else [])]
    for where, holder in holders:
        patches = holder.get("patches") if isinstance(holder, Mapping) else None
        for j, patch in enumerate(patches if isinstance(patches, list) else ()):
            if isinstance(patch, str) and patch.startswith("@"):
                yield patch[1:].strip(), format_yaml_path([*where, "patches", j])


def _patch_refs(data: Mapping[str, Any]) -> Iterable[str]:
    return (ref for ref, _ in _patch_refs_at(data))


def _talconfigs(inputs: Iterable[str]) -> set[Path]:
    found: set[Path] = set()
    for item in inputs:
        path = Path(item)
        if path.name in ("talconfig.yaml", "talconfig.yml"):
            found.add(path.resolve())
        folder = path.resolve().parent
        for _ in range(_UP + 1):
            for name in ("talconfig.yaml", "talconfig.yml"):
                if (folder / name).is_file():
                    found.add(folder / name)
            folder = folder.parent
    return found


def talconfig_versions(inputs: Iterable[str]) -> dict[str, str]:
    """For each input a talconfig names as a patch: its release, by the input as given; and for
    a talconfig among the inputs, its own ``talosVersion`` with ``${VAR}`` resolved."""
    inputs = [i for i in inputs if i != yamlio.STDIN]
    by_file: dict[Path, set[str]] = {}
    for talconfig in sorted(_talconfigs(inputs)):
        data = _load(talconfig)
        if not isinstance(data, Mapping):
            continue
        version = _version(talconfig, data)
        if version is None:
            continue
        by_file.setdefault(talconfig, set()).add(version)
        for ref in _patch_refs(data):
            target = (talconfig.parent / ref).resolve()
            by_file.setdefault(target, set()).add(version)
    out: dict[str, str] = {}
    for item in inputs:
        versions = by_file.get(Path(item).resolve(), set())
        if len(versions) == 1:  # two talconfigs of different releases: not guessed at
            (out[item],) = versions
    return out


@dataclass(frozen=True, slots=True)
class TalconfigFiles:
    """The ``@file`` patches of the talconfigs among the inputs that are not inputs themselves,
    and the named ones that do not exist."""

    extra: tuple[str, ...] = ()
    missing: tuple[YAMLError, ...] = ()


def talconfig_patch_files(inputs: Iterable[str]) -> TalconfigFiles:
    """The ``@file`` patches of each ``talconfig.yaml`` among ``inputs``, resolved against its
    folder; a path with an unresolved ``${VAR}`` is not guessed at."""
    given = [i for i in inputs if i != yamlio.STDIN]
    seen = {Path(i).resolve() for i in given}
    extra: list[str] = []
    missing: list[YAMLError] = []
    for item in given:
        if Path(item).name not in ("talconfig.yaml", "talconfig.yml"):
            continue
        data = _load(Path(item))
        for ref, where in _patch_refs_at(data) if isinstance(data, Mapping) else ():
            target = os.path.normpath(os.path.join(os.path.dirname(item), ref))
            resolved = Path(target).resolve()
            if "$" in ref or resolved in seen:
                continue
            seen.add(resolved)
            if resolved.is_file():
                extra.append(target)
            else:
                missing.append(YAMLError(
                    f"no such file; the talconfig {item} names it as a patch ({where})",
                    file=target,
                ))  # fmt: skip
    return TalconfigFiles(tuple(extra), tuple(missing))
