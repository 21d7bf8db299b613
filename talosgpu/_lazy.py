"""Lazy package exports (PEP 562): a name is imported from its module on first use.

``talosgpu`` and ``talosgpu.knowledge`` re-export names from modules that are costly to import
(pydantic models, the explain catalog); importing the package must stay cheap, because the CLI
and pre-commit start from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_getattr"]


def lazy_getattr(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``exports`` maps a name to the module that
    defines it; the value is imported on first use and kept in ``namespace`` (the package's
    ``globals()``), so later look-ups are ordinary attribute reads."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__
