"""The node beyond its config: installer extensions and role."""

from __future__ import annotations

from talosgpu.configdiff.node import check_node, legacy_cri_part
from talosgpu.configdiff.semantic import diff_configs
from talosgpu.knowledge.schematic import build_schematic
from talosgpu.talos.documents import CRI_PART_PATH
from talosgpu.versions import TalosVersion

V = TalosVersion.parse("1.11")
SCHEMATIC = build_schematic(talos_version=V, flavour="open", branch="lts")


def _live(image: str | None, role: str = "worker") -> list[dict[str, object]]:
    machine: dict[str, object] = {"type": role}
    if image is not None:
        machine["install"] = {"image": image}
    return [{"version": "v1alpha1", "machine": machine}]


def _check(image: str | None, role: str = "worker"):  # type: ignore[no-untyped-def]
    return check_node(_live(image, role), schematic=SCHEMATIC, role="worker", version=V, node="n1")


def test_the_rendered_schematic_on_its_own_factory_installer_is_silent() -> None:
    assert _check(f"factory.talos.dev/metal-installer/{SCHEMATIC.id}:v1.11.3").warnings == ()


def test_a_plain_installer_lacks_the_extensions_and_says_how_to_get_them() -> None:
    checked = _check("ghcr.io/siderolabs/installer:v1.11.3")
    (warning,) = checked.warnings
    assert checked.lacks_extensions
    assert (
        f"talosctl upgrade --nodes n1 --image factory.talos.dev/metal-installer/{SCHEMATIC.id}:v1.11.3"
        in warning
    )
    live = _live("ghcr.io/siderolabs/installer:v1.11.3")
    proposed = [
        {**live[0], "machine": {**live[0]["machine"], "kernel": {"modules": [{"name": "nvidia"}]}}}
    ]  # type: ignore[dict-item]
    diff = checked.apply_to(diff_configs(live, proposed, talos_version=V))
    assert [c.op for c in diff.changes] == ["add"]
    assert diff.changes[0].note is not None and "not on this node" in diff.changes[0].note
    assert "not on the node until its installer has them" in diff.summary


def test_another_schematic_is_named_and_never_silently_replaced() -> None:
    other = "0" * 64
    (warning,) = _check(f"factory.talos.dev/metal-installer/{other}:v1.11.3").warnings
    assert other in warning and "cannot see which extensions it holds" in warning
    assert f"factory.talos.dev/metal-installer/{SCHEMATIC.id}:v1.11.3" in warning


def test_no_installer_and_an_unknown_one_are_said_to_be_unknown() -> None:
    assert "cannot tell" in _check(None).warnings[0]
    assert "cannot tell" in _check("registry.local/talos/installer:v1.11.3").warnings[0]
    # and a module the diff adds is not said to load now: that depends on the installer
    for image in (
        None,
        "registry.local/talos/installer:v1.11.3",
        f"factory.talos.dev/metal-installer/{'0' * 64}:v1.11.3",
    ):
        live = _live(image)
        proposed = [
            {
                **live[0],
                "machine": {**live[0]["machine"], "kernel": {"modules": [{"name": "nvidia"}]}},
            }
        ]  # type: ignore[dict-item]
        diff = _check(image).apply_to(diff_configs(live, proposed, talos_version=V))
        assert diff.changes[0].note is not None and diff.changes[0].note.startswith(
            "loaded now only if"
        ), image
    silent = _check(f"factory.talos.dev/metal-installer/{SCHEMATIC.id}:v1.11.3")
    assert not silent.unsure_extensions and not silent.lacks_extensions


def test_role() -> None:
    warnings = _check(
        f"factory.talos.dev/installer/{SCHEMATIC.id}:v1.11.3", role="controlplane"
    ).warnings
    assert warnings == (
        "the live config is a controlplane (.machine.type) but the intent is for a worker "
        "(.node.role): is this the right node?",
    )


def test_a_kept_v1alpha1_cri_part_next_to_the_document_is_said() -> None:
    v1 = {"version": "v1alpha1", "machine": {"files": [{"path": CRI_PART_PATH, "content": ""}]}}
    doc = {"apiVersion": "v1alpha1", "kind": "CRICustomizationConfig", "name": "x", "content": ""}
    assert legacy_cri_part([v1, doc]) and not legacy_cri_part([v1]) and not legacy_cri_part([doc])


def test_a_parameter_of_a_loaded_module_is_not_said_to_load_now() -> None:
    """Only a whole module loads when the config adds it; a parameter waits for the next boot,
    whatever the installer carries."""
    old = {"version": "v1alpha1", "machine": {"kernel": {"modules": [{"name": "nvidia"}]}}}
    new = {
        "version": "v1alpha1",
        "machine": {"kernel": {"modules": [{"name": "nvidia", "parameters": ["a=1"]}]}},
    }
    diff = diff_configs([old], [new], talos_version="1.13")
    unsure = _check("registry.local/installer:v1.13.1")
    assert unsure.unsure_extensions
    (change,) = unsure.apply_to(diff).changes
    assert change.note is not None and "first loaded" in change.note
