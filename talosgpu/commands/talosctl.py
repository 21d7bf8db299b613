"""Running ``talosctl`` (and, for ``doctor``, ``kubectl``): the only place a process starts.

Every command runs with an argv list (never a shell), in its own session, its output written to
temp files that are size-checked before they are read (:func:`run_tool`). ``diff``/``apply`` use
two commands:

* ``talosctl -n NODE get machineconfig v1alpha1 -o yaml`` — the active MachineConfig resource
  (research ``talos-internals.md`` §8; needs the ``os:admin`` role, the resource is Sensitive).
* ``talosctl -n NODE patch machineconfig --patch @FILE --mode MODE [--dry-run]`` —
  ``cmd/talosctl/cmd/talos/patch.go``: fetches the active config, applies the patch client-side
  with the same strategic merge, sends the result with ``ApplyConfiguration`` (§1.1). With
  ``--dry-run`` the summary and the full config diff go to **stderr, unredacted** (§4.3):
  pass the output through :func:`talosgpu.talos.secret_text.redact_text` before showing it.

``doctor`` reads more (``commands/doctor_gather.py`` names each command and its upstream source);
all of them are read-only.

``--talosconfig PATH`` is added when given; otherwise talosctl's own lookup applies (the
``TALOSCONFIG`` environment variable, which the child inherits, then ``~/.talos/config``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Literal

from talosgpu.errors import TalosctlError
from talosgpu.fsio import max_input_bytes
from talosgpu.live import LiveConfig, load_live_config
from talosgpu.talos.secret_text import redact_text

__all__ = [
    "APPLY_MODES",
    "ApplyMode",
    "TalosctlResult",
    "apply_patch",
    "error_text",
    "fetch_live_config",
    "find_talosctl",
    "require_talosctl",
    "run_tool",
    "talosctl_argv",
]

ApplyMode = Literal["auto", "no-reboot", "staged", "try"]
# "reboot" is gone from talosctl 1.14 and "interactive" from 1.13 (§4.1, §4.2): not offered.
APPLY_MODES: tuple[str, ...] = ("auto", "no-reboot", "staged", "try")
READ_TIMEOUT, PATCH_TIMEOUT = 60.0, 300.0  # seconds, when the caller gives none (--timeout)


@dataclass(frozen=True)
class TalosctlResult:
    """What one talosctl run returned. ``stdout``/``stderr`` are raw and may hold secrets."""

    returncode: int
    stdout: str
    stderr: str
    argv: tuple[str, ...]
    interrupted: bool = False  # Ctrl-C arrived while it ran (it was let finish)

    def redacted(self, *, known_secrets: Iterable[str] = ()) -> TalosctlResult:
        """The same result with secrets masked in ``stdout`` and ``stderr``."""
        return replace(
            self,
            stdout=redact_text(self.stdout, known_secrets=known_secrets),
            stderr=redact_text(self.stderr, known_secrets=known_secrets),
        )


def find_talosctl() -> str | None:
    """The full path of ``talosctl`` on PATH, or None."""
    return shutil.which("talosctl")


def fetch_live_config(
    node: str,
    *,
    talosconfig: str | None = None,
    talosctl: str = "talosctl",
    timeout: float | None = None,
) -> LiveConfig:
    """Run ``talosctl -n NODE get machineconfig v1alpha1 -o yaml`` and read its envelope.

    Raises :class:`~talosgpu.errors.TalosctlError` when talosctl is missing, times out or fails
    (its whole error on one line, secrets masked), and
    :class:`~talosgpu.errors.LiveConfigError` when the output is not a machine config.
    """
    argv = _argv(talosctl, node, talosconfig, ["get", "machineconfig", "v1alpha1", "-o", "yaml"])
    result = _run(argv, timeout=timeout or READ_TIMEOUT, check=True)
    source = f"talosctl:{node}"
    if not result.stdout.strip():
        raise TalosctlError(f"talosctl returned no MachineConfig for node {node}", file=source)
    # The envelope's `node:` is whatever talosctl reports (an IP when NODE is a name): read the
    # single node it holds instead of insisting on the name we passed.
    config = load_live_config(source, text=result.stdout)
    return config if config.node else replace(config, node=node)


def apply_patch(
    node: str,
    patch_file: Path | Sequence[Path],
    *,
    mode: ApplyMode,
    dry_run: bool,
    talosconfig: str | None = None,
    talosctl: str = "talosctl",
    timeout: float | None = None,
    check: bool = True,
) -> TalosctlResult:
    """Run ``talosctl -n NODE patch machineconfig --patch @FILE... --mode MODE [--dry-run]``.

    Several files are several ``--patch`` flags of one call: talosctl loads them all, applies
    them in order to the active config and sends one ``ApplyConfiguration`` (``--patch`` is a
    string array, ``configpatcher.LoadPatches``: ``cmd/talosctl/cmd/talos/patch.go``), so the
    node applies (and, if it must, reboots) once. With ``check`` (the default) a non-zero exit
    raises :class:`~talosgpu.errors.TalosctlError`; without it the result is returned as is.
    Output is raw: redact before printing.
    """
    if mode not in APPLY_MODES:
        raise TalosctlError(
            f"unknown apply mode {mode!r}; expected one of {', '.join(APPLY_MODES)}"
        )
    paths = (
        [Path(patch_file)] if isinstance(patch_file, str | Path) else [Path(p) for p in patch_file]
    )
    for path in paths:
        if not path.is_file():
            raise TalosctlError("patch file does not exist", file=str(path))
    flags = [arg for path in paths for arg in ("--patch", f"@{path}")]
    extra = ["patch", "machineconfig", *flags, "--mode", mode]
    argv = _argv(talosctl, node, talosconfig, [*extra, *(["--dry-run"] if dry_run else [])])
    return _run(argv, timeout=timeout or PATCH_TIMEOUT, check=check, finish_on_interrupt=True)


def require_talosctl(talosctl: str = "talosctl") -> str:
    """The talosctl executable on PATH, or a :class:`TalosctlError` saying how to do without
    (a fleet run checks this once, before any node, rather than failing once per node)."""
    exe = shutil.which(talosctl)
    if exe is None:
        raise TalosctlError(
            f"{talosctl} not found on PATH; install talosctl or read the config from a file "
            "(talosctl get machineconfig v1alpha1 -o yaml > live.yaml; for a fleet: --live-dir)"
        )
    return exe


# --------------------------------------------------------------------------------- internals
def _argv(talosctl: str, node: str, talosconfig: str | None, command: Sequence[str]) -> list[str]:
    if not node or node.startswith("-"):
        raise TalosctlError(f"not a node address: {node!r}")
    exe = require_talosctl(talosctl)
    flags = ["--talosconfig", talosconfig] if talosconfig else []
    return [exe, *flags, "-n", node, *command]


def run_tool(argv: list[str], *, label: str, timeout: float, check: bool = False) -> TalosctlResult:
    """Run any read-only tool (talosctl, kubectl) the way talosctl reads are run: argv list, own
    session, output to size-checked temp files, killed with its children on timeout or Ctrl-C.
    ``label`` names the command in errors (``kubectl get node``)."""
    return _run(argv, timeout=timeout, check=check, label=label)


def talosctl_argv(
    node: str, command: Sequence[str], *, talosconfig: str | None = None, talosctl: str = "talosctl"
) -> list[str]:
    """``talosctl [--talosconfig P] -n NODE COMMAND...`` with talosctl found on PATH."""
    return _argv(talosctl, node, talosconfig, command)


def _run(
    argv: list[str],
    *,
    timeout: float,
    check: bool,
    finish_on_interrupt: bool = False,
    label: str | None = None,
) -> TalosctlResult:
    """Run talosctl in its own session (process group): a terminal's Ctrl-C reaches talosgpu
    only, and a timed-out talosctl is killed with every child it started.

    ``finish_on_interrupt`` (a patch in flight): on Ctrl-C wait for talosctl to finish, and
    return its result marked ``interrupted`` — the node's outcome is known, the caller stops
    after it. Otherwise (a read) talosctl is killed and the interrupt goes on."""
    if label is None:
        label = "talosctl " + " ".join(argv[argv.index("-n") + 2 :][:2])  # "get machineconfig"
    command = label
    # Output goes to temp files, not pipes: what a node (or a broken talosctl) prints is
    # measured before it is read, so it can never take more memory than an input file may.
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        proc = _start(argv, out_file, err_file)
        returncode, interrupted = _wait(proc, timeout, command, finish_on_interrupt)
        out, err = _read_output(out_file, command), _read_output(err_file, command)
    result = TalosctlResult(returncode, out, err, tuple(argv), interrupted=interrupted)
    if check and returncode != 0:
        raise TalosctlError(
            f"{command.split()[0]} exited with status {returncode}: {error_text(redact_text(err))}"
        )
    return result


def _start(argv: list[str], out_file: IO[bytes], err_file: IO[bytes]) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            argv,
            stdout=out_file,
            stderr=err_file,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    except FileNotFoundError:
        raise TalosctlError(f"{argv[0]} not found") from None
    except PermissionError:
        raise TalosctlError(f"{argv[0]} is not executable") from None


def _read_output(handle: IO[bytes], command: str) -> str:
    limit = max_input_bytes()
    size = handle.seek(0, os.SEEK_END)
    if size > limit:
        raise TalosctlError(
            f"{command} printed {size:,} bytes; talosgpu reads at most {limit:,} "
            "from one input (TALOSGPU_MAX_INPUT_MIB raises the limit)"
        )
    handle.seek(0)
    return handle.read().decode("utf-8", errors="replace")


def _wait(
    proc: subprocess.Popen[bytes], timeout: float, command: str, finish_on_interrupt: bool
) -> tuple[int, bool]:
    deadline = time.monotonic() + timeout
    interrupted = False
    while True:
        try:
            returncode = proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            break
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise TalosctlError(
                f"{command} timed out after {timeout:g}s (killed; --timeout sets it)"
            ) from None
        except KeyboardInterrupt:
            if not finish_on_interrupt:
                _kill_group(proc)
                raise
            interrupted = True  # let the patch in flight finish: its outcome must be known
    return returncode, interrupted


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        proc.communicate(timeout=5)


_ERROR_MAX = 2000  # characters of talosctl's error kept in the one-line message


def error_text(stderr: str) -> str:
    """talosctl's whole error as one line (``rpc error: … 1 error occurred: * reason``): every
    line kept, whitespace collapsed, cut only past ``_ERROR_MAX`` characters."""
    text = " ".join(stderr.split())
    if not text:
        return "no error output"
    return text if len(text) <= _ERROR_MAX else text[: _ERROR_MAX - 1] + "…"
