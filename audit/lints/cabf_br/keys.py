"""BR 6.1.5 / 6.1.6: the subject public key's algorithm, size and parameters.

These apply to every certificate the TLS BRs govern (root, subordinate CA, OCSP responder and
subscriber certificates), as 6.1.5 does.
"""

from __future__ import annotations

import math

import gmpy2

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.profiles import Profile
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail, outcome
from audit.lints import dates

BR_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
KEY_ALGORITHMS = {
    oids.RSA_ENCRYPTION: "rsaEncryption", oids.RSASSA_PSS: "id-RSASSA-PSS",
    oids.EC_PUBLIC_KEY: "id-ecPublicKey", oids.DSA: "id-dsa",
    oids.ED25519: "id-Ed25519", oids.ED448: "id-Ed448",
}  # fmt: skip
RSA_OIDS = frozenset({oids.RSA_ENCRYPTION, oids.RSASSA_PSS})


def _primes_below(n: int) -> list[int]:
    sieve = bytearray([1]) * n
    sieve[:2] = b"\x00\x00"
    for i in range(2, math.isqrt(n) + 1):
        if sieve[i]:
            sieve[i * i :: i] = bytearray(len(sieve[i * i :: i]))
    return [i for i, is_prime in enumerate(sieve) if is_prime]


SMALL_PRIMES = _primes_below(752)  # BR 6.1.6: "no factors smaller than 752"
SMALL_PRIMES_PRODUCT = gmpy2.mpz(math.prod(SMALL_PRIMES))  # one gcd (GMP's) tests them all


def is_rsa(cert: CertView) -> bool:
    return cert.key_algorithm == "rsa"


def is_ec(cert: CertView) -> bool:
    return cert.key_algorithm == "ec"


def key_algorithm_name(oid: str) -> str:
    return f"{KEY_ALGORITHMS[oid]} ({oid})" if oid in KEY_ALGORITHMS else oid


# -- algorithm ----------------------------------------------------------------------------------


@lint(
    name="public_key_algorithm_allowed",
    description="The subject public key is RSA or ECDSA, or DSA for certificates issued from "
    "BR 1.1.4 (2013-05-03), the version that added DSA to the list. DSA's removal in BR 1.7.1 "
    "is its own lint, dsa_key_prohibited.",
    citation="BR 6.1.5; BR 1.0 Appendix A; BR 1.1.4 (Ballot 99)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_1_0,
    zlint=("e_public_key_type_not_allowed",),
)
def public_key_algorithm_allowed(cert: CertView) -> Outcome:
    algorithm = cert.public_key_algorithm  # read first: `key` cannot decode unknown algorithms
    if algorithm in RSA_OIDS or algorithm == oids.EC_PUBLIC_KEY:
        return PASS
    if algorithm == oids.DSA:
        if cert.judged_at >= dates.BR_DSA_PERMITTED:
            return PASS
        return fail("DSA keys were not allowed before BR 1.1.4 (2013-05-03)")
    return fail(f"public key algorithm {key_algorithm_name(algorithm)} is not RSA, ECDSA or DSA")


@lint(
    name="dsa_key_prohibited",
    description="The subject public key is not DSA: BR 1.7.1 removed DSA from the allowed key "
    "types (6.1.5) and signature algorithms (7.1.3.2).",
    citation="BR 6.1.5; BR 1.7.1 (Ballot SC31)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_1_7_1,
    zlint=("e_br_prohibit_dsa_usage",),
)
def dsa_key_prohibited(cert: CertView) -> Outcome:
    if cert.public_key_algorithm == oids.DSA:
        return fail(f"subject public key is DSA ({cert.key.bits} bits)")
    return PASS


@lint(
    name="rsa_key_identified_by_rsa_encryption",
    description="An RSA subject public key is identified by rsaEncryption, not by another "
    "algorithm such as id-RSASSA-PSS. (Mozilla's earlier rule is "
    "mozilla_rsassa_pss_key_prohibited.)",
    citation="BR 7.1.3.1.1; BR 1.7.1 (Ballot SC31)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_1_7_1,
)
def rsa_key_identified_by_rsa_encryption(cert: CertView) -> Outcome:
    if cert.public_key_algorithm == oids.RSASSA_PSS:
        return fail("subjectPublicKeyInfo uses id-RSASSA-PSS for an RSA key")
    return PASS


# -- RSA ----------------------------------------------------------------------------------------


@lint(
    name="rsa_modulus_at_least_2048_bits",
    description="An RSA modulus is at least 2048 bits. BR 1.0's transition allowed 1024 bits "
    "in subscriber certificates whose validity ended on or before 31 December 2013, and in "
    "subordinate CA certificates whose validity began on or before 31 December 2010 and ended "
    "on or before 31 December 2013; those are held to 1024. Appendix A's table dates CA "
    "certificates by the start of their validity, so it judges CA certificates issued before "
    "the BR Effective Date too (as zlint does); subscriber certificates issued before it get "
    "'ne'.",
    citation="BR 6.1.5; BR 1.0 Appendix A",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.ALWAYS,
    when=is_rsa,
    zlint=(
        "e_rsa_mod_less_than_2048_bits", "e_old_sub_cert_rsa_mod_less_than_1024_bits",
        "e_old_root_ca_rsa_mod_less_than_2048_bits", "e_old_sub_ca_rsa_mod_less_than_1024_bits",
    ),
    version=2,
)  # fmt: skip
def rsa_modulus_at_least_2048_bits(cert: CertView) -> Outcome:
    is_ca = cert.profile in profiles.CA
    if not is_ca and cert.judged_at < dates.BR_1_0:
        return outcome(Status.NE, "subscriber certificate issued before the BR Effective Date")
    minimum = 2048
    if (
        cert.profile in profiles.SUBSCRIBER_TLS
        and cert.not_after < dates.BR_1024_BIT_SUBSCRIBER_EXPIRY
    ) or (
        cert.profile == Profile.SUBORDINATE_CA
        and cert.judged_at < dates.BR_2048_BIT_CA_VALIDITY_START
        and cert.not_after < dates.BR_1024_BIT_SUBSCRIBER_EXPIRY
    ):
        minimum = 1024
    bits = cert.key.bits or 0
    if bits < minimum:
        return fail(f"RSA modulus is {bits} bits, fewer than {minimum}")
    return PASS


@lint(
    name="rsa_modulus_multiple_of_8_bits",
    description="The size of an RSA modulus in bits is evenly divisible by 8.",
    citation="BR 6.1.5 (since BR 1.7.1, Ballot SC31)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_1_7_1,
    when=is_rsa,
)
def rsa_modulus_multiple_of_8_bits(cert: CertView) -> Outcome:
    bits = cert.key.bits or 0
    if bits % 8:
        return fail(f"RSA modulus is {bits} bits, not a multiple of 8")
    return PASS


@lint(
    name="rsa_public_exponent_odd",
    description="The RSA public exponent is an odd number. BR 1.1.1 (Ballot 93) made this "
    "effective 2013-01-01; zlint dates it 2013-02-21.",
    citation="BR 6.1.6; BR 1.1.1 (Ballot 93)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_RSA_PARAMETERS,
    when=is_rsa,
    zlint=("e_rsa_public_exponent_not_odd",),
)
def rsa_public_exponent_odd(cert: CertView) -> Outcome:
    exponent = cert.key.rsa_exponent or 0
    if exponent % 2 == 0:
        return fail(f"RSA public exponent {exponent} is even")
    return PASS


@lint(
    name="rsa_public_exponent_at_least_3",
    description="The RSA public exponent is 3 or more (an exponent of 1, or a negative one, "
    "makes the key useless). Effective 2013-01-01 (Ballot 93); zlint dates it 2013-02-21 and "
    "Mozilla's equivalent 2017-02-28.",
    citation="BR 6.1.6; BR 1.1.1 (Ballot 93); Mozilla Root Store Policy 5.2",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_RSA_PARAMETERS,
    when=is_rsa,
    zlint=("e_rsa_public_exponent_too_small", "e_mp_exponent_cannot_be_one", "e_rsa_exp_negative"),
)
def rsa_public_exponent_at_least_3(cert: CertView) -> Outcome:
    exponent = cert.key.rsa_exponent or 0
    if exponent < 3:
        return fail(f"RSA public exponent {exponent} is less than 3")
    return PASS


@lint(
    name="rsa_public_exponent_in_recommended_range",
    description="The RSA public exponent SHOULD be in the range 2^16 + 1 to 2^256 - 1.",
    citation="BR 6.1.6; BR 1.1.1 (Ballot 93)",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_RSA_PARAMETERS,
    when=is_rsa,
    zlint=("w_rsa_public_exponent_not_in_range",),
)
def rsa_public_exponent_in_recommended_range(cert: CertView) -> Outcome:
    exponent = cert.key.rsa_exponent or 0
    if not (2**16 + 1 <= exponent <= 2**256 - 1):
        shown = exponent if exponent.bit_length() <= 64 else f"a {exponent.bit_length()}-bit number"
        return fail(f"RSA public exponent {shown} is outside 2^16+1 .. 2^256-1")
    return PASS


@lint(
    name="rsa_modulus_odd",
    description="The RSA modulus SHOULD be an odd number (an even modulus has the factor 2).",
    citation="BR 6.1.6; BR 1.1.1 (Ballot 93)",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_RSA_PARAMETERS,
    when=is_rsa,
    zlint=("w_rsa_mod_not_odd",),
)
def rsa_modulus_odd(cert: CertView) -> Outcome:
    if (cert.key.rsa_modulus or 0) % 2 == 0:
        return fail("RSA modulus is even")
    return PASS


@lint(
    name="rsa_modulus_no_factors_below_752",
    description="The RSA modulus SHOULD have no factors smaller than 752. (BR 6.1.6 also asks "
    "that it not be the power of a prime; that needs a primality test per certificate and is "
    "not checked here.)",
    citation="BR 6.1.6; BR 1.1.1 (Ballot 93)",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_RSA_PARAMETERS,
    when=is_rsa,
    zlint=("w_rsa_mod_factors_smaller_than_752",),
)
def rsa_modulus_no_factors_below_752(cert: CertView) -> Outcome:
    modulus = cert.key.rsa_modulus or 0
    if gmpy2.gcd(modulus, SMALL_PRIMES_PRODUCT) != 1:
        factors = [p for p in SMALL_PRIMES if modulus % p == 0]
        return fail(f"RSA modulus is divisible by {', '.join(map(str, factors[:10]))}")
    return PASS


# -- ECDSA --------------------------------------------------------------------------------------


@lint(
    name="ec_curve_allowed",
    description="An ECDSA key is on NIST P-256, P-384 or P-521, as a named curve.",
    citation="BR 6.1.5; BR 1.0 Appendix A",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_1_0,
    when=is_ec,
    zlint=("e_ec_improper_curves",),
)
def ec_curve_allowed(cert: CertView) -> Outcome:
    curve = cert.key.curve
    if curve in BR_CURVES:
        return PASS
    if curve is None:
        return fail("ECDSA key does not name its curve (implicit or explicit parameters)")
    return fail(f"ECDSA key is on {curve}, not P-256, P-384 or P-521")
