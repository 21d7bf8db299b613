"""errors: YAML paths written and read back."""

from __future__ import annotations

import pytest

from talosgpu.errors import format_yaml_path, parse_yaml_path


@pytest.mark.parametrize(
    "path",
    [("gpu", "driver"), ("machine", "files", 0, "path"), ("labels", "nvidia.com/gpu.present")],
)
def test_a_formatted_path_reads_back(path: tuple[str | int, ...]) -> None:
    assert parse_yaml_path(format_yaml_path(path)) == path


def test_text_it_did_not_write_is_none() -> None:
    assert parse_yaml_path("gpu.driver") is None and parse_yaml_path(".") is None
