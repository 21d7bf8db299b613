"""The README stays true: its quick start has exactly two commands, every ``talosgpu.X`` it
shows exists in ``__all__``, every command it lists exists, and .ci/run calls its test command."""

from __future__ import annotations

import re
from pathlib import Path

import talosgpu
from talosgpu.cli import cli

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_quick_start_is_two_commands_and_ci_runs_the_test_command() -> None:
    block = README.split("## Quick start", 1)[1].split("```console", 1)[1].split("```", 1)[0]
    commands = [line for line in block.strip().splitlines() if line.strip()]
    assert len(commands) == 2
    assert "talosgpu render --profile" in commands[0]
    test_command = commands[1].split("&&")[-1].strip()
    assert test_command in (ROOT / ".ci" / "run").read_text()


def test_every_python_name_in_the_readme_is_exported() -> None:
    names = set(re.findall(r"talosgpu\.([A-Za-z_]+)\(", README))
    assert names
    missing = sorted(n for n in names if n not in talosgpu.__all__)
    assert not missing
    for name in names:
        assert callable(getattr(talosgpu, name))


def test_every_command_in_the_readme_exists() -> None:
    listed = set(re.findall(r"`talosgpu ([a-z][a-z-]*)", README))
    assert listed
    assert listed <= set(cli.commands)
    assert set(cli.commands) <= listed
