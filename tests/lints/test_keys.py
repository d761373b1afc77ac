"""Golden cases for the key lints: BR 6.1.5 / 6.1.6 and Mozilla Root Store Policy 5.1.

Keys cryptography will not make (even exponents, even moduli, id-RSASSA-PSS keys) are written
into a built certificate's TBS with asn1crypto; the signature then no longer verifies, which
no lint checks.
"""

from datetime import UTC, datetime
from functools import cache

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.asymmetric import dsa, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID

from audit.sample_db.certbuilder import (
    DV_SPEC,
    OV_SPEC,
    ROOT_CA_SPEC,
    SUBORDINATE_CA_SPEC,
    CertSpec,
    der,
    ec_key,
    rsa_key,
)
from tests.lints.golden import Case, check_case


def _at(year: int, month: int, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


@cache
def dsa_key() -> dsa.DSAPrivateKey:
    return dsa.generate_private_key(2048)


@cache
def ed_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def with_rsa_key(spec: CertSpec, *, modulus=None, exponent=None, pss: bool = False) -> bytes:
    """`spec` (with an RSA key) with its public modulus / exponent / key OID replaced."""
    cert = asn1_x509.Certificate.load(der(spec))
    tbs = cert["tbs_certificate"]
    public = tbs["subject_public_key_info"]["public_key"].parsed
    key = asn1_keys.RSAPublicKey(
        {
            "modulus": public["modulus"].native
            if modulus is None
            else modulus(public["modulus"].native),
            "public_exponent": public["public_exponent"].native if exponent is None else exponent,
        }
    )
    algorithm = {"algorithm": "rsassa_pss"} if pss else {"algorithm": "rsa", "parameters": None}
    tbs["subject_public_key_info"] = asn1_keys.PublicKeyInfo(
        {"algorithm": algorithm, "public_key": key}
    )
    return cert.dump(force=True)


def _odd_multiple_of_751(n: int) -> int:
    n -= n % 751
    return n if n % 2 else n - 751


NB = _at(2021, 6, 1)  # after BR 1.7.1 and MRSP 2.7
RSA = DV_SPEC.but(not_before=NB, key=rsa_key(2048))
RSA_E3 = DV_SPEC.but(not_before=NB, key=rsa_key(2048, 0, 3))
RSA_1024 = DV_SPEC.but(not_before=NB, key=rsa_key(1024))
RSA_2044 = DV_SPEC.but(not_before=NB, key=rsa_key(2044))
EC = DV_SPEC.but(not_before=NB)
CODE_SIGNING = DV_SPEC.but(
    not_before=NB, eku=(ExtendedKeyUsageOID.CODE_SIGNING,), policies=None, dns_names=None
)

CASES = [
    # BR 6.1.5: key algorithm
    Case("public_key_algorithm_allowed", RSA, "pass", "RSA"),
    Case("public_key_algorithm_allowed", EC, "pass", "ECDSA"),
    Case("public_key_algorithm_allowed", DV_SPEC.but(not_before=NB, key=ed_key()), "error", "Ed25519"),
    Case("public_key_algorithm_allowed", DV_SPEC.but(not_before=_at(2015, 1, 1), key=dsa_key()),
         "pass", "DSA under BR 1.1.4"),
    Case("public_key_algorithm_allowed", DV_SPEC.but(not_before=_at(2013, 1, 1), key=dsa_key()),
         "error", "DSA before BR 1.1.4"),
    Case("public_key_algorithm_allowed", DV_SPEC.but(not_before=_at(2011, 1, 1), key=ed_key()),
         "ne", "before BR 1.0"),
    Case("dsa_key_prohibited", DV_SPEC.but(not_before=NB, key=dsa_key()), "error"),
    Case("dsa_key_prohibited", SUBORDINATE_CA_SPEC.but(not_before=NB, key=dsa_key()), "error",
         "CA certificate"),
    Case("dsa_key_prohibited", EC, "pass"),
    Case("dsa_key_prohibited", DV_SPEC.but(not_before=_at(2019, 1, 1), key=dsa_key()), "ne",
         "before BR 1.7.1"),
    Case("rsa_key_identified_by_rsa_encryption", RSA, "pass"),
    Case("rsa_key_identified_by_rsa_encryption", with_rsa_key(RSA, pss=True), "error"),
    Case("rsa_key_identified_by_rsa_encryption",
         with_rsa_key(RSA.but(not_before=_at(2020, 1, 1)), pss=True), "ne"),
    # BR 6.1.5: RSA modulus
    Case("rsa_modulus_at_least_2048_bits", RSA, "pass"),
    Case("rsa_modulus_at_least_2048_bits", RSA_1024, "error"),
    Case("rsa_modulus_at_least_2048_bits", SUBORDINATE_CA_SPEC.but(key=rsa_key(1024)), "error",
         "CA"),
    Case("rsa_modulus_at_least_2048_bits", RSA_1024.but(not_before=_at(2012, 9, 1), days=365),
         "pass", "subscriber expiring in 2013"),
    Case("rsa_modulus_at_least_2048_bits",
         SUBORDINATE_CA_SPEC.but(key=rsa_key(1024), not_before=_at(2012, 9, 1), days=365),
         "error", "CA expiring in 2013"),
    Case("rsa_modulus_at_least_2048_bits", RSA_1024.but(not_before=_at(2011, 9, 1)), "ne"),
    Case("rsa_modulus_at_least_2048_bits", EC, "na", "not RSA"),
    Case("rsa_modulus_multiple_of_8_bits", RSA, "pass"),
    Case("rsa_modulus_multiple_of_8_bits", RSA_2044, "error"),
    Case("rsa_modulus_multiple_of_8_bits", RSA_2044.but(not_before=_at(2020, 1, 1)), "ne"),
    # BR 6.1.6: RSA parameters
    Case("rsa_public_exponent_odd", RSA, "pass"),
    Case("rsa_public_exponent_odd", with_rsa_key(RSA, exponent=65536), "error"),
    Case("rsa_public_exponent_odd",
         with_rsa_key(RSA.but(not_before=_at(2012, 9, 1)), exponent=65536), "ne"),
    Case("rsa_public_exponent_at_least_3", RSA_E3, "pass"),
    Case("rsa_public_exponent_at_least_3", with_rsa_key(RSA, exponent=1), "error", "exponent 1"),
    Case("rsa_public_exponent_at_least_3",
         with_rsa_key(ROOT_CA_SPEC.but(key=rsa_key(2048), not_before=NB), exponent=1), "error",
         "root"),
    Case("rsa_public_exponent_at_least_3",
         with_rsa_key(RSA.but(not_before=_at(2012, 9, 1)), exponent=1), "ne"),
    Case("rsa_public_exponent_in_recommended_range", RSA, "pass"),
    Case("rsa_public_exponent_in_recommended_range", RSA_E3, "warn"),
    Case("rsa_public_exponent_in_recommended_range", with_rsa_key(RSA, exponent=2**256 + 1),
         "warn", "too large"),
    Case("rsa_public_exponent_in_recommended_range", RSA_E3.but(not_before=_at(2012, 9, 1)),
         "ne"),
    Case("rsa_modulus_odd", RSA, "pass"),
    Case("rsa_modulus_odd", with_rsa_key(RSA, modulus=lambda n: n + 1), "warn"),
    Case("rsa_modulus_odd",
         with_rsa_key(RSA.but(not_before=_at(2012, 9, 1)), modulus=lambda n: n + 1), "ne"),
    Case("rsa_modulus_no_factors_below_752", RSA, "pass"),
    Case("rsa_modulus_no_factors_below_752", with_rsa_key(RSA, modulus=_odd_multiple_of_751),
         "warn"),
    Case("rsa_modulus_no_factors_below_752",
         with_rsa_key(RSA.but(not_before=_at(2012, 9, 1)), modulus=_odd_multiple_of_751), "ne"),
    # BR 6.1.5: ECDSA curves
    Case("ec_curve_allowed", EC, "pass", "P-256"),
    Case("ec_curve_allowed", DV_SPEC.but(key=ec_key("secp521r1")), "pass", "P-521"),
    Case("ec_curve_allowed", DV_SPEC.but(key=ec_key("secp224r1")), "error", "P-224"),
    Case("ec_curve_allowed", DV_SPEC.but(key=ec_key("secp256k1")), "error", "secp256k1"),
    Case("ec_curve_allowed", DV_SPEC.but(key=ec_key("secp224r1"), not_before=_at(2011, 1, 1)),
         "ne"),
    Case("ec_curve_allowed", RSA, "na", "not ECDSA"),
    # Mozilla Root Store Policy 5.1
    Case("mozilla_key_algorithm_allowed", RSA, "pass"),
    Case("mozilla_key_algorithm_allowed", DV_SPEC.but(not_before=_at(2018, 1, 1), key=dsa_key()),
         "error", "DSA"),
    Case("mozilla_key_algorithm_allowed", DV_SPEC.but(not_before=NB, key=ed_key()), "error",
         "Ed25519"),
    Case("mozilla_key_algorithm_allowed", DV_SPEC.but(not_before=_at(2016, 1, 1), key=dsa_key()),
         "ne", "before MRSP 2.4"),
    Case("mozilla_key_algorithm_allowed", CODE_SIGNING.but(key=dsa_key()), "na",
         "out of Mozilla's scope"),
    Case("mozilla_rsa_modulus_size", RSA, "pass"),
    Case("mozilla_rsa_modulus_size", RSA_2044, "error", "not divisible by 8"),
    Case("mozilla_rsa_modulus_size", OV_SPEC.but(not_before=NB, key=rsa_key(1024)), "error",
         "1024 bits"),
    Case("mozilla_rsa_modulus_size", RSA_2044.but(not_before=_at(2016, 1, 1)), "ne"),
    Case("mozilla_ec_curve_allowed", EC, "pass"),
    Case("mozilla_ec_curve_allowed", DV_SPEC.but(not_before=_at(2024, 1, 1), key=ec_key("secp521r1")),
         "error", "P-521 before MRSP 3.0"),
    Case("mozilla_ec_curve_allowed", DV_SPEC.but(not_before=_at(2025, 4, 1), key=ec_key("secp521r1")),
         "ne", "MRSP 3.0 allows P-521"),
    Case("mozilla_rsassa_pss_key_prohibited", RSA, "pass"),
    Case("mozilla_rsassa_pss_key_prohibited", with_rsa_key(RSA, pss=True), "error"),
    Case("mozilla_rsassa_pss_key_prohibited",
         with_rsa_key(RSA.but(not_before=_at(2019, 1, 1)), pss=True), "ne"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)
