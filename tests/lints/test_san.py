"""Golden cases for the subjectAltName lints (cabf_br/san.py) and RFC 5280 name rules
(rfc5280/names.py), including values only the tolerant decoder can read."""

from datetime import UTC, datetime

import pytest
from asn1crypto import core as asn1_core
from cryptography import x509
from cryptography.x509.oid import NameOID

from audit.sample_db.certbuilder import (
    DNS_NAME,
    DV_SPEC,
    IP_ADDRESS,
    SUBORDINATE_CA_SPEC,
    CertSpec,
    der_with_tbs_fields,
    general_names,
    name,
    tlv,
)
from tests.lints.golden import Case, check_case

SAN = "2.5.29.17"
# The over-long attributes below are built on purpose; cryptography warns when it reads them.
pytestmark = pytest.mark.filterwarnings("ignore:Attribute's length must be")


def at(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def raw_san(*entries: tuple[int, bytes]) -> CertSpec:
    """DV_SPEC with a subjectAltName written byte by byte (what cryptography won't build)."""
    return DV_SPEC.with_extension_der(SAN, general_names(*entries))


def dns(value: bytes) -> tuple[int, bytes]:
    return DNS_NAME, value


def ip(value: bytes) -> tuple[int, bytes]:
    return IP_ADDRESS, value


def with_san(*names: x509.GeneralName, **changes: object) -> CertSpec:
    san = x509.SubjectAlternativeName(list(names))
    return DV_SPEC.but(dns_names=None, extra_extensions=((san, False),), **changes)


def dv(*dns_names: str, **changes: object) -> CertSpec:
    return DV_SPEC.but(dns_names=dns_names, subject=name((NameOID.COUNTRY_NAME, "US")), **changes)


EMPTY_SUBJECT = name()


def one_attribute_name(oid: x509.ObjectIdentifier, value: str) -> bytes:
    """A Name of one UTF8String attribute, as DER: cryptography refuses an over-long one."""
    oid_der = asn1_core.ObjectIdentifier(oid.dotted_string).dump()
    return tlv(0x30, tlv(0x31, tlv(0x30, oid_der + tlv(0x0C, value.encode()))))


def with_subject(spec: CertSpec, subject: bytes) -> bytes:
    return der_with_tbs_fields(spec, subject=subject)


LONG_O = one_attribute_name(NameOID.ORGANIZATION_NAME, "O" * 65)
LONG_CN = one_attribute_name(NameOID.COMMON_NAME, "a" * 65)
SUNSET_OK = {"not_before": at(2013, 3), "days": 700}  # expires before 2015-11-01
SUNSET_LATE = {"not_before": at(2014, 3), "days": 700}  # expires after 2015-11-01

CASES = [
    # == cabf_br/san.py ======================================================================
    Case("san_extension_present", DV_SPEC, "pass"),
    Case("san_extension_present", DV_SPEC.but(dns_names=None), "error", "no SAN"),
    Case("san_extension_present", DV_SPEC.but(dns_names=None, not_before=at(2011)), "ne"),
    Case("san_extension_present", SUBORDINATE_CA_SPEC, "na", "CA"),
    # -- name types
    Case("san_only_dns_names_and_ip_addresses", DV_SPEC, "pass"),
    Case(
        "san_only_dns_names_and_ip_addresses",
        with_san(x509.DNSName("www.example.com"), x509.RFC822Name("a@example.com")),
        "error",
        "rfc822Name",
    ),
    Case(
        "san_only_dns_names_and_ip_addresses",
        with_san(
            x509.DNSName("www.example.com"), x509.UniformResourceIdentifier("https://x.example")
        ),  # fmt: skip
        "error",
        "URI",
    ),
    Case(
        "san_only_dns_names_and_ip_addresses",
        with_san(
            x509.DNSName("www.example.com"),
            x509.OtherName(x509.ObjectIdentifier("1.2.3.4"), b"\x0c\x01x"),
        ),  # fmt: skip
        "error",
        "otherName",
    ),
    Case(
        "san_only_dns_names_and_ip_addresses",
        with_san(
            x509.DNSName("www.example.com"), x509.RFC822Name("a@example.com"), not_before=at(2011)
        ),  # fmt: skip
        "ne",
    ),
    # -- internal names
    Case("san_dns_name_not_internal", DV_SPEC, "pass"),
    Case("san_dns_name_not_internal", dv("zlint.onion"), "pass", "onion"),
    Case("san_dns_name_not_internal", dv("xn--80adxhks.xn--p1ai"), "pass", "IDN TLD"),
    Case("san_dns_name_not_internal", dv("www.example.com", "server.local"), "error", "local"),
    Case("san_dns_name_not_internal", dv("intranet"), "error", "single label"),
    Case("san_dns_name_not_internal", dv("*.corp"), "error", "wildcard under corp"),
    Case("san_dns_name_not_internal", dv("server.local", **SUNSET_OK), "ne", "before sunset"),
    Case("san_dns_name_not_internal", dv("server.local", **SUNSET_LATE), "error", "past sunset"),
    Case("san_dns_name_not_internal", dv("server.local", not_before=at(2011)), "ne", "pre-BR"),
    Case(
        "san_dns_name_not_internal",
        DV_SPEC.but(dns_names=None, ip_addresses=("8.8.8.8",)),
        "pass",
        "IP only",
    ),
    # -- reserved IPs
    Case("san_ip_address_not_reserved", DV_SPEC.but(ip_addresses=("8.8.8.8",)), "pass"),
    Case("san_ip_address_not_reserved", DV_SPEC.but(ip_addresses=("192.168.1.1",)), "error"),
    Case("san_ip_address_not_reserved", DV_SPEC.but(ip_addresses=("::1",)), "error", "v6 loop"),
    Case("san_ip_address_not_reserved", DV_SPEC.but(ip_addresses=("100.64.0.1",)), "error", "CGN"),
    Case("san_ip_address_not_reserved", DV_SPEC.but(ip_addresses=("224.0.0.1",)), "error", "mcast"),
    Case(
        "san_ip_address_not_reserved",
        DV_SPEC.but(ip_addresses=("2001:db8::1",)),
        "error",
        "v6 documentation",
    ),
    Case(
        "san_ip_address_not_reserved",
        DV_SPEC.but(ip_addresses=("10.0.0.1",), **SUNSET_OK),
        "ne",
        "before sunset",
    ),
    Case("san_ip_address_not_reserved", DV_SPEC, "na", "no IP"),
    Case(
        "san_ip_address_not_reserved",
        raw_san(dns(b"www.example.com"), ip(b"\x0a\x00\x00\x01\x00")),
        "pass",
        "raw 5 octets",
    ),  # fmt: skip
    # -- bare public suffix
    Case("san_dns_name_not_public_suffix", DV_SPEC, "pass"),
    Case("san_dns_name_not_public_suffix", dv("co.uk"), "error", "co.uk"),
    Case("san_dns_name_not_public_suffix", dv("example.com", "com"), "error", "com"),
    Case("san_dns_name_not_public_suffix", dv("blogspot.com"), "pass", "private section"),
    Case("san_dns_name_not_public_suffix", dv("co.uk", not_before=at(2011)), "ne"),
    # -- wildcard left of public suffix
    Case("san_wildcard_not_left_of_public_suffix", dv("*.example.co.uk"), "pass"),
    Case("san_wildcard_not_left_of_public_suffix", dv("*.co.uk"), "warn"),
    Case("san_wildcard_not_left_of_public_suffix", dv("*.com"), "warn", "com"),
    Case("san_wildcard_not_left_of_public_suffix", dv("*.co.uk", not_before=at(2011)), "ne"),
    # -- underscores
    Case("san_dns_name_no_underscore", DV_SPEC, "pass"),
    Case("san_dns_name_no_underscore", dv("a_b.example.com"), "error"),
    Case("san_dns_name_no_underscore", dv("a_b.example.com", not_before=at(2019, 3)), "ne"),
    # -- reserved labels / P-Labels
    Case("san_dns_name_reserved_label", dv("xn--80adxhks.example.com"), "pass", "valid A-label"),
    Case("san_dns_name_reserved_label", dv("ab--cd.example.com"), "error", "reserved"),
    Case("san_dns_name_reserved_label", dv("xn--i-7iq.example.com"), "error", "emoji"),
    Case("san_dns_name_reserved_label", dv("xn--www-8fb.example.com"), "error", "uppercase U+01E6"),
    Case(
        "san_dns_name_reserved_label",
        dv("ab--cd.example.com", not_before=at(2021, 9)),
        "ne",
        "before SC48",
    ),
    # == rfc5280/names.py ====================================================================
    Case("subject_attribute_upper_bounds", DV_SPEC, "pass"),
    Case("subject_attribute_upper_bounds", with_subject(DV_SPEC, LONG_O), "error", "O 65"),
    Case("subject_attribute_upper_bounds", with_subject(DV_SPEC, LONG_CN), "error", "CN 65"),
    Case(
        "subject_attribute_upper_bounds",
        with_subject(SUBORDINATE_CA_SPEC, LONG_CN),
        "error",
        "applies to CAs",
    ),
    Case(
        "subject_attribute_upper_bounds",
        with_subject(DV_SPEC.but(not_before=at(1998), days=365), LONG_CN),
        "ne",
    ),
    # -- empty subject and SAN
    Case("subject_empty_requires_san", DV_SPEC, "pass"),
    Case(
        "subject_empty_requires_san",
        DV_SPEC.but(subject=EMPTY_SUBJECT, dns_names=None),
        "error",
    ),
    Case(
        "subject_empty_requires_san",
        DV_SPEC.but(subject=EMPTY_SUBJECT, san_critical=True),
        "pass",
        "empty subject with SAN",
    ),
    Case("san_critical_when_subject_empty", DV_SPEC, "pass"),
    Case(
        "san_critical_when_subject_empty",
        DV_SPEC.but(subject=EMPTY_SUBJECT),
        "error",
        "not critical",
    ),
    Case(
        "san_critical_when_subject_empty",
        DV_SPEC.but(subject=EMPTY_SUBJECT, san_critical=True),
        "pass",
        "critical",
    ),
    Case("san_critical_when_subject_empty", DV_SPEC.but(dns_names=None), "na", "no SAN"),
    Case("san_not_critical_with_subject", DV_SPEC, "pass"),
    Case("san_not_critical_with_subject", DV_SPEC.but(san_critical=True), "warn"),
    Case(
        "san_not_critical_with_subject",
        DV_SPEC.but(san_critical=True, not_before=at(2007)),
        "ne",
    ),
    # -- entries
    Case("san_has_entries", DV_SPEC, "pass"),
    Case("san_has_entries", raw_san(), "error", "empty sequence"),
    Case("san_has_entries", DV_SPEC.but(dns_names=None), "na", "no SAN"),
    Case("san_general_name_not_empty", DV_SPEC, "pass"),
    Case("san_general_name_not_empty", raw_san(dns(b"www.example.com"), dns(b"")), "error"),
    Case("san_general_name_not_empty", raw_san(dns(b"www.example.com"), ip(b"")), "error", "ip"),
    Case("san_ip_address_length", DV_SPEC.but(ip_addresses=("8.8.8.8", "2001:4860::8888")), "pass"),
    Case(
        "san_ip_address_length",
        raw_san(dns(b"www.example.com"), ip(b"\x08\x08\x08\x08\x00")),
        "error",
        "5 octets",
    ),
    Case(
        "san_ip_address_length",
        raw_san(dns(b"www.example.com"), ip(b"\x08\x08\x08\x08\xff\xff\xff\x00")),
        "error",
        "address and mask",
    ),
    Case("san_ip_address_length", DV_SPEC, "na", "no IP"),
    # -- dNSName syntax
    Case("san_dns_name_syntax", DV_SPEC, "pass"),
    Case("san_dns_name_syntax", dv("*.example.com", "a_b.example.com"), "pass", "judged elsewhere"),
    Case("san_dns_name_syntax", dv("xn--80adxhks.example.com"), "pass", "A-label"),
    Case("san_dns_name_syntax", dv("-www.example.com"), "error", "leading hyphen"),
    Case("san_dns_name_syntax", dv("www-.example.com"), "error", "trailing hyphen"),
    Case("san_dns_name_syntax", dv("www..example.com"), "error", "empty label"),
    Case("san_dns_name_syntax", dv(".example.com"), "error", "leading dot"),
    Case("san_dns_name_syntax", dv("example.com."), "error", "trailing dot"),
    Case("san_dns_name_syntax", dv("a" * 64 + ".example.com"), "error", "label 64"),
    Case("san_dns_name_syntax", dv(".".join(["a" * 50] * 5) + ".com"), "error", "name 258"),
    Case("san_dns_name_syntax", dv("exa mple.com"), "error", "space"),
    Case("san_dns_name_syntax", dv(" "), "error", "single space"),
    Case("san_dns_name_syntax", dv("ex\x00ample.com"), "error", "NUL"),
    Case(
        "san_dns_name_syntax", raw_san(dns("wéb.example.com".encode("latin-1"))), "error", "not IA5"
    ),  # fmt: skip
    Case("san_dns_name_syntax", raw_san(dns("wéb.example.com".encode())), "error", "UTF-8"),
    Case("san_dns_name_syntax", DV_SPEC.but(dns_names=None, ip_addresses=("8.8.8.8",)), "na"),
    Case("san_dns_name_syntax", dv("www..example.com", not_before=at(1998)), "ne"),
    # -- wildcards
    Case("dns_name_wildcard_leftmost_label", dv("*.example.com"), "pass"),
    Case("dns_name_wildcard_leftmost_label", dv("www.*.example.com"), "error", "second label"),
    Case("dns_name_wildcard_leftmost_label", dv("f*.example.com"), "error", "partial label"),
    Case("dns_name_wildcard_leftmost_label", dv("*"), "error", "bare"),
    Case("dns_name_wildcard_leftmost_label", dv("*.*.example.com"), "error", "two wildcards"),
    Case(
        "dns_name_wildcard_leftmost_label",
        SUBORDINATE_CA_SPEC.but(dns_names=("www.*.example.com",)),
        "error",
        "any profile",
    ),
    # -- IDN labels
    Case("dns_name_idn_is_unicode", dv("xn--80adxhks.example.com"), "pass"),
    Case("dns_name_idn_is_unicode", dv("XN--80ADXHKS.example.com"), "pass", "upper case"),
    Case("dns_name_idn_is_unicode", dv("xn--12311613412431243.com"), "error", "bad Punycode"),
    Case("dns_name_idn_is_unicode", dv("xn--abc-.example.com"), "error", "ASCII only"),
    Case(
        "dns_name_idn_is_unicode",
        dv("xn--109-3veba6djs1bfxlfmx6c9g.example.com"),
        "error",
        "not NFC",
    ),
    Case(
        "dns_name_idn_is_unicode",
        dv("xn--12311613412431243.com", not_before=at(2002)),
        "ne",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)
