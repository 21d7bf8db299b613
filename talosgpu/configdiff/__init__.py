"""Diff before apply: the proposed config, its semantic redacted diff, reboot impact, apply.

``normalize`` (what differs only in form), ``semantic`` (per document / path, list items by
identity), ``impact`` (reboot impact per Talos version), ``report`` (text and JSON), ``propose``
(live + idempotent patch), ``run`` (the ``talosgpu diff`` use-case), ``apply`` (``talosgpu
apply``). Named after Talos's own ``pkg/machinery/config/configdiff``; the public functions are
``talosgpu.diff`` and ``talosgpu.apply``.
"""
