"""``talosgpu lint``: read the files (folders searched, ``-`` for stdin), then lint them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from talosgpu.commands.inputs import STDIN, read_input
from talosgpu.commands.talconfig_refs import talconfig_patch_files, talconfig_versions
from talosgpu.commands.template_refs import template_refs
from talosgpu.errors import YAMLError
from talosgpu.lint.engine import lint_texts
from talosgpu.lint.findings import LintReport
from talosgpu.lint.target import ReleaseHint

if TYPE_CHECKING:
    from talosgpu.versions import TalosVersion

__all__ = ["LINT_SUFFIXES", "lint_files"]

# Suffixes picked up when a directory is given (.tpl: topf's Go-templated patches).
LINT_SUFFIXES = (".yaml", ".yml", ".json", ".j2", ".tmpl", ".tpl", ".md", ".mdx")


def _expand(paths: Sequence[str | Path]) -> list[str]:
    out: list[str] = []
    for item in paths:
        path = Path(item)
        if str(item) != STDIN and path.is_dir():
            out.extend(
                str(p)
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.name.lower().endswith(LINT_SUFFIXES)
            )
        else:
            out.append(str(item))
    return out


def lint_files(
    paths: str | Path | Sequence[str | Path],
    *,
    talos_version: str | TalosVersion | None = None,
    layers: bool = False,
    assume_newest_known: bool = False,
) -> LintReport:
    """Lint files (one path or several; ``-`` = stdin; directories are searched for
    YAML/JSON/template/Markdown).

    With ``layers=True`` the files are also read as layers of one node, in the order given
    (see :func:`talosgpu.lint.engine.lint_texts`). Unreadable input raises
    :class:`~talosgpu.errors.YAMLError` naming the file.
    """
    texts: list[tuple[str, str]] = []
    # one path as itself: a str is also a sequence, of characters ("." among them)
    expanded = _expand([paths] if isinstance(paths, str | Path) else paths)
    # a patch's release from the talconfig.yaml, topf.yaml or Omni template that names it
    # (commands/talconfig_refs.py, commands/template_refs.py); an Omni template's file patches
    # and a talconfig's @file patches are linted with it even when not given
    refs = template_refs(expanded)
    unreadable: list[YAMLError] = list(refs.missing)
    if not layers:  # layers are the files given, in order: nothing is added to one node
        expanded += list(refs.extra)
        # a talconfig's "@file" patches, each once (not again when given or named twice)
        talconfig = talconfig_patch_files(expanded)
        expanded += list(talconfig.extra)
        unreadable += talconfig.missing
    hints: dict[str, tuple[ReleaseHint, ...] | str] = dict(refs.hints)
    for source, version in talconfig_versions(expanded).items():
        hints[source] = (*(refs.hints.get(source, ())), ReleaseHint(version, "talconfig"))
    for path in expanded:
        try:
            item = read_input(path)
        except YAMLError as exc:  # not UTF-8, too large, a FIFO: said for that file, go on
            unreadable.append(exc)
            continue
        texts.append((item.text, item.source))
    return lint_texts(
        texts,
        talos_version=talos_version,
        layers=layers,
        assume_newest_known=assume_newest_known,
        unreadable=unreadable,
        release_hints=hints,
    )
