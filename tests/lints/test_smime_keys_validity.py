"""Golden cases for S/MIME keys and key usage (S/MIME BR 6.1.5, 6.1.6, 7.1.2.3(e), 7.1.3),
validity (6.3.2), and where revocation status and the issuer are found (7.1.2.3(b), (c))."""

from datetime import UTC, datetime
from functools import cache

import pytest
from asn1crypto import core as asn1_core
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519

from audit.engine import oids
from audit.engine.der import children, header
from audit.sample_db.certbuilder import Issuer, der, ec_key, rsa_key, tlv
from tests.lints.golden import Case, check_case
from tests.lints.smime_specs import smime, smime_issuer

STRICT, MULTI, LEGACY = smime(), smime(generation="multipurpose"), smime(generation="legacy")
AFTER_PQC = datetime(2025, 9, 1, tzinfo=UTC)
SEPT_2027 = datetime(2027, 10, 1, tzinfo=UTC)
DS, NR, KE, DE, KA = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
)
EO, CERT_SIGN = "encipher_only", "key_cert_sign"


@cache
def ed_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def rsa(spec, *bits: str):  # type: ignore[no-untyped-def]
    return spec.but(key=rsa_key(2048), key_usage=bits)


def ec(spec, *bits: str):  # type: ignore[no-untyped-def]
    return spec.but(key_usage=bits)


def with_spki(spec, algorithm: str, key_octets: bytes = bytes(32)) -> bytes:  # type: ignore[no-untyped-def]
    """`spec` with a subjectPublicKeyInfo of `algorithm` (no parameters) and made-up key bits,
    spliced into the DER (asn1crypto has no spec for ML-DSA or ML-KEM keys)."""
    spki = tlv(
        0x30,
        tlv(0x30, asn1_core.ObjectIdentifier(algorithm).dump()) + tlv(0x03, b"\x00" + key_octets),
    )
    cert = der(spec)
    start, end = header(cert, 0)
    tbs_at, tbs_end = children(cert, start, end)[0][1:]
    first, last = header(cert, tbs_at)
    fields = [cert[a:b] for _, a, b in children(cert, first, last)]
    fields[6 if fields[0][0] == 0xA0 else 5] = spki
    tbs = tlv(0x30, b"".join(fields))
    return tlv(0x30, tbs + cert[tbs_end:end])


def with_rsa_exponent(spec, exponent: int) -> bytes:  # type: ignore[no-untyped-def]
    """`spec` (with an RSA key) with its public exponent replaced: keys no library makes."""
    cert = asn1_x509.Certificate.load(der(spec))
    tbs = cert["tbs_certificate"]
    modulus = tbs["subject_public_key_info"]["public_key"].parsed["modulus"].native
    key = asn1_keys.RSAPublicKey({"modulus": modulus, "public_exponent": exponent})
    tbs["subject_public_key_info"] = asn1_keys.PublicKeyInfo(
        {"algorithm": {"algorithm": "rsa", "parameters": None}, "public_key": key}
    )
    return cert.dump(force=True)


def with_p224_key(spec) -> bytes:  # type: ignore[no-untyped-def]
    return der(spec.but(key=ec_key("secp224r1", 3)))


ML_DSA_44, ML_KEM_768 = "2.16.840.1.101.3.4.3.17", "2.16.840.1.101.3.4.4.2"


@cache
def rsa_issuer(bits: int) -> Issuer:
    base = smime_issuer()
    return Issuer.from_key(base.subject, rsa_key(bits), "http://pki.example.com")


def crl(spec, *urls: str):  # type: ignore[no-untyped-def]
    """`spec` with a cRLDistributionPoints of one distributionPoint holding these URIs."""
    names = b"".join(tlv(0x86, u.encode()) for u in urls)
    point = tlv(0x30, tlv(0xA0, tlv(0xA0, names)))
    return spec.but(crl_url=None).with_extension_der(oids.CRL_DISTRIBUTION_POINTS, tlv(0x30, point))


CASES = [
    # -- 7.1.2.3(e) keyUsage ------------------------------------------------------------------------
    Case("smime_key_usage_present", STRICT, "pass"),
    Case("smime_key_usage_present", STRICT.but(key_usage=None), "error"),
    Case("smime_rsa_key_usage_strict", rsa(STRICT, DS, KE, NR), "pass", "dual use"),
    Case("smime_rsa_key_usage_strict", rsa(STRICT, KE), "pass", "key management"),
    Case("smime_rsa_key_usage_strict", rsa(STRICT, KE, DE), "error", "dataEncipherment in strict"),
    Case("smime_rsa_key_usage_strict", rsa(STRICT, DS, CERT_SIGN), "error", "keyCertSign"),
    Case("smime_rsa_key_usage_strict", rsa(STRICT, CERT_SIGN), "na", "no use asserted"),
    Case("smime_rsa_key_usage_legacy_multipurpose", rsa(MULTI, KE, DE), "pass", "dataEncipherment allowed"),
    Case("smime_rsa_key_usage_legacy_multipurpose", rsa(LEGACY, DS, KA), "error", "keyAgreement with RSA"),
    Case("smime_rsa_key_usage_legacy_multipurpose", rsa(LEGACY, KE, NR), "error", "nonRepudiation without signing"),
    Case("smime_rsa_key_usage_asserts_a_use", rsa(MULTI, DS), "pass"),
    Case("smime_rsa_key_usage_asserts_a_use", rsa(MULTI, NR), "error", "nonRepudiation alone"),
    Case("smime_ec_key_usage", ec(STRICT, DS, NR), "pass", "signing"),
    Case("smime_ec_key_usage", ec(STRICT, KA, EO), "pass", "key agreement, encipherOnly"),
    Case("smime_ec_key_usage", ec(MULTI, KA, KE), "error", "keyEncipherment with EC"),
    Case("smime_ec_key_usage_asserts_a_use", ec(STRICT, DS), "pass"),
    Case("smime_ec_key_usage_asserts_a_use", ec(STRICT, CERT_SIGN), "error", "keyCertSign alone"),
    Case("smime_eddsa_key_usage", STRICT.but(key=ed_key(), key_usage=(DS, NR)), "pass"),
    Case("smime_eddsa_key_usage", STRICT.but(key=ed_key(), key_usage=(DS, KA)), "error", "keyAgreement"),
    Case("smime_ml_dsa_key_usage", with_spki(STRICT.but(not_before=AFTER_PQC), ML_DSA_44), "pass"),
    Case("smime_ml_dsa_key_usage", with_spki(STRICT.but(not_before=AFTER_PQC, key_usage=(KE,)), ML_DSA_44), "error"),
    Case("smime_ml_kem_key_usage", with_spki(STRICT.but(not_before=AFTER_PQC, key_usage=(KE,)), ML_KEM_768), "pass"),
    Case("smime_ml_kem_key_usage", with_spki(STRICT.but(not_before=AFTER_PQC, key_usage=(KE, DS)), ML_KEM_768),
         "error"),
    # -- 7.1.3.1, 6.1.5, 6.1.6 ----------------------------------------------------------------------
    Case("smime_key_algorithm_encoding", STRICT, "pass"),
    Case("smime_key_algorithm_encoding", STRICT.but(key=ed_key()), "pass", "Ed25519"),
    Case("smime_key_algorithm_encoding", with_p224_key(STRICT), "error", "P-224"),
    Case("smime_key_algorithm_encoding", with_spki(STRICT, ML_DSA_44), "error", "ML-DSA before Ballot SMC013"),
    Case("smime_key_algorithm_encoding_pqc", with_spki(STRICT.but(not_before=AFTER_PQC), ML_DSA_44), "pass"),
    Case("smime_key_algorithm_encoding_pqc", with_p224_key(STRICT.but(not_before=AFTER_PQC)), "error", "P-224"),
    Case("smime_key_algorithm_encoding_pqc", with_spki(STRICT, ML_DSA_44), "ne", "before Ballot SMC013"),
    Case("smime_signature_algorithm_encoding", STRICT, "pass"),
    Case("smime_signature_algorithm_encoding", STRICT.but(hash=hashes.SHA224()), "error", "ECDSA with SHA-224"),
    Case("smime_rsa_modulus_size", rsa(STRICT, DS), "pass"),
    Case("smime_rsa_modulus_size", STRICT.but(key=rsa_key(1024)), "error", "1024 bits"),
    Case("smime_rsa_public_exponent", rsa(STRICT, DS), "pass"),
    Case("smime_rsa_public_exponent", STRICT.but(key=rsa_key(2048, 0, 3)), "pass", "exponent 3"),
    Case("smime_rsa_public_exponent", with_rsa_exponent(rsa(STRICT, DS), 65536), "error", "even"),
    Case("smime_rsa_public_exponent", with_rsa_exponent(rsa(STRICT, DS), 1), "error", "one"),
    Case("smime_rsa_parameters_recommended", rsa(STRICT, DS), "pass"),
    Case("smime_rsa_parameters_recommended", STRICT.but(key=rsa_key(2048, 0, 3)), "warn", "exponent 3"),
    Case("smime_issuer_rsa_modulus_at_least_3072", STRICT.but(not_before=SEPT_2027, issuer=rsa_issuer(3072)),
         "pass"),
    Case("smime_issuer_rsa_modulus_at_least_3072", STRICT.but(not_before=SEPT_2027, issuer=rsa_issuer(2048)),
         "error", "2048-bit issuing CA"),
    Case("smime_issuer_rsa_modulus_at_least_3072", STRICT.but(issuer=rsa_issuer(2048)), "ne", "before 2027-09-15"),
    # -- 6.3.2 --------------------------------------------------------------------------------------
    Case("smime_validity_at_most_825_days", STRICT.but(days=825), "pass"),
    Case("smime_validity_at_most_825_days", STRICT.but(days=825 + 1 / 86400), "error", "825 days and 1 second"),
    Case("smime_legacy_validity_at_most_1185_days", LEGACY.but(days=1185), "pass"),
    Case("smime_legacy_validity_at_most_1185_days", LEGACY.but(days=1186), "error"),
    Case("smime_validity_below_maximum", STRICT, "pass"),
    Case("smime_validity_below_maximum", STRICT.but(days=825), "warn", "the maximum"),
    # -- 7.1.2.3(b), (c) ----------------------------------------------------------------------------
    Case("smime_crl_distribution_points_present", STRICT, "pass"),
    Case("smime_crl_distribution_points_present", STRICT.but(crl_url=None), "error"),
    Case("smime_crl_distribution_point_http", crl(LEGACY, "ldap://dir.example.com/cn=CA", "http://crl.example.com/ca.crl"),
         "pass", "legacy: one http beside LDAP"),
    Case("smime_crl_distribution_point_http", crl(LEGACY, "ldap://dir.example.com/cn=CA"), "error", "legacy, LDAP only"),
    Case("smime_crl_distribution_point_http", crl(MULTI, "ldap://dir.example.com/cn=CA", "http://crl.example.com/ca.crl"),
         "error", "multipurpose: LDAP too"),
    Case("smime_crl_distribution_point_http", crl(STRICT, "https://crl.example.com/ca.crl"), "error", "https"),
    Case("smime_aia_present", STRICT, "pass"),
    Case("smime_aia_present", STRICT.but(ocsp_url=None, ca_issuers_url=None), "warn"),
    Case("smime_aia_ca_issuers_present", STRICT, "pass"),
    Case("smime_aia_ca_issuers_present", STRICT.but(ca_issuers_url=None), "warn"),
    Case("smime_aia_http_only", STRICT, "pass"),
    Case("smime_aia_http_only", MULTI.but(ocsp_url="ldap://dir.example.com/ocsp"), "error", "LDAP OCSP"),
    Case("smime_legacy_aia_has_http", LEGACY, "pass"),
    Case("smime_legacy_aia_has_http", LEGACY.but(ca_issuers_url="ldap://dir.example.com/cn=CA"), "error",
         "caIssuers LDAP only"),
    Case("smime_aia_urls_not_internal_names", STRICT, "pass"),
    Case("smime_aia_urls_not_internal_names", STRICT.but(ocsp_url="http://ocsp.corp.internal/"), "warn"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)
