"""Text and JSON reports of ``talosgpu doctor INVENTORY --all`` (see :mod:`talosgpu.report.doctor`)."""

from __future__ import annotations

from collections.abc import Callable

from talosgpu.report.doctor import FLEET_FORMATS

__all__ = ["FORMATS"]

FORMATS: dict[str, Callable[..., str]] = dict(FLEET_FORMATS)
