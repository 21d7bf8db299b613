"""Reading input files (one set of error messages) and atomic file output: a failed run never
leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from talosgpu.errors import OutputError, YAMLError

__all__ = [
    "MAX_INPUT_BYTES",
    "check_replaceable",
    "decode_utf8",
    "max_input_bytes",
    "read_file_bytes",
    "read_stdin_bytes",
    "write_atomic",
    "write_tree_atomic",
]

# The most talosgpu reads from one input. Talos's API takes messages up to 32 MiB
# (pkg/machinery/constants GRPCMaxMessageSize), but the largest real machine configs — with a
# CNI as an inline manifest — are around 1 MiB, and a YAML of 32 MiB costs seconds and gigabytes
# in any parser (a 4 MB flow list: 6.7 s, 640 MB). 4 MiB is four times the largest real input;
# TALOSGPU_MAX_INPUT_MIB raises it for the rare repository that needs more.
MAX_INPUT_BYTES = 4 * 1024 * 1024
_MAX_ENV = "TALOSGPU_MAX_INPUT_MIB"


def max_input_bytes() -> int:
    """The input size limit: :data:`MAX_INPUT_BYTES`, or ``TALOSGPU_MAX_INPUT_MIB`` MiB."""
    raw = os.environ.get(_MAX_ENV, "").strip()
    if not raw:
        return MAX_INPUT_BYTES
    try:
        mib = float(raw)
    except ValueError:
        raise YAMLError(f"{_MAX_ENV}={raw[:20]!r} is not a number of MiB") from None
    if not 1 / 1024 <= mib <= 1024:
        raise YAMLError(f"{_MAX_ENV}={raw[:20]!r}: give a size from 0.001 (1 KiB) to 1024 MiB")
    return int(mib * 1024 * 1024)


def _too_large(size: int, limit: int, name: str) -> YAMLError:
    return YAMLError(
        f"is {size:,} bytes or more; talosgpu reads at most {limit:,} bytes from one input "
        f"(a real machine config is under 1 MiB; {_MAX_ENV} raises the limit)",
        file=name,
    )


def read_file_bytes(path: str) -> bytes:
    """The bytes of the file ``path``; what cannot be read, is not a regular file (a FIFO, a
    device) or is larger than :func:`max_input_bytes` is a YAMLError naming it (never more than
    the limit plus one byte is read)."""
    limit = max_input_bytes()
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
            # a FIFO would block open() itself; a device never ends
            raise YAMLError(
                "is not a regular file (a FIFO, device or socket): use - for standard input",
                file=path,
            )
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise YAMLError("no such file", file=path) from None
    except IsADirectoryError:
        raise YAMLError("is a directory, expected a file", file=path) from None
    except OSError as exc:
        raise YAMLError(f"cannot read: {exc.strerror or exc}", file=path) from None
    if len(data) > limit:
        raise _too_large(len(data), limit, path)
    return data


def read_stdin_bytes() -> bytes:
    """Standard input as bytes, up to :func:`max_input_bytes` (more is a YAMLError)."""
    limit = max_input_bytes()
    buffer = getattr(sys.stdin, "buffer", None)
    # a text stream (tests, embedding programs) has no buffer
    data = buffer.read(limit + 1) if buffer is not None else sys.stdin.read(limit + 1).encode()
    if len(data) > limit:
        raise _too_large(len(data), limit, "<stdin>")
    return bytes(data)


def decode_utf8(data: bytes, *, name: str) -> str:
    """``data`` as text (a leading byte-order mark dropped); not UTF-8 is a YAMLError."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise YAMLError("not UTF-8 text", file=name) from None


def _cannot_write(path: str | os.PathLike[str], exc: OSError) -> OutputError:
    cause = exc.strerror or type(exc).__name__
    return OutputError(f"cannot write: {cause}", file=str(path))


def write_atomic(path: str | os.PathLike[str], text: str, *, mode: int | None = None) -> None:
    """Write ``text`` to ``path`` via a temp file in the same directory and ``os.replace``.

    ``mode``: the file's permission bits whatever they were (0o600 for a config that holds
    secrets); by default an existing file keeps its mode and a new one is 0o644. The temp file
    is 0o600 from its creation (mkstemp), so the text is never readable by others meanwhile.
    What the OS refuses (a full disk, a read-only folder) is an :class:`OutputError` naming
    ``path``; the old file is then untouched and no temp file is left."""
    target = Path(path)
    try:
        if target.is_symlink():
            target = Path(os.path.realpath(target))  # write through the link, keep the link
        if target.exists() and not target.is_file():
            if target.is_dir():
                raise IsADirectoryError(21, "Is a directory")
            # a device or FIFO (-o /dev/stdout): written to, never replaced by a file
            with open(target, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_file(target, text, mode=mode)
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def _write_file(target: Path, text: str, *, mode: int | None) -> None:
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


def write_tree_atomic(
    root: str | os.PathLike[str],
    files: Mapping[str, str],
    *,
    owned: frozenset[str] | None = None,
) -> list[Path]:
    """Make the folder ``root`` hold exactly ``files`` (relative POSIX names), all or nothing.

    Everything is written into a new folder beside ``root`` first; only when every file is
    written is it swapped in (the old folder renamed aside, the new one renamed into place, the
    old one removed), so a failed run — a full disk, an interrupt — leaves the old folder whole
    and no staging folder behind. ``owned`` are the file names talosgpu writes: an old folder
    holding any other file (dot entries aside, which are moved over) is refused rather than
    replaced, so nothing of the user's is ever deleted (default: the names in ``files``).
    Returns the paths written, sorted."""
    base = Path(root)
    if base.is_symlink():
        base = Path(os.path.realpath(base))  # the folder the link points to is replaced
    if owned is None:
        owned = frozenset(Path(name).name for name in files)
    _check_names(files, base)
    if base.exists():
        check_replaceable(base, owned)
    parent = base.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{base.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise _cannot_write(base, exc) from None
    current = base
    try:
        for relative in sorted(files):
            current = base / relative
            _write_staged(staging / relative, files[relative])
        current = base
        os.chmod(staging, _folder_mode(base))
        _sync()
        _swap(staging, base)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise _cannot_write(current, exc) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [base / relative for relative in sorted(files)]


def _write_staged(target: Path, text: str) -> None:
    """A file in the staging folder: nobody reads it before the swap, so it needs no temp name
    of its own; it is made durable by the one :func:`_sync` before the swap."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8", newline="\n") as handle:
        os.fchmod(handle.fileno(), 0o644)
        handle.write(text)


def _sync() -> None:
    # One sync for the whole folder, not one fsync per file: a 1,000-node inventory writes
    # about 4,250 files, and an fsync each took 1.8 s of a 7 s render (ext4), one sync 30 ms.
    sync = getattr(os, "sync", None)
    if sync is not None:
        sync()


def _check_names(files: Mapping[str, str], base: Path) -> None:
    for relative in files:
        parts = Path(relative).parts
        if (
            not parts
            or Path(relative).is_absolute()
            or ".." in parts
            or relative != "/".join(parts)
        ):
            raise OutputError(
                f"refusing to write {relative!r}: not a name inside the folder", file=str(base)
            )


def check_replaceable(base: Path, owned: frozenset[str]) -> None:
    """Refuse (:class:`OutputError`) a folder that holds a file talosgpu does not write."""
    if not base.is_dir():
        raise OutputError("exists and is not a folder", file=str(base))
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        depth = len(Path(dirpath).relative_to(base).parts)
        for name in filenames:
            if not name.startswith(".") and (name not in owned or depth > 1):
                foreign = Path(dirpath) / name
                raise OutputError(
                    f"holds {foreign.relative_to(base)}, which render does not write; refusing "
                    "to replace the folder (move the file, or render to another folder)",
                    file=str(base),
                )


def _folder_mode(base: Path) -> int:
    """The old folder's mode, or what a new folder gets under the umask (mkdtemp makes 0700)."""
    if base.is_dir():
        return base.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def _dot_entries(folder: Path) -> list[Path]:
    """Dot entries (``.gitkeep``, ``.git``) under ``folder``, relative, outermost only."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in [*filenames, *dirnames]:
            if name.startswith("."):
                found.append((Path(dirpath) / name).relative_to(folder))
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
    return found


def _move_dot_entries(old: Path, new: Path) -> None:
    """The user's dot entries go from the old folder into the new one by rename (no copy: a
    ``.git`` or a large file costs nothing); should one fail, the old folder is kept and
    named, never deleted with them in it."""
    for relative in _dot_entries(old):
        target = new / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(old / relative, target)
        except OSError as exc:
            raise OutputError(
                f"the new folder is in place, but {relative} could not be moved into it "
                f"({exc.strerror or exc}); it is still in {old}",
                file=str(new),
            ) from None


def _swap(staging: Path, base: Path) -> None:
    if not base.exists():
        os.replace(staging, base)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{base.name}.", suffix=".old", dir=base.parent))
    os.rmdir(aside)  # a free name beside base; rename needs it absent
    os.replace(base, aside)
    try:
        os.replace(staging, base)
    except BaseException:
        os.replace(aside, base)  # put the old folder back before reporting
        raise
    _move_dot_entries(aside, base)
    shutil.rmtree(aside, ignore_errors=True)
