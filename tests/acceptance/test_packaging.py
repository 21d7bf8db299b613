"""The wheel carries the profiles and the package data, and installs a working CLI."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hatchling.builders.wheel import WheelBuilder

    out = tmp_path_factory.mktemp("wheel")
    paths = list(WheelBuilder(str(ROOT)).build(directory=str(out), versions=["standard"]))
    return Path(paths[0])


def test_wheel_contains_profiles_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for profile in sorted((ROOT / "profiles").glob("*.yaml")):
        assert f"talosgpu/_profiles/{profile.name}" in names
    assert "talosgpu/data/talos_versions.toml" in names
    assert "talosgpu/py.typed" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "talosgpu = talosgpu.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_profiles_load_from_the_wheel(wheel: Path, tmp_path: Path) -> None:
    """Unpacked wheel on sys.path, no checkout: profiles come from talosgpu/_profiles."""
    zipfile.ZipFile(wheel).extractall(tmp_path)
    code = (
        "import talosgpu.profiles as p; print(p.profiles_dir()); print(','.join(p.list_profiles()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    folder, names = result.stdout.splitlines()
    assert folder == str(tmp_path / "talosgpu" / "_profiles")
    assert "nvidia-cdi" in names.split(",")


def test_one_version_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    """pyproject.toml, the package and --version (read from talosgpu/_version.py, not from
    package metadata, which made --version half again as slow as --help) agree; --version
    also names the Talos releases this talosgpu knows."""
    import tomllib

    from conftest import run_cli

    import talosgpu

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert talosgpu.__version__ == declared
    from talosgpu.versions import NEWEST_KNOWN, releases_line

    code, out, _ = run_cli(["--version"], capsys)
    assert code == 0 and out == f"talosgpu, version {declared}\n{releases_line()}\n"
    assert f"1.7–{NEWEST_KNOWN[0]}.{NEWEST_KNOWN[1]}" in releases_line()
