"""S/MIME certificates for the golden cases of audit/lints/cabf_smime: a clean certificate per
validation type and generation (`smime`), and the DER pieces no builder writes (SAN entries,
otherNames, name attributes of any string type) to break one thing at a time."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from asn1crypto import core as asn1_core
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from audit.engine import oids
from audit.sample_db.certbuilder import (
    RFC822_NAME,
    CertSpec,
    Issuer,
    der_with_tbs_fields,
    general_names,
    name,
    test_issuer,
    tlv,
)

NB = datetime(2025, 3, 1, tzinfo=UTC)  # S/MIME BR 1.0.x, before the Legacy sunset and SMC013
MAILBOX = "alice@example.com"
POLICY = {
    (v, g): f"2.23.140.1.5.{i}.{j}"
    for i, v in enumerate(("mailbox", "organization", "sponsor", "individual"), 1)
    for j, g in enumerate(("legacy", "multipurpose", "strict"), 1)
}
SMTP_UTF8_MAILBOX = "1.3.6.1.5.5.7.8.9"
OTHER_NAME, DIRECTORY_NAME, DNS_NAME = 0xA0, 0xA4, 0x82
EMAIL_PROTECTION = ExtendedKeyUsageOID.EMAIL_PROTECTION
ORG = "Example GmbH"
ORG_ID = "NTRDE-DER3306.HRB12345"


@cache
def smime_issuer() -> Issuer:
    """The shared test issuing CA, publishing under a real TLD (the BR want public URLs)."""
    base = test_issuer()
    return Issuer(base.subject, base.key, base.key_id, "http://pki.example.com")


SUBJECTS: dict[str, tuple[tuple[Any, str], ...]] = {
    "mailbox": ((NameOID.COMMON_NAME, MAILBOX),),
    "organization": (
        (NameOID.COUNTRY_NAME, "DE"), (NameOID.ORGANIZATION_NAME, ORG),
        (oids.ORGANIZATION_IDENTIFIER, ORG_ID), (NameOID.COMMON_NAME, ORG),
    ),
    "sponsor": (
        (NameOID.COUNTRY_NAME, "DE"), (NameOID.ORGANIZATION_NAME, ORG),
        (oids.ORGANIZATION_IDENTIFIER, ORG_ID), (NameOID.GIVEN_NAME, "Alice"),
        (NameOID.SURNAME, "Example"), (NameOID.COMMON_NAME, "Alice Example"),
    ),
    "individual": (
        (NameOID.COUNTRY_NAME, "DE"), (NameOID.GIVEN_NAME, "Alice"),
        (NameOID.SURNAME, "Example"), (NameOID.COMMON_NAME, "Alice Example"),
    ),
}  # fmt: skip


def san(*entries: tuple[int, bytes]) -> bytes:
    """A subjectAltName value: GeneralNames of (tag, contents) pairs."""
    return general_names(*entries)


def rfc822(address: str) -> tuple[int, bytes]:
    return RFC822_NAME, address.encode()


def other_name(type_id: str, value: bytes) -> tuple[int, bytes]:
    """otherName contents: the type-id OID and the [0] EXPLICIT value (a whole TLV)."""
    return OTHER_NAME, asn1_core.ObjectIdentifier(type_id).dump() + tlv(0xA0, value)


def smtp_utf8(address: str) -> tuple[int, bytes]:
    return other_name(SMTP_UTF8_MAILBOX, tlv(0x0C, address.encode()))


def directory_name(*pairs: tuple[Any, str]) -> tuple[int, bytes]:
    """directoryName contents: [4] EXPLICIT, so the whole Name TLV."""
    return DIRECTORY_NAME, name(*pairs).public_bytes()


def smime(
    validation: str = "mailbox", generation: str = "strict", *, subject: Any = None, **changes: Any
) -> CertSpec:
    """A clean S/MIME subscriber certificate of this type and generation (EC P-256, signing)."""
    spec = CertSpec(
        subject=subject if subject is not None else name(*SUBJECTS[validation]),
        dns_names=None,
        not_before=NB,
        days=365,
        issuer=smime_issuer(),
        key_usage=("digital_signature",),
        eku=(EMAIL_PROTECTION,),
        policies=(POLICY[validation, generation],),
        subject_key_id=True,
    ).with_extension_der(oids.SUBJECT_ALT_NAME, san(rfc822(MAILBOX)))
    return spec.but(**changes) if changes else spec


def with_san(spec: CertSpec, value: bytes, critical: bool = False) -> CertSpec:
    """`spec` with its subjectAltName replaced by `value`."""
    kept = tuple(e for e in spec.der_extensions if e[0] != oids.SUBJECT_ALT_NAME)
    return spec.but(der_extensions=(*kept, (oids.SUBJECT_ALT_NAME, value, critical)))


def without_san(spec: CertSpec) -> CertSpec:
    return spec.but(
        der_extensions=tuple(e for e in spec.der_extensions if e[0] != oids.SUBJECT_ALT_NAME)
    )


def attribute(oid: str, value: str, tag: int = 0x0C) -> bytes:
    """One AttributeTypeAndValue in an RDN of its own, its value of the string type `tag`."""
    atv = tlv(0x30, asn1_core.ObjectIdentifier(oid).dump() + tlv(tag, value.encode()))
    return tlv(0x31, atv)


def with_subject_der(spec: CertSpec, *rdns: bytes) -> bytes:
    """`spec`'s certificate with its subject written from these RDNs, as encoded."""
    return der_with_tbs_fields(spec, subject=tlv(0x30, b"".join(rdns)))
