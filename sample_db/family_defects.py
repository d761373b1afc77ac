"""Defects of the sample's S/MIME, code-signing and time-stamping certificates.

Each is what an issuance bug in that family looks like (a profile template with one thing wrong),
declared like the TLS ones (defect.py). The lints are the S/MIME BR (audit/lints/cabf_smime), CS
BR (audit/lints/cabf_cs) and RFC 3161 (rfc5280/time_stamping) ones.
"""

from __future__ import annotations

import random

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from audit.sample_db import rsa_keys
from audit.sample_db.certbuilder import CertSpec, ec_key
from audit.sample_db.defect import Defect
from audit.sample_db.families import (
    CODE_SIGNING,
    CS_460_DAYS,
    CS_RSA_3072_FROM,
    EV_CODE_SIGNING,
    OWN_SMIME_POLICY,
    SMIME_ARC,
    SMIME_BR_FROM,
    SMIME_LEGACY_UNTIL,
    SMIME_TYPES,
    TIME_STAMPING,
    smime_generation,
)

SMIME = frozenset(SMIME_TYPES)  # the S/MIME BR types (smime-mv, smime-ov, smime-sv, smime-iv)
MAILBOX = frozenset({"smime-mv"})
ORGANIZATION = frozenset({"smime-ov"})
CODE_SIGNERS = frozenset({CODE_SIGNING, EV_CODE_SIGNING})
_EMAIL = ExtendedKeyUsageOID.EMAIL_PROTECTION
_CLIENT = ExtendedKeyUsageOID.CLIENT_AUTH


def _with_generation(spec: CertSpec, generation: int) -> CertSpec:
    """The same S/MIME certificate under the reserved policy of another generation."""
    policies = tuple(
        p.rsplit(".", 1)[0] + f".{generation}" if p.startswith(SMIME_ARC + ".") else p
        for p in spec.policies or ()
    )
    return spec.but(policies=policies)


# --- S/MIME ------------------------------------------------------------------------------------


def smime_strict_with_client_auth(spec: CertSpec, rng: random.Random) -> CertSpec:
    # The multipurpose template's EKU kept when the product was moved to the strict generation.
    return _with_generation(spec, 3).but(eku=(_EMAIL, _CLIENT), days=min(spec.days, 730))


def smime_mailbox_with_organization(spec: CertSpec, rng: random.Random) -> CertSpec:
    # The account's organisation copied into a mailbox-validated subject.
    organization = x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Domain Holdings LLC")
    return spec.but(subject=x509.Name([organization, *spec.subject]))


def smime_validity_three_years(spec: CertSpec, rng: random.Random) -> CertSpec:
    # The legacy generation's three years, in a multipurpose certificate.
    if smime_generation(spec.policies) == "legacy":
        spec = _with_generation(spec, 2)
    return spec.but(days=1095)


def smime_own_policy_only(spec: CertSpec, rng: random.Random) -> CertSpec:
    # The CA's own policy identifier kept, the reserved one left out.
    return spec.but(policies=(OWN_SMIME_POLICY,))


def smime_legacy_after_sunset(spec: CertSpec, rng: random.Random) -> CertSpec:
    return _with_generation(spec, 1).but(eku=(_EMAIL, _CLIENT))


def smime_organization_without_identifier(spec: CertSpec, rng: random.Random) -> CertSpec:
    subject = [a for a in spec.subject if a.oid != NameOID.ORGANIZATION_IDENTIFIER]
    return spec.but(subject=x509.Name(subject))


def smime_ec_key_encipherment(spec: CertSpec, rng: random.Random) -> CertSpec:
    # The RSA template's key usage applied to an EC key: keyEncipherment is RSA key transport.
    key = ec_key("secp256r1", rng.getrandbits(62))
    return spec.but(key=key, key_usage=("digital_signature", "key_encipherment"))


# --- code signing and time stamping -------------------------------------------------------------


def code_signing_rsa_2048(spec: CertSpec, rng: random.Random) -> CertSpec:
    # A customer's old 2048-bit token accepted after the move to 3072 bits.
    key = rsa_keys.own_key(2048, f"defect-key:{rng.getrandbits(64):016x}")
    return spec.but(key=key)


def code_signing_four_years(spec: CertSpec, rng: random.Random) -> CertSpec:
    return spec.but(days=1461)


def code_signing_with_server_auth(spec: CertSpec, rng: random.Random) -> CertSpec:
    return spec.but(eku=(ExtendedKeyUsageOID.CODE_SIGNING, ExtendedKeyUsageOID.SERVER_AUTH))


def code_signing_key_usage_not_critical(spec: CertSpec, rng: random.Random) -> CertSpec:
    return spec.but(key_usage_critical=False)


def code_signing_no_policies(spec: CertSpec, rng: random.Random) -> CertSpec:
    return spec.but(policies=None)


def ev_code_signing_without_serial_number(spec: CertSpec, rng: random.Random) -> CertSpec:
    return spec.but(subject=x509.Name([a for a in spec.subject if a.oid != NameOID.SERIAL_NUMBER]))


def time_stamping_eku_not_critical(spec: CertSpec, rng: random.Random) -> CertSpec:
    return spec.but(eku_critical=False)


def time_stamping_with_code_signing(spec: CertSpec, rng: random.Random) -> CertSpec:
    return spec.but(eku=(ExtendedKeyUsageOID.TIME_STAMPING, ExtendedKeyUsageOID.CODE_SIGNING))


FAMILY_DEFECTS: tuple[Defect, ...] = (
    # S/MIME BR.
    Defect(
        "smime_strict_extra_eku", "smime_strict_eku_email_protection_only", 0.0003,
        smime_strict_with_client_auth, "strict-generation S/MIME certificate with clientAuth too",
        SMIME_BR_FROM, validation=SMIME,
    ),
    Defect(
        "smime_mailbox_with_organization", "smime_mailbox_subject_attributes", 0.0002,
        smime_mailbox_with_organization, "mailbox-validated S/MIME certificate naming an "
        "organization", SMIME_BR_FROM, validation=MAILBOX,
    ),
    Defect(
        "smime_validity_over_825_days", "smime_validity_at_most_825_days", 0.0002,
        smime_validity_three_years, "multipurpose or strict S/MIME certificate valid 1095 days",
        SMIME_BR_FROM, validation=SMIME,
    ),
    Defect(
        "smime_without_reserved_policy", "smime_exactly_one_reserved_policy", 0.0001,
        smime_own_policy_only, "S/MIME certificate under the CA's own policy only, no reserved "
        "2.23.140.1.5 one", SMIME_BR_FROM, validation=SMIME,
    ),
    Defect(
        "smime_legacy_after_sunset", "smime_legacy_generation_not_issued", 0.0001,
        smime_legacy_after_sunset, "legacy-generation S/MIME certificate issued after SMC08's "
        "2025-07-15", SMIME_LEGACY_UNTIL, validation=SMIME,
    ),
    Defect(
        "smime_organization_without_identifier", "smime_organization_name_and_identifier_present",
        0.0001, smime_organization_without_identifier, "organization-validated S/MIME "
        "certificate without subject:organizationIdentifier", SMIME_BR_FROM,
        validation=ORGANIZATION,
    ),
    Defect(
        "smime_ec_key_encipherment", "smime_ec_key_usage", 0.0001, smime_ec_key_encipherment,
        "S/MIME certificate for an EC key with keyEncipherment", SMIME_BR_FROM,
        validation=SMIME,
    ),
    # Code Signing BR.
    Defect(
        "code_signing_rsa_2048", "cs_rsa_key_at_least_3072_bits", 0.0002, code_signing_rsa_2048,
        "code-signing certificate for a 2048-bit RSA key after 2021-06-01", CS_RSA_3072_FROM,
        validation=CODE_SIGNERS,
    ),
    Defect(
        "code_signing_validity_over_39_months", "cs_validity_at_most_39_months", 0.0001,
        code_signing_four_years, "four-year code-signing certificate", None, CS_460_DAYS,
        validation=CODE_SIGNERS,
    ),
    Defect(
        "code_signing_server_auth_eku", "cs_eku_any_and_server_auth_prohibited", 0.0001,
        code_signing_with_server_auth, "code-signing certificate with id-kp-serverAuth too",
        validation=CODE_SIGNERS,
    ),
    Defect(
        "code_signing_key_usage_not_critical", "cs_key_usage_present_critical", 0.0001,
        code_signing_key_usage_not_critical, "code-signing certificate whose keyUsage is not "
        "critical", validation=CODE_SIGNERS,
    ),
    Defect(
        "code_signing_without_policies", "cs_certificate_policies_present", 0.0001,
        code_signing_no_policies, "code-signing certificate without certificatePolicies",
        validation=CODE_SIGNERS,
    ),
    Defect(
        "ev_code_signing_without_serial_number", "ev_cs_subject_serial_number", 0.0001,
        ev_code_signing_without_serial_number, "EV code-signing certificate without the "
        "subject's registration number", validation=frozenset({EV_CODE_SIGNING}),
    ),
    # Time stamping.
    Defect(
        "time_stamping_eku_not_critical", "time_stamping_eku_critical", 0.00005,
        time_stamping_eku_not_critical, "time-stamping certificate whose extKeyUsage is not "
        "critical", validation=frozenset({TIME_STAMPING}),
    ),
    Defect(
        "time_stamping_extra_eku", "time_stamping_eku_only", 0.00005,
        time_stamping_with_code_signing, "time-stamping certificate with codeSigning besides "
        "timeStamping", validation=frozenset({TIME_STAMPING}),
    ),
)  # fmt: skip
