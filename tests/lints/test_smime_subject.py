"""Golden cases for the subject of S/MIME certificates: S/MIME BR 7.1.4.2.2 to 7.1.4.2.6, the
organizationIdentifier (7.1.4.2.2(d), Appendix A.1), and 7.1, 7.1.1."""

from datetime import UTC, datetime

import pytest
from cryptography.x509.oid import NameOID

from audit.engine import oids
from audit.sample_db.certbuilder import name
from tests.lints.golden import Case, check_case
from tests.lints.smime_specs import (
    MAILBOX,
    ORG,
    ORG_ID,
    SUBJECTS,
    attribute,
    smime,
    with_subject_der,
)

C, O, OU, CN = (  # noqa: E741 - X.520 short names
    NameOID.COUNTRY_NAME,
    NameOID.ORGANIZATION_NAME,
    NameOID.ORGANIZATIONAL_UNIT_NAME,
    NameOID.COMMON_NAME,
)
GN, SN, PSEUDONYM, TITLE = NameOID.GIVEN_NAME, NameOID.SURNAME, NameOID.PSEUDONYM, NameOID.TITLE
L, ST, STREET, POSTAL = (
    NameOID.LOCALITY_NAME,
    NameOID.STATE_OR_PROVINCE_NAME,
    NameOID.STREET_ADDRESS,
    NameOID.POSTAL_CODE,
)
EMAIL, SERIAL = NameOID.EMAIL_ADDRESS, NameOID.SERIAL_NUMBER
ORG_IDENTIFIER, BUSINESS = oids.ORGANIZATION_IDENTIFIER, NameOID.BUSINESS_CATEGORY


def subject(validation: str, *more: tuple, drop: tuple = ()) -> object:
    return name(*(p for p in SUBJECTS[validation] if p[0] not in drop), *more)


def org(generation: str = "strict", *more: tuple, drop: tuple = (), org_id: str = ORG_ID):  # type: ignore[no-untyped-def]
    pairs = [
        (ORG_IDENTIFIER, org_id) if p[0] == ORG_IDENTIFIER else p for p in SUBJECTS["organization"]
    ]
    return smime(
        "organization", generation, subject=name(*(p for p in pairs if p[0] not in drop), *more)
    )


MAILBOX_STRICT = smime()
SPONSOR = smime("sponsor", "multipurpose")
INDIVIDUAL = smime("individual", "strict")
PSEUDONYMOUS = smime(
    "individual", "strict", subject=name((C, "DE"), (PSEUDONYM, "Wanderer"), (CN, "Wanderer"))
)
BEFORE_SMC011 = datetime(2025, 1, 1, tzinfo=UTC)
AFTER_SMC011 = datetime(2025, 6, 1, tzinfo=UTC)

CASES = [
    # -- Tables 7.1.4.2.3 - 7.1.4.2.6 ---------------------------------------------------------------
    Case("smime_mailbox_subject_attributes", MAILBOX_STRICT, "pass"),
    Case("smime_mailbox_subject_attributes", smime(subject=subject("mailbox", (EMAIL, MAILBOX), (SERIAL, "A1"))),
         "pass", "emailAddress and serialNumber"),
    Case("smime_mailbox_subject_attributes", smime(subject=subject("mailbox", (C, "DE"))), "error", "countryName"),
    Case("smime_mailbox_subject_attributes", smime(subject=subject("mailbox", (O, ORG))), "error", "organizationName"),
    Case("smime_organization_subject_attributes", org(), "pass"),
    Case("smime_organization_subject_attributes", org("strict", (GN, "Alice")), "error", "givenName"),
    Case("smime_organization_subject_attributes", org("strict", (STREET, "Main St 1"), (L, "Berlin")), "error",
         "streetAddress in strict"),
    Case("smime_organization_subject_attributes", org("multipurpose", (STREET, "Main St 1"), (L, "Berlin")),
         "pass", "streetAddress in multipurpose"),
    Case("smime_organization_subject_attributes", org("multipurpose", (BUSINESS, "Private Organization")),
         "error", "other attribute in multipurpose"),
    Case("smime_organization_subject_attributes", org("legacy", (BUSINESS, "Private Organization")),
         "pass", "other attribute in legacy"),
    Case("smime_sponsor_subject_attributes", SPONSOR, "pass"),
    Case("smime_sponsor_subject_attributes", smime("sponsor", "strict", subject=subject("sponsor", (POSTAL, "10115"))),
         "error", "postalCode in strict"),
    Case("smime_individual_subject_attributes", INDIVIDUAL, "pass"),
    Case("smime_individual_subject_attributes",
         smime("individual", "strict", subject=subject("individual", (O, ORG))), "error", "organizationName"),
    Case("smime_individual_subject_attributes",
         smime("individual", "legacy", subject=subject("individual", ("0.9.2342.19200300.100.1.1", "alice"))),
         "pass", "uid in legacy"),
    Case("smime_organization_name_and_identifier_present", org(), "pass"),
    Case("smime_organization_name_and_identifier_present", org("strict", drop=(ORG_IDENTIFIER,)), "error",
         "no organizationIdentifier"),
    Case("smime_organization_name_and_identifier_present",
         smime("sponsor", "strict", subject=subject("sponsor", drop=(O,))), "error", "sponsor without O"),
    Case("smime_personal_name_or_pseudonym_present", SPONSOR, "pass"),
    Case("smime_personal_name_or_pseudonym_present",
         smime("individual", "multipurpose", subject=subject("individual", drop=(GN, SN))), "error",
         "commonName only"),
    Case("smime_personal_name_or_pseudonym_present",
         smime("individual", "legacy", subject=subject("individual", drop=(GN, SN))), "na", "legacy may"),
    Case("smime_pseudonym_without_personal_name", PSEUDONYMOUS, "pass"),
    Case("smime_pseudonym_without_personal_name",
         smime("individual", "strict", subject=subject("individual", (PSEUDONYM, "Wanderer"))), "error",
         "pseudonym with givenName and surname"),
    # -- 7.1.4.2.2(a) commonName -------------------------------------------------------------------
    Case("smime_mailbox_common_name", MAILBOX_STRICT, "pass"),
    Case("smime_mailbox_common_name", smime(subject=name((CN, "Alice"))), "error", "a name"),
    Case("smime_mailbox_common_name", smime(subject=name((EMAIL, MAILBOX))), "pass", "no commonName"),
    Case("smime_organization_common_name", org(), "pass"),
    Case("smime_organization_common_name", org("strict", drop=(CN,)) , "na", "no commonName"),
    Case("smime_organization_common_name", org("strict", (CN, MAILBOX), drop=(CN,)), "pass", "a mailbox"),
    Case("smime_organization_common_name", org("strict", (CN, "Sales Department"), drop=(CN,)), "error",
         "neither O nor a mailbox"),
    Case("smime_pseudonymous_common_name", PSEUDONYMOUS, "pass"),
    Case("smime_pseudonymous_common_name",
         smime("individual", "strict", subject=name((C, "DE"), (PSEUDONYM, "Wanderer"), (CN, "Alice Example"))),
         "error", "a Personal Name beside a pseudonym"),
    # -- 7.1.4.2.2(h) - (n), 7.1.4.2 ----------------------------------------------------------------
    Case("smime_subject_email_address_single_mailbox", smime(subject=subject("mailbox", (EMAIL, MAILBOX))), "pass"),
    Case("smime_subject_email_address_single_mailbox",
         smime(subject=subject("mailbox", (EMAIL, f"{MAILBOX} bob@example.com"))), "error", "two in one"),
    Case("smime_subject_country_iso_3166", INDIVIDUAL, "pass"),
    Case("smime_subject_country_iso_3166",
         smime("individual", "strict", subject=name((C, "XX"), (GN, "Alice"), (SN, "Example"))), "pass", "XX"),
    Case("smime_subject_country_iso_3166",
         smime("individual", "strict", subject=name((C, "ZZ"), (GN, "Alice"), (SN, "Example"))), "error", "ZZ"),
    Case("smime_subject_street_requires_locality_or_state",
         smime("individual", "multipurpose", subject=subject("individual", (STREET, "Main St 1"), (L, "Berlin"))),
         "pass"),
    Case("smime_subject_street_requires_locality_or_state",
         smime("individual", "multipurpose", subject=subject("individual", (STREET, "Main St 1"))), "error"),
    Case("smime_subject_place_requires_country",
         smime("individual", "strict", subject=subject("individual", (L, "Berlin"))), "pass"),
    Case("smime_subject_place_requires_country",
         smime("individual", "strict", subject=subject("individual", (ST, "Berlin"), drop=(C,))), "error"),
    Case("smime_subject_values_not_placeholders", INDIVIDUAL, "pass"),
    Case("smime_subject_values_not_placeholders",
         smime("individual", "strict", subject=subject("individual", (L, "-"))), "error", "'-'"),
    # -- 7.1.4.2.2(d), Appendix A.1 -----------------------------------------------------------------
    Case("smime_organization_identifier_format", org(), "pass"),
    Case("smime_organization_identifier_format", org(org_id="GOVDE+BE"), "pass", "GOV without reference"),
    Case("smime_organization_identifier_format", org(org_id="LEIXG-5493001KJTIIGC8Y1R12"), "pass", "LEI"),
    Case("smime_organization_identifier_format", org(org_id="ABCDE-1234"), "error", "unknown scheme"),
    Case("smime_organization_identifier_format", org(org_id="LEIDE-5493001KJTIIGC8Y1R12"), "error",
         "LEI not XG"),
    Case("smime_organization_identifier_format", org(org_id="NTRDE"), "error", "no reference"),
    Case("smime_organization_identifier_country_matches", org(), "pass"),
    Case("smime_organization_identifier_country_matches", org(org_id="NTRFR-12345678"), "error", "FR vs DE"),
    Case("smime_organization_identifier_country_matches",
         smime("organization", "strict", subject=name((C, "GR"), (O, ORG), (ORG_IDENTIFIER, "VATEL-123456789"))),
         "pass", "VAT prefix EL for GR"),
    Case("smime_organization_identifier_country_matches", org(org_id="LEIXG-5493001KJTIIGC8Y1R12"), "na",
         "global scheme"),
    Case("smime_organization_identifier_lei_reference", org(org_id="LEIXG-5493001KJTIIGC8Y1R12"), "pass"),
    Case("smime_organization_identifier_lei_reference", org(org_id="LEIXG-5493001KJTIIGC8Y1R13"), "error",
         "check digits"),
    Case("smime_organization_identifier_german_ntr_euid", org().but(not_before=AFTER_SMC011), "pass"),
    Case("smime_organization_identifier_german_ntr_euid", org(org_id="NTRDE-HRB12345").but(not_before=AFTER_SMC011),
         "warn", "not an EUID"),
    Case("smime_organization_identifier_german_ntr_euid", org(org_id="NTRDE-HRB12345").but(not_before=BEFORE_SMC011),
         "ne", "before Ballot SMC011"),
    # -- encodings: 7.1.4.2.2(d), 7.1, 7.1.1 --------------------------------------------------------
    Case("smime_organization_identifier_string_type", org(), "pass"),
    Case("smime_organization_identifier_string_type",
         with_subject_der(org(), attribute(oids.COUNTRY, "DE", 0x13), attribute(oids.ORGANIZATION, ORG),
                          attribute(ORG_IDENTIFIER, ORG_ID, 0x16)),
         "error", "IA5String"),
    Case("smime_serial_number_at_least_64_bits", MAILBOX_STRICT, "pass"),
    Case("smime_serial_number_at_least_64_bits", MAILBOX_STRICT.but(serial=0x1234), "warn", "16 bits"),
    Case("smime_certificate_version_3", MAILBOX_STRICT, "pass"),
]  # fmt: skip


def _version_1() -> bytes:
    """The strict mailbox certificate written as X.509 v1: no [0] version field (the DEFAULT),
    its extensions kept (which v1 cannot have; rfc5280.extensions_only_in_v3 says so)."""
    from asn1crypto import x509 as asn1_x509

    from audit.sample_db.certbuilder import der

    cert = asn1_x509.Certificate.load(der(MAILBOX_STRICT))
    tbs = cert["tbs_certificate"]
    tbs["version"] = "v1"
    return cert.dump(force=True)


CASES.append(Case("smime_certificate_version_3", _version_1(), "error", "v1"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)
