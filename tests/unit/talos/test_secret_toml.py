"""Credentials inside a CRI part, masked on the text as written (talos/secret_toml.py).

The cases are the ones a search for the parsed value missed (a red-team run): an escaped
character, a 5-character password, a line-continued or multi-line value, a username, a header
value on its own lines, and a bearer token reused elsewhere.
"""

from __future__ import annotations

import pytest

from talosgpu.talos.secret_text import REDACTED
from talosgpu.talos.secret_toml import mask_toml_text, toml_secret_values

AUTH = '[plugins."io.containerd.grpc.v1.cri".registry.configs."r".auth]\n'
HEADERS = '[plugins."io.containerd.grpc.v1.cri".registry.headers]\n'


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        (AUTH + '  password = "Zq9Red\\u0054eam050"\n', "Zq9Red"),
        (AUTH + '  password = "Zq9b1"\n', "Zq9b1"),
        (AUTH + '  password = """Zq9Red\\\n     Team051"""\n', "Team051"),
        (AUTH + '  password = "Zq9Red\\\nTeam052"\n', "Team052"),
        (AUTH + '  username = "Zq9user"\n', "Zq9user"),
        (AUTH + "  'password' = 'Zq9quoted'\n", "Zq9quoted"),
        ("[x]\n  auth.password = 'Zq9dotted'\n", "Zq9dotted"),
        (HEADERS + '  Authorization = [\n    "Bearer Zq9tok",\n  ]\n', "Zq9tok"),
        (HEADERS + '  X-Api = ["Zq9any"]\n', "Zq9any"),
        ('[x]\n  headers = { Authorization = "Bearer Zq9inline" }\n', "Zq9inline"),
    ],
)
def test_credentials_are_masked_as_written(text: str, hidden: str) -> None:
    masked = mask_toml_text(text)
    assert hidden not in masked and REDACTED in masked
    assert masked.count("\n") == text.count("\n")  # line for line: a text diff stays aligned


def test_the_rest_of_the_part_is_left_alone() -> None:
    text = (
        '[plugins."io.containerd.grpc.v1.cri".containerd]\n  default_runtime_name = "nvidia"\n'
        + HEADERS + '  Authorization = ["Bearer Zq9tok"]\n'
        + '[plugins."io.containerd.grpc.v1.cri".cdi]\n  enable_cdi = true\n'
    )  # fmt: skip
    masked = mask_toml_text(text)
    assert 'default_runtime_name = "nvidia"' in masked and "enable_cdi = true" in masked


def test_a_bearer_token_is_known_alone() -> None:
    """So that the token pasted elsewhere (a module parameter) is masked too."""
    assert "Zq9tok0123" in toml_secret_values(HEADERS + '  Authorization = ["Bearer Zq9tok0123"]\n')
