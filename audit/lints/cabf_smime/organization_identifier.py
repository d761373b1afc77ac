"""S/MIME BR 7.1.4.2.2(d) and Appendix A.1: subject:organizationIdentifier.

A value names its Registration Scheme (NTR, VAT, PSD or LEI of Appendix A.1; GOV and INT of
Note 2), the country the scheme operates in (ISO 3166-1; "XG" for the global LEI and INT; for
VAT the EU prefix, such as EL for Greece, may stand in), optionally "+" and an ISO 3166-2
subdivision, then a hyphen-minus and the Registration Reference (which may hold more hyphens).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pycountry

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates

_SYNTAX = re.compile(r"(?P<scheme>[A-Z]{3})(?P<country>[A-Z]{2})(?:\+(?P<sub>[A-Z0-9]{1,3}))?"
                     r"(?:-(?P<reference>.+))?", re.DOTALL)  # fmt: skip
ISO_3166_1 = frozenset(c.alpha_2 for c in pycountry.countries)
GLOBAL = "XG"  # Appendix A.1 (LEI), 7.1.4.2.2(d) Note 2 (INT): a scheme operated globally
# Article 215 of EU Council Directive 2006/112/EC: VAT prefixes that are not the ISO code.
VAT_PREFIXES = {"EL": "GR", "XI": "GB"}
SCHEMES = frozenset({"NTR", "VAT", "PSD", "LEI", "GOV", "INT"})
_NO_REFERENCE_NEEDED = frozenset({"GOV", "INT"})  # Note 2: the scheme and country say it all

ORGANIZATIONS = profiles.SMIME_ORGANIZATION | profiles.SMIME_SPONSOR


@dataclass(frozen=True, slots=True)
class OrganizationIdentifier:
    scheme: str
    country: str
    subdivision: str | None
    reference: str | None


def parse(value: str) -> OrganizationIdentifier | None:
    m = _SYNTAX.fullmatch(value)
    if m is None:
        return None
    return OrganizationIdentifier(m["scheme"], m["country"], m["sub"], m["reference"])


def _values(cert: CertView) -> list[str]:
    return cert.subject.values(oids.ORGANIZATION_IDENTIFIER)


def _has_organization_identifier(cert: CertView) -> bool:
    return cert.subject.has(oids.ORGANIZATION_IDENTIFIER)


def _format_problem(value: str) -> str | None:
    found = parse(value)
    if found is None:
        return "is not SCHEME (3 letters), COUNTRY (2 letters), optional +SUBDIVISION, -REFERENCE"
    scheme, country = found.scheme, found.country
    if scheme not in SCHEMES:
        return f"names Registration Scheme {scheme!r}, not NTR, VAT, PSD, LEI, GOV or INT"
    if scheme in ("LEI", "INT"):
        if country != GLOBAL:
            return f"a {scheme} identifier takes the country code XG, not {country!r}"
    elif country not in ISO_3166_1 and not (scheme == "VAT" and country in VAT_PREFIXES):
        return f"country code {country!r} is not ISO 3166-1"
    if found.subdivision is not None and scheme not in ("NTR", "GOV"):
        return f"a {scheme} identifier has no state or province level"
    if found.reference is None and scheme not in _NO_REFERENCE_NEEDED:
        return "has no Registration Reference"
    return None


@lint(
    name="smime_organization_identifier_format",
    description="Each subject:organizationIdentifier is a Registration Scheme of Appendix A.1 "
    "(NTR, VAT, PSD, LEI) or Note 2 (GOV, INT), an ISO 3166-1 country code (XG for LEI and "
    "INT; a VAT prefix such as EL may stand for its country), an optional '+' and ISO 3166-2 "
    "subdivision (NTR, GOV), a hyphen-minus and the Registration Reference (none needed for "
    "GOV and INT).",
    citation="S/MIME BR 7.1.4.2.2(d); S/MIME BR Appendix A.1",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=profiles.SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    when=_has_organization_identifier,
)
def organization_identifier_format(cert: CertView) -> Outcome:
    problems = [f"{v[:100]!r} {why}" for v in _values(cert) if (why := _format_problem(v))]
    if problems:
        return fail("subject:organizationIdentifier " + "; ".join(problems[:3]))
    return PASS


def _national(cert: CertView) -> list[tuple[str, str]]:
    """(value, ISO country) of each organizationIdentifier naming a national scheme."""
    out = []
    for value in _values(cert):
        found = parse(value)
        if found is not None and found.country != GLOBAL:
            country = found.country
            if found.scheme == "VAT":
                country = VAT_PREFIXES.get(country, country)
            out.append((value, country))
    return out


@lint(
    name="smime_organization_identifier_country_matches",
    description="The country code of an organizationIdentifier's Registration Scheme (other "
    "than the global LEI and INT) is the subject:countryName, when that is present (a VAT "
    "prefix standing for its ISO code).",
    citation="S/MIME BR 7.1.4.2.2(d) Note 1",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=ORGANIZATIONS,
    effective=dates.SMIME_BR_1_0_0,
    when=lambda cert: cert.subject.has(oids.COUNTRY) and bool(_national(cert)),
    zlint=("e_registration_scheme_id_matches_subject_country",),
)
def organization_identifier_country_matches(cert: CertView) -> Outcome:
    countries = set(cert.subject.values(oids.COUNTRY))
    bad = [value for value, country in _national(cert) if country not in countries]
    if bad:
        return fail(f"organizationIdentifier {', '.join(repr(v[:100]) for v in bad)} names a "
                    f"country other than subject:countryName {sorted(countries)}")  # fmt: skip
    return PASS


def lei_problem(reference: str) -> str | None:
    """ISO 17442-1: 18 alphanumerics and 2 check digits, valid by ISO 7064 MOD 97-10."""
    if len(reference) != 20 or not reference.isascii() or not reference.isalnum():
        return "is not 20 letters and digits"
    if reference.upper() != reference or not reference[18:].isdigit():
        return "is not upper case with two check digits"
    if int("".join(str(int(ch, 36)) for ch in reference)) % 97 != 1:
        return "fails the ISO 17442 check digits"
    return None


@lint(
    name="smime_organization_identifier_lei_reference",
    description="The Registration Reference of an LEI organizationIdentifier is a Legal Entity "
    "Identifier as ISO 17442 specifies it: 20 characters, the last two check digits.",
    citation="S/MIME BR Appendix A.1 (LEI); ISO 17442-1:2020 clause 6",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=ORGANIZATIONS,
    effective=dates.SMIME_BR_1_0_0,
    when=lambda cert: any(v.startswith("LEI") for v in _values(cert)),
)
def organization_identifier_lei_reference(cert: CertView) -> Outcome:
    for value in _values(cert):
        found = parse(value)
        if found is None or found.scheme != "LEI" or found.reference is None:
            continue  # the format lint reports it
        if why := lei_problem(found.reference):
            return fail(f"LEI Registration Reference {found.reference[:40]!r} {why}")
    return PASS


_EUID = re.compile(r"(?P<country>[A-Z]{2})[A-Za-z0-9]+\.[^.]+")


@lint(
    name="smime_organization_identifier_german_ntr_euid",
    description="An NTR organizationIdentifier for a Legal Entity registered in Germany SHOULD "
    "hold its EUID as the Registration Reference: 'DE', the business register's identifier, "
    "'.', and the register's own reference (NTRDE-DER3306.HRB12345).",
    citation="S/MIME BR 7.1.4.2.2(d) Note 3; S/MIME BR 1.0.9 (Ballot SMC011)",
    source=Source.CABF_SMIME,
    severity=Status.WARN,
    applies=ORGANIZATIONS,
    effective=dates.SMIME_NTR_EUID,
    when=lambda cert: any(v.startswith("NTRDE") for v in _values(cert)),
)
def organization_identifier_german_ntr_euid(cert: CertView) -> Outcome:
    for value in _values(cert):
        found = parse(value)
        if found is None or (found.scheme, found.country) != ("NTR", "DE"):
            continue
        m = _EUID.fullmatch(found.reference or "")
        if found.subdivision is not None or m is None or m["country"] != "DE":
            return fail(f"NTRDE Registration Reference {value[:100]!r} is not an EUID")
    return PASS
