"""JSON6902 add that replaces, vfio-pci on an NVIDIA node, NVreg_* first load (rules_traps)."""

from __future__ import annotations

import textwrap

from talosgpu.lint import LintReport, lint_text, lint_texts

MODULES = "".join(
    f"      - name: {m}\n" for m in ("nvidia", "nvidia_uvm", "nvidia_drm", "nvidia_modeset")
)


def lint(text: str, version: str = "1.11") -> LintReport:
    return lint_text(textwrap.dedent(text), source="p.yaml", talos_version=version)


def test_add_on_an_object_member_replaces_only_then() -> None:
    ops = """\
    - op: add
      path: /machine/files
      value: [{op: create, path: /var/a, content: x}]
    - op: add
      path: /machine/files/0
      value: {op: create, path: /var/b, content: y}
    - op: add
      path: /machine/files/-
      value: {op: create, path: /var/c, content: z}
    - op: add
      path: /machine/nodeLabels/gpu
      value: "true"
    - op: replace
      path: /machine/sysctls
      value: {a: "1"}
    """
    (finding,) = lint(ops).by_rule("json6902-add-replaces")
    # only the add on the member itself: an index inserts, /- appends, a scalar sets one key
    assert finding.path == "[0].path" and finding.severity == "info"
    assert "if the config already has one (RFC 6902 §4.1)" in finding.message
    assert "/machine/files/-" in finding.fix


def test_add_after_an_op_that_set_it_is_a_warning() -> None:
    ops = """\
    - op: add
      path: /machine/sysctls/vm.x
      value: "1"
    - op: add
      path: /machine/sysctls
      value: {vm.y: "2"}
    """
    (finding,) = lint(ops).by_rule("json6902-add-replaces")
    assert finding.severity == "warning" and "an earlier op of this patch" in finding.message


def test_vfio_ids_of_nvidia_on_an_nvidia_node() -> None:
    text = "machine:\n  kernel:\n    modules:\n" + MODULES
    text += "      - name: vfio_pci\n        parameters: [ids=10de:1eb8]\n"
    (finding,) = lint(text).by_rule("vfio-pci-nvidia-gpu")
    assert finding.path == ".machine.kernel.modules[4].parameters[0]"
    assert "10de:1eb8" in finding.message and "vfio_pci module parameter" in finding.message
    assert "which id that GPU has is not in the config" in finding.message


def test_vfio_is_quiet_without_an_nvidia_id_or_an_nvidia_node() -> None:
    args = "machine:\n  install:\n    extraKernelArgs: [vfio-pci.ids=10de:1eb8]\n"
    assert not lint(args).by_rule("vfio-pci-nvidia-gpu")  # nothing says NVIDIA containers
    labelled = args + "  nodeLabels:\n    nvidia.com/gpu.present: 'true'\n"
    (finding,) = lint(labelled).by_rule("vfio-pci-nvidia-gpu")
    assert "labelled nvidia.com/gpu.present" in finding.message
    amd = "machine:\n  install:\n    extraKernelArgs: [vfio-pci.ids=1002:73bf]\n"
    amd += "  kernel:\n    modules:\n" + MODULES
    assert not lint(amd).by_rule("vfio-pci-nvidia-gpu")


def test_nvreg_in_a_document_and_as_a_kernel_argument() -> None:
    text = "apiVersion: v1alpha1\nkind: KernelModuleConfig\nname: nvidia\n"
    text += "parameters: [NVreg_EnableGpuFirmware=0]\n"
    (finding,) = lint(text, "1.14").by_rule("nvreg-first-load")
    assert finding.path == ".parameters[0]" and finding.severity == "info"
    args = "machine:\n  install:\n    extraKernelArgs: [nvidia.NVreg_EnableGpuFirmware=0]\n"
    (finding,) = lint(args).by_rule("nvreg-first-load")
    assert "talosctl upgrade" in finding.message
    other = "machine:\n  kernel:\n    modules: [{name: nvidia_drm, parameters: [modeset=1]}]\n"
    assert not lint(other).by_rule("nvreg-first-load")


def test_add_after_a_layer_that_set_it_is_a_warning() -> None:
    base = "machine:\n  kernel:\n    modules:\n" + MODULES
    ops = "- op: add\n  path: /machine/kernel\n  value:\n    modules: [{name: ib_umad}]\n"
    report = lint_texts([(base, "base.yaml"), (ops, "gpu.yaml")], layers=True, talos_version="1.11")
    (finding,) = report.by_rule("json6902-add-replaces")  # the file's own info is superseded
    assert finding.severity == "warning" and finding.file == "gpu.yaml"
    assert "base.yaml sets machine.kernel (.machine.kernel)" in finding.message
    alone = lint_texts([(ops, "gpu.yaml")], layers=True, talos_version="1.11")
    assert [f.severity for f in alone.by_rule("json6902-add-replaces")] == ["info"]
    twice = lint_texts([(ops, "gpu.yaml"), (ops, "gpu.yaml")], layers=True, talos_version="1.11")
    (finding,) = twice.by_rule("json6902-add-replaces")
    assert "this same file, given twice as a layer, sets machine.kernel" in finding.message
