"""``talosgpu schematic`` end to end: canonical YAML or ID on stdout, installer on stderr."""

from __future__ import annotations

import hashlib

import pytest
from conftest import run_cli as run

from talosgpu.cli import main


def test_talos05_node(capsys: pytest.CaptureFixture[str]) -> None:
    # seed 004: Quadro P2000 on Talos v1.11.1 with the proprietary modules
    code, out, err = run(
        ["schematic", "--talos-version", "v1.11.1", "--flavour", "proprietary"], capsys
    )
    assert code == 0
    assert out == (
        "customization:\n"
        "    systemExtensions:\n"
        "        officialExtensions:\n"
        "            - siderolabs/nonfree-kmod-nvidia-lts\n"
        "            - siderolabs/nvidia-container-toolkit-lts\n"
    )
    ident = hashlib.sha256(out.encode()).hexdigest()
    assert err == f"# installer: factory.talos.dev/metal-installer/{ident}:v1.11.1\n"


def test_id_only_and_options(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "schematic", "--talos-version", "1.13", "--flavour", "proprietary", "--branch", "production",
        "--kernel-arg", "arm64.nobti", "--extension", "nvidia-gdrdrv-device", "--fabric-manager",
    ]  # fmt: skip
    code, yaml_out, _ = run(argv, capsys)
    assert code == 0
    assert "- siderolabs/nvidia-fabricmanager-production\n" in yaml_out
    assert "    extraKernelArgs:\n        - arm64.nobti\n" in yaml_out
    code, id_out, err = run([*argv, "--id"], capsys)
    assert code == 0
    assert id_out == hashlib.sha256(yaml_out.encode()).hexdigest() + "\n"
    assert (
        id_out.strip() in err and ":v1.13.<patch>" in err and "give --talos-version 1.13.N" in err
    )


def test_talos_17_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["schematic", "--talos-version", "1.7", "--branch", "production"], capsys)
    assert code == 0
    assert "- siderolabs/nvidia-open-gpu-kernel-modules\n" in out
    assert "-lts" not in out and "-production" not in out


@pytest.mark.parametrize(
    "argv",
    [
        ["schematic", "--talos-version", "1.6"],
        ["schematic", "--flavour", "nouveau"],
        ["schematic", "--extension", "siderolabs/nvidia-container-toolkit-production"],
        ["schematic", "--kernel-arg", "two words"],
        ["schematic", "--extension", "Not A Name"],
    ],
)
def test_bad_input_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert "Traceback" not in err


def test_schematic_from_profile_and_intent_with_flag_override(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """INTENT/--profile supply flavour, branch and version; flags override them."""
    import talosgpu as api

    with pytest.raises(SystemExit) as exit_info:
        main(["schematic", "--profile", "nvidia-cdi"])
    out, err = capsys.readouterr()
    assert exit_info.value.code in (0, None)
    assert "siderolabs/nonfree-kmod-nvidia-lts" in out
    assert ":v1.11.<patch>" in err
    intent = tmp_path / "node.yaml"
    intent.write_text(
        "profile: nvidia-cdi\ntalosVersion: v1.11.1\nextraKernelArgs: [nvidia-drm.modeset=1]\n"
    )
    result, _ = api.schematic(intent, branch="production")
    assert "siderolabs/nonfree-kmod-nvidia-production" in result.yaml
    assert "nvidia-drm.modeset=1" in result.yaml
    assert result.installer_image.endswith(":v1.11.1")


def test_schematic_json_and_profiles_json(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from conftest import run_cli

    code, out, err = run_cli(["schematic", "--profile", "nvidia-cdi", "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["version"] == 1 and "# installer" not in err
    assert data["installerImage"].endswith(f"{data['id']}:v1.11.<patch>")
    assert data["extensions"] == [
        "siderolabs/nonfree-kmod-nvidia-lts",
        "siderolabs/nvidia-container-toolkit-lts",
    ]
    code, _, err = run_cli(
        ["schematic", "--profile", "nvidia-cdi", "--format", "json", "--id"], capsys
    )
    assert code == 2 and "--id and --format json cannot be combined" in err
    code, out, _ = run_cli(["profiles", "--format", "json"], capsys)
    names = [p["name"] for p in json.loads(out)["profiles"]]
    assert code == 0 and "nvidia-cdi" in names


def test_an_extension_flag_is_checked_like_the_intents_extensions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = ["schematic", "--profile", "nvidia-cdi", "--talos-version", "1.11.5"]
    code, out, err = run([*base, "--extension", "siderolabs/doesnotexist"], capsys)
    assert code == 0 and "--extension siderolabs/doesnotexist: " in err and "official" in err
    code, out, err = run([*base, "--extension", "ghcr.io/me/x:1"], capsys)
    assert (code, out) == (2, "") and "not an official extension" in err
