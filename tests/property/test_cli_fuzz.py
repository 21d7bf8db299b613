"""Hypothesis fuzzing of the real CLI with arbitrary YAML as inventories, live configs, patches
and CDI specs: every run ends with exit 0/1 or one error line (exit 2) — never a traceback or an
"internal error" — and a failed run leaves an existing output directory untouched."""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talosgpu import yamlio
from talosgpu.cli import main

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.text(max_size=8),
    st.sampled_from(
        [
            "v1alpha1",
            "GPUInventory",
            "talosgpu.dev/v1alpha1",
            "nvidia-cdi",
            "1.11",
            "/var/cdi",
            "$patch",
            "delete",
        ]
    ),
)
keys = st.sampled_from(
    [
        "apiVersion",
        "kind",
        "nodes",
        "name",
        "roles",
        "defaults",
        "profile",
        "machine",
        "cluster",
        "files",
        "path",
        "op",
        "content",
        "$patch",
        "cdiVersion",
        "devices",
        "containerEdits",
        "hooks",
        "spec",
        "metadata",
        "x",
    ]
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=14,
)

COMMANDS = [
    ["render", "{file}", "--output-dir", "{out}"],
    ["patch", "{file}", "-p", "machine:\n  sysctls:\n    a: 'b'\n"],
    ["patch", "-", "-p", "@{file}"],
    ["diff", "--profile", "nvidia-cdi", "--live", "{file}"],
    ["lint", "{file}"],
    ["cdi", "validate", "{file}"],
    ["cdi", "patch-hooks", "{file}"],
    ["check", "{file}"],
    ["lint", "--layers", "{file}", "{file}", "--format", "json"],
    ["diff", "{file}", "--all", "--live-dir", "{out}"],
    ["render", "{file}", "--manifests"],
    ["schematic", "{file}"],
    ["helm-values", "{file}"],
    ["explain", "@{file}", "--format", "json"],
]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=documents, command=st.sampled_from(COMMANDS), multi=st.booleans())
def test_cli_never_tracebacks(
    doc: object,
    command: list[str],
    multi: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = yamlio.dump_all([doc, doc]) if multi else yamlio.dump(doc)
    # tmp_path is shared by all examples of one test: use a fresh folder per example.
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    file = work / "input.yaml"
    file.write_text(text)
    out_dir = work / "out"
    out_dir.mkdir()
    (out_dir / ".keep").write_text("existing")  # a dotfile: render keeps it
    argv = [part.replace("{file}", str(file)).replace("{out}", str(out_dir)) for part in command]
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    _, err = capsys.readouterr()
    code = exit_info.value.code
    assert code in (0, 1, 2, None), (argv, err)
    assert "Traceback" not in err and "internal error" not in err, (argv, err)
    if code == 2:
        assert len(err.strip().splitlines()) == 1, (argv, err)
        # the line names the input: the file, stdin, or the patch given with -p
        names = (str(file), "<stdin>", "<inline patch>")
        assert any(name in err for name in names), (argv, err)
        assert (out_dir / ".keep").read_text() == "existing"
        assert sorted(p.name for p in out_dir.iterdir()) == [".keep"]


HOSTILE = {
    # a few hundred bytes that expand to 5**12 values through aliases (billion laughs)
    "alias-bomb": "version: v1alpha1\nmachine:\n  l0: &l0 [lol, lol, lol, lol, lol]\n"
    + "".join(f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 5)}]\n" for i in range(1, 13)),
    "alias-loop": "version: v1alpha1\nmachine: &m\n  self: *m\n",
}
DEEP = "a: " + "[" * 1500 + "]" * 1500 + "\n"  # past the parser's recursion: ~2 s per run


@pytest.mark.parametrize(
    ("name", "command"),
    # explain reads logs as text, not YAML: it has nothing to reject
    [(name, command) for name in sorted(HOSTILE) for command in COMMANDS if command[0] != "explain"]
    + [("deep-nesting", ["lint", "{file}"])],
    ids=lambda v: v if isinstance(v, str) else " ".join(v[:2]),
)
def test_hostile_yaml_is_one_error_line(
    name: str,
    command: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Alias bombs, self-containing aliases and absurd nesting end in exit 2 with one line that
    names the file (go-yaml rejects the first two as well), not in a hang or a traceback."""
    text = HOSTILE.get(name, DEEP)
    file = tmp_path / "input.yaml"
    file.write_text(text)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    argv = [part.replace("{file}", str(file)).replace("{out}", str(out_dir)) for part in command]
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    assert exit_info.value.code == 2, (argv, out, err)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, (argv, err)
    assert "input.yaml" in err or "<stdin>" in err, (argv, err)


OUTPUT_COMMANDS = [
    ["render", "{file}", "-o", "{target}"],
    ["patch", "{file}", "-p", "machine: {sysctls: {a: 'b'}}", "-o", "{target}"],
    ["cdi", "patch-hooks", "{file}", "-o", "{target}"],
    ["helm-values", "{file}", "-o", "{target}"],
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=documents, command=st.sampled_from(OUTPUT_COMMANDS))
def test_a_failed_run_leaves_an_existing_output_file_untouched(
    doc: object,
    command: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``-o FILE`` is written atomically (temp file + rename): a run that fails leaves the file
    as it was, byte for byte, and no temp file behind; a run that succeeds replaces it whole."""
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    file = work / "input.yaml"
    file.write_text(yamlio.dump(doc))
    target = work / "out.yaml"
    target.write_text("previous output\n")
    argv = [p.replace("{file}", str(file)).replace("{target}", str(target)) for p in command]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    _, err = capsys.readouterr()
    assert "Traceback" not in err
    assert sorted(p.name for p in work.iterdir()) == ["input.yaml", "out.yaml"], argv
    if exit_info.value.code == 2:
        assert target.read_text() == "previous output\n", (argv, err)
    else:
        assert target.read_text() != "previous output\n", argv
