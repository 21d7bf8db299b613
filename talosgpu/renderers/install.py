"""The installer image the intent asked for (``installer:``): ``machine.install.image``
(<= 1.13) or an ``UnattendedInstallConfig`` ``installer.image`` (1.14+, which replaces
``.machine.install``; Talos rejects the two together, talos ``types/runtime/unattended_install.go``).

A live config that still sets ``.machine.install`` (upgraded from 1.13) keeps that form: the
proposal rewrites the document into it (:func:`talosgpu.talos.installer.fit_installer`).
"""

from __future__ import annotations

from typing import Any

from talosgpu.plan import Plan

name = "install"


def machine(plan: Plan) -> dict[str, Any]:
    if plan.installer_image is None:
        return {}
    return {"install": {"image": plan.installer_image}}


def documents(plan: Plan) -> list[dict[str, Any]]:
    if plan.installer_image is None:
        return []
    return [
        {
            "apiVersion": "v1alpha1",
            "kind": "UnattendedInstallConfig",
            "installer": {"image": plan.installer_image},
        }
    ]
