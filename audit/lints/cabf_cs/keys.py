"""CS BR 6.1.5 and 7.1.3 (1.x: Appendix A): subject keys and signature algorithms of Code Signing
and Timestamp Certificates and of the CAs that issue them.

CS BR 1.2 Appendix A allowed RSA 2048 and SHA-1 ("for legacy implementations only") for
certificates issued before 2021; Ballot CSC-4 moved the switch to RSA 3072 and SHA-2 to
2021-06-01 (CS BR 1.2.2). SHA-1 stayed allowed for Timestamp Authority certificates issued until
2022-04-30 (7.1.3.2.1). Root certificates' own signatures "do not have security relevance"
(App. A), so the signature rule leaves roots out. The 4096-bit minimum that CS BR 3.x sets for
new CA keys (6.1.5.1) is not checked here: a certificate does not say when its key was made.
"""

from __future__ import annotations

from audit.engine import oids
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br.dsa import dsa_key, is_dsa
from audit.lints.cabf_br.keys import BR_CURVES
from audit.lints.cabf_br.signature import signature_name
from audit.lints.cabf_cs._shared import (
    CA,
    SUBSCRIBERS,
    TIME_STAMPING,
    is_cs_br_ca,
    is_cs_br_subordinate,
)

GOVERNED = SUBSCRIBERS | CA  # CA certificates only where their EKU names codeSigning/timeStamping


def _governed(cert: CertView) -> bool:
    return cert.profile in SUBSCRIBERS or is_cs_br_ca(cert)


def _rsa(cert: CertView) -> bool:
    return cert.key_algorithm == "rsa" and _governed(cert)


def _rsa_at_least(cert: CertView, bits: int) -> Outcome:
    size = cert.key.bits or 0
    if size < bits:
        return fail(f"RSA modulus is {size} bits, less than {bits}")
    return PASS


@lint(
    name="cs_rsa_key_at_least_2048_bits",
    description="An RSA key of a Code Signing or Timestamp Certificate, or of a CA issuing "
    "them, has a modulus of at least 2048 bits (until 3072 bits were required).",
    citation="CS BR 1.2 App. A (1), (2)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=GOVERNED,
    effective=dates.CS_BR_1_2,
    ineffective=dates.CS_RSA_3072,
    when=_rsa,
    zlint=("e_cs_rsa_key_size",),
)
def rsa_key_at_least_2048_bits(cert: CertView) -> Outcome:
    return _rsa_at_least(cert, 2048)


@lint(
    name="cs_rsa_key_at_least_3072_bits",
    description="An RSA key of a Code Signing or Timestamp Certificate, or of a CA issuing "
    "them, has a modulus of at least 3072 bits, for certificates issued from 2021-06-01.",
    citation="CS BR 6.1.5.2, 1.2.2; CS BR 2.1 (Ballot CSC-4) App. A",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=GOVERNED,
    effective=dates.CS_RSA_3072,
    when=_rsa,
    zlint=("e_cs_rsa_key_size",),
)
def rsa_key_at_least_3072_bits(cert: CertView) -> Outcome:
    return _rsa_at_least(cert, 3072)


@lint(
    name="cs_ecdsa_curve_allowed",
    description="An ECDSA key of a Code Signing or Timestamp Certificate, or of a CA issuing "
    "them, is on NIST P-256, P-384 or P-521.",
    citation="CS BR 6.1.5.1, 6.1.5.2; CS BR 1.2 App. A",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=GOVERNED,
    effective=dates.CS_BR_1_2,
    when=lambda cert: cert.key_algorithm == "ec" and _governed(cert),
    zlint=("e_cs_ecdsa_prohibited_curve",),
)
def ecdsa_curve_allowed(cert: CertView) -> Outcome:
    curve = cert.key.curve
    if curve in BR_CURVES:
        return PASS
    if curve is None:
        return fail("ECDSA key does not name its curve (implicit or explicit parameters)")
    return fail(f"ECDSA key is on {curve}, not P-256, P-384 or P-521")


# CS BR 6.1.5: (L, N) of a DSA key's modulus p and divisor q. Unlike the TLS BR 1.x, no L=3072.
CS_DSA_SIZES = frozenset({(2048, 224), (2048, 256)})


@lint(
    name="cs_dsa_key_size",
    description="A DSA key of a Code Signing or Timestamp Certificate, or of a CA issuing them, "
    "has a 2048-bit modulus p and a 224- or 256-bit divisor q.",
    citation="CS BR 6.1.5.1, 6.1.5.2; CS BR 1.2 App. A",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=GOVERNED,
    effective=dates.CS_BR_1_2,
    when=lambda cert: is_dsa(cert) and _governed(cert),
)
def dsa_key_size(cert: CertView) -> Outcome:
    key = dsa_key(cert)
    if key.p is None or key.q is None:
        return fail("the DSA key's AlgorithmIdentifier has no domain parameters: L and N unknown")
    sizes = (key.p.bit_length(), key.q.bit_length())
    if sizes not in CS_DSA_SIZES:
        return fail(f"DSA key has L={sizes[0]}, N={sizes[1]}: not L=2048 with N=224 or 256")
    return PASS


# CS BR 7.1.3.2: RSASSA-PKCS1-v1_5 and RSASSA-PSS with SHA-256/384/512, ECDSA with SHA-256/384/
# 512, DSA with SHA-256. (RSASSA-PSS names its digest in parameters, which the encoding lints
# judge.)
SHA2_SIGNATURES = frozenset({
    oids.SHA256_WITH_RSA, oids.SHA384_WITH_RSA, oids.SHA512_WITH_RSA, oids.RSASSA_PSS,
    oids.ECDSA_WITH_SHA256, oids.ECDSA_WITH_SHA384, oids.ECDSA_WITH_SHA512, oids.DSA_WITH_SHA256,
})  # fmt: skip
# CS BR 1.2 App. A: SHA-1 "for legacy implementations only", with any of the key types.
SHA1_LEGACY_SIGNATURES = frozenset({oids.SHA1_WITH_RSA, oids.ECDSA_WITH_SHA1, oids.DSA_WITH_SHA1})
# CS BR 7.1.3.2.1, 7.1.3.2.3: SHA-1 with RSA or DSA in a Timestamp Authority certificate whose
# notBefore is not after 2022-04-30.
SHA1_TIMESTAMP_SIGNATURES = frozenset({oids.SHA1_WITH_RSA, oids.DSA_WITH_SHA1})


def _signed_by_cs_ca(cert: CertView) -> bool:
    return cert.profile in SUBSCRIBERS or is_cs_br_subordinate(cert)


@lint(
    name="cs_signature_algorithm_allowed",
    description="A Code Signing or Timestamp Certificate, or a subordinate CA certificate for "
    "a CA issuing them, is signed with RSA (PKCS #1 v1.5 or PSS), ECDSA with SHA-256, SHA-384 "
    "or SHA-512, or DSA with SHA-256. SHA-1 is accepted before 2021-06-01 (CS BR 1.2 App. A's "
    "legacy allowance) and, with RSA or DSA, in a Timestamp Certificate issued until "
    "2022-04-30.",
    citation="CS BR 7.1.3.2, 1.2.2; CS BR 1.2 App. A",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=GOVERNED,
    effective=dates.CS_BR_1_2,
    when=_signed_by_cs_ca,
    zlint=("e_cs_signature_algorithm_not_supported",),
)
def signature_algorithm_allowed(cert: CertView) -> Outcome:
    algorithm = cert.signature_algorithm
    if algorithm in SHA2_SIGNATURES:
        return PASS
    judged_at = cert.judged_at
    if algorithm in SHA1_LEGACY_SIGNATURES and judged_at < dates.CS_RSA_3072:
        return PASS
    if (
        algorithm in SHA1_TIMESTAMP_SIGNATURES
        and cert.profile in TIME_STAMPING
        and judged_at < dates.CS_SHA1_TIMESTAMP_END
    ):
        return PASS
    return fail(f"signed with {signature_name(algorithm)}")
