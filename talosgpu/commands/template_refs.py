"""The Talos release of patch and schematic files, from the Omni template or topf.yaml using them.

* **Omni cluster templates** among the inputs: each ``patches[].file`` is resolved against the
  template's folder (omnictl ``client/pkg/omnictl/cluster/template/template.go``: ``--allowed-dir``
  defaults to ``./``, "relative paths are resolved against the template file's directory") and
  gets the template's ``talos.version`` (origin ``omni-template``). A named file that is not
  among the inputs is linted too (the template's patches are the template's content); one that
  does not exist is an ``unreadable-input`` finding for it (omnictl: ``failed to access``).
* **topf** (postfinance/topf): a ``topf.yaml`` among the inputs or in an input's folder or up to
  four folders above it. Its patches are the ``*.yaml``/``*.yml``/``*.yaml.tpl`` files under
  ``<patchesDir>/all``, ``<patchesDir>/<role>`` and ``<patchesDir>/node/<host>``
  (``pkg/config/patches.go`` ``Load``; ``patchesDir`` defaults to the topf.yaml folder,
  ``pkg/config/topf_config.go``); a file gets the ``talosVersion`` of the nodes it applies to
  (a node's own ``talosVersion`` overrides the cluster's, ``pkg/config/node.go``) when they
  agree. A ``schematicId: "@file"`` (``internal/schematic/resolver.go``, relative to the
  topf.yaml folder) gives that schematic file the release of the nodes using it.

Nothing is guessed: a file named by templates or nodes of different releases gets none.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from talosgpu import yamlio
from talosgpu.errors import TalosGPUError, YAMLError, format_yaml_path
from talosgpu.lint.forms import is_omni_template, is_topf_config, omni_version
from talosgpu.lint.target import ReleaseHint

__all__ = ["TemplateRefs", "template_refs"]

_UP = 4
_TOPF_FOLDERS = ("all", "control-plane", "worker", "node")
_TOPF_SUFFIXES = (".yaml", ".yml", ".yaml.tpl", ".yml.tpl")


@dataclass(frozen=True, slots=True)
class TemplateRefs:
    """Hints by input (as given), files to lint as well, and named files that are missing."""

    hints: dict[str, tuple[ReleaseHint, ...]] = field(default_factory=dict)
    extra: tuple[str, ...] = ()
    missing: tuple[YAMLError, ...] = ()


def _load_all(path: Path) -> list[Any] | None:
    try:
        text, source = yamlio.read_source(path)
        if "kind:" not in text and "nodes:" not in text:
            return None  # neither an Omni template nor a topf.yaml: not parsed twice
        return list(yamlio.load_all(text, source=source))
    except TalosGPUError:
        return None


def _omni(inputs: list[str]) -> tuple[dict[Path, set[str]], dict[Path, str], list[YAMLError]]:
    versions: dict[Path, set[str]] = {}
    shown: dict[Path, str] = {}
    missing: list[YAMLError] = []
    for item in inputs:
        path = Path(item)
        if not path.name.lower().endswith((".yaml", ".yml")):
            continue
        docs = _load_all(path)
        if not docs or not is_omni_template(docs):
            continue
        version = omni_version(docs)
        for i, doc in enumerate(docs):
            patches = doc.get("patches") if isinstance(doc, dict) else None
            for j, patch in enumerate(patches if isinstance(patches, list) else []):
                ref = patch.get("file") if isinstance(patch, dict) else None
                if not isinstance(ref, str) or not ref:
                    continue
                target = os.path.normpath(os.path.join(os.path.dirname(item), ref))
                resolved = Path(target).resolve()
                if not resolved.is_file():
                    where = f"#{i}" + format_yaml_path(["patches", j, "file"])
                    missing.append(
                        YAMLError(
                            f"no such file; the Omni cluster template {item} names it as a patch "
                            f"({where}), and omnictl fails on it",
                            file=target,
                        )
                    )
                    continue
                shown.setdefault(resolved, target)
                if version is not None:
                    versions.setdefault(resolved, set()).add(version)
    return versions, shown, missing


def _topf_files(inputs: list[str]) -> set[Path]:
    found: set[Path] = set()
    for item in inputs:
        path = Path(item).resolve()
        if path.name in ("topf.yaml", "topf.yml"):
            found.add(path)
        folder = path.parent
        for _ in range(_UP + 1):
            for name in ("topf.yaml", "topf.yml"):
                if (folder / name).is_file():
                    found.add(folder / name)
            folder = folder.parent
    return found


def _topf_node_versions(config: Mapping[str, Any]) -> list[tuple[Mapping[str, Any], str | None]]:
    cluster = config.get("talosVersion")
    out = []
    for node in config.get("nodes") or []:
        own = node.get("talosVersion")
        version = own if isinstance(own, str) and own else cluster
        out.append((node, version if isinstance(version, str) and version else None))
    return out


def _agreed(versions: Iterable[str | None]) -> str | None:
    found = set(versions)
    if len(found) != 1 or None in found:
        return None  # no node, nodes of different releases, or one without a release
    (only,) = found
    return only


def _topf(inputs: list[str]) -> dict[Path, str]:
    out: dict[Path, str] = {}
    wanted = {Path(i).resolve() for i in inputs}
    for topf in sorted(_topf_files(inputs)):
        docs = _load_all(topf)
        if not docs or len(docs) != 1 or not is_topf_config(docs[0]):
            continue
        config = docs[0]
        nodes = _topf_node_versions(config)
        raw_dir = config.get("patchesDir")
        patches_dir = (topf.parent / raw_dir if isinstance(raw_dir, str) else topf.parent).resolve()
        for path in wanted:
            try:
                parts = path.relative_to(patches_dir).parts
            except ValueError:
                continue
            if len(parts) < 2 or parts[0] not in _TOPF_FOLDERS:
                continue
            if not path.name.lower().endswith(_TOPF_SUFFIXES):
                continue
            if parts[0] == "all":
                applies = [v for _, v in nodes]
            elif parts[0] == "node":
                applies = [v for n, v in nodes if len(parts) > 2 and n.get("host") == parts[1]]
            else:
                applies = [v for n, v in nodes if n.get("role") == parts[0]]
            if (version := _agreed(applies)) is not None:
                out[path] = version
        # schematicId "@file": the nodes without their own id use the cluster's
        cluster_id = config.get("schematicId")
        by_file: dict[Path, list[str | None]] = {}
        for node, version in nodes:
            ref = node.get("schematicId") or cluster_id
            if isinstance(ref, str) and ref.startswith("@"):
                by_file.setdefault((topf.parent / ref[1:]).resolve(), []).append(version)
        for path, versions in by_file.items():
            if path in wanted and (version := _agreed(versions)) is not None:
                out[path] = version
    return out


def template_refs(inputs: Iterable[str]) -> TemplateRefs:
    """Release hints for the inputs from Omni templates (among them) and topf.yaml files."""
    given = [i for i in inputs if i != yamlio.STDIN]
    resolved = {Path(i).resolve(): i for i in given}
    omni, shown, missing = _omni(given)
    extra = tuple(
        sorted(shown[p] for p in shown if p not in resolved)  # named but not given: lint them too
    )
    names = {**{p: shown[p] for p in shown}, **resolved}
    hints: dict[str, list[ReleaseHint]] = {}
    for path, versions in omni.items():
        if len(versions) == 1:
            hints.setdefault(names[path], []).append(
                ReleaseHint(next(iter(versions)), "omni-template")
            )
    for path, version in _topf(given).items():
        hints.setdefault(names.get(path, str(path)), []).append(ReleaseHint(version, "topf"))
    return TemplateRefs(
        hints={k: tuple(v) for k, v in hints.items()}, extra=extra, missing=tuple(missing)
    )
