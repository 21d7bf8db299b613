"""The node's own CRI settings a proposal drops are named (configdiff/cri_dropped.py)."""

from __future__ import annotations

from typing import Any

from talosgpu.configdiff.cri_dropped import dropped_cri_settings
from talosgpu.talos.documents import CRI_PART_PATH

AUTH = (
    '[plugins."io.containerd.cri.v1.images".registry.configs."r.example".auth]\npassword = "Pw9x"\n'
)
OURS = (
    '[plugins."io.containerd.cri.v1.runtime"]\nenable_cdi = true\n'
    '[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia-cdi]\n'
    'runtime_type = "io.containerd.runc.v2"\n'
)


def _part(text: str) -> list[dict[str, Any]]:
    files = [{"path": CRI_PART_PATH, "op": "create", "content": text}]
    return [{"version": "v1alpha1", "machine": {"files": files}}]


def test_a_users_table_that_goes_is_named_without_its_values() -> None:
    (warning,) = dropped_cri_settings(_part(AUTH), _part(OURS))
    assert 'registry.configs."r.example".auth.password' in warning and "Pw9x" not in warning
    assert "runtime.extraCriToml" in warning


def test_talosgpus_own_keys_replaced_and_kept_settings_are_not_warned() -> None:
    old_render = OURS.replace("nvidia-cdi", "nvidia-legacy")
    assert dropped_cri_settings(_part(old_render), _part(OURS)) == []
    assert dropped_cri_settings(_part(AUTH), _part(AUTH + OURS)) == []
    assert dropped_cri_settings(_part("not toml ["), _part(OURS)) == []


def test_another_parts_default_runtime_is_named() -> None:
    from talosgpu.configdiff.cri_dropped import other_default_runtimes

    mine = {"apiVersion": "v1alpha1", "kind": "CRICustomizationConfig", "name": "zz-mine",
            "content": '[plugins."io.containerd.cri.v1.runtime".containerd]\n'
                       'default_runtime_name = "runc"\n'}  # fmt: skip
    (warning,) = other_default_runtimes([mine], "nvidia-cdi")
    assert "'zz-mine' sets default_runtime_name = 'runc', the plan 'nvidia-cdi'" in warning
    assert other_default_runtimes([mine], None) == []  # talosgpu's part sets none: theirs holds
