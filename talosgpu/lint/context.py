"""The view rules get of one lintable unit (a config, a patch, a talhelper inline patch).

A unit is a list of :class:`Fragment`: a value, where it sits in the Talos config (``logical``,
e.g. ``("machine", "files")``) and where it sits in the file (``physical``, a YAML path from
the document root). For a strategic-merge patch or a full config there is one fragment per
document with ``logical == ()``; a JSON6902 op ``add /machine/files`` is a fragment with
``logical == ("machine", "files")`` and ``physical == (i, "value")``; a talhelper node's
``kernelModules`` is ``("machine", "kernel", "modules")`` at ``("nodes", n, "kernelModules")``.
Rules ask for logical paths and report physical ones, so the same rule works on every form.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from talosgpu.errors import format_yaml_path
from talosgpu.lint.findings import Finding, Severity
from talosgpu.talos.secrets import redact_text
from talosgpu.versions import TalosVersion

__all__ = ["Context", "Fragment", "Hit", "Path", "Unit", "positions", "render_path"]

Path = tuple[str | int, ...]
Form = Literal["strategic", "json6902", "talhelper", "schematic"]
V1 = "v1alpha1"


@dataclass(frozen=True, slots=True)
class Fragment:
    logical: tuple[str, ...]
    value: Any
    physical: Path
    kind: str  # "v1alpha1" or the document kind
    doc: int  # index of the YAML document inside the unit
    root: Any  # the document the physical path starts from (for position order)


@dataclass(frozen=True, slots=True)
class Hit:
    value: Any
    path: Path
    frag: Fragment


@dataclass(frozen=True, slots=True)
class Unit:
    """One thing Talos would read as a whole: a file's documents or one inline patch."""

    base: str  # path prefix of the unit inside the file ("" for a plain file)
    order: tuple[int, ...]  # position of the unit in the file
    form: Form
    fragments: tuple[Fragment, ...]
    multi_doc: bool  # the unit has several YAML documents (paths get a "#N" prefix)


def positions(root: Any, path: Path) -> tuple[int, ...]:
    """Index of each path step in its parent (mapping key order), for file-order sorting."""
    out: list[int] = []
    node = root
    for step in path:
        if isinstance(node, dict):
            keys = [str(k) for k in node]
            idx = keys.index(str(step)) if str(step) in keys else len(keys)
            out.append(idx)
            node = node.get(step) if step in node else None
        elif isinstance(node, list) and isinstance(step, int):
            out.append(step)
            node = node[step] if 0 <= step < len(node) else None
        else:
            out.append(0)
            node = None
    return tuple(out)


def render_path(unit: Unit, doc: int, physical: Path) -> str:
    prefix = unit.base + (f"#{doc}" if unit.multi_doc else "")
    inner = format_yaml_path(list(physical)) if physical else ""
    return (prefix + inner) or "."


def _is_index(token: str) -> bool:
    return token == "-" or token.isdigit()


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule sees: the file, the target version and the unit."""

    source: str
    version: TalosVersion
    unit: Unit

    # ------------------------------------------------------------------ lookups
    def values(self, *logical: str, kind: str = V1) -> list[Hit]:
        """Every value at ``logical`` (exact path) in fragments of ``kind``."""
        out: list[Hit] = []
        for frag in self.unit.fragments:
            depth = len(frag.logical)
            if frag.kind != kind or tuple(logical[:depth]) != frag.logical:
                continue
            value, path, found = frag.value, frag.physical, True
            for key in logical[depth:]:
                if isinstance(value, dict) and key in value:
                    value, path = value[key], (*path, key)
                else:
                    found = False
                    break
            if found:
                out.append(Hit(value, path, frag))
        return out

    def entries(self, *logical: str, kind: str = V1) -> list[tuple[str, Hit]]:
        """``(key, hit)`` of the mapping at ``logical``, including JSON6902 ops on one key."""
        out: list[tuple[str, Hit]] = []
        for hit in self.values(*logical, kind=kind):
            if isinstance(hit.value, dict):
                out.extend(
                    (str(k), Hit(v, (*hit.path, str(k)), hit.frag)) for k, v in hit.value.items()
                )
        for frag in self.unit.fragments:
            if frag.kind == kind and frag.logical[:-1] == logical and len(frag.logical) > 0:
                if len(frag.logical) == len(logical) + 1 and not _is_index(frag.logical[-1]):
                    out.append((frag.logical[-1], Hit(frag.value, frag.physical, frag)))
        return out

    def items(self, *logical: str, kind: str = V1) -> list[Hit]:
        """Items of the list at ``logical``, including JSON6902 ``/path/-`` and ``/path/N`` ops."""
        out: list[Hit] = []
        for hit in self.values(*logical, kind=kind):
            if isinstance(hit.value, list):
                out.extend(Hit(v, (*hit.path, i), hit.frag) for i, v in enumerate(hit.value))
        for frag in self.unit.fragments:
            if (
                frag.kind == kind
                and len(frag.logical) == len(logical) + 1
                and frag.logical[:-1] == logical
                and _is_index(frag.logical[-1])
            ):
                out.append(Hit(frag.value, frag.physical, frag))
        return out

    def documents(self, kind: str) -> list[Hit]:
        """Whole documents of ``kind`` (multi-document configs and patches)."""
        return [
            Hit(f.value, f.physical, f)
            for f in self.unit.fragments
            if f.kind == kind and not f.logical and isinstance(f.value, dict)
        ]

    def kinds(self) -> frozenset[str]:
        return frozenset(f.kind for f in self.unit.fragments if not f.logical)

    # ------------------------------------------------------------------ findings
    def finding(
        self,
        rule: str,
        where: Hit | Fragment,
        message: str,
        fix: str,
        severity: Severity,
        *,
        extra: Sequence[str | int] = (),
        release_dependent: bool | None = None,
    ) -> Finding:
        frag = where.frag if isinstance(where, Hit) else where
        physical = (*(where.path if isinstance(where, Hit) else where.physical), *extra)
        found = make_finding(self.source, self.unit, frag, physical, rule, severity, message, fix)
        if release_dependent is None:
            return found
        return dataclasses.replace(found, release_dependent=release_dependent)


def make_finding(
    source: str,
    unit: Unit,
    frag: Fragment | None,
    physical: Path,
    rule: str,
    severity: Severity,
    message: str,
    fix: str,
) -> Finding:
    doc = frag.doc if frag is not None else 0
    root = frag.root if frag is not None else None
    return Finding(
        file=source,
        path=render_path(unit, doc, physical),
        rule=rule,
        severity=severity,
        message=redact_text(" ".join(message.split())),
        fix=redact_text(" ".join(fix.split())),
        order=(unit.order, (doc,), positions(root, physical)),
    )
