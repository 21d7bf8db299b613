"""The one reporter: a command result by type, a format by name."""

from __future__ import annotations

import json

import pytest

import talosgpu
from talosgpu.commands.explain import explain_input
from talosgpu.errors import TalosGPUError
from talosgpu.report import SUBJECTS, format_report, formats_for

LOG = "failed to add device rules: unable to generate new device filter program"


def test_a_result_in_each_of_its_formats() -> None:
    result = explain_input(LOG, talos_version="1.11")
    assert formats_for(result) == ("text", "json")
    assert format_report(result).startswith("[")
    assert json.loads(format_report(result, "json"))["matched"] == len(result.matches)


def test_unknown_format_and_unknown_result_are_errors() -> None:
    result = explain_input(LOG)
    with pytest.raises(TalosGPUError, match="--format yaml is not available here"):
        format_report(result, "yaml")
    with pytest.raises(TalosGPUError, match="no report for a dict"):
        format_report({})


def test_every_subject_has_a_text_report() -> None:
    from importlib import import_module

    for name, module in SUBJECTS.items():
        assert "text" in import_module(module).FORMATS, name
        exported = getattr(talosgpu, name, None)  # the exported result types are the same name
        assert exported is None or exported.__name__ == name


def test_a_schematic_reports_as_the_cli_prints_it() -> None:
    """``talosgpu schematic --format json`` is the reporter's JSON (one reporter, no JSON built
    in the CLI)."""
    import json

    result, _ = talosgpu.schematic(profile="nvidia-cdi")
    data = json.loads(format_report(result, "json"))
    assert data["id"] == result.id and data["installerImage"] == result.installer_image
    assert format_report(result) == result.yaml
    assert format_report(result, id_only=True) == result.id + "\n"


def test_the_doctor_headline_counts_skipped_apart_from_not_applicable() -> None:
    """ "skipped" means a fact was missing; a check that does not apply is "n/a" (doctor.md)."""
    from talosgpu.diagnosis.model import Check, not_applicable, skipped
    from talosgpu.report.doctor import _summary

    class _Report:
        all_checks = (
            Check("a", "A", "pass"),
            not_applicable("b", "B", "no CDI on this mode"),
            skipped("c", "C", "kubectl failed"),
        )

    assert _summary(_Report()) == (  # type: ignore[arg-type]
        "no problem found, but 1 check(s) could not run (3 checks, 1 skipped, 1 n/a)"
    )
