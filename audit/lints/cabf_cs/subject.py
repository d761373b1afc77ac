"""CS BR 7.1.4.2 (1.x: 9.2): the subject of Code Signing Certificates, EV and non-EV.

7.1.4.2.2 holds for both, 7.1.4.2.3 for non-EV certificates only, 7.1.4.2.4 for EV ones (the EV
Code Signing Guidelines' subject, which refers to EVG 9.2, merged into the CS BR by Ballot
CSC-2). The EV rules are dated from that merger; EV Code Signing Certificates issued before it
were judged by the separate EV Code Signing Guidelines, which this catalogue does not hold.
Timestamp Certificates have no subject requirements.
"""

from __future__ import annotations

from audit.engine import oids
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br.subject import ISO_3166_ALPHA_2
from audit.lints.cabf_cs._shared import CODE_SIGNING, EV_CODE_SIGNING, NON_EV_CODE_SIGNING
from audit.lints.cabf_ev.subject import BUSINESS_CATEGORIES

_NAMES = oids.SHORT_NAMES


def _required(cert: CertView, oid: str, what: str) -> Outcome:
    if cert.subject.has(oid):
        return PASS
    return fail(f"subject has no {_NAMES.get(oid, oid)} ({what})")


def _iso_country(cert: CertView, oid: str, name: str, *, xx: bool, missing: str = "") -> Outcome:
    """`oid` is present and each value an ISO 3166-1 alpha-2 code; XX (no country) only if
    `xx` allows it."""
    values = cert.subject.values(oid)
    if not values:
        return fail(f"subject has no {name}{missing}")
    bad = [v[:100] for v in values if v not in ISO_3166_ALPHA_2 or (v == "XX" and not xx)]
    if bad:
        return fail(f"subject:{name} {bad!r} is not an ISO 3166-1 code")
    return PASS


# -- EV and non-EV (7.1.4.2.2) ------------------------------------------------------------------


@lint(
    name="cs_subject_common_name_required",
    description="The subject of a Code Signing Certificate includes commonName: the Subject's "
    "legal name.",
    citation="CS BR 7.1.4.2.2(a); CS BR 1.2 9.2.2",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=CODE_SIGNING,
    effective=dates.CS_BR_1_2,
)
def subject_common_name_required(cert: CertView) -> Outcome:
    return _required(cert, oids.COMMON_NAME, "the Subject's legal name")


@lint(
    name="cs_subject_domain_component_prohibited",
    description="The subject of a Code Signing Certificate has no domainComponent.",
    citation="CS BR 7.1.4.2.2(c); CS BR 1.2 9.2.3",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=CODE_SIGNING,
    effective=dates.CS_BR_1_2,
    zlint=("e_cs_subject_prohibited",),
)
def subject_domain_component_prohibited(cert: CertView) -> Outcome:
    values = cert.subject.values(oids.DOMAIN_COMPONENT)
    if values:
        return fail(f"subject has domainComponent {[v[:100] for v in values]!r}")
    return PASS


@lint(
    name="cs_subject_values_not_metadata",
    description="No subject attribute of a Code Signing Certificate holds only metadata such "
    "as '.', '-' or ' ' (no letter or digit at all).",
    citation="CS BR 7.1.4.2.2(d); CS BR 1.2 9.2.8 (BR 7.1.4.2.2)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=CODE_SIGNING,
    effective=dates.CS_BR_1_2,
)
def subject_values_not_metadata(cert: CertView) -> Outcome:
    bad = [
        f"{_NAMES.get(a.oid, a.oid)} {a.value[:50]!r}"
        for a in cert.subject.attributes
        if not any(c.isalnum() for c in a.value)
    ]
    if bad:
        return fail(f"subject {', '.join(bad[:10])} holds no letter or digit")
    return PASS


@lint(
    name="cs_subject_organization_required",
    description="The subject of a Code Signing Certificate, EV or not, includes "
    "organizationName (a natural person's name or DBA may stand there).",
    citation="CS BR 7.1.4.2.3(a), 7.1.4.2.4(a); CS BR 1.2 9.2.4(a)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=CODE_SIGNING,
    effective=dates.CS_BR_1_2,
    zlint=("e_cs_requires_org",),
)
def subject_organization_required(cert: CertView) -> Outcome:
    return _required(cert, oids.ORGANIZATION, "the Subject's name or DBA")


# -- non-EV (7.1.4.2.3) -------------------------------------------------------------------------


@lint(
    name="cs_subject_locality_or_state_required",
    description="The subject of a non-EV Code Signing Certificate includes localityName or "
    "stateOrProvinceName (at least one).",
    citation="CS BR 7.1.4.2.3(c)-(d); CS BR 1.2 9.2.4(c)-(d)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=NON_EV_CODE_SIGNING,
    effective=dates.CS_BR_1_2,
    zlint=("e_cs_subject_locality_or_province_required",),
)
def subject_locality_or_state_required(cert: CertView) -> Outcome:
    subject = cert.subject
    if subject.has(oids.LOCALITY) or subject.has(oids.STATE):
        return PASS
    return fail("subject has neither localityName nor stateOrProvinceName")


@lint(
    name="cs_subject_country_iso_3166",
    description="The subject of a non-EV Code Signing Certificate includes countryName, an "
    "ISO 3166-1 alpha-2 code (or XX where the country has none).",
    citation="CS BR 7.1.4.2.3(f); CS BR 1.2 9.2.4(f)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=NON_EV_CODE_SIGNING,
    effective=dates.CS_BR_1_2,
    zlint=("e_cs_subject_country_name",),
)
def subject_country_iso_3166(cert: CertView) -> Outcome:
    return _iso_country(cert, oids.COUNTRY, "countryName", xx=True)


# -- EV (7.1.4.2.4) -----------------------------------------------------------------------------


@lint(
    name="ev_cs_subject_business_category",
    description="The subject of an EV Code Signing Certificate includes businessCategory, one "
    "of 'Private Organization', 'Government Entity', 'Business Entity' or 'Non-Commercial "
    "Entity'.",
    citation="CS BR 7.1.4.2.4(b) (EVG 9.2.3)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=EV_CODE_SIGNING,
    effective=dates.CS_BR_2_0,
)
def ev_cs_subject_business_category(cert: CertView) -> Outcome:
    values = cert.subject.values(oids.BUSINESS_CATEGORY)
    if not values:
        return fail("subject has no businessCategory")
    bad = [v[:100] for v in values if v not in BUSINESS_CATEGORIES]
    if bad:
        return fail(f"subject:businessCategory {bad!r} is not one of the EVG's entity types")
    return PASS


@lint(
    name="ev_cs_subject_jurisdiction_country",
    description="The subject of an EV Code Signing Certificate includes "
    "jurisdictionCountryName, an ISO 3166-1 alpha-2 code: the country of the Jurisdiction of "
    "Incorporation or Registration.",
    citation="CS BR 7.1.4.2.4(c) (EVG 9.2.4)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=EV_CODE_SIGNING,
    effective=dates.CS_BR_2_0,
)
def ev_cs_subject_jurisdiction_country(cert: CertView) -> Outcome:
    return _iso_country(cert, oids.JURISDICTION_COUNTRY, "jurisdictionCountryName", xx=False)


@lint(
    name="ev_cs_subject_serial_number",
    description="The subject of an EV Code Signing Certificate includes serialNumber: the "
    "Registration Number (or the date of incorporation or a government entity's statement).",
    citation="CS BR 7.1.4.2.4(d) (EVG 9.2.5)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=EV_CODE_SIGNING,
    effective=dates.CS_BR_2_0,
)
def ev_cs_subject_serial_number(cert: CertView) -> Outcome:
    return _required(cert, oids.SERIAL_NUMBER, "the Registration Number")


@lint(
    name="ev_cs_subject_country",
    description="The subject of an EV Code Signing Certificate includes countryName, the ISO "
    "3166-1 code of the Place of Business.",
    citation="CS BR 7.1.4.2.4(e) (EVG 9.2.6)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=EV_CODE_SIGNING,
    effective=dates.CS_BR_2_0,
)
def ev_cs_subject_country(cert: CertView) -> Outcome:
    return _iso_country(
        cert,
        oids.COUNTRY,
        "countryName",
        xx=False,
        missing=" (the country of the Place of Business)",
    )
