"""Unknown fields in the sections GPU patches touch, per release.

Talos decodes configs and patches strictly (``KnownFields(true)``; research talos-internals.md
§1.7): a key the Go type has no ``yaml`` tag for makes the whole config or patch fail to load
(``unknown keys found during decoding``). The names per release are
:mod:`talosgpu.talos.field_names` (derived from the Go types, not the JSON schemas, which leave
out deprecated fields the decoder still accepts).

``unknown-field``: no release talosgpu knows has the key there (a typo; did-you-mean from the
release's names). ``field-not-in-release``: other releases have it, this one does not (its
verdict depends on the release, so it is in ``VERSION_DEPENDENT``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from talosgpu.lint.context import Context, Hit
from talosgpu.lint.findings import Finding
from talosgpu.talos.field_names import field_names, minors, releases_with

__all__ = ["check_fields"]

# section -> logical path of the value (a map), or of the list whose items are checked ("[]")
_V1_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("machine", ("machine",)),
    ("machine.kernel", ("machine", "kernel")),
    ("machine.kernel.modules[]", ("machine", "kernel", "modules")),
    ("machine.udev", ("machine", "udev")),
    ("machine.files[]", ("machine", "files")),
    ("machine.install", ("machine", "install")),
    ("machine.install.diskSelector", ("machine", "install", "diskSelector")),
    ("machine.install.extensions[]", ("machine", "install", "extensions")),
    ("machine.kubelet", ("machine", "kubelet")),
    ("machine.kubelet.nodeIP", ("machine", "kubelet", "nodeIP")),
    ("machine.kubelet.extraMounts[]", ("machine", "kubelet", "extraMounts")),
)
_DOCUMENTS = (
    "KernelModuleConfig", "UdevRulesConfig", "SysctlConfig", "SysfsConfig", "KubeNodeConfig",
    "KubeletConfig", "EtcFileConfig", "CRICustomizationConfig", "CRIBaseRuntimeSpecConfig",
    "UnattendedInstallConfig",
)  # fmt: skip
_DOC_PARTS = (
    ("KubeNodeConfig", "nodeIP"),
    ("UnattendedInstallConfig", "installer"),
    ("UnattendedInstallConfig", "provisioning"),
)
_DIRECTIVE = "$patch"  # strategic-merge directive, not a field (files-patch-delete)


def _maps(ctx: Context) -> Iterator[tuple[str, list[tuple[str, Hit]]]]:
    """``(section, [(key, hit)])`` of every checked mapping in the unit."""
    for section, logical in _V1_SECTIONS:
        if section.endswith("[]"):
            for item in ctx.items(*logical):
                if isinstance(item.value, dict):
                    yield section, _keys(item)
        else:
            found = ctx.entries(*logical)
            if found:
                yield section, found
    for kind in _DOCUMENTS:
        for doc in ctx.documents(kind):
            yield kind, _keys(doc)
    for kind, part in _DOC_PARTS:
        for doc in ctx.documents(kind):
            value = doc.value.get(part)
            if isinstance(value, dict):
                yield f"{kind}.{part}", _keys(Hit(value, (*doc.path, part), doc.frag))


def _keys(hit: Hit) -> list[tuple[str, Hit]]:
    return [(str(k), Hit(v, (*hit.path, str(k)), hit.frag)) for k, v in hit.value.items()]


def _shown(section: str) -> str:
    return (
        section
        if section[0].islower()
        else f"a {section.split('.')[0]} document"
        + (f" ({section.split('.', 1)[1]})" if "." in section else "")
    )


def check_fields(ctx: Context) -> Iterator[Finding]:
    for section, keys in _maps(ctx):
        names = field_names(ctx.version, section)
        if names is None:
            continue  # a section this release does not have (document-needs-newer-talos)
        for key, hit in keys:
            if key in names or key == _DIRECTIVE:
                continue
            elsewhere = releases_with(section, key)
            if elsewhere:
                yield ctx.finding(
                    "field-not-in-release",
                    hit,
                    f"{key} is not a field of {_shown(section)} on Talos {ctx.version} (Talos "
                    f"{_span(elsewhere)} has it): Talos rejects the config (`unknown keys found "
                    "during decoding`)",
                    "remove it, or set it only on nodes that run a release that has it",
                    "error",
                )
                continue
            close = [n for n in names if n.lower() == key.lower()] or difflib.get_close_matches(
                key, sorted(names), n=1, cutoff=0.6
            )
            yield ctx.finding(
                "unknown-field",
                hit,
                f"{key} is not a field of {_shown(section)} in any Talos release talosgpu knows: "
                "Talos rejects the config (`unknown keys found during decoding`)",
                f"did you mean {close[0]!r}?"
                if close
                else f"remove it ({_shown(section)} has: {', '.join(sorted(names))})",
                "error",
            )


def _span(having: tuple[str, ...]) -> str:
    """``1.12-1.15`` for a run of consecutive releases, else each run joined by commas."""
    order = minors()
    runs: list[list[str]] = []
    for minor in having:
        if runs and order.index(runs[-1][-1]) + 1 == order.index(minor):
            runs[-1].append(minor)
        else:
            runs.append([minor])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)
