"""Every command line the README and docs/ show is one the CLI accepts, flag for flag.

The example lines of the docs' console blocks (``$ talosgpu …`` or a bare ``talosgpu …`` line,
comments and pipes cut off) are parsed by the real click commands, as a shell would hand them
over: an option that does not exist, a value a choice refuses or a missing argument fails here
(a renamed flag such as ``--output json`` → ``--format json`` cannot stay in a doc). Usage
synopses (``[--flag X]`` or ``A|B`` placeholders) are not commands and are left out. The
examples of ``--help`` itself run whole in tests/acceptance/test_help_examples.py.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
from conftest import ROOT

from talosgpu.cli import cli

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^```(\w*)\s*$")
# a usage synopsis, not a command: [optional], A|B, FILE..., placeholders in capitals
_SYNOPSIS = re.compile(r"\[|\||\.\.\.|…|\bX\.Y\b|(?<![\w/.-])[A-Z][A-Z_]{2,}(?![\w/.-])")


def _example_lines(path: Path) -> list[str]:
    lines: list[str] = []
    fenced = in_block = False
    for raw in path.read_text().splitlines():
        fence = _FENCE.match(raw.strip())
        if fence:
            fenced = not fenced
            in_block = fenced and fence.group(1) in ("console", "sh", "bash", "shell", "")
            continue
        line = raw.strip().removeprefix("$ ")
        if not in_block or not line.startswith("talosgpu "):
            continue
        line = re.split(r"\s+#\s|\s\|\s|\s>\s|\s<\s|\s2>", line)[0].strip()
        if re.match(r"talosgpu (\w+ for |\w+: |: )", line):
            continue  # output shown in the block, not a command
        if not _SYNOPSIS.search(line):
            lines.append(line)
    return lines


EXAMPLES = [(p.relative_to(ROOT).as_posix(), line) for p in DOCS for line in _example_lines(p)]


def test_the_docs_have_examples() -> None:
    assert len(EXAMPLES) >= 25
    assert {doc for doc, _ in EXAMPLES} >= {"README.md", "docs/pre-commit.md", "docs/fleet.md"}


@pytest.mark.parametrize(
    ("doc", "line"), EXAMPLES, ids=[f"{doc}:{text[:50]}" for doc, text in EXAMPLES]
)
def test_a_docs_example_is_a_valid_command_line(doc: str, line: str) -> None:
    args = shlex.split(line)[1:]
    group: click.Command = cli
    context = None
    while isinstance(group, click.Group):
        # the group's own options (--quiet) come before the command name
        while args and args[0].startswith("-"):
            args.pop(0)
        assert args, (doc, line)
        name = args.pop(0)
        command = group.get_command(click.Context(group), name)
        assert command is not None, f"{doc}: unknown command {name!r} in {line!r}"
        group = command
    try:
        context = group.make_context(line.split()[1], args, resilient_parsing=False)
    except click.exceptions.Exit:
        return  # --help / --version
    except click.UsageError as exc:
        pytest.fail(f"{doc}: {line!r}: {exc.format_message()}")
    assert context is not None


def test_the_fleet_docs_inventory_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/fleet.md's main example, rendered as the page says (a new user's first try; its
    `sharing: {replicas: 2}` over a profile without sharing was refused)."""
    from conftest import run_cli

    text = (ROOT / "docs" / "fleet.md").read_text()
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert block.startswith("# talosgpu/fleet.yaml\n")
    monkeypatch.chdir(tmp_path)
    Path("talosgpu").mkdir()
    Path("talosgpu/fleet.yaml").write_text(block)
    args = ["render", "talosgpu/fleet.yaml", "--output-dir", "talosgpu/fleet.rendered"]
    code, _, err = run_cli(args, capsys)
    assert code == 0, err
