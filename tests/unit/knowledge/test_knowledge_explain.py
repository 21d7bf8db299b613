"""The explain catalog: every field-report and research error message is known, fixes depend on versions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import shared_path
from hypothesis import given, settings
from hypothesis import strategies as st

from talosgpu.knowledge.explain import catalog, explain
from talosgpu.versions import TalosVersion, known_versions


def field_report_error_snippets(text: str) -> list[str]:
    """The error messages a field report shows: fenced blocks after an 'Error Message' line, quoted
    troubleshooting headings, and renderer output blocks."""
    lines = text.splitlines()
    snippets: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        heading = re.match(r'#+\s+"(.+)"\s*$', line)
        if heading:
            snippets.append(heading.group(1))
        if line.startswith("```"):
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            block = "\n".join(lines[i + 1 : end])
            before = "\n".join(lines[max(0, i - 3) : i])
            if "error message" in before.lower() or "OpenGL renderer string: llvmpipe" in block:
                snippets.append(block)
            i = end
        i += 1
    return snippets


def field_report_texts() -> list[tuple[str, str]]:
    folder = shared_path("seeds")
    return [(p.name, p.read_text("utf-8")) for p in sorted(Path(folder).glob("*.txt"))]


def test_every_field_report_error_is_explained() -> None:
    total = 0
    for name, text in field_report_texts():
        for snippet in field_report_error_snippets(text):
            total += 1
            assert explain(snippet), f"{name}: no catalog entry for {snippet!r}"
    assert total >= 5  # 2 fenced errors + 2 headings in seed 004, the llvmpipe block in seed 000


def test_talos05_ids_in_order() -> None:
    text = dict(field_report_texts())["004_61529bd8fbff2293.txt"]
    found = explain(text, talos_version="1.11")
    assert [m.id for m in found] == [
        "ebpf-device-filter",
        "wrapper-unknown-command",
        "unresolvable-cdi-devices",
    ]
    assert all(m.applies_to_version for m in found)
    assert "hookPaths: real-binaries" in found[1].fix
    assert found[0].line == text[: text.index("failed to add device rules")].count("\n") + 1


def test_velaryon_llvmpipe() -> None:
    text = dict(field_report_texts())["000_f312667b9e56238a.txt"]
    found = explain(text)
    assert [m.id for m in found] == ["llvmpipe-renderer"]
    assert "__GLX_VENDOR_LIBRARY_NAME=nvidia" in found[0].fix


def test_research_explainer_list_is_covered() -> None:
    peers = shared_path("research", "peers.md").read_text("utf-8")
    block = peers[peers.index("**Explainer catalog:**") :].split("\n8.", 1)[0]
    block = block.split("\n\n", 1)[0]
    quoted = re.findall(r"`([^`]+)`", block)
    assert len(quoted) >= 8
    for message in quoted:
        assert explain(message), f"peers.md §5.7: no catalog entry for {message!r}"
    for message in (
        "No devices found",
        "RmInitAdapter failed",
        "NVML: Driver/library version mismatch",
        "llvmpipe (LLVM 15.0.7, 256 bits) renderer",
    ):
        assert explain(message), message


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        (
            "Error: failed to create containerd task: failed to create shim task: OCI runtime create failed: "
            "runc create failed: unable to start container process: error during container init: error running "
            "hook #0: error running hook: exit status 1, stdout: , stderr: fork/exec /usr/bin/nvidia-ctk: no such "
            "file or directory: unknown",
            "hook-binary-missing",
        ),
        (
            "stderr: fork/exec /usr/local/bin/nvidia-cdi-hook.real: no such file or directory",
            "hook-real-binary-missing",
        ),
        (
            "Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 580.126",
            "nvml-version-mismatch",
        ),
        ("No devices were found", "no-devices-found"),
        (
            "[   12.3] NVRM: GPU 0000:01:00.0: RmInitAdapter failed! (0x22:0x56:667)",
            "rm-init-adapter-failed",
        ),
        (
            'level=error msg="ext-nvidia-cdi-gen: failed to generate CDI spec: empty device edits"',
            "empty-device-edits",
        ),
        (
            'failed to get OS version: strconv.Atoi: parsing "v1": invalid syntax',
            "gpu-operator-version-parse",
        ),
        (
            'task writeUserFiles failed: create operation not allowed outside of /var: "/etc/cri/conf.d/20-enable-cdi.toml"',
            "create-outside-var",
        ),
        ('unknown operation for file "/var/x": "delete"', "unknown-file-operation"),
        ('file must exist: "/etc/cri/conf.d/20-customization.part"', "file-must-exist"),
        (
            "duplicate document v1alpha1/KernelModuleConfig/nvidia is not allowed",
            "duplicate-document",
        ),
        (
            "patch delete: path 'machine.network.hostname' in document '/v1alpha1': failed to delete path "
            "'machine.network.hostname': lookup failed",
            "delete-lookup-failed",
        ),
        (
            "error applying new configuration: rpc error: code = InvalidArgument desc = 1 error occurred:\n"
            "  * static hostname is already set in v1alpha1 config",
            "already-set-in-v1alpha1",
        ),
        (
            "error patching: JSON6902 patches are not supported for multi-document machine configuration",
            "json6902-multidoc",
        ),
        (
            "E0101 nvidia-device-plugin: nvml init failed: ERROR_LIBRARY_NOT_FOUND",
            "nvml-library-not-found",
        ),
        ("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.", "insufficient-gpu"),
        (
            "nvidia-device-plugin-daemonset   0  0  0  0  0  <none>  5m",
            "device-plugin-not-scheduled",
        ),
        (
            "time-slicing is configured but the capacity did not change: nvidia.com/gpu: 1",
            "time-slicing-not-applied",
        ),
        (
            'failed to create containerd task: no runtime for "nvidia-cdi" is configured',
            "no-runtime-configured",
        ),
        (
            "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
            "driver-not-loaded",
        ),
        (
            "NVRM: The NVIDIA Tesla P4 GPU installed in this system is not supported by open nvidia.ko because "
            "it does not include the required GPU System Processor (GSP).",
            "open-modules-no-gsp",
        ),
        ("NVRM: GPU 0000:01:00.0: GPU has fallen off the bus.", "gpu-fallen-off-bus"),
        (
            "nv-fabricmanager: error while loading shared libraries: libz.so.1: cannot open shared object file",
            "fabricmanager-libz",
        ),
        ("Internal error: Oops - BTI: 0000000036000003 [#1] SMP", "gb10-bti"),
        (
            'time="2025" level=warning msg="Ignoring unknown key in TOML for plugin" key=enable_cdi',
            "cri-unknown-key",
        ),
        ("Failed to initialize NVML: Unknown Error", "nvml-unknown-error"),
        (
            'ext-nvidia-persistenced: Waiting for file "/sys/bus/pci/drivers/nvidia" to exist',
            "persistenced-no-gpu",
        ),
        ("NVIDIA_VISIBLE_DEVICES=void", "visible-devices-void"),
        (
            "NVRM: The NVIDIA GeForce GT 710 GPU installed in this system is supported through the NVIDIA 470.xx Legacy drivers.",
            "gpu-not-supported-by-branch",
        ),
        # talos kernel_module_spec.go: fmt.Errorf("error loading module %q: %w", ...)
        ('error loading module "nvidia": module not found', "module-not-found"),
        (
            "modprobe: FATAL: Module nvidia_uvm not found in directory /lib/modules/6.12.45-talos",
            "module-not-found",
        ),
        # FFmpeg nv-codec-headers dynlink_loader.h: "Cannot load %s"
        ("[h264_nvenc @ 0x5581] Cannot load libnvidia-encode.so.1", "nvenc-library-missing"),
    ],
)
def test_known_messages(text: str, entry: str) -> None:
    assert entry in [m.id for m in explain(text)]


def test_noise_and_line_numbers() -> None:
    log = (
        "2025-11-27T16:58:24.123Z info starting\n"
        '{"level":"error","msg":"failed to inject CDI devices: unresolvable CDI devices \\"nvidia.com/gpu=all\\""}\n'
        "172.16.0.5: user: warning: [2025-11-27T16:58:25Z]: nvidia-container-runtime-wrapper: unknown command nvidia-cdi-hook\n"
    )
    found = explain(log)
    assert [(m.id, m.line) for m in found] == [
        ("unresolvable-cdi-devices", 2),
        ("wrapper-unknown-command", 3),
    ]
    assert "nvidia-cdi-hook" in found[1].excerpt


def test_context_is_required() -> None:
    assert explain("unable to load config") == []
    assert [m.id for m in explain("nvidia-device-plugin: unable to load config")] == [
        "time-slicing-not-applied"
    ]
    assert explain("libz.so.1: cannot open shared object file") == []


def test_fixes_differ_by_version() -> None:
    text = "nvidia-container-runtime-wrapper: unknown command nvidia-cdi-hook"
    old = explain(text, talos_version="1.12")[0]
    new = explain(text, talos_version="1.13")[0]
    assert old.applies_to_version is True and new.applies_to_version is False
    assert "real-binaries" in old.fix and "talosgpu schematic" in new.fix
    ebpf = "last insn is not an exit or jmp"
    assert "bpfJitHarden: set" in explain(ebpf, talos_version="1.7")[0].fix
    assert "mode: operator" in explain(ebpf, talos_version="1.14")[0].fix
    # 1.15 refuses mode cdi and its helm-values enable the operator's toolkit (by CDI/NRI)
    on_115 = explain(ebpf, talos_version="1.15")[0].fix
    assert "mode: operator" in on_115 and "mode: cdi" not in on_115
    assert "toolkit.enabled=false" not in on_115
    generic = explain(ebpf)[0]
    assert generic.applies_to_version is None and len(generic.fixes) == 4


def test_duplicate_document_predicate() -> None:
    text = "duplicate document v1alpha1/KernelModuleConfig/nvidia is not allowed"
    assert explain(text, talos_version="1.13")[0].applies_to_version is True
    assert explain(text, talos_version="1.14")[0].applies_to_version is False


def test_catalog_shape() -> None:
    entries = catalog()
    assert len(entries) >= 30
    for entry in entries:
        assert entry.patterns and entry.cause and entry.fix and entry.references
        for version in known_versions():
            entry.affected.contains(version)
            entry.fix_for(version)


@settings(max_examples=200, deadline=None)
@given(text=st.text(), minor=st.sampled_from([None, *[str(v) for v in known_versions()]]))
def test_explain_never_crashes(text: str, minor: str | None) -> None:
    for match in explain(text, talos_version=minor):
        assert match.line >= 1 and len(match.excerpt) <= 206


@settings(max_examples=50, deadline=None)
@given(noise=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_messages_survive_noise(noise: str) -> None:
    text = noise + "\nError: unresolvable CDI devices nvidia.com/gpu=all\n" + noise
    assert "unresolvable-cdi-devices" in [
        m.id for m in explain(text, talos_version=TalosVersion.parse("1.11"))
    ]


def test_no_fix_for_talos_1_15_names_a_mode_render_refuses_there() -> None:
    """Talos 1.15 renders only mode operator (cdi and legacy are refused: the extension ships
    no toolkit), so no fix given for 1.15 may send the user to another mode."""
    version = TalosVersion.parse("1.15")
    for entry in catalog():
        fix = entry.fix_for(version)
        assert "mode: cdi" not in fix and "mode: legacy" not in fix, entry.id
        # hookPaths and cdiSpecDirs shape talosgpu's own cdi mode only (refused on 1.15)
        assert "{hookPaths:" not in fix and "cdiSpecDirs:" not in fix, entry.id
