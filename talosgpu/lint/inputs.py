"""Reading lint input: every shape Talos config is kept in, turned into :class:`Unit` s.

Shapes: plain YAML (one or many documents), ``talosctl get machineconfig -o yaml`` envelopes
(``spec`` as a YAML string or a mapping), JSON6902 op lists (YAML or JSON), talhelper
``talconfig.yaml`` (inline ``patches``, legacy ``configPatches``/``inlinePatch``, and the node
fields talhelper renders into ``machine.*``), YAML blocks of Markdown files, and Jinja / Go /
Terraform templates (template tags are blanked first). Anything else is skipped with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from talosgpu import yamlio
from talosgpu.errors import YAMLError, format_yaml_path
from talosgpu.lint.context import V1, Fragment, Path, Unit, make_finding, positions
from talosgpu.lint.findings import Finding
from talosgpu.renderers import header_version
from talosgpu.talos.documents import doc_kind, is_v1alpha1

__all__ = ["Source", "read_input"]

MACHINE_CONFIG_TYPE = "MachineConfigs.config.talos.dev"
_TEMPLATE_MARKERS = ("{{", "{%", "%{")
# A line that is only a template statement: Jinja {% %} / #% %# (makejinja), Terraform %{ },
# Go-template actions (talhelper, helm) such as {{ if }} / {{- end }}.
_STATEMENT_LINE = re.compile(
    r"^\s*(\{%.*%\}|#%.*%#|%\{.*\}|\{\{-?\s*(?:if|else|end|range|with|define|template|block)\b.*\}\})\s*$"
)
_EXPRESSION = re.compile(r"\{\{.*?\}\}")
_INLINE_STATEMENT = re.compile(r"\{%.*?%\}")
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
    """One input file, read: its units, notes found while reading, or why it was skipped."""

    file: str
    units: tuple[Unit, ...]
    notes: tuple[Finding, ...] = ()
    skipped: str | None = None
    talconfig_version: str | None = None
    is_talconfig: bool = False
    header_version: str | None = None  # "# Rendered by talosgpu for Talos X.Y" on line 1


def note(
    source: str, rule: str, severity: Any, message: str, fix: str, *, base: str = ""
) -> Finding:
    unit = Unit(base=base, order=(), form="strategic", fragments=(), multi_doc=False)
    return make_finding(source, unit if base else _NO_UNIT, None, (), rule, severity, message, fix)


def read_input(text: str, *, source: str) -> Source:
    """Classify ``text``; raises :class:`YAMLError` (exit 2) only for input that is not YAML."""
    if source.lower().endswith((".md", ".markdown")):
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
        if not any(marker in text for marker in _TEMPLATE_MARKERS):
            raise
        try:
            docs = yamlio.load_all(_neutralise_templates(text), source=source)
        except YAMLError:
            raise YAMLError(
                "not valid YAML, even with its template tags blanked", file=source
            ) from None
    notes.append(
        note(
            source,
            "templated-input",
            "info",
            "template tags ({{ }}, {% %}, %{ }) were blanked before linting; values the template "
            "fills in are not checked",
            "lint the rendered output too (e.g. the file talhelper/makejinja/terraform writes)",
        )
    )
    return docs


def _neutralise_templates(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        if _STATEMENT_LINE.match(line):
            lines.append("")  # keep line numbers of later errors
            continue
        line = _INLINE_STATEMENT.sub("", line)
        lines.append(_EXPRESSION.sub("TEMPLATED", line))
    return "\n".join(lines)


def _markdown(text: str, source: str) -> Source:
    units: list[Unit] = []
    for match in _FENCE.finditer(text):
        line = text.count("\n", 0, match.start(1)) + 1
        try:
            docs = yamlio.load_all(match.group(1), source=source)
        except YAMLError:
            continue  # prose snippets are not always valid YAML; they are not config
        found, _ = _talos_units(docs, base=f"#L{line}", order=(line,))
        units.extend(found)
    if not units:
        return Source(source, (), skipped="Markdown without Talos machine-config YAML blocks")
    return Source(source, tuple(units))


def _from_documents(docs: list[Any], source: str, notes: list[Finding]) -> Source:
    if not docs:
        return Source(source, (), tuple(notes), skipped="empty: no YAML documents")
    if all(_is_envelope(doc) for doc in docs):
        return _envelopes(docs, source, notes)
    if len(docs) == 1 and _is_talconfig(docs[0]):
        return _talconfig(docs[0], source, notes)
    units, reason = _talos_units(docs, base="", order=(0,))
    if not units:
        return Source(source, (), tuple(notes), skipped=reason)
    return Source(source, tuple(units), tuple(notes))


# ------------------------------------------------------------------------------ documents
def _is_op_list(doc: Any) -> bool:
    return (
        isinstance(doc, list)
        and bool(doc)
        and all(isinstance(op, dict) and "op" in op and "path" in op for op in doc)
    )


def _is_talos_doc(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    if is_v1alpha1(doc):
        return True
    # Every Talos multi-document kind uses apiVersion v1alpha1 (Kubernetes objects never do).
    return doc.get("apiVersion") == V1 and isinstance(doc.get("kind"), str)


def _describe(docs: list[Any]) -> str:
    for doc in docs:
        if isinstance(doc, dict) and "customization" in doc:
            return "Image Factory schematic, not a machine config"
        if isinstance(doc, dict) and isinstance(doc.get("kind"), str) and "apiVersion" in doc:
            kind = str(doc["kind"])[:40]
            return f"Kubernetes object ({kind}), not a Talos machine config"
    return "not a Talos machine config or patch"


def _json6902_fragments(ops: list[Any], doc: int) -> list[Fragment]:
    frags = [Fragment((), ops, (), "json6902", doc, ops)]
    for index, op in enumerate(ops):
        target = op.get("path")
        if op.get("op") not in ("add", "replace") or not isinstance(target, str):
            continue
        if not target.startswith("/"):
            continue
        tokens = tuple(t.replace("~1", "/").replace("~0", "~") for t in target.split("/")[1:])
        frags.append(Fragment(tokens, op.get("value"), (index, "value"), V1, doc, ops))
    return frags


def _talos_units(docs: list[Any], *, base: str, order: tuple[int, ...]) -> tuple[list[Unit], str]:
    frags: list[Fragment] = []
    json_form = False
    for index, doc in enumerate(docs):
        if _is_op_list(doc):
            json_form = True
            frags.extend(_json6902_fragments(doc, index))
        elif _is_talos_doc(doc):
            frags.append(Fragment((), doc, (), doc_kind(doc), index, doc))
    if not frags:
        return [], _describe(docs)
    unit = Unit(
        base=base,
        order=order,
        form="json6902" if json_form else "strategic",
        fragments=tuple(frags),
        multi_doc=len(docs) > 1,
    )
    return [unit], ""


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
        found, _ = _talos_units(inner, base=base, order=(index,))
        units.extend(found)
    if not units:
        return Source(
            source, (), tuple(notes), skipped="talosctl resources without a machine config"
        )
    return Source(source, tuple(units), tuple(notes))


# ------------------------------------------------------------------------------ talhelper
def _is_talconfig(doc: Any) -> bool:
    if not isinstance(doc, dict) or _is_talos_doc(doc) or "kind" in doc:
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
        if _is_op_list(legacy):
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
    version = root.get("talosVersion")
    return Source(
        source,
        tuple(units),
        tuple(notes),
        talconfig_version=version if isinstance(version, str) else None,
        is_talconfig=True,
    )


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
    units, _ = _talos_units(docs, base=base, order=order)
    return units
