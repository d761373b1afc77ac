"""What the population's key checks need of each certificate, recorded as it is linted.

A partition writes `keys/part-NNNNN.parquet` beside its certificates and findings part files:
one row per certificate whose bytes decode (schemas.KEYS). The key checks that need the whole
population (audit/lints/population/: shared keys, shared RSA primes, weak keys, a CA's key in a
subscriber certificate, keys revoked for keyCompromise) read only this dataset, so they never
decode a certificate again.

Every value comes from the certificate as encoded: the SubjectPublicKeyInfo's own octets (what
"the same key" means, as crt.sh's SPKI SHA-256 does), and the key identifier computed from its
subjectPublicKey BIT STRING by RFC 5280 4.2.1.2 method (1), which is what issuing CAs put in
the authorityKeyIdentifier of what they sign. Nothing here is per-row work that the linting has
not already done but two hashes, a header walk and the registrable domains of the names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from audit.engine import oids
from audit.engine.der import children, header
from audit.outputs.domains import registrable_domains

if TYPE_CHECKING:
    from audit.engine.certview import CertView

KEYS_DIR = "keys"

_SPKI_FIELD = 5  # TBSCertificate fields after the version: serial, signature, issuer, validity,
# subject, subjectPublicKeyInfo


def key_row(view: CertView | None, cert_id: str) -> dict[str, Any] | None:
    """The certificate's row of the keys dataset; None when there is no key to speak of (the
    bytes are not a certificate, or its SubjectPublicKeyInfo cannot be located)."""
    if view is None:
        return None
    spki = subject_public_key_info(view.der)
    if spki is None:
        return None
    bits = subject_public_key(spki)
    try:  # what the lints have mostly read already: cached in the view
        facts = [getter(view) for getter in _FACTS]
    except Exception:  # a field neither decoder can read: that one is not known
        facts = [_read(getter, view) for getter in _FACTS]
    is_ca, authority_key_id, dns_names, emails, organization, key = facts
    row: dict[str, Any] = {
        "cert_id": cert_id,
        "spki_sha256": hashlib.sha256(spki).hexdigest(),
        "key_id": hashlib.sha1(bits).hexdigest() if bits is not None else None,
        "authority_key_id": authority_key_id.hex() if authority_key_id else None,
        "key_algorithm": None, "key_bits": None, "rsa_modulus": None, "rsa_exponent": None,
        "public_key": None, "is_ca": is_ca,
        "domains": registrable_domains(dns_names),
        "email_domains": registrable_domains(emails),
        "organization": organization,
    }  # fmt: skip
    if key is not None:
        row["key_algorithm"], row["key_bits"] = key.algorithm, key.bits
        if key.algorithm == "rsa" and key.rsa_modulus is not None:
            row["rsa_modulus"] = to_bytes(key.rsa_modulus)
            row["rsa_exponent"] = to_bytes(key.rsa_exponent or 0)
        else:
            row["public_key"] = bits
    return row


def _email_domains(view: CertView) -> list[str]:
    """The domain parts of the SAN's rfc822Names (an S/MIME subscriber's mail domains)."""
    return [
        g.value.rpartition("@")[2]
        for g in view.san or ()
        if g.kind == "email" and isinstance(g.value, str)
    ]


_FACTS: tuple[Callable[[CertView], Any], ...] = (
    lambda v: v.is_ca,
    lambda v: v.authority_key_id,
    lambda v: v.dns_names,
    _email_domains,
    lambda v: v.subject.first(oids.ORGANIZATION),
    lambda v: v.key,
)


def _read(getter: Callable[[CertView], Any], view: CertView) -> Any:
    try:
        return getter(view)
    except Exception:
        return None


def subject_public_key_info(der: bytes) -> bytes | None:
    """The SubjectPublicKeyInfo TLV as encoded in the certificate `der`, found by header walks
    (None when the walk cannot find it: the decoders then had trouble too)."""
    try:
        cert_start, _ = header(der, 0)
        tbs_start, tbs_end = header(der, cert_start)
        fields = children(der, tbs_start, tbs_end)
        index = _SPKI_FIELD + (1 if fields and fields[0][0] == 0xA0 else 0)  # [0] version
        tag, start, end = fields[index]
    except Exception:  # headers no walk can read
        return None
    return der[start:end] if tag == 0x30 and end <= tbs_end else None


def subject_public_key(spki: bytes) -> bytes | None:
    """The subjectPublicKey BIT STRING's bits (without its unused-bits octet) of an SPKI."""
    try:
        start, end = header(spki, 0)
        parts = children(spki, start, end)
        tag, at, stop = parts[1]
        contents, _ = header(spki, at)
    except Exception:
        return None
    if tag != 0x03 or contents >= stop:
        return None
    return spki[contents + 1 : stop]


def to_bytes(value: int) -> bytes:
    """A non-negative integer as big-endian octets, without leading zeros (zero: one octet)."""
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
