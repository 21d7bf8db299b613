"""The rendered patch header: the release (lint) and the command that renders it again (check)."""

from __future__ import annotations

import pytest

from talosgpu.headers import Rerender, header_version, rerender_of

FIRST = "# Rendered by talosgpu for Talos 1.12 from node.yaml; do not edit by hand.\n"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("node.yaml", Rerender(intent="node.yaml", profile=None)),
        ("'my node.yaml' --talos-version 1.12", Rerender("my node.yaml", None, "1.12")),
        ("--profile nvidia-cdi --from-version 1.13", Rerender(None, "nvidia-cdi", None, "1.13")),
        ("node.yaml --assume-newest-known", Rerender("node.yaml", None, assume_newest_known=True)),
        ("node.yaml --unknown-flag", None),  # a newer talosgpu's flag: not guessed at
        ("a.yaml b.yaml", None),
        ("--talos-version", None),
        ("'unterminated", None),
    ],
)
def test_rerender_of(line: str, expected: Rerender | None) -> None:
    assert rerender_of(f"{FIRST}# Re-render: talosgpu render {line}\nmachine: {{}}\n") == expected


def test_no_rerender_line_or_no_header() -> None:
    assert rerender_of(FIRST + "# Runtime mode: cdi.\n") is None
    assert rerender_of("# Re-render: talosgpu render node.yaml\n") is None
    assert header_version("\ufeff" + FIRST) == "1.12"
    assert header_version("machine: {}\n") is None


def test_the_command_round_trips() -> None:
    again = Rerender("my node.yaml", None, "1.12", "1.11", assume_newest_known=True)
    line = again.command().removeprefix("talosgpu render ")
    assert rerender_of(f"{FIRST}# Re-render: talosgpu render {line}\n") == again
    assert again.command("talosgpu/my node.yaml").startswith(
        "talosgpu render 'talosgpu/my node.yaml'"
    )
