"""BR 6.1.5 / 7.1.3: the algorithm the issuing CA signed the certificate with.

Only the signatureAlgorithm OID is judged here; the byte-exact encodings BR 7.1.3.2 requires
(NULL parameters, RSASSA-PSS parameter sets) and the match with the issuer's key are other
checks. A certificate cannot show its issuer's key, so "P-256 keys sign with SHA-256" is not
checked either.
"""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.profiles import Profile
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail, outcome
from audit.lints import dates

NAMES = {
    oids.MD2_WITH_RSA: "md2WithRSAEncryption", oids.MD4_WITH_RSA: "md4WithRSAEncryption",
    oids.MD5_WITH_RSA: "md5WithRSAEncryption", oids.SHA1_WITH_RSA: "sha1WithRSAEncryption",
    oids.SHA224_WITH_RSA: "sha224WithRSAEncryption",
    oids.SHA256_WITH_RSA: "sha256WithRSAEncryption",
    oids.SHA384_WITH_RSA: "sha384WithRSAEncryption",
    oids.SHA512_WITH_RSA: "sha512WithRSAEncryption", oids.RSASSA_PSS: "RSASSA-PSS",
    oids.ECDSA_WITH_SHA1: "ecdsa-with-SHA1", oids.ECDSA_WITH_SHA224: "ecdsa-with-SHA224",
    oids.ECDSA_WITH_SHA256: "ecdsa-with-SHA256", oids.ECDSA_WITH_SHA384: "ecdsa-with-SHA384",
    oids.ECDSA_WITH_SHA512: "ecdsa-with-SHA512", oids.DSA_WITH_SHA1: "dsa-with-sha1",
    oids.DSA_WITH_SHA224: "dsa-with-sha224", oids.DSA_WITH_SHA256: "dsa-with-sha256",
}  # fmt: skip

# BR 1.0 Appendix A / BR 1.x 6.1.5: digest SHA-1, SHA-256, SHA-384 or SHA-512, with the RSA,
# ECDSA or DSA keys the same table allows. RSASSA-PSS names its digest in parameters; BR 1.x
# allowed RSA with those digests and does not exclude the PSS padding, so it passes here.
BR_1_DIGEST_SIGNATURES = frozenset({
    oids.SHA1_WITH_RSA, oids.SHA256_WITH_RSA, oids.SHA384_WITH_RSA, oids.SHA512_WITH_RSA,
    oids.RSASSA_PSS, oids.ECDSA_WITH_SHA1, oids.ECDSA_WITH_SHA256, oids.ECDSA_WITH_SHA384,
    oids.ECDSA_WITH_SHA512, oids.DSA_WITH_SHA1, oids.DSA_WITH_SHA256,
})  # fmt: skip

# BR 7.1.3.2 (since BR 1.7.1): RSASSA-PKCS1-v1_5 and RSASSA-PSS with SHA-256/384/512, and ECDSA
# with SHA-256/384/512. No DSA; sha1WithRSAEncryption only for the narrow CA-certificate case.
BR_7_1_3_2_SIGNATURES = frozenset({
    oids.SHA256_WITH_RSA, oids.SHA384_WITH_RSA, oids.SHA512_WITH_RSA, oids.RSASSA_PSS,
    oids.ECDSA_WITH_SHA256, oids.ECDSA_WITH_SHA384, oids.ECDSA_WITH_SHA512,
})  # fmt: skip

WEAK_DIGESTS = {oids.MD2_WITH_RSA: "MD2", oids.MD4_WITH_RSA: "MD4", oids.MD5_WITH_RSA: "MD5"}


def signature_name(oid: str) -> str:
    return f"{NAMES[oid]} ({oid})" if oid in NAMES else oid


def _signed_with(cert: CertView) -> str:
    return f"signed with {signature_name(cert.signature_algorithm)}"


def _not_sha1(cert: CertView) -> Outcome:
    if cert.signature_algorithm in oids.SHA1_SIGNATURES:
        return fail(_signed_with(cert))
    return PASS


def _weak_or_other(cert: CertView, other: str) -> Outcome:
    """A signature algorithm not allowed: MD2, MD4 and MD5 by name, the rest as `other` says."""
    weak = WEAK_DIGESTS.get(cert.signature_algorithm)
    if weak is not None:
        return fail(f"{_signed_with(cert)}: {weak} is prohibited")
    return fail(f"{_signed_with(cert)}{other}")


@lint(
    name="signature_sha1_prohibited",
    description="Subscriber and subordinate CA certificates issued from 2016-01-01 are not "
    "signed with SHA-1. Self-signed roots are outside this rule (their self-signature is not "
    "relied on); BR 7.1.3.2 covers them from BR 1.7.1. zlint applies it to roots too.",
    citation="BR 7.1.3; BR 1.2.1 (Ballot 118)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS | {Profile.SUBORDINATE_CA},
    effective=dates.BR_SHA1_PROHIBITED,
    zlint=("e_sub_cert_or_sub_ca_using_sha1",),
)
def signature_sha1_prohibited(cert: CertView) -> Outcome:
    return _not_sha1(cert)


@lint(
    name="ocsp_responder_signature_sha1_prohibited",
    description="OCSP responder certificates issued from 2017-01-01 are not signed with SHA-1 "
    "(BR 7.1.3 let CAs sign certificates that verify OCSP responses with SHA-1 until then).",
    citation="BR 7.1.3; BR 1.2.1 (Ballot 118)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=frozenset({Profile.OCSP_RESPONDER}),
    effective=dates.BR_SHA1_OCSP_RESPONDER_PROHIBITED,
)
def ocsp_responder_signature_sha1_prohibited(cert: CertView) -> Outcome:
    return _not_sha1(cert)


@lint(
    name="subscriber_sha1_expires_by_2017",
    description="A subscriber certificate signed with SHA-1 and issued from 2015-01-16 SHOULD "
    "NOT expire after 1 January 2017. From 2016-01-01 SHA-1 subscriber certificates are "
    "prohibited outright (signature_sha1_prohibited), so this lint ends there; zlint keeps it "
    "open-ended.",
    citation="BR 7.1.3; BR 1.2.1 (Ballot 118)",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_SHA1_EXPIRY_SHOULD_NOT,
    ineffective=dates.BR_SHA1_PROHIBITED,
    zlint=("w_sub_cert_sha1_expiration_too_long",),
)
def subscriber_sha1_expires_by_2017(cert: CertView) -> Outcome:
    if (
        cert.signature_algorithm in oids.SHA1_SIGNATURES
        and cert.not_after > dates.BR_SHA1_EXPIRY_LIMIT
    ):
        return fail(f"{_signed_with(cert)} and expires {cert.not_after:%Y-%m-%d}, after 2017-01-01")
    return PASS


@lint(
    name="signature_digest_allowed_br_1",
    description="From BR 1.0 until BR 1.7.1 the signature uses SHA-1, SHA-256, SHA-384 or "
    "SHA-512 with RSA, ECDSA or DSA: MD2, MD4, MD5 and every other digest are prohibited. "
    "zlint applies its equivalent from any date (its MD5 vector is from 1999, before the BR).",
    citation="BR 6.1.5; BR 1.0 Appendix A",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_1_0,
    ineffective=dates.BR_1_7_1,
    zlint=("e_signature_algorithm_not_supported",),
)
def signature_digest_allowed_br_1(cert: CertView) -> Outcome:
    algorithm = cert.signature_algorithm
    if algorithm in BR_1_DIGEST_SIGNATURES:
        return PASS
    return _weak_or_other(cert, ", not SHA-1 or SHA-2 with RSA, ECDSA or DSA")


@lint(
    name="signature_algorithm_allowed_br_7_1_3_2",
    description="From BR 1.7.1 the signature algorithm is RSASSA-PKCS1-v1_5 or RSASSA-PSS with "
    "SHA-256, SHA-384 or SHA-512, or ECDSA with SHA-256, SHA-384 or SHA-512. DSA is gone. "
    "sha1WithRSAEncryption remains only for a root or subordinate CA cross-certificate that "
    "duplicates an existing SHA-1 one (never a precertificate); one certificate cannot show "
    "that, so a SHA-1 CA certificate is a warning and any other SHA-1 certificate an error.",
    citation="BR 7.1.3.2; BR 1.7.1 (Ballot SC31)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_1_7_1,
    zlint=("e_signature_algorithm_not_supported",),
)
def signature_algorithm_allowed_br_7_1_3_2(cert: CertView) -> Outcome:
    algorithm = cert.signature_algorithm
    if algorithm in BR_7_1_3_2_SIGNATURES:
        return PASS
    if algorithm == oids.SHA1_WITH_RSA and cert.profile in profiles.CA:
        return outcome(
            Status.WARN,
            f"{_signed_with(cert)}: allowed only for a CA cross-certificate duplicating an "
            "existing SHA-1 certificate (BR 7.1.3.2.1)",
        )
    return _weak_or_other(cert, ", not an algorithm BR 7.1.3.2 allows")
