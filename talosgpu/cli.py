"""The ``talosgpu`` command line: a thin shell over the library.

This is the only module that imports click. Commands import the library lazily (inside the
command body) so that ``talosgpu --help`` and ``talosgpu render`` start fast (pre-commit runs them
on every commit). Every failure the library raises on purpose is a ``TalosGPUError``: printed as
one line on stderr, exit 2, no traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


# ----------------------------------------------------------------------------- helpers
def fail(message: str) -> NoReturn:
    """Print one error line and exit 2."""
    click.echo(f"talosgpu: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def warn(messages: Sequence[str], *, strict: bool = False) -> None:
    """Print warnings on stderr; with ``--strict`` they are errors (exit 2)."""
    for message in messages:
        click.echo(f"talosgpu: warning: {message}", err=True)
    if strict and messages:
        fail(f"{len(messages)} warning(s) treated as errors (--strict)")


def emit(text: str, output: str | None = None) -> None:
    """Write ``text`` to ``output`` atomically, or to stdout when no output is given."""
    if output in (None, "-"):
        click.echo(text, nl=False)
        return
    from talosgpu.fsio import write_atomic

    write_atomic(output, text)


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


def version_option(func: F) -> F:
    return click.option(
        "--talos-version",
        "talos_version",
        metavar="X.Y",
        default=None,
        help="Target Talos version (overrides the intent's talosVersion).",
    )(func)


# ----------------------------------------------------------------------------- group
@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="talosgpu", prog_name="talosgpu")
def cli() -> None:
    """Version-aware Talos machine-config patches for NVIDIA GPU nodes.

    Typed intent in; Talos patches, containerd CRI customization, Kubernetes objects and a
    semantic, secret-redacted diff against the live node out.
    """


# ----------------------------------------------------------------------------- commands
# Each command lives below in its own section; bodies import the library lazily.
# --- render / profiles / schema ----------------------------------------------------------
@cli.command()
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
@click.option(
    "--manifests", "manifests_only", is_flag=True, help="Print the Kubernetes manifests instead."
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
    strict: bool,
) -> None:
    """Render the Talos patch for INTENT (a file, - for stdin) or --profile NAME."""
    from talosgpu import cache

    stdin_text = sys.stdin.read() if intent == "-" else None
    what = "explain" if explain else "manifests" if manifests_only else "dir" if output_dir else "patch"
    cache_key = cache.key(
        command=["render", what, intent or "", profile or "", talos_version or "", from_version or ""],
        inputs=[_input_bytes(intent, stdin_text)],
    )
    hit = cache.get(cache_key)
    if hit is None:
        hit = _render_uncached(intent, stdin_text, profile, talos_version, from_version, what)
        cache.put(cache_key, hit)
    warn(hit["warnings"], strict=strict)
    if what == "dir":
        from talosgpu.fsio import write_tree_atomic

        for path in write_tree_atomic(str(output_dir), hit["files"]):
            click.echo(f"wrote {path}", err=True)
        return
    emit(hit["text"], output)


def _input_bytes(intent: str | None, stdin_text: str | None) -> bytes:
    if stdin_text is not None:
        return stdin_text.encode()
    if intent:
        try:
            with open(intent, "rb") as handle:
                return handle.read()
        except OSError:
            return b""  # the uncached path reports the error
    return b""


def _render_uncached(
    intent: str | None,
    stdin_text: str | None,
    profile: str | None,
    talos_version: str | None,
    from_version: str | None,
    what: str,
) -> dict[str, Any]:
    from talosgpu import api

    target: Any = intent
    if stdin_text is not None:
        from talosgpu.intent.load import load_intent_text

        target = load_intent_text(stdin_text, source="<stdin>")
    rendered = api.render(
        target,
        profile=profile,
        talos_version=talos_version,
        from_version=from_version,
        source="<stdin>" if stdin_text is not None else None,
    )
    result: dict[str, Any] = {"warnings": list(rendered.warnings)}
    if what == "explain":
        result["text"] = _explain_text(rendered)
    elif what == "manifests":
        files = api.output_files(rendered)
        if "manifests.yaml" not in files:
            fail("manifests are not available in this build")
        result["text"] = files["manifests.yaml"]
    elif what == "dir":
        result["files"] = api.output_files(rendered)
    else:
        result["text"] = rendered.patch_text
    return result


def _explain_text(rendered: Any) -> str:
    plan = rendered.plan
    lines = [f"Talos {plan.version}: runtime mode {plan.mode}"]
    lines += [f"- {d.summary}\n    why: {d.reason}" for d in plan.decisions]
    lines += [f"! {w}" for w in rendered.warnings]
    return "\n".join(lines) + "\n"


@cli.group(invoke_without_command=True)
@click.pass_context
def profiles(ctx: click.Context) -> None:
    """List the bundled profiles (``profiles show NAME`` prints one)."""
    if ctx.invoked_subcommand is None:
        from talosgpu.profiles import list_profiles, load_profile

        for name in list_profiles():
            description = load_profile(name).description or ""
            click.echo(f"{name:<20} {description}")


@profiles.command("show")
@click.argument("name")
def profiles_show(name: str) -> None:
    """Print the intent YAML of profile NAME."""
    from talosgpu.profiles import profile_text

    emit(profile_text(name))


@cli.command()
@click.option("-o", "--output", metavar="FILE", help="Write the schema to FILE.")
def schema(output: str | None) -> None:
    """Print the JSON Schema of the intent format."""
    import json

    from talosgpu.api import intent_schema

    emit(json.dumps(intent_schema(), indent=2, sort_keys=True) + "\n", output)


# --- helm-values (Kubernetes side) -----------------------------------------------------------
@cli.command("helm-values")
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
) -> None:
    """Helm values for the NVIDIA chart INTENT's runtime mode installs.

    The nvidia-device-plugin chart (runtime modes cdi, legacy) or the gpu-operator chart
    (operator). Apply `talosgpu render --manifests` first: it creates the namespace and config.
    """
    from talosgpu import api
    from talosgpu.k8s import helm_values as values_for

    rendered = api.render(intent, profile=profile, talos_version=talos_version)
    warn(rendered.warnings, strict=strict)
    emit(values_for(rendered.plan), output)


# --- cdi validate / patch-hooks --------------------------------------------------------------
@cli.group("cdi")
def cdi_group() -> None:
    """Validate CDI specs like the runtime loader and fix their hook paths for Talos."""


@cdi_group.command("validate")
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
@click.option(
    "--output", type=click.Choice(["text", "json"]), default="text", help="Report format."
)
@click.option("--strict", is_flag=True, default=False, help="Warnings also fail (exit 1).")
def cdi_validate(
    spec: str,
    device_id_strategy: str | None,
    talos_version: str | None,
    output: str,
    strict: bool,
) -> None:
    """Validate the CDI spec SPEC (YAML or JSON; - for stdin).

    Exit 0 valid, 1 findings (errors; warnings too with --strict), 2 unreadable or not a CDI spec.
    """
    from talosgpu.cdi import load_spec, validate_spec
    from talosgpu.cdi.report import exit_code, render_report
    from talosgpu.yamlio import read_source

    text, source = read_source(spec)
    loaded = load_spec(text, source=source)
    findings = validate_spec(
        loaded,
        device_id_strategy=device_id_strategy,  # type: ignore[arg-type]
        talos_version=talos_version,
    )
    emit(render_report(loaded, findings, output=output, strict=strict))  # type: ignore[arg-type]
    sys.exit(exit_code(findings, strict=strict))


@cdi_group.command("patch-hooks")
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
    from talosgpu.cdi import patch_hooks
    from talosgpu.yamlio import read_source

    text, source = read_source(spec)
    result = patch_hooks(text, strategy=strategy, source=source)  # type: ignore[arg-type]
    for change in result.changes:
        click.echo(f"talosgpu: {source}: {change.path}: {change.old} -> {change.new}", err=True)
    count = len(result.changes)
    summary = f"{count} hook path(s) rewritten" if count else "no hook paths to rewrite"
    click.echo(f"talosgpu: {source}: {summary} (strategy {strategy})", err=True)
    emit(result.text, output)


# (keep this marker: sections are added above it)
# ----------------------------------------------------------------------------- end commands


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI, turning library errors into one line and exit 2."""
    from talosgpu.errors import TalosGPUError

    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="talosgpu")
    except TalosGPUError as exc:
        show = "--show-secrets" in (argv if argv is not None else sys.argv)
        fail(_safe(str(exc), show_secrets=show))
    except KeyboardInterrupt:  # pragma: no cover - interactive
        click.echo("talosgpu: interrupted", err=True)
        sys.exit(130)
    except RecursionError:
        fail("input is nested too deeply")
    except Exception as exc:  # no traceback for users; TALOSGPU_DEBUG=1 re-raises
        if os.environ.get("TALOSGPU_DEBUG"):
            raise
        fail(f"internal error ({type(exc).__name__}): {_safe(str(exc), show_secrets=False)}")


def _safe(text: str, *, show_secrets: bool) -> str:
    """One line, secrets masked unless asked for."""
    line = " ".join(text.split())
    if show_secrets:
        return line
    from talosgpu.talos.secrets import redact_text

    return redact_text(line)
