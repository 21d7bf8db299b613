"""v1alpha1 fields that Talos 1.14 deprecated in favour of documents, and their conflicts.

Research talos-internals.md §3 ("New multi-doc kinds in v1.14"; talos
``pkg/machinery/config/types/`` and ``container.go``): ``KubeletConfig`` is rejected next to
``.machine.kubelet``, ``KubeNodeConfig`` next to the eight fields of
:data:`talosgpu.talos.kubenode.KUBE_NODE_CONFIG_CONFLICTS` (``.machine.nodeLabels is already set
in v1alpha1 config``); ``KernelModuleConfig`` wins per
module name, ``UdevRulesConfig`` replaces ``.machine.udev``, ``SysctlConfig``/``SysfsConfig`` win on
conflicting keys: silently. ``.machine.install.extensions`` has had no effect since 1.10.
"""

from __future__ import annotations

from collections.abc import Iterator

from talosgpu.lint.context import Context
from talosgpu.lint.findings import Finding, Severity
from talosgpu.lint.target import GPU_DOCUMENT_KINDS
from talosgpu.talos.fields import FIELDS
from talosgpu.talos.kubenode import KIND, KUBE_NODE_CONFIG_CONFLICTS, dotted

__all__ = ["DEPRECATED_FIELDS", "check_deprecated", "check_document_versions", "check_install"]

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
            if not _set(hit.value):
                continue
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


def check_document_versions(ctx: Context) -> Iterator[Finding]:
    if ctx.version.gpu_documents:
        return
    for kind in sorted(ctx.kinds() & GPU_DOCUMENT_KINDS):
        for doc in ctx.documents(kind):
            yield ctx.finding(
                "document-needs-newer-talos",
                doc,
                f"{kind} documents exist from Talos 1.14; Talos {ctx.version} rejects the config "
                "(unknown kind)",
                "use the v1alpha1 machine.* fields on this release, or target 1.14 "
                "(--talos-version 1.14)",
                "error",
                extra=("kind",),
            )
