"""talosgpu: typed intent for NVIDIA GPU nodes on Talos Linux.

The public API is re-exported here lazily so that ``import talosgpu`` (and the CLI's start-up)
stays fast: heavy modules load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0.dev0"

# name -> module that defines it. Every CLI command has its Python twin here.
_EXPORTS: dict[str, str] = {
    "TalosGPUError": "talosgpu.errors",
    "TalosVersion": "talosgpu.versions",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'talosgpu' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from talosgpu.errors import TalosGPUError
    from talosgpu.versions import TalosVersion
