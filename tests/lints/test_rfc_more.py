"""Golden cases for issuer_alt_name.py, uris_and_emails.py, name_constraints.py, policies.py and
transparency.py (audit/lints/rfc5280/).

What the builder cannot express (non-IA5 octets, explicitText string types, GeneralSubtree
bounds, empty sequences) goes in as an unrecognized extension whose DER asn1crypto makes, or
whose few octets are spelled out here. Names a lint judges (dNSName, URI, rfc822Name) are
written as DER too: cryptography refuses some invalid ones, and which depends on its version
and Python's (an rfc822Name goes through email.utils.parseaddr).
"""

from datetime import UTC, datetime
from typing import Any

import pytest
from asn1crypto import core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.x509.oid import NameOID

from audit.sample_db.certbuilder import (
    DNS_NAME,
    DV,
    DV_SPEC,
    RFC822_NAME,
    ROOT_CA_SPEC,
    SUBORDINATE_CA_SPEC,
    URI,
    CertSpec,
    general_names,
    name,
    tlv,
)
from tests.lints.golden import Case, check_case
from tests.lints.test_extensions import _ext, _raw

IAN, SAN, NC = "2.5.29.18", "2.5.29.17", "2.5.29.30"
POLICIES, MAPPINGS, CONSTRAINTS = "2.5.29.32", "2.5.29.33", "2.5.29.36"
SCT_LIST, CDP = "1.3.6.1.4.1.11129.2.4.2", "2.5.29.31"
ANY_POLICY = "2.5.29.32.0"
EMAIL = x509.ObjectIdentifier("1.2.840.113549.1.9.1")
SUB_CA = SUBORDINATE_CA_SPEC


def at(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def raw(oid: str, der: bytes, critical: bool = False) -> tuple[tuple[Any, bool], ...]:
    return _raw(oid, der.hex(), critical)


# -- issuerAltName ---------------------------------------------------------------------------


GeneralName = tuple[int, bytes]  # (tag, octets), written as they are


def dns(value: str) -> GeneralName:
    return DNS_NAME, value.encode("ascii")


def uri(value: str) -> GeneralName:
    return URI, value.encode("ascii")


def email(value: str) -> GeneralName:
    return RFC822_NAME, value.encode("ascii")


def ian(*names: GeneralName, spec: CertSpec = DV_SPEC) -> CertSpec:
    return spec.with_extension_der(IAN, general_names(*names))


def ian_dns(*values: str) -> CertSpec:
    return ian(*(dns(v) for v in values))


IAN_GOOD = ian(dns("ca.example.com"), uri("https://ca.example.com/about"), email("pki@example.com"))
IAN_NOT_IA5 = ian((DNS_NAME, b"caf\xc3\xa9.example.com"))

IAN_CASES = [
    Case("ian_has_entries", IAN_GOOD, "pass"),
    Case("ian_has_entries", DV_SPEC.but(extra_extensions=raw(IAN, b"\x30\x00")), "error"),
    Case("ian_has_entries", DV_SPEC, "na", "no issuerAltName"),
    Case("ian_general_name_not_empty", IAN_GOOD, "pass"),
    Case("ian_general_name_not_empty", ian_dns(""), "error", "empty dNSName"),
    Case("ian_dns_name_syntax", IAN_GOOD, "pass"),
    Case("ian_dns_name_syntax", ian_dns(" "), "error", "space"),
    Case("ian_dns_name_syntax", ian_dns(".example.com"), "error", "leading period"),
    Case("ian_dns_name_syntax", ian_dns("a\x00.example.com"), "error", "NUL"),
    Case("ian_dns_name_syntax", IAN_NOT_IA5, "error", "not IA5"),
    Case("ian_dns_name_syntax", ian_dns("ca.example.com").but(not_before=at(1998)), "ne"),
    Case("ian_dns_name_wildcard_leftmost_label", ian_dns("*.example.com"), "pass"),
    Case("ian_dns_name_wildcard_leftmost_label", ian_dns("*"), "error", "bare"),
    Case("ian_dns_name_wildcard_leftmost_label", ian_dns("www.*.com"), "error", "not first"),
    Case("ian_dns_name_not_public_suffix", IAN_GOOD, "pass"),
    Case("ian_dns_name_not_public_suffix", ian_dns("co.uk"), "warn", "bare suffix"),
    Case("ian_dns_name_not_public_suffix", ian_dns("*.com"), "warn", "wildcard over suffix"),
]

# -- URIs and email addresses --------------------------------------------------------------------


def san(*names: GeneralName, spec: CertSpec = DV_SPEC) -> CertSpec:
    """`spec` with a subjectAltName of www.example.com and `names`."""
    return spec.with_extension_der(SAN, general_names(dns("www.example.com"), *names))


def san_uri(value: str) -> CertSpec:
    return san(uri(value))


def ian_uri(value: str) -> CertSpec:
    return ian(uri(value))


SAN_URI_NOT_IA5 = san((URI, b"http://caf\xc3\xa9.example/"))
IAN_URI_NOT_IA5 = ian((URI, b"http://caf\xc3\xa9.example/"))
WITH_EMAIL = name((NameOID.COMMON_NAME, "www.example.com"), (EMAIL, "Info@example.com"))

URI_EMAIL_CASES = [
    Case("san_uri_syntax", san_uri("https://www.example.com/path?q=1"), "pass"),
    Case("san_uri_syntax", san_uri("sip:alice@sip.example.com"), "pass", "no authority"),
    Case("san_uri_syntax", san_uri("ldap://[2001:db8::1]:389/o=x"), "pass", "IPv6 host"),
    Case("san_uri_syntax", san_uri("test://user@*.example.com:1337/x"), "pass", "wildcard host"),
    Case("san_uri_syntax", san_uri("www.example.com"), "error", "relative"),
    Case("san_uri_syntax", san_uri("https:"), "error", "no scheme-specific part"),
    Case("san_uri_syntax", san_uri("https://"), "error", "no host"),
    Case("san_uri_syntax", san_uri("https://intranet/x"), "error", "single-label host"),
    Case("san_uri_syntax", san_uri("https://www.example.com/a b"), "error", "space"),
    Case("san_uri_syntax", DV_SPEC, "na", "no URI"),
    Case("san_uri_syntax", san_uri("www.example.com").but(not_before=at(1998)), "ne"),
    Case("san_uri_ia5_string", san_uri("https://www.example.com/"), "pass"),
    Case("san_uri_ia5_string", SAN_URI_NOT_IA5, "error"),
    Case("ian_uri_syntax", IAN_GOOD, "pass"),
    Case("ian_uri_syntax", ian_dns("ca.example.com"), "pass", "no URI"),
    Case("ian_uri_syntax", ian_uri("ca.example.com/about"), "error", "relative"),
    Case("ian_uri_syntax", ian_uri("http://192.168.1.300/"), "error", "bad IPv4"),
    Case("ian_uri_ia5_string", IAN_GOOD, "pass"),
    Case("ian_uri_ia5_string", IAN_URI_NOT_IA5, "error"),
    Case("san_rfc822_name_syntax", san(email("a.b+c@example.com")), "pass"),
    Case("san_rfc822_name_syntax", san(email('"a b"@[192.0.2.1]')), "pass", "quoted"),
    Case("san_rfc822_name_syntax", san(email("<a@example.com>")), "error", "brackets"),
    Case("san_rfc822_name_syntax", san(email("a..b@example.com")), "error", "empty atom"),
    Case("ian_rfc822_name_syntax", IAN_GOOD, "pass"),
    Case("ian_rfc822_name_syntax", ian(email("<a@example.com>")), "error"),
    Case("subject_email_in_san", san(email("Info@EXAMPLE.com")).but(subject=WITH_EMAIL), "pass"),
    Case("subject_email_in_san", san(email("info@example.com")).but(subject=WITH_EMAIL), "error", "local part case"),
    Case("subject_email_in_san", DV_SPEC.but(subject=WITH_EMAIL), "error", "no rfc822Name"),
    Case("subject_email_in_san", DV_SPEC.but(subject=WITH_EMAIL, not_before=at(1998)), "ne"),
    Case("subject_email_in_san", DV_SPEC, "na", "no emailAddress"),
]  # fmt: skip

# -- where cRLDistributionPoints and authorityInfoAccess point ------------------------------------

REASONS_ONLY = asn1_x509.CRLDistributionPoints([{"reasons": {"key_compromise"}}]).dump()
WITH_CRL_ISSUER = asn1_x509.CRLDistributionPoints(
    [{"crl_issuer": [asn1_x509.GeneralName(name="dns_name", value="crl.example.com")]}]
).dump()


def cdp(*urls: str) -> CertSpec:
    uris = [x509.UniformResourceIdentifier(u) for u in urls]
    point = x509.DistributionPoint(uris, None, None, None)
    return DV_SPEC.but(
        crl_url=None, extra_extensions=_ext(x509.CRLDistributionPoints([point]), False)
    )


LOCATION_CASES = [
    Case("crl_distribution_point_complete", DV_SPEC, "pass"),
    Case("crl_distribution_point_complete", DV_SPEC.but(crl_url=None, extra_extensions=raw(CDP, WITH_CRL_ISSUER)), "pass", "cRLIssuer only"),
    Case("crl_distribution_point_complete", DV_SPEC.but(crl_url=None, extra_extensions=raw(CDP, REASONS_ONLY)), "error"),
    Case("crl_distribution_point_complete", DV_SPEC.but(crl_url=None, extra_extensions=raw(CDP, REASONS_ONLY), not_before=at(2001)), "ne"),
    Case("crl_distribution_point_complete", DV_SPEC.but(crl_url=None), "na"),
    Case("crl_distribution_point_http_or_ldap_uri", cdp("ldap://ldap.example.com/cn=CA?crl"), "pass"),
    Case("crl_distribution_point_http_or_ldap_uri", cdp("ftp://ftp.example.com/ca.crl"), "warn"),
    Case("crl_distribution_point_http_or_ldap_uri", cdp("ftp://ftp.example.com/ca.crl").but(not_before=at(2007)), "ne"),
    Case("aia_ca_issuers_http_or_ldap_uri", DV_SPEC, "pass"),
    Case("aia_ca_issuers_http_or_ldap_uri", DV_SPEC.but(ca_issuers_url="ftp://pki.example.com/ca.crt"), "warn"),
    Case("aia_ca_issuers_http_or_ldap_uri", DV_SPEC.but(ca_issuers_url=None), "na", "no caIssuers"),
]  # fmt: skip

# -- nameConstraints -------------------------------------------------------------------------


def nc(
    value: x509.NameConstraints | bytes, critical: bool = True, spec: CertSpec = SUB_CA
) -> CertSpec:
    if isinstance(value, bytes):
        return spec.but(extra_extensions=raw(NC, value, critical))
    return spec.but(extra_extensions=_ext(value, critical))


def subtrees(**subtree: Any) -> bytes:
    base = {"base": asn1_x509.GeneralName(name="dns_name", value="example.com"), **subtree}
    return asn1_x509.NameConstraints({"permitted_subtrees": [base]}).dump()


def permitted(*names: GeneralName) -> bytes:
    """NameConstraints with these names as permittedSubtrees ([0]), each a GeneralSubtree."""
    subtrees = b"".join(tlv(0x30, tlv(tag, value)) for tag, value in names)
    return tlv(0x30, tlv(0xA0, subtrees))


def ip(octets: str) -> GeneralName:
    """An iPAddress GeneralName ([7]) of these octets, written as they are."""
    return 0x87, bytes.fromhex(octets)


NC_DNS = x509.NameConstraints([x509.DNSName("example.com")], None)
NC_URI = x509.NameConstraints(
    [x509.UniformResourceIdentifier("host.example.com")],
    [x509.UniformResourceIdentifier(".bad.example.com")],
)
NC_X400 = tlv(0x30, tlv(0xA0, tlv(0x30, tlv(0xA3, tlv(0x30, b"")))))

NAME_CONSTRAINT_CASES = [
    Case("name_constraints_critical", nc(NC_DNS, spec=ROOT_CA_SPEC), "pass", "root"),
    Case("name_constraints_critical", nc(NC_DNS, critical=False, spec=ROOT_CA_SPEC), "error", "root"),
    Case("name_constraints_critical", nc(NC_DNS, critical=False), "na", "BR carve-out: sub-CA"),
    Case("name_constraints_critical", SUB_CA, "na"),
    Case("name_constraints_only_in_ca", nc(NC_DNS), "pass"),
    Case("name_constraints_only_in_ca", nc(NC_DNS, spec=DV_SPEC), "error"),
    Case("name_constraints_not_empty", nc(NC_DNS), "pass"),
    Case("name_constraints_not_empty", nc(b"\x30\x00"), "error"),
    Case("name_constraints_not_empty", nc(b"\x30\x00").but(not_before=at(2007)), "ne"),
    Case("name_constraints_minimum_zero", nc(subtrees()), "pass"),
    Case("name_constraints_minimum_zero", nc(subtrees(minimum=1)), "error"),
    Case("name_constraints_maximum_absent", nc(subtrees()), "pass"),
    Case("name_constraints_maximum_absent", nc(subtrees(maximum=3)), "error"),
    Case("name_constraints_uri_is_fqdn", nc(NC_URI), "pass"),
    Case("name_constraints_uri_is_fqdn", nc(permitted(uri("example"))), "error", "single label"),
    Case("name_constraints_uri_is_fqdn", nc(permitted(uri("http://host.example.com/"))), "error", "a URI"),
    Case("name_constraints_uri_is_fqdn", nc(permitted(uri("192.0.2.1"))), "error", "IP"),
    Case("name_constraints_uri_is_fqdn", nc(permitted(uri("example"))).but(not_before=at(2007)), "ne"),
    Case("name_constraints_no_x400_edi_or_registered_id", nc(NC_DNS), "pass"),
    Case("name_constraints_no_x400_edi_or_registered_id", nc(x509.NameConstraints([x509.RegisteredID(x509.ObjectIdentifier("1.2.3.4"))], None)), "warn", "registeredID"),
    Case("name_constraints_no_x400_edi_or_registered_id", nc(NC_X400), "warn", "x400Address"),
    Case("name_constraints_ip_range_cidr", nc(permitted(ip("0a090800ffffff00"))), "pass"),
    Case("name_constraints_ip_range_cidr", nc(permitted(ip("0a090801ffffff00"))), "error", "host bits"),
    Case("name_constraints_ip_range_cidr", nc(permitted(ip("0a090800ff00ff00"))), "error", "mask"),
    Case("name_constraints_ip_range_cidr", nc(permitted(ip("0a0908ffffff"))), "error", "6 octets"),
    Case("name_constraints_ip_range_cidr", nc(NC_DNS), "na", "no iPAddress"),
]  # fmt: skip

# -- certificatePolicies, policyMappings, policyConstraints -------------------------------------


def policies(*infos: x509.PolicyInformation) -> CertSpec:
    return SUB_CA.but(
        policies=None, extra_extensions=_ext(x509.CertificatePolicies(list(infos)), False)
    )


def notice(text: str | None, ref: bool = False) -> CertSpec:
    reference = x509.NoticeReference("Example CA", [1]) if ref else None
    info = x509.PolicyInformation(x509.ObjectIdentifier(DV), [x509.UserNotice(reference, text)])
    return policies(info)


def typed_notice(kind: str, text: str | bytes) -> CertSpec:
    """A user notice whose explicitText has the given DisplayText alternative (or raw octets)."""
    if isinstance(text, bytes):  # octets no string type would accept
        tag = {"utf8_string": 0x0C, "bmp_string": 0x1E}[kind]
        display: Any = core.Any.load(tlv(tag, text))
    else:
        display = asn1_x509.DisplayText(name=kind, value=text)
    qualifier = {"policy_qualifier_id": "user_notice", "qualifier": {"explicit_text": display}}
    der = asn1_x509.CertificatePolicies(
        [{"policy_identifier": DV, "policy_qualifiers": [qualifier]}]
    ).dump()
    return SUB_CA.but(policies=None, extra_extensions=raw(POLICIES, der))


ANY_WITH_CPS = x509.PolicyInformation(
    x509.ObjectIdentifier(ANY_POLICY), ["https://pki.example.com/cps"]
)
ANY_WITH_OTHER = tlv(
    0x30,
    tlv(
        0x30,
        bytes.fromhex("0604551d2000")
        + tlv(0x30, tlv(0x30, bytes.fromhex("06032a0304") + tlv(0x16, b"x"))),
    ),
)
NOT_NFC = "e\u0301te\u0301"  # "été" with combining accents
MAPPING = asn1_x509.PolicyMappings(
    [{"issuer_domain_policy": DV, "subject_domain_policy": "1.2.3.5"}]
).dump()
MAPPING_ANY = asn1_x509.PolicyMappings(
    [{"issuer_domain_policy": ANY_POLICY, "subject_domain_policy": "1.2.3.5"}]
).dump()
MAPPING_UNASSERTED = asn1_x509.PolicyMappings(
    [{"issuer_domain_policy": "1.2.3.4", "subject_domain_policy": "1.2.3.5"}]
).dump()


def mapping(der: bytes) -> CertSpec:
    return SUB_CA.but(extra_extensions=raw(MAPPINGS, der, critical=True))


POLICY_CASES = [
    Case("any_policy_qualifiers_cps_or_user_notice", policies(ANY_WITH_CPS), "pass"),
    Case("any_policy_qualifiers_cps_or_user_notice", SUB_CA.but(policies=None, extra_extensions=raw(POLICIES, ANY_WITH_OTHER)), "error"),
    Case("any_policy_qualifiers_cps_or_user_notice", SUB_CA, "na", "no anyPolicy"),
    Case("user_notice_without_notice_ref", notice("Example"), "pass"),
    Case("user_notice_without_notice_ref", notice("Example", ref=True), "warn"),
    Case("user_notice_without_notice_ref", notice("Example", ref=True).but(not_before=at(2007)), "ne"),
    Case("explicit_text_not_ia5_string", notice("Example"), "pass"),
    Case("explicit_text_not_ia5_string", typed_notice("ia5_string", "Example"), "error"),
    Case("explicit_text_not_ia5_string", typed_notice("ia5_string", "Example").but(not_before=at(2012)), "ne", "RFC 5280 allowed it"),
    Case("explicit_text_not_ia5_string", notice(None, ref=True), "na", "no explicitText"),
    Case("explicit_text_utf8_string", notice("Example"), "pass"),
    Case("explicit_text_utf8_string", typed_notice("visible_string", "Example"), "warn"),
    Case("explicit_text_utf8_string", typed_notice("visible_string", "Example").but(not_before=at(2007)), "ne"),
    Case("explicit_text_length", notice("x" * 200), "pass"),
    Case("explicit_text_length", notice("x" * 201), "error"),
    Case("explicit_text_length", typed_notice("bmp_string", "x" * 201), "error", "BMPString"),
    Case("explicit_text_length", notice("x" * 201).but(not_before=at(2001)), "ne"),
    Case("explicit_text_no_control_characters", notice("Example"), "pass"),
    Case("explicit_text_no_control_characters", notice("Example\n"), "warn", "newline"),
    Case("explicit_text_no_control_characters", notice("Example\x85"), "warn", "C1 control"),
    Case("explicit_text_no_control_characters", notice("Example\n").but(not_before=at(2012)), "ne"),
    Case("explicit_text_nfc", notice("\u00e9t\u00e9"), "pass"),
    Case("explicit_text_nfc", notice(NOT_NFC), "warn"),
    Case("explicit_text_nfc", typed_notice("bmp_string", NOT_NFC), "warn", "BMPString"),
    Case("explicit_text_nfc", typed_notice("bmp_string", b"\x00a\x00"), "warn", "odd-length BMPString"),
    Case("explicit_text_nfc", typed_notice("visible_string", "Example"), "pass", "VisibleString"),
    Case("explicit_text_nfc", notice(NOT_NFC).but(not_before=at(2012)), "ne"),
    Case("policy_mappings_no_any_policy", mapping(MAPPING), "pass"),
    Case("policy_mappings_no_any_policy", mapping(MAPPING_ANY), "error"),
    Case("policy_mappings_no_any_policy", mapping(MAPPING_ANY).but(not_before=at(2001)), "ne"),
    Case("policy_mappings_issuer_policies_asserted", mapping(MAPPING), "pass"),
    Case("policy_mappings_issuer_policies_asserted", mapping(MAPPING_UNASSERTED), "warn"),
    Case("policy_mappings_issuer_policies_asserted", SUB_CA, "na"),
    Case("policy_constraints_not_empty", SUB_CA.but(extra_extensions=_ext(x509.PolicyConstraints(0, None), True)), "pass"),
    Case("policy_constraints_not_empty", SUB_CA.but(extra_extensions=raw(CONSTRAINTS, b"\x30\x00", True)), "error"),
    Case("policy_constraints_not_empty", SUB_CA.but(extra_extensions=raw(CONSTRAINTS, b"\x30\x00", True), not_before=at(1998)), "ne"),
]  # fmt: skip

# -- SignedCertificateTimestampList ----------------------------------------------------------------


def sct_list(count: int) -> bytes:
    """An RFC 6962 3.3 list of `count` (unsigned, made-up) SCTs, in its OCTET STRING."""
    sct = (
        b"\x00"
        + b"\x11" * 32
        + (1717200000000).to_bytes(8, "big")
        + b"\x00\x00"
        + b"\x04\x03\x00\x02\x30\x00"
    )
    entries = b"".join(len(sct).to_bytes(2, "big") + sct for _ in range(count))
    return tlv(0x04, len(entries).to_bytes(2, "big") + entries)


TRANSPARENCY_CASES = [
    Case("sct_list_not_empty", DV_SPEC.but(extra_extensions=raw(SCT_LIST, sct_list(2))), "pass"),
    Case("sct_list_not_empty", DV_SPEC, "pass", "no list"),
    Case("sct_list_not_empty", DV_SPEC.but(extra_extensions=raw(SCT_LIST, sct_list(0))), "error"),
    Case("sct_list_not_empty", DV_SPEC.but(extra_extensions=raw(SCT_LIST, sct_list(0)), not_before=at(2013)), "ne"),
    Case("sct_list_not_empty", DV_SPEC.but(precertificate=True), "na", "precertificate"),
    Case("precertificate_without_sct_list", DV_SPEC.but(precertificate=True), "pass"),
    Case("precertificate_without_sct_list", DV_SPEC.but(precertificate=True, extra_extensions=raw(SCT_LIST, sct_list(1))), "error"),
    Case("precertificate_without_sct_list", DV_SPEC, "na", "final certificate"),
]  # fmt: skip

CASES = (
    IAN_CASES + URI_EMAIL_CASES + LOCATION_CASES + NAME_CONSTRAINT_CASES + POLICY_CASES
    + TRANSPARENCY_CASES
)  # fmt: skip
MODULES = {
    f"audit.lints.rfc5280.{m}"
    for m in ("issuer_alt_name", "uris_and_emails", "name_constraints", "policies", "transparency")
}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)


def test_every_lint_here_has_failing_and_passing_case() -> None:
    from tests.lints.golden import engine

    ours = {x.name for x in engine().catalogue if x.check.__module__ in MODULES}
    covered = {c.lint for c in CASES}
    assert ours <= covered, f"lints without golden cases: {sorted(ours - covered)}"
    for lint_name in ours:
        statuses = {c.expected for c in CASES if c.lint == lint_name}
        assert "pass" in statuses, lint_name
        assert statuses & {"info", "notice", "warn", "error"}, lint_name
