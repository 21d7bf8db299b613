"""Properties of secret redaction (hypothesis): nothing planted in a secret path survives,
redaction is idempotent, and what is not secret is left alone."""

from __future__ import annotations

import string
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from talosgpu import yamlio
from talosgpu.talos.secrets import (
    ANY_ITEM,
    ANY_KEY,
    REDACTED,
    SECRET_PATHS,
    collect_secret_values,
    redact_documents,
    redact_text,
)

VALUE_RULES = [rule for rule in SECRET_PATHS if rule.mode == "value"]
SECRET_ALPHABET = string.ascii_letters + string.digits + "+/=_-.:@!$%&*"
secrets_st = st.text(SECRET_ALPHABET, min_size=8, max_size=40)
plain_words = st.text(string.ascii_lowercase, min_size=1, max_size=12)
keys = st.sampled_from(["ghcr.io", "docker.io", "HTTPS_PROXY", "eth0", "a", "b"])


def plant(pattern: tuple[str, ...], value: Any, key: str, index: int) -> Any:
    if not pattern:
        return value
    head, rest = pattern[0], pattern[1:]
    if head == ANY_ITEM:
        return [{"other": "plain"}] * index + [plant(rest, value, key, index)]
    return {key if head == ANY_KEY else head: plant(rest, value, key, index)}


@st.composite
def planted_docs(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[str]]:
    docs: list[dict[str, Any]] = []
    secrets: list[str] = []
    for rule in draw(st.lists(st.sampled_from(VALUE_RULES), min_size=1, max_size=6)):
        secret = draw(secrets_st)
        secrets.append(secret)
        body = plant(rule.pattern, secret, draw(keys), draw(st.integers(0, 2)))
        head = (
            {"version": "v1alpha1"}
            if rule.kind == "v1alpha1"
            else {"apiVersion": "v1alpha1", "kind": rule.kind}
        )
        docs.append({**head, "note": draw(plain_words), **body})
    return docs, secrets


@settings(max_examples=200, deadline=None)
@given(planted_docs())
def test_planted_secrets_never_survive(case: tuple[list[dict[str, Any]], list[str]]) -> None:
    docs, secrets = case
    skeleton = yamlio.dump_all(redact_documents(docs))
    for secret in secrets:
        assume(secret not in skeleton.replace(REDACTED, "\0"))  # not a word of the skeleton
    raw = yamlio.dump_all(docs)
    scrubbed = redact_text(raw, known_secrets=collect_secret_values(docs))
    for secret in secrets:
        assert secret not in skeleton
        assert secret not in scrubbed


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), plain_words, secrets_st)
json_doc = st.recursive(
    json_leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["machine", "cluster", "kind", "x"]), json_doc, min_size=1))
def test_redaction_is_idempotent(doc: dict[str, Any]) -> None:
    once = redact_documents([doc])
    assert redact_documents(once) == once
    text = yamlio.dump_all([doc])
    known = collect_secret_values([doc])
    masked = redact_text(text, known_secrets=known)
    assert redact_text(masked, known_secrets=known) == masked


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["nodeLabels", "sysctls", "kernel"]), st.dictionaries(keys, plain_words)
    )
)
def test_non_secret_values_are_kept(machine: dict[str, Any]) -> None:
    docs = [{"version": "v1alpha1", "machine": machine}]
    assert redact_documents(docs) == docs
    assert collect_secret_values(docs) == frozenset()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(plain_words, secrets_st), max_size=8), secrets_st)
def test_redact_text_masks_every_known_secret(words: list[str], secret: str) -> None:
    assume(secret not in REDACTED)  # "redacted" itself cannot be told apart from the marker
    text = " ".join([*words, secret, *words])
    masked = redact_text(text, known_secrets=[secret])
    assert secret not in masked
    assert redact_text(masked, known_secrets=[secret]) == masked
