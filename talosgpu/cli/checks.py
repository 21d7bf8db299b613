"""``check`` and ``lint``: the pre-commit hook and the GPU traps in Talos files."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from talosgpu.cli.base import (
    EXIT_ERROR,
    assume_option,
    cli,
    emit,
    examples,
    format_option,
    note,
    report,
    warn,
)

if TYPE_CHECKING:
    pass


@cli.command("check", epilog=examples("check"))
@click.argument("files", nargs=-1, metavar="[FILES]...")
@click.option(
    "--rendered-dir",
    metavar="DIR",
    default=None,
    help="Where the rendered files are committed: a template with {dir} and {stem} "
    "(default '{dir}/{stem}.rendered'), or one folder when checking one file.",
)
@click.option(
    "--strict",
    is_flag=True,
    default=False,
    help="Render warnings are errors (exit 2) and an intent without rendered folder fails.",
)
@format_option
def check(
    files: tuple[str, ...],
    rendered_dir: str | None,
    strict: bool,
    output: str,
    dest: str | None,
) -> None:
    """Check that intents/inventories are valid and their committed rendered files current.

    Every intent (with or without kind) and inventory is validated; its X.rendered/ folder, or a
    committed `render X.yaml > patch.yaml` (by its header), is compared with a fresh render. A
    file inside X.rendered/ stands for X.yaml. Other YAML is named once at info. No FILES:
    every X.yaml with an X.rendered/ folder below the current folder.
    Exit 0 all current, 1 a rendered file differs / is missing / is extra, 2 invalid input.
    """
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.commands.check import check_files
    from talosgpu.commands.redact import safe_line

    result = check_files(files, rendered_dir=rendered_dir, strict=strict)
    emit(report(result, output), dest)
    if output == "json":  # errors, notes and warnings are in the document
        sys.exit(result.exit_code if not (strict and result.warnings) else EXIT_ERROR)
    for line in result.notes:
        note(f"talosgpu: info: {safe_line(line)}")
    for error in result.errors:
        click.echo(f"talosgpu: error: {safe_line(str(error))}", err=True)
    warn(result.warnings, strict=strict)
    sys.exit(result.exit_code)


@cli.command("lint", epilog=examples("lint"))
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "--talos-version",
    "talos_version",
    metavar="X.Y",
    default=None,
    help="Target Talos release (default: from the file, else the newest known).",
)
@format_option
@click.option(
    "--layers",
    is_flag=True,
    default=False,
    help="FILEs are layers of one node in order (base first): also check across them.",
)
@click.option("--strict", is_flag=True, default=False, help="Info findings also fail (exit 1).")
@assume_option
def lint_command(
    files: tuple[str, ...],
    talos_version: str | None,
    output: str,
    dest: str | None,
    layers: bool,
    strict: bool,
    assume_newest_known: bool,
) -> None:
    """Check Talos patches, machine configs and talconfig.yaml FILEs (- for stdin; directories
    are searched) for known NVIDIA GPU traps.

    Exit 0 clean, 1 findings (warnings or errors; info too with --strict), 2 unreadable input.
    """
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.commands.lint import lint_files
    from talosgpu.lint.findings import exit_code
    from talosgpu.report.lint import summary_line

    result = lint_files(
        list(files),
        talos_version=talos_version,
        layers=layers,
        assume_newest_known=assume_newest_known,
    )
    emit(report(result, output), dest, colour=output == "text")
    if output == "text":
        note(summary_line(result))
    sys.exit(exit_code(result, strict=strict))
