"""Every file form people commit, through the real CLI (``talosgpu lint DIR``, no flags).

One positive and one negative folder per form under ``tests/fixtures/lint_forms/``, each with
the exact findings (file, YAML path, severity, rule), where each file's release came from, and
the exit code. Formats: Omni cluster templates (siderolabs/omni ``client/pkg/template``), topf
(postfinance/topf ``docs/configuration.md``, ``pkg/config/patches.go``), talhelper (budimanjojo/
talhelper ``pkg/config/config.go``), Image Factory schematics (siderolabs/image-factory
``pkg/schematic/schematic.go``), Jinja / Go templates.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

FORMS = ROOT / "tests" / "fixtures" / "lint_forms"

Row = tuple[str, str, str, str]  # file (relative to the folder), path, severity, rule

CASES: dict[str, tuple[int, list[Row], dict[str, tuple[str, str]]]] = {
    "omni/positive": (
        1,
        [
            ("cluster.yaml", "#0.systemExtensions[1]", "error", "schematic-driver-mismatch"),
            ("cluster.yaml", "#0.kernelArgs[0]", "info", "schematic-kernel-arg"),
            ("cluster.yaml", "#2.patches[0].inline.machine.kernel.modules[0]", "warning",
             "gpu-modules-order"),
            ("cluster.yaml", "#2.patches[0].inline.machine.kernel.modules[1]", "warning",
             "gpu-modules-missing"),
            ("cluster.yaml", '#2.patches[0].inline.machine.sysctls."net.core.bpf_jit_harden"',
             "info", "bpf-jit-harden-number"),
            ("patches/gpu.yaml", ".machine.install.extensions", "warning",
             "install-extensions-ignored"),
        ],
        {"cluster.yaml": ("1.11", "omni-template"), "patches/gpu.yaml": ("1.11", "omni-template")},
    ),
    "omni/negative": (
        0,
        [],
        {"cluster.yaml": ("1.11", "omni-template"), "patches/gpu.yaml": ("1.11", "omni-template")},
    ),
    "jinja/positive": (
        1,
        [
            ("worker.yaml.j2", ".", "info", "templated-input"),
            ("worker.yaml.j2", ".machine.kernel.modules[0]", "warning", "gpu-modules-order"),
            ("worker.yaml.j2", ".machine.kernel.modules[1]", "warning", "gpu-modules-missing"),
            ("worker.yaml.j2", '.machine.sysctls."net.core.bpf_jit_harden"', "info",
             "bpf-jit-harden-number"),
        ],
        {"worker.yaml.j2": ("1.12", "installer")},
    ),
    "jinja/negative": (
        0,
        [("worker.yaml.j2", ".", "info", "templated-input")],
        {"worker.yaml.j2": ("1.12", "installer")},
    ),
    "topf/positive": (
        1,
        [
            ("node/gpu1/02-modules.yaml", ".", "info", "json6902-on-multidoc"),
            ("node/gpu1/02-modules.yaml", ".", "error", "topf-json6902-unsupported"),
            ("node/gpu1/02-modules.yaml", "[0].path", "info", "json6902-add-replaces"),
            ("node/gpu1/02-modules.yaml", "[0].value.modules[0]", "warning",
             "gpu-modules-missing"),
            ("schematic.yaml", ".customization.systemExtensions.officialExtensions[1]", "error",
             "schematic-driver-mismatch"),
            ("topf.yaml", ".", "info", "not-talos-config"),
            ("worker/01-gpu.yaml.tpl", ".", "info", "templated-input"),
            ("worker/01-gpu.yaml.tpl", ".machine.install.extensions", "warning",
             "install-extensions-ignored"),
        ],
        {
            "all/01-sysctls.yaml": ("1.11", "topf"),
            "node/gpu1/02-modules.yaml": ("1.11", "topf"),
            "schematic.yaml": ("1.11", "topf"),
            "worker/01-gpu.yaml.tpl": ("1.11", "topf"),
        },
    ),
    "topf/negative": (
        0,
        [
            ("topf.yaml", ".", "info", "not-talos-config"),
            ("worker/01-gpu.yaml.tpl", ".", "info", "templated-input"),
        ],
        {
            "all/01-sysctls.yaml": ("1.11", "topf"),
            "schematic.yaml": ("1.11", "topf"),
            "worker/01-gpu.yaml.tpl": ("1.11", "topf"),
        },
    ),
    "talhelper/positive": (
        1,
        [
            ("patches/gpu.yaml", '.machine.sysctls."net.core.bpf_jit_harden"', "info",
             "bpf-jit-harden-number"),
            ("patches/gpu.yaml", '.machine.sysctls."net.core.bpf_jit_harden"', "warning",
             "bpf-jit-harden-unneeded"),
            ("talconfig.yaml", ".nodes[0].schematic.customization.systemExtensions"
             ".officialExtensions[0]", "warning", "schematic-extension-name"),
            ("talconfig.yaml", ".nodes[0].imageSchematic", "warning", "schematic-invalid"),
            ("talconfig.yaml", '.nodes[0].patches[1].machine.sysctls."net.core.bpf_jit_harden"',
             "warning", "bpf-jit-harden-unneeded"),
            # nodeLabels nvidia.com/gpu.product: Tesla-P4 (Pascal) with the open modules
            ("talconfig.yaml", ".worker.schematic.customization.systemExtensions"
             ".officialExtensions[0]", "error", "schematic-gpu-modules"),
            ("talconfig.yaml", ".worker.schematic.customization.systemExtensions"
             ".officialExtensions[2]", "warning", "schematic-duplicate-extension"),
            ("talenv.yaml", ".", "info", "not-talos-config"),
        ],
        {"patches/gpu.yaml": ("1.13", "talconfig"), "talconfig.yaml": ("1.13", "talconfig")},
    ),
    "talhelper/negative": (
        0,
        [("talenv.yaml", ".", "info", "not-talos-config")],
        {"patches/gpu.yaml": ("1.13", "talconfig"), "talconfig.yaml": ("1.13", "talconfig")},
    ),
    "schematic/positive": (
        1,
        [
            ("schematic.yaml", ".", "info", "talos-version-assumed"),
            ("schematic.yaml", ".", "error", "schematic-invalid"),
            ("schematic.yaml", ".customization.extraKernelArgs[0]", "info",
             "schematic-kernel-arg"),
            # release-dependent, on an assumed release: info, said as an assumption
            ("schematic.yaml", ".customization.systemExtensions.officialExtensions[1]", "info",
             "schematic-driver-mismatch"),
        ],
        {"schematic.yaml": ("1.14", "default")},
    ),
    "schematic/negative": (
        0,
        [("schematic.yaml", ".", "info", "talos-version-assumed")],
        {"schematic.yaml": ("1.14", "default")},
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_form(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    folder = FORMS / case
    want_code, want_rows, want_targets = CASES[case]
    code, out, _ = run_cli(["lint", str(folder), "--format", "json"], capsys)
    data = json.loads(out)
    prefix = f"{folder}/"
    rows = [
        (f["file"].removeprefix(prefix), f["path"], f["severity"], f["rule"])
        for f in data["findings"]
    ]
    targets = {
        t["file"].removeprefix(prefix): (t["talosVersion"], t["origin"]) for t in data["targets"]
    }
    assert (code, rows, targets) == (want_code, want_rows, want_targets)


def test_summary_names_where_each_release_came_from(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["lint", str(FORMS / "omni" / "positive")], capsys)
    assert code == 1
    assert err.rstrip().endswith("; Talos release from Omni cluster template (2)")


def test_an_omni_templates_file_patch_is_linted_with_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given alone, the template brings its `file:` patches (resolved against its folder);
    a named file that does not exist is one unreadable-input finding, the rest is linted."""
    template = FORMS / "omni" / "positive" / "cluster.yaml"
    code, out, _ = run_cli(["lint", str(template)], capsys)
    patch = FORMS / "omni" / "positive" / "patches" / "gpu.yaml"
    assert code == 1 and f"{patch}:.machine.install.extensions: warning " in out
    broken = tmp_path / "cluster.yaml"
    broken.write_text(template.read_text().replace("patches/gpu.yaml", "patches/missing.yaml"))
    code, out, _ = run_cli(["lint", str(broken), "--format", "json"], capsys)
    missing = [f for f in json.loads(out)["findings"] if f["rule"] == "unreadable-input"]
    assert code == 1 and [f["file"] for f in missing] == [str(tmp_path / "patches/missing.yaml")]
    assert "#0.patches[0].file" in missing[0]["message"]


def test_a_patch_named_by_an_omni_template_alone_is_not_assumed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Linted on its own with its template in the same run: the template's release."""
    monkeypatch.chdir(FORMS / "omni" / "negative")
    code, out, _ = run_cli(["lint", "patches/gpu.yaml", "cluster.yaml", "--format", "json"], capsys)
    targets = json.loads(out)["targets"]
    assert code == 0
    assert {
        "file": "patches/gpu.yaml",
        "talosVersion": "1.11",
        "origin": "omni-template",
    } in targets
