"""Reading an intent's ``patches:`` (files relative to the intent or inventory file)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from talosgpu import yamlio
from talosgpu.errors import TalosGPUError
from talosgpu.nodepatch import UserPatch, read_patch_text

if TYPE_CHECKING:
    from talosgpu.intent.models import Intent

__all__ = ["base_dir", "load_user_patches"]


def base_dir(source: str | None) -> Path:
    """Where an input's relative patch files are: its folder (the current one for stdin, a
    profile or an :class:`Intent` given in Python)."""
    if not source or source in ("-", "<stdin>") or source.startswith(("profile ", "<")):
        return Path.cwd()
    return Path(source).parent


def load_user_patches(intent: Intent, *, base: Path) -> tuple[UserPatch, ...]:
    """The intent's patches, read and parsed, in order."""
    out: list[UserPatch] = []
    for i, spec in enumerate(intent.patches):
        if spec.inline is not None:
            out.append(UserPatch(f"patches[{i}] (inline)", (dict(spec.inline),)))
            continue
        assert spec.file is not None
        path = Path(spec.file)
        path = path if path.is_absolute() else base / path
        try:
            text, source = yamlio.read_source(path)
        except TalosGPUError as exc:
            raise TalosGPUError(
                f"patches[{i}].file {spec.file!r}: {exc.message}", path=f".patches[{i}].file"
            ) from None
        out.append(read_patch_text(text, source=source))
    return tuple(out)
