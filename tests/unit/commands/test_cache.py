"""The render cache: hits replay the exact output; any input or code change is a miss."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from talosgpu.cli import main
from talosgpu.commands import cache


def render(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("TALOSGPU_CACHE_DIR", str(folder))
    monkeypatch.delenv("TALOSGPU_NO_CACHE", raising=False)
    return folder


def test_hit_replays_output_and_warnings(
    cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = render(["render", "--profile", "nvidia-graphics"], capsys)
    entries = list((cache_dir / "render").glob("*.json"))
    assert len(entries) == 1
    second = render(["render", "--profile", "nvidia-graphics"], capsys)
    assert first == second
    assert "warning:" in second[2]


def test_changed_intent_is_a_miss(
    cache_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    intent = tmp_path / "node.yaml"
    intent.write_text("profile: nvidia-cdi\n")
    _, out1, _ = render(["render", str(intent)], capsys)
    intent.write_text("profile: nvidia-cdi\nlabels: {extra: x}\n")
    _, out2, _ = render(["render", str(intent)], capsys)
    assert "extra: x" in out2 and "extra: x" not in out1


def test_corrupt_entry_is_ignored(cache_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out1, _ = render(["render", "--profile", "nvidia-cdi"], capsys)
    for entry in (cache_dir / "render").glob("*.json"):
        entry.write_text("{not json")
    _, out2, _ = render(["render", "--profile", "nvidia-cdi"], capsys)
    assert out1 == out2


def test_disabled(
    cache_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TALOSGPU_NO_CACHE", "1")
    render(["render", "--profile", "nvidia-cdi"], capsys)
    assert not (cache_dir / "render").exists()


def test_errors_are_not_cached(cache_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = render(["render", "--profile", "nope"], capsys)
    assert code == 2
    assert not list(cache_dir.glob("render/*.json"))


def test_key_depends_on_code_and_arguments(tmp_path: Path) -> None:
    base = cache.key(command=["render", "patch"], inputs=[b"x"])
    assert base == cache.key(command=["render", "patch"], inputs=[b"x"])
    assert base != cache.key(command=["render", "dir"], inputs=[b"x"])
    assert base != cache.key(command=["render", "patch"], inputs=[b"y"])
    # a renderer, far from the cache module, and a bundled profile both count
    import talosgpu.renderers.cri as renderer

    for module in (Path(renderer.__file__), Path(cache.__file__)):
        _assert_touch_is_a_miss(module, base)


def _assert_touch_is_a_miss(module: Path, base: str) -> None:
    cache._code_fingerprint.cache_clear()
    assert base == cache.key(command=["render", "patch"], inputs=[b"x"])
    st = module.stat()
    try:
        os.utime(module, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        # the code fingerprint is taken once per process: a new process sees the change
        assert base == cache.key(command=["render", "patch"], inputs=[b"x"])
        cache._code_fingerprint.cache_clear()
        assert base != cache.key(command=["render", "patch"], inputs=[b"x"])
    finally:
        os.utime(module, ns=(st.st_atime_ns, st.st_mtime_ns))
        cache._code_fingerprint.cache_clear()


def test_unwritable_cache_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("TALOSGPU_CACHE_DIR", str(blocker / "sub"))
    code, out, _ = render(["render", "--profile", "nvidia-cdi"], capsys)
    assert code == 0 and out
