"""Turning parsed YAML into lint :class:`Unit` s: Talos documents, JSON6902 op lists, schematics.

Shared by every input form (:mod:`talosgpu.lint.inputs` for plain files, talosctl envelopes,
talconfigs and Markdown; :mod:`talosgpu.lint.forms` for Omni cluster templates, Image Factory
schematics and topf cluster files).

A schematic is a unit of its own whose fragments have the pseudo-kind :data:`SCHEMATIC` (no
Talos document has a lowercase kind) at the logical path of the Image Factory schematic
(``customization.systemExtensions.officialExtensions``, ``customization.extraKernelArgs``), so the
schematic rules read every form the same way: a factory schematic file, a talhelper
``schematic:`` block, an Omni template's ``systemExtensions`` / ``kernelArgs`` lists.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from talosgpu.lint.context import V1, Fragment, Path, Unit
from talosgpu.talos.documents import doc_kind, is_v1alpha1

__all__ = [
    "ARGS_PATH",
    "EXTENSIONS_PATH",
    "GPU_MODEL",
    "GPU_PRODUCT_LABEL",
    "SCHEMATIC",
    "SCHEMATIC_DOCUMENT",
    "factory_schematic_unit",
    "is_op_list",
    "is_schematic",
    "is_talos_doc",
    "schematic_unit",
    "talos_units",
]

SCHEMATIC = "schematic"
SCHEMATIC_DOCUMENT = "schematic-document"  # the whole schematic mapping, for its strict decoding
GPU_MODEL = "gpu-model"  # the GPU the node names (a label value), for the schematic rules
# NVIDIA GPU Feature Discovery's product label (NVIDIA/k8s-device-plugin gpu-feature-discovery)
GPU_PRODUCT_LABEL = "nvidia.com/gpu.product"
EXTENSIONS_PATH = ("customization", "systemExtensions", "officialExtensions")
ARGS_PATH = ("customization", "extraKernelArgs")


def is_op_list(doc: Any) -> bool:
    return (
        isinstance(doc, list)
        and bool(doc)
        and all(isinstance(op, dict) and "op" in op and "path" in op for op in doc)
    )


def is_talos_doc(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    if is_v1alpha1(doc):
        return True
    # Every Talos multi-document kind uses apiVersion v1alpha1 (Kubernetes objects never do).
    return doc.get("apiVersion") == V1 and isinstance(doc.get("kind"), str)


def is_schematic(doc: Any) -> bool:
    """An Image Factory schematic: a mapping of ``customization`` (and ``overlay``/``owner``)
    only (image-factory ``pkg/schematic/schematic.go`` ``Schematic``)."""
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("customization"), dict)
        and set(doc) <= {"customization", "overlay", "owner"}
    )


def _describe(docs: list[Any]) -> str:
    for doc in docs:
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


def talos_units(docs: list[Any], *, base: str, order: tuple[int, ...]) -> tuple[list[Unit], str]:
    """The unit of ``docs`` (Talos documents and op lists; others ignored), or why there is none."""
    frags: list[Fragment] = []
    json_form = False
    for index, doc in enumerate(docs):
        if is_op_list(doc):
            json_form = True
            frags.extend(_json6902_fragments(doc, index))
        elif is_talos_doc(doc):
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


def schematic_unit(
    *,
    extensions: tuple[Any, Path] | None,
    kernel_args: tuple[Any, Path] | None,
    root: Any,
    doc: int,
    base: str,
    order: tuple[int, ...],
    multi_doc: bool = False,
) -> Unit | None:
    """One schematic as a unit: ``extensions`` / ``kernel_args`` are ``(list, physical path)``."""
    frags = []
    if extensions is not None:
        frags.append(Fragment(EXTENSIONS_PATH, extensions[0], extensions[1], SCHEMATIC, doc, root))
    if kernel_args is not None:
        frags.append(Fragment(ARGS_PATH, kernel_args[0], kernel_args[1], SCHEMATIC, doc, root))
    if not frags:
        return None
    return Unit(base, order, "schematic", tuple(frags), multi_doc)


def factory_schematic_unit(
    schematic: dict[str, Any], *, where: Path, root: Any, doc: int, base: str, order: tuple[int, ...],
    multi_doc: bool = False,
) -> Unit:  # fmt: skip
    """The unit of an Image Factory schematic mapping found at ``where`` in ``root``."""
    whole = Fragment(("schematic",), schematic, where, SCHEMATIC_DOCUMENT, doc, root)
    custom = schematic.get("customization")
    if not isinstance(custom, dict):  # only the strict decoding has something to say
        return Unit(base, order, "schematic", (whole,), multi_doc)
    ext = custom.get("systemExtensions")
    names = ext.get("officialExtensions") if isinstance(ext, dict) else None
    args = custom.get("extraKernelArgs")
    cpath: Path = (*where, "customization")
    unit = schematic_unit(
        extensions=None if names is None else (names, (*cpath, "systemExtensions", "officialExtensions")),
        kernel_args=None if args is None else (args, (*cpath, "extraKernelArgs")),
        root=root, doc=doc, base=base, order=order, multi_doc=multi_doc,
    )  # fmt: skip
    if unit is None:
        return Unit(base, order, "schematic", (whole,), multi_doc)
    return replace(unit, fragments=(*unit.fragments, whole))
