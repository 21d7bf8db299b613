"""``talosgpu check``: intents valid and committed rendered files current (the pre-commit hook).

Convention: the rendered files of ``nodes/gpu1.yaml`` are committed in ``nodes/gpu1.rendered/``,
exactly what ``talosgpu render nodes/gpu1.yaml --output-dir nodes/gpu1.rendered`` writes (for an
inventory: one sub-folder per node). ``rendered_dir`` overrides it: a template with ``{dir}``
(the intent's folder) and ``{stem}`` (its name without suffix), or one folder for one file.

A stale file is shown as a semantic diff (:mod:`talosgpu.check.describe`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from talosgpu.commands.inputs import read_input
from talosgpu.commands.render import RenderOutcome, render_cached
from talosgpu.errors import TalosGPUError

# yamlio (ruamel.yaml), pydantic, the renderers and the semantic diff are imported where they
# are used: a check whose every input is current and cached needs none of them.

__all__ = [
    "DEFAULT_RENDERED_DIR",
    "CheckReport",
    "FileCheck",
    "FileProblem",
    "check_files",
    "rendered_folder",
]

DEFAULT_RENDERED_DIR = "{dir}/{stem}.rendered"
_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class FileProblem:
    """One committed rendered file that does not match what talosgpu renders now."""

    path: str
    status: Literal["stale", "missing", "extra"]
    details: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FileCheck:
    """The result for one intent or inventory file."""

    source: str
    kind: Literal["intent", "inventory"]
    rendered_dir: str
    problems: tuple[FileProblem, ...]
    rendered_files: int  # 0 when no rendered folder is committed
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Everything ``check_files`` found; ``exit_code`` is the CLI's (0 ok, 1 stale, 2 invalid)."""

    checked: tuple[FileCheck, ...]
    errors: tuple[TalosGPUError, ...]
    ignored: tuple[str, ...]

    @property
    def exit_code(self) -> int:
        if self.errors:
            return 2
        return 1 if any(c.problems for c in self.checked) else 0

    @property
    def warnings(self) -> list[str]:
        return [w for c in self.checked for w in c.warnings]


def check_files(
    paths: Iterable[str | Path], *, rendered_dir: str | None = None, strict: bool = False
) -> CheckReport:
    """Re-render every intent/inventory in ``paths`` and compare with its committed outputs.

    Files that are not intents or inventories are ignored; a file inside a ``<stem>.rendered/``
    folder stands for ``<stem>.yaml`` beside it. No paths: every ``X.yaml`` under the current
    folder that has an ``X.rendered/`` folder. ``strict``: a missing rendered folder is stale.
    Invalid input is collected in ``errors`` (the other files are still checked).
    """
    given = [str(p) for p in paths] or _discover(Path("."))
    template = rendered_dir or DEFAULT_RENDERED_DIR
    rendered_folder("x.yaml", template)  # a bad template fails the run, not each file
    candidates = _candidates(given, map_rendered=rendered_dir is None)
    checked: list[FileCheck] = []
    errors: list[TalosGPUError] = []
    ignored = [p for p in given if not p.endswith(_SUFFIXES) and p not in candidates]
    loaded: list[tuple[str, RenderOutcome]] = []
    for path in candidates:
        try:
            rendered = render_input(path, template)
        except TalosGPUError as exc:
            errors.append(exc)
            continue
        if rendered.kind is None:
            ignored.append(path)
        else:
            loaded.append((path, rendered))
    if "{" not in template and len(loaded) > 1:
        raise TalosGPUError(
            f"--rendered-dir {template} names one folder but {len(loaded)} intents were given; "
            "use a template such as '{dir}/rendered/{stem}'"
        )
    for path, rendered in loaded:
        try:
            checked.append(_check_one(path, rendered, template, strict=strict))
        except TalosGPUError as exc:
            errors.append(exc)
    return CheckReport(checked=tuple(checked), errors=tuple(errors), ignored=tuple(ignored))


# ----------------------------------------------------------------------------- what an input is now
def rendered_folder(path: str, template: str) -> str:
    """The folder holding ``path``'s committed rendered files (``{dir}``/``{stem}`` template)."""
    p = Path(path)
    try:
        return os.path.normpath(template.format(dir=str(p.parent), stem=p.stem))
    except (KeyError, IndexError, ValueError):
        raise TalosGPUError(
            f"--rendered-dir {template!r}: only {{dir}} and {{stem}} can be used"
        ) from None


def render_input(path: str, template: str) -> RenderOutcome:
    """Classify and render ``path`` as ``render --output-dir`` would, through the render cache.

    The pre-commit hook meets unchanged intents on nearly every commit: on a hit (same bytes,
    same name, same rendered-folder presence, same talosgpu) nothing is parsed, so neither the
    YAML library nor pydantic is imported. ``kind`` None: YAML that is not talosgpu's.
    """
    source = os.path.normpath(path)
    has_folder = Path(rendered_folder(path, template)).is_dir()  # decides kind-less intents
    return render_cached(
        read_input(path),
        key=["check", source, str(has_folder)],
        what="dir",
        kindless=has_folder,
        ignore_unknown=True,
        source=source,
    )


# ----------------------------------------------------------------------------- finding inputs
def _discover(root: Path) -> list[str]:
    found: list[str] = []
    for dirpath, dirnames, _ in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in dirnames:
            if name.endswith(".rendered"):
                for suffix in _SUFFIXES:
                    intent = Path(dirpath) / (name.removesuffix(".rendered") + suffix)
                    if intent.is_file():
                        found.append(os.path.normpath(intent))
        dirnames[:] = [d for d in dirnames if not d.endswith(".rendered")]
    return found


def _candidates(paths: list[str], *, map_rendered: bool) -> list[str]:
    """Intent candidates in order, a rendered file replaced by its intent (default convention)."""
    out: dict[str, None] = {}
    for path in paths:
        parts = Path(path).parts
        outer = next((i for i, part in enumerate(parts[:-1]) if part.endswith(".rendered")), None)
        if outer is not None:
            if map_rendered:
                base = Path(*parts[:outer])
                stem = parts[outer].removesuffix(".rendered")
                for suffix in _SUFFIXES:
                    if (base / (stem + suffix)).is_file():
                        out[os.path.normpath(base / (stem + suffix))] = None
                        break
            continue
        if path.endswith(_SUFFIXES):
            out[path] = None
    return list(out)


# ----------------------------------------------------------------------------- checking
def _check_one(path: str, rendered: RenderOutcome, template: str, *, strict: bool) -> FileCheck:
    source = os.path.normpath(path)
    assert rendered.kind is not None
    expected, warnings, kind = rendered.files, rendered.warnings, rendered.kind
    folder = rendered_folder(path, template)
    actual = _read_tree(Path(folder))
    problems: list[FileProblem] = []
    if actual is None:
        if strict:
            problems.append(FileProblem(folder, "missing", ("no rendered folder committed",)))
    else:
        problems = _compare(expected, actual, folder)
    return FileCheck(
        source=source,
        kind=kind,
        rendered_dir=folder,
        problems=tuple(problems),
        rendered_files=0 if actual is None else len(actual),
        warnings=tuple(f"{source}: {w}" for w in warnings),
    )


def _read_tree(folder: Path) -> dict[str, bytes] | None:
    """Committed files under ``folder`` by relative POSIX path (dotfiles skipped)."""
    if not folder.is_dir():
        return None
    files: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                full = Path(dirpath) / name
                files[full.relative_to(folder).as_posix()] = full.read_bytes()
    return files


def _compare(
    expected: Mapping[str, str], actual: Mapping[str, bytes], folder: str
) -> list[FileProblem]:
    # lazy: a check whose inputs are all cached parses nothing
    from talosgpu.check.describe import describe_change

    problems: list[FileProblem] = []
    for relative in sorted(set(expected) | set(actual)):
        shown = f"{folder}/{relative}"
        if relative not in actual:
            problems.append(FileProblem(shown, "missing"))
        elif relative not in expected:
            problems.append(FileProblem(shown, "extra"))
        else:
            committed = actual[relative].decode("utf-8", errors="replace")
            if committed != expected[relative]:
                details = describe_change(relative, committed, expected[relative])
                problems.append(FileProblem(shown, "stale", details))
    return problems
