"""v1alpha1 fields Talos 1.14 deprecated for documents, their conflicts, and document kinds.

Research talos-internals.md §3 ("New multi-doc kinds in v1.14"; talos
``pkg/machinery/config/types/`` and ``container.go``): ``KubeletConfig`` is rejected next to
``.machine.kubelet``, ``KubeNodeConfig`` next to the eight fields of
:data:`talosgpu.talos.kubenode.KUBE_NODE_CONFIG_CONFLICTS` (``.machine.nodeLabels is already set
in v1alpha1 config``); ``KernelModuleConfig`` wins per
module name, ``UdevRulesConfig`` replaces ``.machine.udev``, ``SysctlConfig``/``SysfsConfig`` win on
conflicting keys: silently; across ``--layers`` the same, for a field and its document in
different layers of one node. ``.machine.install.extensions`` has had no effect since 1.10.
Document kinds per release (``document-needs-newer-talos``, ``unknown-document-kind``): the
kinds the release's decoder registers (``data/talos_field_names.toml`` ``kinds``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence

from talosgpu.lint.context import Context, Hit, render_path
from talosgpu.lint.findings import Finding, Severity
from talosgpu.lint.target import GPU_DOCUMENT_KINDS
from talosgpu.talos.field_names import KINDS, field_names, minors, releases_with
from talosgpu.talos.fields import FIELDS
from talosgpu.talos.kubenode import KIND, KUBE_NODE_CONFIG_CONFLICTS, dotted
from talosgpu.versions import TalosVersion

__all__ = [
    "DEPRECATED_FIELDS",
    "check_deprecated",
    "check_document_versions",
    "check_install",
    "conflicts_across_layers",
]

# (v1alpha1 path, replacing document, severity when both are set, what happens then): the
# ``home`` facts of the one field table (talosgpu.talos.fields), KubeNodeConfig's last.
DEPRECATED_FIELDS: tuple[tuple[tuple[str, ...], str, Severity, str], ...] = tuple(
    (f.parts, f.home.kind, f.home.severity, f.home.consequence)
    for f in FIELDS
    if f.home is not None and f.home.kind != KIND
)
DEPRECATED_FIELDS += tuple(
    (path, KIND, "error",
     f"Talos rejects the config ({dotted(path)} is already set in v1alpha1 config)"
     + (f"; its home is KubeNodeConfig.{key}" if key else "; it has no KubeNodeConfig twin"))
    for path, key in KUBE_NODE_CONFIG_CONFLICTS
)  # fmt: skip


_NO_TWIN = {path: key is None for path, key in KUBE_NODE_CONFIG_CONFLICTS}


def _set(value: object) -> bool:
    return value not in (None, {}, [], "")


def check_deprecated(ctx: Context) -> Iterator[Finding]:
    if not ctx.version.gpu_documents:
        return
    kinds = ctx.kinds()
    for path, kind, severity, consequence in DEPRECATED_FIELDS:
        for hit in ctx.values(*path):
            if not _set(hit.value) or _deletes(hit.value):
                continue  # a `$patch: delete` removes the field from the config patched
            dotted = "." + ".".join(path)
            twinless = kind == KIND and _NO_TWIN.get(path, False)
            if kind in kinds:
                yield ctx.finding(
                    "deprecated-field-with-document",
                    hit,
                    f"{dotted} is set next to a {kind} document: {consequence}",
                    f"delete {dotted}"
                    if twinless
                    else f"move the settings into the {kind} document and delete {dotted}",
                    severity,
                )
            elif ctx.unit.form != "talhelper" and not twinless:
                # talhelper renders its node fields into machine.*: not the user's choice
                yield ctx.finding(
                    "deprecated-field",
                    hit,
                    f"{dotted} is deprecated in Talos {ctx.version}",
                    f"use a {kind} document instead",
                    "info",
                )
    if ctx.unit.form == "talhelper":
        return
    for hit in ctx.values("machine", "files"):
        if _set(hit.value):
            yield ctx.finding(
                "deprecated-field",
                hit,
                f".machine.files is deprecated in Talos {ctx.version}",
                "use CRICustomizationConfig for the CRI part (no reboot, CRI restart) and "
                "EtcFileConfig for files under /etc",
                "info",
            )


def _deletes(value: object) -> bool:
    return isinstance(value, dict) and value.get("$patch") == "delete"


def conflicts_across_layers(layers: Sequence[tuple[int, Context]]) -> list[Finding]:
    """``--layers``: a v1alpha1 field of one layer and its document in another are both in the
    node's merged config, so Talos treats them as in one file (rejects the config for
    KubeNodeConfig's fields, ``.machine.nodeLabels is already set in v1alpha1 config``; the
    document wins for the others; research talos-internals.md §3). What the last layer that
    touches a field or document leaves counts (``$patch: delete`` removes it)."""
    fields: dict[tuple[str, ...], tuple[int, Context, Hit] | None] = {}
    documents: dict[str, tuple[int, Context, Hit] | None] = {}
    for index, ctx in layers:
        for kind in {k for _, k, _, _ in DEPRECATED_FIELDS}:
            for doc in ctx.documents(kind):
                documents[kind] = None if _deletes(doc.value) else (index, ctx, doc)
        for path, *_ in DEPRECATED_FIELDS:
            for hit in ctx.values(*path):
                if _deletes(hit.value):
                    fields[path] = None
                elif _set(hit.value):  # an empty map or list merged in changes nothing
                    fields[path] = (index, ctx, hit)
    return [
        found
        for path, kind, severity, consequence in DEPRECATED_FIELDS
        if (found := _across(fields.get(path), documents.get(kind), path, kind, severity,
                             consequence)) is not None
    ]  # fmt: skip


def _across(
    field: tuple[int, Context, Hit] | None,
    document: tuple[int, Context, Hit] | None,
    path: tuple[str, ...],
    kind: str,
    severity: Severity,
    consequence: str,
) -> Finding | None:
    if field is None or document is None or field[0] == document[0]:
        return None  # within one file: check_deprecated says it
    (_, ctx, hit), (_, d_ctx, doc) = field, document
    if not ctx.version.gpu_documents:
        return None  # the document itself is document-needs-newer-talos there
    dotted = "." + ".".join(path)
    where = render_path(d_ctx.unit, doc.frag.doc, doc.path)
    other = (
        "this same file, given again as a layer," if d_ctx.source == ctx.source else (d_ctx.source)
    )
    twinless = kind == KIND and _NO_TWIN.get(path, False)
    return ctx.finding(
        "deprecated-field-with-document", hit,
        f"{dotted} is set here and {other} has a {kind} document ({where}): as layers of one "
        f"node both are in its config, so {consequence}",
        f"delete {dotted}" if twinless else f"move the settings into the {kind} document "
        f"({d_ctx.source}) and delete {dotted}",
        severity,
    )  # fmt: skip


_GHCR_INSTALLER = "ghcr.io/siderolabs/installer:"


def check_install(ctx: Context) -> Iterator[Finding]:
    images = [*ctx.values("machine", "install", "image")]
    for doc in ctx.documents("UnattendedInstallConfig"):
        installer = doc.value.get("installer")
        if isinstance(installer, dict) and isinstance(installer.get("image"), str):
            images.append(doc)
    for hit in images:
        value = hit.value if isinstance(hit.value, str) else hit.value["installer"]["image"]
        if value.startswith(_GHCR_INSTALLER) and not ctx.version.ghcr_installer_published:
            tag = value[len(_GHCR_INSTALLER) :]
            yield ctx.finding(
                "installer-image-unpublished",
                hit,
                f"{value}: ghcr.io/siderolabs/installer is not published for Talos "
                f"{ctx.version} (only Image Factory installers are), and a plain installer has "
                "no NVIDIA extensions",
                f"use factory.talos.dev/metal-installer/<schematic id>:{tag} (talosgpu schematic "
                "--id gives the id)",
                "error",
            )
    for hit in ctx.values("machine", "install", "extensions"):
        if not _set(hit.value):
            continue
        ignored = ctx.version.at_least("1.10")
        yield ctx.finding(
            "install-extensions-ignored",
            hit,
            ".machine.install.extensions "
            + (
                f"has no effect on Talos {ctx.version} (ignored since 1.10)"
                if ignored
                else "is deprecated (since 1.6)"
            ),
            "put the NVIDIA extensions in an Image Factory schematic and install with its "
            "installer image",
            "warning" if ignored else "info",
        )


def _kinds_of(ctx: Context) -> list[Hit]:
    """The unit's Talos documents that have a kind (not v1alpha1, op lists, schematics)."""
    return [
        Hit(f.value, f.physical, f)
        for f in ctx.unit.fragments
        if not f.logical and isinstance(f.value, dict) and f.kind[:1].isupper()
    ]


def check_document_versions(ctx: Context) -> Iterator[Finding]:
    """A document kind the release's config decoder does not register: configloader fails with
    ``"<kind>" "v1alpha1": not registered`` (``configloader/internal/decoder/decoder.go``
    ``decode``, ``internal/registry/registry.go`` ``ErrNotRegistered``). The kinds per release
    are the ``kinds`` section of ``data/talos_field_names.toml`` (``registry.Register`` calls of
    each minor's newest tag, ``scripts/derive_field_names.py``)."""
    accepted = field_names(ctx.version, KINDS)
    if accepted is None:
        return
    for doc in _kinds_of(ctx):
        kind = doc.frag.kind
        if kind in accepted:
            continue
        since = releases_with(KINDS, kind)
        if since:
            yield _too_new(ctx, doc, kind, since[0])
        else:
            yield _unknown_kind(ctx, doc, kind)


def _rejected(kind: str) -> str:
    return f'rejects the config (`"{kind}" "v1alpha1": not registered`)'


def _too_new(ctx: Context, doc: Hit, kind: str, since: str) -> Finding:
    fix = (
        "use the v1alpha1 machine.* fields on this release, or target 1.14 (--talos-version 1.14)"
        if kind in GPU_DOCUMENT_KINDS
        else f"remove the document on this release, or target Talos {since} or newer "
        f"(--talos-version {since})"
    )
    return ctx.finding(
        "document-needs-newer-talos", doc,
        f"{kind} documents exist from Talos {since}; Talos {ctx.version} {_rejected(kind)}",
        fix, "error", extra=("kind",),
    )  # fmt: skip


def _unknown_kind(ctx: Context, doc: Hit, kind: str) -> Finding:
    everything = sorted(
        {k for m in minors() for k in field_names(TalosVersion.parse(m), KINDS) or ()}
    )
    close = difflib.get_close_matches(kind, everything, n=1, cutoff=0.8)
    first, last = minors()[0], minors()[-1]
    return ctx.finding(
        "unknown-document-kind", doc,
        f"no Talos release talosgpu knows ({first} to {last}) has a {kind} document, so Talos "
        f"{_rejected(kind)}",
        f"did you mean {close[0]}?" if close else "remove the document, or correct its kind",
        "error", extra=("kind",),
    )  # fmt: skip
