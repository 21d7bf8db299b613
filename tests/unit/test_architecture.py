"""The layering of docs/ARCHITECTURE.md, enforced on the import graph of the package.

Layers, top to bottom: ``cli`` → ``report`` → ``commands`` → core → io/facts. A module imports
only its own layer or lower ones; inside the core, packages have a fixed order too. Runtime
imports (``TYPE_CHECKING`` blocks excluded) form no cycle. An import inside a function carries
a ``lazy`` comment saying why (the cold-start budget of the CLI and the render cache's hit path).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "talosgpu"

# io/facts, and the helpers on plain data everything above shares (plain, structdiff)
IO = frozenset(
    {"errors", "versions", "yamlio", "yamlfast", "tomlio", "fsio", "plain", "structdiff", "_lazy", "_version", "headers",
     "data"}
)  # fmt: skip
# Core packages (or top-level core modules), top to bottom: each imports only those below it.
CORE = (
    "fleet",
    "outputs",
    "nodepatch",
    "configdiff",
    "lint",
    "check",
    "diagnosis",
    "k8s",
    "renderers",
    "plan",
    "plan_mode",
    "plan_node",
    "plan_hardware",
    "plan_model",
    "knowledge",
    "cdi",
    "live",
    "talos",
    "intent",
    "profiles",
)
LAYERS = ("cli", "report", "commands", "core", "io")


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module
    line: int
    runtime: bool  # not under TYPE_CHECKING
    in_function: bool
    lazy_reason: bool  # a "lazy" comment on the import or just above its group


def modules(root: Path = PACKAGE) -> dict[str, str]:
    """Module name -> source text, for every module of the package."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path.read_text(encoding="utf-8")
    return out


def _targets(
    node: ast.Import | ast.ImportFrom, current: str, known: Mapping[str, str]
) -> list[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        assert not node.level, f"{current}: talosgpu uses absolute imports only"
        base = node.module or ""
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
    return [n for n in names if n.startswith("talosgpu") and n in known]


def imports(sources: Mapping[str, str]) -> list[Import]:
    """Every import of a package module by a package module."""
    found: list[Import] = []
    for name, text in sources.items():
        tree = ast.parse(text)
        lines = text.splitlines()
        typing_only: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                typing_only.update(id(child) for child in ast.walk(node))
        top = {id(node) for node in tree.body}
        nodes = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
        starts = {n.lineno: n for n in nodes}
        for node in nodes:
            inner = id(node) not in top and id(node) not in typing_only
            for target in _targets(node, name, sources):
                if target == name:
                    continue
                found.append(
                    Import(
                        source=name,
                        target=target,
                        line=node.lineno,
                        runtime=id(node) not in typing_only,
                        in_function=inner,
                        lazy_reason=inner and _has_reason(node, lines, starts),
                    )
                )
    return found


def _has_reason(node: ast.stmt, lines: list[str], starts: Mapping[int, ast.stmt]) -> bool:
    """A ``lazy`` comment on one of the import's lines, or on the line above the group of
    consecutive import statements it belongs to."""
    first = node.lineno
    while True:
        above = next((n for n in starts.values() if n.end_lineno == first - 1), None)
        if above is None:
            break
        first = above.lineno
    own = lines[node.lineno - 1 : (node.end_lineno or node.lineno)]
    before = lines[first - 2].strip() if first >= 2 else ""
    return any("# lazy" in line for line in own) or (before.startswith("#") and "lazy" in before)


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "facade"  # talosgpu/__init__: lazy re-exports only
    head = parts[1]
    if head in ("cli", "__main__"):
        return "cli"
    if head in ("report", "commands"):
        return head
    return "io" if head in IO else "core"


def violations(found: list[Import]) -> list[str]:
    """Upward imports, across the layers and across the core's packages."""
    bad = []
    for item in found:
        src, dst = layer(item.source), layer(item.target)
        if "facade" in (src, dst):
            if src != "facade" and dst == "facade":
                bad.append(f"{item.source}:{item.line} imports the package facade")
            continue
        if LAYERS.index(dst) < LAYERS.index(src):
            bad.append(f"{item.source}:{item.line} ({src}) imports {item.target} ({dst})")
        elif src == dst == "core":
            a, b = item.source.split(".")[1], item.target.split(".")[1]
            if a != b and CORE.index(b) < CORE.index(a):
                bad.append(f"{item.source}:{item.line} ({a}) imports {item.target} ({b}, above)")
    return bad


def cycles(found: list[Import]) -> list[list[str]]:
    """Strongly connected groups of modules in the runtime import graph (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for item in found:
        if item.runtime:
            graph.setdefault(item.source, set()).add(item.target)
            graph.setdefault(item.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


# ----------------------------------------------------------------------------- the package
@pytest.fixture(scope="module")
def graph() -> list[Import]:
    return imports(modules())


def test_nothing_imports_upward(graph: list[Import]) -> None:
    assert violations(graph) == []


def test_no_import_cycles(graph: list[Import]) -> None:
    assert cycles(graph) == []


def test_every_import_inside_a_function_says_why(graph: list[Import]) -> None:
    unexplained = [f"{i.source}:{i.line}" for i in graph if i.in_function and not i.lazy_reason]
    assert unexplained == []


def test_only_the_cli_imports_click() -> None:
    users = [name for name, text in modules().items() if "import click" in text]
    assert users and all(name.split(".")[1] == "cli" for name in users), users


def test_every_core_package_has_a_place_in_the_order() -> None:
    heads = {name.split(".")[1] for name in modules() if name.count(".") >= 1}
    unplaced = heads - set(CORE) - IO - {"cli", "__main__", "report", "commands", "py"}
    assert unplaced == set()


# ----------------------------------------------------------------------------- the checker itself
def _fake(**sources: str) -> dict[str, str]:
    return {f"talosgpu.{k.replace('__', '.')}": textwrap.dedent(v) for k, v in sources.items()}


def test_the_checker_sees_an_upward_import_a_cycle_and_an_unexplained_lazy_import() -> None:
    fake = _fake(
        plan="from talosgpu.renderers import x\n",  # core: plan is below renderers
        renderers="from talosgpu.plan import y\n",
        errors="from talosgpu.commands import z\n",  # io importing a use case
        commands="def f():\n    from talosgpu.plan import y\n",
        report="def f():\n    # lazy: cold start\n    from talosgpu.plan import y\n",
    )
    found = imports(fake)
    assert sorted(violations(found)) == [
        "talosgpu.errors:1 (io) imports talosgpu.commands (commands)",
        "talosgpu.plan:1 (plan) imports talosgpu.renderers (renderers, above)",
    ]
    assert cycles(found) == [["talosgpu.plan", "talosgpu.renderers"]]
    lazy = {i.source: i.lazy_reason for i in found if i.in_function}
    assert lazy == {"talosgpu.commands": False, "talosgpu.report": True}


def test_a_cached_render_imports_neither_pydantic_nor_the_yaml_library(tmp_path: Path) -> None:
    """The pre-commit hook's hit path (docs/pre-commit.md): the cached output is printed with
    the standard library and talosgpu's light modules only."""
    code = textwrap.dedent(
        """
        import contextlib, io, sys
        from talosgpu.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                main(["render", "--profile", "nvidia-cdi"])
            except SystemExit:
                pass
        print(sorted(m for m in sys.modules if m.startswith(("pydantic", "ruamel.yaml"))))
        """
    )
    env = {"TALOSGPU_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert runs[0] != "[]"  # the miss loads the library (so the check below can fail)
    assert runs[1] == "[]", runs[1]
