"""Shared test fixtures.

* ``shared`` — the steering repo's ``../shared`` folder (upstream conformance data). Tests that
  need it call :func:`shared_path`, which skips with a clear reason when it is absent.
* ``golden`` — compare text with ``tests/golden/...``; ``--update-golden`` rewrites the files and
  then fails the run, so an update can never pass silently.
* ``run_cli`` — run the real CLI in-process (click's runner, exceptions not swallowed).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
SHARED = Path(os.environ.get("TALOSGPU_SHARED", ROOT.parent / "shared")).resolve()


def shared_path(*parts: str) -> Path:
    """Path under ``../shared``; skips the test when that data is not available."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"upstream conformance data not available: {path} (needs ../shared beside the repo)"
        )
    return path


@pytest.fixture(autouse=True, scope="session")
def _isolated_render_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read or write the user's render cache (~/.cache/talosgpu)."""
    os.environ["TALOSGPU_CACHE_DIR"] = str(tmp_path_factory.mktemp("talosgpu-cache"))


def plant_secret_canaries(
    docs: list[dict[str, Any]],
    prefix: str,
    *,
    documents: bool = True,
    talos_version: str | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """``docs`` (a real config; its first document v1alpha1) with a unique value in every row
    of :data:`talosgpu.talos.secrets.SECRET_PATHS`: v1alpha1 rows in the first document, the
    others in one document per kind (``documents=False``: v1alpha1 rows only, for releases
    before multi-document configs; ``talos_version``: only the document kinds that release
    registers, as a real node's config holds). Returns the planted docs and the canaries."""
    from talosgpu.talos.secrets import ANY_ITEM, ANY_KEY, SECRET_PATHS

    def plant(doc: dict[str, Any], pattern: tuple[str, ...], value: str) -> None:
        node: Any = doc
        for index, part in enumerate(pattern):
            last = index == len(pattern) - 1
            nxt = None if last else pattern[index + 1]
            key: Any = "canary-key" if part == ANY_KEY else part
            if part == ANY_ITEM:
                if not node:
                    node.append(None)
                key = 0
            empty: Any = [] if nxt == ANY_ITEM else {}
            if last:
                node[key] = value
            elif isinstance(node, list):
                if node[0] is None:
                    node[0] = empty
                node = node[0]
            else:
                if not isinstance(node.get(key), (dict, list)):
                    node[key] = empty
                node = node[key]

    from talosgpu.talos.homes import REJECTED_PAIRS

    # a v1alpha1 field Talos 1.14+ rejects next to its document (talos/homes.py) is not
    # planted where the config has that document: the planted config stays one Talos accepts
    kinds = {d.get("kind") for d in docs[1:] if isinstance(d, dict)}
    refused = [path for path, kind, _ in REJECTED_PAIRS if kind in kinds]
    extra: dict[str, dict[str, Any]] = {}
    values = []
    registered = None
    from talosgpu.talos.field_names import field_names, minors

    if talos_version in minors():  # the table's releases (talosgpu's supported ones)
        from talosgpu.versions import TalosVersion

        registered = field_names(TalosVersion.parse(talos_version), "kinds")
    for number, row in enumerate(SECRET_PATHS):
        if row.kind != "v1alpha1" and not documents:
            continue
        if row.kind != "v1alpha1" and registered is not None and row.kind not in registered:
            continue
        if row.kind == "v1alpha1" and any(row.pattern[: len(p)] == p for p in refused):
            continue
        secret = f"{prefix}{number:03d}x7Yp"
        value = secret
        if row.mode == "tokens":  # only embedded credentials are secret in these strings
            value = (
                f"https://siderolink.example:8099?jointoken={secret}"
                if row.pattern[-1] == "apiUrl"
                else f"talos.secret={secret}"
            )
        values.append(secret)
        if row.kind == "v1alpha1":
            plant(docs[0], row.pattern, value)
        else:
            doc = extra.setdefault(
                row.kind, {"apiVersion": "v1alpha1", "kind": row.kind, "name": "canary"}
            )
            plant(doc, row.pattern, value)
    return [*docs, *extra.values()], values


def run_cli(
    argv: list[str], capsys: pytest.CaptureFixture[str], *, stdin: str | None = None
) -> tuple[int, str, str]:
    """Run the real CLI entry point in-process: ``(exit code, stdout, stderr)``; ``stdin`` is
    what the command reads from standard input. The one CLI runner of the suite."""
    import io
    import sys

    from talosgpu.cli import main

    saved = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
    finally:
        sys.stdin = saved
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


# Profiles a release cannot run, by design: rendering them is a one-line refusal, never a patch.
# (Talos 1.15: the toolkit extension ships no NVIDIA runtime binaries, so cdi/legacy modes are
# impossible; its LTS branch has no proprietary modules and no driver drives Pascal.)
# Before Talos 1.13 there is no native CDI for the GPU Operator with driver and toolkit off.
REFUSED_RENDERS = frozenset(
    {("nvidia-cdi", "1.15"), ("nvidia-graphics", "1.15"), ("nvidia-legacy", "1.15")}
    | {("nvidia-operator", f"1.{minor}") for minor in range(7, 13)}
)


def talosctl_envelope(
    node: str | None, ident: str, spec_text: str, *, mapping: bool = False
) -> str:
    """The ``talosctl get machineconfig -o yaml`` output for one node (research §8,
    ``cmd/talosctl/cmd/talos/output/yaml.go``): ``spec`` as a block string (talosctl >= 1.8)
    or, with ``mapping``, as the v1alpha1 document (older talosctl)."""
    from talosgpu import yamlio

    head = f"node: {node}\n" if node is not None else ""
    meta = (
        "metadata:\n    namespace: config\n    type: MachineConfigs.config.talos.dev\n"
        f"    id: {ident}\n    version: 5\n    phase: running\n"
        "    created: 2025-09-22T07:30:16Z\n    updated: 2025-09-22T07:41:02Z\n"
    )
    if mapping:
        first = yamlio.load_all(spec_text)[0]
        spec = "spec:\n" + "".join("    " + line + "\n" for line in yamlio.dump(first).splitlines())
    else:
        spec = "spec: |\n" + "".join(
            ("    " + line if line else "") + "\n" for line in spec_text.splitlines()
        )
    return head + meta + spec


def refused(profile: str, version: str) -> bool:
    """Is rendering ``profile`` for ``version`` a refusal (see :data:`REFUSED_RENDERS`)?"""
    return (profile, version) in REFUSED_RENDERS


def stock_config(version: str, name: str = "base-worker.yaml") -> Path:
    """A real ``talosctl gen config`` output of Talos ``version`` from ../shared."""
    return shared_path("conformance", "talos-machineconfigs", "stability", f"v{version}", name)


FAKE_TALOSCTL_DIR = ROOT / "tests" / "fixtures" / "fake_talosctl"


def use_fake_talosctl(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    version: str = "1.13",
    talosconfig_env: bool = False,
) -> dict[str, Path]:
    """Put the FAKE talosctl (tests/fixtures/fake_talosctl: mimics talosctl's arguments and
    output shapes, not Talos) first on PATH, answering with a writable copy of the stock config
    of ``version``. Returns the ``talosconfig``, the call ``log`` and the node's ``config``."""
    talosconfig = tmp_path / "talosconfig"
    talosconfig.write_text("context: fake\n")
    log = tmp_path / "calls.jsonl"
    config = tmp_path / "node.yaml"
    config.write_text(stock_config(version).read_text())
    monkeypatch.setenv("PATH", f"{FAKE_TALOSCTL_DIR}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("HOME", str(tmp_path))
    if talosconfig_env:
        monkeypatch.setenv("TALOSCONFIG", str(talosconfig))
    monkeypatch.setenv("FAKE_TALOSCTL_LOG", str(log))
    monkeypatch.setenv("FAKE_TALOSCTL_CONFIG", str(config))
    return {"talosconfig": talosconfig, "log": log, "config": config}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files from current output (the run then fails on purpose)",
    )


_UPDATED: list[str] = []


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """``golden(relative_path, text)`` asserts ``text`` equals the golden file."""
    update = bool(request.config.getoption("--update-golden"))

    def check(relative: str, text: str) -> None:
        path = GOLDEN / relative
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
            _UPDATED.append(relative)
            return
        assert path.exists(), f"missing golden file {relative}: run pytest --update-golden"
        assert text == path.read_text(encoding="utf-8"), f"output differs from golden {relative}"

    return check


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # --update-golden always fails the run: a rewrite must be reviewed, never pass silently.
    if _UPDATED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(
    terminalreporter: object, exitstatus: int, config: pytest.Config
) -> None:
    if _UPDATED:
        tr = terminalreporter
        tr.write_line(  # type: ignore[attr-defined]
            f"--update-golden: {len(_UPDATED)} golden file(s) written; the run fails on purpose, "
            "re-run without --update-golden"
        )
