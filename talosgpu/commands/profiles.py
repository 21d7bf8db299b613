"""``talosgpu profiles`` and ``talosgpu schema``: the bundled profiles and the intent format."""

from __future__ import annotations

from typing import Any

from talosgpu.intent.load import load_profile
from talosgpu.intent.models import Intent
from talosgpu.profiles import list_profiles

__all__ = ["intent_schema", "profile_rows"]


def profile_rows() -> list[tuple[str, str]]:
    """``talosgpu profiles``: (name, description) of every bundled profile."""
    return [(name, load_profile(name).description or "") for name in list_profiles()]


def intent_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the intent format, generated from the models."""
    schema = Intent.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://talosgpu.dev/schemas/intent.schema.json",
        **schema,
    }
