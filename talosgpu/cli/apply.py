"""``apply``: diff, confirm, then ``talosctl patch`` (one node or a fleet)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from talosgpu.cli.base import (
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    cli,
    emit,
    examples,
    fail,
    format_choice,
    report,
    show_secrets_option,
    timeout_option,
    version_option,
    warn,
)
from talosgpu.cli.remote import diff_warnings

if TYPE_CHECKING:
    from talosgpu.commands.diff import DiffResult


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
        emit(report(outcome, "json", node=node))
        sys.exit(EXIT_INTERRUPTED if outcome.interrupted else EXIT_OK)
    for run in outcome.runs:
        if run.stdout:
            click.echo(run.stdout, nl=False)
        if run.stderr:
            click.echo(run.stderr, nl=False, err=True)
    click.echo(report(outcome, node=node), nl=False, err=True)
    if outcome.interrupted:
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(EXIT_FINDINGS if outcome.status == "declined" else EXIT_OK)


def _show_apply_diff(node: str, result: DiffResult) -> None:
    """What ``apply`` shows before asking: warnings, then the node's diff (redacted)."""
    warn(diff_warnings(result))
    emit(report(result, warnings=False, node=node), colour=True)


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
    from talosgpu.report.fleet_apply import node_line, summary_line

    if as_json:
        fleet = apply_fleet(inventory, confirm=lambda _name, _result: True, **options)
        emit(report(fleet, "json"))
        sys.exit(fleet.exit_code)

    def show(name: str, result: DiffResult) -> None:
        emit(f"== {name}\n")
        _show_apply_diff(name, result)

    def outcome(node: NodeApply) -> None:
        # as it happens: a later failure or Ctrl-C must not hide what was already done
        click.echo(node_line(node), err=True)

    fleet = apply_fleet(
        inventory,
        on_diff=show,
        confirm=lambda name, result: _confirm_apply(name, result, yes=yes),
        on_outcome=outcome,
        **options,
    )
    click.echo(summary_line(fleet), err=True)
    sys.exit(fleet.exit_code)
