"""A small on-disk cache for ``talosgpu render``, so pre-commit hooks cost (almost) nothing.

pre-commit runs ``talosgpu render`` / ``check`` on every commit, nearly always on unchanged
intents. Importing pydantic and building the intent models dominates a cold render (well over
half of it), so the CLI first looks up the finished output by a key of everything the output
depends on; only a miss loads the library.

The key covers: the command's arguments, the bytes of every input file (or stdin), the bytes of
the bundled profiles, a fingerprint (path, size, mtime) of talosgpu's own files and of the
libraries that shape its output, and the Python version. Any change to those is a miss.

Stdlib only (this module is imported before anything heavy). ``TALOSGPU_NO_CACHE=1`` disables
it; ``TALOSGPU_CACHE_DIR`` moves it (default ``$XDG_CACHE_HOME/talosgpu`` or
``~/.cache/talosgpu``). Failures to read or write the cache are never errors.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from collections.abc import Iterable
from importlib.util import find_spec
from pathlib import Path
from typing import Any

__all__ = ["cache_dir", "enabled", "get", "key", "put"]

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


def _tree_fingerprint(root: Path, digest: Any) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".pyc", ".tmp")):
                continue
            st = os.stat(os.path.join(dirpath, name))
            digest.update(f"{dirpath}/{name}:{st.st_size}:{st.st_mtime_ns}\n".encode())


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


def get(cache_key: str) -> dict[str, Any] | None:
    """The cached result, or None on a miss or any problem reading it."""
    if not enabled():
        return None
    try:
        data = json.loads((cache_dir() / "render" / f"{cache_key}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def put(cache_key: str, value: dict[str, Any]) -> None:
    """Store a result atomically; silently does nothing when the cache is not writable."""
    if not enabled():
        return
    folder = cache_dir() / "render"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{cache_key}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(value, sort_keys=True), encoding="utf-8")
        os.replace(tmp, folder / f"{cache_key}.json")
    except OSError:
        return
