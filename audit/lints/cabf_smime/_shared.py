"""What several S/MIME BR lint modules read alike: the profile's validation type and generation,
the mailboxes of subjectAltName (rfc822Name and SmtpUTF8Mailbox), and which CA certificates issue
S/MIME certificates."""

from __future__ import annotations

import re
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.der import children, header
from audit.engine.lean_stdlib import BoundedCache
from audit.engine.names import Name, name_from_asn1
from audit.engine.profiles import Profile

# 7.1.6.1: the twelve reserved policy identifiers.
SMIME_POLICIES = frozenset(
    f"{oids.POLICY_SMIME_ARC}{v}.{g}" for v in range(1, 5) for g in range(1, 4)
)
SMTP_UTF8_MAILBOX = "1.3.6.1.5.5.7.8.9"  # RFC 9598 (RFC 8398) id-on-SmtpUTF8Mailbox

# Profile groups by table column, as the BR text names them.
STRICT = profiles.SMIME_STRICT
MULTIPURPOSE = profiles.SMIME_MULTIPURPOSE
LEGACY = profiles.SMIME_LEGACY
NOT_STRICT = LEGACY | MULTIPURPOSE
NOT_LEGACY = STRICT | MULTIPURPOSE
SMIME_BR = profiles.SMIME_BR


def generation(profile: str) -> str:
    """legacy / multipurpose / strict of an S/MIME BR profile ('smime_mailbox_strict')."""
    return profile.rsplit("_", 1)[1]


def validation(profile: str) -> str:
    """mailbox / organization / sponsor / individual of an S/MIME BR profile."""
    return profile.split("_")[1]


def reserved_smime_policies(cert: CertView) -> list[str]:
    return [p for p in cert.policies or () if p in SMIME_POLICIES]


def is_smime_ca(cert: CertView) -> bool:
    """A CA certificate for issuing S/MIME certificates: its EKU names id-kp-emailProtection
    (7.1.2.2(g) requires it of such a CA) or its policies name a reserved S/MIME policy (7.1.6.3
    requires one of a CA not affiliated with its issuer)."""
    eku = cert.eku
    if eku is not None and oids.EKU_EMAIL_PROTECTION in eku:
        return True
    return any(p in SMIME_POLICIES for p in cert.policies or ())


# -- mailbox addresses --------------------------------------------------------------------------

# RFC 5321 4.1.2 Mailbox (dot-atom or quoted local part; a domain); with RFC 6531's UTF-8 for
# SmtpUTF8Mailbox values. Only to tell a value that *is* a mailbox address from one that is not
# (a Personal Name, an organization name): the rfc5280 lints judge the syntax itself.
_MAILBOX_LIKE = re.compile(r"[^\s@<>(),;:\"]+@[^\s@<>(),;:\"]+\.[^\s@<>(),;:\"]+")


def looks_like_mailbox(value: str) -> bool:
    return _MAILBOX_LIKE.fullmatch(value) is not None


def mailbox_key(address: str) -> tuple[str, str]:
    """An address to compare by: the local part as it is (RFC 5321 2.4: case-sensitive), the
    domain case-folded."""
    local, _, domain = address.rpartition("@")
    return local, domain.casefold()


@dataclass(frozen=True, slots=True)
class OtherName:
    type_id: str
    value: str | None  # a SmtpUTF8Mailbox's text; None when it is not a UTF8String
    tag: int | None  # the universal tag of the value inside [0] EXPLICIT


@dataclass(frozen=True, slots=True)
class SanEntries:
    """subjectAltName's entries by GeneralName type (RFC 5280 4.2.1.6)."""

    kinds: tuple[str, ...]  # each entry's type: rfc822Name, otherName, directoryName, dNSName...
    rfc822: tuple[str, ...]
    other: tuple[OtherName, ...]
    directory: tuple[Name, ...]

    @property
    def mailboxes(self) -> tuple[str, ...]:
        """7.1.4.2.1: the Mailbox Addresses it holds, rfc822Names and SmtpUTF8Mailboxes."""
        utf8 = [o.value for o in self.other if o.type_id == SMTP_UTF8_MAILBOX and o.value]
        return (*self.rfc822, *utf8)


_KINDS = {
    0xA0: "otherName", 0x81: "rfc822Name", 0x82: "dNSName", 0xA3: "x400Address",
    0xA4: "directoryName", 0xA5: "ediPartyName", 0x86: "uniformResourceIdentifier",
    0x87: "iPAddress", 0x88: "registeredID",
}  # fmt: skip
_UTF8_STRING = 0x0C
_NO_ENTRIES = SanEntries((), (), (), ())
_BY_ENCODING: BoundedCache[bytes, SanEntries] = BoundedCache(2048)


def extension_value(cert: CertView, oid: str) -> bytes | None:
    """The first `oid` extension's extnValue octets, from the engine's walk over the encoded
    extensions (no decoder involved)."""
    found = cert.encoded_extension(oid)
    return None if found is None else found.value


def san_entries(cert: CertView) -> SanEntries:
    """The subjectAltName's entries (none when the extension is absent), read from its DER:
    the decoders keep neither an otherName's type nor a directoryName's attributes."""
    der = extension_value(cert, oids.SUBJECT_ALT_NAME)
    if der is None:
        return _NO_ENTRIES
    found = _BY_ENCODING.get(der)
    if found is None:
        found = _BY_ENCODING.keep(der, _parse_san(der))
    return found


def _parse_san(der: bytes) -> SanEntries:
    start, end = header(der, 0)
    kinds, rfc822, other, directory = [], [], [], []
    for tag, pos, _ in children(der, start, end):
        kinds.append(_KINDS.get(tag, f"[{tag & 0x1F}]"))
        first, last = header(der, pos)
        if tag == 0x81:
            rfc822.append(der[first:last].decode("latin-1"))
        elif tag == 0xA0:
            other.append(_other_name(der, first, last))
        elif tag == 0xA4:
            inner = der[first:last]
            directory.append(name_from_asn1(asn1_x509.Name.load(inner)))
    return SanEntries(tuple(kinds), tuple(rfc822), tuple(other), tuple(directory))


def _other_name(der: bytes, start: int, end: int) -> OtherName:
    """AnotherName ::= SEQUENCE { type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY }."""
    parts = children(der, start, end)
    oid_start, oid_end = header(der, parts[0][1])
    type_id = _dotted(der[oid_start:oid_end])
    value: str | None = None
    tag = None
    if len(parts) > 1 and parts[1][0] == 0xA0:
        inner_start, inner_end = header(der, parts[1][1])
        if inner_start < inner_end:
            tag = der[inner_start]
            value_start, value_end = header(der, inner_start)
            if tag == _UTF8_STRING:
                try:
                    value = der[value_start:value_end].decode("utf-8")
                except UnicodeDecodeError:
                    value = None
    return OtherName(type_id, value, tag)


def _dotted(contents: bytes) -> str:
    arcs, n = [], 0
    for octet in contents:
        n = n << 7 | octet & 0x7F
        if not octet & 0x80:
            arcs.append(n)
            n = 0
    if not arcs:
        return ""
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in (first, arcs[0] - 40 * first, *arcs[1:]))


def subject_mailboxes(cert: CertView) -> list[tuple[str, str]]:
    """(attribute OID, value) of each subject attribute value that is a Mailbox Address."""
    return [(a.oid, a.value) for a in cert.subject.attributes if looks_like_mailbox(a.value)]


PROFILE_NAMES = {
    "mailbox": "Mailbox-validated", "organization": "Organization-validated",
    "sponsor": "Sponsor-validated", "individual": "Individual-validated",
}  # fmt: skip


def describe(profile: Profile | str) -> str:
    """'Mailbox-validated Strict' for smime_mailbox_strict."""
    return f"{PROFILE_NAMES[validation(profile)]} {generation(profile).capitalize()}"
