"""The rest of a node's config (``patches:`` in an intent), merged after talosgpu's documents.

Each patch is a Talos strategic merge patch (a file or an inline document). They are applied in
order to talosgpu's own documents with talosgpu's Talos merge engine (:mod:`talosgpu.talos.merge`,
``configpatcher.StrategicMerge``), so the merged node patch is what the node gets from
talosgpu's patch followed by the user's. Before merging, a patch that collides with what
talosgpu renders is an error naming both sources:

* a second CRI customization: ``machine.files`` writing ``/etc/cri/conf.d/20-customization.part``
  (Talos <= 1.13 fails the second entry at boot, 1.14 ignores it) or a ``CRICustomizationConfig``
  of talosgpu's name;
* another ``default_runtime_name`` in a CRI customization than the intent's;
* ``$patch: delete`` of the GPU modules talosgpu loads.

Other ``$patch: delete`` directives are refused with the reason: merged into a patch (not into
the node's config) a delete has nothing to act on. After merging, the result is linted for the
release; a lint error is an error, a warning a warning.

A JSON6902 patch file (a list of RFC 6902 operations) is not merged: its paths point into the
node's whole config, so it is kept on the result (``Rendered.after_patches``) and ``diff`` /
``apply`` apply it to the node's config after the merged patch, as ``talosctl patch`` would
(:mod:`talosgpu.configdiff.propose`). Talos runs JSON6902 only on a single-document config
(``configpatcher/apply.go``); whether the node's is one only its live config says. So JSON6902
patches come after every strategic one in ``patches:`` (that is the order they apply in).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from talosgpu import yamlio
from talosgpu.errors import RenderError, TalosGPUError
from talosgpu.headers import AFTER_PREFIX, MERGED_PREFIX
from talosgpu.lint.engine import lint_text
from talosgpu.plain import get_path
from talosgpu.renderers.base import Rendered
from talosgpu.renderers.cri import DOCUMENT_NAME
from talosgpu.talos.apply import JSON6902_MULTIDOC
from talosgpu.talos.deletes import PATCH_KEY
from talosgpu.talos.documents import CRI_PART_PATH
from talosgpu.talos.merge import merge_documents
from talosgpu.talos.patches import Patch, parse_patch

__all__ = ["UserPatch", "merge_node_patches", "read_patch_text"]

_DEFAULT_RUNTIME = re.compile(r"""^\s*default_runtime_name\s*=\s*["']([^"']*)["']""", re.M)


@dataclass(frozen=True, slots=True)
class UserPatch:
    """One of the intent's patches, read: where it came from and its documents, or (a JSON6902
    patch file) its operations."""

    source: str
    documents: tuple[dict[str, Any], ...]
    operations: tuple[dict[str, Any], ...] | None = None

    @property
    def json6902(self) -> bool:
        return self.operations is not None


def merge_node_patches(rendered: Rendered, patches: Sequence[UserPatch]) -> Rendered:
    """``rendered`` with the strategic ``patches`` merged after its documents, checked and
    linted; JSON6902 ones (which must come last) kept as ``after_patches`` for the node's config."""
    if not patches:
        return rendered
    version = rendered.plan.version
    json_patches = [p for p in patches if p.json6902]
    strategic = [p for p in patches if not p.json6902]
    kinds = [p.json6902 for p in patches]
    if True in kinds and False in kinds[kinds.index(True) :]:
        raise RenderError(
            f"{strategic[-1].source} comes after the JSON6902 patch {json_patches[0].source}: "
            "list JSON6902 patches last in patches: (they apply to the node's whole config "
            "after the merged patch)"
        )
    after = tuple(Patch.from_operations(p.operations or (), source=p.source) for p in json_patches)
    if not strategic:
        return _with_after(rendered, after)
    docs: list[dict[str, Any]] = [dict(d) for d in rendered.documents]
    for patch in strategic:
        _check(rendered, patch)
        try:
            docs = merge_documents(
                docs, patch.documents, talos_version=version, source=patch.source
            )
        except TalosGPUError as exc:
            raise RenderError(f"{patch.source}: {exc.message}", path=exc.yaml_path) from None
    names = ", ".join(p.source for p in strategic)
    merged = replace(
        rendered,
        documents=tuple(docs),
        own_documents=rendered.documents,
        after_patches=after,
        header=rendered.header + f"{MERGED_PREFIX}{names}.\n",
    )
    report = lint_text(merged.patch_text, source="the merged node patch", talos_version=version)
    errors = [f for f in report.findings if f.severity == "error"]
    if errors:
        first = errors[0]
        raise RenderError(
            f"the node patch merged with {names} fails lint: {first.path}: {first.rule}: "
            f"{first.message}"
        )
    warnings = [
        f"merged node patch: {f.path}: {f.rule}: {f.message}"
        for f in report.findings
        if f.severity == "warning"
    ]
    merged = replace(merged, warnings=tuple(dict.fromkeys([*rendered.warnings, *warnings])))
    return _with_after(merged, after)


def _with_after(rendered: Rendered, after: tuple[Patch, ...]) -> Rendered:
    """``rendered`` carrying the JSON6902 patches, said in its header; refused when the node
    patch itself has several documents (the node's config then has them too, and Talos runs
    JSON6902 only on a single-document config: ``configpatcher/apply.go``)."""
    if not after:
        return rendered
    names = ", ".join(p.source for p in after)
    if len(rendered.documents) > 1:
        kinds = ", ".join(str(d.get("kind", "v1alpha1")) for d in rendered.documents[:4])
        raise RenderError(
            f"{after[0].source}: a JSON6902 patch cannot apply to this node: the node patch has "
            f"{len(rendered.documents)} documents ({kinds}), so the node's config will too, and "
            f"Talos refuses JSON6902 on a multi-document config ({JSON6902_MULTIDOC}); write it "
            "as a strategic merge patch"
        )
    where = (
        "; only while the node's config is one document: Talos "
        f"{rendered.plan.version} generates several"
        if rendered.plan.version.multidoc_by_default
        else ""
    )
    line = f"{AFTER_PREFIX}{names} (their paths point into the node's whole config{where}).\n"
    return replace(rendered, header=rendered.header + line, after_patches=after)


def _check(rendered: Rendered, patch: UserPatch) -> None:
    plan = rendered.plan
    ours = "talosgpu's CRI customization (runtime settings of the intent)"
    for i, doc in enumerate(patch.documents):
        where = f"{patch.source} document {i}" if len(patch.documents) > 1 else patch.source
        if not isinstance(doc, Mapping):
            raise RenderError(f"{where}: a patch document is a mapping")
        _check_deletes(doc, where, {m.name for m in plan.modules})
        kind = doc.get("kind")
        if kind == "CRICustomizationConfig":
            if doc.get("name") == DOCUMENT_NAME and rendered.cri_toml is not None:
                raise RenderError(
                    f"{where}: CRICustomizationConfig {DOCUMENT_NAME!r} is {ours}; name yours "
                    "differently or put the settings in runtime.extraCriToml"
                )
            _check_default_runtime(str(doc.get("content") or ""), where, plan.cri.default_runtime)
        image = _installer_image(doc)
        if image is not None and plan.installer_image is not None and image != plan.installer_image:
            raise RenderError(
                f"{where}: sets the installer image {image}, but the intent's installer: renders "
                f"{plan.installer_image} (its schematic's NVIDIA extensions): keep one of the two"
            )
        for j, entry in enumerate(_machine_files(doc)):
            if entry.get("path") == CRI_PART_PATH:
                if rendered.cri_toml is not None:
                    raise RenderError(
                        f"{where}: .machine.files[{j}] writes {CRI_PART_PATH}, which is {ours}; "
                        "Talos keeps one such entry (a second fails at boot up to 1.13 and is "
                        "ignored from 1.14): put its settings in runtime.extraCriToml"
                    )
                _check_default_runtime(
                    str(entry.get("content") or ""), where, plan.cri.default_runtime
                )


def _installer_image(doc: Mapping[str, Any]) -> str | None:
    """The installer image a patch document sets (.machine.install.image, or the 1.14
    UnattendedInstallConfig installer.image)."""
    if doc.get("kind") == "UnattendedInstallConfig":
        value = get_path(doc, ("installer", "image"))
    else:
        value = get_path(doc, ("machine", "install", "image"))
    return value if isinstance(value, str) else None


def _machine_files(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    machine = doc.get("machine")
    files = machine.get("files") if isinstance(machine, Mapping) else None
    return [f for f in files if isinstance(f, Mapping)] if isinstance(files, list) else []


def _check_default_runtime(content: str, where: str, intended: str | None) -> None:
    for found in _DEFAULT_RUNTIME.findall(content):
        if found != (intended or "runc"):
            what = f"the intent's {intended!r}" if intended else "runc (the intent sets none)"
            raise RenderError(
                f"{where}: default_runtime_name = {found!r} contradicts {what}; set "
                "runtime.defaultRuntime in the intent instead"
            )


def _check_deletes(doc: Any, where: str, modules: set[str], path: str = "") -> None:
    if isinstance(doc, Mapping):
        if doc.get(PATCH_KEY) == "delete":
            gpu = path in (".machine", ".machine.kernel", ".machine.kernel.modules") or (
                path.startswith(".machine.kernel.modules") and doc.get("name") in modules
            )
            if gpu or (doc.get("kind") == "KernelModuleConfig" and doc.get("name") in modules):
                raise RenderError(
                    f"{where}: {path or '.'} $patch: delete removes the GPU kernel modules "
                    "talosgpu loads; change kernelModules in the intent instead"
                )
            raise RenderError(
                f"{where}: {path or '.'}: $patch: delete is not supported in an intent's "
                "patches: merged into the node patch it has nothing to delete (the live config "
                "is not there); apply it to the node with talosctl patch"
            )
        for key, value in doc.items():
            _check_deletes(value, where, modules, f"{path}.{key}")
    elif isinstance(doc, list):
        for item in doc:
            _check_deletes(item, where, modules, f"{path}[]")


def read_patch_text(text: str, *, source: str) -> UserPatch:
    """A patch file's text as a :class:`UserPatch`: strategic merge documents, or one list of
    JSON6902 operations (Talos's two patch forms, ``configpatcher.LoadPatch``)."""
    docs = yamlio.load_all(text, source=source)
    docs = [d for d in docs if d is not None]
    if not docs:
        raise RenderError(f"{source}: the patch is empty")
    if any(isinstance(d, list) for d in docs):
        if len(docs) > 1:
            raise RenderError(
                f"{source}: a JSON6902 patch is one list of operations, not several documents"
            )
        parsed = parse_patch(text, source=source)  # Talos's checks of each operation
        return UserPatch(source, (), parsed.operations)
    return UserPatch(source, tuple(dict(d) for d in docs))
