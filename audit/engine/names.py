"""Distinguished names, decoded once into plain tuples that lints can read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cryptography import x509

from audit.engine.lean_stdlib import derived, quick_init
from audit.engine.oids import SHORT_NAMES

# ASN.1 universal tags of the string types an attribute value can have.
UTF8_STRING = 12
PRINTABLE_STRING = 19
TELETEX_STRING = 20
IA5_STRING = 22
UNIVERSAL_STRING = 28
BMP_STRING = 30

_ASN1_STRING_TAGS = {
    "utf8_string": UTF8_STRING, "printable_string": PRINTABLE_STRING,
    "teletex_string": TELETEX_STRING, "ia5_string": IA5_STRING,
    "universal_string": UNIVERSAL_STRING, "bmp_string": BMP_STRING,
}  # fmt: skip


@quick_init
@dataclass(frozen=True, slots=True)
class Attr:
    oid: str
    value: str
    tag: int | None = None  # the ASN.1 string type, when known


@dataclass(frozen=True)
class Name:
    rdns: tuple[tuple[Attr, ...], ...]
    # The RFC 4514 text, or the decoder's Name to render it from when first asked: only
    # messages and outputs show it, and rendering costs more than decoding the name.
    text: str | x509.Name = field(compare=False, repr=False)

    @derived
    def rfc4514(self) -> str:
        text = self.text
        return text if isinstance(text, str) else text.rfc4514_string()

    @derived
    def attributes(self) -> tuple[Attr, ...]:
        return tuple(a for rdn in self.rdns for a in rdn)

    @derived
    def _by_oid(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for a in self.attributes:
            out.setdefault(a.oid, []).append(a.value)
        return out

    def has(self, oid: str) -> bool:
        return oid in self._by_oid

    @derived
    def attribute_types(self) -> frozenset[str]:
        """The OIDs of the attributes present, for set tests over the whole name."""
        return frozenset(self._by_oid)

    def values(self, oid: str) -> list[str]:
        return self._by_oid.get(oid, [])

    def first(self, oid: str) -> str | None:
        values = self._by_oid.get(oid)
        return values[0] if values else None

    @property
    def is_empty(self) -> bool:
        return not self.attributes

    @derived
    def has_empty_rdn(self) -> bool:
        return any(not rdn for rdn in self.rdns)

    @derived
    def normalized(self) -> tuple[tuple[tuple[str, str], ...], ...]:
        """For RFC 5280 7.1 name matching: case-folded, whitespace-collapsed values."""
        return tuple(
            tuple(sorted((a.oid, " ".join(a.value.casefold().split())) for a in rdn))
            for rdn in self.rdns
            if rdn
        )


def name_from_crypto(name: x509.Name) -> Name:
    rdns = tuple(tuple(_attr_from_crypto(a) for a in rdn) for rdn in name.rdns)
    return Name(rdns, name)


_DOTTED: dict[x509.ObjectIdentifier, str] = {}  # attribute types are few: their dotted text, once


def _attr_from_crypto(a: x509.NameAttribute) -> Attr:
    oid = a.oid
    dotted = _DOTTED.get(oid)
    if dotted is None:
        dotted = oid.dotted_string
        if len(_DOTTED) < 1024:
            _DOTTED[oid] = dotted
    value = a.value
    return Attr(dotted, value if type(value) is str else _text(value), _crypto_tag(a))


def name_from_asn1(name: Any) -> Name:
    """asn1crypto Name -> Name; tolerates empty RDN sets and odd string types."""
    rdns = []
    for rdn in name.chosen:
        attrs = []
        for atv in rdn:
            value = atv["value"]
            tag = _ASN1_STRING_TAGS.get(getattr(value, "name", None) or "")
            try:
                text = value.native
            except Exception:  # a value asn1crypto cannot decode: keep its raw bytes as text
                text = value.contents.decode("latin-1") if value.contents else ""
            if isinstance(text, dict | list):
                text = str(text)
            attrs.append(Attr(atv["type"].dotted, _text(text), tag))
        rdns.append(tuple(attrs))
    rdns_t = tuple(rdns)
    return Name(rdns_t, _rfc4514(rdns_t))


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def _crypto_tag(attr: x509.NameAttribute) -> int | None:
    # cryptography keeps the encoded string type privately; it is what PrintableString rules need.
    asn1_type = getattr(attr, "_type", None)
    return getattr(asn1_type, "value", None)


def _rfc4514(rdns: tuple[tuple[Attr, ...], ...]) -> str:
    def esc(v: str) -> str:
        v = "".join("\\" + c if c in ',+"\\<>;' else c for c in v)
        if v[:1] in ("#", " "):
            v = "\\" + v
        return v[:-1] + "\\ " if v.endswith(" ") else v

    parts = [
        "+".join(f"{SHORT_NAMES.get(a.oid, a.oid)}={esc(a.value)}" for a in rdn)
        for rdn in reversed(rdns)
    ]
    return ",".join(parts)
