"""Template blanking keeps every line where it was and never collides keys."""

from __future__ import annotations

from talosgpu import yamlio
from talosgpu.lint import lint_text
from talosgpu.lint.templating import blank_templates

TEXT = """\
{# a comment
   over two lines #}
machine:
  {% if gpu %}
  nodeLabels:
    {{ a }}: "1"
    {{ b }}: "2"
    gpu-{{ name }}: "3"
  {% endif %}
  {{ include "more" | indent 2 }}
  install:
    image: factory.talos.dev/installer/{{ id }}:v1.12.0
{% set x = {
  "y": 1,
} %}
  sysctls: {}
"""


def test_blanked_text_keeps_its_lines_and_parses() -> None:
    blanked = blank_templates(TEXT)
    assert blanked.count("\n") == TEXT.count("\n")
    assert blanked.splitlines()[15] == "  sysctls: {}"  # same line as in the template
    (doc,) = yamlio.load_all(blanked, source="t.yaml")
    labels = doc["machine"]["nodeLabels"]
    assert list(labels) == ["TEMPLATED1", "TEMPLATED2", "gpu-TEMPLATED3"]  # no duplicate key
    assert doc["machine"]["install"]["image"].endswith("TEMPLATED5:v1.12.0")


def test_a_yaml_error_after_blanking_names_the_original_line() -> None:
    text = "{# one\n two #}\nmachine:\n  a: [\n"
    blanked = blank_templates(text)
    assert blanked.splitlines()[3] == "  a: ["


def test_curl_format_in_a_file_is_not_a_multiline_directive() -> None:
    text = 'machine:\n  files:\n    - content: "curl -w %{http_code}"\n      path: /var/x\n'
    assert blank_templates(text).count("\n") == text.count("\n")
    assert "path: /var/x" in blank_templates(text)


def test_templated_file_is_linted_not_fatal() -> None:
    report = lint_text(TEXT, source="t.yaml.j2", talos_version="1.12")
    assert report.files_checked == 1 and "templated-input" in report.rules()
