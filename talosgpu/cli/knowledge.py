"""``cdi``, ``patch``, ``explain`` and ``schematic``: CDI specs, Talos patches, known failures, Image Factory."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from talosgpu.cli.base import (
    EXIT_FINDINGS,
    EXIT_OK,
    assume_option,
    cli,
    emit,
    examples,
    fail,
    format_option,
    note,
    report,
    version_option,
    warn,
)

if TYPE_CHECKING:
    pass


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
        emit(report(result, "json"), dest)
        return
    emit(report(result, id_only=id_only), dest)
    note(f"# installer: {result.installer_image}")
