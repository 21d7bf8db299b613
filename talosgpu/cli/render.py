"""``render``, ``profiles``, ``schema`` and ``helm-values``: intent in, Talos patch and Kubernetes objects out."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from talosgpu.cli.base import (
    cli,
    emit,
    examples,
    fail,
    format_choice,
    report,
    strict_option,
    version_option,
    warn,
    wrote,
)

if TYPE_CHECKING:
    from talosgpu.commands.render import RenderWhat


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
