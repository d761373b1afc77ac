"""RFC 5280 4.1: the certificate's structure as encoded, which strict decoders smooth over.

A decoder reads an explicitly encoded DEFAULT value the same as an absent one, and keeps one
AlgorithmIdentifier where the certificate holds two. These rules read the DER itself
(`CertView.tbs_encoding`, `encoded_algorithms`, `encoded_extension`), located by asn1crypto's
header reader. DER is required of every certificate since RFC 2459 4.1 ("the data to be
signed is encoded using the ASN.1 distinguished encoding rules").
"""

from __future__ import annotations

from asn1crypto import core as asn1_core
from asn1crypto import parser as asn1_parser

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates

_SEQUENCE = 0x30
_FALSE = b"\x01\x01\x00"  # a BOOLEAN TLV holding FALSE


def _hex(encoding: bytes, limit: int = 64) -> str:
    return encoding[:limit].hex() + ("..." if len(encoding) > limit else "")


# -- signature -----------------------------------------------------------------------------


@lint(
    name="signature_algorithm_matches_tbs",
    description="The certificate's signatureAlgorithm is the same AlgorithmIdentifier, byte for "
    "byte (OID and parameters), as the signature field inside tbsCertificate. zlint dates the "
    "rule from RFC 5280; RFC 2459 4.1.1.2 already required it.",
    citation="RFC 5280 4.1.1.2 (also RFC 2459 4.1.1.2)",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    zlint=("e_cert_sig_alg_not_match_tbs_sig_alg",),
)
def signature_algorithm_matches_tbs(cert: CertView) -> Outcome:
    encoded = cert.encoded_algorithms
    if encoded.signature != encoded.tbs_signature:
        return fail(
            f"signatureAlgorithm {_hex(encoded.signature)} differs from tbsCertificate.signature "
            f"{_hex(encoded.tbs_signature)}"
        )
    return PASS


# -- RSA AlgorithmIdentifiers carry NULL parameters ------------------------------------------


def _with_null(oid: str) -> bytes:
    """The DER of AlgorithmIdentifier { oid, NULL }."""
    body = asn1_core.ObjectIdentifier(oid).dump() + b"\x05\x00"
    return bytes([_SEQUENCE, len(body)]) + body


RSA_ENCRYPTION_WITH_NULL = _with_null(oids.RSA_ENCRYPTION)
# RSASSA-PKCS1-v1_5 signature OIDs (RFC 3279 2.2.1, RFC 4055 5), by the DER of the OID.
_RSA_SIGNATURE_OIDS = (
    oids.MD2_WITH_RSA, oids.MD4_WITH_RSA, oids.MD5_WITH_RSA, oids.SHA1_WITH_RSA,
    oids.SHA224_WITH_RSA, oids.SHA256_WITH_RSA, oids.SHA384_WITH_RSA, oids.SHA512_WITH_RSA,
)  # fmt: skip
RSA_SIGNATURES = {
    asn1_core.ObjectIdentifier(o).dump(): (o, _with_null(o)) for o in _RSA_SIGNATURE_OIDS
}


def _algorithm_oid(algorithm_identifier: bytes) -> bytes:
    """The OID TLV that opens an AlgorithmIdentifier's DER."""
    ai = algorithm_identifier
    # The common shape read in place: a short SEQUENCE whose first element is a short OID.
    if (
        len(ai) >= 4 and ai[0] == _SEQUENCE and ai[1] < 0x80 and ai[2] == 0x06 and ai[3] < 0x80
        and 4 + ai[3] <= 2 + ai[1] <= len(ai)
    ):  # fmt: skip
        return ai[2 : 4 + ai[3]]
    contents = asn1_parser.parse(algorithm_identifier, strict=False)[4]
    _, _, _, header, oid, _ = asn1_parser.parse(contents, strict=False)
    return header + oid


def _tbs_rsa_signature(cert: CertView) -> tuple[str, bytes] | None:
    """(OID, the encoding with NULL) when TBSCertificate.signature is an RSASSA-PKCS1-v1_5 one."""
    return RSA_SIGNATURES.get(_algorithm_oid(cert.encoded_algorithms.tbs_signature))


@lint(
    name="rsa_key_algorithm_parameters_null",
    description="An rsaEncryption subjectPublicKeyInfo carries NULL parameters: present, and "
    "NULL (300d06092a864886f70d0101010500). zlint dates the rule from RFC 5280; RFC 3279 "
    "(April 2002) already required it.",
    citation="RFC 3279 2.3.1; RFC 4055 1.2",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_3279,
    when=lambda cert: cert.public_key_algorithm == oids.RSA_ENCRYPTION,
    zlint=("e_spki_rsa_encryption_parameter_not_null",),
)
def rsa_key_algorithm_parameters_null(cert: CertView) -> Outcome:
    encoded = cert.encoded_algorithms.public_key
    if encoded != RSA_ENCRYPTION_WITH_NULL:
        return fail(
            f"rsaEncryption AlgorithmIdentifier is {_hex(encoded)}, not with NULL parameters"
        )
    return PASS


@lint(
    name="rsa_signature_algorithm_parameters_null",
    description="An RSASSA-PKCS1-v1_5 signature algorithm (md5WithRSAEncryption to "
    "sha512WithRSAEncryption) in tbsCertificate.signature carries NULL parameters: present, "
    "and NULL. (The outer signatureAlgorithm is the same bytes, or "
    "signature_algorithm_matches_tbs reports it.) zlint dates the rule from RFC 5280; RFC 3279 "
    "(April 2002) already required it.",
    citation="RFC 3279 2.2.1; RFC 4055 5",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_3279,
    when=lambda cert: _tbs_rsa_signature(cert) is not None,
    zlint=("e_tbs_signature_rsa_encryption_parameter_not_null",),
)
def rsa_signature_algorithm_parameters_null(cert: CertView) -> Outcome:
    encoded = cert.encoded_algorithms.tbs_signature
    oid, expected = _tbs_rsa_signature(cert) or ("", encoded)
    if encoded != expected:
        return fail(
            f"tbsCertificate.signature ({oid}) is {_hex(encoded)}, not with NULL parameters"
        )
    return PASS


# -- unique identifiers --------------------------------------------------------------------


def _unique_identifiers(cert: CertView) -> list[str]:
    tbs = cert.tbs_encoding
    return [
        label
        for label, present in (
            ("issuerUniqueID", tbs.issuer_unique_id),
            ("subjectUniqueID", tbs.subject_unique_id),
        )
        if present is not None
    ]


@lint(
    name="no_unique_identifiers",
    description="The certificate carries neither issuerUniqueID nor subjectUniqueID: CAs "
    "conforming to RFC 5280 MUST NOT generate them (RFC 3280 said SHOULD NOT).",
    citation="RFC 5280 4.1.2.8",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_5280,
    zlint=("e_cert_contains_unique_identifier",),
)
def no_unique_identifiers(cert: CertView) -> Outcome:
    present = _unique_identifiers(cert)
    if present:
        return fail(f"the certificate contains {' and '.join(present)}")
    return PASS


@lint(
    name="unique_identifiers_only_in_v2_or_v3",
    description="issuerUniqueID and subjectUniqueID appear only in version 2 or 3 "
    "certificates. zlint dates the rule from RFC 5280; RFC 2459 4.1.2.8 already had it.",
    citation="RFC 5280 4.1.2.8 (also RFC 2459 4.1.2.8)",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    zlint=("e_cert_unique_identifier_version_not_2_or_3",),
)
def unique_identifiers_only_in_v2_or_v3(cert: CertView) -> Outcome:
    present = _unique_identifiers(cert)
    if present and cert.version not in (2, 3):
        return fail(f"version {cert.version} certificate contains {' and '.join(present)}")
    return PASS


# -- DEFAULT values are not encoded (X.690 11.5) -------------------------------------------
# cryptography's DER parser refuses an encoded DEFAULT: Extension.critical when it loads the
# certificate, BasicConstraints.cA when it parses the extension (tests/lints/test_encoding_more
# holds it to that). So only what it refused needs the DER walk, which keeps the common case free.


def _strictly_parsed(cert: CertView, oid: str | None) -> bool:
    """Did cryptography parse the extensions (and the `oid` one, when given) strictly?"""
    extensions = cert.extension_list
    if not extensions or extensions[0].crypto is None:
        return False  # the tolerant decoder read them (or there are none: nothing to check)
    return oid is None or cert.extensions[oid].crypto is not None


@lint(
    name="extension_critical_default_not_encoded",
    description="No extension encodes critical as FALSE: FALSE is the DEFAULT, and DER leaves "
    "a DEFAULT value out. zlint dates the rule from RFC 5280; DER is required since RFC 2459.",
    citation="RFC 5280 4.1, 4.2; ITU-T X.690 11.5",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    zlint=("e_cert_ext_invalid_der",),
)
def extension_critical_default_not_encoded(cert: CertView) -> Outcome:
    if _strictly_parsed(cert, None):
        return PASS
    explicit = [e.oid for e in cert.encoded_extensions if e.critical_encoded and not e.critical]
    if explicit:
        return fail(f"critical is encoded as FALSE in extensions {', '.join(explicit)}")
    return PASS


@lint(
    name="basic_constraints_ca_default_not_encoded",
    description="basicConstraints does not encode cA as FALSE: FALSE is the DEFAULT, and DER "
    "leaves a DEFAULT value out.",
    citation="RFC 5280 4.1, 4.2.1.9; ITU-T X.690 11.5",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    needs=(oids.BASIC_CONSTRAINTS,),
    zlint=("e_basic_constr_invalid_der",),
)
def basic_constraints_ca_default_not_encoded(cert: CertView) -> Outcome:
    if _strictly_parsed(cert, oids.BASIC_CONSTRAINTS):
        return PASS
    ext = cert.encoded_extension(oids.BASIC_CONSTRAINTS)
    if ext is None or not ext.value:
        return PASS  # an empty extnValue is not this rule's concern
    # BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }
    contents = asn1_parser.parse(ext.value, strict=False)[4]
    if contents.startswith(_FALSE):
        return fail("basicConstraints encodes cA as FALSE")
    return PASS


# -- issuer and subject ----------------------------------------------------------------------


@lint(
    name="issuer_not_empty",
    description="The issuer field holds a non-empty distinguished name: at least one "
    "attribute (an issuer of empty RDN sets is empty too).",
    citation="RFC 5280 4.1.2.4 (also RFC 2459 4.1.2.4)",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    zlint=("e_issuer_field_empty",),
)
def issuer_not_empty(cert: CertView) -> Outcome:
    if cert.issuer.is_empty:
        return fail(f"the issuer name is empty ({_hex(cert.tbs_encoding.issuer)})")
    return PASS


@lint(
    name="ca_subject_not_empty",
    description="A CA certificate's subject is a non-empty distinguished name (it must match "
    "the issuer field of the certificates the CA signs).",
    citation="RFC 5280 4.1.2.6 (also RFC 2459 4.1.2.6)",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.CA,
    effective=dates.RFC_2459,
    zlint=("e_ca_subject_field_empty",),
)
def ca_subject_not_empty(cert: CertView) -> Outcome:
    if cert.subject.is_empty:
        return fail("the CA certificate's subject name is empty")
    return PASS


@lint(
    name="subject_is_distinguished_name",
    description="The subject is an X.500 distinguished name: an RDNSequence (a SEQUENCE of "
    "SETs of attribute type and value) that a decoder can read as a Name.",
    citation="RFC 5280 4.1.2.6 (also RFC 2459 4.1.2.6)",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    zlint=("e_subject_not_dn",),
)
def subject_is_distinguished_name(cert: CertView) -> Outcome:
    encoding = cert.tbs_encoding.subject
    if encoding[:1] != bytes([_SEQUENCE]):
        return fail(f"the subject is not a SEQUENCE (RDNSequence): {_hex(encoding)}")
    try:
        cert.subject  # noqa: B018 - both decoders refusing it is the finding
    except Exception as exc:  # neither decoder can read it as a Name
        return fail(f"the subject cannot be read as a distinguished name: {exc}"[:300])
    return PASS
