"""Reading CDI specs (YAML or JSON) into plain data, remembering the format for output.

The CDI runtime loader reads both formats through ``sigs.k8s.io/yaml.UnmarshalStrict``
(cncf-tags/container-device-interface pkg/cdi/spec.go ``ParseSpec``); a spec file is one
document. JSON is detected by content (``{`` first) so that ``-`` (stdin) works too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from talosgpu import yamlio
from talosgpu.errors import CDIError, TalosGPUError

__all__ = ["REQUIRED_KEYS", "CDISpec", "dump_spec_data", "load_spec"]

SpecFormat = Literal["yaml", "json"]

# What makes a document a CDI spec at all (SPEC.md: cdiVersion, kind, devices are REQUIRED).
REQUIRED_KEYS = ("cdiVersion", "kind", "devices")


@dataclass(frozen=True, slots=True)
class CDISpec:
    """One CDI spec as plain data, with the format and text it was read from."""

    data: dict[str, Any]
    format: SpecFormat
    source: str
    text: str

    @property
    def cdi_version(self) -> str:
        value = self.data.get("cdiVersion")
        return value if isinstance(value, str) else ""

    @property
    def kind(self) -> str:
        value = self.data.get("kind")
        return value if isinstance(value, str) else ""

    @property
    def device_names(self) -> tuple[str, ...]:
        """The names of the devices (non-mapping entries and missing names are skipped)."""
        devices = self.data.get("devices")
        if not isinstance(devices, list):
            return ()
        return tuple(
            d["name"] for d in devices if isinstance(d, dict) and isinstance(d.get("name"), str)
        )


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            # The Go loader rejects duplicate keys (sigs.k8s.io/yaml strict mode).
            raise ValueError(f'duplicate key "{key}"')
        seen[key] = value
    return seen


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parse(text: str, source: str) -> tuple[Any, SpecFormat]:
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(
                text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant
            )
        except json.JSONDecodeError:
            pass  # maybe a YAML flow mapping; the YAML reader reports the problem
        except (ValueError, RecursionError) as exc:
            raise CDIError(f"not valid JSON: {' '.join(str(exc).split())}", file=source) from None
        else:
            return data, "json"
    try:
        docs = yamlio.load_all(text, source=source)
    except TalosGPUError as exc:
        raise CDIError(exc.message, file=source) from None
    if len(docs) > 1:
        raise CDIError(
            f"expected one CDI spec per file, found {len(docs)} YAML documents", file=source
        )
    return (docs[0] if docs else None), "yaml"


def load_spec(text: str, *, source: str = "<input>") -> CDISpec:
    """Parse ``text`` (YAML or JSON) as a CDI spec.

    Only refuses input that is not a CDI spec at all (unparseable, not a mapping, or without
    ``cdiVersion``, ``kind`` or ``devices``): everything else is reported by
    :func:`talosgpu.cdi.validate_spec` as findings. Raises :class:`CDIError` with file and path.
    """
    data, fmt = _parse(text, source)
    if data is None:
        raise CDIError("empty input: not a CDI spec", file=source, path=".")
    if not isinstance(data, dict):
        raise CDIError(
            f"not a CDI spec: expected a mapping, got {_type_name(data)}", file=source, path="."
        )
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise CDIError(
            f"not a CDI spec: missing {', '.join(missing)}", file=source, path=[missing[0]]
        )
    return CDISpec(data=data, format=fmt, source=source, text=text)


def dump_spec_data(data: dict[str, Any], *, fmt: SpecFormat, original: str = "") -> str:
    """Serialise spec data in ``fmt``; YAML keeps a leading ``---`` when the original had one."""
    if fmt == "json" or _has_control_characters(data):
        # YAML cannot hold control characters raw; yamlio writes multi-line strings as literal
        # blocks, which would make them unreadable. JSON escapes them and is valid YAML too.
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    text = yamlio.dump(data)
    # nvidia-ctk and the CDI Go writer (pkg/cdi/spec.go write) start YAML specs with "---".
    if original.lstrip().startswith("---"):
        text = "---\n" + text
    return text


def _has_control_characters(data: Any) -> bool:
    stack = [data]
    while stack:  # iterative: specs may nest deeply in unknown fields
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and any(
            (ord(ch) < 32 and ch not in "\n\t") or 0x7F <= ord(ch) <= 0x9F for ch in value
        ):
            return True
    return False


def _type_name(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__
