"""The TBSCertificate that Certificate Transparency compares a precertificate and its certificate by.

RFC 6962 3.2: a precertificate's entry holds its TBSCertificate without the poison extension
(and, when a Precertificate Signing Certificate signed it, with the issuer and the
authorityKeyIdentifier of the CA that signs the final certificate); "it is also possible to
reconstruct this TBSCertificate from the final certificate by extracting the TBSCertificate from
it and deleting the SCT extension". A precertificate and the certificate based on it match when
the two agree byte for byte (BR 7.1.2.9; MRSP 5.4).

`ct_tbs_digests` gives two SHA-256 digests per certificate, recorded in the partition phase so
that the population phase can pair precertificates with certificates without the DER:

- of the TBSCertificate without the poison and SCT list extensions, every other field and
  extension as encoded and in order (re-encoded around what was removed);
- of the same without the issuer and the authorityKeyIdentifier extension: what a
  precertificate from a Precertificate Signing CA is compared by.

Header walks only (audit/engine/der.py): nothing is decoded.
"""

from __future__ import annotations

import hashlib

from audit.engine.der import children, encode, header

# The extnID TLVs compared as encoded: no OID is decoded.
_POISON = encode(0x06, bytes.fromhex("2b06010401d679020403"))  # 1.3.6.1.4.1.11129.2.4.3
_SCT_LIST = encode(0x06, bytes.fromhex("2b06010401d679020402"))  # 1.3.6.1.4.1.11129.2.4.2
_AUTHORITY_KEY_ID = encode(0x06, bytes.fromhex("551d23"))  # 2.5.29.35

_EXTENSIONS_TAG = 0xA3  # [3] EXPLICIT Extensions
_VERSION_TAG = 0xA0  # [0] EXPLICIT Version


def ct_tbs_digests(der: bytes) -> tuple[str | None, str | None]:
    """(SHA-256 of the TBSCertificate without the CT extensions, the same also without issuer
    and authorityKeyIdentifier), as hex; (None, None) when the DER cannot be walked."""
    try:
        return _digests(der)
    except (ValueError, IndexError, TypeError):  # asn1crypto's header reader raises ValueError
        return None, None


def _digests(der: bytes) -> tuple[str, str]:
    start, _ = header(der, 0)  # Certificate
    tbs_start, tbs_end = header(der, start)  # tbsCertificate
    fields = children(der, tbs_start, tbs_end)
    if not fields or fields[-1][2] != tbs_end:
        raise ValueError("tbsCertificate's fields do not fill it")
    # RFC 5280 4.1: [0] version, serialNumber, signature, issuer, ...; [3] extensions last.
    _, issuer_start, issuer_end = fields[3 if fields[0][0] == _VERSION_TAG else 2]
    extensions = [f for f in fields if f[0] == _EXTENSIONS_TAG]
    if not extensions:
        whole = der[tbs_start:tbs_end]
        other_issuer = der[tbs_start:issuer_start] + der[issuer_end:tbs_end]
    else:
        _, ext_start, ext_end = extensions[0]
        kept, kept_other_issuer = _kept_extensions(der, ext_start)
        before, after = der[tbs_start:ext_start], der[ext_end:tbs_end]
        whole = b"".join((before, kept, after))
        other_issuer = b"".join(
            (der[tbs_start:issuer_start], der[issuer_end:ext_start], kept_other_issuer, after)
        )
    return (
        hashlib.sha256(encode(0x30, whole)).hexdigest(),
        hashlib.sha256(encode(0x30, other_issuer)).hexdigest(),
    )


def _kept_extensions(der: bytes, pos: int) -> tuple[bytes, bytes]:
    """The [3] Extensions field at `pos` re-encoded without the poison and SCT list extensions,
    and also without authorityKeyIdentifier; the others as encoded and in order. Each extnID is
    compared as encoded: the OID TLVs are matched whole, so no other OID matches them."""
    explicit_start, _ = header(der, pos)
    sequence_start, sequence_end = header(der, explicit_start)
    extensions = children(der, sequence_start, sequence_end)
    if extensions and extensions[-1][2] != sequence_end:
        raise ValueError("extensions do not fill their SEQUENCE")
    kept: list[bytes] = []
    kept_other_issuer: list[bytes] = []
    for _, ext_pos, ext_end in extensions:
        oid = header(der, ext_pos)[0]  # the extnID TLV begins the Extension's contents
        if der.startswith(_POISON, oid) or der.startswith(_SCT_LIST, oid):
            continue
        tlv = der[ext_pos:ext_end]
        kept.append(tlv)
        if not der.startswith(_AUTHORITY_KEY_ID, oid):
            kept_other_issuer.append(tlv)
    return (
        encode(_EXTENSIONS_TAG, encode(0x30, b"".join(kept))),
        encode(_EXTENSIONS_TAG, encode(0x30, b"".join(kept_other_issuer))),
    )
