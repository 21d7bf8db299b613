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
import re
from collections.abc import Iterator, Mapping
from typing import Any

from talosgpu.talos.documents import CRI_KIND, is_v1alpha1
from talosgpu.talos.equivalence import parse_toml
from talosgpu.talos.secret_text import REDACTED, redact_text

__all__ = ["cri_part_texts", "mask_cri_parts", "mask_toml_text", "toml_secret_values"]

# TOML keys whose values are credentials (containerd registry auth: config.toml `auth` tables;
# `username` as v1alpha1's auth.username, masked by talosgpu's own choice).
_TOML_SECRET_KEYS = frozenset({"password", "auth", "identitytoken", "token", "secret", "username"})
_CRI_DIR = "/etc/cri/conf.d/"  # Talos merges every part in it (cri/containerd config)


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
        scheme, _, credential = value.partition(" ")
        if scheme.lower() in ("bearer", "basic") and credential:
            yield credential  # the token alone, wherever else it is pasted
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


# A key line of a CRI part (bare, quoted or dotted key), its value after "=".
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_KEY_LINE = re.compile(rf"^(\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=\s*)(.*)$")
_TABLE_LINE = re.compile(r"^\s*\[\[?(.*?)\]\]?\s*(#.*)?$")
_TRIPLE = ('"""', "'''")
_OPENERS = {'"""': '"""', "'''": "'''", "[": "]", "{": "}"}


def _last_key(dotted: str) -> str:
    return dotted.rsplit(".", 1)[-1].strip().strip("\"'").lower()


def _closing(value: str) -> str | None:
    """The delimiter a masked value continues to on a later line (None: it ends here)."""
    for opener in (*_TRIPLE, "[", "{"):
        if value.startswith(opener):
            return None if _OPENERS[opener] in value[len(opener) :] else _OPENERS[opener]
    if value.startswith('"') and value.endswith("\\"):
        return '"'  # a basic string continued on the next line
    return None


def mask_toml_text(text: str) -> str:
    """``text`` (a CRI part) with the value of every credential key and every value under a
    ``headers`` table replaced by ``<redacted>``, line by line on the text as written: escapes
    (``"\\u0054"``), short values, line continuations and multi-line strings or arrays are
    masked whole, where a search for the parsed value would miss them."""
    out: list[str] = []
    in_headers = False
    closing: str | None = None  # the delimiter that ends a masked multi-line value
    for line in text.split("\n"):
        if closing is not None:
            if closing in line:
                closing = None
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}{REDACTED}" if line.strip() else line)
            continue
        key = _KEY_LINE.match(line)
        table = None if key else _TABLE_LINE.match(line)
        if table:
            in_headers = _last_key(table.group(1)) == "headers"
            out.append(line)
            continue
        name = _last_key(key.group(2)) if key else ""
        if key and (in_headers or name in _TOML_SECRET_KEYS or name == "headers"):
            closing = _closing(key.group(3).strip())
            out.append(f"{key.group(1)}{REDACTED}")
            continue
        out.append(line)
    return "\n".join(out)


def _part_holders(doc: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The mappings whose ``content`` is a CRI part: machine files under /etc/cri/conf.d/, or
    the 1.14 CRICustomizationConfig document itself."""
    if doc.get("kind") == CRI_KIND:
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
            masked = mask_toml_text(text)
            holder["content"] = redact_text(masked, known_secrets=toml_secret_values(text))
