"""The ``talosgpu doctor`` use case: a node's real state (live, or a support bundle) against
the plan for its release, as checks with evidence and fixes.

Live: :mod:`talosgpu.commands.doctor_gather` (talosctl, kubectl). Offline: ``--bundle FILE``
(:mod:`talosgpu.diagnosis.bundle`) and ``--events FILE`` (pasted ``kubectl describe`` / events).
The release is ``--talos-version``, else the node's own (``talosctl version`` / the bundle's
``summary``), else the intent's; the plan is :func:`talosgpu.plan.resolve` for it. Without an
intent, doctor checks against talosgpu's defaults for that release and says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from talosgpu.commands.doctor_gather import gather_live, kubectl_facts, with_pasted_events
from talosgpu.commands.inputs import load_target, read_input
from talosgpu.commands.node_target import NodeTarget, load_node_target
from talosgpu.diagnosis.bundle import read_bundle
from talosgpu.diagnosis.expect import Expect
from talosgpu.diagnosis.facts import NodeFacts
from talosgpu.diagnosis.model import Check
from talosgpu.diagnosis.run import run_checks
from talosgpu.errors import TalosGPUError, VersionError
from talosgpu.fsio import max_input_bytes
from talosgpu.knowledge.extensions import nvidia_extensions
from talosgpu.outputs import schematic_for
from talosgpu.plan import resolve
from talosgpu.versions import DEFAULT_VERSION, TalosVersion, version_option

if TYPE_CHECKING:
    from talosgpu.intent.models import Intent

__all__ = ["BUNDLE_MAX_BYTES", "DoctorReport", "doctor", "doctor_for_facts"]

BUNDLE_MAX_BYTES = 512 * 1024 * 1024  # a zip of a few nodes' logs; each member: the input limit


@dataclass(frozen=True)
class DoctorReport:
    """One node's diagnosis: checks (failures first), what was assumed, where facts came from."""

    node: str
    origin: str
    talos_version: str
    mode: str
    checks: tuple[Check, ...]
    notes: tuple[str, ...] = ()
    probes: tuple[Check, ...] = ()
    strict: bool = field(default=False, compare=False)

    @property
    def all_checks(self) -> tuple[Check, ...]:
        return (*self.checks, *self.probes)

    @property
    def exit_code(self) -> int:
        """1 when a check failed (or warned, with ``strict``), else 0."""
        bad = {"fail", "warn"} if self.strict else {"fail"}
        return 1 if any(c.status in bad for c in self.all_checks) else 0


def _read_bundle_bytes(path: str | Path) -> bytes:
    name = str(path)
    try:
        size = os.stat(name).st_size
        if size > BUNDLE_MAX_BYTES:
            raise TalosGPUError(
                f"the bundle is {size:,} bytes; talosgpu reads at most {BUNDLE_MAX_BYTES:,}",
                file=name,
            )
        with open(name, "rb") as handle:
            return handle.read(BUNDLE_MAX_BYTES + 1)
    except FileNotFoundError:
        raise TalosGPUError("no such file", file=name) from None
    except IsADirectoryError:
        raise TalosGPUError("is a directory, expected a talosctl support zip", file=name) from None
    except OSError as exc:
        raise TalosGPUError(f"cannot read: {exc.strerror or exc}", file=name) from None


def _version(
    explicit: str | TalosVersion | None, facts: NodeFacts, intent: Intent, *, assume: bool
) -> tuple[TalosVersion, list[str]]:
    notes: list[str] = []
    if explicit is not None:
        given = version_option(explicit, assume_newest_known=assume)
        assert given is not None
        return given, notes
    if facts.talos_tag.known:
        tag = str(facts.talos_tag.value)
        try:
            version = TalosVersion.parse(tag, assume_newest_known=assume).require_known()
        except VersionError as exc:
            raise VersionError(
                f"the node runs Talos {tag}: {exc.message}", file=facts.talos_tag.source
            ) from None
        if (
            intent.talos_version
            and TalosVersion.parse(intent.talos_version).series != version.series
        ):
            notes.append(
                f"the intent says Talos {intent.talos_version}; the node runs {tag}: checked against the plan for {version}"
            )
        return version, notes
    fallback = intent.talos_version or None
    version = (
        version_option(fallback, assume_newest_known=assume) or TalosVersion.parse(DEFAULT_VERSION)
        if fallback
        else TalosVersion.parse(DEFAULT_VERSION)
    )
    assert version is not None
    notes.append(
        f"the node's release is unknown ({facts.talos_tag.skipped}); assumed Talos {version}"
    )
    return version, notes


def doctor_for_facts(
    facts: NodeFacts,
    intent: Intent,
    *,
    intent_arg: str,
    fleet_node: str | None = None,
    assumed: bool = False,
    talos_version: str | TalosVersion | None = None,
    k8s_name: str | None = None,
    show_secrets: bool = False,
    assume_newest_known: bool = False,
    strict: bool = False,
) -> DoctorReport:
    """The checks for already gathered ``facts`` (the pure part of :func:`doctor`)."""
    version, notes = _version(talos_version, facts, intent, assume=assume_newest_known)
    plan = resolve(intent, version, assume_newest_known=assume_newest_known)
    wanted: tuple[str, ...] = ()
    image = ""
    if plan.mode != "none":
        gpu = intent.gpu
        wanted = nvidia_extensions(
            talos_version=version,
            flavour=gpu.driver.flavour,
            branch=gpu.driver.branch,
            fabric_manager=gpu.fabric_manager,
        )
        image = schematic_for(intent, version).installer_image
    ex = Expect(plan=plan, version=version, intent_arg=intent_arg, node=facts.node, k8s_name=k8s_name,
                installer_image=image, extensions=wanted, assumed=assumed, fleet_node=fleet_node)  # fmt: skip
    if assumed:
        notes.append(
            f"no intent given: checked against talosgpu's defaults for Talos {version} (runtime mode {plan.mode})"
        )
    return DoctorReport(
        node=facts.node,
        origin=facts.origin,
        talos_version=str(version),
        mode=plan.mode,
        checks=run_checks(facts, ex, show_secrets=show_secrets),
        notes=(*facts.notes, *notes),
        strict=strict,
    )


def _intent(
    intent: Intent | str | Path | None, profile: str | None, node: str | None
) -> tuple[Intent, str, bool, NodeTarget | None]:
    """The intent, how fixes name it, whether it is assumed, and the node it names (an
    inventory's node by ``--node NAME|ADDR``, or the address the intent file sets)."""
    if intent is None and profile is None:
        # lazy: pydantic only once doctor runs
        from talosgpu.intent.models import Intent as IntentModel

        return IntentModel(), "node.yaml", True, None
    if isinstance(intent, str | Path) and str(intent) != "-" and not profile:
        target = load_node_target(intent, profile=None, node=node)
        # the intent as the user named it (a path, not only its file name), so the fix runs as given
        return target.intent, str(intent), False, target
    loaded, label = load_target(intent, profile=profile)
    arg = f"--profile {profile}" if profile else (label if label != "intent" else "node.yaml")
    return loaded, arg, False, None


def doctor(
    intent: Intent | str | Path | None = None,
    *,
    profile: str | None = None,
    node: str | None = None,
    bundle: str | Path | None = None,
    events: str | Path | None = None,
    talos_version: str | TalosVersion | None = None,
    talosconfig: str | None = None,
    kubeconfig: str | None = None,
    k8s_node: str | None = None,
    timeout: float | None = None,
    show_secrets: bool = False,
    assume_newest_known: bool = False,
    strict: bool = False,
    inventory_node: tuple[str, str] | None = None,
) -> DoctorReport:
    """Diagnose ``node`` (live, through talosctl and kubectl) or ``bundle`` (a ``talosctl
    support`` zip; ``node`` then picks its folder) against ``intent`` (or ``profile``, or the
    defaults). ``events``: a file of pasted ``kubectl describe`` / events output.
    ``inventory_node`` (inventory file, node name): ``intent`` is that node of an inventory, and
    the fixes name the inventory's commands."""
    loaded, arg, assumed, target = _intent(intent, profile, node)
    fleet_node = target.inventory_name if target is not None else None
    if inventory_node is not None:
        arg, fleet_node = inventory_node
    if target is not None and target.address and (bundle is None or target.from_inventory):
        # an inventory node's address, or (live) the address the intent file itself sets
        node = target.address
    k8s_name = k8s_node or loaded.node.name
    extra: dict[str, Any] = {}
    if bundle is not None:
        facts = read_bundle(
            _read_bundle_bytes(bundle),
            source=str(bundle),
            node=node,
            k8s_name=k8s_name,
            limit=max_input_bytes(),
        )
        if facts.events.known:
            extra["events"] = facts.events
    elif node is not None:
        hint = (
            version_option(talos_version or loaded.talos_version, assume_newest_known=True)
            if (talos_version or loaded.talos_version)
            else None
        )
        facts, _ = gather_live(node, talosconfig=talosconfig, timeout=timeout, version_hint=hint)
        extra = kubectl_facts(node, k8s_name=k8s_name, kubeconfig=kubeconfig, timeout=timeout,
                              explicit=k8s_node is not None)  # fmt: skip
    else:
        raise TalosGPUError(
            "nothing to diagnose: give --node ADDR (live) or --bundle FILE (talosctl support zip)"
        )
    if events is not None:
        pasted = read_input(events)
        with_pasted_events(extra, pasted.text, f"--events {pasted.source}")
    if extra:
        facts = replace(facts, **extra)
    if target is not None and target.notes:
        facts = replace(facts, notes=(*target.notes, *facts.notes))
    return doctor_for_facts(facts, loaded, intent_arg=arg, fleet_node=fleet_node, assumed=assumed, talos_version=talos_version,
                            k8s_name=k8s_name, show_secrets=show_secrets,
                            assume_newest_known=assume_newest_known, strict=strict)  # fmt: skip
