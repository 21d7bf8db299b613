"""Diff before apply: the proposed config, its semantic redacted diff, reboot impact, apply.

``normalize`` (what differs only in form), ``semantic`` (per document / path, list items by
identity), ``impact`` (reboot impact per Talos version), ``report`` (text and JSON), ``propose``
(live + idempotent patch), ``run`` (the ``talosgpu diff`` use-case), ``apply`` (``talosgpu
apply``).

``talosgpu.diff`` is both this package and the exported function :func:`talosgpu.diff.run.diff`
(importing a submodule rebinds the package attribute), so the package module is callable and
forwards to that function: ``talosgpu.diff(profile=..., live=...)`` works either way.
"""

from __future__ import annotations

import sys
import types
from typing import Any

__all__: list[str] = []


class _CallableModule(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from talosgpu.diff.run import diff

        return diff(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
