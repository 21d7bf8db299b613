"""CDI spec tooling: load (YAML or JSON), validate like the runtime loader, rewrite hook paths.

``talosgpu cdi validate`` and ``talosgpu cdi patch-hooks`` are thin shells over these functions.
"""

from __future__ import annotations

from talosgpu.cdi.findings import CDIFinding
from talosgpu.cdi.hooks import HookChange, HookPatchResult, patch_hooks
from talosgpu.cdi.spec import CDISpec, load_spec
from talosgpu.cdi.validate import validate_spec

__all__ = [
    "CDIFinding",
    "CDISpec",
    "HookChange",
    "HookPatchResult",
    "load_cdi_spec",
    "load_spec",
    "patch_cdi_hooks",
    "patch_hooks",
    "validate_cdi_spec",
    "validate_spec",
]

# The names exported from the top-level ``talosgpu`` package.
load_cdi_spec = load_spec
validate_cdi_spec = validate_spec
patch_cdi_hooks = patch_hooks
