"""``talosgpu check``: intents valid and committed rendered files current (the pre-commit hook).

Convention: the rendered files of ``nodes/gpu1.yaml`` are committed in ``nodes/gpu1.rendered/``,
exactly what ``talosgpu render nodes/gpu1.yaml --output-dir nodes/gpu1.rendered`` writes (for an
inventory: one sub-folder per node). ``rendered_dir`` overrides it: a template with ``{dir}``
(the intent's folder) and ``{stem}`` (its name without suffix), or one folder for one file.

A stale file is shown as a semantic diff of the parsed YAML/JSON (``~ path: old → new``,
``+``/``-`` for added/removed), because a text diff of a re-ordered or re-indented patch hides
what changes on the node; other files get a unified diff.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from talosgpu.check.inputs import Rendered, render_input, rendered_folder
from talosgpu.errors import TalosGPUError

# yamlio (ruamel.yaml), the semantic diff and difflib are imported where they are used: a check
# whose every input is current and cached needs none of them (talosgpu.check.inputs).

__all__ = ["CheckReport", "FileCheck", "FileProblem", "check_files", "format_report"]

DEFAULT_RENDERED_DIR = "{dir}/{stem}.rendered"
_SUFFIXES = (".yaml", ".yml")
_MAX_LINES = 60


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
    loaded: list[tuple[str, Rendered]] = []
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


def format_report(report: CheckReport) -> str:
    """The human report (stdout of ``talosgpu check``)."""
    lines: list[str] = []
    for item in report.checked:
        fix = f"talosgpu render {item.source} --output-dir {item.rendered_dir}"
        if not item.problems:
            if item.rendered_files:
                lines.append(f"{item.source}: ok ({item.rendered_files} rendered files current)")
            else:
                lines.append(f"{item.source}: valid (no rendered folder {item.rendered_dir})")
            continue
        lines.append(f"{item.source}: rendered files are not current ({item.rendered_dir})")
        for problem in item.problems:
            lines.append(f"  {problem.path}: {_STATUS[problem.status]}")
            lines += [f"    {line}" for line in problem.details]
        lines.append(f"  fix: {fix}")
        if any(p.status == "extra" for p in item.problems):
            lines.append("  (render does not delete files: remove the extra ones)")
    if report.checked:
        stale = sum(1 for c in report.checked if c.problems)
        lines.append(
            f"talosgpu check: {len(report.checked)} file(s) checked, {stale} not current"
            + (f", {len(report.errors)} invalid" if report.errors else "")
        )
    return "".join(line + "\n" for line in lines)


_STATUS = {
    "stale": "differs from what talosgpu renders now",
    "missing": "missing (rendered now, not committed)",
    "extra": "extra (committed, no longer rendered)",
}


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
def _check_one(path: str, rendered: Rendered, template: str, *, strict: bool) -> FileCheck:
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


def describe_change(name: str, old: str, new: str) -> tuple[str, ...]:
    """Semantic diff for YAML/JSON files (text diff when only comments/format differ).

    Secret-redacted: a committed file may hold what it should not (a token pasted into a patch),
    and pre-commit output ends up in CI logs. Values at Talos secret paths of either side, and
    key material anywhere, are masked (:func:`talosgpu.talos.secrets.redact_text`).
    """
    from talosgpu.check.semantic import parse_documents, semantic_diff
    from talosgpu.talos.secrets import collect_secret_values, redact_text

    text = _unified(name, old, new)
    old_docs, new_docs = parse_documents(name, old), parse_documents(name, new)
    if old_docs is None or new_docs is None:
        lines = text
    else:
        changes = semantic_diff(old_docs, new_docs)
        lines = changes or ["(same data: comments or formatting differ)", *text]
    secrets = collect_secret_values([*(old_docs or ()), *(new_docs or ())])
    return _cap([redact_text(line, known_secrets=secrets) for line in lines])


def _unified(name: str, old: str, new: str) -> list[str]:
    import difflib

    return list(
        difflib.unified_diff(
            old.splitlines(),
            new.splitlines(),
            fromfile=f"{name} (committed)",
            tofile=f"{name} (rendered now)",
            lineterm="",
            n=2,
        )
    )


def _cap(lines: list[str]) -> tuple[str, ...]:
    if len(lines) <= _MAX_LINES:
        return tuple(lines)
    return (*lines[:_MAX_LINES], f"... {len(lines) - _MAX_LINES} more line(s)")
