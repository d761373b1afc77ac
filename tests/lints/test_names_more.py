"""Golden cases for the name lints of underscores.py, onion_and_arpa.py, dsa.py and
subject_encoding.py: underscores in dNSNames, .onion and reverse-DNS names, DSA keys, and the
BR 7.1.4 subject name forms.

Certificates the builder cannot make (a DSA key without domain parameters) are rewritten with
asn1crypto; the signature then no longer verifies, which no lint here checks.
"""

import base64
import hashlib
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest
from asn1crypto import algos, core
from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

from audit.sample_db.certbuilder import DV_SPEC, EV_SPEC, IV, OV_SPEC, CertSpec, name, tlv
from tests.lints.golden import Case, check_case
from tests.lints.test_extensions import _tamper
from tests.lints.test_keys import dsa_key


def at(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


C, ST, L, O, OU, CN = (  # noqa: E741 - X.520 short names
    NameOID.COUNTRY_NAME, NameOID.STATE_OR_PROVINCE_NAME, NameOID.LOCALITY_NAME,
    NameOID.ORGANIZATION_NAME, NameOID.ORGANIZATIONAL_UNIT_NAME, NameOID.COMMON_NAME,
)  # fmt: skip
GN, SN, STREET, POSTAL, DC = (
    NameOID.GIVEN_NAME, NameOID.SURNAME, NameOID.STREET_ADDRESS, NameOID.POSTAL_CODE,
    NameOID.DOMAIN_COMPONENT,
)  # fmt: skip


def dv(*dns_names: str, **changes: Any) -> CertSpec:
    """A DV certificate for these names, its commonName the first of them (when it fits)."""
    if len(dns_names[0]) > 64:
        return DV_SPEC.but(subject=name(), san_critical=True, dns_names=dns_names, **changes)
    return DV_SPEC.but(subject=name((CN, dns_names[0])), dns_names=dns_names, **changes)


# -- underscores ---------------------------------------------------------------------------------

SC12 = at(2019, 1, 2)  # inside the Ballot SC12 sunset period

UNDERSCORE_CASES = [
    Case("san_dns_name_no_underscore_before_1_6_2", dv("a_b.example.com", not_before=at(2017)),
         "error"),
    Case("san_dns_name_no_underscore_before_1_6_2", dv("ab.example.com", not_before=at(2017)),
         "pass"),
    Case("san_dns_name_no_underscore_before_1_6_2", dv("a_b.example.com", not_before=SC12,
         days=20), "ne", "sunset period"),
    Case("san_dns_name_underscore_sunset_syntax", dv("a._b.example.com", not_before=SC12, days=20),
         "error", "'-b' is no label"),
    Case("san_dns_name_underscore_sunset_syntax", dv("_dmarc.example.com", not_before=SC12,
         days=20), "error", "leftmost label"),
    Case("san_dns_name_underscore_sunset_syntax", dv("a.b_c.example.com", not_before=SC12,
         days=20), "pass"),
    Case("san_dns_name_underscore_sunset_syntax", dv("*.b_c.example.com", not_before=SC12,
         days=20), "pass", "wildcard leftmost"),
    Case("san_dns_name_underscore_sunset_syntax", dv("_x.example.com", not_before=at(2019, 5),
         days=20), "ne", "after the sunset"),
    Case("san_dns_name_underscore_sunset_validity", dv("a.b_c.example.com", not_before=SC12,
         days=31), "error"),
    Case("san_dns_name_underscore_sunset_validity", dv("a.bc.example.com", not_before=SC12,
         days=31), "pass"),
    Case("san_dns_name_underscore_sunset_validity", dv("a.b_c.example.com", not_before=SC12,
         days=30), "na", "30 days"),
    Case("san_dns_name_underscore_sunset_validity", dv("a.b_c.example.com", not_before=at(2018, 6),
         days=31), "ne"),
]  # fmt: skip

# -- .onion --------------------------------------------------------------------------------------


def v3_onion(seed: int = 1, version: bytes = b"\x03") -> str:
    """A Version 3 Onion Address (rend-spec-v3 6) for a made-up 32-byte key."""
    key = hashlib.sha256(bytes([seed])).digest()
    checksum = hashlib.sha3_256(b".onion checksum" + key + b"\x03").digest()[:2]
    return base64.b32encode(key + checksum + version).decode().lower() + ".onion"


V3 = v3_onion()
V3_BAD_CHECKSUM = V3[:10] + ("a" if V3[10] != "a" else "b") + V3[11:]
V2 = "expyuzz4wqqyqhjn.onion"
TOR_DESCRIPTOR = x509.ObjectIdentifier("2.23.140.1.31")


def tor_descriptor(*entries: tuple[str, str, int]) -> tuple[tuple[x509.ExtensionType, bool], ...]:
    """A TorServiceDescriptor extension of (onionURI, hash algorithm, hash bits) entries."""
    der = b"".join(
        tlv(0x30, core.UTF8String(uri).dump()
             + algos.DigestAlgorithm({"algorithm": alg}).dump()
             + core.BitString(tuple([1] * bits)).dump())
        for uri, alg, bits in entries
    )  # fmt: skip
    return ((x509.UnrecognizedExtension(TOR_DESCRIPTOR, tlv(0x30, der)), False),)


def ev(*dns_names: str, **changes: Any) -> CertSpec:
    return EV_SPEC.but(dns_names=dns_names, **changes)


ONION_CASES = [
    Case("onion_name_requires_ev", dv("www.example.com", V2, not_before=at(2018)), "error"),
    Case("onion_name_requires_ev", dv("www.example.com", V3, not_before=at(2018)), "error",
         "v3 before SC27"),
    Case("onion_name_requires_ev", ev("www.example.com", V2, not_before=at(2018)), "pass", "EV"),
    Case("onion_name_requires_ev", dv("www.example.com", V3, not_before=at(2021)), "na",
         "v3 after SC27"),
    Case("onion_name_requires_ev", dv("www.example.com", V2, not_before=at(2021)), "error",
         "v2 after SC27"),
    Case("onion_name_requires_ev", dv("www.example.com", V2, not_before=at(2015, 1)), "ne"),
    Case("onion_name_is_tor_address", dv("www.example.com", "zmap.onion", not_before=at(2021)),
         "error", "4 characters"),
    Case("onion_name_is_tor_address", dv("www.example.com", V3_BAD_CHECKSUM, not_before=at(2021)),
         "error", "bad checksum"),
    Case("onion_name_is_tor_address", dv("www.example.com", v3_onion(version=b"\x02"),
         not_before=at(2021)), "error", "version byte"),
    Case("onion_name_is_tor_address", dv("www.example.com", V3, "*." + V3, not_before=at(2021)),
         "pass"),
    Case("onion_name_is_tor_address", ev("www.example.com", V2.upper(), not_before=at(2018)),
         "pass", "v2, upper case"),
    Case("onion_name_is_tor_address", dv("www.example.com", "zmap.onion", not_before=at(2015, 1)),
         "ne"),
    Case("ev_onion_tor_service_descriptor", ev("www.example.com", V2, not_before=at(2018)),
         "error", "no extension"),
    Case("ev_onion_tor_service_descriptor", ev("www.example.com", V2, "www." + V2,
         not_before=at(2018), extra_extensions=tor_descriptor((f"https://{V2}", "sha256", 256)))
         , "pass"),
    Case("ev_onion_tor_service_descriptor", ev("www.example.com", V2, "other234567abcde.onion",
         not_before=at(2018), extra_extensions=tor_descriptor((f"https://{V2}", "sha256", 256))),
         "error", "a name without descriptor"),
    Case("ev_onion_tor_service_descriptor", dv("www.example.com", V2, not_before=at(2018),
         extra_extensions=tor_descriptor((f"https://{V2}", "sha256", 128))),
         "error", "short hash"),
    Case("ev_onion_tor_service_descriptor", dv("www.example.com", V2, not_before=at(2018),
         extra_extensions=tor_descriptor((f"http://{V2}", "md5", 128))),
         "error", "http and md5"),
    Case("ev_onion_tor_service_descriptor", dv("www.example.com", V2, not_before=at(2018),
         extra_extensions=tor_descriptor((f"https://{V2}", "sha256", 256),
                                         (f"https://{V2}/x", "sha384", 384))),
         "error", "two for one host"),
    Case("ev_onion_tor_service_descriptor", ev("www.example.com", V2, not_before=at(2016)), "ne"),
    Case("ev_onion_tor_service_descriptor", ev("www.example.com", V3, not_before=at(2021)), "na",
         "v3 names only"),
]  # fmt: skip

# -- reverse-DNS names ---------------------------------------------------------------------------

V6_GOOD = ".".join(reversed("2001486000000000000000000000" + "8888")) + ".ip6.arpa"
V6_RESERVED = ".".join(reversed("fe80" + "0" * 27 + "1")) + ".ip6.arpa"

ARPA_CASES = [
    Case("san_reverse_dns_name_not_reserved", dv("1.1.168.192.in-addr.arpa", not_before=at(2020)),
         "error", "192.168.1.1"),
    Case("san_reverse_dns_name_not_reserved", dv(V6_RESERVED, not_before=at(2020)), "error",
         "fe80::1"),
    Case("san_reverse_dns_name_not_reserved", dv("8.8.8.8.in-addr.arpa", V6_GOOD,
         not_before=at(2020)), "pass"),
    Case("san_reverse_dns_name_not_reserved", dv("www.example.com"), "na"),
    Case("san_reverse_dns_name_not_reserved", dv("1.1.168.192.in-addr.arpa", not_before=at(2011),
         days=365), "ne"),
    Case("san_reverse_dns_name_well_formed", dv("1.168.192.in-addr.arpa", not_before=at(2020)),
         "warn", "three labels"),
    Case("san_reverse_dns_name_well_formed", dv("8.8.8.256.in-addr.arpa", not_before=at(2020)),
         "warn", "256"),
    Case("san_reverse_dns_name_well_formed", dv("j" + V6_GOOD[1:], not_before=at(2020)), "warn",
         "not hex"),
    Case("san_reverse_dns_name_well_formed", dv("8.8.8.8.in-addr.arpa", V6_GOOD,
         not_before=at(2020)), "pass"),
    Case("san_dns_name_not_in_reverse_zone", dv("8.8.8.8.in-addr.arpa", not_before=at(2026, 4)),
         "error"),
    Case("san_dns_name_not_in_reverse_zone", dv(V6_GOOD, not_before=at(2026, 4)), "error", "v6"),
    Case("san_dns_name_not_in_reverse_zone", dv("www.example.com", not_before=at(2026, 4)),
         "pass"),
    Case("san_dns_name_not_in_reverse_zone", dv("8.8.8.8.in-addr.arpa", not_before=at(2026, 3)),
         "ne"),
]  # fmt: skip

# -- DSA -----------------------------------------------------------------------------------------


@cache
def small_dsa_key() -> dsa.DSAPrivateKey:
    return dsa.generate_private_key(1024)  # L=1024, N=160


class _BadPublicValue:
    """Stands in for a private key; the builder only asks it for its public key."""

    def __init__(self, y_of: Any) -> None:
        numbers = dsa_key().public_key().public_numbers()
        params = numbers.parameter_numbers
        self._public = dsa.DSAPublicNumbers(y_of(params), params).public_key()

    def public_key(self) -> dsa.DSAPublicKey:
        return self._public


def _without_dsa_parameters(tbs: Any) -> None:
    """SubjectPublicKeyInfo { id-dsa with no parameters, the same public value y }."""
    y = tbs["subject_public_key_info"]["public_key"].parsed.dump()
    algorithm = tlv(0x30, core.ObjectIdentifier("1.2.840.10040.4.1").dump())
    spki = tlv(0x30, algorithm + tlv(0x03, b"\x00" + y))
    tbs["subject_public_key_info"] = asn1_keys.PublicKeyInfo.load(spki)


DSA_2015 = DV_SPEC.but(not_before=at(2015), key=dsa_key())

DSA_CASES = [
    Case("dsa_key_size", DSA_2015, "pass", "2048/256"),
    Case("dsa_key_size", DSA_2015.but(key=small_dsa_key()), "error", "1024/160"),
    Case("dsa_key_size", DSA_2015.but(key=small_dsa_key(), not_before=at(2021)), "ne"),
    Case("dsa_key_size", DV_SPEC.but(not_before=at(2015)), "na", "EC key"),
    Case("dsa_public_key_valid", DSA_2015, "pass"),
    Case("dsa_public_key_valid", DSA_2015.but(key=_BadPublicValue(lambda p: p.p - 1)), "error",
         "y = p-1"),
    Case("dsa_public_key_valid", DSA_2015.but(key=_BadPublicValue(lambda p: 2)), "error",
         "wrong order"),
    Case("dsa_public_key_valid", DSA_2015.but(key=_BadPublicValue(lambda p: 2),
         not_before=at(2021)), "ne"),
    Case("dsa_domain_parameters_present", DSA_2015, "pass"),
    Case("dsa_domain_parameters_present", _tamper(DSA_2015, _without_dsa_parameters), "error"),
    Case("dsa_domain_parameters_present",
         _tamper(DSA_2015.but(not_before=at(2021)), _without_dsa_parameters), "ne"),
]  # fmt: skip

# -- subject name forms --------------------------------------------------------------------------

BR2 = at(2024, 6)
BEFORE_BR2 = at(2023, 6)


def typed(oid: x509.ObjectIdentifier, value: str, kind: _ASN1Type) -> x509.NameAttribute:
    return x509.NameAttribute(oid, value, _type=kind)


def ov_subject(*pairs: tuple[Any, str]) -> x509.Name:
    return name((C, "US"), (ST, "California"), (L, "San Francisco"), *pairs, (O, "Example Inc."),
                (CN, "www.example.com"))  # fmt: skip


def ov(subject: x509.Name, when: datetime = BR2, **changes: Any) -> CertSpec:
    return OV_SPEC.but(subject=subject, not_before=when, **changes)


WRONG_ORDER = name((ST, "California"), (C, "US"), (L, "San Francisco"), (O, "Example Inc."),
                   (CN, "www.example.com"))  # fmt: skip
C_AS_UTF8 = x509.Name([typed(C, "US", _ASN1Type.UTF8String), x509.NameAttribute(ST, "California"),
                       x509.NameAttribute(O, "Example Inc."),
                       x509.NameAttribute(CN, "www.example.com")])  # fmt: skip
O_AS_BMP = x509.Name([x509.NameAttribute(C, "US"), x509.NameAttribute(ST, "California"),
                      typed(O, "Example Inc.", _ASN1Type.BMPString),
                      x509.NameAttribute(CN, "www.example.com")])  # fmt: skip
MULTI_VALUED = x509.Name([
    x509.RelativeDistinguishedName([x509.NameAttribute(C, "US")]),
    x509.RelativeDistinguishedName([x509.NameAttribute(ST, "California")]),
    x509.RelativeDistinguishedName([x509.NameAttribute(O, "Example Inc."),
                                    x509.NameAttribute(CN, "www.example.com")]),
])  # fmt: skip
IV_LONG_GIVEN_NAME = name((C, "US"), (ST, "California"), (SN, "Smith"), (GN, "A" * 65))
IV_SUBJECT = name((C, "US"), (ST, "California"), (SN, "Smith"), (GN, "Alice"))
TWO_CNS = name((C, "US"), (ST, "California"), (O, "Example Inc."), (CN, "www.example.com"),
               (CN, "example.com"))  # fmt: skip
DV_NO_CN = name()

SUBJECT_CASES = [
    # 7.1.4.2 order
    Case("subject_attribute_order", ov(WRONG_ORDER), "error", "ST before C"),
    Case("subject_attribute_order", ov(ov_subject((POSTAL, "94105"), (STREET, "1 Main St"))),
         "pass", "postalCode before streetAddress"),
    Case("subject_attribute_order", ov(ov_subject((STREET, "1 Main St"), (POSTAL, "94105"))),
         "error", "streetAddress before postalCode"),
    Case("subject_attribute_order", ov(WRONG_ORDER, BEFORE_BR2), "ne"),
    Case("subject_attribute_order", EV_SPEC.but(not_before=BR2), "pass", "EV attributes"),
    # 7.1.4.2 string types
    Case("subject_attribute_string_type", ov(C_AS_UTF8), "error", "C as UTF8String"),
    Case("subject_attribute_string_type", ov(O_AS_BMP), "error", "O as BMPString"),
    Case("subject_attribute_string_type", OV_SPEC.but(not_before=BR2), "pass"),
    Case("subject_attribute_string_type", ov(C_AS_UTF8, BEFORE_BR2), "ne"),
    # 7.1.4.2 upper bounds
    Case("subject_attribute_br_max_length", DV_SPEC.but(subject=IV_LONG_GIVEN_NAME,
         policies=(IV,), not_before=BR2), "error", "givenName 65"),
    Case("subject_attribute_br_max_length", DV_SPEC.but(subject=IV_SUBJECT, policies=(IV,),
         not_before=BR2), "pass"),
    Case("subject_attribute_br_max_length", DV_SPEC.but(subject=IV_LONG_GIVEN_NAME,
         policies=(IV,), not_before=BEFORE_BR2), "ne"),
    # 7.1.4.1 one attribute per RDN, each type once
    Case("subject_rdn_single_attribute", ov(MULTI_VALUED), "error"),
    Case("subject_rdn_single_attribute", OV_SPEC.but(not_before=BR2), "pass"),
    Case("subject_rdn_single_attribute", ov(MULTI_VALUED, BEFORE_BR2), "ne"),
    Case("subject_attribute_not_repeated", ov(ov_subject((O, "Example GmbH"))), "error",
         "two O"),
    Case("subject_attribute_not_repeated", ov(ov_subject((STREET, "1 Main St"),
         (STREET, "Suite 2"))), "pass", "two streetAddress"),
    Case("subject_attribute_not_repeated", ov(ov_subject((O, "Example GmbH")), BEFORE_BR2), "ne"),
    # commonName
    Case("subject_common_name_deprecated", OV_SPEC.but(not_before=at(2020)), "notice"),
    Case("subject_common_name_deprecated", DV_SPEC.but(subject=DV_NO_CN, san_critical=True,
         not_before=at(2020)), "pass", "no CN"),
    Case("subject_common_name_deprecated", OV_SPEC.but(not_before=BR2), "ne"),
    Case("subject_common_name_not_recommended", DV_SPEC.but(not_before=BR2), "warn"),
    Case("subject_common_name_not_recommended", DV_SPEC.but(subject=DV_NO_CN, san_critical=True,
         not_before=BR2), "pass", "no CN"),
    Case("subject_common_name_not_recommended", EV_SPEC.but(not_before=BR2), "na", "EV"),
    Case("subject_common_name_not_recommended", DV_SPEC.but(not_before=BEFORE_BR2), "ne"),
    Case("subject_single_common_name", ov(TWO_CNS, at(2020)), "warn"),
    Case("subject_single_common_name", OV_SPEC.but(not_before=at(2020)), "pass"),
    Case("subject_single_common_name", ov(TWO_CNS, BR2), "ne"),
    # values
    Case("subject_values_not_placeholders", ov(ov_subject((OU, "-")), at(2020)), "error", "OU -"),
    Case("subject_values_not_placeholders", OV_SPEC.but(not_before=at(2020), subject=name(
         (C, "AU"), (ST, "Some-State"), (O, "Example Pty Ltd"), (CN, "www.example.com"))),
         "error", "OpenSSL default"),
    Case("subject_values_not_placeholders", ov(ov_subject((POSTAL, "N/A")), at(2020)), "error",
         "N/A"),
    Case("subject_values_not_placeholders", OV_SPEC.but(not_before=at(2020)), "pass"),
    Case("subject_values_not_placeholders", DV_SPEC.but(subject=name((CN, "::")), dns_names=None,
         ip_addresses=("::",), not_before=at(2020)), "pass", "CN the address ::"),
    Case("subject_values_not_placeholders", ov(ov_subject((OU, "-")), at(2011)), "ne"),
    Case("subject_place_names_plain", OV_SPEC.but(not_before=at(2020), subject=name(
         (C, "US"), (ST, "California:Test"), (O, "Example Inc."), (CN, "www.example.com"))),
         "error"),
    Case("subject_place_names_plain", OV_SPEC.but(not_before=at(2020), subject=name(
         (C, "US"), (L, '{"city": "Boston"}'), (O, "Example Inc."), (CN, "www.example.com"))),
         "error", "JSON in L"),
    Case("subject_place_names_plain", OV_SPEC.but(not_before=at(2020)), "pass"),
    Case("subject_place_names_plain", DV_SPEC, "na", "no ST or L"),
    Case("subject_place_names_plain", OV_SPEC.but(not_before=at(2011), subject=name(
         (C, "US"), (ST, "California:Test"), (O, "Example Inc."), (CN, "www.example.com"))), "ne"),
    Case("subject_organizational_unit_requires_organization", DV_SPEC.but(
         not_before=at(2022, 1), subject=name((C, "DE"), (OU, "Lint"), (CN, "www.example.com"))),
         "error"),
    Case("subject_organizational_unit_requires_organization", ov(ov_subject((OU, "IT")),
         at(2022, 1)), "pass"),
    Case("subject_organizational_unit_requires_organization", DV_SPEC.but(
         not_before=at(2021, 1), subject=name((C, "DE"), (OU, "Lint"), (CN, "www.example.com"))),
         "ne", "before SC47"),
    Case("subject_organizational_unit_requires_organization", DV_SPEC.but(
         not_before=at(2022, 10), subject=name((C, "DE"), (OU, "Lint"), (CN, "www.example.com"))),
         "ne", "OU prohibited outright"),
    # BR 2.0 OV / IV profiles
    Case("subject_ov_iv_attributes_not_recommended", ov(ov_subject((POSTAL, "94105"))), "warn",
         "postalCode"),
    Case("subject_ov_iv_attributes_not_recommended", ov(ov_subject(
         (NameOID.EMAIL_ADDRESS, "admin@example.com"))), "warn", "emailAddress"),
    Case("subject_ov_iv_attributes_not_recommended", OV_SPEC.but(not_before=BR2), "pass"),
    Case("subject_ov_iv_attributes_not_recommended", DV_SPEC.but(subject=IV_SUBJECT,
         policies=(IV,), not_before=BR2), "pass", "IV"),
    Case("subject_ov_iv_attributes_not_recommended", ov(ov_subject((POSTAL, "94105")),
         BEFORE_BR2), "ne"),
    Case("subject_domain_component_labels", ov(name((DC, "com"), (DC, "example"), (C, "US"),
         (ST, "California"), (O, "Example Inc."), (CN, "www.example.com")), policies=None),
         "pass"),
    Case("subject_domain_component_labels", ov(name((DC, "example"), (DC, "com"), (C, "US"),
         (ST, "California"), (O, "Example Inc."), (CN, "www.example.com"))),
         "error", "DNS order"),
    Case("subject_domain_component_labels", ov(name((DC, "com"), (C, "US"), (DC, "example"),
         (ST, "California"), (O, "Example Inc."), (CN, "www.example.com"))),
         "error", "not one sequence"),
    Case("subject_domain_component_labels", ov(name((DC, "example"), (DC, "com"), (C, "US"),
         (ST, "California"), (O, "Example Inc."), (CN, "www.example.com")), BEFORE_BR2), "ne"),
]  # fmt: skip

CASES = UNDERSCORE_CASES + ONION_CASES + ARPA_CASES + DSA_CASES + SUBJECT_CASES


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)
