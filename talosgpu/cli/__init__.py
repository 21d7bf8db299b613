"""The ``talosgpu`` command line: click declarations only.

Each command turns its options into one call of a use case in :mod:`talosgpu.commands`, hands
the result to the reporter (:func:`talosgpu.report.format_report`) and maps it to an exit code.
Only this package imports click. Use cases are imported inside the command bodies (lazy:
``talosgpu --help`` and a cached ``render``/``check`` must not import the library; pre-commit
runs them on every commit). Every failure the library raises on purpose is a ``TalosGPUError``:
printed as one line on stderr, exit 2, no traceback.

The commands live by topic (:mod:`.render`, :mod:`.knowledge`, :mod:`.checks`, :mod:`.remote`,
:mod:`.apply`, :mod:`.doctor`) and register on the group in :mod:`.base` when imported here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

# importing the topic modules registers their commands on the group
from talosgpu.cli import apply, checks, doctor, knowledge, remote, render  # noqa: F401
from talosgpu.cli.base import EXAMPLES, EXIT_INTERRUPTED, EXIT_OK, cli, fail

__all__ = ["EXAMPLES", "cli", "main"]


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
