"""Hypothesis properties of intent loading and rendering.

* Rendering is deterministic (same intent → byte-identical patch).
* Any YAML input gives either a patch (exit 0) or one error line (exit 2) — never a traceback.
* Rendered patches load back to the documents that were rendered (YAML round trip).
"""

from __future__ import annotations

import pytest
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import talosgpu as api
from talosgpu import yamlio
from talosgpu.errors import RenderError, VersionError
from talosgpu.intent.load import load_intent_text
from talosgpu.plan import resolve
from talosgpu.renderers import render_plan
from talosgpu.versions import TalosVersion

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 70),
    st.floats(allow_nan=False, width=32),
    st.text(max_size=12),
    st.sampled_from(["1.11", "v1.14.1", "open", "cdi", "nvidia", "NoSchedule", "/var/cdi"]),
)
keys = st.sampled_from(
    [
        "talosVersion",
        "profile",
        "gpu",
        "model",
        "driver",
        "flavour",
        "branch",
        "labels",
        "taints",
        "runtime",
        "mode",
        "defaultRuntime",
        "cdiSpecDirs",
        "hookPaths",
        "sharing",
        "strategy",
        "replicas",
        "kernelModules",
        "name",
        "parameters",
        "udevRules",
        "sysctls",
        "workloads",
        "node",
        "x",
    ]
)
yaml_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)

valid_intents = st.fixed_dictionaries(
    {
        "talosVersion": st.sampled_from(
            ["1.7", "1.8", "1.9", "1.10", "1.11", "1.12", "1.13", "1.14", "1.15"]
        ),
        "runtime": st.fixed_dictionaries(
            {"mode": st.sampled_from(["auto", "cdi", "legacy", "operator", "none"])},
            optional={
                "bpfJitHarden": st.sampled_from(["auto", "set", "leave"]),
                "hookPaths": st.sampled_from(["auto", "real-binaries", "usr-bin", "unchanged"]),
            },
        ),
    },
    optional={
        "labels": st.dictionaries(
            st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True),
            st.from_regex(r"[a-z0-9]{0,8}", fullmatch=True),
            max_size=3,
        ),
        "sysctls": st.dictionaries(
            st.sampled_from(["vm.swappiness", "net.core.bpf_jit_harden"]),
            st.integers(0, 100),
            max_size=2,
        ),
        "udevRules": st.lists(
            st.sampled_from(
                ['KERNEL=="nvidia", MODE="0666"', 'SUBSYSTEM=="drm", KERNEL=="card*", GROUP="44"']
            ),
            unique=True,
            max_size=2,
        ),
    },
)


@settings(max_examples=60, deadline=None)
@given(valid_intents)
def test_render_is_deterministic_and_round_trips(data: dict[str, object]) -> None:
    text = yamlio.dump(data)
    mode = data["runtime"]["mode"]  # type: ignore[index]
    if data["talosVersion"] == "1.15" and mode in ("cdi", "legacy"):
        # Talos 1.15 ships no NVIDIA runtime binaries: these modes are refused, on one line.
        with pytest.raises(RenderError, match=r"cannot work on Talos 1\.15") as info:
            resolve(load_intent_text(text))
        assert "\n" not in str(info.value)
        return
    if mode == "operator" and not TalosVersion.parse(str(data["talosVersion"])).native_cdi:
        with pytest.raises(
            RenderError, match=r"runtime mode 'operator' needs Talos 1\.13\+"
        ) as info:
            resolve(load_intent_text(text))
        assert "\n" not in str(info.value)
        return
    first = render_plan(resolve(load_intent_text(text)))
    second = render_plan(resolve(load_intent_text(text)))
    assert first.patch_text == second.patch_text
    assert yamlio.load_all(first.patch_text) == list(first.documents)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(yaml_values)
def test_arbitrary_input_never_tracebacks(capsys: pytest.CaptureFixture[str], data: object) -> None:
    code, _, err = run_cli(["render", "-"], capsys, stdin=yamlio.dump(data))
    assert code in (0, 2), err
    assert "Traceback" not in err
    assert "internal error" not in err, err
    if code == 2:
        assert len(err.strip().splitlines()) == 1


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=200))
def test_arbitrary_text_never_tracebacks(capsys: pytest.CaptureFixture[str], text: str) -> None:
    code, _, err = run_cli(["render", "-"], capsys, stdin=text)
    assert code in (0, 2)
    assert "internal error" not in err, err


def test_newer_unknown_version_is_refused_unless_assumed() -> None:
    with pytest.raises(
        VersionError, match=r"newer than the newest release talosgpu knows \(1\.15\)"
    ):
        api.render(profile="nvidia-operator", talos_version="1.16")
    rendered = api.render(profile="nvidia-operator", talos_version="1.16", assume_newest_known=True)
    assert any("newer than the newest" in w for w in rendered.warnings)
    assert "Talos 1.15 assumed for Talos 1.16" in rendered.header
