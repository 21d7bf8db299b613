"""The redaction policy: errors, warning lines and one-line messages, masked unless shown."""

from __future__ import annotations

from talosgpu.commands.redact import redact_error, safe_line, scrub_lines
from talosgpu.errors import LiveConfigError

SECRET = "c2VjcmV0LXRva2VuLXZhbHVlLTEyMzQ1Njc4OTA="


def test_redact_error_keeps_type_file_and_path() -> None:
    error = LiveConfigError(f"bad value {SECRET}", file=f"live-{SECRET}.yaml", path=".a.b")
    masked = redact_error(error, [SECRET])
    assert type(masked) is LiveConfigError and masked.yaml_path == ".a.b"
    assert SECRET not in str(masked) and SECRET in str(error)


def test_scrub_lines_masks_known_values_unless_shown() -> None:
    lines = [f"the token {SECRET} is odd", "nothing here"]
    assert SECRET not in " ".join(scrub_lines(lines, secrets=[SECRET]))
    assert scrub_lines(lines, secrets=[SECRET], show_secrets=True) == lines


def test_safe_line_is_one_line() -> None:
    assert safe_line("a\n  b\tc") == "a b c"
