"""Each rule on small inline inputs: it fires where it should and stays quiet otherwise."""

from __future__ import annotations

import textwrap

import pytest

from talosgpu.lint import LintReport, lint_text


def lint(text: str, version: str = "1.11") -> LintReport:
    return lint_text(textwrap.dedent(text), source="p.yaml", talos_version=version)


def files_patch(
    content: str, path: str = "/etc/cri/conf.d/20-customization.part", op: str = "create"
) -> str:
    body = textwrap.indent(textwrap.dedent(content), " " * 8)
    return f"machine:\n  files:\n    - op: {op}\n      path: {path}\n      content: |\n{body}"


# ------------------------------------------------------------------ documents (1.14)
@pytest.mark.parametrize(
    ("field", "kind", "severity"),
    [
        ("nodeLabels:\n    a: b", "KubeNodeConfig", "error"),
        ("nodeTaints:\n    a: NoSchedule", "KubeNodeConfig", "error"),
        ("kubelet:\n    extraArgs: {a: b}", "KubeletConfig\nimage: k", "error"),
        (
            "kernel:\n    modules: [{name: nvidia}]",
            "KernelModuleConfig\nname: nvidia_uvm",
            "warning",
        ),
        ("sysctls:\n    a: '1'", "SysctlConfig\nparams: {b: '2'}", "warning"),
        ("udev:\n    rules: [x]", "UdevRulesConfig\nrules: [y]", "warning"),
    ],
)
def test_deprecated_field_with_document(field: str, kind: str, severity: str) -> None:
    text = f"machine:\n  {field}\n---\napiVersion: v1alpha1\nkind: {kind}\n"
    (finding,) = lint(text, "1.14").by_rule("deprecated-field-with-document")
    assert finding.severity == severity and finding.path.startswith("#0.machine.")


def test_deprecated_field_alone_is_info_and_names_the_document() -> None:
    report = lint("machine:\n  nodeLabels: {a: b}\n", "1.14")
    (finding,) = report.by_rule("deprecated-field")
    assert finding.severity == "info" and "KubeNodeConfig" in finding.fix
    assert not report.by_rule("deprecated-field-with-document")


def test_deprecated_rules_are_quiet_before_1_14() -> None:
    text = "machine:\n  nodeLabels: {a: b}\n---\napiVersion: v1alpha1\nkind: KubeNodeConfig\n"
    report = lint(text, "1.13")
    assert not report.by_rule("deprecated-field") and not report.by_rule(
        "deprecated-field-with-document"
    )
    assert report.by_rule("document-needs-newer-talos")


def test_install_extensions() -> None:
    text = "machine:\n  install:\n    extensions: [{image: x}]\n"
    assert lint(text, "1.10").by_rule("install-extensions-ignored")[0].severity == "warning"
    assert lint(text, "1.9").by_rule("install-extensions-ignored")[0].severity == "info"


# ------------------------------------------------------------------ JSON6902
OPS = "- op: add\n  path: /machine/kernel\n  value:\n    modules: [{name: nvidia}]\n"


def test_json6902_error_on_112_plus_info_before() -> None:
    assert lint(OPS, "1.12").by_rule("json6902-on-multidoc")[0].severity == "error"
    assert lint(OPS, "1.11").by_rule("json6902-on-multidoc")[0].severity == "info"


def test_json6902_error_when_the_file_is_multidoc() -> None:
    text = OPS + "---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: a\n"
    assert lint(text, "1.9").by_rule("json6902-on-multidoc")[0].severity == "error"


def test_json6902_invalid_op() -> None:
    report = lint("- op: delete\n  path: /machine/x\n- op: add\n  path: machine\n  value: 1\n")
    assert [f.path for f in report.by_rule("json6902-invalid-op")] == ["[0].op", "[1].path"]
    assert not lint(OPS).by_rule("json6902-invalid-op")


def test_strategic_patch_is_not_json6902() -> None:
    assert not lint("machine:\n  kernel:\n    modules: [{name: nvidia}]\n").by_rule(
        "json6902-on-multidoc"
    )


# ------------------------------------------------------------------ machine.files
def test_unknown_op() -> None:
    report = lint(files_patch("[plugins]\n", op="delete"))
    assert report.by_rule("files-unknown-op")[0].path == ".machine.files[0].op"
    assert not lint(files_patch("[plugins]\n")).by_rule("files-unknown-op")


def test_create_outside_var() -> None:
    assert lint(files_patch("x\n", path="/etc/nfsmount.conf")).by_rule("files-create-outside-var")
    assert lint(files_patch("x\n", path="/etc/cdi/nvidia.yaml")).by_rule("files-create-outside-var")
    for ok in ("/var/cdi/.keep", "/etc/kubernetes/manifests/pod.yaml"):
        assert not lint(files_patch("x\n", path=ok)).by_rule("files-create-outside-var")
    assert not lint(files_patch("x\n", path="/etc/nfsmount.conf", op="overwrite")).by_rule(
        "files-create-outside-var"
    )
    assert not lint(files_patch("[plugins]\n")).by_rule("files-create-outside-var")


def test_duplicate_create_in_one_file() -> None:
    entry = "    - op: create\n      path: /var/a\n      content: x\n"
    report = lint("machine:\n  files:\n" + entry + entry)
    (finding,) = report.by_rule("files-duplicate-create")
    assert finding.path == ".machine.files[1].path"
    assert not lint("machine:\n  files:\n" + entry).by_rule("files-duplicate-create")


def test_patch_delete_explained() -> None:
    text = "machine:\n  files:\n    - path: /etc/cri/conf.d/20-customization.part\n      $patch: delete\n"
    (finding,) = lint(text).by_rule("files-patch-delete")
    assert finding.severity == "info" and "first machine.files entry" in finding.message
    assert lint(text, "1.7").by_rule("files-patch-delete")[0].severity == "error"


@pytest.mark.parametrize(
    ("path", "op", "severity"),
    [
        ("/etc/cri/conf.d/30-customization.part", "create", "error"),
        ("/etc/cri/conf.d/20-enable-cdi.toml", "create", "error"),
        ("/etc/cri/conf.d/10-nvidia-container-runtime.part", "overwrite", "warning"),
        ("/var/cri/conf.d/20-customization.part", "create", "warning"),
    ],
)
def test_cri_file_ignored(path: str, op: str, severity: str) -> None:
    (finding,) = lint(files_patch("[plugins]\n", path=path, op=op)).by_rule("cri-file-ignored")
    assert finding.severity == severity


def test_cri_customization_part_is_not_ignored() -> None:
    assert not lint(files_patch("[plugins]\n")).by_rule("cri-file-ignored")


# ------------------------------------------------------------------ CRI TOML
GRPC = '[plugins."io.containerd.grpc.v1.cri".containerd]\n  default_runtime_name = "runc"\n'
V2 = '[plugins."io.containerd.cri.v1.runtime".containerd]\n  default_runtime_name = "runc"\n'


def test_containerd_generation_both_ways() -> None:
    assert lint(files_patch(GRPC), "1.8").by_rule("cri-containerd-generation")
    assert not lint(files_patch(GRPC), "1.7").by_rule("cri-containerd-generation")
    assert lint(files_patch(V2), "1.7").by_rule("cri-containerd-generation")
    assert not lint(files_patch(V2), "1.8").by_rule("cri-containerd-generation")


def test_grpc_streaming_settings_are_fine_on_containerd_2() -> None:
    part = '[plugins."io.containerd.grpc.v1.cri"]\n  stream_server_address = "127.0.0.1"\n'
    assert not lint(files_patch(part), "1.11").by_rule("cri-containerd-generation")


def test_cri_customization_document_is_checked_too() -> None:
    text = (
        "apiVersion: v1alpha1\nkind: CRICustomizationConfig\nname: gpu\ncontent: |\n  "
        + GRPC.replace("\n  ", "\n    ")
    )
    (finding,) = lint(text, "1.14").by_rule("cri-containerd-generation")
    assert finding.path == ".content"


def test_misspelt_tables() -> None:
    part = '[plugins."io.containerd.cri.v1.runtime".containerd_runtimes.nvidia]\n  runtime_type = "x"\n'
    (finding,) = lint(files_patch(part)).by_rule("cri-unknown-table")
    assert "containerd.runtimes" in finding.fix
    part2 = '[plugins."io.containerd.cri.v1.runtimes"]\n  enable_cdi = true\n'
    assert (
        "io.containerd.cri.v1.runtime"
        in lint(files_patch(part2)).by_rule("cri-unknown-table")[0].fix
    )
    part3 = '["io.containerd.cri.v1.runtime"]\n  enable_cdi = true\n'
    assert lint(files_patch(part3)).by_rule("cri-unknown-table")
    assert not lint(files_patch(V2)).by_rule("cri-unknown-table")


@pytest.mark.parametrize(
    ("binary", "bad"),
    [
        ("/usr/bin/nvidia-container-runtime", True),
        ("/usr/local/bin/nvidia-container-runtime", False),
        ("/usr/local/bin/nvidia-container-runtime.cdi", False),
        ("/usr/bin/runc", False),
    ],
)
def test_binary_path(binary: str, bad: bool) -> None:
    part = (
        '[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia.options]\n'
        f'  BinaryName = "{binary}"\n'
    )
    assert bool(lint(files_patch(part)).by_rule("cri-binary-path")) == bad


def test_default_runtime_nvidia() -> None:
    part = V2.replace('"runc"', '"nvidia"')
    (finding,) = lint(files_patch(part)).by_rule("cri-default-runtime-nvidia")
    assert finding.severity == "warning"
    assert not lint(files_patch(V2)).by_rule("cri-default-runtime-nvidia")


def test_default_runtime_misplaced() -> None:
    part = '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia]\n  default_runtime_name = "nvidia"\n'
    assert lint(files_patch(part), "1.7").by_rule("cri-misplaced-key")


def test_cdi_spec_dirs_under_etc() -> None:
    part = '[plugins."io.containerd.cri.v1.runtime"]\n  cdi_spec_dirs = ["/etc/cdi", "/var/cdi"]\n'
    (finding,) = lint(files_patch(part)).by_rule("cdi-spec-dir-readonly")
    assert "/etc/cdi" in finding.message and "/var/cdi" not in finding.message
    ok = part.replace('"/etc/cdi", ', "")
    assert not lint(files_patch(ok)).by_rule("cdi-spec-dir-readonly")


def test_invalid_toml() -> None:
    (finding,) = lint(files_patch('[plugins."io.containerd\n')).by_rule("cri-toml-invalid")
    assert finding.path == ".machine.files[0].content" and finding.severity == "error"


def test_reserved_customization_name() -> None:
    text = "apiVersion: v1alpha1\nkind: CRICustomizationConfig\nname: customization\ncontent: ''\n"
    assert lint(text, "1.14").by_rule("cri-customization-name")


# ------------------------------------------------------------------ kernel, sysctls, taints
def modules(*names: str) -> str:
    return "machine:\n  kernel:\n    modules:\n" + "".join(f"      - name: {n}\n" for n in names)


def test_gpu_modules_missing() -> None:
    (finding,) = lint(modules("nvidia", "nvidia_drm")).by_rule("gpu-modules-missing")
    assert "nvidia_uvm" in finding.message and "nvidia_modeset" in finding.message
    assert finding.path == ".machine.kernel.modules[0]"
    assert not lint(modules("nvidia", "nvidia_uvm", "nvidia_drm", "nvidia_modeset")).by_rule(
        "gpu-modules-missing"
    )
    assert not lint(modules("nbd")).by_rule("gpu-modules-missing")


def test_gpu_modules_order() -> None:
    report = lint(modules("nvidia_uvm", "nvidia", "nvidia_drm", "nvidia_modeset"))
    assert report.by_rule("gpu-modules-order")[0].path == ".machine.kernel.modules[0]"
    assert not lint(modules("nvidia", "nvidia_modeset", "nvidia_uvm", "nvidia_drm")).by_rule(
        "gpu-modules-order"
    )


def test_gpu_modules_from_1_14_documents() -> None:
    text = "---\n".join(
        f"apiVersion: v1alpha1\nkind: KernelModuleConfig\nname: {n}\n"
        for n in ("nvidia_uvm", "nvidia")
    )
    report = lint(text, "1.14")
    assert report.by_rule("gpu-modules-order") and report.by_rule("gpu-modules-missing")


def test_bpf_jit_harden() -> None:
    number = "machine:\n  sysctls:\n    net.core.bpf_jit_harden: 1\n"
    string = number.replace(": 1", ': "1"')
    assert lint(number, "1.12").rules() == {"bpf-jit-harden-number"}
    assert not lint(string, "1.12").findings
    assert lint(string, "1.13").rules() == {"bpf-jit-harden-unneeded"}
    doc = "apiVersion: v1alpha1\nkind: SysctlConfig\nparams:\n  net.core.bpf_jit_harden: 1\n"
    assert lint(doc, "1.14").rules() == {"bpf-jit-harden-number", "bpf-jit-harden-unneeded"}


@pytest.mark.parametrize(
    "text",
    [
        "machine:\n  kubelet:\n    extraConfig:\n      registerWithTaints: [{key: a, effect: NoSchedule}]\n",
        "machine:\n  kubelet:\n    extraArgs:\n      register-with-taints: a=:NoSchedule\n",
    ],
)
def test_register_with_taints(text: str) -> None:
    assert lint(text).by_rule("kubelet-register-taints")


def test_node_taints_are_fine() -> None:
    assert not lint("machine:\n  nodeTaints:\n    a: NoSchedule\n").findings


def test_a_deleted_module_is_not_a_loaded_one() -> None:
    """``- {name: nvidia, $patch: delete}`` removes the module (a delete selector): no
    gpu-modules-missing "nvidia is loaded but ..." (a fleet trial's finding)."""
    text = "machine:\n  kernel:\n    modules:\n      - name: nvidia\n        $patch: delete\n"
    report = lint_text(text, source="p.yaml", talos_version="1.13")
    assert not report.by_rule("gpu-modules-missing")
