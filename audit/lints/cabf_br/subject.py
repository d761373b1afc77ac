"""BR 7.1.4.2 / 7.1.2.7: the subject of subscriber certificates."""

from __future__ import annotations

import ipaddress
import string

import pycountry

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br._shared import has_common_name
from audit.lints.cabf_br.san import internal_name_problem, internal_names_outcome, is_reserved_ip
from audit.lints.dns_syntax import ip_address_or_none

_NAMES = oids.SHORT_NAMES


def _attribute_names(found: set[str]) -> str:
    return ", ".join(sorted(_NAMES.get(o, o) for o in found))


def _identity(cert: CertView) -> set[str]:
    """The subject attributes naming a validated subject: organizationName, and (for
    individuals, since Ballot 175 on 2016-09-07) givenName and surname."""
    found = {oids.ORGANIZATION} if cert.subject.has(oids.ORGANIZATION) else set()
    if cert.judged_at >= dates.BR_GIVEN_NAME_SURNAME:
        found |= {o for o in (oids.GIVEN_NAME, oids.SURNAME) if cert.subject.has(o)}
    return found


def _has_identity(cert: CertView) -> bool:
    return bool(_identity(cert))


@lint(
    name="subject_organization_requires_locality_or_state",
    description="If subject:organizationName (or, from 2016-09-07, givenName or surname) is "
    "present, subject:localityName or subject:stateOrProvinceName is present. Required since "
    "BR 1.0 (2012-07-01); zlint dates its lints from 2016-09-07, which misses older "
    "certificates such as those of Bugzilla 1544722.",
    citation="BR 7.1.4.2.2(d)-(e); BR 1.0 9.2.4(d)-(e)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    zlint=("e_sub_cert_locality_name_must_appear", "e_sub_cert_province_must_appear"),
)
def organization_requires_locality_or_state(cert: CertView) -> Outcome:
    s = cert.subject
    identity = _identity(cert)
    if identity and not (s.has(oids.LOCALITY) or s.has(oids.STATE)):
        return fail(
            f"subject has {_attribute_names(identity)} but neither localityName nor "
            "stateOrProvinceName"
        )
    return PASS


@lint(
    name="subject_organizational_unit_prohibited",
    description="subject:organizationalUnitName is not present.",
    citation="BR 7.1.4.2.2(i); Ballot SC47",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_OU_PROHIBITED,
    zlint=("e_organizational_unit_name_prohibited",),
)
def organizational_unit_prohibited(cert: CertView) -> Outcome:
    if cert.subject.has(oids.ORGANIZATIONAL_UNIT):
        return fail(
            f"subject has organizationalUnitName {cert.subject.values(oids.ORGANIZATIONAL_UNIT)!r}"
        )
    return PASS


# -- countryName ---------------------------------------------------------------------------

# Officially assigned ISO 3166-1 alpha-2 codes, plus the user-assigned XX that the BRs allow for
# a country without one. (Every withdrawn code was withdrawn before BR 1.0.)
ISO_3166_ALPHA_2 = frozenset(c.alpha_2 for c in pycountry.countries) | {"XX"}


@lint(
    name="subject_country_is_iso_3166",
    description="Each subject:countryName is an ISO 3166-1 alpha-2 code as ISO writes it (two "
    "capital letters, officially assigned), or XX for a country that has none.",
    citation="BR 7.1.4.2.2(g); BR 7.1.2.7.2-5 (countryName); BR 1.0 9.2.5",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    when=lambda cert: cert.subject.has(oids.COUNTRY),
    zlint=("e_subject_country_not_iso", "e_subj_country_not_uppercase"),
)
def country_is_iso_3166(cert: CertView) -> Outcome:
    return iso_3166_codes(cert, oids.COUNTRY, "countryName")


def iso_3166_codes(cert: CertView, oid: str, attribute: str) -> Outcome:
    """Each subject `oid` value an ISO 3166-1 alpha-2 code, in capitals (`attribute`: its name
    in the message)."""
    problems = []
    for value in cert.subject.values(oid):
        if value in ISO_3166_ALPHA_2:
            continue
        if value.upper() in ISO_3166_ALPHA_2:
            problems.append(f"{value!r} is not in capitals")
        else:
            problems.append(f"{value[:100]!r} is not an ISO 3166-1 alpha-2 code")
    if problems:
        return fail(f"subject:{attribute} " + "; ".join(problems))
    return PASS


@lint(
    name="subject_country_required_with_organization",
    description="subject:countryName is present when subject:organizationName (or, from "
    "2016-09-07, givenName or surname) is. Required with organizationName since BR 1.0 9.2.5; "
    "zlint dates e_sub_cert_country_name_must_appear from 2016-09-07, when givenName and "
    "surname were added to the rule.",
    citation="BR 7.1.4.2.2(g); BR 7.1.2.7.3-4 (countryName MUST); BR 1.0 9.2.5",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    when=_has_identity,
    zlint=("e_sub_cert_country_name_must_appear",),
)
def country_required_with_organization(cert: CertView) -> Outcome:
    if not cert.subject.has(oids.COUNTRY):
        return fail(f"subject has {_attribute_names(_identity(cert))} but no countryName")
    return PASS


_ADDRESS = (oids.STREET, oids.LOCALITY, oids.STATE, oids.POSTAL_CODE)


@lint(
    name="subject_address_requires_organization",
    description="subject:streetAddress, localityName, stateOrProvinceName and postalCode "
    "are absent when subject:organizationName (and, from 2016-09-07, givenName and surname) "
    "are absent: an address describes a validated subject, and there is none. Prohibited "
    "since BR 1.0 9.2.4; zlint dates its lints from 2016-09-07.",
    citation="BR 7.1.4.2.2(c)-(f); BR 7.1.2.7.2 (DV subject); BR 1.0 9.2.4(c)-(f)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    zlint=(
        "e_sub_cert_locality_name_must_not_appear",
        "e_sub_cert_province_must_not_appear",
        "e_sub_cert_street_address_should_not_exist",
        "e_sub_cert_postal_code_must_not_appear",
    ),
)
def address_requires_organization(cert: CertView) -> Outcome:
    if _has_identity(cert):
        return PASS
    present = {o for o in _ADDRESS if cert.subject.has(o)}
    if present:
        return fail(
            f"subject has {_attribute_names(present)} without organizationName"
            + (", givenName or surname" if cert.judged_at >= dates.BR_GIVEN_NAME_SURNAME else "")
        )
    return PASS


# -- commonName ----------------------------------------------------------------------------


def _as_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    return ip_address_or_none(text)


@lint(
    name="subject_common_name_in_san",
    description="Each subject:commonName is one of the subjectAltName values: a dNSName "
    "(compared without regard to case) or an iPAddress (compared as an address). From "
    "2021-08-25 the stricter subject_common_name_copied_from_san applies.",
    citation="BR 7.1.4.2.2(a) (1.x); BR 1.0 9.2.2",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    ineffective=dates.BR_CN_COPIED_FROM_SAN,
    when=has_common_name,
    zlint=("e_subject_common_name_not_from_san",),
)
def common_name_in_san(cert: CertView) -> Outcome:
    dns = {n.lower() for n in cert.dns_names if isinstance(n, str)}
    ips = {ip for ip in cert.ip_addresses if not isinstance(ip, bytes)}
    missing = [
        cn
        for cn in cert.subject.values(oids.COMMON_NAME)
        if cn.lower() not in dns and ((ip := _as_ip(cn)) is None or ip not in ips)
    ]
    if missing:
        shown = ", ".join(repr(cn[:300]) for cn in missing)
        return fail(f"subject:commonName {shown} is not in subjectAltName")
    return PASS


@lint(
    name="subject_common_name_copied_from_san",
    description="Each subject:commonName is a subjectAltName value, encoded as BR 7.1.4.3 "
    "says: a character-for-character copy of a dNSName (same case, A-labels not converted to "
    "Unicode), the dotted-quad text of an IPv4 iPAddress, or the RFC 5952 text of an IPv6 one.",
    citation="BR 7.1.4.3; BR 7.1.2.7.2-5 (commonName); BR 7.1.4.2.2(a) (1.8.0); Ballot SC48",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_CN_COPIED_FROM_SAN,
    when=has_common_name,
    zlint=("e_subject_common_name_not_exactly_from_san",),
)
def common_name_copied_from_san(cert: CertView) -> Outcome:
    # str() of an ipaddress object is the dotted quad / RFC 5952 canonical text.
    allowed = {n for n in cert.dns_names if isinstance(n, str)}
    allowed |= {str(ip) for ip in cert.ip_addresses if not isinstance(ip, bytes)}
    missing = [cn for cn in cert.subject.values(oids.COMMON_NAME) if cn not in allowed]
    if missing:
        return fail(
            f"subject:commonName {', '.join(repr(cn[:300]) for cn in missing)} is not a "
            "character-for-character copy of a subjectAltName value"
        )
    return PASS


_HOSTNAME_CHARS = frozenset(string.ascii_letters + string.digits + "-._*")


@lint(
    name="subject_common_name_not_internal",
    description="No subject:commonName is a Reserved IP Address or an Internal Name (a "
    "single label such as 'localhost', or a name under a TLD that is not in the IANA root "
    "zone). A commonName that is not a host name or address at all is left to "
    "subject_common_name_in_san. BR 1.0 allowed such names only in certificates that expire "
    "by 2015-11-01 and prohibits them from that date; such an older certificate gets 'ne'.",
    citation="BR 7.1.4.2.1; BR 7.1.4.2.2(a); BR 1.6.1 (Internal Name, Reserved IP Address); "
    "BR 1.0 9.2.1",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    when=has_common_name,
    zlint=("e_subject_contains_reserved_ip",),
)
def common_name_not_internal(cert: CertView) -> Outcome:
    problems = []
    for cn in cert.subject.values(oids.COMMON_NAME):
        ip = _as_ip(cn)
        if ip is not None:
            if is_reserved_ip(ip):
                problems.append(f"subject:commonName {cn!r} is a Reserved IP Address")
        elif cn and set(cn) <= _HOSTNAME_CHARS and (why := internal_name_problem(cn)):
            problems.append(f"subject:commonName {cn[:300]!r} {why}")
    return internal_names_outcome(cert, problems)
