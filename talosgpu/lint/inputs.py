"""Reading lint input: every shape Talos config is kept in, turned into :class:`Unit` s.

Shapes: plain YAML (one or many documents), ``talosctl get machineconfig -o yaml`` envelopes
(``spec`` as a YAML string or a mapping), JSON6902 op lists (YAML or JSON), talhelper
``talconfig.yaml`` (inline ``patches``, legacy ``configPatches``/``inlinePatch``, the node
fields talhelper renders into ``machine.*``, and ``schematic``/``imageSchematic`` blocks of
nodes, ``controlPlane`` and ``worker``: talhelper ``pkg/config/config.go`` ``NodeConfigs``), Omni
cluster templates, Image Factory schematics and topf cluster files (:mod:`talosgpu.lint.forms`),
YAML blocks of Markdown files, and Jinja / Go / Terraform templates (template tags are blanked
first, :mod:`talosgpu.lint.templating`). Anything else is skipped with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from talosgpu import yamlio
from talosgpu.errors import YAMLError, format_yaml_path
from talosgpu.lint.context import V1, Fragment, Path, Unit, make_finding, positions
from talosgpu.lint.findings import Finding
from talosgpu.lint.forms import (
    TOPF_REASON,
    is_omni_template,
    is_topf_config,
    omni_units,
    omni_version,
    schematic_units,
)
from talosgpu.lint.templating import MARKERS, blank_templates
from talosgpu.lint.units import (
    GPU_MODEL,
    GPU_PRODUCT_LABEL,
    factory_schematic_unit,
    is_op_list,
    is_schematic,
    is_talos_doc,
    talos_units,
)
from talosgpu.renderers import header_version

__all__ = ["Source", "read_input"]

MACHINE_CONFIG_TYPE = "MachineConfigs.config.talos.dev"
_FENCE = re.compile(r"^```[ \t]*(?:yaml|yml)[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
# talhelper fields rendered into v1alpha1 machine.* (talhelper pkg/config/config.go)
_TALHELPER_FIELDS: dict[str, tuple[str, ...]] = {
    "kernelModules": ("machine", "kernel", "modules"),
    "nodeLabels": ("machine", "nodeLabels"),
    "nodeAnnotations": ("machine", "nodeAnnotations"),
    "nodeTaints": ("machine", "nodeTaints"),
    "machineFiles": ("machine", "files"),
}
_NO_UNIT = Unit(base="", order=(), form="strategic", fragments=(), multi_doc=False)


@dataclass(frozen=True, slots=True)
class Source:
    """One input file, read: its units, notes found while reading, or why it was skipped.

    ``declared_version``: the release the file itself names for its patches, with
    ``declared_origin`` (``talconfig``: a talconfig's ``talosVersion``; ``omni-template``: the
    ``talos.version`` of an Omni template's ``Cluster``). ``layered``: the units are one node's
    config (plain files), not separate patches of several nodes (talconfig, Omni template).
    """

    file: str
    units: tuple[Unit, ...]
    notes: tuple[Finding, ...] = ()
    skipped: str | None = None
    declared_version: str | None = None
    declared_origin: str = "talconfig"
    layered: bool = True
    header_version: str | None = None  # "# Rendered by talosgpu for Talos X.Y" on line 1


def note(
    source: str, rule: str, severity: Any, message: str, fix: str, *, base: str = ""
) -> Finding:
    unit = Unit(base=base, order=(), form="strategic", fragments=(), multi_doc=False)
    return make_finding(source, unit if base else _NO_UNIT, None, (), rule, severity, message, fix)


def read_input(text: str, *, source: str) -> Source:
    """Classify ``text``; raises :class:`YAMLError` (exit 2) only for input that is not YAML."""
    if source.lower().endswith((".md", ".mdx", ".markdown")):
        return _markdown(text, source)
    notes: list[Finding] = []
    docs = _parse(text, source, notes)
    src = _from_documents(docs, source, notes)
    rendered_for = header_version(text)
    return replace(src, header_version=rendered_for) if rendered_for else src


def _parse(text: str, source: str, notes: list[Finding]) -> list[Any]:
    try:
        return yamlio.load_all(text, source=source)
    except YAMLError:
        if not any(marker in text for marker in MARKERS):
            raise
        try:
            docs = yamlio.load_all(blank_templates(text), source=source)
        except YAMLError:
            raise YAMLError(
                "not valid YAML, even with its template tags blanked", file=source
            ) from None
    notes.append(
        note(
            source,
            "templated-input",
            "info",
            "template tags ({{ }}, {% %}, {# #}, %{ }) were blanked before linting; values the "
            "template fills in are not checked",
            "lint the rendered output too (e.g. the file talhelper/makejinja/terraform writes)",
        )
    )
    return docs


def _markdown(text: str, source: str) -> Source:
    units: list[Unit] = []
    for match in _FENCE.finditer(text):
        line = text.count("\n", 0, match.start(1)) + 1
        try:
            docs = yamlio.load_all(match.group(1), source=source)
        except YAMLError:
            continue  # prose snippets are not always valid YAML; they are not config
        found, _ = talos_units(docs, base=f"#L{line}", order=(line,))
        units.extend(found)
    if not units:
        return Source(source, (), skipped="Markdown without Talos machine-config YAML blocks")
    return Source(source, tuple(units))


def _from_documents(docs: list[Any], source: str, notes: list[Finding]) -> Source:
    if not docs:
        return Source(source, (), tuple(notes), skipped="empty: no YAML documents")
    if all(_is_envelope(doc) for doc in docs):
        return _envelopes(docs, source, notes)
    if len(docs) == 1 and is_topf_config(docs[0]):
        return Source(source, (), tuple(notes), skipped=TOPF_REASON)
    if len(docs) == 1 and _is_talconfig(docs[0]):
        return _talconfig(docs[0], source, notes)
    if is_omni_template(docs):
        version = omni_version(docs)
        return Source(
            source, tuple(omni_units(docs)), tuple(notes), declared_version=version,
            declared_origin="omni-template", layered=False,
        )  # fmt: skip
    if any(is_schematic(doc) for doc in docs):
        return Source(source, tuple(schematic_units(docs)), tuple(notes))
    units, reason = talos_units(docs, base="", order=(0,))
    if not units:
        return Source(source, (), tuple(notes), skipped=reason)
    return Source(source, tuple(units), tuple(notes))


# ------------------------------------------------------------------------------ envelopes
def _is_envelope(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("metadata"), dict) and "spec" in doc


def _envelopes(docs: list[Any], source: str, notes: list[Finding]) -> Source:
    """``talosctl get machineconfig -o yaml``: the config is in ``spec`` (research §8)."""
    units: list[Unit] = []
    for index, env in enumerate(docs):
        kind = env["metadata"].get("type")
        if kind is not None and kind != MACHINE_CONFIG_TYPE:
            continue
        base = (f"#{index}" if len(docs) > 1 else "") + ".spec"
        spec = env["spec"]
        if isinstance(spec, str):
            inner = yamlio.load_all(spec, source=source)
        elif isinstance(spec, dict):
            inner = [spec]
        elif isinstance(spec, list):
            inner = list(spec)
        else:
            continue
        found, _ = talos_units(inner, base=base, order=(index,))
        units.extend(found)
    if not units:
        return Source(
            source, (), tuple(notes), skipped="talosctl resources without a machine config"
        )
    return Source(source, tuple(units), tuple(notes))


# ------------------------------------------------------------------------------ talhelper
def _is_talconfig(doc: Any) -> bool:
    if not isinstance(doc, dict) or is_talos_doc(doc) or "kind" in doc:
        return False
    return isinstance(doc.get("nodes"), list) and any(
        key in doc for key in ("clusterName", "talosVersion", "endpoint")
    )


def _talconfig(root: dict[str, Any], source: str, notes: list[Finding]) -> Source:
    units: list[Unit] = []
    blocks: list[tuple[Path, Any]] = [((), root)]
    blocks += [((role,), root.get(role)) for role in ("controlPlane", "worker")]
    nodes = root.get("nodes")
    blocks += [
        (("nodes", i), node) for i, node in enumerate(nodes if isinstance(nodes, list) else [])
    ]
    for where, block in blocks:
        if not isinstance(block, dict):
            continue
        patches = block.get("patches")
        for j, patch in enumerate(patches if isinstance(patches, list) else []):
            units.extend(_inline_patch(root, (*where, "patches", j), patch, source, notes))
        legacy = block.get("configPatches")
        if is_op_list(legacy):
            units.extend(_inline_patch(root, (*where, "configPatches"), legacy, source, notes))
        if isinstance(block.get("inlinePatch"), dict):
            units.extend(
                _inline_patch(root, (*where, "inlinePatch"), block["inlinePatch"], source, notes)
            )
        if where:  # node-level and role-level fields talhelper renders into machine.*
            frags = [
                Fragment(logical, block[name], (*where, name), V1, 0, root)
                for name, logical in _TALHELPER_FIELDS.items()
                if name in block
            ]
            if frags:
                units.append(Unit("", positions(root, where), "talhelper", tuple(frags), False))
            for name in ("schematic", "imageSchematic"):
                if isinstance(block.get(name), dict):
                    unit = factory_schematic_unit(
                        block[name], where=(*where, name), root=root, doc=0, base="",
                        order=positions(root, (*where, name)),
                    )  # fmt: skip
                    units.append(_with_gpu(unit, block, where, root))
    version = root.get("talosVersion")
    return Source(
        source,
        tuple(units),
        tuple(notes),
        declared_version=version if isinstance(version, str) else None,
        layered=False,
    )


def _with_gpu(unit: Unit, block: dict[str, Any], where: Path, root: Any) -> Unit:
    """The GPU a talconfig node names in its ``nodeLabels`` (the GPU Feature Discovery label
    ``nvidia.com/gpu.product``), for the schematic's open/proprietary check."""
    labels = block.get("nodeLabels")
    product = labels.get(GPU_PRODUCT_LABEL) if isinstance(labels, dict) else None
    if not isinstance(product, str) or not product.strip():
        return unit
    physical: Path = (*where, "nodeLabels", GPU_PRODUCT_LABEL)
    frag = Fragment(("gpu",), product, physical, GPU_MODEL, 0, root)
    return replace(unit, fragments=(*unit.fragments, frag))


def _inline_patch(
    root: dict[str, Any], where: Path, patch: Any, source: str, notes: list[Finding]
) -> list[Unit]:
    base = format_yaml_path(list(where))
    order = positions(root, where)
    if isinstance(patch, str):
        if patch.strip().startswith("@"):
            return []  # a file reference: lint that file itself
        try:
            docs = yamlio.load_all(patch, source=source)
        except YAMLError as exc:
            detail = exc.message.removeprefix("not valid YAML: ")
            notes.append(
                note(
                    source,
                    "invalid-inline-patch",
                    "error",
                    f"this inline patch is not valid YAML ({detail}); talhelper genconfig fails on it",
                    "fix the indentation of the block scalar: each `- |-` item must hold exactly "
                    "one YAML document",
                    base=base,
                )
            )
            return []
    else:
        docs = [patch]
    units, _ = talos_units(docs, base=base, order=order)
    return units
