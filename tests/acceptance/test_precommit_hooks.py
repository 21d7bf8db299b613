"""The shipped pre-commit hooks (``.pre-commit-hooks.yaml``), run by the real pre-commit.

The fast tests check the manifest and the default ``files:`` pattern. The slow ones run
``pre-commit try-repo`` twice (a clean repository passes; a stale rendered file and an invalid
intent fail). try-repo only carries *tracked* files of a dirty repository into its temporary
commit (``pre_commit/commands/try_repo.py``: ``git add -u``), so the hook repository is a
committed copy of the current working tree, not this checkout itself. pre-commit then installs
it with pip into a fresh virtualenv, which needs the package index: those tests skip when it is
unreachable.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import ROOT, run_cli

from talosgpu import yamlio

MANIFEST = ROOT / ".pre-commit-hooks.yaml"
INTENT = "apiVersion: talosgpu.dev/v1alpha1\nkind: GPUNode\nprofile: nvidia-graphics\n"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
}


def hooks() -> dict[str, dict[str, object]]:
    return {hook["id"]: hook for hook in yamlio.load(MANIFEST.read_text())}


# ----------------------------------------------------------------------------- fast
def test_manifest_is_valid_for_pre_commit() -> None:
    if shutil.which("pre-commit") is None:
        pytest.skip("pre-commit is not installed")
    result = subprocess.run(
        ["pre-commit", "validate-manifest", str(MANIFEST)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hook_entries() -> None:
    found = hooks()
    assert set(found) == {"talosgpu-check", "talosgpu-lint"}
    assert found["talosgpu-check"]["entry"] == "talosgpu check"
    assert found["talosgpu-lint"]["entry"] == "talosgpu lint"
    assert all(hook["language"] == "python" for hook in found.values())


@pytest.mark.parametrize(
    ("path", "check", "lint"),
    [
        ("talosgpu/gpu1.yaml", True, True),
        ("clusters/prod/talosgpu/fleet.yml", True, True),
        ("gpu-nodes/gpu1.yaml", True, True),
        ("infra/gpu-node/a.yaml", True, True),
        ("talosgpu/gpu1.rendered/patch.yaml", True, True),
        ("talosgpu/gpu1.rendered/20-customization.part", True, False),
        ("talosgpu/gpu1.rendered/plan.json", True, False),
        ("gpu1.yaml", False, False),
        ("mytalosgpu/gpu1.yaml", False, False),
        ("talosgpu.yaml", False, False),
        ("docs/gpu-nodes.md", False, False),
        # homelab layouts: lint reads their patches and talconfig (check wants intents)
        ("kubernetes/bootstrap/talos/talconfig.yaml", False, True),
        ("talos/patches/nvidia.yaml", False, True),
        ("talos/cluster.yaml.j2", False, True),
        ("talos/README.md", False, False),
    ],
)
def test_default_files_pattern(path: str, check: bool, lint: bool) -> None:
    # pre-commit matches `files` with re.search against the repository-relative path.
    found = hooks()
    assert bool(re.search(str(found["talosgpu-check"]["files"]), path)) is check
    assert bool(re.search(str(found["talosgpu-lint"]["files"]), path)) is lint


# ----------------------------------------------------------------------------- slow: try-repo
def _index_reachable() -> bool:
    host = urlparse(os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple")).hostname
    try:
        socket.create_connection((host or "pypi.org", 443), timeout=5).close()
    except OSError:
        return False
    return True


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for tool in ("git", "pre-commit"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    if not _index_reachable():
        pytest.skip("package index unreachable: pre-commit cannot pip-install the hook")
    repo = tmp_path_factory.mktemp("hook-repo")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".*cache")
    for name in ("talosgpu", "profiles"):
        shutil.copytree(ROOT / name, repo / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, repo / name)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "hook repo")
    return repo


@pytest.fixture
def user_repo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    (tmp_path / "talosgpu").mkdir()
    intent = tmp_path / "talosgpu" / "gpu1.yaml"
    intent.write_text(INTENT)
    code, _, _ = run_cli(
        ["render", str(intent), "--output-dir", str(intent.with_suffix(".rendered"))], capsys
    )
    assert code == 0
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "gpu nodes")
    return tmp_path


def try_repo(hook_repo: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "talosgpu-check", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV, "TALOSGPU_NO_CACHE": "1"},
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.slow
def test_try_repo_clean_repository_passes(hook_repo: Path, user_repo: Path) -> None:
    result = try_repo(hook_repo, user_repo, "--all-files")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"talosgpu check \(intents valid, rendered files current\)\.+Passed", output)


@pytest.mark.slow
def test_try_repo_stale_and_invalid_fail(hook_repo: Path, user_repo: Path) -> None:
    patch = user_repo / "talosgpu" / "gpu1.rendered" / "patch.yaml"
    patch.write_text(patch.read_text().replace("role: gpu", "role: gaming"))
    bad = user_repo / "talosgpu" / "bad.yaml"
    bad.write_text(INTENT + "sharing: {replicas: 1}\n")
    result = try_repo(
        hook_repo, user_repo, "--files", "talosgpu/gpu1.rendered/patch.yaml", "talosgpu/bad.yaml"
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "- exit code: 2" in output
    # the stale rendered file: its intent is re-rendered and the semantic diff shown
    assert "talosgpu/gpu1.yaml: rendered files are not current (talosgpu/gpu1.rendered)" in output
    assert '~ .machine.nodeLabels.role: "gaming" → "gpu"' in output
    # the invalid intent: one line, no traceback
    errors = [line for line in output.splitlines() if line.startswith("talosgpu: error:")]
    assert errors == [
        "talosgpu: error: talosgpu/bad.yaml: .sharing.replicas: "
        "Input should be greater than or equal to 2"
    ]
    assert "Traceback" not in output


def test_check_runs_in_one_process() -> None:
    """pre-commit splits pass_filenames into batches (one per CPU); each batch would print its
    own report. require_serial makes it one process, one report."""
    assert hooks()["talosgpu-check"]["require_serial"] is True


@pytest.mark.slow
def test_try_repo_readme_workflow(
    hook_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's forms, as a user commits them: an intent without kind rendered with
    ``render node.yaml > patch.yaml``, an invalid intent without kind, and an --output-dir folder
    gone stale. Each is reported, the report once."""
    nodes = tmp_path / "talosgpu"
    nodes.mkdir()
    (nodes / "node.yaml").write_text('profile: nvidia-cdi\ntalosVersion: "1.11"\n')
    code, patch, _ = run_cli(["render", str(nodes / "node.yaml")], capsys)
    assert code == 0
    (nodes / "patch.yaml").write_text(patch)
    (nodes / "gpu1.yaml").write_text(INTENT)
    code, _, _ = run_cli(
        ["render", str(nodes / "gpu1.yaml"), "--output-dir", str(nodes / "gpu1.rendered")], capsys
    )
    assert code == 0
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "gpu nodes")
    assert try_repo(hook_repo, tmp_path, "--all-files").returncode == 0
    # the intent moves to 1.12 (its committed patch is now stale), a typo'd intent is added,
    # and the folder's patch is edited by hand
    (nodes / "node.yaml").write_text('profile: nvidia-cdi\ntalosVersion: "1.12"\n')
    (nodes / "typo.yaml").write_text("profle: nvidia-cdi\n")
    folder_patch = nodes / "gpu1.rendered" / "patch.yaml"
    folder_patch.write_text(folder_patch.read_text().replace("role: gpu", "role: gaming"))
    _git(tmp_path, "add", "-A")
    result = try_repo(hook_repo, tmp_path, "--all-files")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert output.count("talosgpu check: ") == 1  # one report
    assert "talosgpu/patch.yaml: differs from what talosgpu renders now" in output
    assert "fix: talosgpu render talosgpu/node.yaml > talosgpu/patch.yaml" in output
    assert "talosgpu/gpu1.yaml: rendered files are not current (talosgpu/gpu1.rendered)" in output
    assert (
        "talosgpu: error: talosgpu/typo.yaml: .profle: unknown field (did you mean 'profile'?)"
        in output
    )
