"""A tiny emitter that writes YAML byte-for-byte like Go's ``yaml.Marshal``.

Image Factory's schematic ID is the SHA-256 of ``yaml.Marshal(schematic)``
(siderolabs/image-factory ``pkg/schematic/schematic.go``; gopkg.in/yaml.v3, now go.yaml.in/yaml/v4
with the same output), so the text must match exactly: 4-space indent, block sequences indented
under their key, ``- `` items whose mappings continue two columns in, no line wrapping, flow
``{}``/``[]`` for empty containers, and yaml.v3's quoting rules (``encode.go`` ``stringv`` +
libyaml's ``yaml_emitter_analyze_scalar``). Only the subset a schematic can hold is supported:
ordered mappings with string or int keys, sequences, str, int, bool and float.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

__all__ = ["marshal"]

_INDENT = 4
# yaml.v3 resolve.go: what a plain scalar would be read back as (anything but a string must be
# quoted). YAML 1.1 booleans and base-60 floats are quoted too (encode.go isOldBool/isBase60Float).
_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true", "True", "TRUE", "false", "False", "FALSE"}
_OLD_BOOLS = {
    *("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"),
    *("n", "N", "no", "No", "NO", "off", "Off", "OFF"),
}
_FLOAT_SPECIAL = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"}
_FLOAT_SPECIAL |= {".nan", ".NaN", ".NAN"}
_YAML_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_BASE60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_INT = re.compile(r"^[-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)$")


def _resolves_to_non_string(text: str) -> bool:
    if text in _NULLS or text in _BOOLS or text in _FLOAT_SPECIAL:
        return True
    if _INT.match(text) or _YAML_FLOAT.match(text.replace("_", "")):
        return True
    return text in _OLD_BOOLS or bool(_BASE60.match(text))


def _printable(ch: str) -> bool:
    code = ord(ch)
    return (
        code in (0x09, 0x0A, 0x0D, 0x85)
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
        or 0x10000 <= code <= 0x10FFFF
    )


def _plain_allowed(text: str) -> bool:
    """libyaml ``yaml_emitter_analyze_scalar`` for the block context (simple keys included)."""
    if text.startswith(("---", "...")) or text[0] in " \t" or text[-1] in " \t":
        return False
    if text[0] in "#,[]{}&*!|>'\"%@`":
        return False
    if text[0] in "?:-" and (len(text) == 1 or text[1] in " \t"):
        return False
    for i, ch in enumerate(text):
        if not _printable(ch) or ch in "\t\n\r\x85\u2028\u2029":
            return False
        nxt = text[i + 1] if i + 1 < len(text) else " "
        if ch == ":" and nxt in " \t":
            return False
        if ch == "#" and i > 0 and text[i - 1] in " \t":
            return False
    return True


def _double_quoted(text: str) -> str:
    escapes = {
        "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v",
        "\f": "\\f", "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\",
        "\x85": "\\N", "\xa0": "\\_", "\u2028": "\\L", "\u2029": "\\P",
    }  # fmt: skip
    out: list[str] = []
    for ch in text:
        if ch in escapes:
            out.append(escapes[ch])
        elif _printable(ch) and ch != "\ufeff":
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02X}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(f"\\U{ord(ch):08X}")
    return '"' + "".join(out) + '"'


def _literal(text: str, indent: int) -> str:
    """``|`` block: chomping from the trailing newlines, indentation hint for a leading space."""
    hints = str(_INDENT) if text[:1] in (" ", "\n") else ""
    if not text.endswith("\n"):
        hints += "-"
    elif text.endswith("\n\n") or text == "\n":
        hints += "+"
    pad = " " * indent
    body = text[:-1] if text.endswith("\n") else text
    lines = [pad + line if line else "" for line in body.split("\n")]
    return f"|{hints}\n" + "\n".join(lines)


def _string(text: str, *, indent: int, key: bool) -> str:
    if "\n" in text and not key:
        block_ok = all(_printable(ch) for ch in text) and not any(
            line != line.rstrip(" ") for line in text.split("\n")
        )
        if block_ok and text[-1:] != " ":
            return _literal(text, indent)
        return _double_quoted(text)
    if _resolves_to_non_string(text):
        return _double_quoted(text)
    if _plain_allowed(text):
        return text
    if all(_printable(ch) for ch in text) and not any(c in text for c in "\t\n\r"):
        return "'" + text.replace("'", "''") + "'"
    return _double_quoted(text)


def _go_float(value: float) -> str:
    """``strconv.FormatFloat(f, 'g', -1, 64)``: shortest digits, %e below 1e-4 and from 1e6."""
    digits, exponent = Decimal(repr(value)).normalize().as_tuple()[1:]
    assert isinstance(exponent, int)
    text = "".join(map(str, digits)) or "0"
    exp10 = len(text) + exponent - 1
    sign = "-" if value < 0 else ""
    if text == "0":
        return sign + "0"
    if exp10 < -4 or exp10 >= 6:
        mant = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{sign}{mant}e{'-' if exp10 < 0 else '+'}{abs(exp10):02d}"
    if exponent >= 0:
        return sign + text + "0" * exponent
    point = len(text) + exponent
    if point > 0:
        return f"{sign}{text[:point]}.{text[point:]}"
    return f"{sign}0.{'0' * -point}{text}"


def _scalar(value: Any, *, indent: int, key: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return _go_float(value)
    if isinstance(value, str):
        return _string(value, indent=indent, key=key)
    raise TypeError(f"cannot marshal {type(value).__name__}")


def _emit_mapping(data: Mapping[Any, Any], indent: int, out: list[str], first_prefix: str) -> None:
    for n, (key, value) in enumerate(data.items()):
        prefix = first_prefix if n == 0 else " " * indent
        head = f"{prefix}{_scalar(key, indent=indent, key=True)}:"
        _emit_value(head, value, indent, out)


def _emit_sequence(data: Sequence[Any], indent: int, out: list[str]) -> None:
    for item in data:
        head = " " * indent + "-"
        if isinstance(item, Mapping) and item:
            # yaml.v3: a mapping in a sequence item starts on the dash line, two columns in.
            _emit_mapping(item, indent + 2, out, first_prefix=head + " ")
        elif isinstance(item, (list, tuple)) and item:
            out.append(head)
            _emit_sequence(item, indent + _INDENT, out)
        else:
            out.append(f"{head} {_flow_or_scalar(item, indent + _INDENT)}")


def _flow_or_scalar(value: Any, indent: int) -> str:
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, (list, tuple)):
        return "[]"
    return _scalar(value, indent=indent)


def _emit_value(head: str, value: Any, indent: int, out: list[str]) -> None:
    if isinstance(value, Mapping) and value:
        out.append(head)
        _emit_mapping(value, indent + _INDENT, out, first_prefix=" " * (indent + _INDENT))
    elif isinstance(value, (list, tuple)) and value:
        out.append(head)
        _emit_sequence(value, indent + _INDENT, out)
    else:
        out.append(f"{head} {_flow_or_scalar(value, indent + _INDENT)}")


def marshal(data: Mapping[Any, Any]) -> str:
    """Serialise an ordered mapping as Go's ``yaml.Marshal`` would (trailing newline included)."""
    if not data:
        return "{}\n"
    out: list[str] = []
    _emit_mapping(data, 0, out, first_prefix="")
    return "\n".join(out) + "\n"
