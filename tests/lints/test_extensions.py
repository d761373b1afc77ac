"""Golden cases for the extension lints (audit/lints/cabf_br/extensions.py, rfc5280/extensions.py)."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID as AD
from cryptography.x509.oid import ExtendedKeyUsageOID as EKU
from cryptography.x509.oid import NameOID

from audit.sample_db.certbuilder import (
    DV,
    DV_SPEC,
    EV,
    IV,
    OV,
    OV_SPEC,
    OV_SUBJECT,
    ROOT_CA_SPEC,
    SUBORDINATE_CA_SPEC,
    CertSpec,
    der,
    name,
    rsa_key,
)
from audit.sample_db.certbuilder import (
    test_issuer as issuing_ca,
)
from tests.lints.golden import Case, check_case


def _at(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


PRE_BR = _at(2011)  # before BR 1.0
BR1 = _at(2020, 3)  # BR 1.x in force
BR2_BEFORE_SC63 = _at(2023, 12)  # BR 2.0, OCSP still required
NOW = _at(2025, 6)  # DV_SPEC's own date

SUB_CA = SUBORDINATE_CA_SPEC
ROOT = ROOT_CA_SPEC
ANY_EKU = x509.ObjectIdentifier("2.5.29.37.0")
HTTP = "http://pki.example-ca.test"


def _oid(dotted: str) -> x509.ObjectIdentifier:
    return x509.ObjectIdentifier(dotted)


def _ext(value: x509.ExtensionType, critical: bool) -> tuple[tuple[Any, bool], ...]:
    return ((value, critical),)


def _raw(oid: str, hex_der: str, critical: bool) -> tuple[tuple[Any, bool], ...]:
    return ((x509.UnrecognizedExtension(_oid(oid), bytes.fromhex(hex_der)), critical),)


def _aia(*pairs: tuple[x509.ObjectIdentifier, x509.GeneralName]) -> x509.AuthorityInformationAccess:
    return x509.AuthorityInformationAccess([x509.AccessDescription(m, loc) for m, loc in pairs])


def _cdp(url: str) -> x509.CRLDistributionPoints:
    uri = x509.UniformResourceIdentifier(url)
    return x509.CRLDistributionPoints([x509.DistributionPoint([uri], None, None, None)])


def _points(url: str) -> list[x509.DistributionPoint]:
    return [x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)]


def _tamper(spec: CertSpec, change: Callable[[Any], None]) -> bytes:
    """DER a builder will not make: edit the TBS with a tolerant encoder (signature goes stale)."""
    cert = asn1_x509.Certificate.load(der(spec))
    change(cert["tbs_certificate"])
    return cert.dump(force=True)


def _as_v1(tbs: Any) -> None:
    tbs["version"] = "v1"


def _duplicate_san(tbs: Any) -> None:
    exts = tbs["extensions"]
    san = next(e for e in exts if e["extn_id"].dotted == "2.5.29.17")
    exts.append(asn1_x509.Extension.load(san.dump()))


NO_AIA = {"ocsp_url": None, "ca_issuers_url": None}
CN_ONLY = name((NameOID.COMMON_NAME, "www.example.com"))
IV_SUBJECT = name(
    (NameOID.COUNTRY_NAME, "US"), (NameOID.STATE_OR_PROVINCE_NAME, "California"),
    (NameOID.GIVEN_NAME, "Jane"), (NameOID.SURNAME, "Doe"), (NameOID.COMMON_NAME, "www.example.com"),
)  # fmt: skip
IV_ORG_ONLY = name(
    (NameOID.COUNTRY_NAME, "US"), (NameOID.STATE_OR_PROVINCE_NAME, "California"),
    (NameOID.ORGANIZATION_NAME, "Example Inc."), (NameOID.COMMON_NAME, "www.example.com"),
)  # fmt: skip
IV_SPEC = DV_SPEC.but(subject=IV_SUBJECT, policies=(IV,))
MAPPING = "300c300a06032a030406032a0305"  # policyMappings: 1.2.3.4 -> 1.2.3.5
DIRECTORY_ATTRIBUTES = "300c300a060355040c31030c0141"  # one attribute: title = "A"
SIA = x509.SubjectInformationAccess(
    [
        x509.AccessDescription(
            _oid("1.3.6.1.5.5.7.48.5"), x509.UniformResourceIdentifier(f"{HTTP}/r")
        )
    ]
)
IAN = x509.IssuerAlternativeName([x509.DNSName("pki.example-ca.test")])
RSA = rsa_key(2048)
CA_NO_BC = SUB_CA.but(ca=False, basic_constraints=False)  # a CA by keyCertSign alone: no BC, SKI

CASES = [
    # -- RFC 5280: structure ----------------------------------------------------------------------
    Case("extensions_only_in_v3", DV_SPEC, "pass"),
    Case("extensions_only_in_v3", _tamper(DV_SPEC, _as_v1), "error", "v1 with extensions"),
    Case("extension_not_duplicated", DV_SPEC, "pass"),
    Case("extension_not_duplicated", _tamper(DV_SPEC, _duplicate_san), "error", "two SANs"),
    Case("critical_extension_recognized", DV_SPEC, "pass"),
    Case("critical_extension_recognized",
         DV_SPEC.but(extra_extensions=_raw("1.2.3.4", "0500", True)), "warn", "unknown critical"),
    Case("critical_extension_recognized",
         DV_SPEC.but(extra_extensions=_raw("1.2.3.4", "0500", False)), "pass", "unknown, not critical"),
    Case("precertificate_poison_critical", DV_SPEC.but(precertificate=True), "pass"),
    Case("precertificate_poison_critical",
         DV_SPEC.but(extra_extensions=_ext(x509.PrecertPoison(), False)), "error", "not critical"),
    Case("precertificate_poison_critical", DV_SPEC, "na", "final certificate"),
    Case("precertificate_poison_critical",
         DV_SPEC.but(extra_extensions=_ext(x509.PrecertPoison(), False), not_before=_at(2012)),
         "ne", "before RFC 6962"),
    # -- RFC 5280: basicConstraints -----------------------------------------------------------------
    Case("ca_basic_constraints_present_and_critical", SUB_CA, "pass"),
    Case("ca_basic_constraints_present_and_critical",
         SUB_CA.but(basic_constraints_critical=False), "error", "not critical"),
    Case("ca_basic_constraints_present_and_critical", CA_NO_BC, "error", "absent"),
    Case("ca_basic_constraints_present_and_critical", CA_NO_BC.but(not_before=_at(2001)), "ne"),
    Case("key_cert_sign_requires_ca", SUB_CA, "pass"),
    Case("key_cert_sign_requires_ca", DV_SPEC, "pass", "no keyCertSign"),
    Case("key_cert_sign_requires_ca",
         DV_SPEC.but(key_usage=("digital_signature", "key_cert_sign")), "error", "cA false"),
    Case("key_cert_sign_requires_ca", CA_NO_BC, "error", "no basicConstraints"),
    Case("path_length_only_with_ca_and_key_cert_sign", SUB_CA, "pass"),
    Case("path_length_only_with_ca_and_key_cert_sign",
         SUB_CA.but(key_usage=("digital_signature", "crl_sign")), "error", "no keyCertSign"),
    Case("path_length_only_with_ca_and_key_cert_sign",
         DV_SPEC.but(basic_constraints=False,
                     extra_extensions=_raw("2.5.29.19", "3003020103", True)), "error", "cA false"),
    Case("path_length_not_negative", SUB_CA, "pass"),
    Case("path_length_not_negative",
         SUB_CA.but(basic_constraints=False,
                    extra_extensions=_raw("2.5.29.19", "30060101ff0201ff", True)), "error"),
    # -- RFC 5280: keyUsage -------------------------------------------------------------------------
    Case("ca_key_usage_present", SUB_CA, "pass"),
    Case("ca_key_usage_present", SUB_CA.but(key_usage=None), "error"),
    Case("ca_key_usage_present", ROOT.but(key_usage=None, not_before=_at(2001)), "ne"),
    Case("key_usage_has_bits", DV_SPEC, "pass"),
    Case("key_usage_has_bits", DV_SPEC.but(key_usage=()), "error"),
    Case("key_usage_critical", DV_SPEC, "pass"),
    Case("key_usage_critical", DV_SPEC.but(key_usage_critical=False), "warn"),
    Case("ec_key_usage_no_encipherment", DV_SPEC, "pass"),
    Case("ec_key_usage_no_encipherment",
         DV_SPEC.but(key_usage=("digital_signature", "key_encipherment")), "error"),
    Case("ec_key_usage_no_encipherment",
         DV_SPEC.but(key_usage=("data_encipherment",), not_before=_at(2019)), "ne"),
    Case("ec_key_usage_no_encipherment",
         DV_SPEC.but(key=RSA, key_usage=("digital_signature", "key_encipherment")), "na", "RSA"),
    # -- RFC 5280: extKeyUsage ----------------------------------------------------------------------
    Case("eku_with_any_purpose_not_critical", DV_SPEC, "pass"),
    Case("eku_with_any_purpose_not_critical",
         DV_SPEC.but(eku=None, extra_extensions=_ext(
             x509.ExtendedKeyUsage([EKU.SERVER_AUTH, ANY_EKU]), True)), "warn"),  # fmt: skip
    # -- RFC 5280: key identifiers ------------------------------------------------------------------
    Case("authority_key_identifier_present", DV_SPEC, "pass"),
    Case("authority_key_identifier_present", DV_SPEC.but(authority_key_id=False), "error"),
    Case("authority_key_identifier_present",
         DV_SPEC.but(authority_key_id=False, extra_extensions=_ext(
             x509.AuthorityKeyIdentifier(None, None, None), False)), "error", "no keyIdentifier"),
    Case("authority_key_identifier_present", ROOT, "na", "self-signed"),
    Case("authority_key_identifier_not_critical", DV_SPEC, "pass"),
    Case("authority_key_identifier_not_critical",
         DV_SPEC.but(authority_key_id=False, extra_extensions=_ext(
             x509.AuthorityKeyIdentifier(issuing_ca().key_id, None, None), True)), "error"),
    Case("ca_subject_key_identifier_present", SUB_CA, "pass"),
    Case("ca_subject_key_identifier_present", CA_NO_BC, "error"),
    Case("end_entity_subject_key_identifier_present",
         DV_SPEC.but(not_before=BR1, subject_key_id=True), "pass"),
    Case("end_entity_subject_key_identifier_present", DV_SPEC.but(not_before=BR1), "warn"),
    Case("end_entity_subject_key_identifier_present", DV_SPEC, "na", "BR 2.0: NOT RECOMMENDED"),
    Case("end_entity_subject_key_identifier_present", SUB_CA, "na"),
    Case("subject_key_identifier_not_critical", DV_SPEC.but(subject_key_id=True), "pass"),
    Case("subject_key_identifier_not_critical",
         DV_SPEC.but(extra_extensions=_ext(
             x509.SubjectKeyIdentifier(b"\x01" * 20), True)), "error"),  # fmt: skip
    # -- RFC 5280: AIA, CRL DP, policies -----------------------------------------------------------
    Case("aia_not_critical", DV_SPEC, "pass"),
    Case("aia_not_critical",
         DV_SPEC.but(**NO_AIA, extra_extensions=_ext(
             _aia((AD.OCSP, x509.UniformResourceIdentifier(f"{HTTP}/ocsp"))), True)), "error"),
    Case("crl_distribution_points_should_not_be_critical", DV_SPEC, "pass"),
    Case("crl_distribution_points_should_not_be_critical",
         DV_SPEC.but(crl_url=None, extra_extensions=_ext(_cdp(f"{HTTP}/a.crl"), True)), "warn"),
    Case("certificate_policy_not_duplicated", DV_SPEC, "pass"),
    Case("certificate_policy_not_duplicated", DV_SPEC.but(policies=(DV, DV)), "error"),
    # -- RFC 5280: criticality of the other extensions, empty sequences -----------------------------
    Case("policy_constraints_critical",
         SUB_CA.but(extra_extensions=_ext(x509.PolicyConstraints(0, None), True)), "pass"),
    Case("policy_constraints_critical",
         SUB_CA.but(extra_extensions=_ext(x509.PolicyConstraints(0, None), False)), "error"),
    Case("policy_constraints_critical",
         SUB_CA.but(not_before=_at(2007), extra_extensions=_ext(x509.PolicyConstraints(0, None),
                                                                False)), "ne", "RFC 3280"),
    Case("inhibit_any_policy_critical",
         SUB_CA.but(extra_extensions=_ext(x509.InhibitAnyPolicy(0), True)), "pass"),
    Case("inhibit_any_policy_critical",
         SUB_CA.but(extra_extensions=_ext(x509.InhibitAnyPolicy(0), False)), "error"),
    Case("policy_mappings_critical", SUB_CA.but(extra_extensions=_raw("2.5.29.33", MAPPING, True)),
         "pass"),
    Case("policy_mappings_critical",
         SUB_CA.but(extra_extensions=_raw("2.5.29.33", MAPPING, False)), "warn"),
    Case("freshest_crl_not_critical",
         SUB_CA.but(extra_extensions=_ext(x509.FreshestCRL(_points(f"{HTTP}/d.crl")), False)),
         "pass"),
    Case("freshest_crl_not_critical",
         SUB_CA.but(extra_extensions=_ext(x509.FreshestCRL(_points(f"{HTTP}/d.crl")), True)),
         "error"),
    Case("subject_info_access_not_critical", SUB_CA.but(extra_extensions=_ext(SIA, False)), "pass"),
    Case("subject_info_access_not_critical", SUB_CA.but(extra_extensions=_ext(SIA, True)), "error"),
    Case("subject_directory_attributes_not_critical",
         DV_SPEC.but(extra_extensions=_raw("2.5.29.9", DIRECTORY_ATTRIBUTES, False)), "pass"),
    Case("subject_directory_attributes_not_critical",
         DV_SPEC.but(extra_extensions=_raw("2.5.29.9", DIRECTORY_ATTRIBUTES, True)), "error"),
    Case("issuer_alt_name_not_critical", DV_SPEC.but(extra_extensions=_ext(IAN, False)), "pass"),
    Case("issuer_alt_name_not_critical", DV_SPEC.but(extra_extensions=_ext(IAN, True)), "warn"),
    Case("extension_sequence_not_empty", DV_SPEC, "pass"),
    Case("extension_sequence_not_empty",
         DV_SPEC.but(eku=None, extra_extensions=_raw("2.5.29.37", "3000", False)), "error", "EKU"),
    Case("extension_sequence_not_empty",
         DV_SPEC.but(policies=None, extra_extensions=_raw("2.5.29.32", "3000", False)), "error",
         "certificatePolicies"),
    Case("extension_sequence_not_empty",
         DV_SPEC.but(extra_extensions=_raw("2.5.29.33", "3000", False)), "error", "policyMappings"),
    # -- BR: keyUsage --------------------------------------------------------------------------------
    Case("ca_key_usage_critical", SUB_CA, "pass"),
    Case("ca_key_usage_critical", SUB_CA.but(key_usage_critical=False), "error"),
    Case("ca_key_usage_critical", ROOT.but(key_usage_critical=False), "error", "root"),
    Case("ca_key_usage_critical", SUB_CA.but(key_usage_critical=False, not_before=PRE_BR), "ne"),
    Case("ca_key_usage_cert_sign_and_crl_sign", SUB_CA, "pass"),
    Case("ca_key_usage_cert_sign_and_crl_sign",
         SUB_CA.but(key_usage=("digital_signature", "key_cert_sign")), "error", "no cRLSign"),
    Case("ca_key_usage_cert_sign_and_crl_sign",
         SUB_CA.but(key_usage=("digital_signature", "key_cert_sign"), not_before=PRE_BR), "ne"),
    Case("ca_key_usage_digital_signature_for_ocsp", SUB_CA, "pass"),
    Case("ca_key_usage_digital_signature_for_ocsp", ROOT, "notice"),
    Case("subscriber_key_usage_no_cert_sign_or_crl_sign", DV_SPEC, "pass"),
    Case("subscriber_key_usage_no_cert_sign_or_crl_sign",
         DV_SPEC.but(key_usage=("digital_signature", "crl_sign")), "error"),
    Case("subscriber_key_usage_no_cert_sign_or_crl_sign",
         DV_SPEC.but(key_usage=("digital_signature", "key_cert_sign")), "error", "keyCertSign"),
    Case("subscriber_key_usage_no_cert_sign_or_crl_sign",
         DV_SPEC.but(key_usage=("digital_signature", "crl_sign"), not_before=PRE_BR), "ne"),
    Case("subscriber_ec_key_usage", DV_SPEC, "pass"),
    Case("subscriber_ec_key_usage", DV_SPEC.but(key_usage=("key_agreement",)), "error",
         "no digitalSignature"),
    Case("subscriber_ec_key_usage",
         DV_SPEC.but(key_usage=("digital_signature", "content_commitment")), "error", "extra bit"),
    Case("subscriber_ec_key_usage", DV_SPEC.but(key_usage=("key_agreement",), not_before=BR1),
         "ne"),
    Case("subscriber_ec_key_agreement_not_recommended", DV_SPEC, "pass"),
    Case("subscriber_ec_key_agreement_not_recommended",
         DV_SPEC.but(key_usage=("digital_signature", "key_agreement")), "warn"),
    Case("subscriber_rsa_key_usage",
         DV_SPEC.but(key=RSA, key_usage=("digital_signature", "key_encipherment")), "pass"),
    Case("subscriber_rsa_key_usage",
         DV_SPEC.but(key=RSA, key_usage=("digital_signature", "key_agreement")), "error"),
    Case("subscriber_rsa_key_usage",
         DV_SPEC.but(key=RSA, key_usage=("key_agreement",), not_before=BR1), "ne"),
    Case("subscriber_rsa_key_usage", DV_SPEC, "na", "EC key"),
    # -- BR: extKeyUsage -------------------------------------------------------------------------------
    Case("subscriber_eku_present", DV_SPEC, "pass"),
    Case("subscriber_eku_present", DV_SPEC.but(eku=None), "error"),
    Case("subscriber_eku_present", DV_SPEC.but(eku=None, not_before=PRE_BR), "ne"),
    Case("subscriber_eku_server_or_client_auth", DV_SPEC.but(not_before=BR1), "pass"),
    Case("subscriber_eku_server_or_client_auth",
         DV_SPEC.but(eku=(ANY_EKU,), not_before=BR1), "error", "anyEKU only"),
    Case("subscriber_eku_server_or_client_auth", DV_SPEC.but(eku=(ANY_EKU,)), "ne", "BR 2.0"),
    Case("subscriber_eku_extra_values",
         DV_SPEC.but(eku=(EKU.SERVER_AUTH, EKU.EMAIL_PROTECTION), not_before=BR1), "pass"),
    Case("subscriber_eku_extra_values",
         DV_SPEC.but(eku=(EKU.SERVER_AUTH, EKU.CODE_SIGNING), not_before=BR1), "warn"),
    Case("subscriber_eku_extra_values", DV_SPEC.but(eku=(EKU.SERVER_AUTH, EKU.CODE_SIGNING)),
         "ne", "BR 2.0"),
    Case("subscriber_eku_server_auth", DV_SPEC, "pass"),
    Case("subscriber_eku_server_auth", DV_SPEC.but(eku=(ANY_EKU, EKU.CLIENT_AUTH)), "error"),
    Case("subscriber_eku_server_auth",
         DV_SPEC.but(eku=(ANY_EKU, EKU.CLIENT_AUTH), not_before=BR1), "ne"),
    Case("subscriber_eku_prohibited_purposes", DV_SPEC, "pass"),
    Case("subscriber_eku_prohibited_purposes",
         DV_SPEC.but(eku=(EKU.SERVER_AUTH, EKU.EMAIL_PROTECTION)), "error"),
    Case("subscriber_eku_prohibited_purposes", DV_SPEC.but(eku=(EKU.SERVER_AUTH, ANY_EKU)),
         "error", "anyExtendedKeyUsage"),
    Case("subscriber_eku_prohibited_purposes",
         DV_SPEC.but(eku=(EKU.SERVER_AUTH, EKU.EMAIL_PROTECTION), not_before=BR1), "ne"),
    Case("subscriber_eku_other_purposes", DV_SPEC, "pass"),
    Case("subscriber_eku_other_purposes", DV_SPEC.but(eku=(EKU.SERVER_AUTH, _oid("1.2.3.4"))),
         "warn"),
    Case("subscriber_eku_not_critical", DV_SPEC, "pass"),
    Case("subscriber_eku_not_critical",
         DV_SPEC.but(eku=None, extra_extensions=_ext(
             x509.ExtendedKeyUsage([EKU.SERVER_AUTH]), True)), "error"),
    Case("subscriber_eku_not_critical",
         DV_SPEC.but(eku=None, not_before=BR1, extra_extensions=_ext(
             x509.ExtendedKeyUsage([EKU.SERVER_AUTH]), True)), "ne"),
    Case("root_ca_eku_absent", ROOT, "pass"),
    Case("root_ca_eku_absent", ROOT.but(eku=(EKU.SERVER_AUTH,)), "error"),
    Case("root_ca_eku_absent", ROOT.but(eku=(EKU.SERVER_AUTH,), not_before=PRE_BR), "ne"),
    # -- BR: basicConstraints ------------------------------------------------------------------------
    Case("ca_basic_constraints_ca_true", SUB_CA, "pass"),
    Case("ca_basic_constraints_ca_true",
         DV_SPEC.but(key_usage=("digital_signature", "key_cert_sign")), "error"),
    Case("ca_basic_constraints_ca_true",
         DV_SPEC.but(key_usage=("digital_signature", "key_cert_sign"), not_before=PRE_BR), "ne"),
    Case("subscriber_basic_constraints_not_ca", DV_SPEC, "pass"),
    Case("subscriber_basic_constraints_not_ca", DV_SPEC.but(ca=True), "error",
         "cA true, keyUsage of a TLS server"),
    Case("subscriber_basic_constraints_not_ca", SUB_CA, "na", "a real CA"),
    Case("subscriber_basic_constraints_not_ca", DV_SPEC.but(ca=True, not_before=PRE_BR), "ne"),
    Case("subscriber_basic_constraints_critical", DV_SPEC, "pass"),
    Case("subscriber_basic_constraints_critical", DV_SPEC.but(basic_constraints_critical=False),
         "error"),
    Case("subscriber_basic_constraints_critical",
         DV_SPEC.but(basic_constraints_critical=False, not_before=BR1), "ne"),
    Case("root_ca_path_length_absent", ROOT, "pass"),
    Case("root_ca_path_length_absent", ROOT.but(path_length=1), "warn"),
    # -- BR: subjectKeyIdentifier --------------------------------------------------------------------
    Case("subscriber_subject_key_identifier_not_recommended", DV_SPEC, "pass"),
    Case("subscriber_subject_key_identifier_not_recommended", DV_SPEC.but(subject_key_id=True),
         "warn"),
    Case("subscriber_subject_key_identifier_not_recommended",
         DV_SPEC.but(subject_key_id=True, not_before=BR1), "ne"),
    # -- BR: authorityInformationAccess --------------------------------------------------------------
    Case("subscriber_aia_present", DV_SPEC, "pass"),
    Case("subscriber_aia_present", DV_SPEC.but(**NO_AIA), "error"),
    Case("subscriber_aia_present", DV_SPEC.but(**NO_AIA, not_before=PRE_BR), "ne"),
    Case("subscriber_aia_ocsp_url", DV_SPEC.but(not_before=BR1), "pass"),
    Case("subscriber_aia_ocsp_url", DV_SPEC.but(ocsp_url=None, not_before=BR1), "error"),
    Case("subscriber_aia_ocsp_url", DV_SPEC.but(ocsp_url=None, not_before=BR2_BEFORE_SC63),
         "error", "BR 2.0.0 still required OCSP"),
    Case("subscriber_aia_ocsp_url",
         DV_SPEC.but(ocsp_url="https://ocsp.example-ca.test", not_before=BR1), "error", "https"),
    Case("subscriber_aia_ocsp_url", DV_SPEC.but(ocsp_url=None), "ne", "after SC63"),
    Case("subscriber_aia_ca_issuers_url", DV_SPEC, "pass"),
    Case("subscriber_aia_ca_issuers_url", DV_SPEC.but(ca_issuers_url=None), "warn"),
    Case("subscriber_aia_ocsp_urls_http", DV_SPEC, "pass"),
    Case("subscriber_aia_ocsp_urls_http", DV_SPEC.but(ocsp_url="https://ocsp.example-ca.test"),
         "error"),
    Case("subscriber_aia_ocsp_urls_http",
         DV_SPEC.but(ocsp_url="https://ocsp.example-ca.test", not_before=BR1), "ne"),
    Case("subscriber_aia_ocsp_urls_http", DV_SPEC.but(ocsp_url=None), "na", "no OCSP"),
    Case("subscriber_aia_ca_issuers_urls_http", DV_SPEC, "pass"),
    Case("subscriber_aia_ca_issuers_urls_http",
         DV_SPEC.but(ca_issuers_url="ldap://ldap.example-ca.test/cn=ca"), "error"),
    Case("subscriber_aia_access_methods", DV_SPEC, "pass"),
    Case("subscriber_aia_access_methods",
         DV_SPEC.but(**NO_AIA, extra_extensions=_ext(_aia(
             (AD.CA_ISSUERS, x509.DNSName("pki.example-ca.test"))), False)), "error", "DNS name"),
    Case("subscriber_aia_access_methods",
         DV_SPEC.but(**NO_AIA, extra_extensions=_ext(_aia(
             (_oid("1.3.6.1.5.5.7.48.5"), x509.UniformResourceIdentifier(f"{HTTP}/r"))), False)),
         "error", "caRepository"),
    Case("subscriber_aia_locations_unique", DV_SPEC, "pass"),
    Case("subscriber_aia_locations_unique",
         DV_SPEC.but(**NO_AIA, extra_extensions=_ext(_aia(
             (AD.OCSP, x509.UniformResourceIdentifier(f"{HTTP}/ocsp")),
             (AD.OCSP, x509.UniformResourceIdentifier(f"{HTTP.upper()}/ocsp"))), False)), "error"),
    Case("ca_aia_urls_http", SUB_CA, "pass"),
    Case("ca_aia_urls_http", SUB_CA.but(ca_issuers_url="ldap://ldap.example-ca.test/cn=ca"),
         "error"),
    Case("ca_aia_urls_http",
         SUB_CA.but(ca_issuers_url="ldap://ldap.example-ca.test/cn=ca", not_before=BR1), "ne"),
    # -- BR: cRLDistributionPoints -------------------------------------------------------------------
    Case("subscriber_crl_distribution_points_without_ocsp", DV_SPEC, "pass"),
    Case("subscriber_crl_distribution_points_without_ocsp", DV_SPEC.but(crl_url=None), "pass",
         "has OCSP"),
    Case("subscriber_crl_distribution_points_without_ocsp",
         DV_SPEC.but(crl_url=None, ocsp_url=None), "error"),
    Case("subscriber_crl_distribution_points_without_ocsp",
         DV_SPEC.but(crl_url=None, ocsp_url=None, days=7), "na", "short-lived"),
    Case("subscriber_crl_distribution_points_without_ocsp",
         DV_SPEC.but(crl_url=None, ocsp_url=None, days=9, not_before=_at(2026, 4)), "error",
         "9 days is no longer short-lived"),
    Case("subscriber_crl_distribution_points_without_ocsp",
         DV_SPEC.but(crl_url=None, ocsp_url=None, not_before=BR2_BEFORE_SC63), "ne"),
    Case("subordinate_ca_crl_distribution_points_present", SUB_CA, "pass"),
    Case("subordinate_ca_crl_distribution_points_present", SUB_CA.but(crl_url=None), "error"),
    Case("subordinate_ca_crl_distribution_points_present",
         SUB_CA.but(crl_url=None, not_before=PRE_BR), "ne"),
    Case("crl_distribution_points_not_critical", DV_SPEC, "pass"),
    Case("crl_distribution_points_not_critical",
         DV_SPEC.but(crl_url=None, extra_extensions=_ext(_cdp(f"{HTTP}/a.crl"), True)), "error"),
    Case("crl_distribution_points_not_critical",
         SUB_CA.but(crl_url=None, extra_extensions=_ext(_cdp(f"{HTTP}/a.crl"), True)), "error",
         "subordinate CA"),
    Case("crl_distribution_points_contain_http_url", DV_SPEC, "pass"),
    Case("crl_distribution_points_contain_http_url",
         DV_SPEC.but(crl_url="ldap://ldap.example-ca.test/cn=crl"), "error"),
    Case("crl_distribution_points_contain_http_url",
         DV_SPEC.but(crl_url="ldap://ldap.example-ca.test/cn=crl", not_before=PRE_BR), "ne"),
    Case("crl_distribution_points_no_reasons_or_crl_issuer", DV_SPEC, "pass"),
    Case("crl_distribution_points_no_reasons_or_crl_issuer",
         DV_SPEC.but(crl_url=None, extra_extensions=_ext(x509.CRLDistributionPoints([
             x509.DistributionPoint([x509.UniformResourceIdentifier(f"{HTTP}/a.crl")], None,
                                    frozenset({x509.ReasonFlags.key_compromise}), None)]),
             False)), "error", "reasons"),
    Case("crl_distribution_points_no_reasons_or_crl_issuer",
         DV_SPEC.but(crl_url=None, not_before=BR1, extra_extensions=_ext(x509.CRLDistributionPoints([
             x509.DistributionPoint([x509.UniformResourceIdentifier(f"{HTTP}/a.crl")], None,
                                    frozenset({x509.ReasonFlags.key_compromise}), None)]),
             False)), "ne"),
    Case("crl_distribution_points_http_only", DV_SPEC, "pass"),
    Case("crl_distribution_points_http_only",
         DV_SPEC.but(crl_url="https://pki.example-ca.test/a.crl"), "error"),
    Case("crl_distribution_points_http_only",
         DV_SPEC.but(crl_url="https://pki.example-ca.test/a.crl", not_before=BR1), "ne"),
    # -- BR: certificatePolicies ---------------------------------------------------------------------
    Case("subscriber_certificate_policies_present", DV_SPEC, "pass"),
    Case("subscriber_certificate_policies_present", DV_SPEC.but(policies=None), "error"),
    Case("subscriber_certificate_policies_present",
         DV_SPEC.but(policies=None, not_before=PRE_BR), "ne"),
    Case("subscriber_certificate_policies_not_critical", DV_SPEC, "pass"),
    Case("subscriber_certificate_policies_not_critical",
         DV_SPEC.but(policies=None, extra_extensions=_ext(x509.CertificatePolicies(
             [x509.PolicyInformation(_oid(DV), None)]), True)), "error", "BR 2.0: MUST NOT"),
    Case("subscriber_certificate_policies_not_critical",
         DV_SPEC.but(policies=None, not_before=BR1, extra_extensions=_ext(x509.CertificatePolicies(
             [x509.PolicyInformation(_oid(DV), None)]), True)), "warn", "BR 1.x: SHOULD NOT"),
    Case("subscriber_one_reserved_policy", DV_SPEC, "pass"),
    Case("subscriber_one_reserved_policy", DV_SPEC.but(policies=(DV, OV)), "error", "two"),
    Case("subscriber_one_reserved_policy", DV_SPEC.but(policies=("1.3.6.1.4.1.99999.1",)),
         "error", "none"),
    Case("subscriber_one_reserved_policy",
         DV_SPEC.but(policies=("1.3.6.1.4.1.99999.1",), not_before=BR1), "ne"),
    Case("subscriber_any_policy_absent", DV_SPEC, "pass"),
    Case("subscriber_any_policy_absent", DV_SPEC.but(policies=(DV, "2.5.29.32.0")), "error"),
    Case("subordinate_ca_certificate_policies_present", SUB_CA, "pass"),
    Case("subordinate_ca_certificate_policies_present", SUB_CA.but(policies=None), "error"),
    Case("subordinate_ca_certificate_policies_not_critical", SUB_CA, "pass"),
    Case("subordinate_ca_certificate_policies_not_critical",
         SUB_CA.but(policies=None, extra_extensions=_ext(x509.CertificatePolicies(
             [x509.PolicyInformation(_oid(DV), None)]), True)), "warn"),
    Case("root_ca_certificate_policies_absent", ROOT, "pass"),
    Case("root_ca_certificate_policies_absent", ROOT.but(policies=(DV,)), "warn"),
    # -- BR: reserved policy identifiers and the subject ---------------------------------------------
    Case("dv_policy_without_identity_attributes", DV_SPEC.but(not_before=BR1), "pass"),
    Case("dv_policy_without_identity_attributes",
         DV_SPEC.but(subject=OV_SUBJECT, not_before=BR1), "error"),
    Case("dv_policy_without_identity_attributes", DV_SPEC.but(subject=OV_SUBJECT), "ne",
         "BR 2.0 has its own rule"),
    Case("dv_policy_subject_country_and_common_name_only", DV_SPEC, "pass"),
    Case("dv_policy_subject_country_and_common_name_only", DV_SPEC.but(subject=OV_SUBJECT),
         "error"),
    Case("dv_policy_subject_country_and_common_name_only",
         DV_SPEC.but(subject=OV_SUBJECT, not_before=BR1), "ne"),
    Case("ov_policy_requires_organization", OV_SPEC, "pass"),
    Case("ov_policy_requires_organization", OV_SPEC.but(subject=CN_ONLY), "error"),
    Case("ov_policy_requires_organization", OV_SPEC.but(subject=CN_ONLY, not_before=PRE_BR), "ne"),
    Case("ov_policy_requires_organization", DV_SPEC, "na", "DV"),
    Case("iv_policy_requires_organization_or_personal_name", IV_SPEC.but(not_before=BR1), "pass"),
    Case("iv_policy_requires_organization_or_personal_name",
         IV_SPEC.but(subject=IV_ORG_ONLY, not_before=BR1), "pass", "organization"),
    Case("iv_policy_requires_organization_or_personal_name",
         IV_SPEC.but(subject=CN_ONLY, not_before=BR1), "error"),
    Case("iv_policy_requires_organization_or_personal_name", IV_SPEC.but(subject=CN_ONLY), "ne"),
    Case("iv_policy_requires_given_name_and_surname", IV_SPEC, "pass"),
    Case("iv_policy_requires_given_name_and_surname", IV_SPEC.but(subject=IV_ORG_ONLY), "error"),
    Case("iv_policy_requires_given_name_and_surname",
         IV_SPEC.but(subject=IV_ORG_ONLY, not_before=BR1), "ne"),
    Case("personal_name_requires_iv_policy", IV_SPEC, "pass"),
    Case("personal_name_requires_iv_policy", IV_SPEC.but(policies=(OV,)), "error"),
    Case("personal_name_requires_iv_policy", IV_SPEC.but(policies=(EV,)), "error", "EV"),
    Case("personal_name_requires_iv_policy",
         IV_SPEC.but(policies=(OV,), not_before=_at(2016, 1)), "ne"),
    Case("personal_name_requires_iv_policy", DV_SPEC, "na", "no personal name"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)


def test_every_extension_lint_has_failing_and_passing_case() -> None:
    from tests.lints.golden import engine

    # The TLS BR and RFC 5280 extension modules; the S/MIME and code-signing families' own
    # extension modules hold their lints to cases in their own test files.
    modules = {"audit.lints.cabf_br.extensions", "audit.lints.rfc5280.extensions"}
    ours = {x.name for x in engine().catalogue if x.check.__module__ in modules}
    covered = {c.lint for c in CASES}
    assert ours <= covered, f"lints without golden cases: {sorted(ours - covered)}"
    for lint_name in ours:
        statuses = {c.expected for c in CASES if c.lint == lint_name}
        assert "pass" in statuses, lint_name
        assert statuses & {"info", "notice", "warn", "error"}, lint_name
