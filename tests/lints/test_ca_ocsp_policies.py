"""Golden cases for the CA certificate, OCSP responder, certificate policy and encoding lints
(cabf_br/ca_certificates.py, ocsp_responder.py, policies.py, encoding.py).

Certificates the builder will not make (an X.509 v2 certificate, RSA key parameters left out,
a malformed nocheck value) are built cleanly and then rewritten with asn1crypto or given as an
opaque extension; their signatures no longer verify, which no lint checks.
"""

import ipaddress
import struct
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID as AD
from cryptography.x509.oid import ExtendedKeyUsageOID as EKU
from cryptography.x509.oid import NameOID

from audit.sample_db.certbuilder import (
    DV,
    DV_SPEC,
    IV,
    OV,
    OV_SPEC,
    ROOT_CA_SPEC,
    SUBORDINATE_CA_SPEC,
    CertSpec,
    der,
    ec_key,
    name,
    rsa_key,
)
from tests.lints.golden import Case, check_case

SECTIONS = ("ca_certificates", "ocsp_responder", "policies", "encoding")


def at(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def _oid(dotted: str) -> x509.ObjectIdentifier:
    return x509.ObjectIdentifier(dotted)


C, ST, L, O, OU, CN = (  # noqa: E741 - X.520 short names
    NameOID.COUNTRY_NAME, NameOID.STATE_OR_PROVINCE_NAME, NameOID.LOCALITY_NAME,
    NameOID.ORGANIZATION_NAME, NameOID.ORGANIZATIONAL_UNIT_NAME, NameOID.COMMON_NAME,
)  # fmt: skip
ANY_EKU = _oid("2.5.29.37.0")
ANY_POLICY = "2.5.29.32.0"
PRECERT_SIGNING = _oid("1.3.6.1.4.1.11129.2.4.4")
HTTP = "http://pki.example-ca.test"

# -- CA certificates ------------------------------------------------------------------------------

SUB_CA = SUBORDINATE_CA_SPEC.but(policies=(OV,))  # 2025, serverAuth + clientAuth, caIssuers only
SUB_CA_2016 = SUB_CA.but(not_before=at(2016, 6), days=365 * 5)
SUB_CA_2021 = SUB_CA.but(not_before=at(2021, 6), days=365 * 5)
ROOT = ROOT_CA_SPEC


def ca_subject(*pairs: tuple) -> x509.Name:
    return name(*pairs)


CA_NO_CN = ca_subject((C, "US"), (O, "Example CA"))
CA_NO_O = ca_subject((C, "US"), (CN, "Example Sub CA"))
CA_NO_C = ca_subject((O, "Example CA"), (CN, "Example Sub CA"))
CA_BLANK_O = ca_subject((C, "US"), (O, " "), (CN, "Example Sub CA"))
CA_BAD_C = ca_subject((C, "UK"), (O, "Example CA"), (CN, "Example Sub CA"))
CA_XX = ca_subject((C, "XX"), (O, "Example CA"), (CN, "Example Sub CA"))
CA_OU = ca_subject((C, "US"), (O, "Example CA"), (OU, "PKI"), (CN, "Example Sub CA"))
NON_TLS_CA = SUB_CA.but(eku=(EKU.CLIENT_AUTH, EKU.EMAIL_PROTECTION))


def _critical_eku(*purposes: x509.ObjectIdentifier) -> dict:
    return {"eku": None, "extra_extensions": ((x509.ExtendedKeyUsage(list(purposes)), True),)}


def _aia(*pairs: tuple[x509.ObjectIdentifier, x509.GeneralName]) -> dict:
    """An AIA of exactly these access descriptions (the builder's own AIA left out)."""
    descriptions = [x509.AccessDescription(m, loc) for m, loc in pairs]
    return {
        "ocsp_url": None,
        "ca_issuers_url": None,
        "extra_extensions": ((x509.AuthorityInformationAccess(descriptions), False),),
    }


def _name_constraints(*networks: str, critical: bool = True) -> dict:
    permitted = [x509.IPAddress(ipaddress.ip_network(n)) for n in networks]
    permitted.append(x509.DNSName("example.com"))
    value = x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None)
    return {"extra_extensions": ((value, critical),)}


URI = x509.UniformResourceIdentifier
# The builder's default URLs are under .test, which is not a delegated TLD.
PUBLIC_URLS = DV_SPEC.but(
    ocsp_url="http://ocsp.example-ca.com", ca_issuers_url="http://pki.example-ca.com/ca.crt"
)

CA_CASES = [
    # BR 7.1.4.3.1 / 7.1.2.10.2: subject naming
    Case("ca_subject_common_name_present", SUB_CA, "pass"),
    Case("ca_subject_common_name_present", SUB_CA.but(subject=CA_NO_CN), "error"),
    Case("ca_subject_common_name_present", ROOT.but(subject=CA_NO_CN), "error", "root"),
    Case("ca_subject_common_name_present",
         SUB_CA_2016.but(subject=CA_NO_CN), "ne", "before Ballot 199"),
    Case("ca_subject_common_name_present", DV_SPEC, "na", "subscriber"),
    Case("ca_subject_organization_present", SUB_CA, "pass"),
    Case("ca_subject_organization_present", SUB_CA.but(subject=CA_NO_O), "error"),
    Case("ca_subject_organization_present", SUB_CA.but(subject=CA_BLANK_O), "error", "blank"),
    Case("ca_subject_organization_present",
         SUB_CA.but(subject=CA_NO_O, not_before=at(2011), days=3650), "ne"),
    Case("ca_subject_country_present", SUB_CA, "pass"),
    Case("ca_subject_country_present", SUB_CA.but(subject=CA_NO_C), "error"),
    Case("ca_subject_country_present",
         SUB_CA.but(subject=CA_NO_C, not_before=at(2011), days=3650), "ne"),
    Case("ca_subject_country_is_iso_3166", SUB_CA, "pass"),
    Case("ca_subject_country_is_iso_3166", SUB_CA.but(subject=CA_XX), "pass", "XX"),
    Case("ca_subject_country_is_iso_3166", SUB_CA.but(subject=CA_BAD_C), "error", "UK"),
    Case("ca_subject_country_is_iso_3166", SUB_CA.but(subject=CA_NO_C), "na", "no country"),
    Case("ca_subject_organizational_unit_prohibited", SUB_CA, "pass"),
    Case("ca_subject_organizational_unit_prohibited", SUB_CA.but(subject=CA_OU), "error"),
    Case("ca_subject_organizational_unit_prohibited",
         SUB_CA.but(subject=CA_OU, eku=None), "error", "no EKU"),
    Case("ca_subject_organizational_unit_prohibited",
         SUB_CA_2021.but(subject=CA_OU), "ne", "before BR 2.0"),
    Case("ca_subject_organizational_unit_prohibited",
         NON_TLS_CA.but(subject=CA_OU), "na", "non-TLS CA"),
    # BR 7.1.5 / 7.1.2.2(g): extKeyUsage of subordinate CAs
    Case("subordinate_ca_eku_technically_constrained", SUB_CA, "pass"),
    Case("subordinate_ca_eku_technically_constrained", SUB_CA.but(eku=None), "notice", "no EKU"),
    Case("subordinate_ca_eku_technically_constrained",
         SUB_CA.but(eku=(EKU.CODE_SIGNING,)), "notice", "code signing only"),
    Case("subordinate_ca_eku_technically_constrained",
         SUB_CA.but(eku=(ANY_EKU,)), "notice", "anyEKU"),
    Case("subordinate_ca_eku_technically_constrained",
         SUB_CA.but(eku=(EKU.CODE_SIGNING,), not_before=at(2013, 2), days=3650), "pass",
         "before Ballot 105"),
    Case("subordinate_ca_eku_technically_constrained",
         SUB_CA.but(eku=None, not_before=at(2011), days=3650), "ne"),
    Case("subordinate_ca_eku_technically_constrained", ROOT, "na", "root"),
    Case("subordinate_ca_eku_not_critical", SUB_CA, "pass"),
    Case("subordinate_ca_eku_not_critical",
         SUB_CA_2016.but(**_critical_eku(EKU.SERVER_AUTH)), "warn", "BR 1.x SHOULD NOT"),
    Case("subordinate_ca_eku_not_critical",
         SUB_CA.but(**_critical_eku(EKU.SERVER_AUTH)), "error", "BR 2.0 MUST NOT"),
    Case("subordinate_ca_eku_not_critical",
         SUB_CA.but(not_before=at(2013, 2), days=3650, **_critical_eku(EKU.SERVER_AUTH)), "ne"),
    Case("subordinate_ca_eku_not_critical", SUB_CA.but(eku=None), "na", "no EKU"),
    Case("subordinate_ca_eku_tls_purposes", SUB_CA, "pass"),
    Case("subordinate_ca_eku_tls_purposes", SUB_CA.but(eku=(ANY_EKU,)), "pass", "cross"),
    Case("subordinate_ca_eku_tls_purposes",
         SUB_CA.but(eku=(EKU.SERVER_AUTH, EKU.EMAIL_PROTECTION)), "error", "email"),
    Case("subordinate_ca_eku_tls_purposes",
         SUB_CA.but(eku=(ANY_EKU, EKU.EMAIL_PROTECTION)), "error", "anyEKU with more"),
    Case("subordinate_ca_eku_tls_purposes",
         SUB_CA.but(eku=(EKU.SERVER_AUTH, EKU.OCSP_SIGNING)), "error", "OCSP, BR 2.0"),
    Case("subordinate_ca_eku_tls_purposes",
         SUB_CA_2021.but(eku=(EKU.SERVER_AUTH, EKU.OCSP_SIGNING)), "warn", "OCSP, BR 1.7.1"),
    Case("subordinate_ca_eku_tls_purposes",
         SUB_CA.but(eku=(EKU.SERVER_AUTH, PRECERT_SIGNING)), "error", "precert signing"),
    Case("subordinate_ca_eku_tls_purposes",
         SUB_CA_2016.but(eku=(EKU.SERVER_AUTH, EKU.EMAIL_PROTECTION)), "ne"),
    Case("subordinate_ca_eku_tls_purposes", NON_TLS_CA, "na", "not TLS"),
    # BR 7.1.2.2(c) / 2.0 7.1.2.10.3: authorityInformationAccess of subordinate CAs
    Case("subordinate_ca_aia_present", SUB_CA_2016, "pass"),
    Case("subordinate_ca_aia_present", SUB_CA_2016.but(ca_issuers_url=None), "error"),
    Case("subordinate_ca_aia_present", SUB_CA_2021.but(ca_issuers_url=None), "ne", "BR 1.7.1"),
    Case("subordinate_ca_aia_recommended", SUB_CA, "pass"),
    Case("subordinate_ca_aia_recommended", SUB_CA.but(ca_issuers_url=None), "warn"),
    Case("subordinate_ca_aia_recommended", SUB_CA_2016.but(ca_issuers_url=None), "ne"),
    Case("subordinate_ca_aia_recommended", ROOT, "na", "root"),
    Case("subordinate_ca_aia_ocsp_url", SUB_CA_2016.but(ocsp_url="default"), "pass"),
    Case("subordinate_ca_aia_ocsp_url", SUB_CA_2016, "error", "caIssuers only"),
    Case("subordinate_ca_aia_ocsp_url", SUB_CA_2021, "ne", "BR 1.7.1 made it MAY"),
    Case("subordinate_ca_aia_ca_issuers_url", SUB_CA_2016, "pass"),
    Case("subordinate_ca_aia_ca_issuers_url",
         SUB_CA_2016.but(ocsp_url="default", ca_issuers_url=None), "warn"),
    Case("subordinate_ca_aia_ca_issuers_url",
         SUB_CA.but(ocsp_url="default", ca_issuers_url=None), "ne", "BR 2.0 made it MAY"),
    Case("subordinate_ca_aia_access_descriptions", SUB_CA, "pass"),
    Case("subordinate_ca_aia_access_descriptions",
         SUB_CA.but(**_aia((AD.CA_ISSUERS, x509.DNSName("pki.example-ca.test")))), "error",
         "not a URI"),
    Case("subordinate_ca_aia_access_descriptions",
         SUB_CA.but(**_aia((AD.CA_ISSUERS, URI(f"{HTTP}/a.crt")),
                           (AD.CA_ISSUERS, URI(f"{HTTP}/A.CRT")))), "error", "repeated"),
    Case("subordinate_ca_aia_access_descriptions",
         SUB_CA.but(**_aia((_oid("1.3.6.1.5.5.7.48.5"), URI(f"{HTTP}/repo")))), "error",
         "other method"),
    Case("subordinate_ca_aia_access_descriptions",
         SUB_CA_2021.but(**_aia((AD.CA_ISSUERS, x509.DNSName("pki.example-ca.test")))), "ne"),
    Case("subscriber_aia_urls_not_internal_names", PUBLIC_URLS, "pass"),
    Case("subscriber_aia_urls_not_internal_names",
         PUBLIC_URLS.but(ocsp_url="http://ocsp-server/status"), "warn", "single label"),
    Case("subscriber_aia_urls_not_internal_names",
         PUBLIC_URLS.but(ca_issuers_url="http://pki.corp.internal/ca.crt"), "warn", "no such TLD"),
    Case("subscriber_aia_urls_not_internal_names",
         PUBLIC_URLS.but(ocsp_url="http://198.51.100.42/ocsp"), "pass", "IP address host"),
    Case("subscriber_aia_urls_not_internal_names", SUB_CA, "na", "CA"),
    # BR 7.1.2.2(f), 7.1.5: nameConstraints
    Case("subordinate_ca_name_constraints_critical", SUB_CA.but(**_name_constraints()), "pass"),
    Case("subordinate_ca_name_constraints_critical",
         SUB_CA.but(**_name_constraints(critical=False)), "warn"),
    Case("subordinate_ca_name_constraints_critical",
         SUB_CA.but(not_before=at(2011), days=3650, **_name_constraints(critical=False)), "ne"),
    Case("subordinate_ca_name_constraints_critical", SUB_CA, "na", "no nameConstraints"),
    Case("name_constraints_permitted_ip_not_reserved",
         SUB_CA.but(**_name_constraints("203.0.112.0/24", "2a00:1450::/32")), "pass"),
    Case("name_constraints_permitted_ip_not_reserved",
         SUB_CA.but(**_name_constraints("10.1.0.0/16")), "error", "private"),
    Case("name_constraints_permitted_ip_not_reserved",
         SUB_CA.but(**_name_constraints("0.0.0.0/0")), "error", "everything"),
    Case("name_constraints_permitted_ip_not_reserved",
         SUB_CA.but(**_name_constraints("192.0.0.0/16")), "error", "contains a reserved /24"),
    Case("name_constraints_permitted_ip_not_reserved",
         SUB_CA.but(**_name_constraints("fd00::/8")), "error", "IPv6 ULA"),
    Case("name_constraints_permitted_ip_not_reserved",
         SUB_CA.but(not_before=at(2013), days=700, **_name_constraints("10.0.0.0/8")), "ne",
         "expires before the 2015-11-01 sunset"),
    Case("name_constraints_permitted_ip_not_reserved",
         SUB_CA.but(**_name_constraints()), "na", "no iPAddress constraint"),
]  # fmt: skip

# -- OCSP responder certificates ------------------------------------------------------------------

NO_CHECK = (x509.OCSPNoCheck(), False)
OCSP = DV_SPEC.but(
    subject=name((C, "US"), (O, "Example CA"), (CN, "Example OCSP Responder")),
    eku=(EKU.OCSP_SIGNING,), dns_names=None, policies=None, key_usage=("digital_signature",),
    ocsp_url=None, ca_issuers_url=None, crl_url=None, extra_extensions=(NO_CHECK,),
)  # fmt: skip
OCSP_2021 = OCSP.but(not_before=at(2021, 6))
NO_CHECK_OID = _oid("1.3.6.1.5.5.7.48.1.5")


def _opaque(oid: x509.ObjectIdentifier, value: bytes, critical: bool = False) -> tuple:
    return ((x509.UnrecognizedExtension(oid, value), critical),)


OCSP_CASES = [
    Case("ocsp_responder_no_check_present", OCSP, "pass"),
    Case("ocsp_responder_no_check_present", OCSP.but(extra_extensions=()), "error"),
    Case("ocsp_responder_no_check_present",
         OCSP_2021.but(extra_extensions=()), "error", "BR 1.x too"),
    Case("ocsp_responder_no_check_present",
         OCSP.but(extra_extensions=(), not_before=at(2011)), "ne"),
    Case("ocsp_responder_no_check_present", DV_SPEC, "na", "subscriber"),
    Case("ocsp_responder_no_check_encoding", OCSP, "pass"),
    Case("ocsp_responder_no_check_encoding",
         OCSP.but(extra_extensions=((x509.OCSPNoCheck(), True),)), "error", "critical"),
    Case("ocsp_responder_no_check_encoding",
         OCSP.but(extra_extensions=_opaque(NO_CHECK_OID, b"\x04\x00")), "error", "not NULL"),
    Case("ocsp_responder_no_check_encoding",
         OCSP_2021.but(extra_extensions=((x509.OCSPNoCheck(), True),)), "ne"),
    Case("ocsp_responder_no_check_encoding", OCSP.but(extra_extensions=()), "na", "absent"),
    Case("ocsp_responder_crl_distribution_points_absent", OCSP, "pass"),
    Case("ocsp_responder_crl_distribution_points_absent", OCSP.but(crl_url="default"), "error"),
    Case("ocsp_responder_crl_distribution_points_absent",
         OCSP_2021.but(crl_url="default"), "ne"),
    Case("ocsp_responder_certificate_policies_absent", OCSP, "pass"),
    Case("ocsp_responder_certificate_policies_absent", OCSP.but(policies=(DV,)), "error"),
    Case("ocsp_responder_certificate_policies_absent", OCSP_2021.but(policies=(DV,)), "ne"),
    Case("ocsp_responder_key_usage_digital_signature_only", OCSP, "pass"),
    Case("ocsp_responder_key_usage_digital_signature_only",
         OCSP.but(key_usage=("digital_signature", "content_commitment")), "error", "extra bit"),
    Case("ocsp_responder_key_usage_digital_signature_only",
         OCSP.but(key_usage=None), "error", "absent"),
    Case("ocsp_responder_key_usage_digital_signature_only",
         OCSP_2021.but(key_usage=("digital_signature", "key_encipherment")), "ne"),
    Case("ocsp_responder_eku_ocsp_signing_only", OCSP, "pass"),
    Case("ocsp_responder_eku_ocsp_signing_only",
         OCSP.but(eku=(EKU.OCSP_SIGNING, EKU.SERVER_AUTH)), "error"),
    Case("ocsp_responder_eku_ocsp_signing_only",
         OCSP_2021.but(eku=(EKU.OCSP_SIGNING, EKU.SERVER_AUTH)), "ne"),
    Case("ocsp_responder_names_extensions_absent", OCSP, "pass"),
    Case("ocsp_responder_names_extensions_absent",
         OCSP.but(dns_names=("ocsp.example-ca.test",)), "error", "subjectAltName"),
    Case("ocsp_responder_names_extensions_absent",
         OCSP_2021.but(dns_names=("ocsp.example-ca.test",)), "ne"),
    Case("ocsp_responder_aia_not_recommended", OCSP, "pass"),
    Case("ocsp_responder_aia_not_recommended", OCSP.but(ca_issuers_url="default"), "warn"),
    Case("ocsp_responder_aia_not_recommended", OCSP_2021.but(ca_issuers_url="default"), "ne"),
    Case("ocsp_responder_aia_ocsp_only", OCSP.but(ocsp_url="http://ocsp.example.com"), "pass"),
    Case("ocsp_responder_aia_ocsp_only", OCSP.but(ca_issuers_url="default"), "error", "caIssuers"),
    Case("ocsp_responder_aia_ocsp_only",
         OCSP_2021.but(ca_issuers_url="default"), "ne", "before BR 2.0"),
    Case("ocsp_responder_aia_ocsp_only", OCSP, "na", "no AIA"),
]  # fmt: skip

# -- certificate policies -------------------------------------------------------------------------


def _policies(*infos: tuple[str, list]) -> dict:
    """certificatePolicies with qualifiers (the builder's own policies left out)."""
    value = x509.CertificatePolicies([x509.PolicyInformation(_oid(p), q) for p, q in infos])
    return {"policies": None, "extra_extensions": ((value, False),)}


NOTICE = x509.UserNotice(None, "Relying parties: see the CPS")
NO_C = name((ST, "California"), (L, "San Francisco"), (O, "Example Inc."), (CN, "www.example.com"))
NO_L_ST = name((C, "US"), (O, "Example Inc."), (CN, "www.example.com"))
IV_SUBJECT = name((C, "US"), (ST, "California"), (NameOID.GIVEN_NAME, "Jane"),
                  (NameOID.SURNAME, "Doe"), (CN, "www.example.com"))  # fmt: skip
IV_NO_C = name((ST, "California"), (NameOID.GIVEN_NAME, "Jane"), (NameOID.SURNAME, "Doe"),
               (CN, "www.example.com"))  # fmt: skip
IV_NO_L_ST = name((C, "US"), (NameOID.GIVEN_NAME, "Jane"), (NameOID.SURNAME, "Doe"),
                  (CN, "www.example.com"))  # fmt: skip
IV_SPEC = DV_SPEC.but(subject=IV_SUBJECT, policies=(IV,))

POLICY_CASES = [
    Case("subordinate_ca_any_policy_alone", SUB_CA.but(policies=(ANY_POLICY,)), "pass"),
    Case("subordinate_ca_any_policy_alone", SUB_CA.but(policies=(DV, ANY_POLICY)), "error"),
    Case("subordinate_ca_any_policy_alone",
         SUB_CA_2021.but(policies=(DV, ANY_POLICY)), "ne"),
    Case("subordinate_ca_any_policy_alone", SUB_CA, "na", "policy restricted"),
    Case("subordinate_ca_one_reserved_policy", SUB_CA, "pass"),
    Case("subordinate_ca_one_reserved_policy",
         SUB_CA.but(policies=("1.3.6.1.4.1.99999.1", OV)), "pass", "with a CA policy"),
    Case("subordinate_ca_one_reserved_policy", SUB_CA.but(policies=(DV, OV)), "error", "two"),
    Case("subordinate_ca_one_reserved_policy",
         SUB_CA.but(policies=("1.3.6.1.4.1.99999.1",)), "error", "none"),
    Case("subordinate_ca_one_reserved_policy", SUB_CA.but(policies=None), "error", "absent"),
    Case("subordinate_ca_one_reserved_policy", SUB_CA_2021.but(policies=(DV, OV)), "ne"),
    Case("subordinate_ca_one_reserved_policy",
         SUB_CA.but(policies=(ANY_POLICY,)), "na", "anyPolicy"),
    Case("subordinate_ca_one_reserved_policy", ROOT, "na", "root"),
    Case("policy_qualifiers_cps_only", DV_SPEC, "pass", "no qualifiers"),
    Case("policy_qualifiers_cps_only",
         DV_SPEC.but(**_policies((DV, [f"{HTTP}/cps"]))), "pass", "CPS"),
    Case("policy_qualifiers_cps_only",
         DV_SPEC.but(**_policies((DV, [f"{HTTP}/cps", NOTICE]))), "error", "user notice"),
    Case("policy_qualifiers_cps_only",
         SUB_CA.but(**_policies((OV, [NOTICE]))), "error", "CA certificate"),
    Case("policy_qualifiers_cps_only",
         DV_SPEC.but(not_before=at(2023, 6), **_policies((DV, [NOTICE]))), "ne"),
    Case("policy_qualifiers_cps_only", OCSP, "na", "no certificatePolicies"),
    Case("cps_uri_http_or_https", DV_SPEC.but(**_policies((DV, [f"{HTTP}/cps"]))), "pass"),
    Case("cps_uri_http_or_https",
         DV_SPEC.but(**_policies((DV, ["https://pki.example-ca.test/cps"]))), "pass", "https"),
    Case("cps_uri_http_or_https", DV_SPEC, "pass", "no qualifiers"),
    Case("cps_uri_http_or_https",
         DV_SPEC.but(**_policies((DV, ["ftp://pki.example-ca.test/cps"]))), "error", "ftp"),
    Case("cps_uri_http_or_https",
         DV_SPEC.but(**_policies((DV, ["pki.example-ca.test/cps"]))), "error", "no scheme"),
    Case("cps_uri_http_or_https",
         DV_SPEC.but(not_before=at(2023, 6), **_policies((DV, ["ftp://x.test/cps"]))), "ne"),
    Case("ov_policy_requires_country", OV_SPEC, "pass"),
    Case("ov_policy_requires_country", OV_SPEC.but(subject=NO_C), "error"),
    Case("ov_policy_requires_country", OV_SPEC.but(subject=NO_C, not_before=at(2011)), "ne"),
    Case("ov_policy_requires_country", DV_SPEC, "na", "DV"),
    Case("ov_policy_requires_country", SUB_CA.but(subject=CA_NO_C), "na", "CA"),
    Case("ov_policy_requires_locality_or_state", OV_SPEC, "pass"),
    Case("ov_policy_requires_locality_or_state", OV_SPEC.but(subject=NO_L_ST), "error"),
    Case("ov_policy_requires_locality_or_state",
         OV_SPEC.but(subject=NO_L_ST, not_before=at(2011)), "ne"),
    Case("iv_policy_requires_country", IV_SPEC, "pass"),
    Case("iv_policy_requires_country", IV_SPEC.but(subject=IV_NO_C), "error"),
    Case("iv_policy_requires_country",
         IV_SPEC.but(subject=IV_NO_C, not_before=at(2015, 6)), "ne", "before Ballot 151"),
    Case("iv_policy_requires_country", OV_SPEC, "na", "OV"),
    Case("iv_policy_requires_locality_or_state", IV_SPEC, "pass"),
    Case("iv_policy_requires_locality_or_state", IV_SPEC.but(subject=IV_NO_L_ST), "error"),
    Case("iv_policy_requires_locality_or_state",
         IV_SPEC.but(subject=IV_NO_L_ST, not_before=at(2015, 6)), "ne"),
]  # fmt: skip

# -- encoding -------------------------------------------------------------------------------------


def _with_version(spec: CertSpec, version: str) -> bytes:
    cert = asn1_x509.Certificate.load(der(spec))
    cert["tbs_certificate"]["version"] = version
    return cert.dump(force=True)


def _rsa_without_null(spec: CertSpec) -> bytes:
    """An rsaEncryption key whose AlgorithmIdentifier leaves the NULL parameters out."""
    cert = asn1_x509.Certificate.load(der(spec.but(key=rsa_key(2048))))
    spki = cert["tbs_certificate"]["subject_public_key_info"]
    body = bytes.fromhex("300b06092a864886f70d010101") + spki["public_key"].dump()
    cert["tbs_certificate"]["subject_public_key_info"] = asn1_keys.PublicKeyInfo.load(
        b"\x30\x82" + len(body).to_bytes(2, "big") + body
    )
    return cert.dump(force=True)


def _sct_list(*times: datetime) -> tuple:
    """An embedded SCT list (RFC 6962 3.3) with one well-formed SCT per timestamp."""
    scts = b""
    for when in times:
        body = (
            b"\x00" + b"\x11" * 32 + struct.pack(">Q", int(when.timestamp() * 1000))
            + b"\x00\x00" + b"\x04\x03" + struct.pack(">H", 4) + b"\x30\x02\x02\x00"
        )  # fmt: skip
        scts += struct.pack(">H", len(body)) + body
    tls = struct.pack(">H", len(scts)) + scts
    octets = b"\x04" + bytes([len(tls)]) + tls  # short form: fine for two SCTs
    return _opaque(_oid("1.3.6.1.4.1.11129.2.4.2"), octets)


NB = DV_SPEC.not_before
WITH_SCT = DV_SPEC.but(extra_extensions=_sct_list(NB + timedelta(minutes=5)))
BACKDATED = DV_SPEC.but(
    extra_extensions=_sct_list(NB + timedelta(hours=1), NB + timedelta(hours=49))
)
ENCODING_CASES = [
    Case("certificate_version_3", DV_SPEC, "pass"),
    Case("certificate_version_3", _with_version(DV_SPEC, "v2"), "error", "v2"),
    Case("certificate_version_3", _with_version(SUB_CA, "v1"), "error", "v1 CA"),
    Case("certificate_version_3",
         _with_version(DV_SPEC.but(not_before=at(2015, 1), days=365), "v1"), "ne"),
    Case("spki_algorithm_identifier_encoding", DV_SPEC, "pass", "P-256"),
    Case("spki_algorithm_identifier_encoding", DV_SPEC.but(key=rsa_key(2048)), "pass", "RSA"),
    Case("spki_algorithm_identifier_encoding",
         DV_SPEC.but(key=ec_key("secp521r1", 2)), "pass", "P-521"),
    Case("spki_algorithm_identifier_encoding", _rsa_without_null(DV_SPEC), "error", "no NULL"),
    Case("spki_algorithm_identifier_encoding",
         DV_SPEC.but(key=ec_key("secp256k1", 2)), "error", "secp256k1"),
    Case("spki_algorithm_identifier_encoding",
         _rsa_without_null(DV_SPEC.but(not_before=at(2020, 3))), "ne"),
    Case("not_before_within_48_hours_of_signing", WITH_SCT, "pass"),
    Case("not_before_within_48_hours_of_signing", BACKDATED, "error"),
    Case("not_before_within_48_hours_of_signing",
         BACKDATED.but(not_before=at(2023, 6)), "ne"),
    Case("not_before_within_48_hours_of_signing", DV_SPEC, "na", "no SCTs"),
]  # fmt: skip

CASES = CA_CASES + OCSP_CASES + POLICY_CASES + ENCODING_CASES


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)


def test_every_lint_has_failing_and_passing_case() -> None:
    from tests.lints.golden import engine

    ours = {x.name for x in engine().catalogue if x.source == "cabf_br" and x.section in SECTIONS}
    covered = {c.lint for c in CASES}
    assert ours <= covered, f"lints without golden cases: {sorted(ours - covered)}"
    for lint_name in ours:
        statuses = {c.expected for c in CASES if c.lint == lint_name}
        assert "pass" in statuses, lint_name
        assert statuses & {"info", "notice", "warn", "error"}, lint_name


def test_subordinate_ca_includes_self_issued_key_rollover() -> None:
    """A self-issued CA certificate signed by another key is a subordinate CA (BR 1.6.1)."""
    from audit.engine.certview import CertView
    from audit.sample_db.certbuilder import Issuer, test_root

    other_key = Issuer(test_root().subject, ec_key("secp256r1", 3), b"\x01" * 20)
    rollover = CertView(der(ROOT.but(self_signed=False, issuer=other_key)))
    assert str(rollover.profile) == "subordinate_ca"
    assert str(CertView(der(ROOT)).profile) == "root_ca"
