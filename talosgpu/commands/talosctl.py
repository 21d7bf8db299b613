"""Running ``talosctl``: fetch a node's live config, send a patch.

Only two commands are used, both with an argv list (never a shell):

* ``talosctl -n NODE get machineconfig v1alpha1 -o yaml`` — the active MachineConfig resource
  (research ``talos-internals.md`` §8; needs the ``os:admin`` role, the resource is Sensitive).
* ``talosctl -n NODE patch machineconfig --patch @FILE --mode MODE [--dry-run]`` —
  ``cmd/talosctl/cmd/talos/patch.go``: fetches the active config, applies the patch client-side
  with the same strategic merge, sends the result with ``ApplyConfiguration`` (§1.1). With
  ``--dry-run`` the summary and the full config diff go to **stderr, unredacted** (§4.3):
  pass the output through :func:`talosgpu.talos.secret_text.redact_text` before showing it.

``--talosconfig PATH`` is added when given; otherwise talosctl's own lookup applies (the
``TALOSCONFIG`` environment variable, which the child inherits, then ``~/.talos/config``).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from talosgpu.errors import TalosctlError
from talosgpu.live import LiveConfig, load_live_config
from talosgpu.talos.secret_text import redact_text

__all__ = [
    "APPLY_MODES",
    "ApplyMode",
    "TalosctlResult",
    "apply_patch",
    "fetch_live_config",
    "find_talosctl",
]

ApplyMode = Literal["auto", "no-reboot", "staged", "try"]
# "reboot" is gone from talosctl 1.14 and "interactive" from 1.13 (§4.1, §4.2): not offered.
APPLY_MODES: tuple[str, ...] = ("auto", "no-reboot", "staged", "try")


@dataclass(frozen=True)
class TalosctlResult:
    """What one talosctl run returned. ``stdout``/``stderr`` are raw and may hold secrets."""

    returncode: int
    stdout: str
    stderr: str
    argv: tuple[str, ...]

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
    timeout: float = 60,
) -> LiveConfig:
    """Run ``talosctl -n NODE get machineconfig v1alpha1 -o yaml`` and read its envelope.

    Raises :class:`~talosgpu.errors.TalosctlError` when talosctl is missing, times out or fails
    (its first stderr line, secrets masked), and
    :class:`~talosgpu.errors.LiveConfigError` when the output is not a machine config.
    """
    argv = _argv(talosctl, node, talosconfig, ["get", "machineconfig", "v1alpha1", "-o", "yaml"])
    result = _run(argv, timeout=timeout, check=True)
    source = f"talosctl:{node}"
    if not result.stdout.strip():
        raise TalosctlError(f"talosctl returned no MachineConfig for node {node}", file=source)
    # The envelope's `node:` is whatever talosctl reports (an IP when NODE is a name): read the
    # single node it holds instead of insisting on the name we passed.
    config = load_live_config(source, text=result.stdout)
    return config if config.node else replace(config, node=node)


def apply_patch(
    node: str,
    patch_file: Path,
    *,
    mode: ApplyMode,
    dry_run: bool,
    talosconfig: str | None = None,
    talosctl: str = "talosctl",
    timeout: float = 300,
    check: bool = True,
) -> TalosctlResult:
    """Run ``talosctl -n NODE patch machineconfig --patch @FILE --mode MODE [--dry-run]``.

    With ``check`` (the default) a non-zero exit raises :class:`~talosgpu.errors.TalosctlError`;
    without it the result is returned as is. Output is raw: redact before printing.
    """
    if mode not in APPLY_MODES:
        raise TalosctlError(
            f"unknown apply mode {mode!r}; expected one of {', '.join(APPLY_MODES)}"
        )
    path = Path(patch_file)
    if not path.is_file():
        raise TalosctlError("patch file does not exist", file=str(path))
    extra = ["patch", "machineconfig", "--patch", f"@{path}", "--mode", mode]
    argv = _argv(talosctl, node, talosconfig, [*extra, *(["--dry-run"] if dry_run else [])])
    return _run(argv, timeout=timeout, check=check)


# --------------------------------------------------------------------------------- internals
def _argv(talosctl: str, node: str, talosconfig: str | None, command: Sequence[str]) -> list[str]:
    if not node or node.startswith("-"):
        raise TalosctlError(f"not a node address: {node!r}")
    exe = shutil.which(talosctl)
    if exe is None:
        raise TalosctlError(
            f"{talosctl} not found on PATH; install talosctl or read the config from a file "
            "(talosctl get machineconfig v1alpha1 -o yaml > live.yaml)"
        )
    flags = ["--talosconfig", talosconfig] if talosconfig else []
    return [exe, *flags, "-n", node, *command]


def _run(argv: list[str], *, timeout: float, check: bool) -> TalosctlResult:
    command = " ".join(argv[argv.index("-n") + 2 :][:2])  # e.g. "get machineconfig"
    try:
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise TalosctlError(f"{argv[0]} not found") from None
    except PermissionError:
        raise TalosctlError(f"{argv[0]} is not executable") from None
    except subprocess.TimeoutExpired:
        raise TalosctlError(f"talosctl {command} timed out after {timeout:g}s") from None
    result = TalosctlResult(proc.returncode, proc.stdout, proc.stderr, tuple(argv))
    if check and proc.returncode != 0:
        lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
        first = redact_text(lines[0]) if lines else "no error output"
        raise TalosctlError(f"talosctl exited with status {proc.returncode}: {first}")
    return result
