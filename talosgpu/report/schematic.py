"""The report of ``talosgpu schematic``: the canonical schematic YAML, or its JSON form.

JSON (docs/schemas/schematic.schema.json): ``{version, id, schematic, extensions[],
extraKernelArgs[], installerImage}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from talosgpu.knowledge.schematic import Schematic

__all__ = ["FORMATS"]


def _text(result: Schematic, *, id_only: bool = False) -> str:
    return result.id + "\n" if id_only else result.yaml


def _json(result: Schematic) -> str:
    document = {
        "version": 1,
        "id": result.id,
        "schematic": result.yaml,
        "extensions": list(result.extensions),
        "extraKernelArgs": list(result.extra_kernel_args),
        "installerImage": result.installer_image,
    }
    return json.dumps(document, indent=2) + "\n"


FORMATS: dict[str, Callable[..., str]] = {"text": _text, "json": _json}
