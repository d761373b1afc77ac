"""S/MIME BR 7.1.4.2.2 to 7.1.4.2.6: the subject of subscriber certificates.

Tables 7.1.4.2.3 to 7.1.4.2.6 say, per validation type and generation, which attributes SHALL,
MAY and SHALL NOT be present ("Other": any attribute the table does not list); 7.1.4.2.2 says
what each attribute holds. Each table is one lint, the attributes it requires another.
"""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br.subject import ISO_3166_ALPHA_2
from audit.lints.cabf_br.subject_encoding import _placeholder_problem
from audit.lints.cabf_smime._shared import (
    NOT_LEGACY,
    SMIME_BR,
    describe,
    generation,
    looks_like_mailbox,
)

CN, ORG, OU, ORG_ID = (
    oids.COMMON_NAME,
    oids.ORGANIZATION,
    oids.ORGANIZATIONAL_UNIT,
    oids.ORGANIZATION_IDENTIFIER,
)
GN, SN, PSEUDONYM, SERIAL = oids.GIVEN_NAME, oids.SURNAME, oids.PSEUDONYM, oids.SERIAL_NUMBER
EMAIL, TITLE, STREET = oids.EMAIL_ADDRESS, oids.TITLE, oids.STREET
L, ST, POSTAL, C = oids.LOCALITY, oids.STATE, oids.POSTAL_CODE, oids.COUNTRY

NAMES = {
    **oids.SHORT_NAMES, CN: "commonName", ORG: "organizationName", OU: "organizationalUnitName",
    GN: "givenName", SN: "surname", PSEUDONYM: "pseudonym", TITLE: "title", STREET: "streetAddress",
    L: "localityName", ST: "stateOrProvinceName", POSTAL: "postalCode", C: "countryName",
}  # fmt: skip

# The fifteen attributes the tables list; anything else is "Other".
LISTED = frozenset({CN, ORG, OU, ORG_ID, GN, SN, PSEUDONYM, SERIAL, EMAIL, TITLE, STREET, L, ST,
                    POSTAL, C})  # fmt: skip
_PERSONAL = frozenset({GN, SN, PSEUDONYM, TITLE})


def _named(found: set[str] | frozenset[str]) -> str:
    return ", ".join(sorted(NAMES.get(o, o) for o in found))


def _table_outcome(cert: CertView, prohibited: frozenset[str], other_allowed: bool) -> Outcome:
    present = cert.subject.attribute_types
    bad = set(present & prohibited)
    if not other_allowed:
        bad |= present - LISTED
    if bad:
        return fail(f"{describe(cert.profile)} subject has prohibited attributes: {_named(bad)}")
    return PASS


def _strict_only(cert: CertView) -> frozenset[str]:
    """streetAddress and postalCode: MAY in Legacy and Multipurpose, SHALL NOT in Strict."""
    return frozenset({STREET, POSTAL}) if generation(cert.profile) == "strict" else frozenset()


@lint(
    name="smime_mailbox_subject_attributes",
    description="The subject of a Mailbox-validated certificate has no attributes but "
    "commonName, serialNumber and emailAddress (all optional).",
    citation="S/MIME BR 7.1.4.2.3 (table)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=profiles.SMIME_MAILBOX,
    effective=dates.SMIME_BR_1_0_0,
    zlint=(
        "e_mailbox_validated_enforce_subject_field_restrictions",
        "e_mailbox_validated_allowed_subjectdn_attributes",
    ),
)
def mailbox_subject_attributes(cert: CertView) -> Outcome:
    bad = cert.subject.attribute_types - {CN, SERIAL, EMAIL}
    if bad:
        return fail(f"Mailbox-validated subject has prohibited attributes: {_named(bad)}")
    return PASS


@lint(
    name="smime_organization_subject_attributes",
    description="The subject of an Organization-validated certificate has no givenName, "
    "surname, pseudonym or title; no streetAddress or postalCode in the Strict Generation; and "
    "no attribute the table does not list except in the Legacy Generation.",
    citation="S/MIME BR 7.1.4.2.4 (table)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=profiles.SMIME_ORGANIZATION,
    effective=dates.SMIME_BR_1_0_0,
)
def organization_subject_attributes(cert: CertView) -> Outcome:
    legacy = generation(cert.profile) == "legacy"
    return _table_outcome(cert, _PERSONAL | _strict_only(cert), other_allowed=legacy)


@lint(
    name="smime_sponsor_subject_attributes",
    description="The subject of a Sponsor-validated certificate has no streetAddress or "
    "postalCode in the Strict Generation, and no attribute the table does not list except "
    "in the Legacy Generation.",
    citation="S/MIME BR 7.1.4.2.5 (table)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=profiles.SMIME_SPONSOR,
    effective=dates.SMIME_BR_1_0_0,
)
def sponsor_subject_attributes(cert: CertView) -> Outcome:
    legacy = generation(cert.profile) == "legacy"
    return _table_outcome(cert, _strict_only(cert), other_allowed=legacy)


@lint(
    name="smime_individual_subject_attributes",
    description="The subject of an Individual-validated certificate has no organizationName, "
    "organizationalUnitName or organizationIdentifier; no streetAddress or postalCode in the "
    "Strict Generation; and no attribute the table does not list except in the Legacy "
    "Generation.",
    citation="S/MIME BR 7.1.4.2.6 (table)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=profiles.SMIME_INDIVIDUAL,
    effective=dates.SMIME_BR_1_0_0,
)
def individual_subject_attributes(cert: CertView) -> Outcome:
    legacy = generation(cert.profile) == "legacy"
    prohibited = frozenset({ORG, OU, ORG_ID}) | _strict_only(cert)
    return _table_outcome(cert, prohibited, other_allowed=legacy)


@lint(
    name="smime_organization_name_and_identifier_present",
    description="The subject of an Organization-validated or Sponsor-validated certificate "
    "has organizationName and organizationIdentifier (SHALL in every generation).",
    citation="S/MIME BR 7.1.4.2.4, 7.1.4.2.5 (tables)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=profiles.SMIME_ORGANIZATION | profiles.SMIME_SPONSOR,
    effective=dates.SMIME_BR_1_0_0,
)
def organization_name_and_identifier_present(cert: CertView) -> Outcome:
    missing = {ORG, ORG_ID} - cert.subject.attribute_types
    if missing:
        return fail(f"{describe(cert.profile)} subject lacks {_named(missing)}")
    return PASS


@lint(
    name="smime_personal_name_or_pseudonym_present",
    description="The subject of a Multipurpose or Strict Sponsor-validated or "
    "Individual-validated certificate has givenName and/or surname, or pseudonym (Legacy may "
    "have only a commonName).",
    citation="S/MIME BR 7.1.4.2.5 Note 2, 7.1.4.2.6 Note 2",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=(profiles.SMIME_SPONSOR | profiles.SMIME_INDIVIDUAL) & NOT_LEGACY,
    effective=dates.SMIME_BR_1_0_0,
    zlint=("e_invalid_individual_identity",),
)
def personal_name_or_pseudonym_present(cert: CertView) -> Outcome:
    if cert.subject.attribute_types.isdisjoint({GN, SN, PSEUDONYM}):
        return fail(f"{describe(cert.profile)} subject has no givenName, surname or pseudonym")
    return PASS


@lint(
    name="smime_pseudonym_without_personal_name",
    description="subject:pseudonym and subject:givenName / subject:surname are not both present.",
    citation="S/MIME BR 7.1.4.2.2(e), (f)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=profiles.SMIME_SPONSOR | profiles.SMIME_INDIVIDUAL,
    effective=dates.SMIME_BR_1_0_0,
    when=lambda cert: cert.subject.has(PSEUDONYM),
)
def pseudonym_without_personal_name(cert: CertView) -> Outcome:
    both = cert.subject.attribute_types & {GN, SN}
    if both:
        return fail(f"subject has pseudonym and {_named(both)}")
    return PASS


# -- commonName: 7.1.4.2.2(a) -------------------------------------------------------------------


def _cn_outcome(cert: CertView, accepted: set[str], what: str) -> Outcome:
    """Each commonName is one of `accepted` or a Mailbox Address. That such an address is one
    of subjectAltName's is smime_mailbox_addresses_in_san's to say (7.1.4.2.1 asks it of every
    Mailbox Address in the subject)."""
    bad = [v for v in cert.subject.values(CN) if v not in accepted and not looks_like_mailbox(v)]
    if bad:
        shown = ", ".join(repr(v[:200]) for v in bad[:3])
        return fail(f"commonName {shown} is neither {what} nor a Mailbox Address")
    return PASS


@lint(
    name="smime_mailbox_common_name",
    description="The commonName of a Mailbox-validated certificate, if present, is a Mailbox "
    "Address.",
    citation="S/MIME BR 7.1.4.2.2(a)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=profiles.SMIME_MAILBOX,
    effective=dates.SMIME_BR_1_0_0,
    zlint=("e_commonname_mailbox_validated",),
)
def mailbox_common_name(cert: CertView) -> Outcome:
    bad = [v for v in cert.subject.values(CN) if not looks_like_mailbox(v)]
    if bad:
        return fail(f"commonName {', '.join(repr(v[:200]) for v in bad[:3])} is not a Mailbox "
                    "Address")  # fmt: skip
    return PASS


@lint(
    name="smime_organization_common_name",
    description="The commonName of an Organization-validated certificate, if present, is the "
    "subject:organizationName or a Mailbox Address.",
    citation="S/MIME BR 7.1.4.2.2(a)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=profiles.SMIME_ORGANIZATION,
    effective=dates.SMIME_BR_1_0_0,
    when=lambda cert: cert.subject.has(CN),
    zlint=("e_org_validated_invalid_cn",),
)
def organization_common_name(cert: CertView) -> Outcome:
    return _cn_outcome(cert, set(cert.subject.values(ORG)), "the organizationName")


@lint(
    name="smime_pseudonymous_common_name",
    description="When a Sponsor-validated or Individual-validated subject has a pseudonym, its "
    "commonName holds that pseudonym or a Mailbox Address: a Personal Name in commonName "
    "excludes subject:pseudonym.",
    citation="S/MIME BR 7.1.4.2.2(a)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=profiles.SMIME_SPONSOR | profiles.SMIME_INDIVIDUAL,
    effective=dates.SMIME_BR_1_0_0,
    when=lambda cert: cert.subject.has(CN) and cert.subject.has(PSEUDONYM),
)
def pseudonymous_common_name(cert: CertView) -> Outcome:
    return _cn_outcome(cert, set(cert.subject.values(PSEUDONYM)), "the pseudonym")


# -- other attributes: 7.1.4.2.2(h)-(n), 7.1.4.2 ------------------------------------------------


@lint(
    name="smime_subject_email_address_single_mailbox",
    description="Each subject:emailAddress holds a single Mailbox Address.",
    citation="S/MIME BR 7.1.4.2.2(h)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    when=lambda cert: cert.subject.has(EMAIL),
    zlint=("e_single_email_subject_if_present",),
)
def subject_email_address_single_mailbox(cert: CertView) -> Outcome:
    bad = [v for v in cert.subject.values(EMAIL) if not looks_like_mailbox(v)]
    if bad:
        shown = ", ".join(repr(v[:200]) for v in bad[:3])
        return fail(f"subject:emailAddress {shown} is not a single Mailbox Address")
    return PASS


@lint(
    name="smime_subject_country_iso_3166",
    description="subject:countryName is a two-letter ISO 3166-1 country code, or XX where a "
    "country has none.",
    citation="S/MIME BR 7.1.4.2.2(n)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR - profiles.SMIME_MAILBOX,  # whose table prohibits countryName
    effective=dates.SMIME_BR_1_0_0,
    when=lambda cert: cert.subject.has(C),
    zlint=("e_subject_country_name",),
)
def subject_country_iso_3166(cert: CertView) -> Outcome:
    bad = [v for v in cert.subject.values(C) if v not in ISO_3166_ALPHA_2]
    if bad:
        return fail(f"subject:countryName {', '.join(repr(v[:20]) for v in bad)} is not an "
                    "ISO 3166-1 alpha-2 code")  # fmt: skip
    return PASS


@lint(
    name="smime_subject_street_requires_locality_or_state",
    description="subject:streetAddress is present only with subject:localityName or "
    "subject:stateOrProvinceName.",
    citation="S/MIME BR 7.1.4.2.2(j)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    when=lambda cert: cert.subject.has(STREET),
)
def subject_street_requires_locality_or_state(cert: CertView) -> Outcome:
    if cert.subject.attribute_types.isdisjoint({L, ST}):
        return fail("subject has streetAddress without localityName or stateOrProvinceName")
    return PASS


@lint(
    name="smime_subject_place_requires_country",
    description="subject:localityName, subject:stateOrProvinceName and subject:postalCode are "
    "present only with subject:countryName. (S/MIME BR 1.0.0 tied postalCode to localityName "
    "or stateOrProvinceName, each of which needed countryName, so postalCode needed it then "
    "too.)",
    citation="S/MIME BR 7.1.4.2.2(k), (l), (m)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    when=lambda cert: not cert.subject.attribute_types.isdisjoint({L, ST, POSTAL}),
)
def subject_place_requires_country(cert: CertView) -> Outcome:
    present = cert.subject.attribute_types
    if C not in present:
        return fail(f"subject has {_named(present & {L, ST, POSTAL})} without countryName")
    return PASS


@lint(
    name="smime_subject_values_not_placeholders",
    description="No subject attribute holds only metadata such as '.', '-' or ' ', or another "
    "indication that the value is absent, incomplete or not applicable ('N/A', 'none', "
    "'unknown', OpenSSL's default answers).",
    citation="S/MIME BR 7.1.4.2",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
)
def subject_values_not_placeholders(cert: CertView) -> Outcome:
    problems = [why for a in cert.subject.attributes if (why := _placeholder_problem(a))]
    if problems:
        return fail("subject " + "; ".join(problems[:10]))
    return PASS
