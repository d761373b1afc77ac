"""EV Guidelines 9.2.8 (EVG 2.0: 7.1.4.2.8): the syntax of subject:organizationIdentifier.

The value names a Registration Scheme, where it operates and the Registration Reference, in
this order: a 3 character scheme identifier; a 2 character ISO 3166 country code; for the NTR
scheme, where the registration is at that level, "+" and a 2 character ISO 3166-2 subdivision;
a hyphen-minus; the reference (which may hold more hyphens: the leftmost one separates).
Which schemes (Appendix H: NTR, VAT, PSD), the cabfOrganizationIdentifier extension and its
agreement with the attribute are the lints beside the rest of the subject in `subject.py`.
"""

from __future__ import annotations

import re

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br.subject import ISO_3166_ALPHA_2

# Loose enough to find the parts of a value that gets one of them wrong; `_FORMAT` is the rule.
_PARTS = re.compile(
    r"(?P<scheme>[^-+]{0,3}?)(?P<country>[^-+]{2})(?:\+(?P<state>[^-]*))?-(?P<reference>.*)",
    re.DOTALL,
)
_FORMAT = re.compile(r"[A-Z]{3}[A-Z]{2}(?:\+[A-Z0-9]{1,3})?-.+", re.DOTALL)

# ISO 3166-1 alpha-2, officially assigned (the user-assigned XX of the BRs' countryName is no
# country a Registration Scheme operates in). VAT references also use the prefixes the EU VAT
# system gives Greece (EL) and Northern Ireland (XI), as pkilint accepts; a scheme operated
# globally is "XG" (EVG 9.2.8), which none of Appendix H's national schemes is.
ISO_3166_1 = ISO_3166_ALPHA_2 - {"XX"}
_COUNTRIES_BY_SCHEME = {"NTR": ISO_3166_1, "PSD": ISO_3166_1, "VAT": ISO_3166_1 | {"EL", "XI"}}
_OTHER_SCHEMES_COUNTRIES = ISO_3166_1 | {"XG"}


def _values(cert: CertView) -> list[str]:
    return cert.subject.values(oids.ORGANIZATION_IDENTIFIER)


def _has_organization_identifier(cert: CertView) -> bool:
    return cert.subject.has(oids.ORGANIZATION_IDENTIFIER)


def _shown(values: list[str]) -> str:
    return ", ".join(repr(v[:100]) for v in values)


@lint(
    name="ev_organization_identifier_format",
    description="Each subject:organizationIdentifier of an EV certificate is in the structure "
    "EVG 9.2.8 gives: a 3 letter Registration Scheme identifier, a 2 letter country code, "
    "optionally '+' and a subdivision code, a hyphen-minus, and a non-empty Registration "
    "Reference (e.g. NTRGB-12345678, NTRUS+CA-12345678, VATDE-123456789). zlint has no "
    "equivalent.",
    citation="EVG 9.2.8 (EVG 1.7.0, Ballot SC17); EVG 2.0 7.1.4.2.8",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_ORGANIZATION_IDENTIFIER,
    when=_has_organization_identifier,
)
def ev_organization_identifier_format(cert: CertView) -> Outcome:
    bad = [v for v in _values(cert) if not _FORMAT.fullmatch(v)]
    if bad:
        return fail(
            f"subject:organizationIdentifier {_shown(bad)} is not scheme (3 letters), country "
            "(2 letters), optional '+' subdivision, '-' and a Registration Reference"
        )
    return PASS


@lint(
    name="ev_organization_identifier_country_is_iso_3166",
    description="The country code of each subject:organizationIdentifier (the 2 characters "
    "after the Registration Scheme) is an officially assigned ISO 3166-1 alpha-2 code: for the "
    "VAT scheme also one of the EU VAT prefixes EL (Greece) and XI (Northern Ireland), for a "
    "scheme outside Appendix H also XG (operated globally). zlint has no equivalent.",
    citation="EVG 9.2.8, Appendix H; EVG 2.0 7.1.4.2.8",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_ORGANIZATION_IDENTIFIER,
    when=_has_organization_identifier,
)
def ev_organization_identifier_country_is_iso_3166(cert: CertView) -> Outcome:
    problems = []
    for value in _values(cert):
        parts = _PARTS.fullmatch(value)
        if parts is None:
            continue  # no country to find: ev_organization_identifier_format reports it
        scheme, country = parts["scheme"], parts["country"]
        if country not in _COUNTRIES_BY_SCHEME.get(scheme, _OTHER_SCHEMES_COUNTRIES):
            problems.append(f"{value[:100]!r} has country {country!r}")
    if problems:
        return fail(
            "subject:organizationIdentifier not in an ISO 3166-1 country: " + "; ".join(problems)
        )
    return PASS


@lint(
    name="ev_organization_identifier_state_only_for_ntr",
    description="A subject:organizationIdentifier names a state or province ('+' and a 2 "
    "character ISO 3166-2 subdivision code, e.g. NTRUS+CA-12345678) only for the NTR "
    "Registration Scheme: never for VAT or PSD. The cabfOrganizationIdentifier extension's "
    "registrationStateOrProvince is cabf_organization_identifier_state_only_for_ntr's. zlint "
    "has no equivalent.",
    citation="EVG 9.2.8; EVG 2.0 7.1.4.2.8",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_ORGANIZATION_IDENTIFIER,
    when=lambda cert: any("+" in v for v in _values(cert)),
)
def ev_organization_identifier_state_only_for_ntr(cert: CertView) -> Outcome:
    problems = []
    for value in _values(cert):
        parts = _PARTS.fullmatch(value)
        if parts is None or parts["state"] is None:
            continue
        state = parts["state"]
        if parts["scheme"] != "NTR":
            problems.append(f"{value[:100]!r} names state {state[:10]!r} for {parts['scheme']!r}")
        elif len(state) != 2 or not state.isalnum() or not state.isascii():
            problems.append(f"{value[:100]!r} has state {state[:10]!r}, not 2 characters")
    if problems:
        return fail("subject:organizationIdentifier " + "; ".join(problems))
    return PASS
