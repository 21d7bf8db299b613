"""``talosgpu check``: intents valid and committed rendered files current (the pre-commit hook).

Every intent and inventory given is validated, with or without ``kind`` (the README's intents
have none: :func:`talosgpu.commands.inputs.classify`). Its rendered files are compared in two
forms: the folder convention — the rendered files of ``nodes/gpu1.yaml`` committed in
``nodes/gpu1.rendered/``, exactly what ``talosgpu render nodes/gpu1.yaml --output-dir
nodes/gpu1.rendered`` writes (for an inventory: one sub-folder per node; ``rendered_dir``
overrides it: a template with ``{dir}`` and ``{stem}``, or one folder for one file) — and a
committed ``talosgpu render node.yaml > patch.yaml``, recognised by its header, whose second
line names the command that renders it again (the intent found beside it). A YAML file that is
none of these is named once in ``notes``, not dropped in silence.

A stale file is shown as a semantic diff (:mod:`talosgpu.check.describe`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from talosgpu.commands.inputs import Input, read_input
from talosgpu.commands.render import RenderOutcome, render_cached
from talosgpu.errors import TalosGPUError
from talosgpu.headers import HEADER_PREFIX, Rerender, is_merged_patch, rerender_of

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
    kind: Literal["intent", "inventory", "output"]  # output: a committed `render > FILE`
    rendered_dir: str
    problems: tuple[FileProblem, ...]
    rendered_files: int  # 0 when no rendered folder is committed
    warnings: tuple[str, ...] = ()
    rerender: str = ""  # an output's `talosgpu render …` command (the fix when it is stale)
    with_patches: bool = False  # the folder holds the merged node patch (--with-patches)


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Everything ``check_files`` found; ``exit_code`` is the CLI's (0 ok, 1 stale, 2 invalid)."""

    checked: tuple[FileCheck, ...]
    errors: tuple[TalosGPUError, ...]
    ignored: tuple[str, ...]
    notes: tuple[str, ...] = ()  # files given but not checked, and why (info)

    @property
    def exit_code(self) -> int:
        if self.errors:
            return 2
        return 1 if any(c.problems for c in self.checked) else 0

    @property
    def warnings(self) -> list[str]:
        return [w for c in self.checked for w in c.warnings]


def check_files(
    paths: str | Path | Iterable[str | Path],
    *,
    rendered_dir: str | None = None,
    strict: bool = False,
) -> CheckReport:
    """Re-render every intent/inventory in ``paths`` and compare with its committed outputs.

    Files that are not intents or inventories are ignored; a file inside a ``<stem>.rendered/``
    folder stands for ``<stem>.yaml`` beside it. No paths: every ``X.yaml`` under the current
    folder that has an ``X.rendered/`` folder. ``strict``: a missing rendered folder is stale.
    Invalid input is collected in ``errors`` (the other files are still checked).
    """
    named = [str(paths)] if isinstance(paths, str | Path) else [str(p) for p in paths]
    # a folder stands for what a run without FILES would find inside it
    given = [f for p in named for f in (_discover(Path(p)) if os.path.isdir(p) else [p])]
    if not named:
        given = _discover(Path("."))
    template = rendered_dir or DEFAULT_RENDERED_DIR
    rendered_folder("x.yaml", template)  # a bad template fails the run, not each file
    candidates = _candidates(given, map_rendered=rendered_dir is None)
    checked: list[FileCheck] = []
    errors: list[TalosGPUError] = []
    ignored = [p for p in given if not p.endswith(_SUFFIXES) and p not in candidates]
    notes: list[str] = []
    loaded: list[tuple[str, RenderOutcome, bool]] = []
    outputs: list[tuple[str, Input, Rerender]] = []
    queue = list(candidates)
    for path in queue:
        try:
            item = read_input(path)
            again = rerender_of(item.text)
            if again is not None:
                outputs.append((path, item, again))
                continue
            if item.text.lstrip("\ufeff").startswith(HEADER_PREFIX):
                notes.append(
                    f"{os.path.normpath(path)}: rendered by talosgpu, but its header names no "
                    "command to render it again (a fleet node's, or an older talosgpu's): not "
                    "checked"
                )
                continue
            merged = _merged_folder(path, template)
            # a render without the patches still loads and merges them (commands/render.py
            # _with_patches): diff and apply always use them
            rendered = render_input(item, with_patches=merged)
        except TalosGPUError as exc:
            errors.append(exc)
            continue
        if rendered.kind is not None:
            loaded.append((path, rendered, merged))
            continue
        users = [u for u in patch_users(path) if u not in queue]
        if users:
            # a patch file stands for the intents and inventories that name it in patches:
            # (pre-commit passes only the changed file)
            queue.extend(users)
            notes.append(
                f"{os.path.normpath(path)}: a patch of {', '.join(users)}: checked with it"
            )
            continue
        ignored.append(path)
        notes.append(f"{os.path.normpath(path)}: not an intent, an inventory or a talosgpu "
                     "render: not checked")  # fmt: skip
    if "{" not in template and len(loaded) > 1:
        raise TalosGPUError(
            f"--rendered-dir {template} names one folder but {len(loaded)} intents were given; "
            "use a template such as '{dir}/rendered/{stem}'"
        )
    referenced: set[str] = set()
    for path, item, again in outputs:
        try:
            result = _check_output(path, item, again)
        except TalosGPUError as exc:
            errors.append(exc)
            continue
        if isinstance(result, str):
            notes.append(result)
        else:
            checked.append(result)
            if again.intent:
                referenced.add(os.path.normpath(Path(path).parent / again.intent))
    for path, rendered, merged in loaded:
        try:
            must_have_folder = strict and os.path.normpath(path) not in referenced
            one = _check_one(path, rendered, template, strict=must_have_folder)
            checked.append(replace(one, with_patches=merged) if merged else one)
        except TalosGPUError as exc:
            errors.append(exc)
    if not checked and not errors and not notes:
        notes.append(_nothing_checked(named))
    return CheckReport(
        checked=tuple(checked), errors=tuple(errors), ignored=tuple(ignored), notes=tuple(notes)
    )


_UP = 3  # folders above a patch file where the intent naming it may be


def patch_users(path: str) -> list[str]:
    """The intents and inventories in ``path``'s folder or up to three folders above it (and
    their sub-folders one level down) whose text names it by its path relative to them, and
    whose ``patches:`` then resolve to it (patch files are relative to the intent file:
    docs/knowledge.md)."""
    target = Path(path).resolve()
    folder = target.parent
    found: list[str] = []
    seen: set[Path] = {target}
    for _ in range(_UP + 1):
        # the folder and its sub-folders one level down (talos/nodes/g.yaml naming
        # ../patches/net.yaml), never a rendered output folder or a hidden one
        here = [*folder.glob("*.y*ml"), *folder.glob("*/*.y*ml")]
        for candidate in sorted(here):
            parent = candidate.parent.name
            if parent != folder.name and (parent.endswith(".rendered") or parent.startswith(".")):
                continue
            if candidate.resolve() in seen or not candidate.name.endswith(_SUFFIXES):
                continue
            seen.add(candidate.resolve())
            try:
                rel = os.path.relpath(target, candidate.parent)
                text = candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError, ValueError):
                continue
            if rel in text and "patches" in text and target in _patch_files(candidate, text):
                found.append(os.path.normpath(os.path.relpath(candidate)))
        if folder.parent == folder:
            break
        folder = folder.parent
    return found


def _patch_files(candidate: Path, text: str) -> set[Path]:
    """Every ``file:`` a ``patches:`` list of the document names, resolved against its folder
    (an intent's, an inventory's defaults, roles and node overrides alike)."""
    from talosgpu import yamlio  # lazy: a cached check parses nothing (docs/ARCHITECTURE.md)

    try:
        docs = yamlio.load_all(text, source=str(candidate))
    except TalosGPUError:
        return set()
    out: set[Path] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "patches" and isinstance(inner, list):
                    for entry in inner:
                        if isinstance(entry, dict) and isinstance(entry.get("file"), str):
                            out.add((candidate.parent / entry["file"]).resolve())
                else:
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    for doc in docs:
        walk(doc)
    return out


def _nothing_checked(named: list[str]) -> str:
    """Said when a run checked nothing: a silent exit 0 would read as "all current"."""
    where = ", ".join(os.path.normpath(p) for p in named if os.path.isdir(p)) or "."
    if not named or any(os.path.isdir(p) for p in named):
        return (
            f"nothing checked: no X.yaml with an X.rendered/ folder below {where} (pass the "
            "intent and any patch rendered from it with `talosgpu render X.yaml -o FILE`)"
        )
    return (
        "nothing checked: none of the files given is an intent, an inventory or a talosgpu "
        "render (check reads .yaml/.yml files)"
    )


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


def _merged_folder(path: str, template: str) -> bool:
    """The committed folder of ``path`` was rendered with ``--with-patches`` (a ``patch.yaml``
    in it, or in a node's sub-folder, is a merged node patch): compare with that form, and say
    so in the fix, never with talosgpu's part alone."""
    try:
        folder = Path(rendered_folder(path, template))
    except TalosGPUError:
        return False
    for patch in (folder / "patch.yaml", *sorted(folder.glob("*/patch.yaml"))[:1]):
        try:
            if patch.is_file() and is_merged_patch(patch.read_text(encoding="utf-8")):
                return True
        except (OSError, UnicodeDecodeError):
            continue
    return False


def render_input(item: Input, *, with_patches: bool = False) -> RenderOutcome:
    """Classify and render ``item`` as ``render --output-dir`` would, through the render cache.

    The pre-commit hook meets unchanged intents on nearly every commit: on a hit (same bytes,
    same name, same talosgpu) nothing is parsed, so neither the YAML library nor pydantic is
    imported. ``kind`` None: YAML that is not talosgpu's.
    """
    source = os.path.normpath(item.path)
    return render_cached(
        item,
        key=["check", source, "with-patches" if with_patches else ""],
        what="dir",
        kindless="intent-like",
        ignore_unknown=True,
        source=source,
        with_patches=with_patches,
    )


def _check_output(path: str, item: Input, again: Rerender) -> FileCheck | str:
    """A committed ``talosgpu render … > FILE``: render it again as its header says (the intent
    beside it) and compare; a note (str) when its intent is not there to render."""
    source = os.path.normpath(path)
    intent: str | None = None
    if again.intent is not None:
        intent = os.path.normpath(Path(path).parent / again.intent)
        if not Path(intent).is_file():
            return (
                f"{source}: rendered from {again.intent}, which is not beside it: not checked "
                f"(render it again with `{again.command()} > {Path(path).name}` beside the intent)"
            )
    outcome = render_cached(
        read_input(intent) if intent is not None else None,
        # the key `talosgpu render` uses, so the two share cache entries
        key=["render", "patch", intent or "", again.profile or "", again.talos_version or "",
             again.from_version or "", "assume" if again.assume_newest_known else "",
             "with-patches" if again.with_patches else ""],
        what="patch",
        profile=again.profile,
        talos_version=again.talos_version,
        from_version=again.from_version,
        assume_newest_known=again.assume_newest_known,
        with_patches=again.with_patches,
    )  # fmt: skip
    problems: list[FileProblem] = []
    if outcome.text != item.text:
        # lazy: a check whose inputs are all current needs no YAML library
        from talosgpu.check.describe import describe_change

        details = describe_change(Path(path).name, item.text, outcome.text)
        problems.append(FileProblem(source, "stale", details))
    return FileCheck(
        source=source,
        kind="output",
        rendered_dir="",
        problems=tuple(problems),
        rendered_files=1,
        warnings=tuple(f"{source}: {w}" for w in outcome.warnings),
        rerender=f"{again.command(intent)} > {source}",
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
