"""What talosgpu knows about each Talos field and document kind: the one table.

One entry per field (:data:`FIELDS`) and per document kind (:data:`KINDS`) holds every fact the
package uses about it — how it merges (``merge``, from Go types and struct tags,
``pkg/machinery/config/merge/merge.go``), whether it is secret (``secret``), what changing it
does to a running node (``impact``), and, for a v1alpha1 field Talos 1.14 deprecates, the
document that replaces it (``home``). The merge (:mod:`talosgpu.talos.mergerules`), redaction
(:mod:`talosgpu.talos.secrets`), the diff's reboot impact (:mod:`talosgpu.configdiff.impact`),
the upgrade move (:mod:`talosgpu.talos.kubenode`, :mod:`talosgpu.renderers.upgrade`) and lint
(:mod:`talosgpu.lint.rules_documents`) all read it: adding a field or a kind is one entry.

Paths are relative to the document, dotted; ``[]`` marks any item of a list (``a.b[].c``) and
``*`` any key of a map. The v1alpha1 document is ``v1alpha1``; every other document is named by
its ``kind``. Facts about a *release* (what ``CanApplyImmediate`` ignores before 1.14, driver
versions) stay in the version table (``data/talos_versions.toml``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

__all__ = [
    "ANY_ITEM",
    "ANY_KEY",
    "AT_BOOT",
    "FIELDS",
    "KINDS",
    "Behaviour",
    "Field",
    "Home",
    "Impact",
    "Kind",
    "Merge",
    "Secret",
    "SecretMode",
    "Shape",
    "parse_path",
]

ANY_KEY = "*"  # path segment: any map key
ANY_ITEM = "[]"  # path segment: any list index

Behaviour = Literal[
    "keyed",  # custom Merge(): item with the same key merged recursively, else appended
    "keyed-replace",  # custom Merge(): item with the same key replaced whole, else appended
    "replace",  # struct tag merge:"replace": the patch value replaces (an explicit [] clears)
    "args",  # meta.Args: per-key replace, "" and lists included (maps.Copy)
    "string-map",  # map[string]string: YAML ints become strings, only "" is a zero value
    "pointer-scalar",  # *int/*uint32/*string: 0 and "" overwrite (merge.go "overwrite", 1.12+)
    "url",  # Endpoint{*url.URL}: merged component by component, "" parts do not overwrite
    "unstructured",  # meta.Unstructured: list items cannot be selected by $patch: delete
    "identity",  # plain append list; identity used by the idempotency check only
    "trim-left",  # decoding strips leading "\t\n\v\f\r" from the string (not a merge rule)
]
SecretMode = Literal["value", "tokens"]
ImpactKind = Literal["none", "cri-restart", "module-load", "upgrade", "reboot"]


@dataclass(frozen=True, slots=True)
class Merge:
    """How the field merges from ``since`` (until the release ``until``, when set); ``key``
    names the identity field(s) of list items, in priority order; ``source`` the upstream file."""

    behaviour: Behaviour
    since: str
    source: str
    key: tuple[str, ...] = ()
    until: str | None = None


@dataclass(frozen=True, slots=True)
class Secret:
    """The value is a secret. ``mode="value"`` masks it whole (and everything below it);
    ``"tokens"`` masks only the credentials inside the string (kernel args, URLs). ``origin``:
    who treats it as secret (Talos's own Redact, with the release, or talosgpu, research §9)."""

    origin: str
    mode: SecretMode = "value"


@dataclass(frozen=True, slots=True)
class Impact:
    """What a change at or below the field does on a running node, for releases from ``since``
    (before ``until``). ``module-load`` notes depend on the change and are worded by the diff."""

    impact: ImpactKind
    note: str | None
    since: str = "1.0"
    until: str | None = None


@dataclass(frozen=True, slots=True)
class Home:
    """Talos 1.14's replacement of a deprecated v1alpha1 field: the document ``kind``, how bad
    having both is (``severity``) and what happens then. ``twin`` is the document's key of the
    same shape (``""``: the document itself), or None: there is none. (For ``KubeNodeConfig``
    validation rejects the pair, and the upgrade moves the value to its twin.)"""

    kind: str
    severity: Literal["warning", "error"]
    consequence: str = ""
    twin: str | None = None


@dataclass(frozen=True, slots=True)
class Shape:
    """The Go type the decoder reads the value into (``go``, for messages): ``kind`` says what
    YAML it accepts; ``keys`` are a struct's fields — the decoder rejects any other key
    (``configloader/internal/decoder/decoder.go``: ``KnownFields(true)``, "unknown keys found
    during decoding")."""

    kind: Literal["map", "list", "string", "strings", "mode"]
    go: str
    keys: tuple[str, ...] = ()


# os.FileMode is a uint32: go-yaml refuses a larger int ("cannot unmarshal … into FileMode")
_MODE = Shape("mode", "v1alpha1.FileMode (uint32)")


@dataclass(frozen=True, slots=True)
class Field:
    doc: str
    path: str
    merge: tuple[Merge, ...] = ()
    secret: Secret | None = None
    impact: Impact | None = None
    home: Home | None = None
    # The decoder's view of the value: a FileMode (``0o644``, ``"0644"`` and ``420`` are one
    # mode, v1alpha1_types.go FileMode.UnmarshalYAML), and a plain Go value whose zero (0, "")
    # decodes exactly like an absent key (no pointer, no omitempty distinction).
    file_mode: bool = False
    zero_unset: bool = False
    shape: Shape | None = None

    @property
    def parts(self) -> tuple[str, ...]:
        return parse_path(self.path)


@dataclass(frozen=True, slots=True)
class Kind:
    """A document kind: ``named`` when its Go type implements ``config.NamedDocument`` (its
    document id carries ``/name``, configpatcher/strategic.go documentID); ``impact`` of any
    change to it."""

    named: bool = False
    impact: Impact | None = None


def parse_path(path: str) -> tuple[str, ...]:
    """``a.b[].c`` → ``("a", "b", "[]", "c")``; ``""`` is the document itself."""
    out: list[str] = []
    for part in path.split(".") if path else ():
        name, items = part.rstrip("[]"), part.count("[]")
        out += [name] * bool(name) + [ANY_ITEM] * items
    return tuple(out)


# ----------------------------------------------------------------------------- sources
_V1 = "pkg/machinery/config/types/v1alpha1/v1alpha1_types.go"
_K8S = "pkg/machinery/config/types/k8s/"
_NET = "pkg/machinery/config/types/network/"
_ARGS = "pkg/machinery/config/types/meta/args.go Args.Merge"
_T13 = "talos <= 1.13 (v1alpha1_provider.go Config.Redact)"
_T14 = "talos 1.14 (commit 76080416b)"
_DOC = "talos SecretDocument.Redact"
_OURS = "talosgpu (research §9: not redacted by Talos, worth masking)"
_V = "v1alpha1"
_REGISTRY = "machine.registries.config.*."
_IFACE = "machine.network.interfaces[]."
_KEYS = "encryption.keys[]."
_VOLUME_KINDS = ("VolumeConfig", "UserVolumeConfig", "RawVolumeConfig", "SwapVolumeConfig")
# Talos 1.14 docs (editing-machine-configuration.mdx, "Changes which might need a reboot").
_LATER = Impact("none", "might need a reboot to take effect (Talos 1.14 docs)", since="1.14")
_CRI = Impact("cri-restart", "containerd restarts to read it", since="1.14")
# WriteUserFiles is a boot-sequence task (research talos-internals.md §3, machine.files runtime
# rules): from 1.14, where applying never reboots, a file changes on the node at its next boot.
# NodeRestriction: a worker's kubelet may not change its own taints once registered (research
# peers.md §4.5): a taint change reaches a registered worker's Node object only when it
# registers again (a control-plane node's too, when its kubelet is the one applying them).
_AT_REGISTRATION = Impact(
    "none",
    "on a worker, NodeRestriction keeps a registered kubelet from changing its own taints: "
    "its Node object gets the change when it registers again",
)
# research talos-internals.md §3 machine.install.extensions: "no effect from v1.10" (release
# notes v1.10.0 "Machine Install Extensions"); the installer image carries the extensions.
_NO_EFFECT_1_10 = Impact(
    "none", "no effect since Talos 1.10: extensions come from the installer image", since="1.10"
)
AT_BOOT = "machine.files are written at boot: in effect after the next reboot"
_AT_BOOT = Impact("none", AT_BOOT, since="1.14")
_UPGRADE = Impact("upgrade", "applied on the next install or upgrade")
_MODULES = Impact("module-load", None)


def _m(behaviour: Behaviour, since: str, source: str, **kw: object) -> tuple[Merge, ...]:
    return (Merge(behaviour, since, source, **kw),)  # type: ignore[arg-type]


def _secrets(doc: str, origin: str, *paths: str, mode: SecretMode = "value") -> list[Field]:
    return [Field(doc, path, secret=Secret(origin, mode)) for path in paths]


def _kube_node(path: str, twin: str | None, merge: tuple[Merge, ...] = ()) -> Field:
    return Field(_V, path, merge=merge, home=Home("KubeNodeConfig", "error", twin=twin))


_ARGS_V1 = (
    "machine.kubelet.extraArgs",
    "cluster.apiServer.extraArgs",
    "cluster.controllerManager.extraArgs",
    "cluster.proxy.extraArgs",
    "cluster.scheduler.extraArgs",
    "cluster.etcd.extraArgs",
)
_ARGS_DOCS = (
    ("KubeletConfig", "kubelet.go"),
    ("KubeAPIServerConfig", "apiserver.go"),
    ("KubeControllerManagerConfig", "controller_manager.go"),
    ("KubeProxyConfig", "proxy.go"),
    ("KubeSchedulerConfig", "scheduler.go"),
)
_ETHERNET = (
    ("rings", ("rx", "tx", "rx-mini", "rx-jumbo", "rx-buf-len", "cqe-size", "tx-push-buf-len")),
    ("channels", ("rx", "tx", "other", "combined")),
)
_BOND = ("miimon", "updelay", "downdelay", "arpInterval", "adActorSysPrio", "adUserPortKey",
         "primary", "resendIGMP", "minLinks", "lpInterval", "packetsPerSlave", "numPeerNotif",
         "tlbLogicalLb", "allSlavesActive", "peerNotifDelay", "missedMax")  # fmt: skip

FIELDS: tuple[Field, ...] = (
    # --- keyed list merges (custom Merge methods) -------------------------------------------
    Field(_V, "machine.network.interfaces", merge=_m("keyed", "1.2",
          _V1 + " NetworkDeviceList.Merge", key=("interface", "deviceSelector"))),
    Field(_V, "machine.network.interfaces[].vlans",
          merge=_m("keyed", "1.4", _V1 + " VlanList.Merge", key=("vlanId",))),
    Field(_V, "cluster.apiServer.admissionControl", merge=_m("keyed", "1.2",
          _V1 + " AdmissionPluginConfigList.Merge", key=("name",))),
    Field("ExtensionServiceConfig", "configFiles", merge=_m("keyed", "1.8",
          "pkg/machinery/config/types/runtime/extensions/service_config.go ConfigFileList.Merge",
          key=("mountPath",))),
    Field("ImageVerificationConfig", "rules", merge=_m("keyed-replace", "1.13",
          "pkg/machinery/config/types/security/image_verification.go ImageVerificationRules.Merge",
          key=("image",))),
    # --- merge:"replace" ----------------------------------------------------------------------
    Field(_V, "cluster.network.podSubnets", merge=_m("replace", "1.0", _V1 + " PodSubnet")),
    Field(_V, "cluster.network.serviceSubnets",
          merge=_m("replace", "1.0", _V1 + " ServiceSubnet")),
    Field(_V, "cluster.apiServer.auditPolicy",
          merge=_m("replace", "1.5", _V1 + " AuditPolicyConfig")),
    Field("NetworkRuleConfig", "ingress", merge=_m("replace", "1.7", _NET + "rule_config.go Ingress")),
    Field("NetworkRuleConfig", "portSelector.ports",
          merge=_m("replace", "1.7", _NET + "rule_config.go Ports")),
    Field("CRIBaseRuntimeSpecConfig", "overrides",
          merge=_m("replace", "1.14", "pkg/machinery/config/types/cri/base_runtime_spec.go")),
    *(Field(kind, "configuration", merge=_m("replace", "1.14", _K8S + source))
      for kind, source in (("KubeAuditPolicyConfig", "audit_policy.go"),
                           ("KubeAuthenticationConfig", "authentication.go"),
                           ("KubeCredentialProviderConfig", "credential_provider.go"))),
    Field("KubeNetworkConfig", "podSubnets", merge=_m("replace", "1.14", _K8S + "network.go")),
    Field("KubeNetworkConfig", "serviceSubnets", merge=_m("replace", "1.14", _K8S + "network.go")),
    Field("KubeStaticPodConfig", "pod", merge=_m("replace", "1.14", _K8S + "static_pod.go")),
    *(Field("BGPInstanceConfig", path, merge=_m("replace", "1.14", _NET + "bgp.go"))
      for path in ("advertise", "importRoutes", "neighbors")),
    # --- extraArgs: map[string]string until 1.12, meta.Args (per-key replace) from 1.13 -------
    *(Field(_V, path, merge=(Merge("string-map", "1.0", _V1 + " map[string]string", until="1.13"),
                            Merge("args", "1.13", _ARGS)))
      for path in _ARGS_V1),
    *(Field(kind, "extraArgs", merge=_m("args", "1.14", _K8S + f)) for kind, f in _ARGS_DOCS),
    # --- map[string]string fields -------------------------------------------------------------
    Field(_V, "machine.sysctls", merge=_m("string-map", "1.0", _V1 + " MachineSysctls"),
          home=Home("SysctlConfig", "warning", "the document silently wins on keys set in both",
                    twin="params")),
    Field(_V, "machine.sysfs", merge=_m("string-map", "1.0", _V1 + " MachineSysfs"),
          home=Home("SysfsConfig", "warning", "the document silently wins on keys set in both",
                    twin="params")),
    Field(_V, "machine.env", merge=_m("string-map", "1.0", _V1 + " Env"), impact=_LATER),
    Field(_V, "cluster.extraManifestHeaders", merge=_m("string-map", "1.0", _V1)),
    Field("SysctlConfig", "params",
          merge=_m("string-map", "1.14", "pkg/machinery/config/types/runtime/sysctl.go")),
    Field("SysfsConfig", "params",
          merge=_m("string-map", "1.14", "pkg/machinery/config/types/runtime/sysfs.go")),
    *(Field("KubeNodeConfig", key, merge=_m("string-map", "1.14", _K8S + "node.go"))
      for key in ("labels", "annotations")),
    Field("KubeNodeConfig", "taints", merge=_m("string-map", "1.14", _K8S + "node.go"),
          impact=_AT_REGISTRATION),
    # --- pointer scalars: a zero value overwrites from 1.12 (merge.go overwrite flag) --------
    Field(_V, "machine.network.kubespan.mtu",
          merge=_m("pointer-scalar", "1.12", _V1 + " KubeSpanMTU")),
    Field("KubeSpanConfig", "mtu", merge=_m("pointer-scalar", "1.12", _NET + "kubespan.go ConfigMTU")),
    Field("ZswapConfig", "maxPoolPercent", merge=_m("pointer-scalar", "1.12",
          "pkg/machinery/config/types/block/zswap_config.go")),
    Field("LinkConfig", "addresses[].routePriority",
          merge=_m("pointer-scalar", "1.12", _NET + "link.go")),
    *(Field("EthernetConfig", f"{section}.{name}",
            merge=_m("pointer-scalar", "1.12", _NET + "ethernet.go"))
      for section, names in _ETHERNET for name in names),
    *(Field("BondConfig", name, merge=_m("pointer-scalar", "1.12", _NET + "bond.go"))
      for name in _BOND),
    # --- other typed values -------------------------------------------------------------------
    Field(_V, "cluster.controlPlane.endpoint", merge=_m("url", "1.0", _V1 + " Endpoint{*url.URL}")),
    Field(_V, "cluster.inlineManifests[].contents", merge=_m("trim-left", "1.7",
          _V1 + " ClusterInlineManifests.UnmarshalYAML (eecc4dbd5)"), secret=Secret(_OURS)),
    # --- unstructured subtrees (meta.Unstructured / map[string]any) --------------------------
    Field(_V, "machine.kubelet.extraConfig", merge=_m("unstructured", "1.0", _V1)),
    Field(_V, "machine.kubelet.credentialProviderConfig", merge=_m("unstructured", "1.5", _V1)),
    Field(_V, "machine.baseRuntimeSpecOverrides", merge=_m("unstructured", "1.9", _V1),
          impact=_CRI, home=Home("CRIBaseRuntimeSpecConfig", "error",
                                 "Talos rejects the config: the two are mutually exclusive")),
    Field(_V, "machine.seccompProfiles[].value", merge=_m("unstructured", "1.2", _V1)),
    Field(_V, "machine.pods", merge=_m("unstructured", "1.2", _V1 + " MachinePods []Unstructured")),
    Field(_V, "cluster.apiServer.admissionControl[].configuration",
          merge=_m("unstructured", "1.2", _V1)),
    Field(_V, "cluster.scheduler.config", merge=_m("unstructured", "1.7", _V1)),
    Field("KubeletConfig", "config", merge=_m("unstructured", "1.14", _K8S + "kubelet.go")),
    # --- append lists with an identity (used by the idempotency check, not by merging) -------
    Field(_V, "machine.kernel.modules", merge=_m("identity", "1.0", _V1, key=("name",)),
          impact=_MODULES, home=Home("KernelModuleConfig", "warning",
                                     "the document silently wins for modules of the same name")),
    Field(_V, "machine.files", merge=_m("identity", "1.0", _V1, key=("path",)), impact=_AT_BOOT),
    Field(_V, "machine.kubelet.extraMounts",
          merge=_m("identity", "1.0", _V1, key=("destination",))),
    Field(_V, "machine.install.extensions", merge=_m("identity", "1.0", _V1, key=("image",)),
          impact=_NO_EFFECT_1_10),
    Field(_V, "machine.udev.rules", merge=_m("identity", "1.0", _V1),
          shape=Shape("strings", "[]string")),
    Field("UdevRulesConfig", "rules",
          merge=_m("identity", "1.14", "pkg/machinery/config/types/runtime/udev_rules.go"),
          shape=Shape("strings", "[]string")),
    # --- decoded values: file modes; plain Go fields whose zero value is the same as unset ----
    # (MachineFile{FilePermissions FileMode; FileOp string}, EtcFileConfig{FileMode EtcFileMode}:
    # a live `permissions: 0` is the struct an absent key gives, so it is no change)
    Field(_V, "machine.files[].permissions", file_mode=True, zero_unset=True, shape=_MODE),
    Field(_V, "machine.files[].op", zero_unset=True),
    Field("EtcFileConfig", "mode", file_mode=True, zero_unset=True, shape=_MODE),
    # --- shapes of the sections talosgpu writes: what the decoder rejects (v1alpha1_types.go
    # KernelConfig, KernelModuleConfig, UdevConfig, MachineFile; runtime/kernel_module.go,
    # runtime/udev_rules.go, cri/customization.go at main ad8823176e75)
    Field(_V, "machine", shape=Shape("map", "v1alpha1.MachineConfig")),
    Field(_V, "machine.kernel", shape=Shape("map", "v1alpha1.KernelConfig", ("modules",))),
    Field(_V, "machine.kernel.modules[]", shape=Shape(
          "map", "v1alpha1.KernelModuleConfig", ("name", "parameters"))),
    Field(_V, "machine.kernel.modules[].name", shape=Shape("string", "string")),
    Field(_V, "machine.kernel.modules[].parameters", shape=Shape("strings", "[]string")),
    Field(_V, "machine.files[]", shape=Shape(
          "map", "v1alpha1.MachineFile", ("content", "permissions", "path", "op"))),
    Field(_V, "machine.files[].content", shape=Shape("string", "string")),
    Field(_V, "machine.files[].path", shape=Shape("string", "string")),
    Field("KernelModuleConfig", "", shape=Shape(
          "map", "runtime.KernelModuleConfigV1Alpha1", ("apiVersion", "kind", "name", "parameters"))),
    Field("KernelModuleConfig", "parameters", shape=Shape("strings", "[]string")),
    Field("UdevRulesConfig", "", shape=Shape(
          "map", "runtime.UdevRulesConfigV1Alpha1", ("apiVersion", "kind", "rules"))),
    Field("CRICustomizationConfig", "", shape=Shape(
          "map", "cri.CustomizationConfigV1Alpha1", ("apiVersion", "kind", "name", "content"))),
    Field("CRICustomizationConfig", "content", shape=Shape("string", "string")),
    # --- reboot impact and 1.14 homes of whole sections --------------------------------------
    Field(_V, "machine.install", impact=_UPGRADE, home=Home("UnattendedInstallConfig", "error",
          "Talos rejects the config: the two are incompatible")),
    Field(_V, "machine.registries", impact=Impact(
          "none", "containerd may only pick up registry auth after a reboot (Talos docs)",
          until="1.14")),
    Field(_V, "cluster.etcd", impact=_LATER),
    Field(_V, "machine.systemDiskEncryption", impact=_LATER),
    Field(_V, "machine.udev", home=Home("UdevRulesConfig", "warning",
          "the document silently replaces all of .machine.udev", twin=""),
          shape=Shape("map", "v1alpha1.UdevConfig", ("rules",))),
    Field(_V, "machine.kubelet", home=Home("KubeletConfig", "error",
          "Talos rejects the config (.machine.kubelet is already set in v1alpha1 config)")),
    # --- v1alpha1 fields Talos 1.14 rejects next to a KubeNodeConfig (talos/kubenode.py) -----
    # (k8s/node.go validation: "<path> is already set in v1alpha1 config"; the twins are the
    # KubeNodeConfig keys of the same shape, ../shared/conformance/talos-docs-examples)
    _kube_node("machine.nodeLabels", "labels", _m("string-map", "1.3", _V1 + " MachineNodeLabels")),
    _kube_node("machine.nodeAnnotations", "annotations",
               _m("string-map", "1.8", _V1 + " MachineNodeAnnotations")),
    replace(
        _kube_node("machine.nodeTaints", "taints", _m("string-map", "1.6", _V1 + " MachineNodeTaints")),
        impact=_AT_REGISTRATION,
    ),
    _kube_node("machine.kubelet.nodeIP", "nodeIP"),
    _kube_node("machine.kubelet.registerWithFQDN", "registerWithFQDN"),
    _kube_node("machine.kubelet.skipNodeRegistration", "skipNodeRegistration"),
    _kube_node("cluster.allowSchedulingOnControlPlanes", None),
    _kube_node("cluster.allowSchedulingOnMasters", None),
    # --- secrets: v1alpha1, what Talos itself has always redacted ----------------------------
    *_secrets(_V, _T13, "machine.token", "machine.ca.key", "cluster.secret", "cluster.token"),
    *_secrets(_V, _T13, "cluster.aescbcEncryptionSecret", "cluster.secretboxEncryptionSecret"),
    *_secrets(_V, _T13, "cluster.serviceAccount.key", "cluster.ca.key", "cluster.aggregatorCA.key"),
    *_secrets(_V, _T13, "cluster.etcd.ca.key"),
    # v1alpha1: added to Talos's Redact in 1.14 (masked here for every version)
    *_secrets(_V, _T14, _REGISTRY + "auth.password", _REGISTRY + "auth.auth"),
    *_secrets(_V, _T14, _REGISTRY + "auth.identityToken", _REGISTRY + "tls.clientIdentity.key"),
    *_secrets(_V, _T14, _IFACE + "wireguard.privateKey", _IFACE + "vip.equinixMetal.apiToken"),
    *_secrets(_V, _T14, _IFACE + "vip.hcloud.apiToken", _IFACE + "vlans[].vip.hcloud.apiToken"),
    *_secrets(_V, _T14, _IFACE + "vlans[].vip.equinixMetal.apiToken"),
    *_secrets(_V, _T14, "machine.systemDiskEncryption.*.keys[].static.passphrase"),
    # v1alpha1: our judgement (research §9)
    *_secrets(_V, _OURS, _REGISTRY + "auth.username", "machine.env.*"),
    *_secrets(_V, _OURS, "cluster.extraManifestHeaders.*"),
    *_secrets(_V, _OURS, "machine.systemDiskEncryption.*.keys[].kms.endpoint"),
    *_secrets(_V, _OURS, "machine.install.extraKernelArgs[]", mode="tokens"),
    # multi-document kinds (each kind's Redact method)
    *_secrets("RegistryAuthConfig", _DOC, "password", "auth", "identityToken"),
    *_secrets("RegistryAuthConfig", _OURS, "username"),
    *_secrets("RegistryTLSConfig", _DOC, "clientIdentity.key"),
    *_secrets("WireguardConfig", _DOC, "privateKey", "peers[].presharedKey"),
    *_secrets("SideroLinkConfig", _DOC + " (jointoken query parameter)", "apiUrl", mode="tokens"),
    *_secrets("SideroLinkConfig", _DOC, "uniqueToken"),
    # 1.14 twins of v1alpha1 fields masked above (k8s/external_manifest.go HeadersSpec,
    # k8s/inline_manifest.go ManifestSpec): the same values, so the same judgement
    *_secrets("KubeExternalManifestConfig", _OURS, "headers.*"),
    *_secrets("KubeInlineManifestConfig", _OURS, "manifest"),
    # extensions.ServiceConfigV1Alpha1 environment: "KEY=VALUE" items, the twin of
    # machine.env (an extension's auth key: TS_AUTHKEY=tskey-auth-…); configFiles[].content too
    *_secrets("ExtensionServiceConfig", _OURS, "environment[]", "configFiles[].content"),
    *_secrets("HCloudVIPConfig", _DOC, "apiToken"),
    *(f for kind in _VOLUME_KINDS for f in _secrets(kind, _DOC, _KEYS + "static.passphrase")),
    *(f for kind in _VOLUME_KINDS for f in _secrets(kind, _OURS, _KEYS + "kms.endpoint")),
    *_secrets("KubeAPIServerCAConfig", _DOC + " (1.14+)", "issuingCA.key"),
    *_secrets("KubeAggregatorCAConfig", _DOC + " (1.14+)", "issuingCA.key"),
    *_secrets("KubeServiceAccountConfig", _DOC + " (1.14+)", "issuer.privateKey"),
    *_secrets("KubeEtcdEncryptionConfig", _DOC, "config.resources[].providers[].*.keys[].secret"),
    *_secrets("DiscoveryIdentityConfig", _DOC + " (1.14+)", "clusterSecret"),
)  # fmt: skip

# Named kinds read from pkg/machinery/config/types/**: ``func (*XxxV1Alpha1) Name() string`` at
# main ad8823176e75.
_NAMED = (
    "BGPInstanceConfig", "BlackholeRouteConfig", "BondConfig", "BridgeConfig",
    "CRICustomizationConfig", "ContainerConfig", "DHCPv4Config", "DHCPv6Config",
    "DiscoveryServiceConfig", "DummyLinkConfig", "EthernetConfig", "EtcFileConfig",
    "ExistingVolumeConfig", "ExtensionServiceConfig", "ExternalVolumeConfig",
    "HCloudVIPConfig", "HTTPProbeConfig", "KernelModuleConfig", "KmsgLogConfig",
    "KubeAdmissionControlConfig", "KubeAuthorizerConfig", "KubeExternalManifestConfig",
    "KubeInlineManifestConfig", "KubeStaticPodConfig", "LVMLogicalVolumeConfig",
    "LVMVolumeGroupConfig", "Layer2VIPConfig", "LinkAliasConfig", "LinkConfig",
    "NetworkRuleConfig", "PCIDriverRebindConfig", "RAIDArrayConfig", "RawVolumeConfig",
    "RegistryAuthConfig", "RegistryMirrorConfig", "RegistryTLSConfig",
    "RoutingRuleConfig", "StaticHostConfig", "SwapVolumeConfig", "TCPProbeConfig",
    "TrustedRootsConfig", "UserVolumeConfig", "VLANConfig", "VRFConfig", "VethConfig",
    "VolumeConfig", "WireguardConfig",
)  # fmt: skip
_KIND_IMPACT: dict[str, Impact] = {
    "CRICustomizationConfig": _CRI,
    "CRIBaseRuntimeSpecConfig": _CRI,
    "KernelModuleConfig": _MODULES,
    "UnattendedInstallConfig": _UPGRADE,
    **{kind: _LATER for kind in _VOLUME_KINDS},
}
KINDS: dict[str, Kind] = {
    kind: Kind(named=kind in _NAMED, impact=_KIND_IMPACT.get(kind))
    for kind in sorted({*_NAMED, *_KIND_IMPACT})
}
