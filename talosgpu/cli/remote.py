"""``diff``: the live config against the proposed one, for one node or a fleet."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from talosgpu.cli.base import (
    EXIT_FINDINGS,
    EXIT_OK,
    cli,
    emit,
    examples,
    format_option,
    note,
    report,
    show_secrets_option,
    strict_option,
    timeout_option,
    version_option,
    warn,
)

if TYPE_CHECKING:
    from talosgpu.commands.diff import DiffResult


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
    warn(diff_warnings(result), strict=strict)
    emit(report(result, output, warnings=output == "json"), dest, colour=output == "text")
    sys.exit(EXIT_FINDINGS if result.changed else EXIT_OK)


def diff_warnings(result: DiffResult) -> list[str]:
    # lazy: --help and cached runs must not load the library (module docstring)
    from talosgpu.commands.redact import scrub_lines

    return scrub_lines(
        result.warnings, secrets=result.diff.secrets, show_secrets=result.show_secrets
    )


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
