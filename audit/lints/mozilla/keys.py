"""Mozilla Root Store Policy 5.1: the keys and signature algorithms Mozilla allows.

Scope (MRSP 1.1): certificates chaining to a Mozilla root whose EKU allows TLS server or
e-mail use, or that have no EKU. The chain is not visible here; the database is assumed to be
a CA in Mozilla's program, and the EKU test decides the rest. S/MIME certificates are in
scope, which is why these lints are not limited to the TLS profiles.
"""

from __future__ import annotations

from audit.engine import oids
from audit.engine.certview import CertView
from audit.engine.profiles import Profile
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br.keys import is_ec, is_rsa, key_algorithm_name
from audit.lints.cabf_br.signature import signature_name

KNOWN_PROFILES = frozenset(Profile) - {Profile.UNKNOWN}
IN_SCOPE_EKUS = frozenset({oids.EKU_SERVER_AUTH, oids.EKU_EMAIL_PROTECTION, oids.EKU_ANY})

MOZILLA_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384"}

# MRSP 5.1.1 / 5.1.2 (2.7 onwards): RSASSA-PKCS1-v1_5 with SHA-1 (restricted by 5.1.3),
# SHA-256/384/512, RSASSA-PSS with SHA-256/384/512, ECDSA P-256 with SHA-256 and P-384 with
# SHA-384. MRSP 3.0 adds P-521 keys and so ECDSA with SHA-512.
MOZILLA_SIGNATURES = frozenset({
    oids.SHA1_WITH_RSA, oids.SHA256_WITH_RSA, oids.SHA384_WITH_RSA, oids.SHA512_WITH_RSA,
    oids.RSASSA_PSS, oids.ECDSA_WITH_SHA256, oids.ECDSA_WITH_SHA384,
})  # fmt: skip
MOZILLA_3_0_SIGNATURES = MOZILLA_SIGNATURES | {oids.ECDSA_WITH_SHA512}


def in_mozilla_scope(cert: CertView) -> bool:
    """MRSP 1.1: no EKU, or an EKU with serverAuth, emailProtection or anyExtendedKeyUsage."""
    eku = cert.eku
    return eku is None or not IN_SCOPE_EKUS.isdisjoint(eku)


@lint(
    name="mozilla_key_algorithm_allowed",
    description="The subject public key is RSA or ECDSA: Mozilla does not and will not "
    "support DSA (or any other key type). zlint dates its DSA lint from MRSP 2.4.1 "
    "(2017-03-31); the 5.1 list without DSA is MRSP 2.4's (2017-02-28).",
    citation="Mozilla Root Store Policy 5.1",
    source=Source.MOZILLA,
    severity=Status.ERROR,
    applies=KNOWN_PROFILES,
    effective=dates.MOZILLA_POLICY_2_4,
    when=in_mozilla_scope,
    zlint=("e_prohibit_dsa_usage",),
)
def mozilla_key_algorithm_allowed(cert: CertView) -> Outcome:
    algorithm = cert.public_key_algorithm
    if algorithm in (oids.RSA_ENCRYPTION, oids.RSASSA_PSS, oids.EC_PUBLIC_KEY):
        return PASS  # id-RSASSA-PSS keys are mozilla_rsassa_pss_key_prohibited's concern
    return fail(f"public key algorithm {key_algorithm_name(algorithm)} is not RSA or ECDSA")


@lint(
    name="mozilla_rsa_modulus_size",
    description="An RSA modulus is at least 2048 bits and its size in bits is divisible by 8.",
    citation="Mozilla Root Store Policy 5.1",
    source=Source.MOZILLA,
    severity=Status.ERROR,
    applies=KNOWN_PROFILES,
    effective=dates.MOZILLA_POLICY_2_4,
    when=lambda cert: in_mozilla_scope(cert) and is_rsa(cert),
    zlint=("e_mp_modulus_must_be_2048_bits_or_more", "e_mp_modulus_must_be_divisible_by_8"),
)
def mozilla_rsa_modulus_size(cert: CertView) -> Outcome:
    bits = cert.key.bits or 0
    problems = []
    if bits < 2048:
        problems.append("fewer than 2048")
    if bits % 8:
        problems.append("not divisible by 8")
    if problems:
        return fail(f"RSA modulus is {bits} bits: {' and '.join(problems)}")
    return PASS


@lint(
    name="mozilla_ec_curve_allowed",
    description="An ECDSA key is on P-256 or P-384. MRSP 3.0 (2025-03-15) allows P-521 as "
    "well, the same list as the BR (ec_curve_allowed), so this lint ends there.",
    citation="Mozilla Root Store Policy 5.1 (2.4 to 2.9)",
    source=Source.MOZILLA,
    severity=Status.ERROR,
    applies=KNOWN_PROFILES,
    effective=dates.MOZILLA_POLICY_2_4,
    ineffective=dates.MOZILLA_POLICY_3_0,
    when=lambda cert: in_mozilla_scope(cert) and is_ec(cert),
)
def mozilla_ec_curve_allowed(cert: CertView) -> Outcome:
    curve = cert.key.curve
    if curve in MOZILLA_CURVES:
        return PASS
    return fail(f"ECDSA key is on {curve or 'an unnamed curve'}, not P-256 or P-384")


@lint(
    name="mozilla_rsassa_pss_key_prohibited",
    description="An RSA key is identified by rsaEncryption, never by id-RSASSA-PSS "
    "(1.2.840.113549.1.1.10), in the subjectPublicKeyInfo.",
    citation="Mozilla Root Store Policy 5.1.1",
    source=Source.MOZILLA,
    severity=Status.ERROR,
    applies=KNOWN_PROFILES,
    effective=dates.MOZILLA_POLICY_2_7,
    when=in_mozilla_scope,
    zlint=("e_mp_rsassa-pss_in_spki",),
)
def mozilla_rsassa_pss_key_prohibited(cert: CertView) -> Outcome:
    if cert.public_key_algorithm == oids.RSASSA_PSS:
        return fail("subjectPublicKeyInfo uses id-RSASSA-PSS for an RSA key")
    return PASS


@lint(
    name="mozilla_signature_algorithm_allowed",
    description="The certificate is signed with an algorithm MRSP 5.1.1 / 5.1.2 lists: "
    "RSASSA-PKCS1-v1_5 with SHA-1 (further restricted by 5.1.3), SHA-256, SHA-384 or SHA-512; "
    "RSASSA-PSS with SHA-256, SHA-384 or SHA-512; ECDSA with SHA-256 or SHA-384, and from MRSP "
    "3.0 (2025-03-15) ECDSA with SHA-512 for P-521 keys.",
    citation="Mozilla Root Store Policy 5.1.1, 5.1.2",
    source=Source.MOZILLA,
    severity=Status.ERROR,
    applies=KNOWN_PROFILES,
    effective=dates.MOZILLA_POLICY_2_7,
    when=in_mozilla_scope,
)
def mozilla_signature_algorithm_allowed(cert: CertView) -> Outcome:
    allowed = (
        MOZILLA_3_0_SIGNATURES if cert.judged_at >= dates.MOZILLA_POLICY_3_0 else MOZILLA_SIGNATURES
    )
    if cert.signature_algorithm not in allowed:
        return fail(f"signed with {signature_name(cert.signature_algorithm)}")
    return PASS
