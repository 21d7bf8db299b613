"""The keys containerd's CRI plugins decode, per containerd generation (facts, with sources).

Read from the ``toml:"..."`` tags of containerd's config structs (containerd/containerd):

* containerd 1.7 (Talos 1.7), ``pkg/cri/config/config.go`` at v1.7.15, v1.7.22, v1.7.34 (union):
  ``PluginConfig`` is ``plugins."io.containerd.grpc.v1.cri"``, with ``ContainerdConfig``
  (``.containerd``), ``Runtime`` (``.containerd.runtimes.<name>``, ``default_runtime``,
  ``untrusted_workload_runtime``) and ``CniConfig`` (``.cni``).
* containerd 2.x (Talos 1.8+), ``internal/cri/config/config.go`` at v2.0.0, v2.0.7, v2.1.0, v2.1.6,
  v2.2.0, v2.2.7, v2.3.0, v2.3.4 and main 301026e58 (union, so a key of a later 2.x patch release is
  never called unknown): ``RuntimeConfig`` is ``plugins."io.containerd.cri.v1.runtime"``,
  ``ImageConfig`` ``plugins."io.containerd.cri.v1.images"``, ``ServerConfig``
  ``plugins."io.containerd.grpc.v1.cri"``.

What containerd does with any other key: 1.7 decodes plugin config with go-toml v1
``Tree.Unmarshal`` (``services/server/config/config.go`` ``Config.Decode``), which drops unknown
keys silently; 2.x decodes with ``DisallowUnknownFields`` and on a strict error logs ``Ignoring
unknown key in TOML for plugin`` and decodes again without it
(``cmd/containerd/server/config/config.go`` ``Config.Decode``): the key is ignored either way.
``options`` of a runtime is free-form (``map[string]any``, read by the runtime's shim).
"""

from __future__ import annotations

__all__ = ["CONTAINERD_TABLE", "CRI_KEYS", "RUNTIME_TABLE"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# containerd 1.7 PluginConfig
_GRPC_17 = _words(
    """cdi_spec_dirs cni containerd device_ownership_from_security_context disable_apparmor
    disable_cgroup disable_hugetlb_controller disable_proc_mount disable_tcp_service
    drain_exec_sync_io_timeout enable_cdi enable_selinux enable_tls_streaming
    enable_unprivileged_icmp enable_unprivileged_ports ignore_deprecation_warnings
    ignore_image_defined_volumes image_decryption image_pull_progress_timeout
    image_pull_with_sync_fs max_concurrent_downloads max_container_log_line_size
    netns_mounts_under_state_dir registry restrict_oom_score_adj sandbox_image
    selinux_category_range stats_collect_period stream_idle_timeout stream_server_address
    stream_server_port systemd_cgroup tolerate_missing_hugetlb_controller unset_seccomp_profile
    x509_key_pair_streaming"""
)
# containerd 2.x ServerConfig (what is left of grpc.v1.cri)
_GRPC_2 = _words(
    """disable_tcp_service enable_tls_streaming stream_idle_timeout stream_server_address
    stream_server_port x509_key_pair_streaming"""
)
_RUNTIME_2 = _words(
    """cdi_spec_dirs cni containerd device_ownership_from_security_context disable_apparmor
    disable_hugetlb_controller disable_proc_mount drain_exec_sync_io_timeout enable_cdi
    enable_criu enable_experimental_restore_via_create enable_selinux enable_unprivileged_icmp
    enable_unprivileged_ports ignore_deprecation_warnings ignore_image_defined_volumes
    max_container_log_line_size netns_mounts_under_state_dir restrict_oom_score_adj
    selinux_category_range stats_collect_period stats_retention_period
    tolerate_missing_hugetlb_controller unset_seccomp_profile"""
)
_IMAGES_2 = _words(
    """concurrent_layer_fetch_buffer disable_snapshot_annotations discard_unpacked_layers
    image_decryption image_pull_progress_timeout image_pull_with_sync_fs max_concurrent_downloads
    pinned_images registry runtime_platforms snapshotter stats_collect_period
    use_local_image_pull"""
)

# plugin id -> keys of its table. grpc.v1.cri: both generations (a 1.7 key there on containerd
# 2.x is the rule cri-containerd-generation, not an unknown key).
CRI_KEYS: dict[str, frozenset[str]] = {
    "io.containerd.grpc.v1.cri": _GRPC_17 | _GRPC_2,
    "io.containerd.cri.v1.runtime": _RUNTIME_2,
    "io.containerd.cri.v1.images": _IMAGES_2,
}
# ContainerdConfig, by plugin id (1.7: under grpc.v1.cri; 2.x: under cri.v1.runtime)
CONTAINERD_TABLE: dict[str, frozenset[str]] = {
    "io.containerd.grpc.v1.cri": _words(
        """default_runtime default_runtime_name disable_snapshot_annotations
        discard_unpacked_layers ignore_blockio_not_enabled_errors ignore_rdt_not_enabled_errors
        no_pivot runtimes snapshotter untrusted_workload_runtime"""
    ),
    "io.containerd.cri.v1.runtime": _words(
        """default_runtime_name ignore_blockio_not_enabled_errors ignore_rdt_not_enabled_errors
        runtimes"""
    ),
}
# Runtime (containerd.runtimes.<name>), by plugin id
RUNTIME_TABLE: dict[str, frozenset[str]] = {
    "io.containerd.grpc.v1.cri": _words(
        """base_runtime_spec cni_conf_dir cni_max_conf_num container_annotations options
        pod_annotations privileged_without_host_devices
        privileged_without_host_devices_all_devices_allowed runtime_engine runtime_path
        runtime_root runtime_type sandbox_mode snapshotter"""
    ),
    "io.containerd.cri.v1.runtime": _words(
        """base_runtime_spec cgroup_writable cni_conf_dir cni_max_conf_num container_annotations
        disable_pause_image_pull io_type options pod_annotations privileged_without_host_devices
        privileged_without_host_devices_all_devices_allowed runtime_path runtime_type sandboxer
        snapshotter"""
    ),
}
