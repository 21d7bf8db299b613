"""The one table of field-specific merge behaviour (keyed lists, replace fields, pointer scalars).

Talos merges *decoded Go structs* (``pkg/machinery/config/merge/merge.go``); talosgpu merges plain
YAML data, so what Go learns from a field's type or struct tag is written down here, one row per
field, each citing the upstream file and the first Talos release that behaves that way. Paths are
relative to the document; ``*`` stands for "any list item". The v1alpha1 document is ``v1alpha1``,
every other document is looked up by its ``kind``.

Anything not in the table merges by the generic rules (maps key by key, lists append, ``""``/``0``
ignored, booleans always copied).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from talosgpu.versions import TalosVersion

__all__ = [
    "NAMED_KINDS",
    "RULES",
    "Behaviour",
    "FieldRule",
    "identity_key",
    "rule_for",
]

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

_V1 = "pkg/machinery/config/types/v1alpha1/v1alpha1_types.go"
_K8S = "pkg/machinery/config/types/k8s/"
_NET = "pkg/machinery/config/types/network/"


@dataclass(frozen=True, slots=True)
class FieldRule:
    """How one field merges. ``key`` names the identity field(s) of list items, in priority order."""

    doc: str
    path: tuple[str, ...]
    behaviour: Behaviour
    since: str
    source: str
    key: tuple[str, ...] = ()
    until: str | None = None  # first release that no longer behaves this way


def _r(
    doc: str,
    path: str,
    behaviour: Behaviour,
    since: str,
    source: str,
    key: Sequence[str] = (),
    until: str | None = None,
) -> FieldRule:
    return FieldRule(doc, tuple(path.split(".")), behaviour, since, source, tuple(key), until)


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

RULES: tuple[FieldRule, ...] = (
    # --- keyed list merges (custom Merge methods) -------------------------------------------
    _r("v1alpha1", "machine.network.interfaces", "keyed", "1.2", _V1 + " NetworkDeviceList.Merge",
       key=("interface", "deviceSelector")),
    _r("v1alpha1", "machine.network.interfaces.*.vlans", "keyed", "1.4", _V1 + " VlanList.Merge",
       key=("vlanId",)),
    _r("v1alpha1", "cluster.apiServer.admissionControl", "keyed", "1.2",
       _V1 + " AdmissionPluginConfigList.Merge", key=("name",)),
    _r("ExtensionServiceConfig", "configFiles", "keyed", "1.8",
       "pkg/machinery/config/types/runtime/extensions/service_config.go ConfigFileList.Merge",
       key=("mountPath",)),
    _r("ImageVerificationConfig", "rules", "keyed-replace", "1.13",
       "pkg/machinery/config/types/security/image_verification.go ImageVerificationRules.Merge",
       key=("image",)),
    # --- merge:"replace" ----------------------------------------------------------------------
    _r("v1alpha1", "cluster.network.podSubnets", "replace", "1.0", _V1 + " PodSubnet"),
    _r("v1alpha1", "cluster.network.serviceSubnets", "replace", "1.0", _V1 + " ServiceSubnet"),
    _r("v1alpha1", "cluster.apiServer.auditPolicy", "replace", "1.5", _V1 + " AuditPolicyConfig"),
    _r("NetworkRuleConfig", "ingress", "replace", "1.7", _NET + "rule_config.go Ingress"),
    _r("NetworkRuleConfig", "portSelector.ports", "replace", "1.7", _NET + "rule_config.go Ports"),
    _r("CRIBaseRuntimeSpecConfig", "overrides", "replace", "1.14",
       "pkg/machinery/config/types/cri/base_runtime_spec.go"),
    _r("KubeAuditPolicyConfig", "configuration", "replace", "1.14", _K8S + "audit_policy.go"),
    _r("KubeAuthenticationConfig", "configuration", "replace", "1.14", _K8S + "authentication.go"),
    _r("KubeCredentialProviderConfig", "configuration", "replace", "1.14",
       _K8S + "credential_provider.go"),
    _r("KubeNetworkConfig", "podSubnets", "replace", "1.14", _K8S + "network.go"),
    _r("KubeNetworkConfig", "serviceSubnets", "replace", "1.14", _K8S + "network.go"),
    _r("KubeStaticPodConfig", "pod", "replace", "1.14", _K8S + "static_pod.go"),
    _r("BGPInstanceConfig", "advertise", "replace", "1.14", _NET + "bgp.go"),
    _r("BGPInstanceConfig", "importRoutes", "replace", "1.14", _NET + "bgp.go"),
    _r("BGPInstanceConfig", "neighbors", "replace", "1.14", _NET + "bgp.go"),
    # --- extraArgs: map[string]string until 1.12, meta.Args (per-key replace) from 1.13 -------
    *(_r("v1alpha1", p, "string-map", "1.0", _V1 + " map[string]string", until="1.13")
      for p in _ARGS_V1),
    *(_r("v1alpha1", p, "args", "1.13", "pkg/machinery/config/types/meta/args.go Args.Merge")
      for p in _ARGS_V1),
    *(_r(kind, "extraArgs", "args", "1.14", _K8S + f) for kind, f in _ARGS_DOCS),
    # --- map[string]string fields -------------------------------------------------------------
    _r("v1alpha1", "machine.sysctls", "string-map", "1.0", _V1 + " MachineSysctls"),
    _r("v1alpha1", "machine.sysfs", "string-map", "1.0", _V1 + " MachineSysfs"),
    _r("v1alpha1", "machine.nodeLabels", "string-map", "1.3", _V1 + " MachineNodeLabels"),
    _r("v1alpha1", "machine.nodeAnnotations", "string-map", "1.8", _V1 + " MachineNodeAnnotations"),
    _r("v1alpha1", "machine.nodeTaints", "string-map", "1.6", _V1 + " MachineNodeTaints"),
    _r("v1alpha1", "machine.env", "string-map", "1.0", _V1 + " Env"),
    _r("v1alpha1", "cluster.extraManifestHeaders", "string-map", "1.0", _V1),
    _r("SysctlConfig", "params", "string-map", "1.14", "pkg/machinery/config/types/runtime/sysctl.go"),
    _r("SysfsConfig", "params", "string-map", "1.14", "pkg/machinery/config/types/runtime/sysfs.go"),
    _r("KubeNodeConfig", "labels", "string-map", "1.14", _K8S + "node.go"),
    _r("KubeNodeConfig", "annotations", "string-map", "1.14", _K8S + "node.go"),
    _r("KubeNodeConfig", "taints", "string-map", "1.14", _K8S + "node.go"),
    # --- pointer scalars: a zero value overwrites from 1.12 (merge.go overwrite flag) --------
    _r("v1alpha1", "machine.network.kubespan.mtu", "pointer-scalar", "1.12", _V1 + " KubeSpanMTU"),
    _r("KubeSpanConfig", "mtu", "pointer-scalar", "1.12", _NET + "kubespan.go ConfigMTU"),
    _r("ZswapConfig", "maxPoolPercent", "pointer-scalar", "1.12",
       "pkg/machinery/config/types/block/zswap_config.go"),
    _r("LinkConfig", "addresses.*.routePriority", "pointer-scalar", "1.12", _NET + "link.go"),
    *(_r("EthernetConfig", f"{section}.{field}", "pointer-scalar", "1.12", _NET + "ethernet.go")
      for section, fields in (
          ("rings", ("rx", "tx", "rx-mini", "rx-jumbo", "rx-buf-len", "cqe-size",
                     "tx-push-buf-len")),
          ("channels", ("rx", "tx", "other", "combined")),
      ) for field in fields),
    *(_r("BondConfig", field, "pointer-scalar", "1.12", _NET + "bond.go")
      for field in ("miimon", "updelay", "downdelay", "arpInterval", "adActorSysPrio",
                    "adUserPortKey", "primary", "resendIGMP", "minLinks", "lpInterval",
                    "packetsPerSlave", "numPeerNotif", "tlbLogicalLb", "allSlavesActive",
                    "peerNotifDelay", "missedMax")),
    # --- other typed values -------------------------------------------------------------------
    _r("v1alpha1", "cluster.controlPlane.endpoint", "url", "1.0", _V1 + " Endpoint{*url.URL}"),
    _r("v1alpha1", "cluster.inlineManifests.*.contents", "trim-left", "1.7",
       _V1 + " ClusterInlineManifests.UnmarshalYAML (eecc4dbd5)"),
    # --- unstructured subtrees (meta.Unstructured / map[string]any) --------------------------
    _r("v1alpha1", "machine.kubelet.extraConfig", "unstructured", "1.0", _V1),
    _r("v1alpha1", "machine.kubelet.credentialProviderConfig", "unstructured", "1.5", _V1),
    _r("v1alpha1", "machine.baseRuntimeSpecOverrides", "unstructured", "1.9", _V1),
    _r("v1alpha1", "machine.seccompProfiles.*.value", "unstructured", "1.2", _V1),
    _r("v1alpha1", "machine.pods", "unstructured", "1.2", _V1 + " MachinePods []Unstructured"),
    _r("v1alpha1", "cluster.apiServer.admissionControl.*.configuration", "unstructured", "1.2", _V1),
    _r("v1alpha1", "cluster.scheduler.config", "unstructured", "1.7", _V1),
    _r("KubeletConfig", "config", "unstructured", "1.14", _K8S + "kubelet.go"),
    # --- append lists with an identity (used by the idempotency check, not by merging) -------
    _r("v1alpha1", "machine.kernel.modules", "identity", "1.0", _V1, key=("name",)),
    _r("v1alpha1", "machine.files", "identity", "1.0", _V1, key=("path",)),
    _r("v1alpha1", "machine.kubelet.extraMounts", "identity", "1.0", _V1, key=("destination",)),
    _r("v1alpha1", "machine.install.extensions", "identity", "1.0", _V1, key=("image",)),
    _r("v1alpha1", "machine.udev.rules", "identity", "1.0", _V1),
    _r("UdevRulesConfig", "rules", "identity", "1.14",
       "pkg/machinery/config/types/runtime/udev_rules.go"),
)  # fmt: skip

# Kinds whose Go type implements config.NamedDocument (``Name() string``), so their document id
# carries ``/name`` (configpatcher/strategic.go documentID). Read from
# pkg/machinery/config/types/**: ``func (*XxxV1Alpha1) Name() string`` at main ad8823176e75.
NAMED_KINDS: frozenset[str] = frozenset(
    {
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
    }
)  # fmt: skip


@cache
def _index(series: tuple[int, int]) -> dict[tuple[str, tuple[str, ...]], FieldRule]:
    version = TalosVersion(*series)
    table: dict[tuple[str, tuple[str, ...]], FieldRule] = {}
    for rule in RULES:
        if not version.at_least(rule.since):
            continue
        if rule.until is not None and version.at_least(rule.until):
            continue
        table[(rule.doc, rule.path)] = rule
    return table


def rule_for(doc: str, path: Sequence[str | int], version: TalosVersion) -> FieldRule | None:
    """The rule for the field at ``path`` (list indices may be ints or ``*``) of document ``doc``."""
    key = tuple("*" if isinstance(p, int) else p for p in path)
    return _index(version.series).get((doc, key))


def identity_key(doc: str, path: Sequence[str | int], version: TalosVersion) -> str | None:
    """The field naming a list item at ``path`` (``None``: the whole item is its identity)."""
    rule = rule_for(doc, path, version)
    if rule is None or not rule.key:
        return None
    return rule.key[0]
