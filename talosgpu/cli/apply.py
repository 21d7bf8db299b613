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
