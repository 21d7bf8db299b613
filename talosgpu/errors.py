"""The talosgpu error tree.

Every failure the library can report is a :class:`TalosGPUError`. Each carries the file and the
YAML path it concerns so that the CLI can print one line (``FILE: PATH: message``) and exit 2,
with no traceback. Library code raises these; it never prints or exits.

This module is stdlib-only: everything else imports it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = [
    "CDIError",
    "ConfigError",
    "IntentError",
    "LiveConfigError",
    "MergeError",
    "OutputError",
    "ProfileError",
    "RenderError",
    "TalosGPUError",
    "TalosctlError",
    "VersionError",
    "YAMLError",
    "format_yaml_path",
    "parse_yaml_path",
]


def format_yaml_path(path: Sequence[str | int]) -> str:
    """Render a YAML path the way users read it: ``.machine.files[0].path``.

    Keys that are not plain identifiers (labels such as ``nvidia.com/gpu.present``) are quoted so
    the path stays unambiguous.
    """
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif part and all(ch.isalnum() or ch in "_-" for ch in part):
            out.append(f".{part}")
        else:
            out.append(f'."{part}"')
    return "".join(out) or "."


_PATH_PART = re.compile(r'\.([A-Za-z0-9_-]+)|\."([^"]*)"|\[(\d+)\]')


def parse_yaml_path(text: str) -> tuple[str | int, ...] | None:
    """:func:`format_yaml_path` read back (``.gpu.driver`` → ``("gpu", "driver")``); None for
    a text it did not write."""
    parts: list[str | int] = []
    pos = 0
    while pos < len(text):
        match = _PATH_PART.match(text, pos)
        if match is None:
            return None
        key, quoted, number = match.groups()
        parts.append(int(number) if number is not None else key if key is not None else quoted)
        pos = match.end()
    return tuple(parts) or None


class TalosGPUError(Exception):
    """Base of every error talosgpu raises on purpose.

    ``file`` is the input the problem is in (a path, ``<stdin>``, ``profile:NAME``...), ``path`` the
    YAML path inside it. ``str(err)`` is one line suitable for the terminal.
    """

    exit_code: int = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        path: Sequence[str | int] | str | None = None,
    ) -> None:
        self.message = " ".join(message.split()) if "\n" in message else message
        self.file = file
        if path is None or isinstance(path, str):
            self.yaml_path: str | None = path
        else:
            self.yaml_path = format_yaml_path(path)
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """``file: path: message`` with the parts that are known."""
        parts = [p for p in (self.file, self.yaml_path) if p]
        return ": ".join([*parts, self.message])

    def with_file(self, file: str) -> TalosGPUError:
        """Return the same error attributed to ``file`` (keeps an existing attribution)."""
        if self.file:
            return self
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.file = file
        Exception.__init__(clone, clone.one_line())
        return clone


class YAMLError(TalosGPUError):
    """Input is not parseable YAML/JSON/TOML."""


class VersionError(TalosGPUError):
    """A Talos version string that is malformed or unsupported."""


class IntentError(TalosGPUError):
    """An intent (or inventory) file does not validate."""


class ProfileError(TalosGPUError):
    """A named profile does not exist or is broken."""


class RenderError(TalosGPUError):
    """The intent asks for something that cannot be rendered for the target version."""


class ConfigError(TalosGPUError):
    """A Talos machine config or patch is malformed."""


class MergeError(ConfigError):
    """Applying a patch failed the way Talos would fail it."""


class LiveConfigError(TalosGPUError):
    """The live configuration could not be read or understood."""


class TalosctlError(LiveConfigError):
    """Running ``talosctl`` failed."""


class CDIError(TalosGPUError):
    """A CDI spec could not be read or is not a CDI spec."""


class OutputError(TalosGPUError):
    """A file or folder could not be written (``file`` names it, the message gives the cause)."""
