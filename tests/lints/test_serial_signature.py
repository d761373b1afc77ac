"""Golden cases for the serial number and signature algorithm lints.

cryptography refuses to sign with SHA-1 or MD5 and to write non-positive or over-long serials,
so those certificates are built cleanly and then rewritten with asn1crypto (the signature no
longer verifies; no lint checks it).
"""

from datetime import UTC, datetime
from functools import cache

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from audit.sample_db.certbuilder import (
    DV_SPEC,
    ROOT_CA_SPEC,
    SUBORDINATE_CA_SPEC,
    CertSpec,
    Issuer,
    der,
    ec_key,
    rsa_key,
)
from audit.sample_db.certbuilder import (
    test_issuer as shared_issuer,
)
from tests.lints.golden import Case, check_case


def _at(year: int, month: int, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


@cache
def rsa_issuer() -> Issuer:
    return Issuer.from_key(shared_issuer().subject, rsa_key(2048, 1))


@cache
def dsa_issuer() -> Issuer:
    return Issuer.from_key(shared_issuer().subject, dsa.generate_private_key(2048))


@cache
def p521_issuer() -> Issuer:
    return Issuer.from_key(shared_issuer().subject, ec_key("secp521r1", 5))


def rewritten(spec: CertSpec, *, signature: str | None = None, serial: int | None = None) -> bytes:
    """`spec` with its signature algorithm (asn1crypto name, e.g. "sha1_rsa") or serial replaced."""
    cert = asn1_x509.Certificate.load(der(spec))
    tbs = cert["tbs_certificate"]
    if signature is not None:
        algorithm = {"algorithm": signature, "parameters": None}
        tbs["signature"] = algorithm
        cert["signature_algorithm"] = algorithm
    if serial is not None:
        tbs["serial_number"] = serial
    return cert.dump(force=True)


def sha1(spec: CertSpec) -> bytes:
    return rewritten(spec.but(issuer=spec.issuer or rsa_issuer()), signature="sha1_rsa")


NB = _at(2021, 6, 1)
DV = DV_SPEC.but(not_before=NB)
DV_2014 = DV_SPEC.but(not_before=_at(2014, 6, 1), days=365)
SUB_CA = SUBORDINATE_CA_SPEC.but(not_before=NB)
OCSP = DV_SPEC.but(
    eku=(ExtendedKeyUsageOID.OCSP_SIGNING,), dns_names=None, policies=None,
    key_usage=("digital_signature",), ocsp_url=None, crl_url=None,
)  # fmt: skip

CASES = [
    # RFC 5280 4.1.2.2
    Case("serial_number_positive", DV, "pass"),
    Case("serial_number_positive", rewritten(DV, serial=0), "error", "zero"),
    Case("serial_number_positive", rewritten(DV, serial=-5), "error", "negative"),
    Case("serial_number_positive", rewritten(DV.but(not_before=_at(2001, 1, 1)), serial=0), "ne"),
    Case("serial_number_at_most_20_octets", DV.but(serial=2**158), "pass", "20 octets"),
    Case("serial_number_at_most_20_octets", rewritten(DV, serial=2**159), "error",
         "21 octets, sign octet included"),
    Case("serial_number_at_most_20_octets",
         rewritten(DV.but(not_before=_at(2001, 1, 1)), serial=2**170), "ne"),
    # BR 7.1: 64 bits of CSPRNG output, as far as one certificate shows
    Case("serial_number_at_least_64_bits", DV.but(serial=2**56), "pass", "8 octets"),
    Case("serial_number_at_least_64_bits", DV.but(serial=2**56 - 1), "warn", "7 octets"),
    Case("serial_number_at_least_64_bits", SUB_CA.but(serial=1), "warn", "CA"),
    Case("serial_number_at_least_64_bits", DV.but(serial=1, not_before=_at(2016, 9, 1)), "ne"),
    Case("serial_number_at_least_64_bits",
         DV.but(serial=1, eku=(ExtendedKeyUsageOID.CODE_SIGNING,), dns_names=None, policies=None),
         "na", "not TLS"),
    # BR 7.1.3: SHA-1
    Case("signature_sha1_prohibited", DV, "pass"),
    Case("signature_sha1_prohibited", sha1(DV_SPEC.but(not_before=_at(2016, 6, 1))), "error"),
    Case("signature_sha1_prohibited", sha1(SUBORDINATE_CA_SPEC.but(not_before=_at(2016, 6, 1))),
         "error", "subordinate CA"),
    Case("signature_sha1_prohibited", sha1(DV_SPEC.but(not_before=_at(2015, 6, 1))), "ne"),
    Case("signature_sha1_prohibited", sha1(ROOT_CA_SPEC.but(key=rsa_key(2048, 1))), "na",
         "self-signed root"),
    Case("ocsp_responder_signature_sha1_prohibited", OCSP, "pass"),
    Case("ocsp_responder_signature_sha1_prohibited", sha1(OCSP.but(not_before=_at(2017, 6, 1))),
         "error"),
    Case("ocsp_responder_signature_sha1_prohibited", sha1(OCSP.but(not_before=_at(2016, 6, 1))),
         "ne", "SHA-1 allowed until 2017"),
    Case("subscriber_sha1_expires_by_2017", sha1(DV_SPEC.but(not_before=_at(2015, 6, 1), days=700)),
         "warn"),
    Case("subscriber_sha1_expires_by_2017", sha1(DV_SPEC.but(not_before=_at(2015, 6, 1), days=200)),
         "pass", "expires in 2015"),
    Case("subscriber_sha1_expires_by_2017", DV_SPEC.but(not_before=_at(2015, 6, 1), days=700),
         "pass", "SHA-256"),
    Case("subscriber_sha1_expires_by_2017", sha1(DV_SPEC.but(not_before=_at(2016, 2, 1), days=700)),
         "ne", "prohibited outright by then"),
    # BR 1.0 to 1.7.0: digest SHA-1 or SHA-2
    Case("signature_digest_allowed_br_1", DV_2014, "pass", "ECDSA SHA-256"),
    Case("signature_digest_allowed_br_1", sha1(DV_2014), "pass", "SHA-1 still allowed"),
    Case("signature_digest_allowed_br_1", DV_2014.but(issuer=dsa_issuer()), "pass", "DSA"),
    Case("signature_digest_allowed_br_1", rewritten(DV_2014.but(issuer=rsa_issuer()),
         signature="md5_rsa"), "error", "MD5"),
    Case("signature_digest_allowed_br_1", rewritten(DV_2014.but(issuer=rsa_issuer()),
         signature="md2_rsa"), "error", "MD2"),
    Case("signature_digest_allowed_br_1", DV_2014.but(issuer=rsa_issuer(), hash=hashes.SHA224()),
         "error", "SHA-224"),
    Case("signature_digest_allowed_br_1", rewritten(DV.but(issuer=rsa_issuer()),
         signature="md5_rsa"), "ne", "BR 7.1.3.2 judges it"),
    # BR 7.1.3.2 (BR 1.7.1)
    Case("signature_algorithm_allowed_br_7_1_3_2", DV, "pass"),
    Case("signature_algorithm_allowed_br_7_1_3_2", DV.but(issuer=rsa_issuer()), "pass", "RSA"),
    Case("signature_algorithm_allowed_br_7_1_3_2",
         DV.but(issuer=rsa_issuer(), hash=hashes.SHA384()), "pass", "RSA SHA-384"),
    Case("signature_algorithm_allowed_br_7_1_3_2", sha1(DV), "error", "SHA-1 subscriber"),
    Case("signature_algorithm_allowed_br_7_1_3_2", sha1(DV.but(precertificate=True)), "error",
         "SHA-1 precertificate"),
    Case("signature_algorithm_allowed_br_7_1_3_2", sha1(SUB_CA), "warn",
         "SHA-1 CA: maybe a permitted cross-certificate"),
    Case("signature_algorithm_allowed_br_7_1_3_2", DV.but(issuer=dsa_issuer()), "error", "DSA"),
    Case("signature_algorithm_allowed_br_7_1_3_2",
         rewritten(DV.but(issuer=rsa_issuer()), signature="md5_rsa"), "error", "MD5"),
    Case("signature_algorithm_allowed_br_7_1_3_2", sha1(DV_2014), "ne"),
    # Mozilla Root Store Policy 5.1.1 / 5.1.2
    Case("mozilla_signature_algorithm_allowed", DV, "pass"),
    Case("mozilla_signature_algorithm_allowed", sha1(SUB_CA), "pass", "SHA-1 is 5.1.3's business"),
    Case("mozilla_signature_algorithm_allowed", DV.but(issuer=dsa_issuer()), "error", "DSA"),
    Case("mozilla_signature_algorithm_allowed",
         DV_SPEC.but(not_before=_at(2024, 1, 1), issuer=p521_issuer(), hash=hashes.SHA512()),
         "error", "ECDSA SHA-512 before MRSP 3.0"),
    Case("mozilla_signature_algorithm_allowed",
         DV_SPEC.but(not_before=_at(2025, 4, 1), issuer=p521_issuer(), hash=hashes.SHA512()),
         "pass", "ECDSA SHA-512 under MRSP 3.0"),
    Case("mozilla_signature_algorithm_allowed", DV_2014.but(issuer=dsa_issuer()), "ne"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)
