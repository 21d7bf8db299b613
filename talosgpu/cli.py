"""The ``talosgpu`` command line: click declarations only.

Each command turns its options into one call of a use case in :mod:`talosgpu.commands`, hands
the result to the reporter (:func:`talosgpu.report.format_report`) and maps it to an exit code.
This is the only module that imports click. Use cases are imported inside the command bodies
(lazy: ``talosgpu --help`` and a cached ``render``/``check`` must not import the library; pre-commit
runs them on every commit). Every failure the library raises on purpose is a ``TalosGPUError``:
printed as one line on stderr, exit 2, no traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

import click

from talosgpu._version import __version__

if TYPE_CHECKING:
    from talosgpu.commands.diff import DiffResult
    from talosgpu.commands.render import RenderWhat

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


# ----------------------------------------------------------------------------- helpers
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


# ----------------------------------------------------------------------------- group
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


# --- render / profiles / schema ----------------------------------------------------------
@cli.command(epilog=examples("render"))
@click.argument("intent", required=False, metavar="[INTENT]")
@click.option("--profile", "-P", metavar="NAME", help="Render a bundled profile instead of a file.")
@version_option
@click.option(
    "--from-version",
    metavar="X.Y",
    help="With a 1.14+ target: also delete the deprecated fields a node of this version carries.",
)
@click.option("-o", "--output", metavar="FILE", help="Write the patch to FILE (atomically).")
@click.option(
    "--output-dir",
    metavar="DIR",
    help="Write patch.yaml, the CRI part, schematic.yaml, manifests.yaml and plan.json to DIR.",
)
@click.option("--explain", is_flag=True, help="Print the plan's choices and reasons instead.")
@format_choice(
    "yaml",
    "json",
    default="yaml",
    help="yaml: the patch; json: its documents, the CRI part, the decisions and warnings.",
)
@click.option(
    "--manifests", "manifests_only", is_flag=True, help="Print the Kubernetes manifests instead."
)
@click.option(
    "--with-patches",
    is_flag=True,
    help="Merge the intent's patches (the rest of the node's config) into the patch.",
)
@strict_option
def render(
    intent: str | None,
    profile: str | None,
    talos_version: str | None,
    from_version: str | None,
    output: str | None,
    output_dir: str | None,
    explain: bool,
    manifests_only: bool,
    report_format: str,
    with_patches: bool,
    strict: bool,
    assume_newest_known: bool,
) -> None:
    """Render the Talos patch for INTENT (a file, - for stdin) or --profile NAME."""
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.commands.render import render_outputs

    # Each of these picks what render writes; -o only picks where the text goes.
    forms = {"--output-dir": bool(output_dir), "--explain": explain, "--manifests": manifests_only,
             "--format json": report_format == "json"}  # fmt: skip
    chosen = [flag for flag, on in forms.items() if on]
    if len(chosen) > 1 or (output and output_dir):
        both = " and ".join(chosen if len(chosen) > 1 else ["-o/--output", "--output-dir"])
        fail(f"{both} cannot be combined: each picks what render writes")
    what: RenderWhat = (
        "explain"
        if explain
        else "manifests"
        if manifests_only
        else "dir"
        if output_dir
        else "json"
        if report_format == "json"
        else "patch"
    )
    if output_dir == "":
        fail("--output-dir: give a folder")
    if output_dir:
        # lazy: --help and cached runs must not load the library (module docstring)
        from talosgpu.commands.render import check_output_dir

        check_output_dir(output_dir)  # before any warning: an error is one line
    outcome = render_outputs(
        intent,
        profile=profile,
        what=what,
        talos_version=talos_version,
        from_version=from_version,
        assume_newest_known=assume_newest_known,
        with_patches=with_patches,
    )
    warn(outcome.warnings, strict=strict)
    if outcome.what == "dir":
        # lazy: --help and cached runs must not load the library (module docstring)
        # lazy: --help and cached runs must not load the library (module docstring)
        from talosgpu.commands.render import write_output_dir

        wrote(write_output_dir(str(output_dir), dict(outcome.files)), folder=str(output_dir))
        return
    emit(report(outcome), output)


@cli.group(invoke_without_command=True, epilog=examples("profiles"))
@format_choice("text", "json", default="text", help="List format (default text).")
@click.pass_context
def profiles(ctx: click.Context, report_format: str) -> None:
    """List the bundled profiles (profiles show NAME prints one)."""
    if ctx.invoked_subcommand is None:
        # lazy: --help and cached runs must not load the library (module docstring)
        from talosgpu.commands.profiles import profile_rows

        rows = profile_rows()
        if report_format == "json":
            import json  # lazy: only the JSON form needs it

            items = [{"name": name, "description": text} for name, text in rows]
            emit(json.dumps({"version": 1, "profiles": items}, indent=2) + "\n")
            return
        for name, description in rows:
            click.echo(f"{name:<20} {description}")


@profiles.command("show", epilog=examples("profiles show"))
@click.argument("name")
def profiles_show(name: str) -> None:
    """Print the intent YAML of profile NAME."""
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.profiles import profile_text

    emit(profile_text(name))


@cli.command(epilog=examples("schema"))
@click.option("-o", "--output", metavar="FILE", help="Write the schema to FILE.")
def schema(output: str | None) -> None:
    """Print the JSON Schema of the intent format."""
    import json

    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.commands.profiles import intent_schema

    emit(json.dumps(intent_schema(), indent=2, sort_keys=True) + "\n", output)


# --- helm-values (Kubernetes side) -----------------------------------------------------------
@cli.command("helm-values", epilog=examples("helm-values"))
@click.argument("intent", required=False, metavar="[INTENT]")
@click.option("--profile", "-P", metavar="NAME", help="Use a bundled profile instead of a file.")
@version_option
@click.option("-o", "--output", metavar="FILE", help="Write the values to FILE (atomically).")
@strict_option
def helm_values(
    intent: str | None,
    profile: str | None,
    talos_version: str | None,
    output: str | None,
    strict: bool,
    assume_newest_known: bool,
) -> None:
    """Helm values for the NVIDIA chart INTENT's runtime mode installs.

    The nvidia-device-plugin chart (runtime modes cdi, legacy) or the gpu-operator chart
    (operator). Apply `talosgpu render --manifests` first: it creates the namespace and config.
    """
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.commands.helm_values import render_helm_values

    values, warnings = render_helm_values(
        intent,
        profile=profile,
        talos_version=talos_version,
        assume_newest_known=assume_newest_known,
    )
    warn(warnings, strict=strict)
    emit(values, output)


# --- cdi validate / patch-hooks --------------------------------------------------------------
@cli.group("cdi")
def cdi_group() -> None:
    """Validate CDI specs like the runtime loader and fix their hook paths for Talos."""


@cdi_group.command("validate", epilog=examples("cdi validate"))
@click.argument("spec", metavar="SPEC")
@click.option(
    "--device-id-strategy",
    type=click.Choice(["uuid", "index"]),
    default=None,
    help="Check the device names the NVIDIA device plugin will request.",
)
@click.option(
    "--talos-version",
    "talos_version",
    metavar="X.Y",
    default=None,
    help="Check hook paths against this Talos release's NVIDIA extension.",
)
@format_option
@click.option("--strict", is_flag=True, default=False, help="Warnings also fail (exit 1).")
@assume_option
def cdi_validate(
    spec: str,
    device_id_strategy: str | None,
    talos_version: str | None,
    output: str,
    dest: str | None,
    strict: bool,
    assume_newest_known: bool,
) -> None:
    """Validate the CDI spec SPEC (YAML or JSON; - for stdin).

    Exit 0 valid, 1 findings (errors; warnings too with --strict), 2 unreadable or not a CDI spec.
    """
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.cdi.findings import exit_code
    from talosgpu.commands.cdi import validate_spec_file

    result = validate_spec_file(
        spec,
        device_id_strategy=device_id_strategy,  # type: ignore[arg-type]
        talos_version=talos_version,
        assume_newest_known=assume_newest_known,
    )
    emit(report(result, output, strict=strict), dest)
    sys.exit(exit_code(result.findings, strict=strict))


@cdi_group.command("patch-hooks", epilog=examples("cdi patch-hooks"))
@click.argument("spec", metavar="SPEC")
@click.option(
    "--strategy",
    type=click.Choice(["real-binaries", "usr-bin"]),
    default="real-binaries",
    show_default=True,
    help="real-binaries: /usr/local/bin/*.real (Talos 1.8-1.12); usr-bin: /usr/bin (1.13+).",
)
@click.option("-o", "--output", metavar="FILE", help="Write the spec to FILE (atomically).")
def cdi_patch_hooks(spec: str, strategy: str, output: str | None) -> None:
    """Rewrite the NVIDIA hook paths of SPEC (- for stdin); the spec goes to stdout or FILE.

    Only hooks[].path changes (args, the hook's argv, stay); re-running is a no-op.
    """
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.commands.cdi import patch_spec_hooks

    result, source = patch_spec_hooks(spec, strategy=strategy)  # type: ignore[arg-type]
    for change in result.changes:
        note(f"talosgpu: {source}: {change.path}: {change.old} -> {change.new}")
    count = len(result.changes)
    summary = f"{count} hook path(s) rewritten" if count else "no hook paths to rewrite"
    note(f"talosgpu: {source}: {summary} (strategy {strategy})")
    emit(result.text, output)


# --- patch (Talos strategic merge / JSON6902, like talosctl machineconfig patch) -------------
@cli.command("patch", epilog=examples("patch"))
@click.argument("config", metavar="CONFIG")
@click.option(
    "-p",
    "--patch",
    "patch_specs",
    multiple=True,
    required=True,
    metavar="PATCH",
    help="@file, a file name, or inline YAML/JSON (strategic merge or JSON6902); repeatable.",
)
@click.option(
    "-o", "--output", metavar="FILE", help="Write the merged config to FILE (mode 0600, atomic)."
)
@click.option(
    "--talos-version",
    "talos_version",
    metavar="X.Y",
    default=None,
    help="Merge like this Talos release (default: the config's installer image tag, else the "
    "newest known, said as an assumption).",
)
@click.option(
    "--redact",
    is_flag=True,
    default=False,
    help="Mask secret values: a view to share, not a config to apply.",
)
@click.option("--show-secrets", "legacy_show_secrets", is_flag=True, hidden=True)
@assume_option
def patch_command(
    config: str,
    patch_specs: tuple[str, ...],
    output: str | None,
    talos_version: str | None,
    redact: bool,
    legacy_show_secrets: bool,
    assume_newest_known: bool,
) -> None:
    """Apply patches to CONFIG (- for stdin) exactly as Talos does; print the merged config.

    The output is the whole config, secrets included, as talosctl machineconfig patch
    prints it: it can be applied as is. --redact masks them for sharing. CONFIG may be a
    plain config or talosctl get machineconfig -o yaml output.

    \b
    Example:
      talosgpu patch worker.yaml -p @gpu-patch.yaml -o worker-gpu.yaml

    Exit 0 ok, 2 bad input, or a config or merge Talos would also reject.
    """
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.commands.patch import patch_config
    from talosgpu.fsio import write_atomic

    del legacy_show_secrets  # the old opt-in to the whole config, now the default
    outcome = patch_config(
        config,
        patch_specs,
        talos_version=talos_version,
        redact=redact,
        assume_newest_known=assume_newest_known,
    )
    for warning in outcome.warnings:
        note(f"talosgpu: warning: {warning}")
    if output not in (None, "-"):
        # a config with its secrets: never readable by others (0600), whatever was there
        write_atomic(output, outcome.text, mode=0o600)
        note(f"wrote {output}")
        return
    if not redact and sys.stdout.isatty():
        click.echo(
            "talosgpu: note: this config holds its secrets; --redact masks them for sharing",
            err=True,
        )
    click.echo(outcome.text, nl=False)


# --- explain / schematic (knowledge: known failures, Image Factory) --------------------------
@cli.command("explain", epilog=examples("explain"))
@click.argument("text", required=False, metavar="[TEXT | - | @FILE]")
@click.option(
    "--talos-version",
    "talos_version",
    metavar="X.Y",
    default=None,
    help="Give the fixes for this Talos release and say whether each failure is known on it.",
)
@format_option
@assume_option
def explain_command(
    text: str | None,
    talos_version: str | None,
    output: str,
    dest: str | None,
    assume_newest_known: bool,
) -> None:
    """Explain known GPU-node failures found in TEXT (an error message or a log).

    No TEXT or - reads stdin; @FILE reads a file. Exit 0 something matched, 1 nothing did,
    2 bad input.
    """
    if text is None and sys.stdin.isatty():
        # nothing piped in: waiting on the terminal would look like a hang
        click.echo(click.get_current_context().get_usage(), err=True)
        fail("explain: give the error text, - (and pipe it in) or @FILE")
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.commands.explain import explain_input

    result = explain_input(
        text, talos_version=talos_version, assume_newest_known=assume_newest_known
    )
    emit(report(result, output), dest)
    sys.exit(EXIT_OK if result.matches else EXIT_FINDINGS)


@cli.command("schematic", epilog=examples("schematic"))
@click.argument("intent", required=False, metavar="[INTENT]")
@click.option("--profile", "-P", metavar="NAME", help="Use a bundled profile's GPU settings.")
@version_option
@click.option(
    "--flavour",
    type=click.Choice(["open", "proprietary"]),
    default=None,
    help="Kernel modules: open (Turing+) or proprietary (nonfree-kmod-nvidia). "
    "Default: the intent's, else open.",
)
@click.option(
    "--branch",
    type=click.Choice(["lts", "production", "new-feature"]),
    default=None,
    help="Driver branch of the NVIDIA extensions (Talos 1.8+; new-feature from 1.15). Default: "
    "the intent's, else lts.",
)
@click.option(
    "--fabric-manager", is_flag=True, default=None, help="Add nvidia-fabricmanager (HGX/NVSwitch)."
)
@click.option(
    "--kernel-arg",
    "kernel_args",
    multiple=True,
    metavar="ARG",
    help="Extra kernel argument (repeatable).",
)
@click.option(
    "--extension",
    "extensions",
    multiple=True,
    metavar="NAME",
    help="Extra official extension (repeatable).",
)
@click.option("--id", "id_only", is_flag=True, help="Print only the schematic ID.")
@format_option
def schematic_command(
    intent: str | None,
    profile: str | None,
    talos_version: str | None,
    flavour: str | None,
    branch: str | None,
    fabric_manager: bool | None,
    kernel_args: tuple[str, ...],
    extensions: tuple[str, ...],
    id_only: bool,
    output: str,
    dest: str | None,
    assume_newest_known: bool,
) -> None:
    """Print the Image Factory schematic of a GPU node (canonical YAML, or its ID with --id).

    Settings come from INTENT (a file, - for stdin) or --profile when given; flags override
    them. The installer image goes to stderr as '# installer: ...' (with --format json: the
    document holds schematic, id, extensions, kernel args and installer). Exit 0, 2 bad input.
    """
    if output == "json" and id_only:
        fail("--id and --format json cannot be combined: the JSON holds the id")
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.commands.schematic import schematic

    result, warnings = schematic(
        intent,
        profile=profile,
        talos_version=talos_version,
        flavour=flavour,  # type: ignore[arg-type]
        branch=branch,  # type: ignore[arg-type]
        fabric_manager=fabric_manager,
        extra_kernel_args=kernel_args,
        extra_extensions=extensions,
        assume_newest_known=assume_newest_known,
    )
    warn(warnings)
    if output == "json":
        import json  # lazy: only the JSON form needs it

        document = {
            "version": 1,
            "id": result.id,
            "schematic": result.yaml,
            "extensions": list(result.extensions),
            "extraKernelArgs": list(result.extra_kernel_args),
            "installerImage": result.installer_image,
        }
        emit(json.dumps(document, indent=2) + "\n", dest)
        return
    emit(result.id + "\n" if id_only else result.yaml, dest)
    note(f"# installer: {result.installer_image}")


# --- check (pre-commit: intents valid, committed rendered files current) -------------------
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


# --- lint (known GPU traps in Talos patches, configs, talconfig.yaml) ------------------------
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


# --- diff / apply (live vs proposed config, reboot impact, talosctl patch) -------------------
@cli.command("diff", epilog=examples("diff"))
@click.argument("intent", required=False, metavar="[INTENT]")
@click.option("--profile", "-P", metavar="NAME", help="Diff a bundled profile instead of a file.")
@click.option(
    "--live",
    metavar="FILE",
    help="The live config: a file or - for stdin (plain, or talosctl get mc -o yaml output).",
)
@click.option(
    "--node",
    "-n",
    metavar="ADDR",
    help="Fetch the live config with talosctl (default: the intent's node.address); with an "
    "inventory, the name or address of one of its nodes.",
)
@click.option("--all", "all_nodes", is_flag=True, help="INTENT is an inventory: diff every node.")
@click.option(
    "--live-dir", metavar="DIR", help="With --all: read each node's config from DIR/<node>.yaml."
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="With --all: nodes in parallel.",
)
@version_option
@click.option("--talosconfig", metavar="PATH", help="talosctl's config file.")
@timeout_option
@format_option
@show_secrets_option
@strict_option
def diff_command(
    intent: str | None,
    profile: str | None,
    live: str | None,
    node: str | None,
    all_nodes: bool,
    live_dir: str | None,
    jobs: int,
    talos_version: str | None,
    talosconfig: str | None,
    timeout: float | None,
    output: str,
    dest: str | None,
    show_secrets: bool,
    strict: bool,
    assume_newest_known: bool,
) -> None:
    """Show what INTENT (or --profile) changes on a node, and whether it reboots.

    With --all, INTENT is an inventory and every node is diffed (live configs fetched with
    talosctl from each node's address, or read from --live-dir), --jobs at a time.
    Exit 0 no changes, 1 changes, 2 error. Secrets are redacted unless --show-secrets.
    """
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.errors import TalosGPUError

    if all_nodes:
        if intent is None or profile or live or node:
            raise TalosGPUError("--all takes an inventory file, without --profile/--live/--node")
        # lazy: --help and cached runs must not load the library (module docstring)
        from talosgpu.commands.fleet_remote import diff_fleet

        fleet = diff_fleet(
            intent,
            live_dir=live_dir,
            talos_version=talos_version,
            talosconfig=talosconfig,
            jobs=jobs,
            show_secrets=show_secrets,
            assume_newest_known=assume_newest_known,
            timeout=timeout,
            on_node=_progress() if sys.stderr.isatty() else None,
        )
        emit(report(fleet, output), dest, colour=output == "text")
        sys.exit(fleet.exit_code)
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.commands.diff import diff

    result = diff(
        intent,
        profile=profile,
        live=live,
        node=node,
        talos_version=talos_version,
        talosconfig=talosconfig,
        show_secrets=show_secrets,
        assume_newest_known=assume_newest_known,
        timeout=timeout,
    )
    warn(_diff_warnings(result), strict=strict)
    emit(report(result, output, warnings=output == "json"), dest, colour=output == "text")
    sys.exit(EXIT_FINDINGS if result.changed else EXIT_OK)


def _diff_warnings(result: DiffResult) -> list[str]:
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.commands.redact import scrub_lines

    return scrub_lines(
        result.warnings, secrets=result.diff.secrets, show_secrets=result.show_secrets
    )


# --- doctor (a live node or a support bundle against its plan) --------------------------
@cli.command("doctor", epilog=examples("doctor"))
@click.argument("intent", required=False, metavar="[INTENT|INVENTORY]")
@click.option("--profile", "-P", metavar="NAME", help="Check against a bundled profile.")
@click.option(
    "--node", "-n", metavar="ADDR", help="The node (talosctl -n); with --bundle: its folder."
)
@click.option("--all", "all_nodes", is_flag=True, help="INTENT is an inventory: every node.")
@click.option("--bundle", metavar="FILE", help="Read a talosctl support zip instead of the node.")
@click.option("--events", metavar="FILE", help="Pasted kubectl describe / events output (- stdin).")
@click.option(
    "--k8s-node", metavar="NAME", help="The Kubernetes node name (default: the intent's)."
)
@click.option("--kubeconfig", metavar="PATH", help="kubectl's config file.")
@click.option("--talosconfig", metavar="PATH", help="talosctl's config file.")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=4, show_default=True,
    help="With --all: nodes in parallel.",
)  # fmt: skip
@click.option("--probe", is_flag=True, help="Also run the verification pods through kubectl.")
@click.option(
    "--probe-timeout", type=click.FloatRange(min=1), default=300.0, show_default=True,
    metavar="SECONDS", help="With --probe: how long each workload may take.",
)  # fmt: skip
@version_option
@timeout_option
@format_option
@show_secrets_option
@click.option("--strict", is_flag=True, default=False, help="Count warnings as problems (exit 1).")
def doctor_command(
    intent: str | None,
    profile: str | None,
    node: str | None,
    all_nodes: bool,
    bundle: str | None,
    events: str | None,
    k8s_node: str | None,
    kubeconfig: str | None,
    talosconfig: str | None,
    jobs: int,
    probe: bool,
    probe_timeout: float,
    talos_version: str | None,
    timeout: float | None,
    output: str,
    dest: str | None,
    show_secrets: bool,
    strict: bool,
    assume_newest_known: bool,
) -> None:
    """Diagnose a GPU node against the plan for its Talos release: checks, evidence, fixes.

    Live with --node (talosctl; kubectl for the Kubernetes side), or offline from a talosctl
    support zip (--bundle) and pasted events (--events). Without INTENT the checks use
    talosgpu's defaults for the node's release. --probe runs the verification workloads and
    deletes them afterwards. Exit 0 healthy, 1 problems found, 2 could not run.
    """
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.errors import TalosGPUError

    if all_nodes:
        if intent is None or profile or bundle or node or probe:
            raise TalosGPUError(
                "--all takes an inventory file, without --profile/--node/--bundle/--probe"
            )
        # lazy: --help and cached runs must not load the library (module docstring)
        from talosgpu.commands.doctor_fleet import doctor_fleet

        fleet = doctor_fleet(
            intent, talos_version=talos_version, talosconfig=talosconfig, kubeconfig=kubeconfig,
            jobs=jobs, timeout=timeout, show_secrets=show_secrets,
            assume_newest_known=assume_newest_known, strict=strict,
            on_node=_doctor_progress() if sys.stderr.isatty() else None,
        )  # fmt: skip
        emit(report(fleet, output), dest)
        sys.exit(fleet.exit_code)
    if probe and bundle:
        raise TalosGPUError(
            "--probe runs pods on the live cluster; it cannot be used with --bundle"
        )
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.commands.doctor import doctor

    result = doctor(
        intent, profile=profile, node=node, bundle=bundle, events=events,
        talos_version=talos_version, talosconfig=talosconfig, kubeconfig=kubeconfig,
        k8s_node=k8s_node, timeout=timeout, show_secrets=show_secrets,
        assume_newest_known=assume_newest_known, strict=strict,
    )  # fmt: skip
    if probe:
        # lazy: only --probe starts pods
        from talosgpu.commands.doctor_probe import with_probes

        result = with_probes(result, intent, profile=profile, kubeconfig=kubeconfig,
                             talos_version=result.talos_version, timeout=probe_timeout,
                             show_secrets=show_secrets, node=node)  # fmt: skip
    emit(report(result, output), dest)
    sys.exit(result.exit_code)


@cli.command("apply", epilog=examples("apply"))
@click.argument("intent", required=False, metavar="[INTENT]")
@click.option("--profile", "-P", metavar="NAME", help="Apply a bundled profile instead of a file.")
@click.option(
    "--node",
    "-n",
    metavar="ADDR",
    help="The node to patch (default: the intent's node.address); with an inventory, the name "
    "or address of one of its nodes.",
)
@click.option(
    "--all",
    "all_nodes",
    is_flag=True,
    help="INTENT is an inventory: apply every node, one after the other.",
)
@click.option(
    "--mode",
    type=click.Choice(["auto", "no-reboot", "staged", "try"]),
    default="auto",
    show_default=True,
    help="talosctl apply mode.",
)
@click.option("--dry-run", is_flag=True, help="Run talosctl with --dry-run: nothing changes.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@format_choice(
    "text",
    "json",
    default="text",
    help="json (with --yes or --dry-run): the diff, what was done, talosctl's output.",
)
@version_option
@click.option("--talosconfig", metavar="PATH", help="talosctl's config file.")
@timeout_option
@show_secrets_option
def apply_command(
    intent: str | None,
    profile: str | None,
    node: str | None,
    all_nodes: bool,
    mode: str,
    dry_run: bool,
    yes: bool,
    report_format: str,
    talos_version: str | None,
    talosconfig: str | None,
    timeout: float | None,
    show_secrets: bool,
    assume_newest_known: bool,
) -> None:
    """Show the diff for INTENT on --node, confirm, then patch the node with talosctl.

    Right before patching the config is read again; if it changed since the diff, nothing is
    sent. With --all, INTENT is an inventory and its nodes are applied one after the other
    (each diff shown and confirmed, each outcome printed as it happens); the first failure
    stops the run, Ctrl-C stops it after the node in flight.

    Exit 0 applied (or nothing to do, or dry run done), 1 declined at the prompt, 2 error or
    refusal (no terminal and no --yes; --mode no-reboot/try when the change reboots; the
    config changed since the diff; a node failed), 130 interrupted.
    """
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.errors import TalosGPUError

    options: dict[str, Any] = {
        "mode": mode,
        "dry_run": dry_run,
        "talosconfig": talosconfig,
        "talos_version": talos_version,
        "show_secrets": show_secrets,
        "assume_newest_known": assume_newest_known,
        "timeout": timeout,
    }
    as_json = report_format == "json"
    if as_json and not (yes or dry_run):
        fail("--format json needs --yes or --dry-run: there is no prompt in a JSON run")
    if all_nodes:
        if intent is None or profile or node:
            raise TalosGPUError("--all takes an inventory file, without --profile/--node")
        _apply_fleet(intent, yes=yes, options=options, as_json=as_json)
        return
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.commands.apply import apply

    outcome = apply(
        intent,
        profile=profile,
        node=node,
        on_diff=None
        if as_json
        else (lambda result: _show_apply_diff(result.address or "", result)),
        confirm=lambda result: _confirm_apply(result.address or "", result, yes=yes),
        **options,
    )
    node = outcome.result.address or node or ""
    if as_json:
        _apply_json(node, outcome)
        sys.exit(EXIT_INTERRUPTED if outcome.interrupted else EXIT_OK)
    for run in outcome.runs:
        if run.stdout:
            click.echo(run.stdout, nl=False)
        if run.stderr:
            click.echo(run.stderr, nl=False, err=True)
    messages = {
        "up-to-date": f"nothing to apply: {node} already has everything this intent renders",
        "declined": "not applied",
        "dry-run": f"dry run only: nothing was changed on {node}",
        "applied": f"applied to {node} (mode {mode})",
    }
    click.echo(f"talosgpu: {messages[outcome.status]}", err=True)
    if outcome.interrupted:
        click.echo("talosgpu: interrupted (the patch in flight was let finish)", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(EXIT_FINDINGS if outcome.status == "declined" else EXIT_OK)


def _apply_json(node: str, outcome: Any) -> None:
    """``apply --format json`` (docs/schemas/apply.schema.json): the diff as ``diff --format
    json`` gives it, what was done, and talosctl's runs (redacted unless --show-secrets)."""
    import json  # lazy: only the JSON form needs it

    document = {
        "version": 1,
        "node": node,
        "status": outcome.status,
        "mode": outcome.mode,
        "interrupted": outcome.interrupted,
        **_applied_data(outcome),
    }
    emit(json.dumps(document, indent=2) + "\n")


def _applied_data(outcome: Any) -> dict[str, Any]:
    """One node's ``diff`` (as ``diff --format json`` gives it) and ``talosctl`` runs (redacted
    by apply unless --show-secrets), for both JSON forms of apply."""
    import json  # lazy: only the JSON form needs it

    return {
        "diff": json.loads(report(outcome.result, "json", warnings=True)),
        "talosctl": [
            {"exitCode": run.returncode, "stdout": run.stdout, "stderr": run.stderr}
            for run in outcome.runs
        ],
    }


def _apply_fleet_json(fleet: Any) -> None:
    """``apply INVENTORY --all --format json``: each node's outcome in node-name order, with
    its diff and talosctl runs when it got that far (docs/schemas/apply-fleet.schema.json)."""
    import json  # lazy: only the JSON form needs it

    from talosgpu.commands.redact import safe_line  # lazy: as above

    nodes = []
    for node in fleet.nodes:
        entry: dict[str, Any] = {"node": node.name, "status": node.status}
        if node.reason:
            entry["reason"] = node.reason
        if node.error is not None:
            entry["error"] = safe_line(str(node.error))
        if node.result is not None:
            entry.update(_applied_data(node.result))
        nodes.append(entry)
    document = {"version": 1, "nodes": nodes, "interrupted": fleet.interrupted,
                "exitCode": fleet.exit_code}  # fmt: skip
    emit(json.dumps(document, indent=2) + "\n")


def _show_apply_diff(node: str, result: DiffResult) -> None:
    """What ``apply`` shows before asking: warnings, then the node's diff (redacted)."""
    warn(_diff_warnings(result))
    emit(report(result, warnings=False, node=node), colour=True)


def _progress() -> Callable[[str, Any], None]:
    """Progress on a terminal for ``diff --all``: one line per node as it finishes (a fleet of
    slow nodes printed nothing for many seconds)."""
    import threading

    lock, done = threading.Lock(), [0]

    def show(name: str, result: Any) -> None:
        from talosgpu.errors import TalosGPUError  # lazy: as the module docstring says

        if isinstance(result, TalosGPUError):
            state = "failed"
        else:
            state = "would change" if result.diff.changes else "no change"
        with lock:
            done[0] += 1
            note(f"talosgpu: [{done[0]}] {name}: {state}")

    return show


def _doctor_progress() -> Callable[[str, Any], None]:
    """``doctor --all`` on a terminal: one line per node as it finishes."""
    import threading

    lock, done = threading.Lock(), [0]

    def show(name: str, result: Any) -> None:
        from talosgpu.errors import TalosGPUError  # lazy: as the module docstring says

        if isinstance(result, TalosGPUError):
            state = "could not run"
        else:
            state = "problems found" if result.exit_code else "healthy"
        with lock:
            done[0] += 1
            note(f"talosgpu: [{done[0]}] {name}: {state}")

    return show


def _confirm_apply(node: str, result: DiffResult, *, yes: bool) -> bool:
    """``--yes``, else ask on a terminal; without a terminal refuse rather than guess."""
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.errors import TalosGPUError

    if yes:
        return True
    if not sys.stdin.isatty():
        raise TalosGPUError(
            "refusing to apply without confirmation: standard input is not a terminal; "
            "pass --yes to apply non-interactively"
        )
    reboot = " (the node will reboot)" if result.diff.reboot else ""
    return click.confirm(f"Apply these changes to {node}{reboot}?", default=False)


def _apply_fleet(
    inventory: str, *, yes: bool, options: dict[str, Any], as_json: bool = False
) -> None:
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.commands.fleet_remote import NodeApply, apply_fleet

    if as_json:
        fleet = apply_fleet(inventory, confirm=lambda _name, _result: True, **options)
        _apply_fleet_json(fleet)
        sys.exit(fleet.exit_code)

    def show(name: str, result: DiffResult) -> None:
        emit(f"== {name}\n")
        _show_apply_diff(name, result)

    def outcome(node: NodeApply) -> None:
        # as it happens: a later failure or Ctrl-C must not hide what was already done
        detail = {
            "failed": f": {node.error}" if node.error is not None else "",
            "skipped": f" ({node.reason})" if node.reason else "",
        }.get(node.status, "")
        click.echo(f"talosgpu: {node.name}: {node.status}{detail}", err=True)

    fleet = apply_fleet(
        inventory,
        on_diff=show,
        confirm=lambda name, result: _confirm_apply(name, result, yes=yes),
        on_outcome=outcome,
        **options,
    )
    counts = ", ".join(
        f"{fleet.count(status)} {status}"
        for status in ("applied", "dry-run", "up-to-date", "declined", "failed", "skipped")
        if fleet.count(status)
    )
    tail = "; interrupted" if fleet.interrupted else ""
    click.echo(f"talosgpu: {len(fleet.nodes)} nodes: {counts}{tail}", err=True)
    sys.exit(fleet.exit_code)


# ----------------------------------------------------------------------------- entry point
def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI, turning library errors into one line and exit 2."""
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.commands.redact import safe_line
    from talosgpu.errors import TalosGPUError

    # talosgpu's own models need no pydantic plugins, and looking for them scans every installed
    # distribution's entry points on the first model build (pydantic/plugin/_loader.py). The CLI
    # process only; library users keep their plugins. An explicit setting wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        # Not click's standalone mode: it turns Ctrl-C into "Aborted!" and exit 1, the code
        # for "declined"; here an interrupt is exit 130, as shells expect.
        code = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="talosgpu",
            standalone_mode=False,
        )
    except TalosGPUError as exc:
        show = "--show-secrets" in (argv if argv is not None else sys.argv)
        fail(safe_line(str(exc), show_secrets=show))
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("\ntalosgpu: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except RecursionError:
        fail("input is nested too deeply")
    except Exception as exc:  # no traceback for users; TALOSGPU_DEBUG=1 re-raises
        if os.environ.get("TALOSGPU_DEBUG"):
            raise
        fail(f"internal error ({type(exc).__name__}): {safe_line(str(exc))}")
    sys.exit(code if isinstance(code, int) else EXIT_OK)
