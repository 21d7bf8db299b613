"""Configs Talos 1.14+ rejects: a deprecated v1alpha1 field set next to its new document.

The pairs are the ``home=`` facts with severity ``error`` of the one field table
(:mod:`talosgpu.talos.fields`): ``.machine.install`` next to ``UnattendedInstallConfig``
("incompatible", talos ``types/runtime/unattended_install.go``), the node fields next to
``KubeNodeConfig`` ("is already set in v1alpha1 config", ``types/k8s/node.go``), ...
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from talosgpu.errors import LiveConfigError
from talosgpu.plain import get_path
from talosgpu.talos.documents import is_v1alpha1
from talosgpu.talos.fields import FIELDS
from talosgpu.talos.kubenode import is_set

__all__ = ["REJECTED_PAIRS", "check_homes"]

# (v1alpha1 path, document kind, what Talos says)
REJECTED_PAIRS: tuple[tuple[tuple[str, ...], str, str], ...] = tuple(
    (f.parts, f.home.kind, f.home.consequence)
    for f in FIELDS
    if f.home is not None and f.home.severity == "error"
)


def check_homes(documents: Sequence[Mapping[str, Any]], *, source: str) -> None:
    """Raise :class:`LiveConfigError` for the first deprecated field set next to its document."""
    # a kind that is not a string (hostile input) names no document kind
    kinds = {k for d in documents if not is_v1alpha1(d) and isinstance(k := d.get("kind"), str)}
    v1 = next((d for d in documents if is_v1alpha1(d)), None)
    if v1 is None:
        return
    for path, kind, consequence in REJECTED_PAIRS:
        if kind in kinds and is_set(get_path(v1, path)):
            dotted = "." + ".".join(path)
            why = f": {consequence}" if consequence else ""
            raise LiveConfigError(
                f"{dotted} is set next to a {kind} document, which Talos 1.14+ rejects{why}",
                file=source,
                path=dotted,
            )
