"""Credentials inside the containerd TOML a config carries (CRI parts), and their masking.

A CRI part (``machine.files[]`` under ``/etc/cri/conf.d/`` up to 1.13, the 1.14
``CRICustomizationConfig`` content) is one YAML string, so the secret table cannot point into
it: the credentials are found by parsing the TOML. containerd's registry configuration holds
them in ``auth`` tables (``username``/``password``/``auth``/``identitytoken``, CRI plugin
``registry.configs``) and in ``headers`` (``Authorization = ["Bearer …"]``, hosts.md), so every
value under those keys is a secret. A part that does not parse cannot be searched: it is
masked whole.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

from talosgpu.talos.documents import is_v1alpha1
from talosgpu.talos.equivalence import parse_toml
from talosgpu.talos.secret_text import REDACTED, redact_text

__all__ = ["cri_part_texts", "mask_cri_parts", "toml_secret_values"]

# TOML keys whose values are credentials (containerd registry auth: config.toml `auth` tables).
_TOML_SECRET_KEYS = frozenset({"password", "auth", "identitytoken", "token", "secret"})
_CRI_DIR = "/etc/cri/conf.d/"  # Talos merges every part in it (cri/containerd config)
_CRI_KIND = "CRICustomizationConfig"


def _toml_leaves(value: Any, key: str = "") -> Iterator[str]:
    if isinstance(value, Mapping):
        for name, item in value.items():
            yield from _toml_leaves(item, str(name))
    elif isinstance(value, list):
        for item in value:
            yield from _toml_leaves(item, key)
    elif isinstance(value, str) and key.lower() in _TOML_SECRET_KEYS and value:
        yield value


def _header_values(value: Any) -> Iterator[str]:
    """Every string under a ``headers`` table: a header's value is a credential as often as
    not."""
    if isinstance(value, Mapping):
        for name, item in value.items():
            if str(name).lower() == "headers":
                yield from _strings(item)
            else:
                yield from _header_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _header_values(item)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str) and value:
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@functools.lru_cache(maxsize=1024)
def toml_secret_values(text: str) -> frozenset[str]:
    """Credentials inside a CRI part; none for a text that does not parse (callers hide such a
    text whole: :func:`mask_cri_parts`, :mod:`talosgpu.configdiff.semantic`)."""
    parsed = parse_toml(text)
    if parsed is None:
        return frozenset()
    return frozenset((*_toml_leaves(parsed), *_header_values(parsed)))


def _part_holders(doc: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The mappings whose ``content`` is a CRI part: machine files under /etc/cri/conf.d/, or
    the 1.14 CRICustomizationConfig document itself."""
    if doc.get("kind") == _CRI_KIND:
        yield doc  # type: ignore[misc]
    elif is_v1alpha1(doc):
        machine = doc.get("machine")
        files = machine.get("files") if isinstance(machine, Mapping) else None
        for item in files if isinstance(files, list) else ():
            path = item.get("path") if isinstance(item, dict) else None
            if isinstance(path, str) and path.startswith(_CRI_DIR):
                yield item


def cri_part_texts(docs: Any) -> Iterator[str]:
    """The TOML text of every CRI part in ``docs`` (documents of a config or patch)."""
    for doc in docs:
        if isinstance(doc, Mapping):
            for holder in _part_holders(doc):
                if isinstance(holder.get("content"), str):
                    yield holder["content"]


def mask_cri_parts(doc: Any) -> None:
    """Mask, in place, the credentials of every CRI part in ``doc`` (a copy the caller owns);
    a part that is not TOML becomes ``<redacted>`` whole."""
    if not isinstance(doc, Mapping):
        return
    for holder in _part_holders(doc):
        text = holder.get("content")
        if not isinstance(text, str) or not text:
            continue
        if parse_toml(text) is None:
            holder["content"] = REDACTED
        else:
            holder["content"] = redact_text(text, known_secrets=toml_secret_values(text))
