"""Loading intents: YAML text → validated :class:`Intent`, errors naming file and YAML path.

An intent may name a bundled ``profile``; the intent is then laid over the profile with one rule
(documented in the README): mappings merge key by key, every other value (scalars and lists)
replaces the profile's, and ``null`` removes the profile's value so the default applies.
"""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from talosgpu import yamlio
from talosgpu.errors import IntentError, format_yaml_path
from talosgpu.intent.models import Intent
from talosgpu.profiles import profile_data

__all__ = [
    "describe_error",
    "error_path",
    "intent_from_data",
    "intent_from_document",
    "load_intent",
    "load_intent_text",
    "load_profile",
    "overlay",
]


def overlay(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Lay ``override`` over ``base``: maps merge, everything else replaces, None deletes."""
    result: dict[str, Any] = dict(base)
    for key, value in override.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = overlay(result[key], value)
        else:
            result[key] = value
    return result


def describe_error(error: Mapping[str, Any], model: type[BaseModel] | None = None) -> str:
    """One line for a pydantic error; ``model``: the root model, for a did-you-mean on an
    unknown field (``.gpu.modle`` → ``'model'``)."""
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        loc = tuple(error.get("loc", ()))
        known = _field_names(model, loc[:-1]) if model is not None and loc else ()
        close = difflib.get_close_matches(str(loc[-1]), known, n=1) if known else []
        return f"unknown field (did you mean '{close[0]}'?)" if close else "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error" and isinstance(error.get("input"), str):
        # "Input should be 'open' or 'proprietary'": name the one meant, never the value
        # itself beyond a short word (it is the user's own, but may be long)
        choices = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
        close = difflib.get_close_matches(error["input"], choices, n=1)
        if close:
            return f"{error.get('msg', 'invalid value')} (did you mean '{close[0]}'?)"
    message = str(error.get("msg", "invalid value"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return message


def _field_names(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[str, ...]:
    """The field names (as written: aliases) of the model found at ``loc`` under ``model``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue  # a list item: the model stays the item's
        field = next(
            (f for name, f in current.model_fields.items() if part in (name, f.alias)), None
        )
        if field is None:
            return ()
        current = _model_in(field.annotation)
        if current is None:
            return ()
    return tuple(f.alias or name for name, f in current.model_fields.items())


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def error_path(loc: tuple[Any, ...]) -> list[str | int]:
    # Drop pydantic's internal markers (e.g. function-after[...]); keep keys and indexes.
    parts = [part for part in loc if isinstance(part, int) or "[" not in str(part)]
    # Union members show up as trailing type names ("str", "int"): not part of the YAML path.
    while parts and parts[-1] in _UNION_TAGS:
        parts.pop()
    return parts


_UNION_TAGS = frozenset({"str", "int", "float", "bool", "dict", "list", "tuple", "none"})


def intent_from_data(
    data: Any, *, source: str, profile_data: Mapping[str, Any] | None = None
) -> Intent:
    """Validate already-parsed data; ``profile_data`` is the named profile (already loaded)."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise IntentError("an intent must be a YAML mapping", file=source, path=".")
    merged: Mapping[str, Any] = data
    if profile_data is not None:
        merged = overlay(profile_data, {k: v for k, v in data.items() if k != "profile"})
        merged = {**merged, "profile": data.get("profile")}
    try:
        return Intent.model_validate(dict(merged)).read_from(source)
    except ValidationError as exc:
        first = exc.errors()[0]
        count = exc.error_count()
        more = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
        raise IntentError(
            describe_error(first, Intent) + more,
            file=source,
            path=format_yaml_path(error_path(first["loc"])),
        ) from None


def load_intent_text(text: str, *, source: str = "<intent>") -> Intent:
    """Parse and validate intent YAML, resolving a named ``profile``."""
    docs = yamlio.load_all(text, source=source)
    if len(docs) > 1:
        raise IntentError(
            f"expected one intent document, found {len(docs)} (use an inventory for fleets)",
            file=source,
        )
    return intent_from_document(docs[0] if docs else {}, source=source)


def intent_from_document(data: Any, *, source: str) -> Intent:
    """Validate one parsed intent document, laid over the ``profile`` it names."""
    base = None
    if isinstance(data, Mapping) and data.get("profile") is not None:
        name = data["profile"]
        if not isinstance(name, str):
            raise IntentError("profile must be a name", file=source, path=".profile")
        base = profile_data(name, referenced_from=source)
    return intent_from_data(data, source=source, profile_data=base)


def load_intent(path: str | Path) -> Intent:
    """Read an intent file (``-`` = stdin) and validate it."""
    text, source = yamlio.read_source(path)
    return load_intent_text(text, source=source)


def load_profile(name: str) -> Intent:
    """A bundled profile as a validated :class:`~talosgpu.intent.models.Intent`."""
    return intent_from_data(profile_data(name), source=f"profile:{name}")
