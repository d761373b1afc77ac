"""EV Guidelines 9.2 (EVG 2.0: 7.1.4.2): the subject of an EV certificate.

Section numbers are the EVG 1.x ones that most EV certificates in a database were issued under;
EVG 2.0 moved the same text to 7.1.4.2.x. The requirements to include organizationName,
businessCategory, the jurisdiction, serialNumber and the address (countryName) are in every
version since EVG 1.0, so those lints run from 2007-06-12.
"""

from __future__ import annotations

import re

from audit.engine import oids, profiles
from audit.engine.certview import CabfOrganizationIdentifier, CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates

_NAMES = oids.SHORT_NAMES


def _required(cert: CertView, oid: str, what: str) -> Outcome:
    if cert.subject.has(oid):
        return PASS
    return fail(f"EV certificate subject has no {_NAMES.get(oid, oid)} ({what})")


@lint(
    name="ev_subject_organization_name_required",
    description="The subject of an EV certificate includes organizationName: the Subject's "
    "legal name.",
    citation="EVG 9.2.1; EVG 2.0 7.1.4.2.1",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_1_0,
    zlint=("e_ev_organization_name_missing",),
)
def ev_subject_organization_name_required(cert: CertView) -> Outcome:
    return _required(cert, oids.ORGANIZATION, "the Subject's legal name")


@lint(
    name="ev_subject_business_category_required",
    description="The subject of an EV certificate includes businessCategory.",
    citation="EVG 9.2.3 (9.2.4 before EVG 1.5); EVG 2.0 7.1.4.2.3",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_1_0,
    zlint=("e_ev_business_category_missing",),
)
def ev_subject_business_category_required(cert: CertView) -> Outcome:
    return _required(cert, oids.BUSINESS_CATEGORY, "the kind of entity validated")


# EVG 9.2.3: one of these strings, for the entity types of EVG 8.5.2 to 8.5.5. EVG 1.0 used
# clause numbers instead ("V1.0, Clause 5.(b)" for a private organization, (c) government, (d)
# business entity); they are accepted for certificates issued before EVG 1.4.
BUSINESS_CATEGORIES = frozenset(
    {"Private Organization", "Government Entity", "Business Entity", "Non-Commercial Entity"}
)
EVG_1_0_BUSINESS_CATEGORIES = frozenset(f"V1.0, Clause 5.({c})" for c in "bcd")


@lint(
    name="ev_subject_business_category_valid",
    description="Each subject:businessCategory is one of 'Private Organization', 'Government "
    "Entity', 'Business Entity' or 'Non-Commercial Entity'. EVG 1.0's clause references "
    "('V1.0, Clause 5.(b)' to '(d)') are accepted for certificates issued before EVG 1.4 "
    "(2012-05-29).",
    citation="EVG 9.2.3; EVG 2.0 7.1.4.2.3",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_1_0,
    when=lambda cert: cert.subject.has(oids.BUSINESS_CATEGORY),
    zlint=("e_ev_invalid_business_category",),
)
def ev_subject_business_category_valid(cert: CertView) -> Outcome:
    allowed = BUSINESS_CATEGORIES
    if cert.judged_at < dates.EV_1_4:
        allowed = BUSINESS_CATEGORIES | EVG_1_0_BUSINESS_CATEGORIES
    bad = [v for v in cert.subject.values(oids.BUSINESS_CATEGORY) if v not in allowed]
    if bad:
        return fail(
            f"subject:businessCategory {', '.join(repr(v[:100]) for v in bad)} is not one "
            "of the EVG's entity types"
        )
    return PASS


@lint(
    name="ev_subject_jurisdiction_country_required",
    description="The subject of an EV certificate includes jurisdictionCountryName: every "
    "Jurisdiction of Incorporation or Registration names at least its country.",
    citation="EVG 9.2.4; EVG 2.0 7.1.4.2.4",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_1_0,
)
def ev_subject_jurisdiction_country_required(cert: CertView) -> Outcome:
    return _required(cert, oids.JURISDICTION_COUNTRY, "the country of incorporation")


@lint(
    name="ev_subject_serial_number_required",
    description="The subject of an EV certificate includes serialNumber: the Registration "
    "Number (or date of incorporation, or a government entity's statement).",
    citation="EVG 9.2.5; EVG 2.0 7.1.4.2.5",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_1_0,
    zlint=("e_ev_serial_number_missing",),
)
def ev_subject_serial_number_required(cert: CertView) -> Outcome:
    return _required(cert, oids.SERIAL_NUMBER, "the Registration Number")


@lint(
    name="ev_subject_country_required",
    description="The subject of an EV certificate includes countryName: the country of the "
    "Subject's Place of Business.",
    citation="EVG 9.2.6 (with BR 7.1.4.2.2(g)); EVG 2.0 7.1.4.2.6",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_1_0,
    zlint=("e_ev_country_name_missing",),
)
def ev_subject_country_required(cert: CertView) -> Outcome:
    return _required(cert, oids.COUNTRY, "the country of the Place of Business")


# EVG 9.2.1 to 9.2.8: the only attributes an EV subject may hold (9.2.9, Ballot SC16).
EV_SUBJECT_ATTRIBUTES = frozenset({
    oids.ORGANIZATION, oids.COMMON_NAME, oids.BUSINESS_CATEGORY, oids.JURISDICTION_LOCALITY,
    oids.JURISDICTION_STATE, oids.JURISDICTION_COUNTRY, oids.SERIAL_NUMBER, oids.STREET,
    oids.LOCALITY, oids.STATE, oids.COUNTRY, oids.POSTAL_CODE, oids.ORGANIZATIONAL_UNIT,
    oids.ORGANIZATION_IDENTIFIER,
})  # fmt: skip


@lint(
    name="ev_subject_only_specified_attributes",
    description="The subject of an EV certificate holds only the attributes EVG 9.2 "
    "specifies: organizationName, commonName, businessCategory, the jurisdiction attributes, "
    "serialNumber, the address attributes, organizationalUnitName (itself prohibited from "
    "2022-09-01 by subject_organizational_unit_prohibited) and organizationIdentifier.",
    citation="EVG 9.2.9 (Ballot SC16); EVG 2.0 7.1.4.2.9",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_OTHER_SUBJECT_ATTRIBUTES,
    zlint=("e_ev_extra_subject_attribs",),
)
def ev_subject_only_specified_attributes(cert: CertView) -> Outcome:
    extra = {a.oid for a in cert.subject.attributes} - EV_SUBJECT_ATTRIBUTES
    if extra:
        shown = ", ".join(sorted(_NAMES.get(o, o) for o in extra))
        return fail(f"EV certificate subject has attributes the EVG does not specify: {shown}")
    return PASS


# -- organizationIdentifier (EVG 9.2.8) and the cabfOrganizationIdentifier extension (9.8.2) --

# Appendix H's Registration Schemes.
REGISTRATION_SCHEMES = frozenset({"NTR", "VAT", "PSD"})

# EVG 9.2.8: scheme (3) + country (2) + "+" state (2, NTR only) + "-" + Registration Reference.
# The leftmost hyphen separates; the reference may hold more hyphens.
_ORGANIZATION_IDENTIFIER = re.compile(
    r"(?P<scheme>[A-Z]{3})(?P<country>[A-Z]{2})(?:\+(?P<state>[A-Z0-9]{1,3}))?-(?P<reference>.+)",
    re.DOTALL,
)


def _has_organization_identifier(cert: CertView) -> bool:
    return cert.subject.has(oids.ORGANIZATION_IDENTIFIER)


def _parse_organization_identifier(value: str) -> CabfOrganizationIdentifier | None:
    match = _ORGANIZATION_IDENTIFIER.fullmatch(value)
    if match is None:
        return None
    return CabfOrganizationIdentifier(
        match["scheme"], match["country"], match["state"], match["reference"]
    )


@lint(
    name="ev_organization_identifier_scheme_registered",
    description="The Registration Scheme of each subject:organizationIdentifier (its first "
    "three characters) is one Appendix H lists: NTR, VAT or PSD. Required since EVG 1.7.0 "
    "(Ballot SC17, 2019-06-21), which introduced organizationIdentifier and Appendix H; "
    "zlint dates this lint from 2020-01-31, the date the extension became mandatory.",
    citation="EVG 9.2.8, Appendix H; EVG 2.0 7.1.4.2.8",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_ORGANIZATION_IDENTIFIER,
    when=_has_organization_identifier,
    zlint=("e_ev_invalid_orgid_reg_scheme",),
)
def ev_organization_identifier_scheme_registered(cert: CertView) -> Outcome:
    values = cert.subject.values(oids.ORGANIZATION_IDENTIFIER)
    bad = [v for v in values if v[:3] not in REGISTRATION_SCHEMES]
    if bad:
        return fail(
            f"subject:organizationIdentifier {', '.join(repr(v[:100]) for v in bad)} "
            "does not start with a Registration Scheme of Appendix H (NTR, VAT, PSD)"
        )
    return PASS


@lint(
    name="ev_organization_identifier_extension_required",
    description="An EV certificate whose subject has organizationIdentifier carries the "
    "cabfOrganizationIdentifier extension (2.23.140.3.1), required from 2020-01-31.",
    citation="EVG 9.8.2",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_CABF_ORGANIZATION_IDENTIFIER_REQUIRED,
    when=_has_organization_identifier,
    zlint=("e_ev_organization_id_missing",),
)
def ev_organization_identifier_extension_required(cert: CertView) -> Outcome:
    if cert.has_extension(oids.CABF_ORGANIZATION_IDENTIFIER):
        return PASS
    return fail(
        "subject has organizationIdentifier "
        f"{cert.subject.first(oids.ORGANIZATION_IDENTIFIER)!r} but the certificate has no "
        "cabfOrganizationIdentifier extension"
    )


def _describe(o: CabfOrganizationIdentifier) -> str:
    state = f"+{o.state}" if o.state else ""
    return f"{o.scheme}{o.country}{state}-{o.reference}"


def _same(subject: CabfOrganizationIdentifier, ext: CabfOrganizationIdentifier) -> bool:
    where = (subject.scheme, subject.country, subject.state or None)
    if where != (ext.scheme, ext.country, ext.state or None):
        return False
    if subject.reference == ext.reference:
        return True
    # A PSD Registration Reference is "NCA identifier-authorization number" (EVG 9.2.8's
    # example PSDBE-NBB-1234.567.890); the extension may carry the number alone.
    nca, _, number = subject.reference.partition("-")
    return subject.scheme == "PSD" and bool(nca) and number == ext.reference


@lint(
    name="ev_organization_identifier_extension_consistent",
    description="When an EV certificate has both subject:organizationIdentifier and the "
    "cabfOrganizationIdentifier extension, they name the same Registration Scheme, country, "
    "state or province and Registration Reference (for PSD, the extension may carry the "
    "authorization number without the NCA identifier). An organizationIdentifier that is not "
    "in EVG 9.2.8's format cannot match. From 2020-01-31, when the extension became the "
    "mandatory machine-readable copy of the attribute.",
    citation="EVG 9.2.8, 9.8.2",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_CABF_ORGANIZATION_IDENTIFIER_REQUIRED,
    when=lambda cert: (
        _has_organization_identifier(cert) and cert.has_extension(oids.CABF_ORGANIZATION_IDENTIFIER)
    ),
    zlint=("e_ev_orgid_inconsistent_subj_and_ext",),
)
def ev_organization_identifier_extension_consistent(cert: CertView) -> Outcome:
    try:
        ext = cert.cabf_organization_identifier
    except ValueError as exc:
        return fail(f"the cabfOrganizationIdentifier extension does not decode: {exc}")
    if ext is None:  # `when` saw the extension; this only satisfies the type checker
        return PASS
    for value in cert.subject.values(oids.ORGANIZATION_IDENTIFIER):
        parsed = _parse_organization_identifier(value)
        if parsed is None:
            return fail(
                f"subject:organizationIdentifier {value[:100]!r} is not in the EVG 9.2.8 "
                "format, so it cannot match the cabfOrganizationIdentifier extension"
            )
        if not _same(parsed, ext):
            return fail(
                f"subject:organizationIdentifier {value[:100]!r} does not match the "
                f"cabfOrganizationIdentifier extension ({_describe(ext)[:100]!r})"
            )
    return PASS


@lint(
    name="cabf_organization_identifier_state_only_for_ntr",
    description="The cabfOrganizationIdentifier extension has no registrationStateOrProvince "
    "when its Registration Scheme is VAT or PSD: EVG 9.2.8 allows a state or province only "
    "for the NTR scheme. Checked wherever the extension appears.",
    citation="EVG 9.2.8, 9.8.2 (EVG 1.7.0, Ballot SC17)",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.EV_ORGANIZATION_IDENTIFIER,
    needs=(oids.CABF_ORGANIZATION_IDENTIFIER,),
    zlint=("e_cabf_org_identifier_psd_vat_has_state",),
)
def cabf_organization_identifier_state_only_for_ntr(cert: CertView) -> Outcome:
    try:
        ext = cert.cabf_organization_identifier
    except ValueError as exc:
        return fail(f"the cabfOrganizationIdentifier extension does not decode: {exc}")
    if ext is not None and ext.scheme in ("VAT", "PSD") and ext.state is not None:
        return fail(
            f"cabfOrganizationIdentifier for the {ext.scheme} scheme has "
            f"registrationStateOrProvince {ext.state[:100]!r}"
        )
    return PASS
