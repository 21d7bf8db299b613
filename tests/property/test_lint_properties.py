"""Property: the linter never crashes on arbitrary YAML-shaped input (or on arbitrary text)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talosgpu import yamlio
from talosgpu.errors import TalosGPUError
from talosgpu.lint import lint_text

KEYS = st.sampled_from(
    [
        "machine", "cluster", "files", "op", "path", "content", "kernel", "modules", "name",
        "sysctls", "kubelet", "extraConfig", "registerWithTaints", "extraArgs", "nodeLabels",
        "install", "extensions", "apiVersion", "kind", "params", "value", "$patch", "nodes",
        "patches", "clusterName", "talosVersion", "metadata", "spec", "udev", "rules",
        "net.core.bpf_jit_harden", "x",
    ]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from(
        [
            "v1alpha1", "KernelModuleConfig", "SysctlConfig", "CRICustomizationConfig", "create",
            "delete", "add", "/machine/files", "/machine/files/-", "/etc/cri/conf.d/20-customization.part",
            "/etc/cri/conf.d/x.part", "nvidia", "nvidia_uvm", "1",
            '[plugins."io.containerd.grpc.v1.cri".containerd]\ndefault_runtime_name = "nvidia"\n',
            '[plugins."io.containerd.cri.v1.runtime"]\ncdi_spec_dirs = ["/etc/cdi"]\n',
            "[broken", "machine:\n  sysctls: {a: 1}\n", "- op: add\n  path: /machine\n",
        ]
    ),
    st.text(max_size=12),
)  # fmt: skip
VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=st.lists(VALUES, min_size=1, max_size=3),
    version=st.sampled_from([None, "1.7", "1.11", "1.14"]),
)
def test_arbitrary_yaml_never_crashes(docs: list[Any], version: str | None) -> None:
    text = yamlio.dump_all(docs)
    report = lint_text(text, source="p.yaml", talos_version=version)
    assert report.exit_code in (0, 1)
    assert list(report.findings) == sorted(report.findings, key=lambda f: f.sort_key())


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_arbitrary_text_is_findings_or_one_error(text: str) -> None:
    error: TalosGPUError | None = None
    try:
        report = lint_text(text, source="t.yaml")
    except TalosGPUError as exc:
        error = exc
    if error is not None:
        assert "\n" not in str(error)
    else:
        assert report.exit_code in (0, 1)
