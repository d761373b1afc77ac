"""The defects the sample issuance database carries: what issuance bugs look like in a CA's data.

Each defect is declared once (defect.py says what a `Defect` holds): here those of TLS
certificates, their keys and the rows that hold them (a revocation reason the profile forbids,
a revocation before issuance); `DEFECTS` adds the S/MIME, code-signing and time-stamping ones
(family_defects.py). Defects only the whole population shows are population_defects.py's.

`tests/test_sample_db.py` holds every defect to its lint: each defective row of a small build
gets a finding from the lint named here. `generate.build_sample_db` reports how many rows carry
each defect.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from audit.lints import dates
from audit.sample_db import rsa_keys
from audit.sample_db.certbuilder import CertSpec, Issuer, build, ec_key, tlv
from audit.sample_db.defect import ORGANIZATION_TYPES, Defect, Make, unchanged
from audit.sample_db.family_defects import FAMILY_DEFECTS

SNAPSHOT = datetime(2026, 11, 1)  # generate.ISSUANCE_END, naive as the rows hold times

# --- subject helpers ---------------------------------------------------------------------------


def _without(subject: x509.Name, *oids: x509.ObjectIdentifier) -> x509.Name:
    return x509.Name([a for a in subject if a.oid not in oids])


def _with_cn(subject: x509.Name, value: str) -> x509.Name:
    attrs = [a for a in subject if a.oid != NameOID.COMMON_NAME]
    return x509.Name([*attrs, x509.NameAttribute(NameOID.COMMON_NAME, value)])


def _insert_before_cn(subject: x509.Name, attr: x509.NameAttribute) -> x509.Name:
    attrs = list(subject)
    at = next((i for i, a in enumerate(attrs) if a.oid == NameOID.COMMON_NAME), len(attrs))
    return x509.Name([*attrs[:at], attr, *attrs[at:]])


def _registrable(spec: CertSpec) -> str:
    """The customer's domain: the first SAN name without its host label."""
    first = (spec.dns_names or ("www.example.com",))[0]
    return first.split(".", 1)[1] if first.startswith(("*.", "www.")) else first


def _rename_first(spec: CertSpec, new: str) -> CertSpec:
    """Replace the first SAN name, and the CN with it (so only the intended defect is present)."""
    names = (new, *(spec.dns_names or ())[1:])
    return spec.but(dns_names=names, subject=_with_cn(spec.subject, new))


# --- the defects' transformations ---------------------------------------------------------------


def organization_without_locality_or_state(spec: CertSpec, rng: random.Random) -> CertSpec:
    # The incident: the validation system accepted an address without city or state.
    return spec.but(
        subject=_without(spec.subject, NameOID.LOCALITY_NAME, NameOID.STATE_OR_PROVINCE_NAME)
    )


def common_name_not_in_san(spec: CertSpec, rng: random.Random) -> CertSpec:
    # Typical: the order form's CN was the bare domain while the SAN list came from the CSR.
    sans = set(spec.dns_names or ())
    base = _registrable(spec)
    for candidate in (base, f"www.{base}", f"portal.{base}", f"web.{base}"):
        if candidate not in sans:
            return spec.but(subject=_with_cn(spec.subject, candidate))
    return spec.but(subject=_with_cn(spec.subject, f"cn-{rng.randrange(100)}.{base}"))


def common_name_case_differs(spec: CertSpec, rng: random.Random) -> CertSpec:
    # The CN typed from the order form ("WWW.Example.com"), the SAN from the CSR (lowercase).
    first = (spec.dns_names or ("www.example.com",))[0]
    labels = first.split(".")
    shouted = ".".join([labels[0].upper(), *(label.capitalize() for label in labels[1:])])
    return spec.but(subject=_with_cn(spec.subject, shouted))


def validity(*days: int) -> Make:
    def make(spec: CertSpec, rng: random.Random) -> CertSpec:
        return spec.but(days=rng.choice(days))

    return make


_RSA_USAGE = ("digital_signature", "key_encipherment")


def _own_name(rng: random.Random) -> str:
    return f"defect-key:{rng.getrandbits(64):016x}"  # a key no other row has


def rsa_1024(spec: CertSpec, rng: random.Random) -> CertSpec:
    return spec.but(key=rsa_keys.own_key(1024, _own_name(rng)), key_usage=_RSA_USAGE)


def rsa_exponent_3(spec: CertSpec, rng: random.Random) -> CertSpec:
    return spec.but(key=rsa_keys.own_key(2048, _own_name(rng), exponent=3), key_usage=_RSA_USAGE)


def rsa_close_primes(spec: CertSpec, rng: random.Random) -> CertSpec:
    # A key generator that took q as the next prime after p (plus a little): Fermat's method
    # factors n at once (the printers of CVE-2022-26320).
    return spec.but(key=rsa_keys.close_primes_key(_own_name(rng)), key_usage=_RSA_USAGE)


def ec_curve_secp256k1(spec: CertSpec, rng: random.Random) -> CertSpec:
    return spec.but(
        key=ec_key("secp256k1", rng.randrange(1 << 30)), key_usage=("digital_signature",)
    )


def ec_key_encipherment(spec: CertSpec, rng: random.Random) -> CertSpec:
    # keyEncipherment is an RSA key-transport usage; an EC key cannot do it.
    return spec.but(
        key=ec_key("secp256r1", rng.randrange(1 << 30)),
        key_usage=("digital_signature", "key_encipherment"),
    )


def sequential_serial(spec: CertSpec, rng: random.Random) -> CertSpec:
    # A fallback path that took serials from a database sequence instead of the CSPRNG.
    return spec.but(serial=0x10000000 + rng.randrange(1 << 24))


def underscore_in_dns_name(spec: CertSpec, rng: random.Random) -> CertSpec:
    label = rng.choice(("dev_api", "web_01", "my_app", "test_env", "mail_gw", "sso_login"))
    return _rename_first(spec, f"{label}.{_registrable(spec)}")


def internal_name(spec: CertSpec, rng: random.Random) -> CertSpec:
    extra = rng.choice(
        ("exchange01", "mail.corp.local", "intranet", "server01.internal", "nas.lan", "dc1.ad.corp")
    )
    return spec.but(dns_names=(*(spec.dns_names or ()), extra))


def reserved_ip(spec: CertSpec, rng: random.Random) -> CertSpec:
    ip = rng.choice(
        (
            f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            f"192.168.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            f"172.{rng.randrange(16, 32)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            "127.0.0.1",
            f"fd00::{rng.randrange(1, 0xFFFF):x}",
        )
    )
    return spec.but(ip_addresses=(*spec.ip_addresses, ip))


def misplaced_wildcard(spec: CertSpec, rng: random.Random) -> CertSpec:
    base = _registrable(spec)
    return _rename_first(
        spec, rng.choice((f"www.*.{base}", f"*.*.{base}", f"w*.{base}", f"api*.{base}"))
    )


def organizational_unit(spec: CertSpec, rng: random.Random) -> CertSpec:
    ou = rng.choice(
        ("IT Department", "Information Systems", "Web Services", "Domain Control Validated")
    )
    unit = x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou)
    return spec.but(subject=_insert_before_cn(spec.subject, unit))


def no_ocsp_url(spec: CertSpec, rng: random.Random) -> CertSpec:
    return spec.but(ocsp_url=None)


def no_revocation_information(spec: CertSpec, rng: random.Random) -> CertSpec:
    return spec.but(ocsp_url=None, crl_url=None)


def no_eku(spec: CertSpec, rng: random.Random) -> CertSpec:
    return spec.but(eku=None)


def code_signing_eku(spec: CertSpec, rng: random.Random) -> CertSpec:
    eku = spec.eku or (ExtendedKeyUsageOID.SERVER_AUTH,)
    return spec.but(eku=(*eku, ExtendedKeyUsageOID.CODE_SIGNING))


def marked_ca(spec: CertSpec, rng: random.Random) -> CertSpec:
    # A subscriber certificate from the CA template: cA=TRUE on a server certificate. For a
    # key of its own (a CA certificate's key in the subscriber's renewals would be another
    # finding, population_defects' subscriber_with_issuing_ca_key).
    key = ec_key("secp256r1", rng.getrandbits(62))
    return spec.but(ca=True, subject_key_id=True, key=key, key_usage=("digital_signature",))


def key_cert_sign(spec: CertSpec, rng: random.Random) -> CertSpec:
    # A CA key usage template applied to a subscriber certificate (for a key of its own, as
    # above).
    key = ec_key("secp256r1", rng.getrandbits(62))
    return spec.but(key=key, key_usage=("digital_signature", "key_cert_sign", "crl_sign"))


def no_authority_key_id(spec: CertSpec, rng: random.Random) -> CertSpec:
    return spec.but(authority_key_id=False)


def no_san(spec: CertSpec, rng: random.Random) -> CertSpec:
    # For a key of its own: without a SAN nothing ties the certificate to its subscriber's
    # other certificates, and the shared key would be a population finding too.
    key = ec_key("secp256r1", rng.getrandbits(62))
    return spec.but(dns_names=None, ip_addresses=(), key=key, key_usage=("digital_signature",))


def no_policies(spec: CertSpec, rng: random.Random) -> CertSpec:
    return spec.but(policies=None)


def country_uk(spec: CertSpec, rng: random.Random) -> CertSpec:
    # "UK" is not an ISO 3166-1 code (the United Kingdom is GB): a classic order-form slip.
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "UK") if a.oid == NameOID.COUNTRY_NAME else a
        for a in spec.subject
    ]
    return spec.but(subject=x509.Name(attrs))


def dv_with_organization(spec: CertSpec, rng: random.Random) -> CertSpec:
    # An OV subject under the DV policy: the DV subject may not name an organization.
    cn = spec.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Delaware"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "Wilmington"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Domain Holdings LLC"),
            *cn,
        ]
    )
    return spec.but(subject=subject)


# --- rows that disagree with their certificate -----------------------------------------------


def _serial_in_decimal(row: dict[str, Any], rng: random.Random) -> None:
    # An export job that wrote the serial in decimal into the hex column.
    row["serial"] = str(int(row["serial"], 16))


def _not_after_from_order(row: dict[str, Any], rng: random.Random) -> None:
    # The row kept the ordered expiry; the certificate was issued with a shorter one.
    row["not_after"] = row["not_after"] + timedelta(days=rng.choice((1, 30, 365)))


def _revoked_between(row: dict[str, Any], rng: random.Random) -> datetime:
    """A revocation time within the row's validity, and before the snapshot (its creation
    date is the latest row's issuance time at most)."""
    start, end = row["not_before"], min(row["not_after"], SNAPSHOT)
    return start + (end - start) * rng.uniform(0.05, 0.5)


def _on_hold(row: dict[str, Any], rng: random.Random) -> None:
    # An operator suspended the certificate, as the CA software allows for other hierarchies.
    row["status"], row["revoked_at"] = "revoked", _revoked_between(row, rng)
    row["revocation_reason"] = 6  # certificateHold


def _ca_compromise_reason(row: dict[str, Any], rng: random.Random) -> None:
    # The revocation form's first reason in the list picked for a subscriber certificate.
    row["status"], row["revoked_at"] = "revoked", _revoked_between(row, rng)
    row["revocation_reason"] = 2  # cACompromise: a CA certificate's reason


def _revoked_before_issued(row: dict[str, Any], rng: random.Random) -> None:
    # A revocation request matched to the reissued certificate, dated when the old one was.
    row["status"], row["revocation_reason"] = "revoked", rng.choice((None, 4))
    row["revoked_at"] = row["not_before"] - timedelta(days=rng.randrange(1, 60), hours=3)


# --- certificates cryptography will not write, and malformed rows ------------------------------


def _der(spec: CertSpec) -> bytes:
    return build(spec).public_bytes(serialization.Encoding.DER)


ECDSA_WITH_SHA1 = bytes.fromhex("300906072a8648ce3d0401")  # AlgorithmIdentifier, no parameters


def _resign(good: bytes, issuer: Issuer, sha1: bool = False, **fields: bytes) -> bytes:
    """The certificate `good` with TBS fields replaced by raw DER, signed again by its issuer.

    Built with asn1crypto because cryptography (rightly) will not write such certificates.
    """
    cert = asn1_x509.Certificate.load(good)
    tbs = cert["tbs_certificate"]
    if sha1:
        fields["signature"] = ECDSA_WITH_SHA1
    for key, raw in fields.items():
        tbs[key] = type(tbs[key]).load(raw)
    tbs_der = tbs.dump()
    if not isinstance(issuer.key, ec.EllipticCurvePrivateKey):
        raise TypeError("the sample CAs sign with EC keys")
    digest = hashes.SHA1() if sha1 else hashes.SHA256()
    signature = issuer.key.sign(tbs_der, ec.ECDSA(digest, deterministic_signing=True))
    algorithm = ECDSA_WITH_SHA1 if sha1 else cert["signature_algorithm"].dump()
    return tlv(0x30, tbs_der + algorithm + tlv(0x03, b"\x00" + signature))


def sha1_signature(spec: CertSpec, rng: random.Random) -> bytes:
    # A well-formed certificate, but cryptography no longer signs with SHA-1: re-sign it here.
    assert spec.issuer is not None
    return _resign(_der(spec), spec.issuer, sha1=True)


def garbage_bytes(spec: CertSpec, rng: random.Random) -> bytes:
    return rng.randbytes(rng.randrange(64, 1500))


def truncated_der(spec: CertSpec, rng: random.Random) -> bytes:
    good = _der(spec)
    return good[: len(good) * rng.randrange(40, 95) // 100]


def pem_instead_of_der(spec: CertSpec, rng: random.Random) -> bytes:
    return build(spec).public_bytes(serialization.Encoding.PEM)


def empty_blob(spec: CertSpec, rng: random.Random) -> bytes:
    return b""


def empty_rdn_in_subject(spec: CertSpec, rng: random.Random) -> bytes:
    # A template with an optional subject field left blank: SET {} at the end of the subject.
    assert spec.issuer is not None
    good = _der(spec)
    subject = asn1_x509.Certificate.load(good)["tbs_certificate"]["subject"].chosen.contents
    return _resign(good, spec.issuer, subject=tlv(0x30, subject + b"\x31\x00"))


def utc_time_without_seconds(spec: CertSpec, rng: random.Random) -> bytes:
    # UTCTime YYMMDDHHMMZ: legal in BER, not in the DER that RFC 5280 4.1.2.5.1 requires.
    assert spec.issuer is not None
    not_before, not_after = _to_the_minute(spec.not_before, timedelta(days=spec.days))
    times = b"".join(tlv(0x17, t.strftime("%y%m%d%H%MZ").encode()) for t in (not_before, not_after))
    return _resign(_der(spec), spec.issuer, validity=tlv(0x30, times))


def _to_the_minute(not_before: datetime, validity: timedelta) -> tuple[datetime, datetime]:
    """notBefore and notAfter that minute precision can hold, keeping the validity period."""
    start = not_before.replace(second=0, microsecond=0)
    return start, start + validity - timedelta(minutes=1)


def _times_to_the_minute(row: dict[str, Any], rng: random.Random) -> None:
    # The issuance system recorded what it wrote into the certificate.
    validity = row["not_after"] - row["not_before"] + timedelta(seconds=1)
    row["not_before"], row["not_after"] = _to_the_minute(row["not_before"], validity)


def not_stored(spec: CertSpec, rng: random.Random) -> None:
    return None


# --- the catalogue -----------------------------------------------------------------------------

DEFECTS: tuple[Defect, ...] = (
    # The subject.
    Defect(
        "organization_without_locality_or_state", "subject_organization_requires_locality_or_state",
        0.004, organization_without_locality_or_state,
        "OV subject with O and C but neither L nor ST (the incident of Bugzilla 1544722)",
        validation=frozenset({"ov"}),
    ),
    Defect(
        "common_name_not_in_san", "subject_common_name_in_san", 0.002, common_name_not_in_san,
        "subject CN is a name the SAN extension does not list", dates.BR_1_0,
        dates.BR_CN_COPIED_FROM_SAN,
    ),
    Defect(
        "common_name_case_differs", "subject_common_name_copied_from_san", 0.001,
        common_name_case_differs, "subject CN is a SAN name in other letter case (SC48: a copy)",
        dates.BR_CN_COPIED_FROM_SAN,
    ),
    Defect(
        "organizational_unit", "subject_organizational_unit_prohibited", 0.002, organizational_unit,
        "subject OU after 2022-09-01", dates.BR_OU_PROHIBITED, validation=ORGANIZATION_TYPES,
    ),
    Defect(
        "country_code_uk", "subject_country_is_iso_3166", 0.001, country_uk,
        'subject C="UK" instead of GB', validation=ORGANIZATION_TYPES,
    ),
    Defect(
        "dv_with_organization", "dv_policy_subject_country_and_common_name_only", 0.001,
        dv_with_organization, "DV certificate whose subject names an organization", dates.BR_2_0,
        validation=frozenset({"dv"}),
    ),
    # Names in the SAN.
    Defect(
        "underscore_in_dns_name", "san_dns_name_no_underscore", 0.002, underscore_in_dns_name,
        "dNSName with an underscore after the SC12 sunset", dates.BR_UNDERSCORE_PROHIBITED,
    ),
    Defect(
        "internal_name", "san_dns_name_not_internal", 0.0015, internal_name,
        "SAN includes an internal name (no public suffix)", dates.BR_INTERNAL_NAMES_PROHIBITED,
    ),
    Defect(
        "reserved_ip_address", "san_ip_address_not_reserved", 0.001, reserved_ip,
        "SAN includes a private or reserved IP address", dates.BR_INTERNAL_NAMES_PROHIBITED,
    ),
    Defect(
        "misplaced_wildcard", "dns_name_wildcard_leftmost_label", 0.0015, misplaced_wildcard,
        "wildcard that is not the whole leftmost label", validation=frozenset({"dv", "ov"}),
    ),
    Defect(
        "no_subject_alt_name", "san_extension_present", 0.0005, no_san,
        "no subjectAltName extension: the name is in the CN only",
    ),
    # Validity: the BR 6.3.2 ladder of the day.
    Defect(
        "validity_over_39_months", "subscriber_validity_at_most_39_months", 0.001,
        validity(1461, 1826), "four- or five-year certificate issued after 2015-04-01",
        dates.BR_39_MONTHS, dates.BR_825_DAYS_ISSUED_AFTER,
    ),
    Defect(
        "validity_over_825_days", "subscriber_validity_at_most_825_days", 0.0015,
        validity(1095, 1096), "three-year certificate issued after the 825-day limit",
        dates.BR_825_DAYS_ISSUED_AFTER, dates.BR_398_DAYS,
    ),
    Defect(
        "validity_over_398_days", "subscriber_validity_at_most_398_days", 0.002,
        validity(399, 730, 825), "validity over 398 days issued after 2020-09-01",
        dates.BR_398_DAYS, dates.BR_200_DAYS,
    ),
    Defect(
        "validity_398_days", "subscriber_validity_at_most_397_days_recommended", 0.001,
        validity(398), "398 days: allowed, but over the 397 days the BRs recommend",
        dates.BR_398_DAYS, dates.BR_200_DAYS,
    ),
    Defect(
        "validity_over_200_days", "subscriber_validity_at_most_200_days", 0.0015,
        validity(201, 365, 397, 398), "validity over 200 days issued after 2026-03-15",
        dates.BR_200_DAYS,
    ),
    Defect(
        "validity_200_days", "subscriber_validity_below_200_days_recommended", 0.001,
        validity(200), "200 days: allowed, but over the 199 days the BRs recommend",
        dates.BR_200_DAYS,
    ),
    # Signature, keys, serial.
    Defect(
        "sha1_signature", "signature_sha1_prohibited", 0.0008, sha1_signature,
        "signed with ecdsa-with-SHA1 after SHA-1 was retired", dates.BR_SHA1_PROHIBITED,
    ),
    Defect(
        "rsa_1024_bit_key", "rsa_modulus_at_least_2048_bits", 0.0008, rsa_1024,
        "1024-bit RSA subscriber key",
    ),
    Defect(
        "rsa_exponent_3", "rsa_public_exponent_in_recommended_range", 0.0005, rsa_exponent_3,
        "RSA public exponent 3 (BR 6.1.6: SHOULD be at least 2^16+1)",
    ),
    Defect(
        "rsa_close_primes", "rsa_modulus_not_fermat_factorable", 0.0001, rsa_close_primes,
        "RSA key whose primes are so close that Fermat's method factors it (BR 6.1.1.3)",
    ),
    Defect(
        "ec_curve_secp256k1", "ec_curve_allowed", 0.0005, ec_curve_secp256k1,
        "EC key on secp256k1, not a curve the BRs allow",
    ),
    Defect(
        "ec_key_encipherment", "ec_key_usage_no_encipherment", 0.001, ec_key_encipherment,
        "EC key with keyEncipherment in key usage", dates.RFC_8813,
    ),
    Defect(
        "sequential_serial", "serial_number_at_least_64_bits", 0.0015, sequential_serial,
        "29-bit serial number from a database sequence", dates.BR_SERIAL_64_BITS,
    ),
    # Extensions.
    Defect(
        "no_ocsp_url", "subscriber_aia_ocsp_url", 0.0008, no_ocsp_url,
        "AIA without an OCSP URL while OCSP was required",
        issued_before=dates.BR_OCSP_OPTIONAL,
    ),
    Defect(
        "no_revocation_information", "subscriber_crl_distribution_points_without_ocsp", 0.0008,
        no_revocation_information, "neither an OCSP URL nor a CRL distribution point",
        dates.BR_OCSP_OPTIONAL,
    ),
    Defect(
        "no_extended_key_usage", "subscriber_eku_present", 0.0008, no_eku,
        "no extendedKeyUsage extension",
    ),
    Defect(
        "code_signing_eku", "subscriber_eku_prohibited_purposes", 0.0005, code_signing_eku,
        "id-kp-codeSigning in a TLS server certificate", dates.BR_2_0,
    ),
    Defect(
        "subscriber_marked_ca", "subscriber_basic_constraints_not_ca", 0.0003, marked_ca,
        "basicConstraints cA=TRUE on a subscriber certificate",
    ),
    Defect(
        "subscriber_key_cert_sign", "subscriber_key_usage_no_cert_sign_or_crl_sign", 0.0005,
        key_cert_sign, "keyCertSign in a subscriber certificate's key usage",
    ),
    Defect(
        "no_authority_key_identifier", "authority_key_identifier_present", 0.0008,
        no_authority_key_id, "no authorityKeyIdentifier extension",
    ),
    Defect(
        "no_certificate_policies", "subscriber_certificate_policies_present", 0.0008, no_policies,
        "no certificatePolicies extension",
    ),
    # The row disagrees with its certificate.
    Defect(
        "row_serial_in_decimal", "database_serial_matches_certificate", 0.0005, unchanged,
        "the row records the serial number in decimal", row=_serial_in_decimal,
    ),
    Defect(
        "row_not_after_differs", "database_validity_matches_certificate", 0.0005, unchanged,
        "the row's notAfter is not the certificate's", row=_not_after_from_order,
    ),
    # The row's revocation: a reason the profile forbids, a time before issuance.
    Defect(
        "revoked_on_hold", "database_revocation_reason_not_certificate_hold", 0.0001, unchanged,
        "a TLS certificate suspended: revoked with certificateHold (6)", dates.BR_2_0,
        row=_on_hold,
    ),
    Defect(
        "revoked_for_ca_compromise", "database_subscriber_revocation_reason_permitted", 0.0001,
        unchanged, "a subscriber certificate revoked with cACompromise (2), after SC-061",
        dates.BR_2_0, row=_ca_compromise_reason,
    ),
    Defect(
        "revoked_before_issued", "database_not_revoked_before_issued", 0.0001, unchanged,
        "the row's revocation time is before the certificate's notBefore",
        row=_revoked_before_issued,
    ),
    # Malformed rows: the row's columns are plausible, its certificate bytes are not.
    Defect(
        "garbage_bytes", "certificate_decodes_strictly", 0.0001, garbage_bytes,
        "random bytes where the certificate should be", malformed=True,
    ),
    Defect(
        "truncated_der", "certificate_decodes_strictly", 0.0001, truncated_der,
        "DER cut short", malformed=True,
    ),
    Defect(
        "pem_instead_of_der", "certificate_decodes_strictly", 0.0001, pem_instead_of_der,
        "PEM text stored in the DER column", malformed=True,
    ),
    Defect(
        "empty_blob", "database_row_has_certificate", 0.0001, empty_blob,
        "a zero-length certificate column: the row stores no certificate", malformed=True,
    ),
    Defect(
        "empty_rdn_in_subject", "certificate_decodes_strictly", 0.0001, empty_rdn_in_subject,
        "subject ends with an empty RDN set (signed; cryptography refuses the subject)",
        malformed=True,
    ),
    Defect(
        "utc_time_without_seconds", "certificate_decodes_strictly", 0.0001,
        utc_time_without_seconds, "validity times in UTCTime without seconds", malformed=True,
        row=_times_to_the_minute,
    ),
    Defect(
        "certificate_not_stored", "database_row_has_certificate", 0.0001, not_stored,
        "the row's certificate column is NULL", malformed=True,
    ),
)  # fmt: skip

DEFECTS = (*DEFECTS, *FAMILY_DEFECTS)
BY_NAME: dict[str, Defect] = {d.name: d for d in DEFECTS}
