"""A deprecated v1alpha1 field next to its 1.14 document: the config Talos rejects."""

from __future__ import annotations

import pytest

from talosgpu.errors import LiveConfigError
from talosgpu.talos.homes import check_homes

V1 = {
    "version": "v1alpha1",
    "machine": {"install": {"image": "ghcr.io/siderolabs/installer:v1.14.0"}},
}


def test_the_install_section_next_to_unattended_install_config_is_refused() -> None:
    docs = [V1, {"apiVersion": "v1alpha1", "kind": "UnattendedInstallConfig", "installer": {}}]
    with pytest.raises(LiveConfigError, match=r"\.machine\.install.*UnattendedInstallConfig"):
        check_homes(docs, source="config.yaml")


def test_alone_or_beside_a_document_of_no_string_kind_it_passes() -> None:
    check_homes([V1], source="config.yaml")
    check_homes([V1, {"apiVersion": 1, "kind": [None]}], source="config.yaml")  # hostile input
