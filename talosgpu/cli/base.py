"""What every command shares: exit codes, --help examples, output helpers (one error line,
warnings, colour, atomic writes), the common options and the ``talosgpu`` click group."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TypeVar, cast

import click

from talosgpu._version import __version__

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


# Each command's --help ends with these; tests/acceptance/test_help_examples.py runs every one
# in a folder holding node.yaml (an intent), fleet.yaml (an inventory), live.yaml (a node's
# config), live/ (one per fleet node), spec.yaml (a CDI spec), error.log and patch.yaml.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "render": (
        "talosgpu render node.yaml",
        "talosgpu render node.yaml --explain",
        "talosgpu render node.yaml --talos-version 1.14 --from-version 1.13 -o patch-1.14.yaml",
        "talosgpu render fleet.yaml --output-dir rendered",
        "talosgpu render --profile nvidia-cdi --manifests",
    ),
    "profiles": ("talosgpu profiles", "talosgpu profiles --format json"),
    "profiles show": ("talosgpu profiles show nvidia-cdi",),
    "schema": ("talosgpu schema -o intent.schema.json",),
    "helm-values": ("talosgpu helm-values node.yaml",),
    "cdi validate": (
        "talosgpu cdi validate spec.yaml --talos-version 1.11",
        "talosgpu cdi validate spec.yaml --format json",
    ),
    "cdi patch-hooks": (
        "talosgpu cdi patch-hooks spec.yaml --strategy real-binaries -o fixed.yaml",
    ),
    "patch": (
        "talosgpu patch live.yaml -p patch.yaml --redact",
        "talosgpu patch live.yaml -p 'machine: {sysctls: {vm.swappiness: \"10\"}}' -o new.yaml",
    ),
    "explain": (
        "talosgpu explain 'unknown command nvidia-cdi-hook'",
        "talosgpu explain @error.log --talos-version 1.11 --format json",
    ),
    "schematic": ("talosgpu schematic node.yaml", "talosgpu schematic node.yaml --id"),
    "check": ("talosgpu check node.yaml patch.yaml", "talosgpu check --format json node.yaml"),
    "lint": (
        "talosgpu lint patch.yaml live.yaml",
        "talosgpu lint --layers live.yaml patch.yaml --talos-version 1.11",
    ),
    "diff": (
        "talosgpu diff node.yaml --live live.yaml",
        "talosgpu diff node.yaml --node 10.0.0.5 --format json",
        "talosgpu diff fleet.yaml --all --live-dir live --jobs 8",
    ),
    "doctor": (
        "talosgpu doctor node.yaml --bundle support.zip",
        "talosgpu doctor node.yaml --bundle support.zip --events events.txt --format json",
    ),
    "apply": (
        "talosgpu apply node.yaml --node 10.0.0.5 --dry-run --yes",
        "talosgpu apply node.yaml --node 10.0.0.5 --yes",
        "talosgpu apply node.yaml --node 10.0.0.5 --dry-run --yes --format json",
    ),
}


def examples(command: str) -> str:
    """The Examples section of a command's --help (\\b keeps click from re-wrapping it)."""
    return "\b\nExamples:\n" + "".join(f"  {line}\n" for line in EXAMPLES[command])


def fail(message: str) -> NoReturn:
    """Print one error line and exit 2."""
    click.echo(f"talosgpu: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _quiet() -> bool:
    """``talosgpu --quiet``: no warnings, notes or progress on stderr (errors still print)."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().params.get("quiet"))


def note(message: str) -> None:
    """One informational line on stderr (``wrote …``, ``info: …``, progress) unless --quiet."""
    if not _quiet():
        click.echo(message, err=True)


def warn(messages: Sequence[str], *, strict: bool = False) -> None:
    """Print warnings on stderr (not with --quiet); with ``--strict`` they are errors (exit 2),
    and printed even with --quiet (an error says why)."""
    if strict or not _quiet():
        for message in messages:
            click.echo(f"talosgpu: warning: {message}", err=True)
    if strict and messages:
        fail(f"{len(messages)} warning(s) treated as errors (--strict)")


# Colour on a terminal, by the first mark of a report line (diff: + added, - removed, ~
# changed, > moved; lint: the severity after the location). Off when stdout is not a
# terminal, with NO_COLOR set (no-color.org) or TERM=dumb; never in files, and callers ask for
# it only for text reports.
_DIFF_MARKS = {"+": "green", "-": "red", "~": "yellow", ">": "cyan"}


_SEVERITIES = {": error ": "red", ": warning ": "yellow", ": info ": "blue"}


def _colour_line(line: str) -> str:
    mark = line.lstrip()[:2]
    if len(mark) == 2 and mark[1] == " " and mark[0] in _DIFF_MARKS:
        return click.style(line, fg=_DIFF_MARKS[mark[0]])
    for word, colour in _SEVERITIES.items():
        if word in line:
            before, after = line.split(word, 1)
            return before + click.style(word, fg=colour, bold=True) + after
    return line


def _colour(text: str) -> str:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return text
    if not sys.stdout.isatty():
        return text
    return "".join(_colour_line(line) + "\n" for line in text.splitlines())


def emit(text: str, output: str | None = None, *, colour: bool = False) -> None:
    """Write ``text`` to ``output`` atomically, or to stdout when no output is given; a diff or
    lint report (``colour``) is coloured on a terminal."""
    if output in (None, "-"):
        click.echo(_colour(text) if colour else text, nl=False)
        return
    from talosgpu.fsio import write_atomic  # lazy: stdout needs no file I/O helpers

    write_atomic(output, text)


def report(result: object, fmt: str = "text", **options: Any) -> str:
    from talosgpu.report import format_report  # lazy: see the module docstring

    return format_report(result, fmt, **options)


_WROTE_EACH = 20  # beyond this (a fleet's folder), one line says how many and where


def wrote(paths: Sequence[object], *, folder: str | None = None) -> None:
    if folder is not None and len(paths) > _WROTE_EACH:
        note(f"wrote {len(paths):,} files under {folder}")
        return
    for path in paths:
        note(f"wrote {path}")


def timeout_option(func: F) -> F:
    return click.option(
        "--timeout",
        type=click.FloatRange(min=1),
        default=None,
        metavar="SECONDS",
        help="Seconds each talosctl call may take before it is killed "
        "[default: 60 to read a config, 300 to patch].",
    )(func)


def show_secrets_option(func: F) -> F:
    return click.option(
        "--show-secrets",
        is_flag=True,
        default=False,
        help="Print secret values instead of redacting them.",
    )(func)


def strict_option(func: F) -> F:
    return click.option(
        "--strict", is_flag=True, default=False, help="Treat warnings as errors (exit 2)."
    )(func)


def assume_option(func: F) -> F:
    return click.option(
        "--assume-newest-known",
        "assume_newest_known",
        is_flag=True,
        default=False,
        help="Accept a Talos release newer than talosgpu knows, using the newest known facts "
        "(said in the output). Without it such a release is refused.",
    )(func)


def version_option(func: F) -> F:
    func = assume_option(func)
    return click.option(
        "--talos-version",
        "talos_version",
        metavar="X.Y",
        default=None,
        help="Target Talos version (overrides the intent's talosVersion).",
    )(func)


def format_choice(*choices: str, default: str | None, help: str) -> Callable[[F], F]:
    """The ``--format`` option (the command gets ``report_format``)."""
    return click.option(
        "--format", "report_format", type=click.Choice(choices), default=default, help=help
    )


def format_option(func: F) -> F:
    """``--format text|json`` picks the report's form, ``-o/--output FILE`` writes it to a file
    (as for every command). The command gets ``output`` (the form) and ``dest`` (the file or
    None). The old ``--output json|text`` spelling still picks the form, with a warning, for
    one release."""

    @functools.wraps(func)
    def wrapper(*args: Any, report_format: str | None, output: str | None, **kwargs: Any) -> Any:
        form, dest = report_format, output
        if output in ("text", "json"):
            warn(
                [
                    f"--output {output} is deprecated: use --format {output} "
                    "(-o/--output names the file the report is written to)"
                ]
            )
            if report_format not in (None, output):
                fail(f"--format {report_format} and --output {output} cannot be combined")
            form, dest = output, None
        return func(*args, output=form or "text", dest=dest, **kwargs)

    wrapped = format_choice("text", "json", default=None, help="Report format (default text).")(
        wrapper
    )
    option = click.option(
        "-o", "--output", metavar="FILE", default=None, help="Write the report to FILE."
    )
    return cast("F", option(wrapped))


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from talosgpu.versions import releases_line  # lazy: only --version reads the table

    # the version from the package itself: package metadata (importlib.metadata) made
    # --version half again as slow as --help
    click.echo(f"talosgpu, version {__version__}\n{releases_line()}")
    ctx.exit(0)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and the Talos releases it knows, and exit.",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    default=False,
    help="No warnings, notes or progress on stderr; errors and reports still print.",
)
def cli(quiet: bool) -> None:
    """Version-aware Talos machine-config patches for NVIDIA GPU nodes.

    Typed intent in; Talos patches, containerd CRI customization, Kubernetes objects and a
    semantic, secret-redacted diff against the live node out.
    """
