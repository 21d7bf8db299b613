"""Lint raises nothing on legitimate setups: talosgpu's own output for every profile and every
supported release, and the official Talos NVIDIA guides' patches copied as published.

Guides: ``../shared/conformance/talos-docs-nvidia/vX.Y/`` (the Talos docs, v1.7–v1.14). Their
machine-config patches (kernel modules, the ``bpf_jit_harden`` sysctl up to 1.12, the 1.14
``KernelModuleConfig`` documents) must lint with no warning or error for their release. The
optional "make nvidia the default runtime" JSON6902 patch (1.7–1.12) is linted too and its
findings are pinned: they are real (every pod through the legacy runtime; JSON6902 refused on
the multi-document configs of 1.12; the 1.8 guide's TOML header is broken upstream).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, shared_path

from talosgpu.errors import RenderError
from talosgpu.intent.load import load_intent, load_profile
from talosgpu.lint import lint_text
from talosgpu.lint.context import Unit
from talosgpu.lint.inputs import read_input
from talosgpu.outputs import render_intent
from talosgpu.profiles import list_profiles
from talosgpu.versions import known_versions

GUIDE_MINORS = ("1.7", "1.8", "1.9", "1.10", "1.11", "1.12", "1.13", "1.14")
_FENCE = re.compile(r"^```[ \t]*(?:yaml|yml)[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _guides(minor: str) -> list[Path]:
    folder = shared_path("conformance", "talos-docs-nvidia", f"v{minor}")
    return sorted(p for p in folder.iterdir() if p.name.startswith("nvidia"))


def _op_list_lines(text: str) -> set[int]:
    """Lines (as lint's ``#L<line>``) of the YAML blocks that are JSON6902 op lists."""
    return {
        text.count("\n", 0, m.start(1)) + 1
        for m in _FENCE.finditer(text)
        if m.group(1).lstrip().startswith("- op:")
    }


def _default_runtime_findings(minor: str, guide: str) -> set[tuple[str, str]]:
    multidoc = "error" if minor in ("1.12",) else "info"
    cri = (
        ("cri-toml-invalid", "error")  # [plugins."plugins."io.containerd.cri.v1.runtime"]
        if (minor, guide) == ("1.8", "nvidia-gpu")
        else ("cri-default-runtime-nvidia", "warning")
    )
    return {("json6902-on-multidoc", multidoc), ("json6902-add-replaces", "info"), cri}


@pytest.mark.parametrize("minor", GUIDE_MINORS)
def test_the_guides_patches_lint_without_warnings_for_their_release(minor: str) -> None:
    patches = 0
    for path in _guides(minor):
        text = path.read_text(encoding="utf-8")
        report = lint_text(text, source=path.stem + ".md", talos_version=minor)
        json_blocks = _op_list_lines(text)
        by_block: dict[int, set[tuple[str, str]]] = {}
        for finding in report.findings:
            line = int(re.match(r"#L(\d+)", finding.path).group(1))  # type: ignore[union-attr]
            by_block.setdefault(line, set()).add((finding.rule, finding.severity))
        for line in json_blocks:
            assert by_block.pop(line) == _default_runtime_findings(minor, path.stem), path
        for line, found in by_block.items():
            assert {severity for _, severity in found} == {"info"}, (path, line, found)
        patches += len({u.base for u in _units(text, path)}) - len(json_blocks)
    assert patches >= 2, f"the v{minor} guides hold no machine-config patch: nothing was tested"


def _units(text: str, path: Path) -> tuple[Unit, ...]:
    return read_input(text, source=path.stem + ".md").units


def _intents() -> list[tuple[str, object]]:
    found = [(f"profile {name}", load_profile(name)) for name in list_profiles()]
    found += [
        (f"examples/{p.parent.name}", load_intent(p))
        for p in sorted((ROOT / "examples").glob("*/intent.yaml"))
    ]
    return found


# Releases a bundled profile refuses on purpose (render says why); every other pair must render.
_REFUSED = {
    ("profile nvidia-cdi", "1.15"), ("examples/nvidia-cdi", "1.15"),
    ("examples/nvidia-cdi-overrides", "1.15"), ("profile nvidia-graphics", "1.15"),
    ("examples/nvidia-graphics", "1.15"), ("examples/nvidia-graphics-overrides", "1.15"),
    ("profile nvidia-legacy", "1.15"), ("examples/nvidia-legacy", "1.15"),
    ("examples/nvidia-legacy-overrides", "1.15"), ("examples/whole-node", "1.15"),
} | {(name, f"1.{minor}") for name in ("profile nvidia-operator", "examples/nvidia-operator",
     "examples/nvidia-operator-overrides") for minor in range(7, 13)}  # fmt: skip


def test_talosgpus_own_render_lints_clean_for_every_profile_and_release() -> None:
    refused, checked = set(), 0
    for name, intent in _intents():
        for version in known_versions():
            try:
                rendered = render_intent(intent, source="intent.yaml", talos_version=version)  # type: ignore[arg-type]
            except RenderError:
                refused.add((name, str(version)))
                continue
            report = lint_text(rendered.patch_text, source="patch.yaml")
            assert report.targets[0].origin == "header" and report.targets[0].talos_version == str(
                version
            )
            loud = [f.one_line() for f in report.findings if f.severity != "info"]
            assert not loud, (name, str(version), loud)
            checked += 1
    assert refused == _REFUSED
    assert checked >= 60
