"""Hostile inputs against every YAML-reading command, each run in its own process with a time
and memory budget: merge-key and alias bombs, long tags, many documents, deep nesting, huge
numbers, secrets under explicit tags, megabyte names, inputs over the size limit.

Every run must end within the budget (20 s, 2 GiB of address space) with exit 0, 1 or 2; an
exit 2 ends with one ``talosgpu: error:`` line; no line is longer than a screenful; no
traceback, no "internal error", and the planted canary never appears. Before these bounds a
542-byte merge bomb or a 1.3 MB tag ran past 30 s (a hardening report).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import shared_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CANARY = "Zq9HostileCanary"
BUDGET_SECONDS = 20
BUDGET_BYTES = 2 * 1024**3


def merge_bomb(levels: int) -> str:
    lines = ["a0: &a0 {x0: 1, y0: 2}"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i}\n  <<: [*a{i - 1}, *a{i - 1}]\n  k{i}: {{<<: *a{i - 1}}}")
    return "machine:\n  nodeLabels: {}\n" + "\n".join(lines) + "\n"


def alias_bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def long_tag(length: int) -> str:
    return f"machine:\n  token: {'!' * length} x\n"


def many_documents(count: int) -> str:
    return "---\n".join(
        f"apiVersion: v1alpha1\nkind: KernelModuleConfig\nname: m{i}\n" for i in range(count)
    )


def deep(depth: int, opener: str) -> str:
    return "machine:\n  kernel: " + opener * depth + "\n"


def huge_number(digits: int, octal: bool) -> str:
    number = ("0" + "7" * digits) if octal else ("9" * digits)
    return (
        "machine:\n  files:\n    - path: /var/x\n      op: create\n      content: x\n"
        f"      permissions: {number}\n"
    )


def tagged_secret(tag: str) -> str:
    return f"machine:\n  token: {tag} {CANARY}\ncluster:\n  secret: {tag} {CANARY}2\n"


def long_name(size: int) -> str:
    return (
        "apiVersion: talosgpu.dev/v1alpha1\nkind: GPUInventory\nnodes:\n"
        f"  - {{name: {'n' * size}, address: 10.0.0.1, profile: nvidia-cdi}}\n"
    )


def oversize(size: int) -> str:
    return "machine:\n  sysctls:\n" + "".join(f"    k{i}: 'v'\n" for i in range(size // 12))


HOSTILE = st.one_of(
    st.integers(8, 60).map(merge_bomb),
    st.integers(6, 30).map(alias_bomb),
    st.integers(300, 1_500_000).map(long_tag),
    st.integers(1_001, 12_000).map(many_documents),
    st.tuples(st.integers(1_000, 200_000), st.sampled_from(["[", "{a: ", "- "])).map(
        lambda args: deep(*args)
    ),
    st.tuples(st.integers(21, 30_000), st.booleans()).map(lambda args: huge_number(*args)),
    st.sampled_from(["!!int", "!!float", "!!bool", "!!binary", "!!timestamp", "!!null"]).map(
        tagged_secret
    ),
    st.integers(100_000, 3_000_000).map(long_name),
    st.integers(1_100_000, 1_500_000).map(oversize),  # over the 1 MiB limit set below
)


def _commands(file: Path, base: Path) -> list[list[str]]:
    return [
        ["render", str(file), "--output-dir", str(file.parent / "out")],
        ["patch", str(base), "-p", f"@{file}"],
        ["patch", str(file), "-p", "machine: {sysctls: {a: '1'}}"],
        ["diff", "--profile", "nvidia-cdi", "--live", str(file)],
        ["lint", str(file)],
        ["check", str(file)],
        ["cdi", "validate", str(file)],
        ["explain", f"@{file}"],
    ]


def _limit() -> None:  # runs in the child: the memory budget
    resource.setrlimit(resource.RLIMIT_AS, (BUDGET_BYTES, BUDGET_BYTES))


@pytest.fixture(scope="module")
def base() -> Path:
    return shared_path(
        "conformance", "talos-machineconfigs", "stability", "v1.11", "base-worker.yaml"
    )


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=HOSTILE, command=st.integers(0, 7))
def test_hostile_input_is_bounded(text: str, command: int, base: Path, tmp_path: Path) -> None:
    work = tmp_path / f"w{abs(hash((text[:64], len(text), command)))}"
    work.mkdir(exist_ok=True)
    file = work / "input.yaml"
    file.write_text(text)
    argv = _commands(file, base)[command]
    env = {**os.environ, "TALOSGPU_NO_CACHE": "1", "TALOSGPU_MAX_INPUT_MIB": "1"}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "talosgpu", *argv],
            capture_output=True,
            text=True,
            timeout=BUDGET_SECONDS,
            env=env,
            preexec_fn=_limit,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"over {BUDGET_SECONDS} s: {argv[0]} on {text[:80]!r} ({len(text):,} chars)")
    out, err = proc.stdout, proc.stderr
    shown = (
        f"{argv[0]} on {text[:60]!r}… ({len(text):,} chars): exit {proc.returncode}\n{err[:500]}"
    )
    assert proc.returncode in (0, 1, 2), shown
    assert "Traceback" not in err and "internal error" not in err, shown
    # patch prints the merged config, whole: its stdout holds the values by design (docs/patch.md)
    assert CANARY not in (err if argv[0] == "patch" else out + err), shown
    assert all(len(line) <= 2_500 for line in err.splitlines()), shown
    if proc.returncode == 2:
        assert err.strip().splitlines()[-1].startswith("talosgpu: error: "), shown
