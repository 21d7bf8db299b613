"""What Talos's decoder rejects in the sections talosgpu writes (KnownFields, Go types)."""

from __future__ import annotations

from typing import Any

import pytest

from talosgpu.errors import ConfigError
from talosgpu.talos.shapes import check_shapes


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        ({"machine": {"kernel": {"modules": 7}}}, "[0].machine.kernel.modules"),
        ({"machine": {"kernel": {"modles": []}}}, "[0].machine.kernel.modles"),
        ({"machine": {"files": [{"path": "/var/x", "mode": 420}]}}, "[0].machine.files[0].mode"),
        ({"machine": {"udev": {"rules": ["a", 3]}}}, "[0].machine.udev.rules[1]"),
        ({"machine": {"sysctls": ["a=1"]}}, "[0].machine.sysctls"),
        ({"kind": "KernelModuleConfig", "apiVersion": "v1alpha1", "name": "x", "p": 1}, "[0].p"),
        (
            {"kind": "CRICustomizationConfig", "apiVersion": "v1alpha1", "content": {}},
            "[0].content",
        ),
    ],
)
def test_rejected_values_name_their_path(doc: dict[str, Any], where: str) -> None:
    with pytest.raises(ConfigError) as info:
        check_shapes([doc], source="c.yaml")
    assert info.value.yaml_path is not None
    assert str(info.value).startswith(f"c.yaml: {where}: Talos would reject this config")


@pytest.mark.parametrize(
    "doc",
    [
        {"machine": {"kernel": {"modules": [{"name": "nvidia", "$patch": "delete"}]}}},
        {"machine": {"kernel": {"missing": {"$patch": "delete"}}}},  # Talos ignores this delete
        {"machine": {"udev": {"rules": [{"$patch": "delete", "r": 1}]}}},
        {"machine": {"kubelet": {"anything": {"goes": [1]}}}},  # not a section talosgpu checks
        {"kind": "SomeFutureConfig", "apiVersion": "v1alpha1", "x": 1},
        {"machine": None},
    ],
)
def test_directives_and_unknown_sections_pass(doc: dict[str, Any]) -> None:
    check_shapes([doc], source="c.yaml")


def test_did_you_mean() -> None:
    with pytest.raises(ConfigError, match=r"did you mean 'parameters'\?"):
        check_shapes([{"machine": {"kernel": {"modules": [{"parmeters": []}]}}}], source="p")
