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
    cache._code_fingerprint.cache_clear()  # the tree as it is now, not at the first key
    base = cache.key(command=["render", "patch"], inputs=[b"x"])
    assert base == cache.key(command=["render", "patch"], inputs=[b"x"])
    assert base != cache.key(command=["render", "dir"], inputs=[b"x"])
    assert base != cache.key(command=["render", "patch"], inputs=[b"y"])
    # a renderer, far from the cache module, and a bundled profile both count
    import talosgpu.renderers.cri as renderer
    from talosgpu.profiles import profiles_dir

    profile = profiles_dir() / "nvidia-cdi.yaml"
    for module in (Path(renderer.__file__), Path(cache.__file__), profile):
        _assert_touch_is_a_miss(module, base)


def _assert_touch_is_a_miss(module: Path, base: str) -> None:
    """A same-size edit with the mtime put back is still a miss: the key hashes contents
    (a size-and-mtime key rendered the old profile after exactly that edit)."""
    cache._code_fingerprint.cache_clear()
    assert base == cache.key(command=["render", "patch"], inputs=[b"x"])
    st = module.stat()
    original = module.read_bytes()
    edited = original[:-1] + (b" " if original[-1:] != b" " else b"\n")
    try:
        module.write_bytes(edited)
        os.utime(module, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert module.stat().st_size == st.st_size
        # the code fingerprint is taken once per process: a new process sees the change
        assert base == cache.key(command=["render", "patch"], inputs=[b"x"])
        cache._code_fingerprint.cache_clear()
        assert base != cache.key(command=["render", "patch"], inputs=[b"x"])
        # only the content counts: a touch alone is no miss
        module.write_bytes(original)
        os.utime(module, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        cache._code_fingerprint.cache_clear()
        assert base == cache.key(command=["render", "patch"], inputs=[b"x"])
    finally:
        module.write_bytes(original)
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


# ------------------------------------------------------------------ entries that must not be trusted
def _entry(cache_dir: Path) -> Path:
    (entry,) = (cache_dir / "render").glob("*.json")
    return entry


def _rewrite(entry: Path, edit: object) -> None:
    import json

    data = json.loads(entry.read_text())
    edit(data)  # type: ignore[operator]
    entry.write_text(json.dumps(data))


@pytest.mark.parametrize(
    "poison",
    [
        # a hand edit of the payload: its hash no longer matches
        lambda d: d["payload"].__setitem__("text", "machine: {hacked: true}\n"),
        # a consistent edit under another key: the entry names a key that is not its own
        lambda d: d.__setitem__("key", "0" * 64),
        # the payload without its hash, or the old (unhashed) entry format
        lambda d: d.pop("sha256"),
        lambda d: d.clear(),
    ],
    ids=["edited-payload", "other-key", "no-hash", "empty"],
)
def test_an_entry_that_does_not_verify_is_a_miss(
    poison: object, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = render(["render", "--profile", "nvidia-cdi"], capsys)
    _rewrite(_entry(cache_dir), poison)
    assert render(["render", "--profile", "nvidia-cdi"], capsys) == first


def _rehash(data: dict[str, object]) -> None:
    """What an attacker who knows the format writes: a payload with a matching hash."""
    data["sha256"] = cache._payload_hash(data["payload"])


@pytest.mark.parametrize(
    "names",
    [
        ["/tmp/evil.yaml"], ["../evil.yaml"], ["a/../../evil.yaml"], ["./patch.yaml"], [""],
        # inside the folder is not enough: only names render writes (a planted git hook)
        [".git/hooks/post-checkout"], ["x/y/z/evil.sh"], ["a\x00b"], ["node/../../x"],
        ["evil.sh"],
    ],
)  # fmt: skip
def test_a_verified_entry_naming_other_files_is_a_miss(
    names: list[str], cache_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Even with a valid hash, the payload's file names are checked: a name outside the folder
    (a write outside --output-dir was possible before) or one render never writes makes the
    entry a miss, never a file written."""
    out = tmp_path / "out"
    first = render(["render", "--profile", "nvidia-cdi", "--output-dir", str(out)], capsys)

    def poison(data: dict[str, dict[str, object]]) -> None:
        data["payload"]["files"] = {name: "#!/bin/sh\n" for name in names}
        _rehash(data)  # type: ignore[arg-type]

    _rewrite(_entry(cache_dir), poison)
    assert render(["render", "--profile", "nvidia-cdi", "--output-dir", str(out)], capsys) == first
    assert not (tmp_path / "evil.yaml").exists() and not Path("/tmp/evil.yaml").exists()
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["20-customization.part", "manifests.yaml", "patch.yaml", "plan.json", "schematic.yaml"]
    )


def test_a_malformed_verified_entry_is_a_miss(
    cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = render(["render", "--profile", "nvidia-cdi"], capsys)

    def poison(data: dict[str, dict[str, object]]) -> None:
        del data["payload"]["warnings"]
        data["payload"]["what"] = "rm -rf"
        _rehash(data)  # type: ignore[arg-type]

    _rewrite(_entry(cache_dir), poison)
    assert render(["render", "--profile", "nvidia-cdi"], capsys) == first


def test_a_failed_write_leaves_no_temp_file(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    cache.put("a" * 64, {"what": "patch"})
    assert not [p for p in (cache_dir / "render").iterdir()]


def test_eviction_by_age_and_count(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = cache_dir / "render"
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    now = 2_000_000_000.0

    def name(index: int) -> str:  # "ffff…": keys whose put does not itself evict (1 in 64 does)
        return f"ffff{index:060x}"

    for index in (*range(6), 9):
        cache.put(name(index), {"n": index})
        os.utime(folder / f"{name(index)}.json", (now - index * 60,) * 2)
    os.utime(folder / f"{name(9)}.json", (now - cache.MAX_AGE_SECONDS - 1,) * 2)
    tmp = folder / ".x.1.tmp"
    tmp.write_text("torn")
    os.utime(tmp, (now - 7200, now - 7200))
    assert cache.evict(folder, now=now) == 5  # the old one, the temp file, 3 beyond the count
    left = sorted(p.name for p in folder.iterdir())
    assert left == [f"{name(i)}.json" for i in range(3)]  # the three used most recently


def test_a_hit_marks_the_entry_used(cache_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    render(["render", "--profile", "nvidia-cdi"], capsys)
    entry = _entry(cache_dir)
    os.utime(entry, (1_000_000_000, 1_000_000_000))
    render(["render", "--profile", "nvidia-cdi"], capsys)
    assert entry.stat().st_mtime > 1_000_000_000


def test_a_cache_folder_others_can_write_is_not_used(
    cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The entry hash is a checksum anyone can recompute: a group- or world-writable cache
    folder (a shared /tmp, a CI cache) is neither read nor written."""
    first = render(["render", "--profile", "nvidia-cdi"], capsys)
    folder = cache_dir / "render"
    assert folder.stat().st_mode & 0o777 == 0o700
    assert _entry(cache_dir).stat().st_mode & 0o777 == 0o600
    _rewrite(
        _entry(cache_dir), lambda d: (d["payload"].__setitem__("text", "hacked\n"), _rehash(d))
    )
    folder.chmod(0o777)
    assert render(["render", "--profile", "nvidia-cdi"], capsys) == first  # not read
    folder.chmod(0o700)
    assert render(["render", "--profile", "nvidia-cdi"], capsys)[1] == "hacked\n"  # it would be
