"""Golden cases for the encoding lints (rfc5280/der_structure.py, time_encoding.py,
string_types.py, key_usage_rules.py) and the community lints, plus the tolerant decoder.

What a builder will not write (times without seconds, encoded DEFAULTs, unique identifiers,
non-DER bit strings) is written by editing the DER with asn1crypto: a value loaded from raw
bytes keeps those bytes when the certificate is dumped without `force` (the signature no
longer verifies; no lint checks it).
"""

from __future__ import annotations

import base64
import json
import random
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from math import isqrt
from typing import Any

import pytest
from asn1crypto import core as asn1_core
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import ExtendedKeyUsageOID as EKU
from cryptography.x509.oid import NameOID

from audit.engine.certview import CertView
from audit.lints.community.rsa_keys import FERMAT_ROUNDS, fermat_factors
from audit.sample_db.certbuilder import (
    DV_SPEC,
    OV_SPEC,
    ROOT_CA_SPEC,
    SUBORDINATE_CA_SPEC,
    CertSpec,
    Issuer,
    der,
    ec_key,
    rsa_key,
    tlv,
)
from audit.sample_db.certbuilder import test_issuer as issuing_ca
from tests.lints.golden import Case, check_case, engine
from tests.zlint_conformance import CORPUS


def _at(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def edited(spec: CertSpec, change: Callable[[Any, Any], None]) -> bytes:
    """`spec`'s certificate with change(certificate, tbsCertificate) applied; values loaded from
    raw DER keep their bytes (dump without force)."""
    cert = asn1_x509.Certificate.load(der(spec))
    change(cert, cert["tbs_certificate"])
    return cert.dump()


def with_times(spec: CertSpec, not_before: tuple[int, str], not_after: tuple[int, str]) -> bytes:
    raw = b"".join(tlv(tag, text.encode()) for tag, text in (not_before, not_after))

    def change(_: Any, tbs: Any) -> None:
        tbs["validity"] = asn1_x509.Validity.load(tlv(0x30, raw))

    return edited(spec, change)


def oid_tlv(dotted: str) -> bytes:
    return asn1_core.ObjectIdentifier(dotted).dump()


def raw_name(*attrs: tuple[str, int, bytes]) -> bytes:
    """A Name of single-attribute RDNs with the given string tags and octets."""
    rdns = b"".join(tlv(0x31, tlv(0x30, oid_tlv(o) + tlv(tag, v))) for o, tag, v in attrs)
    return tlv(0x30, rdns)


def with_subject(spec: CertSpec, name: bytes) -> bytes:
    def change(_: Any, tbs: Any) -> None:
        tbs["subject"] = asn1_x509.Name.load(name)

    return edited(spec, change)


def ext(oid: str, hex_value: str, critical: bool = False) -> tuple[tuple[Any, bool], ...]:
    value = x509.UnrecognizedExtension(x509.ObjectIdentifier(oid), bytes.fromhex(hex_value))
    return ((value, critical),)


def with_raw_extension(spec: CertSpec, encoding: bytes) -> bytes:
    def change(_: Any, tbs: Any) -> None:
        tbs["extensions"].append(asn1_x509.Extension.load(encoding))

    return edited(spec, change)


def typed(oid: x509.ObjectIdentifier, value: str, kind: _ASN1Type) -> x509.NameAttribute:
    return x509.NameAttribute(oid, value, _type=kind)


def subject(*pairs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(o, v) for o, v in (*pairs, (NameOID.COMMON_NAME, "www.example.com"))]
    )


# -- keys ------------------------------------------------------------------------------------


def _probable_prime(n: int) -> bool:
    if n % 2 == 0:
        return False
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    rng = random.Random(n)
    for _ in range(20):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def _next_prime(n: int, e: int = 65537) -> int:
    n |= 1
    while not (_probable_prime(n) and (n - 1) % e):
        n += 2
    return n


@cache
def close_primes_key() -> rsa.RSAPrivateKey:
    """A 2048-bit RSA key whose primes are neighbours: Fermat's method factors it at once."""
    p = _next_prime(random.Random(7).getrandbits(1024) | (3 << 1022))
    q = _next_prime(p + 2)
    e, phi = 65537, (p - 1) * (q - 1)
    d = pow(e, -1, phi)
    numbers = rsa.RSAPrivateNumbers(
        p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q),
        rsa.RSAPublicNumbers(e, p * q),
    )  # fmt: skip
    return numbers.private_key(unsafe_skip_rsa_key_validation=True)


@cache
def rsa_issuer() -> Issuer:
    return Issuer.from_key(issuing_ca().subject, rsa_key(2048, 1))


RSA_DV = DV_SPEC.but(key=rsa_key(2048), issuer=None)
RSA_SUB_CA = SUBORDINATE_CA_SPEC.but(key=rsa_key(2048))
ECDSA_SHA256 = "1.2.840.10045.4.3.2"


def _signature(outer: str | None = None, tbs: str | None = None, params: bool = True):
    def change(cert: Any, tbs_cert: Any) -> None:
        for where, name in ((cert, "signature_algorithm"), (tbs_cert, "signature")):
            oid = outer if where is cert else tbs
            if oid is None:
                continue
            body = oid_tlv(oid) + (b"\x05\x00" if params else b"")
            where[name] = asn1_x509.SignedDigestAlgorithm.load(tlv(0x30, body))

    return change


def _rsa_spki_without_null(_: Any, tbs: Any) -> None:
    spki = tbs["subject_public_key_info"]
    key_bits = spki["public_key"].dump()
    tbs["subject_public_key_info"] = asn1_keys.PublicKeyInfo.load(
        tlv(0x30, tlv(0x30, oid_tlv("1.2.840.113549.1.1.1")) + key_bits)
    )


def _rsa_spki_not_a_key(_: Any, tbs: Any) -> None:
    algorithm = tlv(0x30, oid_tlv("1.2.840.113549.1.1.1") + b"\x05\x00")
    tbs["subject_public_key_info"] = asn1_keys.PublicKeyInfo.load(
        tlv(0x30, algorithm + tlv(0x03, b"\x00\x01\x02\x03"))
    )


def _unique_ids(issuer: bool, subject_id: bool, version: str | None = None):
    def change(_: Any, tbs: Any) -> None:
        if issuer:
            tbs["issuer_unique_id"] = asn1_core.OctetBitString(b"\x01\x02")
        if subject_id:
            tbs["subject_unique_id"] = asn1_core.OctetBitString(b"\x03\x04")
        if version:
            tbs["version"] = version

    return change


def _subject_tag_changed(spec: CertSpec, tag: int) -> bytes:
    """The subject's outer SEQUENCE tag replaced (same length): no longer an RDNSequence."""
    data = der(spec)
    name = asn1_x509.Certificate.load(data)["tbs_certificate"]["subject"].dump()
    at = data.index(name)
    return data[:at] + bytes([tag]) + data[at + 1 :]


# -- the cases -------------------------------------------------------------------------------

OLD_1998 = {"not_before": _at(1998, 6, 1), "days": 365}
OLD_2001 = {"not_before": _at(2001, 6, 1), "days": 365}
OLD_2007 = {"not_before": _at(2007, 6, 1), "days": 365}
KU_ONLY_RAW = {"key_usage": None}
C_UTF8 = x509.Name([typed(NameOID.COUNTRY_NAME, "US", _ASN1Type.UTF8String),
                    x509.NameAttribute(NameOID.COMMON_NAME, "www.example.com")])  # fmt: skip
C_PRINTABLE = x509.Name([typed(NameOID.COUNTRY_NAME, "US", _ASN1Type.PrintableString),
                         x509.NameAttribute(NameOID.COMMON_NAME, "www.example.com")])  # fmt: skip
CN, ORG, ST, GN, SN, PC = (
    NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME, NameOID.STATE_OR_PROVINCE_NAME,
    NameOID.GIVEN_NAME, NameOID.SURNAME, NameOID.POSTAL_CODE,
)  # fmt: skip
CN_OID, SERIAL_OID, O_OID = "2.5.4.3", "2.5.4.5", "2.5.4.10"
PRINTABLE, UTF8 = 0x13, 0x0C

CASES = [
    # -- RFC 5280 4.1.1.2: the two signature AlgorithmIdentifiers match -----------------------
    Case("signature_algorithm_matches_tbs", DV_SPEC, "pass"),
    Case("signature_algorithm_matches_tbs",
         edited(DV_SPEC, _signature(outer="1.2.840.10045.4.3.3")), "error", "other OID"),
    Case("signature_algorithm_matches_tbs",
         edited(DV_SPEC, _signature(outer=ECDSA_SHA256, params=True)), "error", "NULL added"),
    Case("signature_algorithm_matches_tbs",
         edited(DV_SPEC.but(**OLD_1998), _signature(outer="1.2.840.10045.4.3.3")), "ne"),
    # -- RSA AlgorithmIdentifiers with NULL ---------------------------------------------------
    Case("rsa_key_algorithm_parameters_null", RSA_DV, "pass"),
    Case("rsa_key_algorithm_parameters_null", edited(RSA_DV, _rsa_spki_without_null), "error"),
    Case("rsa_key_algorithm_parameters_null",
         edited(RSA_DV.but(**OLD_2001), _rsa_spki_without_null), "ne"),
    Case("rsa_key_algorithm_parameters_null", DV_SPEC, "na", "EC key"),
    Case("rsa_signature_algorithm_parameters_null", DV_SPEC.but(issuer=rsa_issuer()), "pass"),
    Case("rsa_signature_algorithm_parameters_null",
         edited(DV_SPEC.but(issuer=rsa_issuer()),
                _signature("1.2.840.113549.1.1.11", "1.2.840.113549.1.1.11", params=False)),
         "error", "absent parameters"),
    Case("rsa_signature_algorithm_parameters_null",
         edited(DV_SPEC.but(issuer=rsa_issuer(), **OLD_2001),
                _signature("1.2.840.113549.1.1.11", "1.2.840.113549.1.1.11", params=False)),
         "ne"),
    Case("rsa_signature_algorithm_parameters_null", DV_SPEC, "na", "ECDSA signature"),
    # -- unique identifiers -------------------------------------------------------------------
    Case("no_unique_identifiers", DV_SPEC, "pass"),
    Case("no_unique_identifiers", edited(DV_SPEC, _unique_ids(True, False)), "error", "issuer"),
    Case("no_unique_identifiers", edited(DV_SPEC, _unique_ids(False, True)), "error", "subject"),
    Case("no_unique_identifiers",
         edited(DV_SPEC.but(**OLD_2007), _unique_ids(True, True)), "ne", "before RFC 5280"),
    Case("unique_identifiers_only_in_v2_or_v3", edited(DV_SPEC, _unique_ids(True, True)), "pass"),
    Case("unique_identifiers_only_in_v2_or_v3",
         edited(DV_SPEC, _unique_ids(True, False, "v1")), "error", "v1"),
    Case("unique_identifiers_only_in_v2_or_v3",
         edited(DV_SPEC.but(**OLD_1998), _unique_ids(True, False, "v1")), "ne"),
    # -- DEFAULT values not encoded -----------------------------------------------------------
    Case("extension_critical_default_not_encoded", DV_SPEC, "pass"),
    Case("extension_critical_default_not_encoded",
         with_raw_extension(DV_SPEC, tlv(0x30, oid_tlv("2.5.29.18") + b"\x01\x01\x00"
                                         + tlv(0x04, tlv(0x30, tlv(0x82, b"ca.example"))))),
         "error", "critical FALSE"),
    Case("extension_critical_default_not_encoded",
         with_raw_extension(DV_SPEC.but(**OLD_1998),
                            tlv(0x30, oid_tlv("2.5.29.18") + b"\x01\x01\x00"
                                + tlv(0x04, tlv(0x30, tlv(0x82, b"ca.example"))))), "ne"),
    Case("basic_constraints_ca_default_not_encoded", DV_SPEC, "pass"),
    Case("basic_constraints_ca_default_not_encoded",
         DV_SPEC.but(basic_constraints=False, extra_extensions=ext("2.5.29.19", "3003010100", True)),
         "error", "cA FALSE"),
    Case("basic_constraints_ca_default_not_encoded",
         DV_SPEC.but(basic_constraints=False, extra_extensions=ext("2.5.29.19", "3000", True)),
         "pass", "tolerant path, cA absent"),
    Case("basic_constraints_ca_default_not_encoded", DV_SPEC.but(basic_constraints=False), "na"),
    # -- issuer and subject ---------------------------------------------------------------------
    Case("issuer_not_empty", DV_SPEC, "pass"),
    Case("issuer_not_empty", DV_SPEC.but(issuer=Issuer.from_key(x509.Name([]), ec_key("secp256r1", 8))), "error"),
    Case("issuer_not_empty",
         DV_SPEC.but(issuer=Issuer.from_key(x509.Name([]), ec_key("secp256r1", 8)), **OLD_1998), "ne"),
    Case("ca_subject_not_empty", SUBORDINATE_CA_SPEC, "pass"),
    Case("ca_subject_not_empty", SUBORDINATE_CA_SPEC.but(subject=x509.Name([])), "error"),
    Case("ca_subject_not_empty", DV_SPEC.but(subject=x509.Name([])), "na", "subscriber"),
    Case("subject_is_distinguished_name", DV_SPEC, "pass"),
    Case("subject_is_distinguished_name", _subject_tag_changed(DV_SPEC, 0x31), "error", "a SET"),
    Case("subject_is_distinguished_name",
         _subject_tag_changed(DV_SPEC.but(**OLD_1998), 0x31), "ne"),
    # -- time encodings -----------------------------------------------------------------------
    Case("utc_time_format", DV_SPEC, "pass"),
    Case("utc_time_format", with_times(DV_SPEC, (0x17, "2506010000Z"), (0x17, "250830235959Z")),
         "error", "no seconds"),
    Case("utc_time_format",
         with_times(DV_SPEC, (0x17, "250601000000-0500"), (0x17, "250830235959Z")),
         "error", "not Zulu"),
    Case("utc_time_format", with_times(DV_SPEC, (0x17, "250601000000"), (0x17, "250830235959Z")),
         "error", "no zone"),
    Case("utc_time_format", with_times(DV_SPEC, (0x17, "9806010000Z"), (0x17, "990530235959Z")),
         "ne", "1998"),
    Case("utc_time_format",
         with_times(DV_SPEC, (0x18, "20550101000000Z"), (0x18, "20560101000000Z")), "na"),
    Case("generalized_time_format",
         with_times(DV_SPEC, (0x17, "250601000000Z"), (0x18, "20550101000000Z")), "pass"),
    Case("generalized_time_format",
         with_times(DV_SPEC, (0x17, "250601000000Z"), (0x18, "20550101000000.5Z")),
         "error", "fraction"),
    Case("generalized_time_format",
         with_times(DV_SPEC, (0x17, "250601000000Z"), (0x18, "205501010000Z")),
         "error", "no seconds"),
    Case("generalized_time_format",
         with_times(DV_SPEC, (0x17, "250601000000Z"), (0x18, "20550101000000+0100")),
         "error", "not Zulu"),
    Case("generalized_time_format",
         with_times(DV_SPEC, (0x18, "19980601000000.25Z"), (0x18, "20550101000000Z")),
         "ne", "1998"),
    Case("generalized_time_format", DV_SPEC, "na"),
    # -- string types ----------------------------------------------------------------------------
    Case("country_name_printable_string", DV_SPEC.but(subject=C_PRINTABLE), "pass"),
    Case("country_name_printable_string", DV_SPEC.but(subject=C_UTF8), "error", "subject"),
    Case("country_name_printable_string",
         DV_SPEC.but(issuer=Issuer.from_key(C_UTF8, ec_key("secp256r1", 8))), "error", "issuer"),
    Case("serial_number_printable_string",
         with_subject(DV_SPEC, raw_name((SERIAL_OID, PRINTABLE, b"1234"), (CN_OID, UTF8, b"www.example.com"))),
         "pass"),
    Case("serial_number_printable_string",
         with_subject(DV_SPEC, raw_name((SERIAL_OID, UTF8, b"1234"), (CN_OID, UTF8, b"www.example.com"))),
         "error"),
    Case("serial_number_printable_string", DV_SPEC, "na"),
    Case("printable_string_alphabet",
         with_subject(DV_SPEC, raw_name((O_OID, PRINTABLE, b"Let's Go (Ltd.)"), (CN_OID, UTF8, b"www.example.com"))),
         "pass"),
    Case("printable_string_alphabet",
         with_subject(DV_SPEC, raw_name((CN_OID, PRINTABLE, b"*.example.com"))), "error", "'*'"),
    Case("printable_string_alphabet",
         with_subject(DV_SPEC.but(**OLD_1998), raw_name((CN_OID, PRINTABLE, b"a@b.example"))), "ne"),
    Case("subject_no_control_characters", OV_SPEC, "pass"),
    Case("subject_no_control_characters",
         DV_SPEC.but(subject=subject((ORG, "Business Enablement \u0080\u0093 North"))), "error", "C1"),
    Case("subject_no_control_characters",
         with_subject(DV_SPEC, raw_name((O_OID, UTF8, b"Tab\there"), (CN_OID, UTF8, b"x.example.com"))),
         "error", "C0"),
    Case("subject_attribute_recommended_lengths",
         DV_SPEC.but(subject=subject((GN, "A" * 64), (SN, "B" * 64), (PC, "1" * 16))), "pass"),
    Case("subject_attribute_recommended_lengths",
         DV_SPEC.but(subject=subject((GN, "A" * 65))), "warn", "givenName"),
    Case("subject_attribute_recommended_lengths",
         DV_SPEC.but(subject=subject((SN, "B" * 65))), "warn", "surname"),
    Case("subject_attribute_recommended_lengths",
         DV_SPEC.but(subject=subject((PC, "1" * 17))), "warn", "postalCode"),
    Case("subject_attribute_recommended_lengths",
         DV_SPEC.but(subject=subject((PC, "1" * 17)), **OLD_1998), "ne"),
    Case("dns_name_registrable_label_no_underscore", DV_SPEC.but(dns_names=("a_b.example.com",)),
         "pass", "underscore below"),
    Case("dns_name_registrable_label_no_underscore", DV_SPEC.but(dns_names=("ex_ample.co.uk",)),
         "error"),
    Case("dns_name_registrable_label_no_underscore",
         DV_SPEC.but(dns_names=("*.ex_ample.com",)), "error", "wildcard"),
    Case("dns_name_registrable_label_no_underscore",
         DV_SPEC.but(dns_names=("ex_ample.com",), **OLD_1998), "ne"),
    Case("dns_name_subdomain_label_no_underscore", DV_SPEC.but(dns_names=("ex_ample.com",)),
         "pass", "underscore in registrable label"),
    Case("dns_name_subdomain_label_no_underscore",
         DV_SPEC.but(dns_names=("a_b.example.co.uk",)), "warn"),
    Case("dns_name_subdomain_label_no_underscore", DV_SPEC.but(dns_names=None), "na"),
    # -- keyUsage encoding ----------------------------------------------------------------------
    Case("key_usage_unused_bits_der", DV_SPEC, "pass"),
    Case("key_usage_unused_bits_der",
         DV_SPEC.but(**KU_ONLY_RAW, extra_extensions=ext("2.5.29.15", "03020580", True)),
         "error", "5 unused, 7 trailing zeros"),
    Case("key_usage_unused_bits_der",
         DV_SPEC.but(**KU_ONLY_RAW, extra_extensions=ext("2.5.29.15", "0303070600", True)),
         "pass", "zero last octet: the other lint"),
    Case("key_usage_unused_bits_der", DV_SPEC.but(key_usage=None), "na"),
    Case("key_usage_no_trailing_zero_octets", SUBORDINATE_CA_SPEC, "pass"),
    Case("key_usage_no_trailing_zero_octets",
         SUBORDINATE_CA_SPEC.but(**KU_ONLY_RAW, extra_extensions=ext("2.5.29.15", "0303070600", True)),
         "error"),
    Case("key_usage_at_most_nine_bits",
         DV_SPEC.but(key_usage=("key_agreement", "decipher_only")), "pass", "decipherOnly"),
    Case("key_usage_at_most_nine_bits",
         DV_SPEC.but(**KU_ONLY_RAW, extra_extensions=ext("2.5.29.15", "03050780000180", True)),
         "error"),
    Case("key_usage_at_most_nine_bits",
         DV_SPEC.but(**KU_ONLY_RAW, **OLD_1998, extra_extensions=ext("2.5.29.15", "03050780000180", True)),
         "ne"),
    # -- keyUsage by key type -------------------------------------------------------------------
    Case("rsa_ca_key_usage_allowed", RSA_SUB_CA, "pass"),
    Case("rsa_ca_key_usage_allowed",
         RSA_SUB_CA.but(key_usage=("key_agreement", "key_cert_sign", "crl_sign")), "error"),
    Case("rsa_ca_key_usage_allowed",
         RSA_SUB_CA.but(key_usage=("key_agreement", "key_cert_sign"), **OLD_2001), "ne"),
    Case("rsa_ca_key_usage_allowed", SUBORDINATE_CA_SPEC, "na", "EC key"),
    Case("rsa_ca_key_usage_allowed", RSA_DV, "na", "end entity"),
    Case("rsa_end_entity_key_usage_allowed",
         RSA_DV.but(key_usage=("digital_signature", "key_encipherment")), "pass"),
    Case("rsa_end_entity_key_usage_allowed", RSA_DV.but(key_usage=("key_agreement",)), "error"),
    Case("rsa_end_entity_key_usage_allowed", RSA_DV.but(key_usage=("key_agreement",), **OLD_2001), "ne"),
    Case("rsa_end_entity_key_usage_allowed", RSA_SUB_CA, "na", "CA"),
    Case("rsa_ca_key_usage_no_encipherment", RSA_SUB_CA, "pass"),
    Case("rsa_ca_key_usage_no_encipherment",
         RSA_SUB_CA.but(key_usage=("key_encipherment", "key_cert_sign")), "warn"),
    Case("rsa_ca_key_usage_no_encipherment",
         RSA_SUB_CA.but(key_usage=("data_encipherment", "crl_sign"), **OLD_2001), "ne"),
    Case("ecdsa_end_entity_key_usage", DV_SPEC, "pass"),
    Case("ecdsa_end_entity_key_usage",
         DV_SPEC.but(key_usage=("digital_signature", "key_agreement", "encipher_only")), "pass"),
    Case("ecdsa_end_entity_key_usage",
         DV_SPEC.but(key_usage=("digital_signature", "key_cert_sign", "crl_sign")), "notice"),
    Case("ecdsa_end_entity_key_usage",
         DV_SPEC.but(key_usage=("digital_signature", "key_encipherment")), "notice"),
    Case("ecdsa_end_entity_key_usage",
         DV_SPEC.but(key_usage=("key_encipherment",), **OLD_2007), "ne"),
    Case("ecdsa_end_entity_key_usage", ROOT_CA_SPEC, "na", "CA"),
    Case("key_usage_consistent_with_eku", DV_SPEC, "pass"),
    Case("key_usage_consistent_with_eku",
         DV_SPEC.but(eku=(EKU.SERVER_AUTH,), key_usage=("digital_signature", "key_agreement")), "pass"),
    Case("key_usage_consistent_with_eku",
         DV_SPEC.but(eku=(EKU.SERVER_AUTH,), key_usage=("digital_signature", "content_commitment")),
         "error", "serverAuth with nonRepudiation"),
    Case("key_usage_consistent_with_eku",
         DV_SPEC.but(eku=(EKU.SERVER_AUTH,), key_usage=("key_encipherment", "key_agreement")),
         "error", "both keyEncipherment and keyAgreement"),
    Case("key_usage_consistent_with_eku",
         DV_SPEC.but(eku=(EKU.EMAIL_PROTECTION, EKU.CLIENT_AUTH),
                     key_usage=("digital_signature", "content_commitment")), "pass", "several"),
    Case("key_usage_consistent_with_eku",
         DV_SPEC.but(eku=(EKU.EMAIL_PROTECTION, EKU.CLIENT_AUTH),
                     key_usage=("digital_signature", "data_encipherment")), "error", "several"),
    Case("key_usage_consistent_with_eku",
         DV_SPEC.but(eku=(EKU.SERVER_AUTH,), key_usage=("content_commitment",), **OLD_1998), "ne"),
    Case("key_usage_consistent_with_eku", DV_SPEC.but(eku=None), "na"),
    # -- community: name text -------------------------------------------------------------------
    Case("name_values_no_surrounding_whitespace", OV_SPEC, "pass"),
    Case("name_values_no_surrounding_whitespace",
         DV_SPEC.but(subject=subject((ORG, " Example Inc."))), "warn", "leading"),
    Case("name_values_no_surrounding_whitespace",
         DV_SPEC.but(subject=subject((ORG, "Example Inc. "))), "warn", "trailing"),
    Case("name_values_no_surrounding_whitespace",
         DV_SPEC.but(issuer=Issuer.from_key(subject((ORG, "Example CA\t")), ec_key("secp256r1", 8))),
         "warn", "issuer"),
    Case("name_rdns_single_valued", OV_SPEC, "pass"),
    Case("name_rdns_single_valued",
         DV_SPEC.but(subject=x509.Name([x509.RelativeDistinguishedName([
             x509.NameAttribute(ORG, "Example Inc."), x509.NameAttribute(CN, "www.example.com")])])),
         "notice"),
    Case("subject_no_html_entities", DV_SPEC.but(subject=subject((ORG, "Mustermann R&D GmbH"))), "pass"),
    Case("subject_no_html_entities", DV_SPEC.but(subject=subject((ORG, "AT&T; Inc."))), "pass",
         "no such entity"),
    Case("subject_no_html_entities", DV_SPEC.but(subject=subject((ORG, "Steinway &amp; Sons"))), "error"),
    Case("subject_no_html_entities", DV_SPEC.but(subject=subject((ORG, "La Roque-d&#x27;Anth"))),
         "error", "numeric"),
    Case("subject_no_utf8_read_as_latin1", DV_SPEC.but(subject=subject((ST, "Göteborg"))), "pass"),
    Case("subject_no_utf8_read_as_latin1", DV_SPEC.but(subject=subject((ST, "SÃO PAULO"))), "pass",
         "uppercase Ã"),
    Case("subject_no_utf8_read_as_latin1",
         DV_SPEC.but(subject=subject((ST, "Baden-WÃ¼rttemberg"))), "error"),
    # -- community: dNSNames --------------------------------------------------------------------
    Case("san_dns_names_unique", DV_SPEC.but(dns_names=("www.example.com", "example.com")), "pass"),
    Case("san_dns_names_unique", DV_SPEC.but(dns_names=("www.example.com", "WWW.example.com")),
         "notice"),
    Case("san_dns_names_unique", DV_SPEC.but(dns_names=None), "na"),
    Case("dns_names_not_redacted", DV_SPEC, "pass"),
    Case("dns_names_not_redacted", DV_SPEC.but(dns_names=("?.example.com",)), "notice"),
    Case("dns_names_not_redacted", DV_SPEC.but(dns_names=("*.?.example.com",)), "notice", "wildcard"),
    Case("dns_names_not_redacted", SUBORDINATE_CA_SPEC, "na"),
    # -- community: RSA keys --------------------------------------------------------------------
    Case("rsa_public_key_decodes", RSA_DV, "pass"),
    Case("rsa_public_key_decodes", edited(RSA_DV, _rsa_spki_not_a_key), "error"),
    Case("rsa_public_key_decodes", DV_SPEC, "na"),
    Case("rsa_modulus_not_fermat_factorable", RSA_DV, "pass"),
    Case("rsa_modulus_not_fermat_factorable", DV_SPEC.but(key=close_primes_key()), "error"),
    Case("rsa_modulus_not_fermat_factorable", DV_SPEC, "na"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)


MODULES = {"der_structure", "time_encoding", "string_types", "key_usage_rules"}
COMMUNITY = {"name_text", "dns_names", "rsa_keys"}


def test_every_lint_here_has_failing_and_passing_case() -> None:
    ours = {
        x.name for x in engine().catalogue
        if (x.section in MODULES and x.source == "rfc5280")
        or (x.section in COMMUNITY and x.source == "community")
    }  # fmt: skip
    covered = {c.lint for c in CASES}
    assert ours <= covered, f"lints without golden cases: {sorted(ours - covered)}"
    for name in ours:
        statuses = {c.expected for c in CASES if c.lint == name}
        assert "pass" in statuses, name
        assert statuses & {"info", "notice", "warn", "error"}, name


# -- what the DEFAULT lints rely on ------------------------------------------------------------


def test_cryptography_refuses_encoded_defaults() -> None:
    """extension_critical_default_not_encoded and basic_constraints_ca_default_not_encoded walk
    the DER only when cryptography refused it: hold cryptography to refusing both."""
    critical_false = with_raw_extension(
        DV_SPEC,
        tlv(0x30, oid_tlv("2.5.29.18") + b"\x01\x01\x00" + tlv(0x04, tlv(0x30, tlv(0x82, b"a.b")))),
    )
    with pytest.raises(ValueError):
        x509.load_der_x509_certificate(critical_false)
    ca_false = der(
        DV_SPEC.but(basic_constraints=False, extra_extensions=ext("2.5.29.19", "3003010100", True))
    )
    with pytest.raises(ValueError):
        x509.load_der_x509_certificate(ca_false).extensions  # noqa: B018


# -- the tolerant decoder ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        ((0x17, "2506010203Z"), datetime(2025, 6, 1, 2, 3, tzinfo=UTC)),
        ((0x17, "250601020304-0500"), datetime(2025, 6, 1, 7, 3, 4, tzinfo=UTC)),
        ((0x17, "250601020304.5Z"), datetime(2025, 6, 1, 2, 3, 4, 500000, tzinfo=UTC)),
        ((0x18, "2055010102Z"), datetime(2055, 1, 1, 2, tzinfo=UTC)),
        ((0x18, "20550101020304,25"), datetime(2055, 1, 1, 2, 3, 4, 250000, tzinfo=UTC)),
    ],
)
def test_odd_validity_times_still_read(encoded: tuple[int, str], expected: datetime) -> None:
    view = CertView(with_times(DV_SPEC, encoded, (0x18, "20560101000000Z")))
    assert view.not_before == expected
    assert view.validity_encoding[0].tag == encoded[0]
    assert view.validity_encoding[0].text == encoded[1]
    assert view.problems  # the strict decoder refused it, and that is on record


def test_unreadable_time_is_fatal_only_for_what_needs_it() -> None:
    view = CertView(with_times(DV_SPEC, (0x17, "not a time"), (0x17, "250830235959Z")))
    with pytest.raises(ValueError):
        view.not_before  # noqa: B018
    assert view.validity_encoding[0].text == "not a time"


def test_empty_extension_value_keeps_the_other_extensions() -> None:
    empty = tlv(0x30, oid_tlv("2.5.29.54") + tlv(0x04, b""))  # inhibitAnyPolicy, no value
    view = CertView(with_raw_extension(DV_SPEC, empty))
    oids_seen = [e.oid for e in view.extension_list]
    assert "2.5.29.54" in oids_seen and "2.5.29.17" in oids_seen
    assert view.dns_names == ("www.example.com",)
    assert view.extension_value_der("2.5.29.54") == b""
    assert any("2.5.29.54" in p for p in view.problems)


def test_key_usage_names_agree_on_both_paths() -> None:
    strict = CertView(der(DV_SPEC.but(key_usage=("digital_signature", "content_commitment"))))
    tolerant = CertView(
        der(DV_SPEC.but(key_usage=None, basic_constraints=False,
                        extra_extensions=ext("2.5.29.15", "030206c0", True) + ext("2.5.29.19", "3003010100", True)))
    )  # fmt: skip
    assert tolerant.extension_list[0].crypto is None  # read by asn1crypto
    assert strict.key_usage == tolerant.key_usage == {"digital_signature", "content_commitment"}


def test_fermat_matches_the_plain_method() -> None:
    def plain(n: int, rounds: int) -> tuple[int, int] | None:
        a = isqrt(n)
        if a * a == n:
            return a, a
        a += 1
        for _ in range(rounds):
            b2 = a * a - n
            b = isqrt(b2)
            if b * b == b2:
                return a + b, a - b
            a += 1
        return None

    rng = random.Random(5)
    for _ in range(2000):
        n = rng.randrange(10**5, 10**14) | 1
        for rounds in (1, 7, FERMAT_ROUNDS):
            assert fermat_factors(n, rounds) == plain(n, rounds), (n, rounds)


# -- the zlint corpus: the tolerant decoder reads every certificate ----------------------------


def test_no_corpus_certificate_is_fatal_outside_the_decode_lint() -> None:
    listing = json.loads((CORPUS / "certs.json").read_text())["certs"]
    fatal = []
    for entry in listing:
        pem = (CORPUS / entry["cert"]).read_bytes()
        body = re.search(rb"-----BEGIN CERTIFICATE-----(.*?)-----END", pem, re.S)
        assert body is not None
        report = engine().lint_der(base64.b64decode(body.group(1)))
        fatal += [
            f"{entry['cert']}: {r.lint.name}: {r.message}"
            for r in report.results
            if r.status.label == "fatal" and r.lint.name != "certificate_decodes_strictly"
        ]
    assert not fatal, "\n".join(fatal[:20])
