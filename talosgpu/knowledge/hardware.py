"""Which NVIDIA GPU is this, and does the chosen driver flavour/branch drive it on this Talos?

The table lives in ``data/gpus.toml`` (sources there; research peers.md §4.3). Version facts come
from :class:`~talosgpu.versions.TalosVersion` (driver versions per branch, extension naming era);
nothing here compares Talos version strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any, Literal

from talosgpu import tomlio
from talosgpu.errors import IntentError
from talosgpu.knowledge.extensions import Branch
from talosgpu.versions import TalosVersion, known_versions

__all__ = [
    "CompatIssue",
    "GPUArchitecture",
    "architectures",
    "driver_for",
    "gpu_extensions_without_gpu_warning",
    "identify_gpu",
]

Fabric = Literal["no", "likely", "required"]
Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class GPUArchitecture:
    """An architecture, possibly narrowed to the model or PCI id it was identified from."""

    key: str
    name: str
    generation: int
    open_modules: bool
    proprietary_modules: bool
    last_branch: int | None = None
    min_driver: int | None = None
    cpu_arch: str | None = None
    kernel_args: tuple[str, ...] = ()
    open_note: str = ""
    proprietary_note: str = ""
    pci_ranges: tuple[tuple[int, int], ...] = ()
    # What identify_gpu() learned about the specific board:
    model: str | None = None
    segment: str | None = None
    fabric_manager: Fabric = "no"
    pci_id: str | None = None
    pci_confidence: Literal["exact", "approximate"] | None = None


@dataclass(frozen=True, slots=True)
class CompatIssue:
    """One finding of a compatibility check: ``fix`` is a concrete intent change or command."""

    severity: Severity
    code: str
    message: str
    fix: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@cache
def _data() -> dict[str, Any]:
    text = resources.files("talosgpu.knowledge").joinpath("data/gpus.toml").read_text("utf-8")
    return tomlio.loads(text, source="talosgpu/knowledge/data/gpus.toml")


@cache
def architectures() -> dict[str, GPUArchitecture]:
    """Every known architecture by key, oldest first."""
    out: dict[str, GPUArchitecture] = {}
    for key, row in _data()["architectures"].items():
        out[key] = GPUArchitecture(
            key=key,
            name=row["name"],
            generation=row["generation"],
            open_modules=row["open_modules"],
            proprietary_modules=row["proprietary"],
            last_branch=row.get("last_branch"),
            min_driver=row.get("min_driver"),
            cpu_arch=row.get("cpu_arch"),
            kernel_args=tuple(row.get("kernel_args", ())),
            open_note=row.get("open_note", ""),
            proprietary_note=row.get("proprietary_note", ""),
            pci_ranges=tuple((int(a, 16), int(b, 16)) for a, b in row.get("pci", ())),
        )
    return out


def _normalise_model(model: str) -> str:
    text = re.sub(r"[\s_]+", " ", model.lower())
    text = re.sub(r"\b(nvidia|geforce|corporation)\b", " ", text)
    return " ".join(text.split())


def _fabric_from_name(text: str) -> Fabric:
    if re.search(r"\b(hgx|nvswitch)\b", text) or (
        re.search(r"\bdgx\b", text) and "spark" not in text
    ):
        return "required"
    return "likely" if re.search(r"\bsxm\d?\b", text) else "no"


def _with(arch: GPUArchitecture, row: dict[str, Any], **extra: Any) -> GPUArchitecture:
    arch = replace(arch, segment=row.get("segment"), **extra)
    if row.get("open_required"):
        arch = replace(
            arch,
            proprietary_modules=False,
            proprietary_note="NVIDIA supports only the open kernel modules on Grace Hopper",
        )
    return arch


def identify_gpu(*, model: str | None = None, pci_id: str | None = None) -> GPUArchitecture | None:
    """The architecture of ``model`` (e.g. ``"Quadro P2000"``) or ``pci_id`` (``"10de:1c30"``).

    An exact PCI id wins, then the model name, then the (approximate) PCI id ranges. ``None``
    when nothing is known. Raises :class:`IntentError` for a malformed or non-NVIDIA PCI id.
    """
    table = architectures()
    found: GPUArchitecture | None = None
    device: int | None = None
    if pci_id is not None:
        match = re.fullmatch(r"(?:(?i:10de):)?([0-9a-fA-F]{4})", pci_id.strip())
        if not match:
            raise IntentError(f"not an NVIDIA PCI id: {pci_id!r} (expected 10de:xxxx)")
        device = int(match.group(1), 16)
        for row in _data()["pci_ids"]:
            if int(row["id"], 16) == device:
                found = _with(
                    table[row["arch"]], row, model=row["model"], fabric_manager=row.get("fabric", "no"),
                    pci_id=f"10de:{device:04x}", pci_confidence="exact",
                )  # fmt: skip
                break
    if found is None and model:
        text = _normalise_model(model)
        for row in _data()["models"]:
            if re.search(row["pattern"], text):
                fabric = row.get("fabric") or _fabric_from_name(text)
                found = _with(table[row["arch"]], row, model=model, fabric_manager=fabric)
                break
    if found is None and device is not None:
        for arch in table.values():
            if any(lo <= device <= hi for lo, hi in arch.pci_ranges):
                found = replace(arch, pci_id=f"10de:{device:04x}", pci_confidence="approximate")
                break
    if found is not None and model and found.fabric_manager != "required":
        named = _fabric_from_name(_normalise_model(model))
        if named == "required" or (named == "likely" and found.fabric_manager == "no"):
            found = replace(found, fabric_manager=named)
    return found


def driver_for(talos_version: TalosVersion | str, branch: Branch) -> str:
    """Driver version of the ``branch`` extensions of this release (Talos 1.7: the single 535)."""
    version = TalosVersion.parse(talos_version)
    if branch not in ("lts", "production", "new-feature"):
        raise IntentError(
            f"unknown driver branch {branch!r} (expected lts, production or new-feature)"
        )
    facts = version.facts
    if not version.suffixed_extensions:
        return facts.drivers_lts
    if branch == "new-feature":
        if facts.drivers_new_feature is None:
            raise IntentError(f"Talos {version} publishes no new-feature driver branch")
        return facts.drivers_new_feature
    return facts.drivers_lts if branch == "lts" else facts.drivers_production


def _major(driver: str) -> int:
    return int(driver.split(".", 1)[0])


def _first_release(ok: Any) -> str | None:
    for version in known_versions():
        if ok(version):
            return str(version)
    return None


def gpu_extensions_without_gpu_warning() -> CompatIssue:
    """NVIDIA extensions on a node without an NVIDIA GPU can stall boot and upgrades."""
    return CompatIssue(
        "warning",
        "gpu-extensions-without-gpu",
        "NVIDIA extensions on a node without an NVIDIA GPU: ext-nvidia-persistenced waits for "
        "/sys/bus/pci/drivers/nvidia forever and an upgrade rolls back after about an hour "
        "(siderolabs/extensions#888)",
        "build one schematic per node class: `talosgpu schematic` only for GPU nodes, the vanilla "
        "schematic (customization: {}) for the others",
    )
