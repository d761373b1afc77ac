"""S/MIME BR 7.1.2.3(b), (c): where relying parties find a subscriber certificate's revocation
status and issuer. Strict and Multipurpose certificates point only at http URLs; Legacy ones at
least one http URL beside others (LDAP, FTP). (That neither extension is critical is RFC 5280's
rule for all certificates: rfc5280.aia_not_critical, crl_distribution_points_should_not_be_critical.)
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from audit.engine import oids
from audit.engine.certview import CertView, GeneralName
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br._shared import is_http
from audit.lints.cabf_br.san import internal_name_problem
from audit.lints.cabf_smime._shared import LEGACY, NOT_LEGACY, SMIME_BR, generation
from audit.lints.dns_syntax import ip_address_or_none

_METHODS = {oids.AD_OCSP: "OCSP", oids.AD_CA_ISSUERS: "caIssuers"}


def _crl_uris(cert: CertView) -> list[str]:
    return [
        g.value for dp in cert.crl_distribution_points or () for g in dp.full_name or ()
        if g.kind == "uri"
    ]  # fmt: skip


@lint(
    name="smime_crl_distribution_points_present",
    description="An S/MIME subscriber certificate has a cRLDistributionPoints extension.",
    citation="S/MIME BR 7.1.2.3(b)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    zlint=("e_subscribers_shall_have_crl_distribution_points",),
)
def crl_distribution_points_present(cert: CertView) -> Outcome:
    if not cert.has_extension(oids.CRL_DISTRIBUTION_POINTS):
        return fail("no cRLDistributionPoints extension")
    return PASS


@lint(
    name="smime_crl_distribution_point_http",
    description="cRLDistributionPoints has a distributionPoint whose fullName holds a URI; in "
    "Strict and Multipurpose certificates every such URI is http, in Legacy ones at least one "
    "is (LDAP, FTP and others may be beside it).",
    citation="S/MIME BR 7.1.2.3(b) (table)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.CRL_DISTRIBUTION_POINTS,),
    zlint=("e_subscribers_crl_distribution_points_are_http",),
)
def crl_distribution_point_http(cert: CertView) -> Outcome:
    uris = _crl_uris(cert)
    if not uris:
        return fail("no distributionPoint has a fullName URI")
    if generation(cert.profile) == "legacy":
        if not any(is_http(u) for u in uris):
            return fail(
                f"no CRL URI has the http scheme: {', '.join(repr(u[:200]) for u in uris[:3])}"
            )
        return PASS
    other = [u for u in uris if not is_http(u)]
    if other:
        return fail(f"CRL URI other than http: {', '.join(repr(u[:200]) for u in other[:3])}")
    return PASS


def _locations(cert: CertView) -> dict[str, list[GeneralName]]:
    """The OCSP and caIssuers accessLocations of authorityInformationAccess, by method."""
    found: dict[str, list[GeneralName]] = {}
    for method, location in cert.aia_descriptions or ():
        if method in _METHODS:
            found.setdefault(method, []).append(location)
    return found


def _shown(g: GeneralName) -> str:
    return repr(g.value[:200]) if g.kind == "uri" else f"a {g.kind} name"


@lint(
    name="smime_aia_present",
    description="An S/MIME subscriber certificate SHOULD have an authorityInformationAccess "
    "extension.",
    citation="S/MIME BR 7.1.2.3(c)",
    source=Source.CABF_SMIME,
    severity=Status.WARN,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
)
def aia_present(cert: CertView) -> Outcome:
    if not cert.has_extension(oids.AUTHORITY_INFO_ACCESS):
        return fail("no authorityInformationAccess extension")
    return PASS


@lint(
    name="smime_aia_ca_issuers_present",
    description="authorityInformationAccess SHOULD hold at least one id-ad-caIssuers "
    "accessMethod with the URI of the Issuing CA's certificate.",
    citation="S/MIME BR 7.1.2.3(c)(2)",
    source=Source.CABF_SMIME,
    severity=Status.WARN,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.AUTHORITY_INFO_ACCESS,),
)
def aia_ca_issuers_present(cert: CertView) -> Outcome:
    if oids.AD_CA_ISSUERS not in _locations(cert):
        return fail("authorityInformationAccess has no caIssuers accessMethod")
    return PASS


@lint(
    name="smime_aia_http_only",
    description="In Strict and Multipurpose certificates every OCSP and caIssuers accessMethod "
    "of authorityInformationAccess has an http URI, and no other.",
    citation="S/MIME BR 7.1.2.3(c)(1), (c)(2) (tables)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=NOT_LEGACY,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.AUTHORITY_INFO_ACCESS,),
    zlint=("e_smime_strict_aia_shall_have_http_only",),
)
def aia_http_only(cert: CertView) -> Outcome:
    bad = [
        f"{_METHODS[method]} {_shown(g)}"
        for method, locations in _locations(cert).items() for g in locations
        if not (g.kind == "uri" and is_http(g.value))
    ]  # fmt: skip
    if bad:
        return fail(
            f"authorityInformationAccess location other than an http URI: {'; '.join(bad[:4])}"
        )
    return PASS


@lint(
    name="smime_legacy_aia_has_http",
    description="In Legacy Generation certificates the OCSP accessMethods of "
    "authorityInformationAccess, when provided, include one with an http URI, and so do the "
    "caIssuers accessMethods (LDAP, FTP and others may be beside it).",
    citation="S/MIME BR 7.1.2.3(c)(1), (c)(2) (tables)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=LEGACY,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.AUTHORITY_INFO_ACCESS,),
    zlint=("e_smime_legacy_aia_shall_have_one_http",),
)
def legacy_aia_has_http(cert: CertView) -> Outcome:
    missing = [
        _METHODS[method] for method, locations in _locations(cert).items()
        if not any(g.kind == "uri" and is_http(g.value) for g in locations)
    ]  # fmt: skip
    if missing:
        return fail(f"no {' and no '.join(missing)} accessMethod has an http URI")
    return PASS


@lru_cache(maxsize=4096)
def _host_problem(url: str) -> str | None:
    """Why a URL's host is an Internal Name (not under a TLD of the IANA root zone), or None;
    an IP address is left alone. Once per URL: a CA's few URLs recur in all it issues."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None  # not a URL: the rfc5280 syntax lints say so
    if not host or ip_address_or_none(host) is not None:
        return None
    return internal_name_problem(host)


@lint(
    name="smime_aia_urls_not_internal_names",
    description="The hosts of the OCSP and caIssuers URLs in authorityInformationAccess are not "
    "Internal Names: relying parties on the Internet must reach them. An IP address host is "
    "left alone, as zlint does.",
    citation="S/MIME BR 7.1.2.3(c)",
    source=Source.CABF_SMIME,
    severity=Status.WARN,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.AUTHORITY_INFO_ACCESS,),
    zlint=("w_smime_aia_contains_internal_names",),
)
def aia_urls_not_internal_names(cert: CertView) -> Outcome:
    problems = [
        f"{g.value[:200]!r}: host {why}"
        for locations in _locations(cert).values() for g in locations
        if g.kind == "uri" and isinstance(g.value, str) and (why := _host_problem(g.value))
    ]  # fmt: skip
    if problems:
        return fail("authorityInformationAccess URL " + "; ".join(problems[:4]))
    return PASS
