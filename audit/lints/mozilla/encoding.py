"""Mozilla Root Store Policy 5.1.1 / 5.1.2 (from MRSP 2.7): algorithm identifiers byte for byte.

MRSP lists the exact DER of every AlgorithmIdentifier it allows, for public keys and for
signatures, and says no other encoding may be used. cryptography normalises these away, so the
lints compare `CertView.encoded_algorithms`, the bytes as issued. Both copies of the signature
algorithm (TBSCertificate.signature and Certificate.signatureAlgorithm) are checked.

Which algorithms are allowed at all is mozilla/keys.py's concern (mozilla_key_algorithm_allowed,
mozilla_ec_curve_allowed, mozilla_signature_algorithm_allowed); these lints judge only how an
algorithm of a known kind is encoded, so one defect gives one finding.
"""

from __future__ import annotations

from collections.abc import Collection

from audit.engine import oids
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br.signature import signature_name
from audit.lints.mozilla.keys import KNOWN_PROFILES, in_mozilla_scope

_h = bytes.fromhex

# MRSP 5.1.1: rsaEncryption with an explicit NULL.
RSA_KEY = _h("300d06092a864886f70d0101010500")

# MRSP 5.1.2: id-ecPublicKey with the named curve, nothing else.
EC_KEYS = {
    _h("301306072a8648ce3d020106082a8648ce3d030107"): "P-256",
    _h("301006072a8648ce3d020106052b81040022"): "P-384",
    _h("301006072a8648ce3d020106052b81040023"): "P-521",  # listed from MRSP 3.0
}

# MRSP 5.1.1: RSASSA-PKCS1-v1_5 with an explicit NULL (SHA-1 only where 5.1.3 still allows it).
RSA_SIGNATURES = {
    oids.SHA1_WITH_RSA: _h("300d06092a864886f70d0101050500"),
    oids.SHA256_WITH_RSA: _h("300d06092a864886f70d01010b0500"),
    oids.SHA384_WITH_RSA: _h("300d06092a864886f70d01010c0500"),
    oids.SHA512_WITH_RSA: _h("300d06092a864886f70d01010d0500"),
}

# MRSP 5.1.1: RSASSA-PSS with SHA-256/384/512, MGF1 with the same hash, salt of the hash's length,
# the hash AlgorithmIdentifiers with NULL parameters, trailerField omitted.
PSS_SIGNATURES = {
    _h(
        "304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f7"
        "0d010108300d06096086480165030402010500a203020120"
    ): "SHA-256",
    _h(
        "304106092a864886f70d01010a3034a00f300d06096086480165030402020500a11c301a06092a864886f7"
        "0d010108300d06096086480165030402020500a203020130"
    ): "SHA-384",
    _h(
        "304106092a864886f70d01010a3034a00f300d06096086480165030402030500a11c301a06092a864886f7"
        "0d010108300d06096086480165030402030500a203020140"
    ): "SHA-512",
}

# MRSP 5.1.2: the signing key's curve decides the hash; parameters absent (RFC 5758 3.2).
ECDSA_SIGNATURES = {
    "P-256": _h("300a06082a8648ce3d040302"),
    "P-384": _h("300a06082a8648ce3d040303"),
    "P-521": _h("300a06082a8648ce3d040304"),
}
ECDSA_SIGNATURE_OIDS = frozenset({
    oids.ECDSA_WITH_SHA1, oids.ECDSA_WITH_SHA224, oids.ECDSA_WITH_SHA256,
    oids.ECDSA_WITH_SHA384, oids.ECDSA_WITH_SHA512,
})  # fmt: skip
_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}


def _signature_fields(cert: CertView) -> tuple[tuple[str, bytes], ...]:
    encoded = cert.encoded_algorithms
    return (
        ("signatureAlgorithm", encoded.signature),
        ("TBSCertificate.signature", encoded.tbs_signature),
    )


def _not_as_listed(cert: CertView, allowed: Collection[bytes], what: str) -> Outcome:
    fields = _signature_fields(cert)
    bad = [f"{field} is {value.hex()[:200]}" for field, value in fields if value not in allowed]
    if bad:
        return fail(f"{what} is not encoded as MRSP 5.1 lists: {'; '.join(bad)}")
    return PASS


@lint(
    name="mozilla_rsa_key_encoding",
    description="An RSA subjectPublicKeyInfo's algorithm is encoded exactly as rsaEncryption "
    "with NULL parameters (300d06092a864886f70d0101010500).",
    citation="Mozilla Root Store Policy 5.1.1",
    source=Source.MOZILLA,
    severity=Status.ERROR,
    applies=KNOWN_PROFILES,
    effective=dates.MOZILLA_POLICY_2_7,
    when=lambda cert: in_mozilla_scope(cert) and cert.public_key_algorithm == oids.RSA_ENCRYPTION,
)
def mozilla_rsa_key_encoding(cert: CertView) -> Outcome:
    encoded = cert.encoded_algorithms.public_key
    if encoded != RSA_KEY:
        return fail(f"RSA subjectPublicKeyInfo algorithm is encoded as {encoded.hex()}")
    return PASS


@lint(
    name="mozilla_ec_key_encoding",
    description="An ECDSA subjectPublicKeyInfo's algorithm is encoded exactly as "
    "id-ecPublicKey with the named curve P-256, P-384 or P-521 (no explicit or implicit curve "
    "parameters). Whether the curve itself was allowed when the certificate was issued (P-521 "
    "only from MRSP 3.0) is mozilla_ec_curve_allowed's finding; zlint dates this lint from "
    "MRSP 3.0 (2025-03-15), but the exact encodings are required since MRSP 2.7 (2020-01-01).",
    citation="Mozilla Root Store Policy 5.1.2",
    source=Source.MOZILLA,
    severity=Status.ERROR,
    applies=KNOWN_PROFILES,
    effective=dates.MOZILLA_POLICY_2_7,
    when=lambda cert: in_mozilla_scope(cert) and cert.public_key_algorithm == oids.EC_PUBLIC_KEY,
    zlint=("e_mp_ecdsa_pub_key_encoding_correct",),
)
def mozilla_ec_key_encoding(cert: CertView) -> Outcome:
    encoded = cert.encoded_algorithms.public_key
    if encoded not in EC_KEYS:
        return fail(
            "ECDSA subjectPublicKeyInfo algorithm is encoded as "
            f"{encoded.hex()[:200]}, not id-ecPublicKey with a named curve MRSP lists"
        )
    return PASS


@lint(
    name="mozilla_rsa_signature_encoding",
    description="An RSASSA-PKCS1-v1_5 signature algorithm is encoded exactly as its OID with "
    "NULL parameters (e.g. 300d06092a864886f70d01010b0500 for sha256WithRSAEncryption).",
    citation="Mozilla Root Store Policy 5.1.1",
    source=Source.MOZILLA,
    severity=Status.ERROR,
    applies=KNOWN_PROFILES,
    effective=dates.MOZILLA_POLICY_2_7,
    when=lambda cert: in_mozilla_scope(cert) and cert.signature_algorithm in RSA_SIGNATURES,
)
def mozilla_rsa_signature_encoding(cert: CertView) -> Outcome:
    expected = RSA_SIGNATURES[cert.signature_algorithm]
    return _not_as_listed(cert, {expected}, signature_name(cert.signature_algorithm))


@lint(
    name="mozilla_rsassa_pss_signature_encoding",
    description="An RSASSA-PSS signature algorithm is encoded exactly as one of MRSP's three "
    "parameter sets: SHA-256, SHA-384 or SHA-512, MGF1 with the same hash, a salt as long as "
    "the hash, hash parameters NULL and the trailer field omitted.",
    citation="Mozilla Root Store Policy 5.1.1",
    source=Source.MOZILLA,
    severity=Status.ERROR,
    applies=KNOWN_PROFILES,
    effective=dates.MOZILLA_POLICY_2_7,
    when=lambda cert: in_mozilla_scope(cert) and cert.signature_algorithm == oids.RSASSA_PSS,
    zlint=("e_mp_rsassa-pss_parameters_encoding_in_signature_algorithm_correct",),
)
def mozilla_rsassa_pss_signature_encoding(cert: CertView) -> Outcome:
    return _not_as_listed(cert, PSS_SIGNATURES.keys(), "RSASSA-PSS")


# The longest DER ECDSA-Sig-Value an n-bit curve gives: SEQUENCE of two INTEGERs below its order.
_SIGNATURE_SIZES = ((72, "P-256"), (104, "P-384"), (139, "P-521"))


def signing_curve(cert: CertView) -> str | None:
    """The curve of the key that made the certificate's ECDSA signature: the certificate's own
    for a self-signed one, else the smallest curve whose signatures can be as long as this one
    (a P-384 key gives a signature that fits P-256's 72 octets with odds of about 2^-240)."""
    if cert.is_self_signed:
        return _CURVES.get(cert.key.curve or "")
    size = len(cert.signature_value)
    return next((curve for longest, curve in _SIGNATURE_SIZES if size <= longest), None)


@lint(
    name="mozilla_ecdsa_signature_encoding",
    description="An ECDSA signature uses the hash MRSP pairs with the signing key's curve "
    "(P-256 with SHA-256, P-384 with SHA-384, P-521 with SHA-512), encoded exactly as the "
    "ecdsa-with-SHA* OID without parameters. The signing key's curve is the certificate's own "
    "for a self-signed certificate, and otherwise follows from the length of the signature "
    "value. zlint dates this lint from MRSP 3.0 (2025-03-15); MRSP 2.7 (2020-01-01) already "
    "required the pairing and encodings for P-256 and P-384.",
    citation="Mozilla Root Store Policy 5.1.2",
    source=Source.MOZILLA,
    severity=Status.ERROR,
    applies=KNOWN_PROFILES,
    effective=dates.MOZILLA_POLICY_2_7,
    when=lambda cert: in_mozilla_scope(cert) and cert.signature_algorithm in ECDSA_SIGNATURE_OIDS,
    zlint=("e_mp_ecdsa_signature_encoding_correct",),
)
def mozilla_ecdsa_signature_encoding(cert: CertView) -> Outcome:
    curve = signing_curve(cert)
    if curve is None:
        return fail("the ECDSA signature was not made with a P-256, P-384 or P-521 key")
    return _not_as_listed(cert, {ECDSA_SIGNATURES[curve]}, f"ECDSA signature by a {curve} key")
