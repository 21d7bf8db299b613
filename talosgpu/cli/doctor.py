"""``doctor``: a live node or a support bundle against the plan for its release."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from talosgpu.cli.base import (
    cli,
    emit,
    examples,
    format_option,
    note,
    report,
    show_secrets_option,
    timeout_option,
    version_option,
)

if TYPE_CHECKING:
    pass


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
