"""Secret paths and redaction: the table, a canary in every secret path, every real config.

Real configs are Talos's own ``talos gen config`` outputs for every version contract (v1.3 ...
v1.15, fake secrets from ``stability/secrets.yaml``) and the commented v0.13 configs, read
through ``conftest.shared_path``.
"""

from __future__ import annotations

import base64
import copy
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_path

from talosgpu import yamlio
from talosgpu.talos.secrets import (
    ANY_ITEM,
    ANY_KEY,
    REDACTED,
    SECRET_PATHS,
    collect_secret_values,
    is_secret_path,
    redact_documents,
    redact_text,
    secret_mode,
)

MACHINECONFIGS = "conformance/talos-machineconfigs"
# Every path of research §9 (Talos's Redact <= 1.13, the 1.14 additions, multi-doc kinds).
RESEARCH_PATHS: list[tuple[str, list[str | int]]] = [
    ("v1alpha1", ["machine", "token"]),
    ("v1alpha1", ["machine", "ca", "key"]),
    ("v1alpha1", ["cluster", "secret"]),
    ("v1alpha1", ["cluster", "token"]),
    ("v1alpha1", ["cluster", "aescbcEncryptionSecret"]),
    ("v1alpha1", ["cluster", "secretboxEncryptionSecret"]),
    ("v1alpha1", ["cluster", "serviceAccount", "key"]),
    ("v1alpha1", ["cluster", "ca", "key"]),
    ("v1alpha1", ["cluster", "aggregatorCA", "key"]),
    ("v1alpha1", ["cluster", "etcd", "ca", "key"]),
    ("v1alpha1", ["machine", "registries", "config", "ghcr.io", "auth", "password"]),
    ("v1alpha1", ["machine", "registries", "config", "ghcr.io", "auth", "auth"]),
    ("v1alpha1", ["machine", "registries", "config", "ghcr.io", "auth", "identityToken"]),
    ("v1alpha1", ["machine", "registries", "config", "r:5000", "tls", "clientIdentity", "key"]),
    ("v1alpha1", ["machine", "network", "interfaces", 2, "wireguard", "privateKey"]),
    ("v1alpha1", ["machine", "network", "interfaces", 0, "vip", "equinixMetal", "apiToken"]),
    ("v1alpha1", ["machine", "network", "interfaces", 0, "vip", "hcloud", "apiToken"]),
    ("v1alpha1", ["machine", "network", "interfaces", 0, "vlans", 3, "vip", "hcloud", "apiToken"]),
    ("v1alpha1", ["machine", "systemDiskEncryption", "state", "keys", 0, "static", "passphrase"]),
    ("v1alpha1", ["machine", "systemDiskEncryption", "ephemeral", "keys", 1, "static", "passphrase"]),
    ("v1alpha1", ["machine", "registries", "config", "ghcr.io", "auth", "username"]),
    ("v1alpha1", ["machine", "env", "https_proxy"]),
    ("v1alpha1", ["cluster", "inlineManifests", 0, "contents"]),
    ("v1alpha1", ["cluster", "extraManifestHeaders", "Authorization"]),
    ("RegistryAuthConfig", ["password"]),
    ("RegistryAuthConfig", ["auth"]),
    ("RegistryAuthConfig", ["identityToken"]),
    ("RegistryTLSConfig", ["clientIdentity", "key"]),
    ("WireguardConfig", ["privateKey"]),
    ("WireguardConfig", ["peers", 0, "presharedKey"]),
    ("HCloudVIPConfig", ["apiToken"]),
    ("VolumeConfig", ["encryption", "keys", 0, "static", "passphrase"]),
    ("UserVolumeConfig", ["encryption", "keys", 0, "static", "passphrase"]),
    ("RawVolumeConfig", ["encryption", "keys", 0, "static", "passphrase"]),
    ("SwapVolumeConfig", ["encryption", "keys", 0, "static", "passphrase"]),
    ("KubeAPIServerCAConfig", ["issuingCA", "key"]),
    ("KubeAggregatorCAConfig", ["issuingCA", "key"]),
    ("KubeServiceAccountConfig", ["issuer", "privateKey"]),
    ("KubeEtcdEncryptionConfig", ["config", "resources", 0, "providers", 1, "aescbc", "keys", 0, "secret"]),
    ("DiscoveryIdentityConfig", ["clusterSecret"]),
    # 1.14 documents whose v1alpha1 twins are secret (v1.14 JSON schema: SideroLinkConfig,
    # k8s.KubeExternalManifestConfigV1Alpha1, k8s.KubeInlineManifestConfigV1Alpha1)
    ("SideroLinkConfig", ["uniqueToken"]),
    ("KubeExternalManifestConfig", ["headers", "Authorization"]),
    ("KubeInlineManifestConfig", ["manifest"]),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "path"), RESEARCH_PATHS)
def test_research_paths_are_secret(kind: str, path: list[str | int]) -> None:
    assert is_secret_path(kind, path)
    assert is_secret_path(kind, [*path, "nested", 0])  # below a secret is secret


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("v1alpha1", ["machine", "ca", "crt"]),
        ("v1alpha1", ["cluster", "id"]),
        ("v1alpha1", ["machine", "env"]),  # the keys stay visible, the values do not
        ("v1alpha1", ["machine", "token", "x"][:1]),
        ("v1alpha1", ["machine", "network", "interfaces", "eth0", "wireguard", "privateKey"]),
        ("v1alpha1", ["cluster", "inlineManifests", 0, "name"]),
        ("KubeAPIServerCAConfig", ["issuingCA", "cert"]),
        ("RegistryAuthConfig", ["name"]),
        ("SomethingElse", ["password"]),  # the kind matters
        ("v1alpha1", ["machine", "install", "extraKernelArgs", 0]),  # tokens only, not whole
    ],
)
def test_non_secret_paths(kind: str, path: list[str | int]) -> None:
    assert not is_secret_path(kind, path)


def test_token_bearing_paths() -> None:
    assert secret_mode("v1alpha1", ["machine", "install", "extraKernelArgs", 3]) == "tokens"
    assert secret_mode("SideroLinkConfig", ["apiUrl"]) == "tokens"
    assert secret_mode("v1alpha1", ["machine", "token"]) == "value"
    assert secret_mode("v1alpha1", ["machine", "type"]) is None


# ------------------------------------------------------------------------------- canary
def _plant(pattern: tuple[str, ...], value: Any) -> Any:
    if not pattern:
        return value
    head, rest = pattern[0], pattern[1:]
    if head == ANY_ITEM:
        return [{"filler": "x"}, _plant(rest, value)]  # index 1: wildcards are not index 0 only
    if head == ANY_KEY:  # every key of this map is secret: no visible neighbour here
        return {"registry.example:5000": _plant(rest, value)}
    return {"neighbour": "visible", head: _plant(rest, value)}


def _canary_docs() -> tuple[list[dict[str, Any]], list[str]]:
    docs: list[dict[str, Any]] = []
    canaries: list[str] = []
    for number, rule in enumerate(SECRET_PATHS):
        canary = f"Canary{number:03d}Zq8wXv{'k' * 6}"
        canaries.append(canary)
        value: str = canary
        if rule.mode == "tokens":
            value = f"siderolink.api=https://api.example:8099/?jointoken={canary}&grpc=1"
        doc = _plant(rule.pattern, value)
        if rule.kind != "v1alpha1":
            doc = {"apiVersion": "v1alpha1", "kind": rule.kind, **doc}
        else:
            doc = {"version": "v1alpha1", **doc}
        docs.append(doc)
    return docs, canaries


def test_canary_in_every_secret_path_never_survives() -> None:
    docs, canaries = _canary_docs()
    before = copy.deepcopy(docs)
    redacted = redact_documents(docs)
    assert docs == before  # deep copy, input untouched
    dumped = yamlio.dump_all(redacted)
    raw = yamlio.dump_all(docs)
    known = collect_secret_values(docs)
    scrubbed = redact_text(raw, known_secrets=known)
    one_line = redact_text(" ".join(raw.split()), known_secrets=known)
    for canary in canaries:
        assert canary in raw
        assert canary not in dumped, canary
        assert canary not in scrubbed, canary
        assert canary not in one_line, canary
        assert any(canary in value for value in known), canary
    assert "visible" in dumped and "visible" in scrubbed  # neighbours are not masked
    # a list whose every item is secret (ExtensionServiceConfig environment[]) masks its
    # filler item too
    whole_lists = sum(1 for r in SECRET_PATHS if r.pattern[-1] == ANY_ITEM and r.mode == "value")
    assert dumped.count(REDACTED) == len(canaries) + whole_lists


def test_tokens_mode_keeps_the_rest_of_the_argument() -> None:
    docs = [{"machine": {"install": {"extraKernelArgs": [
        "nvidia-drm.modeset=1",
        "siderolink.api=https://s.example/?jointoken=abcdef123",
        "talos.config.auth.token=xyz987",
    ]}}}]  # fmt: skip
    args = redact_documents(docs)[0]["machine"]["install"]["extraKernelArgs"]
    assert args == [
        "nvidia-drm.modeset=1",
        f"siderolink.api=https://s.example/?jointoken={REDACTED}",
        f"talos.config.auth.token={REDACTED}",
    ]
    assert collect_secret_values(docs) == {"abcdef123", "xyz987"}


def test_empty_and_nested_secret_values() -> None:
    docs = [{"machine": {"token": "", "env": {"A": None, "PROXY": {"odd": "shape"}}}}]
    out = redact_documents(docs)[0]["machine"]
    assert out["token"] == ""  # unset stays visibly unset
    assert out["env"] == {"A": None, "PROXY": REDACTED}
    assert collect_secret_values(docs) == {"shape"}


# ------------------------------------------------------------------------------- free text
def test_redact_text_patterns_without_known_secrets() -> None:
    pem = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIGTIAB6YS5t\n-----END EC PRIVATE KEY-----"
    cert = "-----BEGIN CERTIFICATE-----\nMIIBiTCCAS+g\n-----END CERTIFICATE-----"
    b64_key = base64.b64encode(pem.encode()).decode()
    text = "\n".join([
        f"key: {pem}", cert, f"k: {b64_key}", "token: inn7ol.u4ehnti8qyls9ymo",
        "url: https://api/?jointoken=s3cr3t&x=1", "proxy: http://bob:hunter22@proxy:3128",
        "truncated: -----BEGIN RSA PRIVATE KEY----- MIIEow",
    ])  # fmt: skip
    out = redact_text(text)
    for leaked in (
        "MHcCAQEEIIGTIAB6YS5t",
        b64_key,
        "u4ehnti8qyls9ymo",
        "s3cr3t",
        "hunter22",
        "MIIEow",
    ):
        assert leaked not in out
    assert "MIIBiTCCAS+g" in out  # certificates are public
    assert "bob" in out and "x=1" in out
    assert redact_text(out) == out  # idempotent


def test_redact_text_known_secret_forms() -> None:
    secret = "pofHbABZq7VXuObsdLdy/bHmz6hlMHZ3p8+6WKrv1ic="
    encoded = base64.b64encode(secret.encode()).decode()
    docker_auth = base64.b64encode(b"robot:Sup3rSecretPass").decode()
    text = f"a {secret} b {encoded} c Sup3rSecretPass and robot:Sup3rSecretPass"
    out = redact_text(text, known_secrets=[secret, docker_auth, "1", ""])
    assert secret not in out and encoded not in out
    assert "robot:Sup3rSecretPass" not in out  # decoded form of the docker auth value
    assert out.startswith("a <redacted> b <redacted> c")
    # short known values are not masked in free text (they would hit unrelated words)
    assert redact_text("version 1", known_secrets=["1"]) == "version 1"


def test_redact_text_one_positional_argument_like_cli() -> None:
    assert (
        redact_text("machine.token d8cwfa.eyvpi0xwxyarbfid bad") == "machine.token <redacted> bad"
    )


# ------------------------------------------------------------------------------- real configs
def _real_configs() -> list[Path]:
    root = shared_path(MACHINECONFIGS)
    files = sorted((root / "stability").glob("v*/*.yaml"))
    files += sorted((root / "commented-v0.13-testdata").iterdir())
    assert len(files) >= 52
    return files


def _bundle_secrets(path: Path) -> set[str]:
    """The secret (non-certificate) values of a `talosctl gen secrets` bundle."""
    bundle = yamlio.load(path.read_text())
    values = {bundle["cluster"]["secret"], bundle["trustdinfo"]["token"]}
    values |= {v for k, v in bundle["secrets"].items() if v}
    values |= {cert["key"] for cert in bundle["certs"].values()}
    return values


def _leaves(value: Any, path: list[str | int]) -> list[tuple[list[str | int], Any]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, [*path, k])]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, [*path, i])]
    return [(path, value)]


_KEY_B64 = re.compile(r"LS0tLS1CRUdJTi[A-Za-z0-9+/=]+")


def _private_key_blobs(text: str) -> list[str]:
    return [b for b in _KEY_B64.findall(text) if b"PRIVATE" in base64.b64decode(b)]


def test_real_configs_redacted() -> None:
    stability_secrets = _bundle_secrets(shared_path(MACHINECONFIGS, "stability", "secrets.yaml"))
    checked = 0
    for path in _real_configs():
        raw = path.read_text()
        docs = yamlio.load_all(raw, source=str(path))
        redacted = redact_documents(docs)
        dumped = yamlio.dump_all(redacted)
        known = collect_secret_values(docs)
        scrubbed = redact_text(raw, known_secrets=known)
        if "controlplane" in path.name:  # workers legitimately carry no CA keys (§9)
            assert _private_key_blobs(raw), path
        for out in (dumped, scrubbed, redact_text(raw)):
            assert not _private_key_blobs(out), path
            assert "PRIVATE KEY" not in out, path
        if "stability" in path.parts:
            for secret in stability_secrets:
                assert secret not in dumped, (path, secret[:8])
                assert secret not in scrubbed, (path, secret[:8])
        # every leaf outside secret paths is unchanged; every secret leaf is masked
        v1 = docs[0]
        assert "machine" in v1
        for leaf_path, value in _leaves(v1, []):
            got: Any = redacted[0]
            for part in leaf_path:
                got = got[part]
            if is_secret_path("v1alpha1", leaf_path) and value not in (None, ""):
                assert got == REDACTED, (path, leaf_path)
                checked += 1
            else:
                assert got == value, (path, leaf_path)
        assert redact_documents(redacted) == redacted  # idempotent
    assert checked > 100


def test_secrets_bundle_values_found() -> None:
    bundle = shared_path(MACHINECONFIGS, "secrets-bundle-testdata.yaml")
    secrets = _bundle_secrets(bundle)
    # The bundle is not a machine config, but its private keys and tokens are plain key material.
    text = redact_text(bundle.read_text())
    assert not _private_key_blobs(text)
    assert "2psnp2.lry8e9gycdix3bpa" not in text and "oamejv.9tk1nhuwnlc2nghf" not in text
    assert all(s not in redact_text(bundle.read_text(), known_secrets=secrets) for s in secrets)


def test_credential_parameters_found_as_before_the_linear_rewrite() -> None:
    from talosgpu.talos.secrets import _scan

    text = "url?a=b?token=xyz&c=1 api_key=123 jointoken=abc PASSWORD=p mode=1"
    redacted, found = _scan(text, True)
    assert redacted == (
        "url?a=b?token=<redacted>&c=1 api_key=<redacted> jointoken=<redacted> "
        "PASSWORD=<redacted> mode=1"
    )
    assert sorted(found) == ["123", "abc", "p", "xyz"]
    # Long runs of name characters with no "=" (once quadratic) find nothing, and finish.
    assert _scan("?" + "token" * 40_000, True)[1] == ()


def test_redact_text_free_text_credentials() -> None:
    """What a pasted log holds (the explain excerpts of a red-team run kept these)."""
    text = (
        "login failed password=Zq9pw080 for user\n"
        "curl -H 'Authorization: Bearer Zq9bearer082xyz' https://r.example\n"
        "GITHUB_TOKEN=ghp_Zq9abcdefghijklmnopqrstuv AWS_ACCESS_KEY_ID=AKIAZQ9ABCDEFGHIJKLM\n"
        "nvidia-drm.modeset=1 modprobe ok\n"
    )
    out = redact_text(text)
    for leaked in ("Zq9pw080", "Zq9bearer082xyz", "ghp_Zq9", "AKIAZQ9"):
        assert leaked not in out, leaked
    assert "nvidia-drm.modeset=1" in out and "Authorization: Bearer <redacted>" in out
    assert redact_text(out) == out
