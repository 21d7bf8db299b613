"""Input bounds and output that cannot lie: the size limit, and --output-dir all or nothing."""

from __future__ import annotations

import errno
import io
import os
import sys
from pathlib import Path

import pytest

from talosgpu import fsio
from talosgpu.errors import OutputError, YAMLError


# ------------------------------------------------------------------------------------ reading
def test_a_file_over_the_limit_is_refused_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fsio, "MAX_INPUT_BYTES", 1000)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a" * 1001)
    with pytest.raises(YAMLError) as info:
        fsio.read_file_bytes(str(big))
    assert info.value.file == str(big)
    assert "at most 1,000 bytes" in info.value.message
    assert "TALOSGPU_MAX_INPUT_MIB" in info.value.message
    (tmp_path / "ok.yaml").write_bytes(b"a" * 1000)
    assert len(fsio.read_file_bytes(str(tmp_path / "ok.yaml"))) == 1000


def test_the_default_limit_and_its_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALOSGPU_MAX_INPUT_MIB", raising=False)
    assert fsio.max_input_bytes() == 4 * 1024 * 1024
    monkeypatch.setenv("TALOSGPU_MAX_INPUT_MIB", "64")
    assert fsio.max_input_bytes() == 64 * 1024 * 1024
    for bad in ("lots", "0", "1e-9", "-1", "5000"):
        monkeypatch.setenv("TALOSGPU_MAX_INPUT_MIB", bad)
        with pytest.raises(YAMLError, match="TALOSGPU_MAX_INPUT_MIB"):
            fsio.max_input_bytes()


def test_stdin_over_the_limit_reads_no_further(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fsio, "MAX_INPUT_BYTES", 10)
    stream = io.StringIO("x" * 10_000)
    monkeypatch.setattr(sys, "stdin", stream)
    with pytest.raises(YAMLError, match="<stdin>"):
        fsio.read_stdin_bytes()
    assert stream.tell() == 11  # the limit plus one byte, never the whole stream


# ------------------------------------------------------------------------------------ writing
FILES = {"patch.yaml": "new patch\n", "plan.json": "{}\n", "manifests.yaml": "new\n"}
OWNED = frozenset({*FILES, "20-customization.part"})


def _old_folder(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    (out / "patch.yaml").write_text("old patch\n")
    (out / "20-customization.part").write_text("old part\n")
    return out


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_folder_holds_exactly_what_was_rendered(tmp_path: Path) -> None:
    out = _old_folder(tmp_path)
    written = fsio.write_tree_atomic(out, FILES, owned=OWNED)
    assert _tree(out) == FILES  # the old CRI part, not rendered this time, is gone
    assert written == [out / name for name in sorted(FILES)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left


@pytest.mark.parametrize("fault", ["disk-full", "interrupt"])
def test_a_failed_write_leaves_the_old_folder_whole(
    fault: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk on the third file, or Ctrl-C: the old folder as it was, nothing beside it
    (before, a new 20-customization.part could sit beside an old patch.yaml)."""
    out = _old_folder(tmp_path)
    before = _tree(out)
    real = fsio._write_staged
    calls = []

    def failing(target: Path, text: str) -> None:
        calls.append(target)
        if len(calls) == 3:
            if fault == "interrupt":
                raise KeyboardInterrupt
            raise OSError(errno.ENOSPC, "No space left on device")
        real(target, text)

    monkeypatch.setattr(fsio, "_write_staged", failing)
    expected = KeyboardInterrupt if fault == "interrupt" else OutputError
    with pytest.raises(expected) as info:
        fsio.write_tree_atomic(out, FILES, owned=OWNED)
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    if fault == "disk-full":
        assert str(info.value) == f"{out / 'plan.json'}: cannot write: No space left on device"


def test_a_failed_swap_puts_the_old_folder_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _old_folder(tmp_path)
    before = _tree(out)
    real = os.replace

    def refuse_into_place(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == out and ".tmp" in Path(src).name:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real(src, dst)

    monkeypatch.setattr(fsio.os, "replace", refuse_into_place)
    with pytest.raises(OutputError, match="Invalid cross-device link"):
        fsio.write_tree_atomic(out, FILES, owned=OWNED)
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_folder_with_the_users_files_is_refused_not_replaced(tmp_path: Path) -> None:
    out = _old_folder(tmp_path)
    (out / "README.md").write_text("mine\n")
    with pytest.raises(OutputError, match=r"holds README.md, which render does not write"):
        fsio.write_tree_atomic(out, FILES, owned=OWNED)
    assert (out / "README.md").read_text() == "mine\n"
    (out / "README.md").unlink()
    (out / "deep" / "x").mkdir(parents=True)
    (out / "deep" / "x" / "patch.yaml").write_text("nested too deep\n")
    with pytest.raises(OutputError, match=r"deep/x/patch.yaml"):
        fsio.write_tree_atomic(out, FILES, owned=OWNED)
    (tmp_path / "file").write_text("")
    with pytest.raises(OutputError, match="is not a folder"):
        fsio.write_tree_atomic(tmp_path / "file", FILES, owned=OWNED)


def test_dot_entries_are_kept(tmp_path: Path) -> None:
    out = _old_folder(tmp_path)
    (out / ".gitkeep").write_text("")
    (out / ".git" / "objects").mkdir(parents=True)
    (out / ".git" / "objects" / "x").write_text("object\n")
    fsio.write_tree_atomic(out, FILES, owned=OWNED)
    assert (out / ".gitkeep").exists()
    assert (out / ".git" / "objects" / "x").read_text() == "object\n"
    assert (out / "patch.yaml").read_text() == "new patch\n"


@pytest.mark.parametrize("name", ["/abs.yaml", "../up.yaml", "a/../../up.yaml", "a//b", "./x"])
def test_names_outside_the_folder_are_refused(name: str, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="not a name inside the folder"):
        fsio.write_tree_atomic(tmp_path / "out", {name: "x"})
    assert not (tmp_path / "up.yaml").exists() and not (tmp_path / "out").exists()


def test_write_atomic_os_errors_name_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "plain").write_text("")
    with pytest.raises(OutputError) as info:
        fsio.write_atomic(tmp_path / "plain" / "x.yaml", "x")
    assert info.value.file == str(tmp_path / "plain" / "x.yaml")
    assert "cannot write:" in info.value.message

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(fsio.os, "replace", read_only)
    target = tmp_path / "out.yaml"
    target.write_text("old\n")
    with pytest.raises(OutputError, match=r"out.yaml: cannot write: Read-only file system"):
        fsio.write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.yaml", "plain"]


# ------------------------------------------------------------- links, devices, FIFOs, modes
def test_write_atomic_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text("old\n")
    link = tmp_path / "worker.yaml"
    link.symlink_to(real)
    fsio.write_atomic(link, "new\n")
    assert link.is_symlink() and real.read_text() == "new\n"


def test_write_atomic_onto_a_device_writes_to_it() -> None:
    """-o /dev/null (or /dev/stdout) is written to, never replaced by a regular file."""
    fsio.write_atomic("/dev/null", "x\n")
    assert Path("/dev/null").is_char_device()


def test_an_output_folder_behind_a_symlink_is_replaced_where_it_is(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "patch.yaml").write_text("old\n")
    link = tmp_path / "out"
    link.symlink_to(real)
    fsio.write_tree_atomic(link, FILES, owned=OWNED)
    assert link.is_symlink() and (real / "patch.yaml").read_text() == "new patch\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "real"]


def test_the_folders_mode_is_kept(tmp_path: Path) -> None:
    out = _old_folder(tmp_path)
    out.chmod(0o750)
    fsio.write_tree_atomic(out, FILES, owned=OWNED)
    assert out.stat().st_mode & 0o777 == 0o750
    fresh = tmp_path / "fresh"
    fsio.write_tree_atomic(fresh, FILES, owned=OWNED)
    assert fresh.stat().st_mode & 0o777 != 0o700  # mkdtemp's mode is not left on it


def test_dot_entries_are_moved_not_copied(tmp_path: Path) -> None:
    out = _old_folder(tmp_path)
    big = out / ".big"
    big.write_bytes(b"x" * 10)
    inode = big.stat().st_ino
    fsio.write_tree_atomic(out, FILES, owned=OWNED)
    assert (out / ".big").stat().st_ino == inode  # the same file, renamed into the new folder


def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "live.yaml"
    os.mkfifo(fifo)
    with pytest.raises(YAMLError, match="not a regular file"):
        fsio.read_file_bytes(str(fifo))
