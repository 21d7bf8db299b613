"""Input forms beyond plain Talos YAML: Omni cluster templates, Image Factory schematics, topf.

* **Omni cluster template** (siderolabs/omni ``client/pkg/template``): a multi-document YAML of
  ``kind: Cluster`` (``talos: {version: v1.x.y}``), ``ControlPlane``, ``Workers`` and ``Machine``
  documents, each with ``patches:`` whose items hold ``inline:`` (a machine-config mapping,
  ``models/patch.go`` ``Inline map[string]any``) or ``file:`` (a path resolved against the
  template's folder, ``omnictl/cluster/template/template.go`` ``--allowed-dir``), and
  ``systemExtensions`` / ``kernelArgs`` lists (``models/models.go``, ``models/kernelargs.go``).
  The most specific list of extensions wins, they are not merged (omni
  ``controllers/omni/machine_extensions_test.go`` ``TestMachineExtensionsPriority``), so each
  list is checked as a whole schematic. Inline patches are linted here; ``file:`` patches are
  linted as files of their own (``talosgpu.commands.template_refs`` adds them to the run with
  the template's release).
* **Image Factory schematic** (image-factory ``pkg/schematic/schematic.go``): a mapping of
  ``customization`` (and ``overlay``/``owner``).
* **topf cluster file** (postfinance/topf ``pkg/config/topf_config.go``): ``clusterName``,
  ``clusterEndpoint``, ``kubernetesVersion``, ``talosVersion``, ``nodes[]`` of ``host``/``role``.
  It holds no machine config: the patches are the files under ``all/``, ``<role>/`` and
  ``node/<host>/`` of its ``patchesDir`` (``pkg/config/patches.go``), which
  ``talosgpu.commands.template_refs`` gives its release. It is not a talhelper talconfig.
"""

from __future__ import annotations

from typing import Any

from talosgpu.errors import format_yaml_path
from talosgpu.lint.context import Unit, positions
from talosgpu.lint.units import (
    factory_schematic_unit,
    is_schematic,
    schematic_unit,
    talos_units,
)

__all__ = [
    "OMNI_KINDS",
    "is_omni_template",
    "is_topf_config",
    "omni_units",
    "omni_version",
    "schematic_units",
]

OMNI_KINDS = frozenset({"Cluster", "ControlPlane", "Workers", "Machine"})
TOPF_REASON = (
    "topf cluster file (topf.yaml): it holds no machine config; its patches are the files under "
    "all/, control-plane/, worker/ and node/<host>/ of its patchesDir, linted with its talosVersion"
)


def is_omni_template(docs: list[Any]) -> bool:
    """Every document an Omni template kind (no ``apiVersion``), one of them ``Cluster``."""
    present = [d for d in docs if d is not None]
    return (
        bool(present)
        and all(
            isinstance(d, dict)
            and isinstance(d.get("kind"), str)
            and d["kind"] in OMNI_KINDS
            and "apiVersion" not in d
            for d in present
        )
        and any(d.get("kind") == "Cluster" for d in present)
    )


def is_topf_config(doc: Any) -> bool:
    if not isinstance(doc, dict) or "kind" in doc:
        return False
    nodes = doc.get("nodes")
    return (
        "clusterEndpoint" in doc
        and "kubernetesVersion" in doc
        and isinstance(nodes, list)
        and all(isinstance(n, dict) and "host" in n and "role" in n for n in nodes)
    )


def omni_version(docs: list[Any]) -> str | None:
    """The ``talos.version`` of the template's ``Cluster`` document."""
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") == "Cluster":
            talos = doc.get("talos")
            version = talos.get("version") if isinstance(talos, dict) else None
            return version if isinstance(version, str) else None
    return None


def omni_units(docs: list[Any]) -> list[Unit]:
    """Each inline patch, and each document's extensions + kernel args as one schematic."""
    units: list[Unit] = []
    for i, doc in enumerate(docs):
        if not isinstance(doc, dict):
            continue
        patches = doc.get("patches")
        for j, patch in enumerate(patches if isinstance(patches, list) else []):
            if not isinstance(patch, dict) or patch.get("inline") is None:
                continue  # a `file:` patch is linted as that file
            where = ("patches", j, "inline")
            base = f"#{i}" + format_yaml_path(list(where))
            found, _ = talos_units([patch["inline"]], base=base, order=(i, *positions(doc, where)))
            units.extend(found)
        ext, args = doc.get("systemExtensions"), doc.get("kernelArgs")
        unit = schematic_unit(
            extensions=(ext, ("systemExtensions",)) if isinstance(ext, list) else None,
            kernel_args=(args, ("kernelArgs",)) if isinstance(args, list) else None,
            root=doc, doc=i, base="", order=(i,), multi_doc=True,
        )  # fmt: skip
        if unit is not None:
            units.append(unit)
    return units


def schematic_units(docs: list[Any]) -> list[Unit]:
    """Image Factory schematic documents of a file, one unit each."""
    units = []
    for i, doc in enumerate(docs):
        if is_schematic(doc):
            units.append(
                factory_schematic_unit(
                    doc, where=(), root=doc, doc=i, base="", order=(i,), multi_doc=len(docs) > 1
                )
            )
    return units
