"""Image Factory schematics: build one for a GPU node, read a user's, compute the ID.

The ID is the lowercase hex SHA-256 of the schematic's canonical text, which is what Go's
``yaml.Marshal`` writes for the ``Schematic`` struct (siderolabs/image-factory
``pkg/schematic/schematic.go``): fields in declaration order, ``omitempty`` fields dropped,
``customization`` always present, lists kept in the order given (research talos-internals.md §7).
Decoding is strict like the factory's (``KnownFields(true)``): unknown fields are errors.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from talosgpu import yamlio
from talosgpu.errors import ConfigError, RenderError, VersionError
from talosgpu.knowledge.compat import check_extension_set
from talosgpu.knowledge.extensions import Branch, Flavour, normalise_extension, nvidia_extensions
from talosgpu.knowledge.goyaml import marshal
from talosgpu.versions import TalosVersion

__all__ = [
    "FACTORY",
    "Schematic",
    "build_schematic",
    "canonical_schematic_yaml",
    "load_schematic",
    "schematic_id",
]

FACTORY = "factory.talos.dev"
_BOOTLOADERS = ("none", "dual-boot", "sd-boot", "grub")  # talos imageropts.BootloaderKind
_ENROLL_KEYS = ("off", "manual", "if-safe", "force")  # image-factory SecureBootCustomization


@dataclass(frozen=True, slots=True)
class Schematic:
    """A schematic in canonical form, with its ID and installer image."""

    yaml: str
    id: str
    extensions: tuple[str, ...]
    extra_kernel_args: tuple[str, ...]
    talos_version: TalosVersion | None = None
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    installer: str | None = None  # the intent's installer (platform, SecureBoot, full tag)

    @property
    def installer_image(self) -> str:
        """The intent's installer when it names one, else the metal installer,
        ``factory.talos.dev/metal-installer/<id>:v1.11.1`` (``installer/`` before Talos 1.10;
        the tag is :attr:`TalosVersion.full`, so give the version with its patch release)."""
        if self.installer is not None:
            return self.installer
        if self.talos_version is None:
            raise VersionError("no Talos version given: the installer image tag needs one")
        # metal, as Image Factory's plain "installer" name means; per platform from 1.10
        name = "metal-installer" if self.talos_version.platform_installers else "installer"
        return f"{FACTORY}/{name}/{self.id}:{self.talos_version.full}"


def schematic_id(yaml_text: str) -> str:
    """Lowercase hex SHA-256 of the canonical schematic text (pass :func:`canonical_schematic_yaml`
    output, or a text already in canonical form: the bytes are hashed as given)."""
    return hashlib.sha256(yaml_text.encode("utf-8")).hexdigest()


def canonical_schematic_yaml(mapping: Mapping[str, Any], *, source: str = "<schematic>") -> str:
    """The text Image Factory stores (and hashes) for the schematic ``mapping``."""
    return marshal(_canonical(mapping, source=source))


def build_schematic(
    *,
    talos_version: TalosVersion | str,
    flavour: Flavour,
    branch: Branch,
    fabric_manager: bool = False,
    extra_kernel_args: Sequence[str] = (),
    extra_extensions: Sequence[str] = (),
) -> Schematic:
    """The schematic of a GPU node: the NVIDIA extensions of ``flavour``/``branch`` named for the
    release's era, plus any extra extensions (sorted, de-duplicated) and kernel args (in order).

    Raises :class:`RenderError` when the extension set is inconsistent (e.g. an extra
    ``nvidia-container-toolkit-production`` next to ``lts`` kernel modules).
    """
    return _build(
        TalosVersion.parse(talos_version),
        flavour,
        branch,
        fabric_manager,
        tuple(extra_kernel_args),
        tuple(extra_extensions),
    )


@functools.lru_cache(maxsize=256)
def _build(
    version: TalosVersion,
    flavour: Flavour,
    branch: Branch,
    fabric_manager: bool,
    extra_kernel_args: tuple[str, ...],
    extra_extensions: tuple[str, ...],
) -> Schematic:
    # Memoised: a fleet diff asks for the same few schematics once per node (callers only read
    # the result).
    names = nvidia_extensions(
        talos_version=version, flavour=flavour, branch=branch, fabric_manager=fabric_manager
    )
    extensions = sorted({*names, *(normalise_extension(e) for e in extra_extensions)})
    errors = [i for i in check_extension_set(extensions, talos_version=version) if i.is_error]
    if errors:
        raise RenderError(errors[0].message, path=["extensions"])
    args = _kernel_args(extra_kernel_args)
    customization: dict[str, Any] = {}
    if args:
        customization["extraKernelArgs"] = list(args)
    customization["systemExtensions"] = {"officialExtensions": extensions}
    return _make({"customization": customization}, version=version, source="<schematic>")


def load_schematic(
    text: str,
    source: str = "<schematic>",
    *,
    talos_version: TalosVersion | str | None = None,
    enterprise: bool = False,
) -> Schematic:
    """Read a user's schematic file (YAML or JSON) strictly, as Image Factory does.

    Unknown fields, wrong types and (unless ``enterprise``) ``owner`` are :class:`ConfigError`.
    """
    data = yamlio.load(text, source=source)
    if data is None:
        raise ConfigError("empty schematic", file=source)
    if not isinstance(data, Mapping):
        raise ConfigError("a schematic is a mapping", file=source)
    if data.get("owner") and not enterprise:
        raise ConfigError(
            "owner field is only supported in Enterprise edition", file=source, path=["owner"]
        )
    version = None if talos_version is None else TalosVersion.parse(talos_version)
    return _make(data, version=version, source=source)


# ------------------------------------------------------------------------------ internals
def _make(data: Mapping[str, Any], *, version: TalosVersion | None, source: str) -> Schematic:
    canonical = _canonical(data, source=source)
    text = marshal(canonical)
    custom = canonical["customization"]
    return Schematic(
        yaml=text,
        id=schematic_id(text),
        extensions=tuple(custom.get("systemExtensions", {}).get("officialExtensions", ())),
        extra_kernel_args=tuple(custom.get("extraKernelArgs", ())),
        talos_version=version,
        data=canonical,
    )


def _kernel_args(args: Sequence[str]) -> tuple[str, ...]:
    seen: list[str] = []
    for arg in args:
        if not isinstance(arg, str) or not arg.strip() or any(c.isspace() for c in arg):
            raise RenderError(f"not a kernel argument: {arg!r}", path=["extraKernelArgs"])
        if arg not in seen:
            seen.append(arg)
    return tuple(seen)


def _fields(
    value: Any, allowed: Sequence[str], path: list[str | int], source: str
) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError("expected a mapping", file=source, path=path)
    for key in value:
        if key not in allowed:
            raise ConfigError(
                f"field {key} not found in the schematic (known: {', '.join(allowed)})",
                file=source,
                path=[*path, str(key)],
            )
    return {k: v for k, v in value.items() if v is not None}


def _string(value: Any, path: list[str | int], source: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ConfigError("expected a string", file=source, path=path)
    return value if isinstance(value, str) else str(value)


def _strings(value: Any, path: list[str | int], source: str) -> list[str]:
    if not isinstance(value, list):
        raise ConfigError("expected a list of strings", file=source, path=path)
    return [_string(item, [*path, i], source) for i, item in enumerate(value)]


def _int(value: Any, path: list[str | int], source: str, *, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise ConfigError(f"expected an integer 0..{high}", file=source, path=path)
    return value


def _canonical(data: Mapping[str, Any], *, source: str) -> dict[str, Any]:
    """Validate like the factory's strict decoder and order/omit fields like its encoder."""
    top = _fields(data, ("owner", "overlay", "customization"), [], source)
    out: dict[str, Any] = {}
    owner = _string(top.get("owner", ""), ["owner"], source)
    if owner:
        out["owner"] = owner
    overlay = _fields(top.get("overlay"), ("image", "name", "options"), ["overlay"], source)
    ov = {
        "image": _string(overlay.get("image", ""), ["overlay", "image"], source),
        "name": _string(overlay.get("name", ""), ["overlay", "name"], source),
    }
    options = overlay.get("options")
    if options:
        if not isinstance(options, Mapping):
            raise ConfigError("expected a mapping", file=source, path=["overlay", "options"])
        ov["options"] = _go_sorted(options)
    if ov["image"] or ov["name"] or "options" in ov:
        out["overlay"] = ov
    allowed = (
        "embeddedMachineConfiguration",
        "extraKernelArgs",
        "meta",
        "systemExtensions",
        "bootloader",
        "secureboot",
        "diskImage",
    )
    c = _fields(top.get("customization"), allowed, ["customization"], source)
    cust: dict[str, Any] = {}
    p: list[str | int] = ["customization"]
    if emc := _string(c.get("embeddedMachineConfiguration", ""), [*p, "embedded"], source):
        cust["embeddedMachineConfiguration"] = emc
    if args := _strings(c.get("extraKernelArgs", []), [*p, "extraKernelArgs"], source):
        cust["extraKernelArgs"] = args
    meta = c.get("meta", [])
    if not isinstance(meta, list):
        raise ConfigError("expected a list", file=source, path=[*p, "meta"])
    metas = []
    for i, item in enumerate(meta):
        m = _fields(item, ("key", "value"), [*p, "meta", i], source)
        metas.append(
            {
                "key": _int(m.get("key", 0), [*p, "meta", i, "key"], source, high=255),
                "value": _string(m.get("value", ""), [*p, "meta", i, "value"], source),
            }
        )
    if metas:
        cust["meta"] = metas
    ext = _fields(
        c.get("systemExtensions"), ("officialExtensions",), [*p, "systemExtensions"], source
    )
    if names := _strings(ext.get("officialExtensions", []), [*p, "systemExtensions"], source):
        cust["systemExtensions"] = {"officialExtensions": names}
    boot = _string(c.get("bootloader", "none"), [*p, "bootloader"], source)
    if boot not in _BOOTLOADERS:
        raise ConfigError(f"unknown bootloader {boot!r}", file=source, path=[*p, "bootloader"])
    if boot != "none":
        cust["bootloader"] = boot
    sb = _fields(
        c.get("secureboot"),
        ("enrollKeys", "includeWellKnownCertificates"),
        [*p, "secureboot"],
        source,
    )
    secure: dict[str, Any] = {}
    if keys := _string(sb.get("enrollKeys", ""), [*p, "secureboot", "enrollKeys"], source):
        if keys not in _ENROLL_KEYS:
            raise ConfigError(f"unknown enrollKeys {keys!r}", file=source, path=[*p, "secureboot"])
        secure["enrollKeys"] = keys
    wk = sb.get("includeWellKnownCertificates", False)
    if not isinstance(wk, bool):
        raise ConfigError("expected true or false", file=source, path=[*p, "secureboot"])
    if wk:
        secure["includeWellKnownCertificates"] = True
    if secure:
        cust["secureboot"] = secure
    disk = _fields(c.get("diskImage"), ("sectorSize",), [*p, "diskImage"], source)
    if size := _int(disk.get("sectorSize", 0), [*p, "diskImage", "sectorSize"], source, high=2**32):
        cust["diskImage"] = {"sectorSize": size}
    out["customization"] = cust
    return out


def _go_sorted(value: Any) -> Any:
    """Maps inside ``overlay.options`` (Go ``map[string]any``) are written with sorted keys."""
    if isinstance(value, Mapping):
        keys = sorted((str(k) for k in value), key=_GoKey)
        lookup = {str(k): v for k, v in value.items()}
        return {k: _go_sorted(lookup[k]) for k in keys}
    if isinstance(value, list):
        return [_go_sorted(v) for v in value]
    return value


class _GoKey:
    """yaml.v3 ``sorter.go`` ``keyList.Less`` for string keys (numbers inside compare by value)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __lt__(self, other: _GoKey) -> bool:
        a, b = self.text, other.text
        digits = False
        for i in range(min(len(a), len(b))):
            if a[i] == b[i]:
                digits = a[i].isdigit()
                continue
            al, bl = a[i].isalpha(), b[i].isalpha()
            if al and bl:
                return a[i] < b[i]
            if al or bl:
                return al if digits else bl
            an = bn = 0
            if a[i] == "0" or b[i] == "0":
                j = i - 1
                while j >= 0 and a[j].isdigit():
                    if a[j] != "0":
                        an = bn = 1
                        break
                    j -= 1
            ai = i
            while ai < len(a) and a[ai].isdigit():
                an, ai = an * 10 + int(a[ai]), ai + 1
            bi = i
            while bi < len(b) and b[bi].isdigit():
                bn, bi = bn * 10 + int(b[bi]), bi + 1
            if an != bn:
                return an < bn
            if ai != bi:
                return ai < bi
            return a[i] < b[i]
        return len(a) < len(b)
