"""Syntax rules that Talos and Kubernetes enforce, as plain validators.

Each function raises ``ValueError`` (pydantic turns it into an error at the right YAML path) and
returns the value unchanged. The rules mirror Talos's own validation so that an intent that
passes here is not rejected by ``talosctl apply-config``:

* labels / annotations / taints: ``pkg/machinery/labels`` as used by ``v1alpha1_validation.go``
  (research talos-internals.md §3): qualified names, 63-char values, taint effects.
* udev rules: one line each (Talos writes them joined by newlines into a rules file).
* CDI spec dirs: ``/etc`` is read-only on Talos (docs v1.12 containerd page).
"""

from __future__ import annotations

import re

__all__ = [
    "RESERVED_ANNOTATIONS",
    "TAINT_EFFECTS",
    "check_annotations",
    "check_cdi_dir",
    "check_dns_name",
    "check_labels",
    "check_module_name",
    "check_module_parameter",
    "check_qualified_name",
    "check_sysctls",
    "check_taints",
    "check_udev_rule",
]

_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_MODULE = re.compile(r"[A-Za-z0-9_-]+")
_MODULE_PARAM = re.compile(r"[A-Za-z0-9_]+(=\S*)?")
_SYSCTL = re.compile(r"[a-z0-9_][a-z0-9_.\-/*]*")

TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
# Talos owns these (v1alpha1_validation.go, nodeAnnotations): setting them is an error.
RESERVED_ANNOTATIONS = (
    "talos.dev/owned-labels",
    "talos.dev/owned-annotations",
    "talos.dev/owned-taints",
)
_ANNOTATIONS_MAX = 256 * 1024


def check_qualified_name(key: str) -> str:
    """Kubernetes qualified name: optional DNS-1123 subdomain prefix (≤253) + '/' + name (≤63)."""
    prefix, _, name = key.rpartition("/")
    if "/" in key and not prefix:
        raise ValueError(f"{key!r}: prefix before '/' is empty")
    if prefix:
        if len(prefix) > 253 or not _DNS_SUBDOMAIN.fullmatch(prefix):
            raise ValueError(f"{key!r}: prefix {prefix!r} must be a DNS-1123 subdomain")
    if not name or len(name) > 63 or not _NAME.fullmatch(name):
        raise ValueError(
            f"{key!r}: name part must be 1-63 characters of [A-Za-z0-9-_.], starting and "
            "ending alphanumeric"
        )
    return key


def _check_label_value(key: str, value: str) -> None:
    if not isinstance(value, str):
        raise ValueError(f"{key!r}: value must be a string (quote it in YAML)")
    if len(value) > 63:
        raise ValueError(f"{key!r}: value must be at most 63 characters")
    if value and not _NAME.fullmatch(value):
        raise ValueError(
            f"{key!r}: value {value!r} must be empty or [A-Za-z0-9-_.] starting and ending "
            "alphanumeric"
        )


def check_labels(labels: dict[str, str]) -> dict[str, str]:
    for key, value in labels.items():
        check_qualified_name(key)
        _check_label_value(key, value)
    return labels


def check_annotations(annotations: dict[str, str]) -> dict[str, str]:
    total = 0
    for key, value in annotations.items():
        check_qualified_name(key)
        if key in RESERVED_ANNOTATIONS:
            raise ValueError(f"annotation {key!r} is reserved by Talos")
        total += len(key) + len(value)
    if total > _ANNOTATIONS_MAX:
        raise ValueError("annotations exceed 256 KiB in total")
    return annotations


def check_taints(taints: dict[str, str]) -> dict[str, str]:
    """Talos form: ``key: "value:Effect"`` or ``key: "Effect"``."""
    for key, spec in taints.items():
        check_qualified_name(key)
        if not isinstance(spec, str):
            raise ValueError(f"{key!r}: taint must be 'value:Effect' or 'Effect'")
        value, _, effect = spec.rpartition(":")
        if effect not in TAINT_EFFECTS:
            raise ValueError(
                f"{key!r}: invalid taint effect {effect!r} (use one of {', '.join(TAINT_EFFECTS)})"
            )
        _check_label_value(key, value)
    return taints


def check_module_name(name: str) -> str:
    if not _MODULE.fullmatch(name):
        raise ValueError(f"{name!r} is not a kernel module name")
    return name


def check_module_parameter(param: str) -> str:
    if not _MODULE_PARAM.fullmatch(param):
        raise ValueError(f"{param!r} is not a module parameter (expected name=value)")
    return param


def check_udev_rule(rule: str) -> str:
    """One rule per line; quotes balanced; at least one KEY==/KEY= pair."""
    if "\n" in rule or "\r" in rule:
        raise ValueError("a udev rule must be a single line")
    if not rule.strip():
        raise ValueError("a udev rule must not be empty")
    if rule.count('"') % 2:
        raise ValueError(f"unbalanced quotes in udev rule {rule!r}")
    if "=" not in rule:
        raise ValueError(f"udev rule {rule!r} has no KEY==value or KEY=value pair")
    return rule


def check_cdi_dir(path: str) -> str:
    if not path.startswith("/"):
        raise ValueError(f"CDI spec dir {path!r} must be an absolute path")
    normalized = "/" + "/".join(p for p in path.split("/") if p)
    if normalized == "/etc" or normalized.startswith("/etc/"):
        raise ValueError(
            f"CDI spec dir {path!r} is under /etc, which is read-only on Talos; "
            "use /var/cdi or /run/cdi"
        )
    return path


def check_sysctls(sysctls: dict[str, str | int]) -> dict[str, str | int]:
    for key, value in sysctls.items():
        if not _SYSCTL.fullmatch(key):
            raise ValueError(f"{key!r} is not a sysctl name (e.g. net.core.bpf_jit_harden)")
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError(f"{key!r}: value must be a string or an integer")
    return sysctls


def check_dns_name(name: str, *, what: str) -> str:
    """Kubernetes node names are DNS-1123 subdomains (each label ≤ 63, total ≤ 253)."""
    labels_ok = all(len(part) <= 63 and _DNS_LABEL.fullmatch(part) for part in name.split("."))
    if len(name) > 253 or not labels_ok:
        raise ValueError(f"{what} {name!r} must be a DNS-1123 name (lowercase, digits, '-', '.')")
    return name


def check_toml(text: str) -> str:
    """``runtime.extraCriToml`` must parse: said here, the error names the intent file and the
    field (the renderer, which merges it, knows neither)."""
    # lazy: most intents carry no TOML, and the TOML libraries cost import time
    from talosgpu import tomlio
    from talosgpu.errors import YAMLError

    try:
        tomlio.loads(text, source="runtime.extraCriToml")
    except YAMLError as exc:
        raise ValueError(exc.message) from None
    return text
