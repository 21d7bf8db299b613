"""``talosgpu lint`` end to end, and over every real-world file in ../shared/conformance.

Each "pattern seen in real-world/" of conformance/README.md is asserted on the file that shows
it. The malformed talconfig (dpollreisz) is reported as an ``invalid-inline-patch`` error finding
(exit 1): the talconfig itself is YAML, only one inline patch string is broken.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli, shared_path

from talosgpu.commands.lint import lint_files
from talosgpu.lint import LintReport


def real(relative: str) -> Path:
    return shared_path("conformance", "real-world", relative)


def rules_of(report: LintReport, file: Path | None = None) -> set[str]:
    return {f.rule for f in report.findings if file is None or f.file == str(file)}


# ------------------------------------------------------------------ CLI contract
def test_text_output_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    patch = tmp_path / "gpu.yaml"
    patch.write_text('machine:\n  sysctls:\n    net.core.bpf_jit_harden: "1"\n')
    code, out, err = run_cli(["lint", str(patch), "--talos-version", "1.13"], capsys)
    assert code == 1
    assert out == (
        f'{patch}:.machine.sysctls."net.core.bpf_jit_harden": warning bpf-jit-harden-unneeded: '
        + out.split("bpf-jit-harden-unneeded: ", 1)[1]
    )
    assert out.count("\n") == 1 and "(fix: remove it unless" in out
    assert "1 file(s) checked" in err


def test_clean_exit_0_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    patch = tmp_path / "ok.yaml"
    patch.write_text(
        "machine:\n  kernel:\n    modules:\n"
        + "".join(
            f"      - name: {m}\n" for m in ("nvidia", "nvidia_uvm", "nvidia_drm", "nvidia_modeset")
        )
    )
    code, out, _ = run_cli(
        ["lint", str(patch), "--talos-version", "1.13", "--format", "json"], capsys
    )
    assert code == 0
    data = json.loads(out)
    assert data == {
        "version": 2,
        "findings": [],
        "filesChecked": 1,
        "skipped": [],
        "targets": [{"file": str(patch), "talosVersion": "1.13", "origin": "option"}],
    }


def test_strict_counts_info(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    patch = tmp_path / "labels.yaml"
    patch.write_text("machine:\n  nodeLabels:\n    nvidia.com/gpu.present: 'true'\n")
    assert run_cli(["lint", str(patch), "--talos-version", "1.14"], capsys)[0] == 0
    assert run_cli(["lint", str(patch), "--talos-version", "1.14", "--strict"], capsys)[0] == 1


def test_unreadable_input_exit_2_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("machine: [\n")
    code, out, err = run_cli(["lint", str(bad)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and str(bad) in err and "Traceback" not in err
    code, _, err = run_cli(["lint", str(tmp_path / "missing.yaml")], capsys)
    assert code == 2 and "no such file" in err


def test_bad_version_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    patch = tmp_path / "p.yaml"
    patch.write_text("machine: {}\n")
    code, _, err = run_cli(["lint", str(patch), "--talos-version", "banana"], capsys)
    assert code == 2 and "not a Talos version" in err


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("- op: add\n  path: /machine/x\n  value: 1\n"))
    code, out, _ = run_cli(["lint", "-", "--talos-version", "1.12"], capsys)
    assert code == 1 and out.startswith("<stdin>:.: error json6902-on-multidoc:")


# ------------------------------------------------------------------ every real-world file
def _all_real_files() -> list[Path]:
    root = shared_path("conformance", "real-world")
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_every_real_world_file_lints_without_crash(capsys: pytest.CaptureFixture[str]) -> None:
    files = _all_real_files()
    assert len(files) > 50
    for path in files:
        code, _out, err = run_cli(["lint", str(path)], capsys)
        assert code in (0, 1), (path, err)
        assert "internal error" not in err and "Traceback" not in err
    report = lint_files(files)
    # every file given is checked or skipped; the corpus holds only each repo's GPU files, so a
    # talconfig's other @file patches are missing (skipped as unreadable, named by the talconfig)
    given = {str(f) for f in files}
    missing = [s for s in report.skipped if s.file not in given]
    assert all("names it as a patch" in s.reason for s in missing)
    assert report.files_checked + len(report.skipped) - len(missing) == len(files)


def test_real_world_directory_in_one_run() -> None:
    report = lint_files([shared_path("conformance", "real-world")])
    assert report.files_checked >= 40 and report.exit_code == 1


# ------------------------------------------------------------------ README patterns
DOCS_COPIES = [
    "vdupain__gitops-iac/2-k8s-clusters/cluster-gpu/talos_k8s/config/gpu-worker-patch.yaml",
    "KnightDoom__taloscluster/kubernetes/bootstrap/talos/patches/talos0/gpu-worker-patch.yaml",
    "axeII__home-ops/kubernetes/bootstrap/talos/patches/controller/gpu-controller-patch.yaml",
    "nforceroh__k8s-home/ref/talos/patches/gpu-worker-patch.yaml",
    "teaglebuilt__homelab/tf_modules/talos_cluster/patches/worker/gpu-worker-patch.yaml",
    "soupglasses__ops/talos/patches/nvidia.yaml",
    "pwyde__home-cluster/talos/patches/gpu/nvidia-gpu.yaml",
]


@pytest.mark.parametrize("relative", DOCS_COPIES)
def test_docs_patch_copied_verbatim(relative: str) -> None:
    path = real(relative)
    assert rules_of(lint_files([path], talos_version="1.12")) == {"bpf-jit-harden-number"}
    on_113 = lint_files([path], talos_version="1.13")
    assert rules_of(on_113) == {"bpf-jit-harden-number", "bpf-jit-harden-unneeded"}


def test_bpf_jit_harden_int_and_string() -> None:
    as_int = real(
        "vdupain__gitops-iac/2-k8s-clusters/cluster-gpu/talos_k8s/config/gpu-worker-patch.yaml"
    )
    as_str = real(
        "Vikaspogu__k8s-gitops/kubernetes/bootstrap/talos/patches/global/machine-sysctls.yaml"
    )
    assert "bpf-jit-harden-number" in rules_of(lint_files([as_int], talos_version="1.11"))
    assert "bpf-jit-harden-number" not in rules_of(lint_files([as_str], talos_version="1.11"))
    assert "bpf-jit-harden-unneeded" in rules_of(lint_files([as_str], talos_version="1.13"))


def test_containerd_17_keys_next_to_2x_keys() -> None:
    report = lint_files([real("binaryn3xus__HomeOps/talos/nodes/worker/10.0.30.6.yaml.j2")])
    assert report.targets[0].talos_version == "1.13"  # from the installer image tag
    (finding,) = report.by_rule("cri-containerd-generation")
    assert finding.path == ".machine.files[0].content" and "registry" in finding.message


@pytest.mark.parametrize(
    "relative",
    [
        "bacchus-snu__cd-manifests/talos/cocktail/patches/worker/nvidia-modules.yaml",
        "lenaxia__talos-ops-prod/kubernetes/bootstrap/talos/patches/nvidia/nvidia-default-runtimeclass.yaml",
        "zebernst__homelab/talos/worker/europa.yaml",
        "vdupain__gitops-iac/2-k8s-clusters/cluster-gpu/talos_k8s/config/nvidia-default-runtimeclass.yaml",
    ],
)
def test_legacy_nvidia_runtime_default_for_every_pod(relative: str) -> None:
    assert "cri-default-runtime-nvidia" in rules_of(lint_files([real(relative)]))


def test_bacchus_grpc_part_is_right_on_17_wrong_on_18() -> None:
    path = real("bacchus-snu__cd-manifests/talos/cocktail/patches/worker/nvidia-modules.yaml")
    assert "cri-containerd-generation" not in rules_of(lint_files([path], talos_version="1.7"))
    assert "cri-containerd-generation" in rules_of(lint_files([path], talos_version="1.8"))


def test_typo_containerd_runtimes_and_usr_bin_binary() -> None:
    report = lint_files(
        [real("cyberglitchlabs__clouddrop/talos/patches/global/machine-files.yaml")]
    )
    (table,) = report.by_rule("cri-unknown-table")
    assert "containerd_runtimes" in table.message and "containerd.runtimes" in table.fix
    (binary,) = report.by_rule("cri-binary-path")
    # inside the ignored table: what comes next once the typo is fixed, at info
    assert "/usr/bin/nvidia-container-runtime" in binary.message
    assert "/usr/local/bin/nvidia-container-runtime" in binary.fix
    assert binary.severity == "info" and "is ignored on Talos 1.14 (cri-unknown-table)" in (
        binary.message
    )


def test_malformed_talconfig() -> None:
    report = lint_files([real("dpollreisz__homelab/kubernetes/talos/talconfig.yaml")])
    (finding,) = report.by_rule("invalid-inline-patch")
    assert finding.path == ".controlPlane.patches[0]" and finding.severity == "error"
    assert report.targets[0].talos_version == "1.7" and report.exit_code == 1


def test_op_delete_inside_machine_files() -> None:
    report = lint_files(
        [real("VazardAU__home-ops/talos/cluster-0/patches/nvidia-default-runtimeclass.yaml")]
    )
    (finding,) = report.by_rule("files-unknown-op")
    assert finding.path == "[0].value[0].op" and "'delete'" in finding.message


def test_patch_delete_on_machine_files_entry() -> None:
    report = lint_files([real("zebernst__homelab/talos/worker/europa.yaml")])
    (finding,) = report.by_rule("files-patch-delete")
    assert finding.path == "#0.machine.files[0]"


def test_two_layers_creating_the_same_part() -> None:
    base = real("binaryn3xus__HomeOps/talos/machineconfig.yaml.j2")
    node = real("binaryn3xus__HomeOps/talos/nodes/worker/10.0.30.6.yaml.j2")
    report = lint_files([base, node], layers=True)
    (finding,) = report.by_rule("files-duplicate-create")
    assert finding.file == str(node) and "20-customization.part" in finding.message


def test_delete_then_create_layer_is_not_a_duplicate() -> None:
    base = real("zebernst__homelab/talos/machineconfig.yaml.j2")
    node = real("zebernst__homelab/talos/worker/europa.yaml")
    assert not lint_files([base, node], layers=True).by_rule("files-duplicate-create")


def test_talos_114_documents() -> None:
    path = real("Marshall2HD__home-ops/talos/cluster.yaml.j2")
    report = lint_files([path])
    assert (report.targets[0].talos_version, report.targets[0].origin) == ("1.14", "installer")
    (finding,) = report.by_rule("bpf-jit-harden-unneeded")
    assert finding.path == '#22.params."net.core.bpf_jit_harden"'
    assert not report.by_rule("deprecated-field-with-document")
    assert rules_of(lint_files([path], talos_version="1.13")) >= {"document-needs-newer-talos"}
    tanguille = lint_files([real("Tanguille__cluster/talos/cluster.yaml.j2")])
    assert tanguille.targets[0].origin == "documents"


def test_json6902_from_the_14_era() -> None:
    """Refused on a 1.12+ multi-document config; nothing names VazardAU's release, so without
    one it is said as an assumption (a 1.4-era single-document config still takes it)."""
    path = real("VazardAU__home-ops/talos/cluster-0/patches/gpu-worker-patch.yaml")
    assumed = lint_files([path]).by_rule("json6902-on-multidoc")[0]
    assert assumed.severity == "info" and "(assumed: nothing names the release)" in assumed.message
    report = lint_files([path], talos_version="1.12")
    assert report.by_rule("json6902-on-multidoc")[0].severity == "error"
    assert report.by_rule("install-extensions-ignored")


@pytest.mark.parametrize(
    "relative",
    [
        "chr1sd__home-ops/talos/nodes/worker/kvrnts-4.yaml.j2",
        "zebernst__homelab/talos/worker/europa.yaml",
        "binaryn3xus__HomeOps/talos/nodes/worker/10.0.30.6.yaml.j2",
        "OxygnCorp__home-ops/talos/main/worker/k8s-3.yaml",
    ],
)
def test_taints_through_register_with_taints(relative: str) -> None:
    assert "kubelet-register-taints" in rules_of(lint_files([real(relative)]))


def test_misnamed_part_and_overwritten_extension_part() -> None:
    lenaxia = real(
        "lenaxia__talos-ops-prod/kubernetes/bootstrap/talos/patches/nvidia/nvidia-default-runtimeclass.yaml"
    )
    assert lint_files([lenaxia]).by_rule("cri-file-ignored")[0].severity == "error"
    d4rk = lint_files([real("d4rkfella__home-ops/talos/192.168.91.9.sops.yaml")])
    assert d4rk.by_rule("cri-file-ignored")[0].severity == "warning"


def test_cdi_dirs_under_etc_in_markdown() -> None:
    path = real(
        "TheBranchDriftCatalyst__talos-homelab/docs/06-troubleshooting/nvidia-ebpf-workaround.md"
    )
    assert "cdi-spec-dir-readonly" in rules_of(lint_files([path]))
    var_only = real("sulibot__home-ops/talos/clusters/cluster-101/cdi-containerd-patch.yaml")
    assert "cdi-spec-dir-readonly" not in rules_of(lint_files([var_only]))


def test_schematics_are_checked_for_their_release() -> None:
    """Image Factory schematics are linted, not skipped: the unsuffixed names are right on 1.7,
    old aliases from 1.8 on; nonfree-kmod-nvidia-lts is not published for 1.15 (open-only LTS)."""
    old = real("vdupain__gitops-iac/2-k8s-clusters/poc/pve3-gpu/1-talos-vm/schematic-nvidia.yaml")
    assert lint_files([old], talos_version="1.7").findings == ()
    named = lint_files([old], talos_version="1.12")
    assert [(f.rule, f.severity) for f in named.findings] == [
        ("schematic-extension-name", "warning"),
        ("schematic-extension-name", "warning"),
    ]
    spark = real("jhart99__home-ops/talos/schematic-spark.yaml")
    assert lint_files([spark], talos_version="1.13").findings == ()
    (found,) = lint_files([spark], talos_version="1.15").findings
    assert found.rule == "schematic-extension-name" and found.severity == "error"
    assert found.path == ".customization.systemExtensions.officialExtensions[2]"


def test_a_release_dependent_rule_only_says_assumed_when_no_release_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a release, talosgpu assumes the newest: a 1.9–1.12 node was told to remove the
    bpf_jit_harden sysctl its legacy runtime needs. On an assumed release such a rule is info,
    worded as an assumption; named (flag or installer tag), it judges."""
    patch = tmp_path / "patch.yaml"
    patch.write_text('machine:\n  sysctls:\n    net.core.bpf_jit_harden: "1"\n')
    code, out, _ = run_cli(["lint", str(patch)], capsys)
    line = next(x for x in out.splitlines() if "bpf-jit-harden-unneeded" in x)
    assert code == 0 and ": info bpf-jit-harden-unneeded: if the node runs Talos" in line
    assert "(assumed: nothing names the release)" in line
    code, out, _ = run_cli(["lint", str(patch), "--talos-version", "1.14"], capsys)
    assert code == 1 and ": warning bpf-jit-harden-unneeded: net.core.bpf_jit_harden: the " in out
    patch.write_text(
        "machine:\n  install:\n    image: ghcr.io/siderolabs/installer:v1.11.3\n"
        '  sysctls:\n    net.core.bpf_jit_harden: "1"\n'
    )
    code, out, _ = run_cli(["lint", str(patch)], capsys)
    assert "bpf-jit-harden-unneeded" not in out  # 1.11 with the legacy runtime may need it


def test_one_unreadable_file_does_not_stop_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder with one file that is not YAML even with its template tags blanked: that file
    is one finding, the others are linted; exit 2 only when nothing could be linted."""
    (tmp_path / "a.yaml").write_text("machine:\n  sysctls:\n    net.core.bpf_jit_harden: 1\n")
    (tmp_path / "b.yaml").write_text("machine: [\n")
    (tmp_path / "c.yaml").write_bytes(b"machine: \xff\xfe\n")  # not UTF-8
    code, out, err = run_cli(["lint", str(tmp_path), "--talos-version", "1.11"], capsys)
    assert code == 1
    assert f"{tmp_path / 'b.yaml'}:.: error unreadable-input: not valid YAML: line 2" in out
    assert f"{tmp_path / 'c.yaml'}:.: error unreadable-input: not UTF-8 text" in out
    assert "bpf-jit-harden-number" in out  # a.yaml was linted
    assert "1 file(s) checked, 2 skipped" in err
    code, _, err = run_cli(["lint", str(tmp_path / "b.yaml")], capsys)
    assert code == 2 and err.startswith("talosgpu: error:")


def test_a_patchs_release_comes_from_the_talconfig_that_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """talhelper's layout: talconfig.yaml names patches/gpu.yaml (`"@./patches/gpu.yaml"`),
    its talosVersion is `${talosVersion}` from talenv.yaml. The patch is linted for that
    release (1.11 keeps bpf_jit_harden), not the assumed newest; a SOPS value is never read."""
    monkeypatch.chdir(tmp_path)
    Path("patches").mkdir()
    Path("patches/gpu.yaml").write_text('machine:\n  sysctls:\n    net.core.bpf_jit_harden: "1"\n')
    Path("talconfig.yaml").write_text(
        "clusterName: c\ntalosVersion: ${talosVersion}\nendpoint: https://c:6443\n"
        'nodes:\n  - hostname: gpu1\n    patches:\n      - "@./patches/gpu.yaml"\n'
    )
    Path("talenv.yaml").write_text("talosVersion: v1.11.3\n")
    code, out, _ = run_cli(["lint", "patches/gpu.yaml", "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["targets"] == [
        {"file": "patches/gpu.yaml", "talosVersion": "1.11", "origin": "talconfig"}
    ]
    assert not [f for f in data["findings"] if f["rule"] == "bpf-jit-harden-unneeded"]
    Path("talenv.yaml").write_text("talosVersion: ENC[AES256_GCM,data:abc]\n")
    _, out, _ = run_cli(["lint", "patches/gpu.yaml", "--format", "json"], capsys)
    assert json.loads(out)["targets"][0]["origin"] == "default"  # encrypted: not guessed


def test_a_talconfig_brings_its_file_patches(tmp_path: Path) -> None:
    """`@file` patches are the talconfig's content: linted with its release when only the
    talconfig is given, once when both are given, and a missing one is unreadable-input."""
    (tmp_path / "patches").mkdir()
    gpu = tmp_path / "patches" / "gpu.yaml"
    gpu.write_text("machine:\n  sysctls:\n    net.core.bpf_jit_harden: 1\n")
    talconfig = tmp_path / "talconfig.yaml"
    talconfig.write_text(
        "clusterName: c\ntalosVersion: v1.11.3\nendpoint: https://x:6443\nnodes:\n"
        "  - hostname: a\n    ipAddress: 10.0.0.2\n    patches:\n"
        '      - "@./patches/gpu.yaml"\n      - "@./patches/gone.yaml"\n'
    )
    alone = lint_files([talconfig])
    assert {(Path(t.file).name, t.talos_version) for t in alone.targets} == {
        ("talconfig.yaml", "1.11"), ("gpu.yaml", "1.11"),
    }  # fmt: skip
    (missing,) = alone.by_rule("unreadable-input")
    assert missing.file.endswith("gone.yaml") and ".nodes[0].patches[1]" in missing.message
    both = lint_files([talconfig, gpu])
    assert [f for f in both.findings if f.file.endswith("gpu.yaml")] == [
        f for f in alone.findings if f.file.endswith("gpu.yaml")
    ]
    folder = lint_files([tmp_path])
    assert sum(1 for t in folder.targets if t.file.endswith("gpu.yaml")) == 1
