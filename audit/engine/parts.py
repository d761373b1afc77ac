"""The parts of a certificate, and the certificate seen through only some of them.

A part is a piece of the certificate whose octets alone decide some accessors' values: a field
("issuer", "subject", "version", "signature_algorithm", "spki_algorithm") or the first
extension of one OID ("ext:<oid>", its whole TLV: critical flag and value). Each CertView
accessor that depends on parts alone says so where it is defined (`@part(...)`, or `@by_oid`
for the accessors of one extension by its OID); every other accessor (validity, serial, key,
names in the SAN, the raw DER, the database row, the audit's time) is per certificate.

`PartsOnly` is a certificate that answers only for some parts: any other read raises
`OutsideParts` (and is remembered, should the code reading it swallow the exception). Code run
against it to the end read those parts alone, whatever it is (a closure, a class, a library),
so its answer holds for every certificate that encodes those parts alike (`PartsKey`). The
engine uses it to decide a profile from a few extensions (audit/engine/profiles.py) and to
share lints' results (audit/engine/shared.py).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from contextlib import suppress
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from audit.engine.certview import CertView

A = TypeVar("A")

EXT = "ext:"


def part(*parts: str) -> Callable[[A], A]:
    """Declare, beside a CertView accessor, the parts whose octets alone decide its value."""

    def declare(accessor: A) -> A:
        accessor.parts = parts  # type: ignore[attr-defined]
        return accessor

    return declare


def by_oid(accessor: A) -> A:
    """Declare a CertView method of one extension by its OID (`has_extension(oid)`): its value
    depends on the first extension of that OID alone."""
    accessor.by_oid = True  # type: ignore[attr-defined]
    return accessor


def extension_part(oid: str) -> str:
    return EXT + oid


class OutsideParts(BaseException):  # noqa: N818 - a signal, not an error
    """Code read more of the certificate than the parts it was shown. A BaseException, so that a
    lint's own `except Exception` does not take it for a decoding error."""

    def __init__(self, needed: tuple[str, ...] | None) -> None:
        super().__init__(needed)
        self.needed = needed  # the parts it would take, or None: not a function of parts


# Read freely: the same for every certificate a shared result serves (results are kept per
# profile).
_FREE = frozenset({"profile"})


@cache
def declared(cls: type) -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """`cls`'s accessors by the parts they declare, and its by-OID accessors."""
    parts: dict[str, tuple[str, ...]] = {}
    oid_methods = set()
    for klass in reversed(cls.__mro__):
        for name, attr in vars(klass).items():
            if getattr(attr, "by_oid", False):
                oid_methods.add(name)
            elif (declared_parts := getattr(attr, "parts", None)) is not None:
                parts[name] = declared_parts
    return parts, frozenset(oid_methods)


class _Inside:
    """No read went outside the parts shown (yet)."""


INSIDE = _Inside()


class PartsOnly:
    """`view`, answering only for `parts` (see the module docstring). `went_outside_at` holds
    the parts that the first read beyond them would have taken (None: not a function of parts),
    INSIDE while every read stayed inside."""

    __slots__ = ("_view", "_names", "_oids", "went_outside_at", "__dict__")

    def __init__(self, view: CertView, parts: Iterable[str]) -> None:
        allowed = frozenset(parts)
        self._view = view
        self.went_outside_at: tuple[str, ...] | None | _Inside = INSIDE
        self._names = _names_for(type(view), allowed)
        self._oids = frozenset(p.removeprefix(EXT) for p in allowed if p.startswith(EXT))

    def __getattr__(self, name: str) -> Any:
        # Called for names not yet read here: an accessor's value is kept in the instance's
        # dict, so that reading it again costs what it costs on the certificate. (The by-OID
        # wrappers are not: they refer back to this view, and a cycle waits for the collector.)
        if name in self._names:
            value = self.__dict__[name] = getattr(self._view, name)
            return value
        if name in declared(type(self._view))[1]:
            return _OneExtension(self, getattr(self._view, name))
        if name == "extensions":
            return _Extensions(self, self._view.extensions)
        raise self.went_outside(declared(type(self._view))[0].get(name))

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # noqa: PLE0307
        """What isinstance() asks of an object whose type is not the class it is given: what
        the certificate is, as much as a part, is not shown."""
        raise self.went_outside(None)

    @property
    def stayed_inside(self) -> bool:
        return self.went_outside_at is INSIDE

    def went_outside(self, needed: tuple[str, ...] | None) -> OutsideParts:
        if self.went_outside_at is INSIDE:
            self.went_outside_at = needed
        return OutsideParts(needed)

    def extension(self, oid: str) -> None:
        """Raise unless the extension of `oid` is one of the parts shown."""
        if oid not in self._oids:
            raise self.went_outside((extension_part(oid),) if isinstance(oid, str) else None)


@cache
def _names_for(cls: type, allowed: frozenset[str]) -> frozenset[str]:
    parts = declared(cls)[0]
    return frozenset(n for n, ps in parts.items() if allowed.issuperset(ps)) | _FREE


class _OneExtension:
    """A by-OID accessor of a PartsOnly view: answers for the extensions shown."""

    __slots__ = ("_shown", "_method")

    def __init__(self, shown: PartsOnly, method: Callable[[str], Any]) -> None:
        self._shown = shown
        self._method = method

    def __call__(self, oid: str) -> Any:
        self._shown.extension(oid)
        return self._method(oid)


class _Extensions:
    """`extensions` of a PartsOnly view: looked up by the OIDs shown; the whole set (its
    length, iterating) is not a part."""

    __slots__ = ("_shown", "_extensions")

    def __init__(self, shown: PartsOnly, extensions: dict[str, Any]) -> None:
        self._shown = shown
        self._extensions = extensions

    def get(self, oid: str, default: Any = None) -> Any:
        self._shown.extension(oid)
        return self._extensions.get(oid, default)

    def __contains__(self, oid: object) -> bool:
        self._shown.extension(oid)  # type: ignore[arg-type]
        return oid in self._extensions

    def __getitem__(self, oid: str) -> Any:
        self._shown.extension(oid)
        return self._extensions[oid]

    def __getattr__(self, name: str) -> Any:  # keys(), items(), len(): every extension
        raise self._shown.went_outside(None)

    def __iter__(self) -> Any:
        raise self._shown.went_outside(None)

    def __len__(self) -> int:
        raise self._shown.went_outside(None)

    def __eq__(self, other: object) -> bool:
        raise self._shown.went_outside(None)

    __hash__ = None  # type: ignore[assignment]


def parts_read(
    code: Callable[[Any], Any], view: CertView, parts: Iterable[str] = ()
) -> tuple[str, ...] | None:
    """The parts `code(view)` reads, widened from `parts` until a run against them completes;
    None when it reads something that is not a part (then it must run per certificate)."""
    shown = set(parts)
    while True:
        guard = PartsOnly(view, shown)
        # OutsideParts, or a decoding error: what it read is told by the guard either way
        with suppress(OutsideParts, Exception):
            code(guard)
        if guard.stayed_inside:
            return tuple(sorted(shown))
        needed = guard.went_outside_at
        assert not isinstance(needed, _Inside)
        if needed is None or shown.issuperset(needed):
            return None
        shown.update(needed)


# -- the octets of each part, read from the certificate's header walk ------------------------


class PartsKey:
    """Reads the encodings of some parts of a certificate, as one key: for an extension part,
    the whole TLV of the first extension of its OID (None when absent); for a field, its octets.
    Certificates with equal keys encode those parts alike."""

    __slots__ = ("extensions", "fields")

    def __init__(self, parts: Iterable[str]) -> None:
        parts = tuple(parts)
        self.extensions = tuple(p.removeprefix(EXT) for p in parts if p.startswith(EXT))
        # KeyError here, when the groups are made, for a part nothing can read
        self.fields = tuple(FIELDS[p] for p in parts if not p.startswith(EXT))

    def of(self, view: CertView) -> tuple[Hashable, ...]:
        key = tuple(map(view.extension_tlvs.get, self.extensions))
        if self.fields:
            key += tuple([read(view) for read in self.fields])
        return key


FIELDS: dict[str, Callable[[CertView], Hashable]] = {
    "issuer": lambda view: view.tbs_encoding.issuer,
    "subject": lambda view: view.tbs_encoding.subject,
    "version": lambda view: view.tbs_encoding.version,
    "signature_algorithm": lambda view: (
        view.encoded_algorithms.signature,
        view.encoded_algorithms.tbs_signature,
    ),
    "spki_algorithm": lambda view: view.encoded_algorithms.public_key,
}
