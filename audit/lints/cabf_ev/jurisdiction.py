"""EV Guidelines 9.2.4 (EVG 2.0: 7.1.4.2.4): the Subject's Jurisdiction of Incorporation or
Registration, in jurisdictionCountryName, jurisdictionStateOrProvinceName and
jurisdictionLocalityName.

The country must be present (`ev_subject_jurisdiction_country_required` in `subject.py`); here:
what the country holds, and which levels go together. The text has been the same since EVG 1.0.
"""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br.subject import iso_3166_codes


@lint(
    name="ev_jurisdiction_country_is_iso_3166",
    description="Each subject:jurisdictionCountryName of an EV certificate is an ISO 3166-1 "
    "alpha-2 country code as ISO writes it (two capital letters, officially assigned; the "
    "user-assigned XX is accepted as the BRs accept it for countryName). zlint has no "
    "equivalent.",
    citation="EVG 9.2.4; EVG 2.0 7.1.4.2.4",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_1_0,
    when=lambda cert: cert.subject.has(oids.JURISDICTION_COUNTRY),
)
def ev_jurisdiction_country_is_iso_3166(cert: CertView) -> Outcome:
    return iso_3166_codes(cert, oids.JURISDICTION_COUNTRY, "jurisdictionCountryName")


@lint(
    name="ev_jurisdiction_locality_requires_state",
    description="An EV certificate whose subject has jurisdictionLocalityName also has "
    "jurisdictionStateOrProvinceName: a registration at the locality level names the country, "
    "the state or province and the locality (read, as pkilint reads it, as requiring the state "
    "or province wherever a locality is given). zlint has no equivalent.",
    citation="EVG 9.2.4; EVG 2.0 7.1.4.2.4",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_1_0,
    when=lambda cert: cert.subject.has(oids.JURISDICTION_LOCALITY),
)
def ev_jurisdiction_locality_requires_state(cert: CertView) -> Outcome:
    if not cert.subject.has(oids.JURISDICTION_STATE):
        locality = cert.subject.first(oids.JURISDICTION_LOCALITY) or ""
        return fail(
            f"subject:jurisdictionLocalityName {locality[:100]!r} without "
            "jurisdictionStateOrProvinceName"
        )
    return PASS
