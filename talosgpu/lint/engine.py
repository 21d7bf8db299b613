"""``lint_text`` and ``lint_files``: read, pick the target version, run every rule, sort."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from talosgpu.errors import YAMLError
from talosgpu.lint.context import Context, make_finding
from talosgpu.lint.findings import Finding, LintReport, SkippedFile, Target, sort_findings
from talosgpu.lint.inputs import Source, note, read_input
from talosgpu.lint.registry import CHECKS, VERSION_DEPENDENT
from talosgpu.lint.rules_documents import conflicts_across_layers
from talosgpu.lint.rules_duplicates import cross_layer
from talosgpu.lint.rules_traps import add_replaces_across_layers
from talosgpu.lint.target import ReleaseHint, infer_version
from talosgpu.talos.secrets import collect_secret_values, redact_text
from talosgpu.versions import DEFAULT_VERSION, TalosVersion, version_option

__all__ = ["lint_text", "lint_texts"]


@dataclass(frozen=True, slots=True)
class _FileResult:
    findings: tuple[Finding, ...]
    skipped: SkippedFile | None
    target: Target | None
    layers: tuple[Context, ...]


Hints = str | ReleaseHint | tuple[ReleaseHint, ...]
_HINT_ORDER = ("talconfig", "topf", "omni-template")  # issue 14: talconfig above Omni


def _declared(src: Source, hint: Hints | None) -> list[ReleaseHint]:
    """The file's own release first, then the files that name it (talconfig > topf > Omni)."""
    own = [ReleaseHint(src.declared_version, src.declared_origin)] if src.declared_version else []
    if hint is None:
        return own
    given = [ReleaseHint(hint, "talconfig")] if isinstance(hint, str) else hint
    given = (given,) if isinstance(given, ReleaseHint) else tuple(given)
    ranked = sorted(
        given, key=lambda h: _HINT_ORDER.index(h.origin) if h.origin in _HINT_ORDER else 9
    )
    return own + ranked


def _lint_source(
    src: Source,
    option: TalosVersion | None,
    *,
    assume_newest_known: bool = False,
    hint: Hints | None = None,
    layer_release: TalosVersion | None = None,
) -> _FileResult:
    findings = list(src.notes)
    if src.skipped is not None:
        findings.append(
            note(
                src.file,
                "not-talos-config",
                "info",
                f"skipped: {src.skipped}",
                "nothing to do (pass Talos patches, machine configs or talconfig.yaml)",
            )
        )
        return _FileResult(tuple(findings), SkippedFile(src.file, src.skipped), None, ())
    if option is not None:
        version, origin = option, "option"
    else:
        version, origin = _own_release(src, hint)
        # 1.14 documents only bound the release from below: a layer naming one (a base config's
        # installer tag) is the node's, and its rules judge the documents (a KubeNodeConfig on
        # a 1.13 node is document-needs-newer-talos)
        if origin in ("default", "documents") and layer_release is not None:
            version, origin = layer_release, "layer"
        if not version.is_known:
            if not assume_newest_known:
                # Never lint for a release whose facts talosgpu does not have.
                findings.append(
                    note(
                        src.file,
                        "talos-version-unknown",
                        "error",
                        f"not linted: the file is for Talos {version} ({origin}), newer than the "
                        "newest release talosgpu knows; its rules would be guesses",
                        "upgrade talosgpu, or pass --assume-newest-known to lint with the newest "
                        "known facts",
                    )
                )
                return _FileResult(
                    tuple(findings), None, Target(src.file, str(version), origin), ()
                )
            version = TalosVersion.parse(version, assume_newest_known=True)
    if origin == "default":
        findings.append(
            note(
                src.file,
                "talos-version-assumed",
                "info",
                "no Talos version given, or none talosgpu could resolve (talosgpu header, "
                "installer image tag, 1.14 documents, the talosVersion of a talconfig.yaml or "
                "topf.yaml, an Omni cluster template's talos.version; a ${VAR} resolves only "
                "from a talenv.yaml beside its talconfig, never from encrypted values, and two "
                f"talconfigs of different releases are not guessed at); linting for Talos "
                f"{DEFAULT_VERSION}",
                "pass --talos-version X.Y for the release the node runs",
            )
        )
    declared = _declared(src, hint)
    if any(h.origin == "topf" for h in declared):
        findings.extend(_topf_json6902(src))
    layers: list[Context] = []
    for unit in src.units:
        ctx = Context(src.file, version, unit)
        for check in CHECKS:
            findings.extend(check(ctx))
        if src.layered:
            layers.append(ctx)
    if origin == "default":
        findings = [_assumed(f, version) for f in findings]
    findings = _redact(findings, src)
    return _FileResult(tuple(findings), None, Target(src.file, str(version), origin), tuple(layers))


def _own_release(src: Source, hint: Hints | None) -> tuple[TalosVersion, str]:
    """The release the file itself, or a file naming it, gives (``default`` when none)."""
    return infer_version(
        src.units, declared=_declared(src, hint), header_version=src.header_version
    )


Named = list[tuple[str, TalosVersion, str]]  # (file, release, origin) of the layers


def _layer_releases(sources: Sequence[tuple[Source, Hints | None]]) -> Named:
    """``(file, release, origin)`` of each layer that names its release, or whose 1.14
    documents do (origin ``documents``): read once for both uses below."""
    out: Named = []
    for src, hint in sources:
        if not src.layered or src.skipped is not None:
            continue  # a talconfig or Omni template holds several nodes' patches
        version, origin = _own_release(src, hint)
        if origin != "default" and version.is_known:
            out.append((src.file, version, origin))
    return out


def _layer_release(named: Named) -> TalosVersion | None:
    """``--layers``: the release the layers name (one node runs one release), for the layers that
    name none: a base config proves it for the patches applied to it. None when no layer names
    one, or two name different releases (not guessed at)."""
    found = {v.series: v for _, v, origin in named if origin != "documents"}
    if not found:  # only 1.14 documents say anything: the node runs 1.14 or newer
        found = {v.series: v for _, v, _origin in named}
    return next(iter(found.values())) if len(found) == 1 else None


def _layers_disagree(named: Named) -> list[Finding]:
    """Layers of one node that name different releases: said, not guessed at."""
    explicit = [(file, v) for file, v, origin in named if origin != "documents"]
    if len({v.series for _, v in explicit}) < 2:
        return []
    shown = ", ".join(f"{file} names {v}" for file, v in explicit)
    return [
        note(
            explicit[0][0],
            "layer-releases-differ",
            "warning",
            f"the layers of one node name different Talos releases ({shown}): each layer is "
            "linted for its own, and the rules that compare layers may not hold",
            "pass --talos-version X.Y for the release the node runs",
        )
    ]


def _topf_json6902(src: Source) -> list[Finding]:
    """topf refuses op lists in its patch folders (postfinance/topf ``pkg/config/patches.go``
    ``parsePatches``: "looks like a JSON patch ... which is not supported")."""
    message = (
        "a JSON6902 op list in a topf patches folder: topf only takes strategic-merge patches "
        "and fails (`looks like a JSON patch (array of operations), which is not supported`)"
    )
    fix = "rewrite it as a strategic-merge patch (the YAML the op would produce)"
    rule = "topf-json6902-unsupported"
    return [
        make_finding(src.file, unit, None, (), rule, "error", message, fix)
        for unit in src.units
        if unit.form == "json6902"
    ]


def _assumed(found: Finding, version: TalosVersion) -> Finding:
    """A release-dependent finding on an assumed release: info, and said to be an assumption."""
    dependent = found.release_dependent
    if dependent is None:
        dependent = found.rule in VERSION_DEPENDENT
    if not dependent or found.severity == "info":
        return found
    return dataclasses.replace(
        found,
        severity="info",
        message=f"if the node runs Talos {version} (assumed: nothing names the release): "
        f"{found.message}",
    )


def _redact(findings: list[Finding], src: Source) -> list[Finding]:
    """Mask any value of a known secret path of the file that a message might still carry."""
    docs = [f.value for u in src.units for f in u.fragments if not f.logical]
    known = collect_secret_values([d for d in docs if isinstance(d, dict)])
    if not known:
        return findings
    return [
        dataclasses.replace(
            f,
            message=redact_text(f.message, known_secrets=known),
            fix=redact_text(f.fix, known_secrets=known),
        )
        for f in findings
    ]


def lint_text(
    text: str,
    *,
    source: str,
    talos_version: str | TalosVersion | None = None,
    assume_newest_known: bool = False,
) -> LintReport:
    """Lint one text (``source`` names it in findings; ``.md`` sources are read as Markdown).

    Raises :class:`~talosgpu.errors.YAMLError` when the text is not YAML at all.
    """
    option = version_option(talos_version, assume_newest_known=assume_newest_known)
    result = _lint_source(
        read_input(text, source=source), option, assume_newest_known=assume_newest_known
    )
    return _report([result])


def lint_texts(
    texts: Sequence[tuple[str, str]],
    *,
    talos_version: str | TalosVersion | None = None,
    layers: bool = False,
    assume_newest_known: bool = False,
    unreadable: Sequence[YAMLError] = (),
    release_hints: Mapping[str, Hints] = {},
) -> LintReport:
    """Lint ``(text, source)`` pairs already read (:func:`talosgpu.commands.lint.lint_files`
    reads files and folders).

    With ``layers=True`` the texts are also read as layers of one node, in the order given
    (base config first, then patches): what a re-applied patch repeats across them — a
    ``machine.files`` path written twice (``files-duplicate-create``), a kernel module, udev
    rule or ``CRICustomizationConfig`` (``duplicate-entry``) — is reported unless a later layer
    deletes the earlier entry first with ``$patch: delete`` (a text given twice counts as the
    patch applied twice; :mod:`talosgpu.lint.rules_duplicates`). A text that is not YAML (even with template tags blanked), and
    each of ``unreadable`` (files that could not be read), is one ``unreadable-input`` finding;
    the rest is linted. Only when nothing could be linted is the first error raised.
    ``release_hints``: a source's release from the file that names it (a string: the
    talconfig.yaml that lists it as a patch; or :class:`~talosgpu.lint.target.ReleaseHint` s with
    origin ``talconfig``, ``topf`` or ``omni-template``), below the header and the file's own
    declared release, above the installer tag.
    """
    option = version_option(talos_version, assume_newest_known=assume_newest_known)
    failed = list(unreadable)
    results = [_unreadable(exc, exc.file or "<input>") for exc in failed]
    read: list[tuple[Source, Hints | None]] = []
    for text, source in texts:
        try:
            src = read_input(text, source=source)
        except YAMLError as exc:
            # one finding for that file; the others are still linted (a repository with one
            # broken template must not go unlinted)
            failed.append(exc)
            results.append(_unreadable(exc, source))
            continue
        read.append((src, (release_hints or {}).get(source)))
    named = _layer_releases(read) if layers and option is None else []
    layer_release = _layer_release(named)
    disagree = _layers_disagree(named)
    for src, hint in read:
        results.append(
            _lint_source(
                src, option, assume_newest_known=assume_newest_known, hint=hint,
                layer_release=layer_release,
            )
        )  # fmt: skip
    if failed and len(failed) == len(results):
        raise failed[0]  # nothing could be linted: exit 2, as for one bad file
    if disagree and results:
        first = results[0]
        results[0] = dataclasses.replace(first, findings=(*first.findings, *disagree))
    return _report(results, cross_file=layers)


def _unreadable(exc: YAMLError, source: str) -> _FileResult:
    fix = "correct the YAML, or the template that produces it"
    found = note(source, "unreadable-input", "error", exc.message, fix)
    return _FileResult((found,), SkippedFile(source, f"not readable: {exc.message}"), None, ())


def _cross_file(results: Sequence[_FileResult]) -> list[Finding]:
    layers = [(i, ctx) for i, result in enumerate(results) for ctx in result.layers]
    found = (
        cross_layer(layers) + add_replaces_across_layers(layers) + conflicts_across_layers(layers)
    )
    assumed = {
        r.target.file: TalosVersion.parse(r.target.talos_version)
        for r in results
        if r.target is not None and r.target.origin == "default"
    }
    return [_assumed(f, assumed[f.file]) if f.file in assumed else f for f in found]


# A cross-layer finding of the key's rule replaces a file's own info finding at the same path.
_SUPERSEDES = {"deprecated-field-with-document": "deprecated-field"}


def _superseded(findings: list[Finding], cross: list[Finding]) -> list[Finding]:
    """Drop a file's own info finding where the layers know more (the same path and rule, or
    the rule the layers' one supersedes)."""
    known = {(f.file, f.path, r) for f in cross for r in (f.rule, _SUPERSEDES.get(f.rule))}
    return [f for f in findings if f.severity != "info" or (f.file, f.path, f.rule) not in known]


def _report(results: Sequence[_FileResult], *, cross_file: bool = False) -> LintReport:
    findings = [f for r in results for f in r.findings]
    if cross_file:
        cross = _cross_file(results)
        findings = _superseded(findings, cross) + cross
    return LintReport(
        findings=sort_findings(findings),
        files_checked=sum(1 for r in results if r.skipped is None),
        skipped=tuple(r.skipped for r in results if r.skipped is not None),
        targets=tuple(r.target for r in results if r.target is not None),
    )
