"""Reading input files (one set of error messages) and atomic file output: a failed run never
leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from talosgpu.errors import YAMLError

__all__ = ["decode_utf8", "read_file_bytes", "write_atomic", "write_tree_atomic"]


def read_file_bytes(path: str) -> bytes:
    """The bytes of the file ``path``; what cannot be read is a YAMLError naming it."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise YAMLError("no such file", file=path) from None
    except IsADirectoryError:
        raise YAMLError("is a directory, expected a file", file=path) from None
    except OSError as exc:
        raise YAMLError(f"cannot read: {exc.strerror}", file=path) from None


def decode_utf8(data: bytes, *, name: str) -> str:
    """``data`` as text (a leading byte-order mark dropped); not UTF-8 is a YAMLError."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise YAMLError("not UTF-8 text", file=name) from None


def write_atomic(path: str | os.PathLike[str], text: str, *, mode: int | None = None) -> None:
    """Write ``text`` to ``path`` via a temp file in the same directory and ``os.replace``.

    ``mode``: the file's permission bits whatever they were (0o600 for a config that holds
    secrets); by default an existing file keeps its mode and a new one is 0o644. The temp file
    is 0o600 from its creation (mkstemp), so the text is never readable by others meanwhile."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        elif target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_tree_atomic(root: str | os.PathLike[str], files: Mapping[str, str]) -> list[Path]:
    """Write several files under ``root``; every file is atomic on its own.

    All contents are computed before this is called, so a failure in rendering never touches
    the output directory. Returns the paths written, sorted.
    """
    base = Path(root)
    written: list[Path] = []
    for relative in sorted(files):
        target = base / relative
        write_atomic(target, files[relative])
        written.append(target)
    return written
