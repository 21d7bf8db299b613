"""Reading a node's live machine config: a file, stdin, or the ``talosctl get`` envelope.

Accepted inputs (research ``talos-internals.md`` §8):

* a plain config, single- or multi-document (``talosctl get mc v1alpha1 -o jsonpath='{.spec}'``,
  a saved ``controlplane.yaml``);
* the ``talosctl get machineconfig -o yaml`` output (``cmd/talosctl/cmd/talos/output/yaml.go``):
  one YAML document per resource, ``node`` + ``metadata`` + ``spec``. Since talosctl v1.8.0
  (commit d9db360ab) ``spec`` is the whole multi-document config as a block string; older
  talosctl printed ``spec`` as a mapping of the v1alpha1 document only. Both are read.

What differs only in form is normalised so that a diff compares what the node sees: comments,
key order and flow/block style vanish in parsing (:mod:`talosgpu.yamlio`), and file modes
(``machine.files[].permissions``, ``EtcFileConfig.mode``) written ``0o644``, ``0644``, ``420`` or
as a quoted string become the same ``int`` (``FileMode.MarshalYAML`` in ``v1alpha1_types.go``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from talosgpu import yamlio
from talosgpu.errors import ConfigError, LiveConfigError, YAMLError
from talosgpu.plain import get_path
from talosgpu.talos.documents import check_config_documents, is_v1alpha1, order_documents
from talosgpu.talos.equivalence import file_mode
from talosgpu.talos.installer import installer_version
from talosgpu.talos.shapes import check_shapes
from talosgpu.versions import TalosVersion

__all__ = ["MACHINE_CONFIG_TYPE", "LiveConfig", "detect_talos_version", "load_live_config"]

MACHINE_CONFIG_TYPE = "MachineConfigs.config.talos.dev"
ACTIVE_ID = "v1alpha1"  # the running config; "persistent" is what STATE holds (§8)


@dataclass(frozen=True)
class LiveConfig:
    """A node's machine config as plain data.

    ``documents`` are plain dicts (v1alpha1 first when present, as Talos orders them);
    ``source`` is the display name of the input (a path, ``<stdin>``, ``talosctl:NODE``);
    ``node`` the node it came from when known; ``talos_version`` the release read from the
    installer image tag (best effort: the image of the last install/upgrade); ``raw_text`` the
    input text as read (may hold secrets: never print it unredacted); ``resource_id`` the
    MachineConfig resource id when read from an envelope; ``warnings`` notes for the user.
    """

    documents: list[dict[str, Any]]
    source: str
    node: str | None = None
    talos_version: TalosVersion | None = None
    raw_text: str = field(default="", repr=False)
    resource_id: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def v1alpha1(self) -> dict[str, Any] | None:
        """The legacy ``version: v1alpha1`` document, when the config has one."""
        return next((doc for doc in self.documents if is_v1alpha1(doc)), None)


def load_live_config(
    source: str | Path, *, node: str | None = None, text: str | None = None
) -> LiveConfig:
    """Read a live config from ``source`` (a path, or ``-`` for stdin).

    ``text``, when given, is used instead of reading ``source`` (which then only names it).
    For an envelope with several nodes, ``node`` picks one; without it the error names the
    nodes found. Raises :class:`~talosgpu.errors.LiveConfigError` (file and YAML path set; never
    a secret value) on anything that is not a machine config.
    """
    if text is None:
        try:
            text, display = yamlio.read_source(source)
        except YAMLError as exc:
            raise LiveConfigError(exc.message, file=exc.file) from None
    else:
        display = "<stdin>" if str(source) == yamlio.STDIN else str(source)
    try:
        docs = yamlio.load_all(text, source=display)
    except YAMLError as exc:
        raise LiveConfigError(exc.message, file=display) from None
    if not docs:
        raise LiveConfigError("no machine config documents found", file=display)
    envelopes = [_is_envelope(doc) for doc in docs]
    warnings: list[str] = []
    resource_id: str | None = None
    if any(envelopes):
        if not all(envelopes):
            index = envelopes.index(False)
            raise LiveConfigError(
                "mixes talosctl resources and plain config documents", file=display, path=[index]
            )
        node, resource_id, docs, warnings = _unwrap(docs, node=node, source=display)
    documents = _check_documents(docs, source=display)
    _normalise_modes(documents)
    return LiveConfig(
        documents=documents,
        source=display,
        node=node,
        talos_version=detect_talos_version(documents),
        raw_text=text,
        resource_id=resource_id,
        warnings=tuple(warnings),
    )


def detect_talos_version(documents: Sequence[Mapping[str, Any]]) -> TalosVersion | None:
    """The Talos release of the installer image (``machine.install.image`` or the 1.14
    ``UnattendedInstallConfig`` ``installer.image``), e.g. ``ghcr.io/siderolabs/installer:v1.11.1``
    or ``factory.talos.dev/metal-installer/<schematic>:v1.11.1``; None when not recognisable."""
    return installer_version(documents)


# --------------------------------------------------------------------------------- internals
def _is_envelope(doc: Any) -> bool:
    return isinstance(doc, Mapping) and isinstance(doc.get("metadata"), Mapping) and "spec" in doc


def _unwrap(
    resources: list[Any], *, node: str | None, source: str
) -> tuple[str | None, str, list[Any], list[str]]:
    """Pick the resource to read and return ``(node, resource id, documents, warnings)``."""
    by_node: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
    for index, res in enumerate(resources):
        kind = res["metadata"].get("type")
        if kind is not None and kind != MACHINE_CONFIG_TYPE:
            raise LiveConfigError(
                f"resource type {kind} is not {MACHINE_CONFIG_TYPE}",
                file=source,
                path=[index, "metadata", "type"],
            )
        by_node.setdefault(str(res.get("node") or ""), []).append((index, res))
    names = sorted(by_node)
    if node is not None and node in by_node:
        chosen = by_node[node]
    elif node is not None and names != [""]:
        listed = ", ".join(n or "(no node)" for n in names)
        raise LiveConfigError(f"no resource for node {node}; nodes in input: {listed}", file=source)
    elif len(names) > 1:
        raise LiveConfigError(
            f"resources of several nodes ({', '.join(n or '(no node)' for n in names)}); "
            "choose one with --node",
            file=source,
        )
    else:
        chosen = by_node[names[0]]
        node = node or names[0] or None
    ids = [str(res["metadata"].get("id") or "") for _, res in chosen]
    if ACTIVE_ID in ids:
        pos = ids.index(ACTIVE_ID)
    elif len(chosen) == 1:
        pos = 0
    else:
        raise LiveConfigError(
            f"several MachineConfig resources ({', '.join(ids)}) and none is {ACTIVE_ID}",
            file=source,
        )
    index, res = chosen[pos]
    spec = res["spec"]
    warnings: list[str] = []
    if isinstance(spec, str):
        try:
            docs = yamlio.load_all(spec, source=source)
        except YAMLError as exc:
            raise LiveConfigError(exc.message, file=source, path=[index, "spec"]) from None
    elif isinstance(spec, Mapping):
        docs = [spec]
        warnings.append(
            "spec is a mapping (talosctl older than 1.8): it holds the v1alpha1 document only, "
            "other config documents of the node are not visible"
        )
    elif isinstance(spec, list):
        docs = list(spec)
    else:
        raise LiveConfigError(
            "spec is neither a YAML string nor a mapping", file=source, path=[index, "spec"]
        )
    return node, ids[pos] or ACTIVE_ID, docs, warnings


def _check_documents(docs: list[Any], *, source: str) -> list[dict[str, Any]]:
    for index, doc in enumerate(docs):
        if not isinstance(doc, dict):
            what = type(doc).__name__
            raise LiveConfigError(
                f"expected a machine config document (a mapping), got {what}",
                file=source,
                path=[index],
            )
    if not docs:
        raise LiveConfigError("no machine config documents found", file=source)
    # What Talos's loader rejects is reported here, naming this file, not later by a merge.
    try:
        check_config_documents(docs, source=source)
        check_shapes(docs, source=source)
    except ConfigError as exc:
        raise LiveConfigError(exc.message, file=source, path=exc.yaml_path) from None
    return order_documents(docs)


def _normalise_modes(documents: list[dict[str, Any]]) -> None:
    for doc in documents:
        files = get_path(doc, ("machine", "files"))
        if isinstance(files, list):
            for item in files:
                if isinstance(item, dict) and "permissions" in item:
                    item["permissions"] = file_mode(item["permissions"])
        if doc.get("kind") == "EtcFileConfig" and "mode" in doc:
            doc["mode"] = file_mode(doc["mode"])
