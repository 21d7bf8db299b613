"""Secrets in free text: the key-material patterns, and masking known secret values.

The half of :mod:`talosgpu.talos.secrets` that works on strings rather than on documents:
private-key PEM blocks (also base64-wrapped, the v1alpha1 encoding), bootstrap-token-shaped
values, ``jointoken=`` and other credential parameters, passwords in URLs; and
:func:`redact_text`, which masks given secret values in any text (dry-run output, error
messages) in the forms they take there.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Iterable

__all__ = ["MIN_TEXT_SECRET_LEN", "REDACTED", "redact_text"]

REDACTED = "<redacted>"
MIN_TEXT_SECRET_LEN = 6  # shorter known values ("1", "true") would mask unrelated text


# ------------------------------------------------------------------------------- patterns
_PEM = re.compile(
    r"-----BEGIN ([A-Z0-9 ]*PRIVATE[A-Z0-9 ]*)-----.*?(?:-----END \1-----|\Z)", re.DOTALL
)
# base64("-----BEGIN") = "LS0tLS1CRUdJTi..." (v1alpha1 stores PEM base64-encoded); encoded twice
# it is "TFMwdExTMUNSVWRKVGl..." (Talos's own doc examples). Decoded and checked for PRIVATE.
_B64_PEM = re.compile(r"(?:LS0tLS1CRUdJTi|TFMwdExTMUNSVWRKVGl)[A-Za-z0-9+/]*={0,2}")
_B64_PREFIX = re.compile(r"LS0tLS1CRUdJTi[A-Za-z0-9+/]*")
_BOOTSTRAP = re.compile(r"(?<![A-Za-z0-9_.-])[a-z0-9]{6}\.[a-z0-9]{16}(?![A-Za-z0-9_-])")
# A parameter name that looks like a credential. The lookahead finds the word inside the name,
# then the name is taken whole and possessively (Python 3.11+): the plain form
# "name*(token|...)name*=" backtracks quadratically over long runs of name characters
# ("tokentoken..." without "="), which a hostile config can hold.
_CRED_NAMES = (
    r"(?=[A-Za-z0-9_.-]*?(?:token|secret|passw(?:or)?d|passphrase|api_?key|auth))"
    r"[A-Za-z0-9_.-]*+"
)
_QUERY = re.compile(rf"(?i)([?&;]{_CRED_NAMES}=|\bjointoken=)([^&\s\"'#;]+)")
_URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)([^@\s/]+)(@)")
# tokens mode (kernel arguments): also bare `name=value` words whose name looks like a credential.
_ARG = re.compile(rf"(?i)((?:^|(?<=\s)){_CRED_NAMES}=)(\S+)")
_B64_TEXT = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
# An HTTP credential after its scheme (`Authorization: Bearer …`, a registry header), and the
# token formats that say what they are (GitHub, GitLab, AWS access key ids, Slack).
_SCHEME = re.compile(r"(?i)(\b(?:bearer|basic)\s+)([A-Za-z0-9._~+/=-]{8,})")
_KNOWN_TOKEN = re.compile(
    r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}"
    r"|AKIA[0-9A-Z]{16}|xox[abpr]-[A-Za-z0-9-]{10,})\b"
)


def _b64_private(blob: str, depth: int = 0) -> bool:
    usable = blob.rstrip("=")
    usable = usable[: len(usable) - len(usable) % 4]
    try:
        decoded = base64.b64decode(usable)
    except (binascii.Error, ValueError):
        return False
    if b"PRIVATE" in decoded:
        return True
    inner = _B64_PREFIX.match(decoded.decode("ascii", "replace"))
    return depth < 1 and inner is not None and _b64_private(inner.group(0), depth + 1)


@functools.lru_cache(maxsize=4096)
def _scan(text: str, tokens: bool = False) -> tuple[str, tuple[str, ...]]:
    """Mask key material in ``text``; return the new text and the concrete values masked.

    Memoised: a fleet's configs repeat the same strings (CRI parts, file contents) node after
    node, and five regex passes per string are most of what redacting a shown value costs.
    """
    found: list[str] = []

    def whole(match: re.Match[str]) -> str:
        found.append(match.group(0))
        return REDACTED

    def b64(match: re.Match[str]) -> str:
        return whole(match) if _b64_private(match.group(0)) else match.group(0)

    def tail(match: re.Match[str]) -> str:
        if match.group(2) == REDACTED:
            return match.group(0)
        found.append(match.group(2))
        return match.group(1) + REDACTED + (match.group(3) if match.lastindex == 3 else "")

    text = _PEM.sub(whole, text)
    text = _B64_PEM.sub(b64, text)
    text = _BOOTSTRAP.sub(whole, text)
    text = _QUERY.sub(tail, text)
    text = _URL_PASSWORD.sub(tail, text)
    text = _SCHEME.sub(tail, text)
    text = _KNOWN_TOKEN.sub(whole, text)
    if tokens:
        text = _ARG.sub(tail, text)
    return text, tuple(found)


# ------------------------------------------------------------------------------- free text
@functools.lru_cache(maxsize=4096)
def _variants(secret: str) -> frozenset[str]:
    """The forms a secret takes in other outputs: as is, one-lined, JSON- and YAML-quoted, base64."""
    out = {secret, " ".join(secret.split()), json.dumps(secret)[1:-1], secret.replace("'", "''")}
    out.add(base64.b64encode(secret.encode()).decode())
    if _B64_TEXT.fullmatch(secret) and len(secret) % 4 == 0:
        try:
            decoded = base64.b64decode(secret, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        if decoded.isprintable() or "-----BEGIN" in decoded:
            out |= {decoded, " ".join(decoded.split())}
            if "-----BEGIN" in decoded:  # a single body line of the PEM may end up in a message
                out |= {line for line in decoded.splitlines() if len(line) >= 16}
    # A variant inside the marker itself would make redaction non-idempotent ("<<redacted>ed>").
    return frozenset(v for v in out if len(v) >= MIN_TEXT_SECRET_LEN and v not in REDACTED)


def redact_text(text: str, *, known_secrets: Iterable[str] = ()) -> str:
    """Mask secrets in free text (dry-run output, error messages, rendered YAML).

    Every value in ``known_secrets`` (see :func:`collect_secret_values`) is masked, with its
    base64-encoded and -decoded, one-lined and JSON-escaped forms; values shorter than
    ``MIN_TEXT_SECRET_LEN`` characters are skipped (they would mask unrelated words). Then
    private-key PEM blocks (also truncated ones), base64 private keys, bootstrap tokens,
    ``jointoken=``-style query parameters, URL passwords, ``Bearer``/``Basic`` credentials,
    self-describing tokens (``ghp_``, ``AKIA``…) and ``password=``-style words are masked.
    """
    variants: set[str] = set()
    for secret in known_secrets:
        if isinstance(secret, str):
            variants |= _variants(secret)
    for variant in sorted(variants, key=lambda v: (-len(v), v)):
        text = text.replace(variant, REDACTED)
    # free text (a log line, an error): a bare `password=…` word is a credential too
    return _scan(text, True)[0]
