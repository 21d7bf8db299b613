"""A small on-disk cache for ``talosgpu render``, so pre-commit hooks cost (almost) nothing.

pre-commit runs ``talosgpu render`` / ``check`` on every commit, nearly always on unchanged
intents. Importing pydantic and building the intent models dominates a cold render (well over
half of it), so the CLI first looks up the finished output by a key of everything the output
depends on; only a miss loads the library.

The key covers: the command's arguments, the bytes of every input file (or stdin), the bytes of
talosgpu's own files and of the bundled profiles (content, not size and mtime: an edit that keeps
both is still a miss), a fingerprint (path, size, mtime) of the installed libraries that shape
its output, and the Python version. Any change to those is a miss.

An entry is trusted only when it verifies: it names its own key, carries the SHA-256 of its
payload (a hand edit or a torn write is a miss), and the caller checks the payload's shape and
file names (:meth:`talosgpu.commands.render.RenderOutcome.from_record`). Entries are written
atomically (no temp file survives a failure) and evicted by age and count.

Stdlib only (this module is imported before anything heavy). ``TALOSGPU_NO_CACHE=1`` disables
it; ``TALOSGPU_CACHE_DIR`` moves it (default ``$XDG_CACHE_HOME/talosgpu`` or
``~/.cache/talosgpu``). Failures to read or write the cache are never errors.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Iterable
from importlib.util import find_spec
from pathlib import Path
from typing import Any

__all__ = ["MAX_AGE_SECONDS", "MAX_ENTRIES", "cache_dir", "enabled", "evict", "get", "key", "put"]

_PACKAGE = Path(__file__).resolve().parent.parent  # the talosgpu package, every module of it
# Libraries whose version changes the bytes we print.
_OUTPUT_LIBRARIES = ("ruamel.yaml", "pydantic", "pydantic_core", "tomlkit")


def enabled() -> bool:
    return os.environ.get("TALOSGPU_NO_CACHE", "") in ("", "0")


def cache_dir() -> Path:
    explicit = os.environ.get("TALOSGPU_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "talosgpu"


# Eviction: entries unused for this long go, and the folder keeps at most this many (a
# 1,000-node fleet repo's check keeps one entry per intent or inventory, not per node).
MAX_AGE_SECONDS = 30 * 24 * 3600
MAX_ENTRIES = 2_000
_KEY = re.compile(r"[0-9a-f]{64}")


def _tree_fingerprint(root: Path, digest: Any) -> None:
    """Names and contents of every file under ``root`` (about 1.5 ms for the package)."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".pyc", ".tmp")):
                continue
            path = os.path.join(dirpath, name)
            with open(path, "rb") as handle:
                data = handle.read()
            digest.update(f"{os.path.relpath(path, root)}:{len(data)}\n".encode())
            digest.update(hashlib.sha256(data).digest())


def _library_fingerprint(digest: Any) -> None:
    for name in _OUTPUT_LIBRARIES:
        try:
            spec = find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec else None
        if origin and os.path.exists(origin):
            st = os.stat(origin)
            digest.update(f"{name}:{origin}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        else:
            digest.update(f"{name}:missing\n".encode())


def key(*, command: Iterable[str], inputs: Iterable[bytes]) -> str:
    """Cache key for one invocation (``command`` = normalised arguments)."""
    digest = hashlib.sha256()
    digest.update(sys.version.encode())
    digest.update("\0".join(command).encode())
    for blob in inputs:
        digest.update(hashlib.sha256(blob).digest())
    digest.update(_code_fingerprint().encode())
    return digest.hexdigest()


@functools.cache
def _code_fingerprint() -> str:
    """talosgpu's files, the bundled profiles and the output libraries: walked once per process
    (``check`` asks for a key per input file; the code does not change while it runs)."""
    digest = hashlib.sha256()
    _tree_fingerprint(_PACKAGE, digest)
    profiles = _PACKAGE.parent / "profiles"
    if profiles.is_dir():  # source checkout / editable install
        _tree_fingerprint(profiles, digest)
    _library_fingerprint(digest)
    return digest.hexdigest()


def _payload_hash(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _trusted(folder: Path) -> bool:
    """Only a folder this user owns, that nobody else can write to, is read or written: the
    hash in an entry is a checksum anyone can recompute, so a shared cache folder (/tmp, a CI
    cache restored from elsewhere) would let another user plant what check reports."""
    try:
        info = folder.stat()
    except OSError:
        return False
    owner_ok = not hasattr(os, "geteuid") or info.st_uid == os.geteuid()
    return owner_ok and not info.st_mode & 0o022


def get(cache_key: str) -> dict[str, Any] | None:
    """The cached payload, or None on a miss, an entry that does not verify (another key, a
    payload whose hash is not the one stored), a cache folder another user could write, or any
    problem reading it."""
    if not enabled() or not _KEY.fullmatch(cache_key):
        return None
    folder = cache_dir() / "render"
    if not _trusted(folder):
        return None
    path = folder / f"{cache_key}.json"
    try:
        entry = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != cache_key:
        return None
    payload = entry.get("payload")
    if not isinstance(payload, dict) or entry.get("sha256") != _payload_hash(payload):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # used: eviction goes by last use
    return payload


def put(cache_key: str, value: dict[str, Any]) -> None:
    """Store a result atomically; silently does nothing when the cache is not writable (and
    leaves no temp file behind)."""
    if not enabled() or not _KEY.fullmatch(cache_key):
        return
    folder = cache_dir() / "render"
    entry = {"key": cache_key, "sha256": _payload_hash(value), "payload": value}
    tmp = folder / f".{cache_key}.{os.getpid()}.tmp"
    try:
        # 0700/0600: an entry can hold an intent's extraCriToml credentials
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted(folder):
            return
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=True, ensure_ascii=False))
        os.replace(tmp, folder / f"{cache_key}.json")
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        return
    if int.from_bytes(bytes.fromhex(cache_key[:4]), "big") % 64 == 0:  # 1 put in 64
        evict(folder)


def evict(folder: Path | None = None, *, now: float | None = None) -> int:
    """Remove entries unused for :data:`MAX_AGE_SECONDS`, the least recently used beyond
    :data:`MAX_ENTRIES`, and temp files older than an hour; returns how many went."""
    folder = folder or cache_dir() / "render"
    now = time.time() if now is None else now
    entries: list[tuple[float, Path]] = []
    removed = 0
    try:
        with os.scandir(folder) as scan:
            for item in scan:
                try:
                    used = item.stat().st_mtime
                except OSError:
                    continue
                stale_tmp = item.name.endswith(".tmp") and now - used > 3600
                if stale_tmp or (item.name.endswith(".json") and now - used > MAX_AGE_SECONDS):
                    removed += _remove(Path(item.path))
                elif item.name.endswith(".json"):
                    entries.append((used, Path(item.path)))
    except OSError:
        return removed
    entries.sort(reverse=True)
    for _, path in entries[MAX_ENTRIES:]:
        removed += _remove(path)
    return removed


def _remove(path: Path) -> int:
    try:
        path.unlink()
    except OSError:
        return 0
    return 1
