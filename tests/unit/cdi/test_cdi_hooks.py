"""patch_hooks: structural, idempotent hook-path rewriting that keeps the input's format."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from conftest import shared_path

from talosgpu.cdi import HookChange, HookPatchResult, load_spec, patch_hooks
from talosgpu.cdi.hooks import HookPath, classify_hook_path, iter_hooks
from talosgpu.errors import CDIError

REAL_SPECS = ["k8s-dra-driver__nvidia.yaml", "salilkadam-Infrastructure__nvidia.yaml"]


def real_spec(name: str) -> str:
    return shared_path("conformance", "cdi", "nvidia-specs", name).read_text(encoding="utf-8")


def hook_paths(data: dict[str, Any]) -> list[str]:
    return [hook["path"] for _, hook in iter_hooks(data)]


def without_hook_paths(data: dict[str, Any]) -> dict[str, Any]:
    clone = copy.deepcopy(data)
    for _, hook in iter_hooks(clone):
        hook["path"] = "<hook>"
    return clone


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/usr/local/bin/nvidia-cdi-hook", HookPath("nvidia-cdi-hook", "local")),
        ("/usr/local/bin/nvidia-cdi-hook.real", HookPath("nvidia-cdi-hook", "local-real")),
        ("/usr/local/bin/nvidia-ctk", HookPath("nvidia-ctk", "local")),
        ("/usr/bin/nvidia-ctk", HookPath("nvidia-ctk", "usr-bin")),
        ("/usr/bin/nvidia-cdi-hook.real", None),
        ("/usr/local/bin/nvidia-container-runtime", None),
        ("/usr/local/nvidia/toolkit/nvidia-cdi-hook", None),
        ("nvidia-cdi-hook", None),
        ("/bin/nvidia-ctk", None),
    ],
)
def test_classify_hook_path(path: str, expected: HookPath | None) -> None:
    assert classify_hook_path(path) == expected


@pytest.mark.parametrize(
    ("old", "strategy", "new"),
    [
        ("/usr/local/bin/nvidia-cdi-hook", "real-binaries", "/usr/local/bin/nvidia-cdi-hook.real"),
        ("/usr/local/bin/nvidia-ctk", "real-binaries", "/usr/local/bin/nvidia-ctk.real"),
        ("/usr/bin/nvidia-cdi-hook", "real-binaries", "/usr/local/bin/nvidia-cdi-hook.real"),
        ("/usr/local/bin/nvidia-cdi-hook.real", "real-binaries", None),
        ("/usr/local/bin/nvidia-cdi-hook", "usr-bin", "/usr/bin/nvidia-cdi-hook"),
        ("/usr/local/bin/nvidia-ctk.real", "usr-bin", "/usr/bin/nvidia-ctk"),
        ("/usr/bin/nvidia-ctk", "usr-bin", None),
        ("/opt/other/hook", "real-binaries", None),
        ("/opt/other/hook", "usr-bin", None),
    ],
)
def test_rewrite_table(old: str, strategy: Any, new: str | None) -> None:
    data = {
        "cdiVersion": "0.5.0",
        "kind": "nvidia.com/gpu",
        "devices": [
            {
                "name": "all",
                "containerEdits": {
                    "hooks": [
                        {"hookName": "createContainer", "path": old, "args": ["nvidia-cdi-hook"]}
                    ]
                },
            }
        ],
    }
    result = patch_hooks(json.dumps(data), strategy=strategy, source="t.json")
    assert isinstance(result, HookPatchResult)
    if new is None:
        assert result.changes == ()
        assert not result.changed
        return
    assert result.changes == (HookChange(".devices[0].containerEdits.hooks[0].path", old, new),)
    _path, before, after = result.changes[0]  # a plain (yaml_path, old, new) tuple too
    assert (before, after) == (old, new)
    patched = json.loads(result.text)
    assert hook_paths(patched) == [new]
    assert patched["devices"][0]["containerEdits"]["hooks"][0]["args"] == ["nvidia-cdi-hook"]


@pytest.mark.conformance
@pytest.mark.parametrize("name", REAL_SPECS)
@pytest.mark.parametrize("strategy", ["real-binaries", "usr-bin"])
def test_only_hook_paths_change_and_rerun_is_a_no_op(name: str, strategy: Any) -> None:
    original = load_spec(real_spec(name), source=name)
    once = patch_hooks(original, strategy=strategy)
    twice = patch_hooks(once.text, strategy=strategy, source=name)
    assert twice.changes == ()
    assert twice.text == once.text
    after = load_spec(once.text, source=name)
    assert after.format == "yaml"
    assert without_hook_paths(after.data) == without_hook_paths(original.data)
    suffix = ".real" if strategy == "real-binaries" else ""
    prefix = "/usr/local/bin/" if strategy == "real-binaries" else "/usr/bin/"
    paths = hook_paths(after.data)
    assert paths and all(p.startswith(prefix) and p.endswith(suffix) for p in paths)
    assert not any(p.endswith(".real.real") for p in paths)


@pytest.mark.conformance
def test_path_shaped_args0_is_kept() -> None:
    """k8s-dra-driver writes args[0] as a path; it is argv[0], so only `path` changes."""
    result = patch_hooks(
        real_spec("k8s-dra-driver__nvidia.yaml"), strategy="real-binaries", source="dra"
    )
    assert [c.path for c in result.changes] == [".containerEdits.hooks[0].path"]
    hook = result.spec.data["containerEdits"]["hooks"][0]
    assert hook["path"] == "/usr/local/bin/nvidia-ctk.real"
    assert hook["args"][:3] == ["/usr/bin/nvidia-ctk", "hook", "update-ldcache"]


@pytest.mark.conformance
@pytest.mark.parametrize("name", REAL_SPECS)
def test_forms_round_trip(name: str) -> None:
    usr_bin = load_spec(real_spec(name), source=name)  # both upstream specs use /usr/bin
    real = patch_hooks(usr_bin, strategy="real-binaries")
    back = patch_hooks(real.text, strategy="usr-bin", source=name)
    assert back.spec.data == usr_bin.data
    assert [(c.path, c.new, c.old) for c in back.changes] == [tuple(c) for c in real.changes]
    again = patch_hooks(back.text, strategy="real-binaries", source=name)
    assert again.text == real.text


@pytest.mark.conformance
def test_yaml_document_marker_is_kept() -> None:
    text = real_spec("salilkadam-Infrastructure__nvidia.yaml")
    assert text.startswith("---\n")
    assert patch_hooks(text, strategy="real-binaries", source="s").text.startswith("---\n")


def test_json_in_json_out_and_unchanged_text_is_returned_verbatim() -> None:
    data = {
        "cdiVersion": "0.5.0",
        "kind": "nvidia.com/gpu",
        "devices": [{"name": "all", "containerEdits": {"env": ["A=1"]}}],
        "containerEdits": {
            "hooks": [{"hookName": "createContainer", "path": "/usr/bin/nvidia-cdi-hook"}]
        },
    }
    text = json.dumps(data, separators=(",", ":"))
    result = patch_hooks(text, strategy="real-binaries", source="x.json")
    assert result.format == "json"
    expected = copy.deepcopy(data)
    expected["containerEdits"]["hooks"][0]["path"] = "/usr/local/bin/nvidia-cdi-hook.real"
    assert result.text == json.dumps(expected, indent=2) + "\n"
    assert list(json.loads(result.text)) == list(data)  # key order kept
    unchanged = patch_hooks(text, strategy="usr-bin", source="x.json")
    assert unchanged.text is text


def test_input_spec_is_not_mutated() -> None:
    spec = load_spec(
        '{"cdiVersion":"0.5.0","kind":"a.com/b","devices":[{"name":"d","containerEdits":'
        '{"hooks":[{"hookName":"createContainer","path":"/usr/bin/nvidia-ctk"}]}}]}',
        source="s",
    )
    before = copy.deepcopy(spec.data)
    assert patch_hooks(spec, strategy="real-binaries").changed
    assert spec.data == before


def test_odd_shapes_are_skipped_not_crashed_on() -> None:
    text = json.dumps(
        {
            "cdiVersion": "0.5.0",
            "kind": "a.com/b",
            "devices": [1, {"containerEdits": {"hooks": [None, "x", {"path": 3}]}}],
            "containerEdits": {"hooks": {"not": "a list"}},
        }
    )
    assert patch_hooks(text, strategy="usr-bin", source="s").changes == ()


def test_not_a_spec_and_bad_strategy_are_cdi_errors() -> None:
    with pytest.raises(CDIError) as info:
        patch_hooks("kind: x\n", strategy="usr-bin", source="in.yaml")
    assert info.value.file == "in.yaml"
    with pytest.raises(CDIError, match="unknown hook strategy"):
        patch_hooks('{"cdiVersion":"0.5.0","kind":"a/b","devices":[]}', strategy="sed", source="s")  # type: ignore[arg-type]


def test_yaml_with_control_characters_is_written_readably() -> None:
    """yamlio writes multi-line strings as literal blocks, which cannot hold \\x1b; JSON can."""
    text = (
        "cdiVersion: 0.5.0\nkind: a.com/b\ndevices:\n- name: d\n  containerEdits:\n"
        '    env: ["A=\\e\\n"]\n    hooks:\n    - {hookName: createContainer, path: /usr/bin/nvidia-ctk}\n'
    )
    result = patch_hooks(text, strategy="real-binaries", source="s.yaml")
    assert result.changed
    back = load_spec(result.text, source="s.yaml")
    assert back.data["devices"][0]["containerEdits"]["env"] == ["A=\x1b\n"]
    assert back.data == result.spec.data
