from __future__ import annotations

import pytest

from talosgpu.errors import VersionError
from talosgpu.versions import DEFAULT_VERSION, TalosVersion, known_versions


@pytest.mark.parametrize(
    ("text", "series", "patch"),
    [
        ("1.11", (1, 11), 0),
        ("v1.11.1", (1, 11), 1),
        ("1.14.0-rc.1", (1, 14), 0),
        (" v1.7.7 ", (1, 7), 7),
    ],
)
def test_parse(text: str, series: tuple[int, int], patch: int) -> None:
    v = TalosVersion.parse(text)
    assert v.series == series
    assert v.patch == patch
    assert not v.warnings


@pytest.mark.parametrize("text", ["", "1", "one.two", "1.x", "v1.2.3.4", "latest"])
def test_parse_rejects_garbage(text: str) -> None:
    with pytest.raises(VersionError, match="not a Talos version"):
        TalosVersion.parse(text)


def test_older_than_supported_is_an_error() -> None:
    with pytest.raises(VersionError, match="not supported"):
        TalosVersion.parse("1.6")


def test_newer_than_known_has_no_facts() -> None:
    v = TalosVersion.parse("1.16")
    assert not v.is_known and not v.warnings
    with pytest.raises(
        VersionError,
        match=r"newer than the newest release talosgpu knows \(1\.15\).*--assume-newest-known",
    ):
        _ = v.facts
    with pytest.raises(VersionError):
        v.require_known()
    with pytest.raises(VersionError):
        _ = v.containerd_v2  # every predicate that needs facts refuses too


def test_newer_than_known_assumed_uses_newest_facts_and_says_so() -> None:
    v = TalosVersion.parse("1.16", assume_newest_known=True)
    assert v.warnings and "newer than the newest" in v.warnings[0]
    assert v.facts == TalosVersion.parse("1.15").facts
    assert v.assumed and not v.is_known
    assert v.facts_note and "assumed" in v.facts_note
    # Re-parsing an unknown version with the opt-in upgrades it; a known one is unchanged.
    assert TalosVersion.parse(TalosVersion.parse("1.16"), assume_newest_known=True).assumed
    assert not TalosVersion.parse("1.14", assume_newest_known=True).assumed


def test_1_15_is_a_prerelease_row_and_never_the_default() -> None:
    v = TalosVersion.parse("1.15")
    assert v.prerelease and v.facts_note and "pre-release" in v.facts_note
    assert v.facts.sources[0].startswith("PRE-RELEASE")
    assert DEFAULT_VERSION == "1.14" and not TalosVersion.parse(DEFAULT_VERSION).prerelease


@pytest.mark.parametrize(
    ("version", "config", "nri", "toolkit", "branches"),
    [
        ("1.7", 2, False, True, ("lts",)),
        ("1.13", 3, False, True, ("lts", "production")),
        ("1.14", 3, True, True, ("lts", "production")),
        ("1.15", 4, True, False, ("lts", "production", "new-feature")),
    ],
)
def test_1_15_predicates(
    version: str, config: int, nri: bool, toolkit: bool, branches: tuple[str, ...]
) -> None:
    v = TalosVersion.parse(version)
    assert v.containerd_config_version == config
    assert v.nri_enabled_by_default is nri
    assert v.extension_ships_toolkit is toolkit
    assert v.nri_injection is not toolkit
    assert v.driver_branches == branches
    assert v.open_only("lts") is (version == "1.15")
    assert not v.open_only("production")


def test_ordering_ignores_warnings() -> None:
    assert TalosVersion.parse("1.9") < TalosVersion.parse("1.10") < TalosVersion.parse("v1.10.2")
    assert TalosVersion.parse("1.15") == TalosVersion(1, 15)


def test_table_covers_1_7_to_1_15_with_sources() -> None:
    minors = [v.series for v in known_versions()]
    assert minors == [(1, m) for m in range(7, 16)]
    for v in known_versions():
        assert v.facts.sources, v
    assert TalosVersion.parse(DEFAULT_VERSION).is_known


@pytest.mark.parametrize(
    ("version", "table", "v2", "cdi", "suffixed", "docs", "real", "ebpf", "reboot"),
    [
        ("1.7", "io.containerd.grpc.v1.cri", False, False, False, False, False, False, True),
        ("1.8", "io.containerd.cri.v1.runtime", True, False, True, False, True, False, True),
        ("1.9", "io.containerd.cri.v1.runtime", True, False, True, False, True, True, True),
        ("1.11", "io.containerd.cri.v1.runtime", True, False, True, False, True, True, True),
        ("1.12", "io.containerd.cri.v1.runtime", True, False, True, False, True, False, True),
        ("1.13", "io.containerd.cri.v1.runtime", True, True, True, False, False, False, True),
        ("1.14", "io.containerd.cri.v1.runtime", True, True, True, True, False, False, False),
    ],
)
def test_predicates(
    version: str,
    table: str,
    v2: bool,
    cdi: bool,
    suffixed: bool,
    docs: bool,
    real: bool,
    ebpf: bool,
    reboot: bool,
) -> None:
    v = TalosVersion.parse(version)
    assert v.cri_runtime_table == table
    assert v.containerd_v2 is v2
    assert v.cdi_enabled_by_default is cdi
    assert v.suffixed_extensions is suffixed
    assert v.gpu_documents is docs
    assert v.hooks_need_real_binaries is real
    assert v.ebpf_device_filter_window is ebpf
    assert v.apply_may_reboot is reboot


def test_reboot_allow_list_grows_with_versions() -> None:
    assert ".machine.nodeAnnotations" not in TalosVersion.parse("1.7").facts.no_reboot_paths
    assert ".machine.nodeAnnotations" in TalosVersion.parse("1.8").facts.no_reboot_paths
    assert ".machine.files" not in TalosVersion.parse("1.13").facts.no_reboot_paths
