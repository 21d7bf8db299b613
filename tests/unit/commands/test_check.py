"""check_files: the rendered-folder convention, stale/missing/extra, the semantic diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import talosgpu as api
from talosgpu import outputs
from talosgpu.check import semantic_diff
from talosgpu.commands.check import check_files
from talosgpu.errors import TalosGPUError
from talosgpu.fleet import fleet_output_files, load_inventory, render_fleet
from talosgpu.fsio import write_tree_atomic
from talosgpu.report.check import format_report

INTENT = "apiVersion: talosgpu.dev/v1alpha1\nkind: GPUNode\nprofile: nvidia-cdi\n"


def commit(intent: Path, folder: Path | None = None) -> Path:
    """Write what ``render INTENT --output-dir`` writes, next to the intent by default."""
    folder = folder or intent.with_suffix(".rendered")
    write_tree_atomic(folder, api.output_files(api.render(intent)))
    return folder


@pytest.fixture
def node(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "nodes" / "gpu1.yaml"
    path.parent.mkdir()
    path.write_text(INTENT)
    commit(path)
    return path


# ----------------------------------------------------------------------------- semantic diff
def test_semantic_diff_changed_added_removed_paths() -> None:
    old = [{"machine": {"nodeLabels": {"role": "gpu", "gone": "x"}, "sysctls": {"a": "1"}}}]
    new = [{"machine": {"nodeLabels": {"role": "compute"}, "sysctls": {"a": "1", "b": "2"}}}]
    assert semantic_diff(old, new) == [
        '~ .machine.nodeLabels.role: "gpu" → "compute"',
        '- .machine.nodeLabels.gone: "x"',
        '+ .machine.sysctls.b: "2"',
    ]


def test_semantic_diff_matches_list_items_by_name_and_documents_by_identity() -> None:
    mods = [{"name": "nvidia"}, {"name": "nvidia_uvm"}]
    old = [
        {"machine": {"kernel": {"modules": mods}}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "n"}},
    ]
    new = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "n"}},
        {"machine": {"kernel": {"modules": [{"name": "nvidia_drm"}, *mods]}}},
    ]
    assert semantic_diff(old, new) == [
        '+ [v1alpha1] .machine.kernel.modules[0]: {"name": "nvidia_drm"}'
    ]


def test_semantic_diff_multiline_strings_and_types() -> None:
    old = [{"content": "a = 1\nb = 2\n", "n": 1, "flag": 1}]
    new = [{"content": "a = 1\nb = 3\n", "n": 1, "flag": True}]
    lines = semantic_diff(old, new)
    assert lines[0] == "~ .content: text changed"
    assert "    -b = 2" in lines and "    +b = 3" in lines
    assert lines[-1] == "~ .flag: 1 → true"
    assert semantic_diff(old, old) == []
    # a nested 1 → true alone is a change too (Python's == says they are equal)
    assert semantic_diff([{"a": {"b": 1}}], [{"a": {"b": True}}]) == ["~ .a.b: 1 → true"]


def test_semantic_diff_documents_added_and_removed() -> None:
    a = {"apiVersion": "v1alpha1", "kind": "KernelModuleConfig", "name": "nvidia"}
    b = {**a, "name": "nvidia_uvm"}
    assert semantic_diff([a], [a, b]) == ["+ [KernelModuleConfig nvidia_uvm] document added"]
    assert semantic_diff([a, b], [b]) == ["- [KernelModuleConfig nvidia] document removed"]


# ----------------------------------------------------------------------------- check_files
def test_current_files_pass(node: Path) -> None:
    report = check_files([node])
    assert report.exit_code == 0
    assert report.checked[0].rendered_dir == os.path.normpath(node.with_suffix(".rendered"))
    assert "ok (5 rendered files current)" in format_report(report)


def test_stale_yaml_shows_semantic_diff(node: Path) -> None:
    patch = node.with_suffix(".rendered") / "patch.yaml"
    patch.write_text(patch.read_text().replace("gpu-vendor: nvidia", "gpu-vendor: amd"))
    report = check_files([node])
    assert report.exit_code == 1
    (problem,) = report.checked[0].problems
    assert problem.status == "stale" and problem.path.endswith("gpu1.rendered/patch.yaml")
    assert problem.details == (
        '~ .machine.nodeLabels."node.kubernetes.io/gpu-vendor": "amd" → "nvidia"',
    )
    text = format_report(report)
    assert "fix: talosgpu render" in text and "1 not current" in text


def test_comment_only_change_is_stale_with_text_diff(node: Path) -> None:
    patch = node.with_suffix(".rendered") / "patch.yaml"
    patch.write_text("# edited by hand\n" + patch.read_text())
    (problem,) = check_files([node]).checked[0].problems
    assert problem.details[0] == "(same data: comments or formatting differ)"
    assert "-# edited by hand" in problem.details


def test_non_yaml_file_gets_unified_diff(node: Path) -> None:
    part = node.with_suffix(".rendered") / "20-customization.part"
    part.write_text(part.read_text().replace("enable_cdi = true", "enable_cdi = false"))
    (problem,) = check_files([node]).checked[0].problems
    assert "-enable_cdi = false" in problem.details and "+enable_cdi = true" in problem.details


def test_missing_and_extra_files_dotfiles_ignored(node: Path) -> None:
    folder = node.with_suffix(".rendered")
    (folder / "plan.json").unlink()
    (folder / "notes.txt").write_text("x")
    (folder / ".gitkeep").write_text("")
    problems = check_files([node]).checked[0].problems
    assert [(Path(p.path).name, p.status) for p in problems] == [
        ("notes.txt", "extra"),
        ("plan.json", "missing"),
    ]


def test_rendered_file_stands_for_its_intent(node: Path) -> None:
    patch = node.with_suffix(".rendered") / "patch.yaml"
    report = check_files([str(patch), str(patch.parent / "plan.json")])
    assert [c.source for c in report.checked] == [os.path.normpath(node)]


def test_invalid_intent_is_an_error_and_others_still_checked(node: Path) -> None:
    bad = node.parent / "bad.yaml"
    bad.write_text(INTENT + "labelz: {}\n")
    report = check_files([bad, node])
    assert report.exit_code == 2
    assert [str(e) for e in report.errors] == [
        f"{os.path.normpath(bad)}: .labelz: unknown field (did you mean 'labels'?)"
    ]
    assert report.checked[0].source == os.path.normpath(node)


def test_other_files_are_ignored(node: Path) -> None:
    other = node.parent / "values.yaml"
    other.write_text("replicas: 3\n")
    readme = node.parent / "README.md"
    readme.write_text("hi")
    report = check_files([other, readme])
    assert report.exit_code == 0 and not report.checked
    assert sorted(report.ignored) == sorted([str(readme), str(other)])
    assert format_report(report) == ""


def test_a_kindless_intent_is_checked_with_or_without_a_rendered_folder(tmp_path: Path) -> None:
    """The README's intents have no kind: the hook validates them whether or not a folder is
    committed (before, one without a folder was skipped, and the hook passed an invalid one)."""
    intent = tmp_path / "n.yaml"
    intent.write_text("profile: nvidia-legacy\n")
    assert check_files([intent]).checked[0].kind == "intent"
    commit(intent)
    assert check_files([intent]).checked[0].rendered_files > 0
    intent.write_text("profile: nvidia-legacy\nlabelz: {a: b}\n")
    report = check_files([intent])
    assert report.exit_code == 2
    assert [e.message for e in report.errors] == ["unknown field (did you mean 'labels'?)"]


def test_no_rendered_folder_validates_only_unless_strict(tmp_path: Path) -> None:
    intent = tmp_path / "n.yaml"
    intent.write_text(INTENT)
    assert check_files([intent]).exit_code == 0
    assert "valid (no rendered folder" in format_report(check_files([intent]))
    strict = check_files([intent], strict=True)
    assert strict.exit_code == 1 and strict.checked[0].problems[0].status == "missing"


def test_rendered_dir_template_and_single_folder(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for path in (a, b):
        path.write_text(INTENT)
        commit(path, tmp_path / "out" / path.stem)
    template = str(tmp_path / "out" / "{stem}")
    assert check_files([a, b], rendered_dir=template).exit_code == 0
    assert check_files([a], rendered_dir=str(tmp_path / "out" / "a")).exit_code == 0
    # b's files carry "from b.yaml" in the patch header: same data, still not current
    assert check_files([a], rendered_dir=str(tmp_path / "out" / "b")).exit_code == 1
    with pytest.raises(TalosGPUError, match="names one folder"):
        check_files([a, b], rendered_dir=str(tmp_path / "out"))
    with pytest.raises(TalosGPUError, match="only"):
        check_files([a], rendered_dir="{nope}")


def test_inventory_checked_per_node(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(
        "kind: GPUInventory\nroles: {c: {profile: nvidia-cdi}}\n"
        "nodes:\n  - {name: a, role: c}\n  - {name: b, role: c, overrides: {labels: {x: y}}}\n"
    )
    folder = tmp_path / "fleet.rendered"
    write_tree_atomic(folder, fleet_output_files(render_fleet(load_inventory(fleet))))
    assert check_files([fleet]).exit_code == 0
    assert check_files([folder / "b" / "patch.yaml"]).checked[0].kind == "inventory"
    fleet.write_text(fleet.read_text().replace("{x: y}", "{x: z}"))
    problems = {
        Path(p.path).relative_to(folder).as_posix(): p
        for p in check_files([fleet]).checked[0].problems
    }
    assert "a/patch.yaml" not in problems
    assert problems["b/patch.yaml"].details == ('~ .machine.nodeLabels.x: "y" → "z"',)


def test_no_paths_discovers_intents_with_rendered_folders(node: Path) -> None:
    (node.parent / "lonely.yaml").write_text(INTENT)  # no rendered folder: not discovered
    report = check_files([])
    assert [c.source for c in report.checked] == [os.path.join("nodes", "gpu1.yaml")]


# ----------------------------------------------------------------------------- cache
def test_a_second_check_of_unchanged_inputs_renders_nothing(
    node: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TALOSGPU_CACHE_DIR", str(tmp_path / "cache"))
    assert check_files([node]).exit_code == 0  # fills the cache

    def no_render(*args: object, **kwargs: object) -> None:
        raise AssertionError("rendered although the input is unchanged")

    monkeypatch.setattr(outputs, "render_intent", no_render)
    assert check_files([node]).exit_code == 0
    # what is compared is still the committed folder, read every time
    patch = node.with_suffix(".rendered") / "patch.yaml"
    patch.write_text(patch.read_text().replace("gpu-vendor: nvidia", "gpu-vendor: amd"))
    assert check_files([node]).exit_code == 1
    # a changed intent is a miss: it is rendered again
    node.write_text(INTENT + "labels: {zone: b}\n")
    with pytest.raises(AssertionError, match="rendered although"):
        check_files([node])


def test_no_cache_means_always_render(
    node: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TALOSGPU_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TALOSGPU_NO_CACHE", "1")
    check_files([node])
    calls: list[object] = []
    real = outputs.render_intent
    monkeypatch.setattr(outputs, "render_intent", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert check_files([node]).exit_code == 0 and len(calls) == 1


def test_yaml_that_is_no_mapping_is_ignored_even_with_a_rendered_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, text in (("empty.yaml", ""), ("list.yaml", "- a\n- b\n")):
        (tmp_path / name).write_text(text)
        (tmp_path / name.replace(".yaml", ".rendered")).mkdir()
    report = check_files(["empty.yaml", "list.yaml"])
    assert report.exit_code == 0 and report.ignored == ("empty.yaml", "list.yaml")


# ------------------------------------------------------- a committed `render node.yaml > patch.yaml`
def _render_to(intent: Path, target: Path, *flags: str) -> None:
    rendered = api.render(intent, **_flags(flags))
    target.write_text(rendered.patch_text)


def _flags(flags: tuple[str, ...]) -> dict[str, object]:
    return {"talos_version": flags[1]} if flags[:1] == ("--talos-version",) else {}


def test_a_committed_render_output_is_checked_by_its_header(tmp_path: Path) -> None:
    intent = tmp_path / "node.yaml"
    intent.write_text('profile: nvidia-cdi\ntalosVersion: "1.11"\n')
    patch = tmp_path / "patch.yaml"
    _render_to(intent, patch)
    assert patch.read_text().split("\n")[1] == "# Re-render: talosgpu render node.yaml"
    report = check_files([patch, intent], strict=True)
    assert report.exit_code == 0, format_report(report)
    output = report.checked[0]
    assert output.kind == "output" and not output.problems
    # strict: the intent is rendered (into patch.yaml), so no folder is demanded of it
    assert report.checked[1].kind == "intent" and not report.checked[1].problems
    intent.write_text('profile: nvidia-cdi\ntalosVersion: "1.12"\n')
    stale = check_files([patch])
    assert stale.exit_code == 1
    text = format_report(stale)
    assert f"{os.path.normpath(patch)}: differs from what talosgpu renders now" in text
    assert f"fix: talosgpu render {os.path.normpath(intent)} > {os.path.normpath(patch)}" in text


def test_the_headers_flags_are_rendered_again(tmp_path: Path) -> None:
    intent = tmp_path / "node.yaml"
    intent.write_text('profile: nvidia-cdi\ntalosVersion: "1.11"\n')
    patch = tmp_path / "patch-112.yaml"
    _render_to(intent, patch, "--talos-version", "1.12")
    assert "# Re-render: talosgpu render node.yaml --talos-version 1.12" in patch.read_text()
    assert check_files([patch]).exit_code == 0  # rendered for 1.12 again, not the intent's 1.11


def test_a_profile_render_is_checked(tmp_path: Path) -> None:
    patch = tmp_path / "patch.yaml"
    patch.write_text(api.render(profile="nvidia-legacy").patch_text)
    assert "# Re-render: talosgpu render --profile nvidia-legacy" in patch.read_text()
    assert check_files([patch]).exit_code == 0
    patch.write_text(patch.read_text().replace("nvidia_uvm", "nvidia_uvmx"))
    assert check_files([patch]).exit_code == 1


def test_an_output_whose_intent_is_not_beside_it_is_named_not_passed(tmp_path: Path) -> None:
    intent = tmp_path / "node.yaml"
    intent.write_text("profile: nvidia-cdi\n")
    (tmp_path / "out").mkdir()
    patch = tmp_path / "out" / "patch.yaml"
    _render_to(intent, patch)
    report = check_files([patch])
    assert report.checked == () and report.exit_code == 0
    assert report.notes == (
        f"{os.path.normpath(patch)}: rendered from node.yaml, which is not beside it: not "
        "checked (render it again with `talosgpu render node.yaml > patch.yaml` beside the "
        "intent)",
    )


def test_a_talosgpu_patch_without_a_rerender_line_is_named(tmp_path: Path) -> None:
    patch = tmp_path / "old.yaml"
    patch.write_text(
        "# Rendered by talosgpu for Talos 1.11 from node.yaml; do not edit by hand.\nmachine: {}\n"
    )
    report = check_files([patch])
    assert report.exit_code == 0 and report.checked == ()
    assert "names no command to render it again" in report.notes[0]


# ------------------------------------------------------- renders merged with the intent's patches
MERGED_INTENT = (
    "profile: nvidia-cdi\ntalosVersion: '1.11'\n"
    "patches:\n  - inline: {machine: {sysctls: {vm.swappiness: 'SWAP'}}}\n"
)


def test_a_with_patches_render_is_checked_in_that_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`render --with-patches` (to a file or a folder) is compared with the merged node patch,
    and its fix keeps --with-patches: the plain render's fix would drop the patches."""
    from conftest import run_cli  # the CLI writes what a user commits

    monkeypatch.chdir(tmp_path)
    (tmp_path / "node.yaml").write_text(MERGED_INTENT.replace("SWAP", "10"))
    for target in (["-o", "patch.yaml"], ["--output-dir", "node.rendered"]):
        assert run_cli(["-q", "render", "node.yaml", "--with-patches", *target], capsys)[0] == 0
    assert "--with-patches" in (tmp_path / "patch.yaml").read_text().split("\n")[1]
    current = check_files(["patch.yaml", "node.yaml"])
    assert current.exit_code == 0 and not current.notes, format_report(current)
    assert [c.kind for c in current.checked] == ["output", "intent"]
    (tmp_path / "node.yaml").write_text(MERGED_INTENT.replace("SWAP", "20"))
    stale = format_report(check_files(["patch.yaml", "node.yaml"]))
    assert "fix: talosgpu render node.yaml --with-patches > patch.yaml" in stale
    assert "fix: talosgpu render node.yaml --output-dir node.rendered --with-patches" in stale


def test_an_intent_whose_patch_file_is_broken_fails_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """diff and apply always merge the patches: the pre-commit hook says so before they do,
    naming the patch file, even when the committed render leaves the patches out."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "node.yaml").write_text(
        MERGED_INTENT.replace(
            "- inline: {machine: {sysctls: {vm.swappiness: 'SWAP'}}}", "- file: bad.yaml"
        )
    )
    (tmp_path / "bad.yaml").write_text("machine:\n  sysctls: [\n")
    report = check_files(["node.yaml"])
    assert report.exit_code == 2
    assert [e.file for e in report.errors] == ["bad.yaml"]
