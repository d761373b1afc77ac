"""Golden cases for the Code Signing BR lints (audit/lints/cabf_cs/).

A clean non-EV Code Signing Certificate (`CS`), an EV one (`EV_CS`), a Timestamp Certificate
(`TS`) and a Subordinate CA certificate for a code-signing CA (`CS_CA`), each with one thing
changed per failing case. Extensions the builder writes only one way (a critical
authorityInformationAccess, say) are written from their DER with `with_extension_der`; SHA-1 and
MD5 signatures, which cryptography refuses to make, by rewriting the signature algorithm with
asn1crypto (the signature no longer verifies; no lint checks it).
"""

from datetime import UTC, datetime
from functools import cache

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa
from cryptography.x509.oid import AuthorityInformationAccessOID as AD
from cryptography.x509.oid import ExtendedKeyUsageOID as EKU
from cryptography.x509.oid import NameOID

from audit.engine import oids
from audit.sample_db.certbuilder import (
    ROOT_CA_SPEC,
    SUBORDINATE_CA_SPEC,
    CertSpec,
    Issuer,
    der,
    ec_key,
    name,
    rsa_key,
)
from audit.sample_db.certbuilder import test_issuer as shared_issuer
from tests.lints.golden import Case, check_case


def at(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


C, ST, L, O, CN = (  # noqa: E741 - X.520 short names
    NameOID.COUNTRY_NAME, NameOID.STATE_OR_PROVINCE_NAME, NameOID.LOCALITY_NAME,
    NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME,
)  # fmt: skip
DC, BC, JC, SN = (
    NameOID.DOMAIN_COMPONENT, NameOID.BUSINESS_CATEGORY, NameOID.JURISDICTION_COUNTRY_NAME,
    NameOID.SERIAL_NUMBER,
)  # fmt: skip
ANY_EKU = x509.ObjectIdentifier(oids.EKU_ANY)

NB = at(2025, 6)  # CS BR 3.x in force, 39-month limit
ADDRESS = ((C, "US"), (ST, "California"), (L, "San Francisco"))
ORG = ((O, "Example Software Inc."), (CN, "Example Software Inc."))
CS = CertSpec(
    subject=name(*ADDRESS, *ORG), dns_names=None, not_before=NB, days=365,
    eku=(EKU.CODE_SIGNING,), policies=(oids.POLICY_CODE_SIGNING,),
)  # fmt: skip
EV_ATTRS = ((BC, "Private Organization"), (JC, "US"), (SN, "C1234567"))
EV_CS = CS.but(subject=name(*ADDRESS, *ORG, *EV_ATTRS), policies=(oids.POLICY_EV_CODE_SIGNING,))


def eku_der(*purposes: x509.ObjectIdentifier) -> bytes:
    return x509.ExtendedKeyUsage(list(purposes)).public_bytes()


TS_SUBJECT = name((C, "US"), (O, "Example CA"), (CN, "Example Timestamp Authority"))
TS = CS.but(subject=TS_SUBJECT, eku=None, policies=(oids.POLICY_TIME_STAMPING,), days=365 * 5)
TS = TS.with_extension_der(oids.EXTENDED_KEY_USAGE, eku_der(EKU.TIME_STAMPING), critical=True)
CS_CA = SUBORDINATE_CA_SPEC.but(
    eku=(EKU.CODE_SIGNING,), policies=(oids.POLICY_CODE_SIGNING,), not_before=NB
)
HTTP = "http://pki.example-ca.test"


def with_subject(spec: CertSpec, *pairs: tuple[x509.ObjectIdentifier, str]) -> CertSpec:
    return spec.but(subject=name(*pairs))


def aia(*descriptions: tuple[x509.ObjectIdentifier, str]) -> bytes:
    return x509.AuthorityInformationAccess(
        [x509.AccessDescription(m, x509.UniformResourceIdentifier(u)) for m, u in descriptions]
    ).public_bytes()


def crl_dp(*urls: str) -> bytes:
    points = [
        x509.DistributionPoint([x509.UniformResourceIdentifier(u)], None, None, None) for u in urls
    ]
    return x509.CRLDistributionPoints(points).public_bytes()


def policies_der(*policies: str) -> bytes:
    return x509.CertificatePolicies(
        [x509.PolicyInformation(x509.ObjectIdentifier(p), None) for p in policies]
    ).public_bytes()


@cache
def rsa_issuer() -> Issuer:
    return Issuer.from_key(shared_issuer().subject, rsa_key(2048, 1))


@cache
def dsa_2048() -> dsa.DSAPrivateKey:
    return dsa.generate_private_key(2048)  # FIPS 186-4: N = 256


def resigned(spec: CertSpec, algorithm: str) -> bytes:
    """`spec` as if signed with `algorithm` (asn1crypto's name, e.g. "sha1_rsa")."""
    cert = asn1_x509.Certificate.load(der(spec.but(issuer=spec.issuer or rsa_issuer())))
    identifier = {"algorithm": algorithm, "parameters": None}
    cert["tbs_certificate"]["signature"] = identifier
    cert["signature_algorithm"] = identifier
    return cert.dump(force=True)


AIA_CRITICAL = CS.with_extension_der(
    oids.AUTHORITY_INFO_ACCESS,
    aia((AD.OCSP, f"{HTTP}/ocsp"), (AD.CA_ISSUERS, f"{HTTP}/issuer.crt")),
    critical=True,
)
EXTENSION_CASES = [
    Case("cs_aia_present_not_critical", CS, "pass"),
    Case("cs_aia_present_not_critical", TS, "pass", "timestamp"),
    Case("cs_aia_present_not_critical", AIA_CRITICAL, "error", "critical"),
    Case("cs_aia_present_not_critical", CS.but(ocsp_url=None, ca_issuers_url=None), "error",
         "absent"),
    Case("cs_aia_present_not_critical", CS.but(not_before=at(2019, 1)), "ne"),
    Case("cs_aia_ca_issuers_http_url", CS, "pass"),
    Case("cs_aia_ca_issuers_http_url", CS.but(ca_issuers_url=None), "error", "no caIssuers"),
    Case("cs_aia_ca_issuers_http_url", CS.but(ca_issuers_url="ldap://pki.example-ca.test/ca"),
         "error", "ldap"),
    Case("cs_aia_ca_issuers_http_url",
         CS.with_extension_der(oids.AUTHORITY_INFO_ACCESS,
                               aia((AD.CA_ISSUERS, "http://pki.example ca.test/issuer.crt"))),
         "error", "a space in the host"),
    Case("cs_aia_ocsp_http_url", CS, "pass"),
    Case("cs_aia_ocsp_http_url", CS.but(ocsp_url="https://ocsp.example-ca.test"), "error",
         "https"),
    Case("cs_aia_ocsp_http_url", CS.but(ocsp_url=None), "na", "no OCSP location"),
    Case("cs_aia_ocsp_required", CS.but(not_before=at(2021, 1)), "pass"),
    Case("cs_aia_ocsp_required", CS.but(not_before=at(2021, 1), ocsp_url=None), "error"),
    Case("cs_aia_ocsp_required", CS.but(ocsp_url=None), "ne", "optional since CS BR 3.0"),
    Case("cs_crl_distribution_points_required", CS, "pass"),
    Case("cs_crl_distribution_points_required", CS.but(crl_url=None), "error"),
    Case("cs_crl_distribution_points_required", TS.but(crl_url=None), "error", "timestamp"),
    Case("cs_crl_distribution_points_required", CS.but(crl_url=None, not_before=at(2021, 1)),
         "ne", "CS BR 1.2: MAY be present"),
    Case("cs_crl_distribution_points_http", CS, "pass"),
    Case("cs_crl_distribution_points_http",
         CS.with_extension_der(oids.CRL_DISTRIBUTION_POINTS,
                               crl_dp(f"{HTTP}/a.crl", "ldap://ldap.example-ca.test/cn=CA")),
         "pass", "an LDAP URL beside the HTTP one"),
    Case("cs_crl_distribution_points_http", CS.but(crl_url="ldap://ldap.example-ca.test/cn=CA"),
         "error", "no HTTP URL"),
    Case("cs_crl_distribution_points_http",
         CS.with_extension_der(oids.CRL_DISTRIBUTION_POINTS,
                               crl_dp(f"{HTTP}/a.crl", "crl.example-ca.test/a.crl")),
         "error", "a URI without a scheme"),
    Case("cs_crl_distribution_points_http",
         CS.with_extension_der(oids.CRL_DISTRIBUTION_POINTS, crl_dp(f"{HTTP}/a.crl"),
                               critical=True), "error", "critical"),
    Case("cs_key_usage_present_critical", CS, "pass"),
    Case("cs_key_usage_present_critical", CS.but(key_usage=None), "error", "absent"),
    Case("cs_key_usage_present_critical", CS.but(key_usage_critical=False), "error",
         "not critical"),
    Case("cs_key_usage_digital_signature", CS, "pass"),
    Case("cs_key_usage_digital_signature", CS.but(key_usage=("key_encipherment",)), "error",
         "no digitalSignature"),
    Case("cs_key_usage_digital_signature",
         CS.but(key_usage=("digital_signature", "crl_sign")), "error", "cRLSign"),
    Case("cs_key_usage_only_digital_signature", CS, "pass"),
    Case("cs_key_usage_only_digital_signature",
         CS.but(key_usage=("digital_signature", "content_commitment")), "warn", "nonRepudiation"),
    Case("cs_eku_code_signing_required", CS, "pass"),
    Case("cs_eku_code_signing_required", EV_CS, "pass", "EV"),
    Case("cs_eku_code_signing_required", CS.but(eku=None), "error", "no EKU"),
    Case("cs_eku_code_signing_required", CS.but(eku=(EKU.CLIENT_AUTH,)), "error",
         "clientAuth only"),
    Case("cs_eku_code_signing_required", TS, "na", "timestamp"),
    Case("cs_eku_time_stamping_required", TS, "pass"),
    Case("cs_eku_time_stamping_required",
         TS.with_extension_der(oids.EXTENDED_KEY_USAGE, eku_der(EKU.CLIENT_AUTH), critical=True),
         "error"),
    Case("cs_eku_any_and_server_auth_prohibited", CS, "pass"),
    Case("cs_eku_any_and_server_auth_prohibited", CS.but(eku=(EKU.CODE_SIGNING, ANY_EKU)),
         "error", "anyExtendedKeyUsage"),
    Case("cs_eku_any_and_server_auth_prohibited", CS.but(eku=(EKU.CODE_SIGNING, EKU.SERVER_AUTH)),
         "error", "serverAuth: profiled as TLS, but asserting the CS BR policy"),
    Case("cs_eku_any_and_server_auth_prohibited", CertSpec(), "na", "a TLS certificate"),
    Case("cs_eku_other_purposes_not_recommended",
         CS.but(eku=(EKU.CODE_SIGNING, EKU.EMAIL_PROTECTION,
                     x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.13"))), "pass",
         "emailProtection and Lifetime Signing are allowed"),
    Case("cs_eku_other_purposes_not_recommended", CS.but(eku=(EKU.CODE_SIGNING, EKU.CLIENT_AUTH)),
         "warn", "clientAuth"),
    Case("cs_certificate_policies_present", CS, "pass"),
    Case("cs_certificate_policies_present", CS.but(policies=None), "error",
         "profiled by its codeSigning EKU"),
    Case("cs_certificate_policies_not_critical", CS, "pass"),
    Case("cs_certificate_policies_not_critical",
         CS.with_extension_der(oids.CERTIFICATE_POLICIES,
                               policies_der(oids.POLICY_CODE_SIGNING), critical=True), "warn"),
    Case("cs_reserved_policy_matches_certificate_type", CS, "pass"),
    Case("cs_reserved_policy_matches_certificate_type", EV_CS, "pass", "EV"),
    Case("cs_reserved_policy_matches_certificate_type", TS, "pass", "timestamp"),
    Case("cs_reserved_policy_matches_certificate_type",
         CS.but(policies=(oids.POLICY_CODE_SIGNING, oids.POLICY_TIME_STAMPING)), "error",
         "timestamp policy in a code signing certificate"),
    Case("cs_reserved_policy_matches_certificate_type",
         CS.but(policies=(oids.POLICY_CODE_SIGNING, oids.POLICY_OV)), "error", "TLS OV policy"),
]  # fmt: skip

KEY_CASES = [
    Case("cs_rsa_key_at_least_2048_bits", CS.but(key=rsa_key(2048), not_before=at(2020, 6)),
         "pass"),
    Case("cs_rsa_key_at_least_2048_bits", CS.but(key=rsa_key(1024), not_before=at(2020, 6)),
         "error"),
    Case("cs_rsa_key_at_least_2048_bits", CS.but(key=rsa_key(2048)), "ne", "3072 since 2021-06"),
    Case("cs_rsa_key_at_least_2048_bits", CS, "na", "an EC key"),
    Case("cs_rsa_key_at_least_3072_bits", CS.but(key=rsa_key(3072)), "pass"),
    Case("cs_rsa_key_at_least_3072_bits", CS.but(key=rsa_key(2048)), "error"),
    Case("cs_rsa_key_at_least_3072_bits", CS_CA.but(key=rsa_key(2048)), "error",
         "a code-signing CA"),
    Case("cs_rsa_key_at_least_3072_bits",
         SUBORDINATE_CA_SPEC.but(key=rsa_key(2048)), "na", "a TLS CA"),
    Case("cs_ecdsa_curve_allowed", CS, "pass"),
    Case("cs_ecdsa_curve_allowed", CS.but(key=ec_key("secp384r1", 3)), "pass", "P-384"),
    Case("cs_ecdsa_curve_allowed", CS.but(key=ec_key("secp224r1", 3)), "error", "P-224"),
    Case("cs_ecdsa_curve_allowed", TS.but(key=ec_key("secp256k1", 3)), "error", "secp256k1"),
    Case("cs_dsa_key_size", CS.but(key=dsa_2048()), "pass"),
    Case("cs_dsa_key_size", CS.but(key=dsa.generate_private_key(1024)), "error", "L=1024"),
    Case("cs_signature_algorithm_allowed", CS, "pass"),
    Case("cs_signature_algorithm_allowed", CS.but(issuer=rsa_issuer()), "pass", "RSA SHA-256"),
    Case("cs_signature_algorithm_allowed", resigned(CS, "sha1_rsa"), "error", "SHA-1"),
    Case("cs_signature_algorithm_allowed", resigned(CS, "md5_rsa"), "error", "MD5"),
    Case("cs_signature_algorithm_allowed", resigned(CS.but(not_before=at(2020, 6)), "sha1_rsa"),
         "pass", "SHA-1 for legacy platforms before 2021-06-01"),
    Case("cs_signature_algorithm_allowed", resigned(TS.but(not_before=at(2022, 1)), "sha1_rsa"),
         "pass", "timestamp certificate until 2022-04-30"),
    Case("cs_signature_algorithm_allowed", resigned(CS.but(not_before=at(2022, 1)), "sha1_rsa"),
         "error", "not a timestamp certificate"),
    Case("cs_signature_algorithm_allowed", resigned(TS.but(not_before=at(2022, 6)), "sha1_rsa"),
         "error", "timestamp certificate after 2022-04-30"),
    Case("cs_signature_algorithm_allowed", resigned(CS_CA, "sha1_rsa"), "error",
         "a code-signing CA"),
    Case("cs_signature_algorithm_allowed",
         resigned(ROOT_CA_SPEC.but(eku=(EKU.CODE_SIGNING,)), "sha1_rsa"), "na",
         "a root's own signature"),
]  # fmt: skip

VALIDITY_CASES = [
    Case("cs_validity_at_most_39_months", CS.but(days=365 * 3), "pass"),
    Case("cs_validity_at_most_39_months", CS.but(days=365 * 3 + 100), "error"),
    Case("cs_validity_at_most_39_months", EV_CS.but(days=365 * 3 + 100), "error", "EV"),
    Case("cs_validity_at_most_39_months", CS.but(not_before=at(2026, 4), days=1100), "ne",
         "the 460-day rule's"),
    Case("cs_validity_at_most_460_days", CS.but(not_before=at(2026, 4), days=460), "pass"),
    Case("cs_validity_at_most_460_days", CS.but(not_before=at(2026, 4), days=461), "error"),
    Case("cs_validity_at_most_460_days", CS.but(days=500), "ne", "before 2026-03-01"),
    Case("cs_timestamp_validity_at_most_135_months", TS.but(days=365 * 11), "pass"),
    Case("cs_timestamp_validity_at_most_135_months", TS.but(days=365 * 12), "error"),
    Case("cs_timestamp_validity_at_most_135_months", CS.but(days=365 * 12), "na", "code signing"),
]  # fmt: skip

SUBJECT_CASES = [
    Case("cs_subject_common_name_required", CS, "pass"),
    Case("cs_subject_common_name_required",
         with_subject(CS, *ADDRESS, (O, "Example Software Inc.")), "error"),
    Case("cs_subject_domain_component_prohibited", CS, "pass"),
    Case("cs_subject_domain_component_prohibited", with_subject(CS, (DC, "com"), *ADDRESS, *ORG),
         "error"),
    Case("cs_subject_domain_component_prohibited",
         with_subject(EV_CS, (DC, "com"), *ADDRESS, *ORG, *EV_ATTRS), "error", "EV"),
    Case("cs_subject_values_not_metadata", CS, "pass"),
    Case("cs_subject_values_not_metadata",
         with_subject(CS, (C, "US"), (ST, "California"), (L, "-"), *ORG), "error", "'-'"),
    Case("cs_subject_organization_required", CS, "pass"),
    Case("cs_subject_organization_required",
         with_subject(CS, *ADDRESS, (CN, "Example Software Inc.")), "error"),
    Case("cs_subject_organization_required",
         with_subject(EV_CS, *ADDRESS, (CN, "Example Software Inc."), *EV_ATTRS), "error", "EV"),
    Case("cs_subject_locality_or_state_required", CS, "pass"),
    Case("cs_subject_locality_or_state_required", with_subject(CS, (C, "US"), (L, "Springfield"),
                                                               *ORG), "pass", "locality only"),
    Case("cs_subject_locality_or_state_required", with_subject(CS, (C, "US"), *ORG), "error"),
    Case("cs_subject_locality_or_state_required",
         with_subject(EV_CS, (C, "US"), *ORG, *EV_ATTRS), "na", "EV"),
    Case("cs_subject_country_iso_3166", CS, "pass"),
    Case("cs_subject_country_iso_3166", with_subject(CS, (C, "XX"), (L, "Springfield"), *ORG),
         "pass", "XX"),
    Case("cs_subject_country_iso_3166", with_subject(CS, (ST, "California"), *ORG), "error",
         "absent"),
    Case("cs_subject_country_iso_3166", with_subject(CS, (C, "ZZ"), (ST, "California"), *ORG),
         "error", "ZZ"),
    Case("ev_cs_subject_business_category", EV_CS, "pass"),
    Case("ev_cs_subject_business_category", with_subject(EV_CS, *ADDRESS, *ORG, (JC, "US"),
                                                         (SN, "C1")), "error", "absent"),
    Case("ev_cs_subject_business_category",
         with_subject(EV_CS, *ADDRESS, *ORG, (BC, "Corporation"), (JC, "US"), (SN, "C1")),
         "error", "not an entity type"),
    Case("ev_cs_subject_business_category", EV_CS.but(subject=CS.subject, not_before=at(2020, 6)),
         "ne", "before the EV Code Signing Guidelines merged in"),
    Case("ev_cs_subject_jurisdiction_country", EV_CS, "pass"),
    Case("ev_cs_subject_jurisdiction_country",
         with_subject(EV_CS, *ADDRESS, *ORG, (BC, "Private Organization"), (SN, "C1")), "error"),
    Case("ev_cs_subject_serial_number", EV_CS, "pass"),
    Case("ev_cs_subject_serial_number",
         with_subject(EV_CS, *ADDRESS, *ORG, (BC, "Private Organization"), (JC, "US")), "error"),
    Case("ev_cs_subject_country", EV_CS, "pass"),
    Case("ev_cs_subject_country",
         with_subject(EV_CS, (ST, "California"), (L, "San Francisco"), *ORG, *EV_ATTRS), "error"),
    Case("ev_cs_subject_country", CS, "na", "non-EV"),
]  # fmt: skip

CA_CASES = [
    Case("cs_ca_eku_prohibited_purposes", CS_CA, "pass"),
    Case("cs_ca_eku_prohibited_purposes", CS_CA.but(eku=(EKU.CODE_SIGNING, ANY_EKU)), "error"),
    Case("cs_ca_eku_prohibited_purposes", SUBORDINATE_CA_SPEC, "na", "a TLS CA"),
    Case("cs_ca_eku_one_purpose", CS_CA, "pass"),
    Case("cs_ca_eku_one_purpose", CS_CA.but(eku=(EKU.TIME_STAMPING,)), "pass", "timestamp CA"),
    Case("cs_ca_eku_one_purpose", CS_CA.but(eku=(EKU.CODE_SIGNING, EKU.TIME_STAMPING)), "error",
         "both"),
    Case("cs_ca_eku_one_purpose", CS_CA.but(eku=(EKU.CODE_SIGNING, EKU.EMAIL_PROTECTION)),
         "error", "emailProtection"),
    Case("cs_ca_eku_one_purpose",
         CS_CA.but(eku=(EKU.CODE_SIGNING, EKU.EMAIL_PROTECTION), not_before=at(2021, 6)), "ne",
         "CS BR 1.2 allowed emailProtection"),
    Case("cs_ca_eku_not_critical", CS_CA, "pass"),
    Case("cs_ca_eku_not_critical",
         CS_CA.with_extension_der(oids.EXTENDED_KEY_USAGE, eku_der(EKU.CODE_SIGNING),
                                  critical=True), "warn"),
    Case("cs_ca_certificate_policies_present", CS_CA, "pass"),
    Case("cs_ca_certificate_policies_present", CS_CA.but(policies=None), "error"),
    Case("cs_ca_crl_distribution_points_http", CS_CA, "pass"),
    Case("cs_ca_crl_distribution_points_http", CS_CA.but(crl_url=None), "error", "absent"),
    Case("cs_ca_crl_distribution_points_http",
         CS_CA.with_extension_der(oids.CRL_DISTRIBUTION_POINTS, crl_dp(f"{HTTP}/a.crl"),
                                  critical=True), "error", "critical"),
    Case("cs_ca_aia_present_not_critical", CS_CA, "pass"),
    Case("cs_ca_aia_present_not_critical", CS_CA.but(ca_issuers_url=None), "error", "absent"),
    Case("cs_ca_aia_present_not_critical", CS_CA.but(ca_issuers_url="ldap://x.example/ca"),
         "error", "no HTTP URL"),
]  # fmt: skip

CASES = EXTENSION_CASES + KEY_CASES + VALIDITY_CASES + SUBJECT_CASES + CA_CASES


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)


def test_every_code_signing_lint_has_failing_and_passing_case() -> None:
    from tests.lints.golden import engine

    ours = {x.name for x in engine().catalogue if x.source == "cabf_cs"}
    covered = {c.lint for c in CASES}
    assert ours <= covered, f"lints without golden cases: {sorted(ours - covered)}"
    for lint_name in ours:
        statuses = {c.expected for c in CASES if c.lint == lint_name}
        assert "pass" in statuses, lint_name
        assert statuses & {"info", "notice", "warn", "error"}, lint_name


def test_profiles_of_the_golden_certificates() -> None:
    """The bases are what they claim: each family detected from its policy or its EKU."""
    from audit.engine.certview import CertView

    assert str(CertView(der(CS)).profile) == "code_signing"
    assert str(CertView(der(EV_CS)).profile) == "ev_code_signing"
    assert str(CertView(der(TS)).profile) == "time_stamping"
    assert str(CertView(der(CS.but(policies=None))).profile) == "code_signing"
    assert str(CertView(der(TS.but(policies=None))).profile) == "time_stamping"
    assert str(CertView(der(CS_CA)).profile) == "subordinate_ca"
