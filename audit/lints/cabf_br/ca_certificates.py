"""BR 7.1.2.1-7.1.2.6 / 7.1.2.10 / 7.1.4.3 / 7.1.5: root and subordinate CA certificates.

What a CA certificate's subject must name (7.1.4.3.1, BR 2.0 7.1.2.10.2), which purposes a
subordinate CA may carry in extKeyUsage (7.1.2.2(g), 7.1.5, BR 2.0 7.1.2.10.6), where it
publishes its issuer's certificate and OCSP service (7.1.2.2(c), BR 2.0 7.1.2.10.3) and its name
constraints (7.1.2.2(f), 7.1.5). The keyUsage, basicConstraints, certificatePolicies and
cRLDistributionPoints of CA certificates are in `extensions.py`.

"Subordinate CA" is the BRs' notion: a CA certificate that is not self-signed. A self-issued
certificate signed by another key (a key rollover, or one with an empty subject and issuer) is
a subordinate CA certificate even though its profile says root.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.profiles import Profile
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail, outcome
from audit.lints import dates
from audit.lints.cabf_br._shared import (
    access_description_problem,
    aia_ca_issuers_url_http,
    aia_ocsp_url_http,
    eku_names,
    error_from_br_2,
    repeated_location,
)
from audit.lints.cabf_br.san import internal_name_problem, internal_names_outcome, is_reserved_ip
from audit.lints.cabf_br.subject import ISO_3166_ALPHA_2
from audit.lints.dns_syntax import ip_address_or_none


def issues_tls(cert: CertView) -> bool:
    """A CA certificate whose extKeyUsage does not rule out TLS server certificates: absent, or
    with id-kp-serverAuth or anyExtendedKeyUsage (the certificates zlint lints as TLS)."""
    eku = cert.eku
    return eku is None or oids.EKU_SERVER_AUTH in eku or oids.EKU_ANY in eku


def _subject_has(cert: CertView, oid: str, label: str) -> Outcome:
    """Whether the subject has a non-blank `oid` value: an empty or all-space value names
    nothing."""
    if not any(v.strip() for v in cert.subject.values(oid)):
        return fail(f"CA certificate subject {cert.subject.rfc4514[:300]!r} has no {label}")
    return PASS


# -- subject naming (BR 7.1.4.3.1; BR 2.0 7.1.2.10.2) --------------------------------------------


@lint(
    name="ca_subject_common_name_present",
    description="The subject of a root or subordinate CA certificate has a non-empty "
    "commonName. Required since Ballot 199 (BR 1.4.8, 2017-06-08).",
    citation="BR 7.1.4.3.1(a); BR 2.0 7.1.2.10.2; Ballot 199",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.CA,
    effective=dates.BR_CA_COMMON_NAME,
    zlint=("e_ca_common_name_missing",),
)
def ca_subject_common_name_present(cert: CertView) -> Outcome:
    return _subject_has(cert, oids.COMMON_NAME, "commonName")


@lint(
    name="ca_subject_organization_present",
    description="The subject of a root or subordinate CA certificate has a non-empty "
    "organizationName (the CA's name or DBA). BR 1.0 required it of the issuer name of every "
    "certificate a CA issues, which is the CA certificate's subject.",
    citation="BR 7.1.4.3.1(b); BR 2.0 7.1.2.10.2; BR 1.0 9.1.3",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.CA,
    effective=dates.BR_1_0,
    zlint=("e_ca_organization_name_missing",),
)
def ca_subject_organization_present(cert: CertView) -> Outcome:
    return _subject_has(cert, oids.ORGANIZATION, "organizationName")


@lint(
    name="ca_subject_country_present",
    description="The subject of a root or subordinate CA certificate has a non-empty "
    "countryName (the country of the CA's place of business).",
    citation="BR 7.1.4.3.1(c); BR 2.0 7.1.2.10.2; BR 1.0 9.1.4",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.CA,
    effective=dates.BR_1_0,
    zlint=("e_ca_country_name_missing",),
)
def ca_subject_country_present(cert: CertView) -> Outcome:
    return _subject_has(cert, oids.COUNTRY, "countryName")


@lint(
    name="ca_subject_country_is_iso_3166",
    description="Each countryName in the subject of a root or subordinate CA certificate is an "
    "ISO 3166-1 alpha-2 code (two capital letters, officially assigned), or the user-assigned "
    "XX. An empty value is not a code.",
    citation="BR 7.1.4.3.1(c); BR 2.0 7.1.2.10.2; BR 1.0 9.1.4",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.CA,
    effective=dates.BR_1_0,
    when=lambda cert: cert.subject.has(oids.COUNTRY),
    zlint=("e_ca_country_name_invalid",),
)
def ca_subject_country_is_iso_3166(cert: CertView) -> Outcome:
    bad = [v for v in cert.subject.values(oids.COUNTRY) if v not in ISO_3166_ALPHA_2]
    if bad:
        shown = ", ".join(repr(v[:100]) for v in bad)
        return fail(f"CA certificate subject:countryName {shown} is not an ISO 3166-1 code")
    return PASS


def _ou_prohibited(cert: CertView) -> bool:
    """Root CA certificates and TLS subordinate CA certificates (7.1.2.5, 7.1.2.6)."""
    return cert.profile == Profile.ROOT_CA or issues_tls(cert)


@lint(
    name="ca_subject_organizational_unit_prohibited",
    description="The subject of a root CA certificate, or of a subordinate CA certificate that "
    "may issue TLS server certificates (extKeyUsage absent, or with serverAuth or "
    "anyExtendedKeyUsage), has no organizationalUnitName. A cross-certificate, whose subject "
    "copies an existing CA's, cannot be told apart from the certificate alone and is held to "
    "the rule too (as zlint does without its CrossCert setting).",
    citation="BR 2.0 7.1.2.10.2; Ballot SC62",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.CA,
    effective=dates.BR_2_0,
    when=_ou_prohibited,
    zlint=("e_subj_orgunit_in_ca_cert",),
)
def ca_subject_organizational_unit_prohibited(cert: CertView) -> Outcome:
    ou = cert.subject.values(oids.ORGANIZATIONAL_UNIT)
    if ou:
        return fail(f"CA certificate subject has organizationalUnitName {ou[:5]!r}")
    return PASS


# -- extKeyUsage of subordinate CAs (BR 7.1.2.2(g), 7.1.5; BR 2.0 7.1.2.10.6) ---------------------

_TECHNICALLY_CONSTRAINING = frozenset({oids.EKU_SERVER_AUTH, oids.EKU_CLIENT_AUTH})


@lint(
    name="subordinate_ca_eku_technically_constrained",
    description="A subordinate CA certificate has an extKeyUsage extension without "
    "anyExtendedKeyUsage, and (from Ballot 105, 2013-07-29) with serverAuth or clientAuth: "
    "without them it is not Technically Constrained and its CA is audited as an unconstrained "
    "one. A notice, not a violation.",
    citation="BR 7.1.5; BR 7.1.2.2(g) (BR 1.1.6, Ballot 105); BR 1.0 9.7",
    source=Source.CABF_BR,
    severity=Status.NOTICE,
    applies=profiles.SUBORDINATE,
    effective=dates.BR_1_0,
    zlint=("n_sub_ca_eku_missing", "n_sub_ca_eku_not_technically_constrained"),
)
def subordinate_ca_eku_technically_constrained(cert: CertView) -> Outcome:
    eku = cert.eku
    if eku is None:
        return fail("subordinate CA certificate has no extKeyUsage: not Technically Constrained")
    if oids.EKU_ANY in eku:
        return fail("extKeyUsage has anyExtendedKeyUsage: not Technically Constrained")
    if cert.judged_at >= dates.BR_TECHNICALLY_CONSTRAINED and not (
        _TECHNICALLY_CONSTRAINING & frozenset(eku)
    ):
        return fail(
            f"extKeyUsage has neither serverAuth nor clientAuth ({eku_names(eku)}): "
            "not Technically Constrained"
        )
    return PASS


@lint(
    name="subordinate_ca_eku_not_critical",
    description="The extKeyUsage extension of a subordinate CA certificate is not critical: "
    "SHOULD NOT under BR 1.x (warn), MUST NOT from BR 2.0 (error).",
    citation="BR 7.1.2.2(g) (BR 1.1.6, Ballot 105); BR 2.0 7.1.2.3.1, 7.1.2.5.1, 7.1.2.6.1",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBORDINATE,
    effective=dates.BR_TECHNICALLY_CONSTRAINED,
    when=lambda cert: cert.eku is not None,
    needs=(oids.EXTENDED_KEY_USAGE,),
    zlint=("w_sub_ca_eku_critical",),
)
def subordinate_ca_eku_not_critical(cert: CertView) -> Outcome:
    if cert.is_critical(oids.EXTENDED_KEY_USAGE):
        return error_from_br_2(
            cert, "extKeyUsage is marked critical in a subordinate CA certificate"
        )
    return PASS


# Never with serverAuth (BR 1.7.1 7.1.2.2(g): MUST NOT).
_NOT_WITH_SERVER_AUTH = frozenset(
    {oids.EKU_EMAIL_PROTECTION, oids.EKU_CODE_SIGNING, oids.EKU_TIME_STAMPING}
)
# BR 1.7.1: "Other values SHOULD NOT be present"; BR 2.0 7.1.2.10.6 makes these MUST NOT.
_NOT_WITH_SERVER_AUTH_BR2 = frozenset({oids.EKU_OCSP_SIGNING, oids.EKU_PRECERT_SIGNING})


@lint(
    name="subordinate_ca_eku_tls_purposes",
    description="The extKeyUsage of a subordinate CA certificate that may issue TLS server "
    "certificates keeps TLS apart from other purposes: anyExtendedKeyUsage (allowed for "
    "cross-certificates) stands alone, and serverAuth comes without emailProtection, "
    "codeSigning and timeStamping; OCSPSigning and precertificate signing with serverAuth are "
    "SHOULD NOT under BR 1.7.1 (warn) and MUST NOT from BR 2.0 (error).",
    citation="BR 7.1.2.2(g) (BR 1.7.1, Ballot SC31); BR 2.0 7.1.2.10.6",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBORDINATE,
    effective=dates.BR_1_7_1,
    when=lambda cert: (
        cert.eku is not None and (oids.EKU_SERVER_AUTH in cert.eku or oids.EKU_ANY in cert.eku)
    ),
    needs=(oids.EXTENDED_KEY_USAGE,),
    zlint=("e_ca_invalid_eku",),
)
def subordinate_ca_eku_tls_purposes(cert: CertView) -> Outcome:
    eku = frozenset(cert.eku or ())
    if oids.EKU_ANY in eku and len(cert.eku or ()) > 1:
        return fail(f"anyExtendedKeyUsage is accompanied by {eku_names(eku - {oids.EKU_ANY})}")
    if oids.EKU_SERVER_AUTH not in eku:
        return PASS
    mixed = eku & _NOT_WITH_SERVER_AUTH
    if mixed:
        return fail(f"serverAuth is accompanied by {eku_names(mixed)}")
    later = eku & _NOT_WITH_SERVER_AUTH_BR2
    if later:
        message = f"serverAuth is accompanied by {eku_names(later)}"
        return fail(message) if cert.judged_at >= dates.BR_2_0 else outcome(Status.WARN, message)
    return PASS


# -- authorityInformationAccess of subordinate CAs (BR 7.1.2.2(c); BR 2.0 7.1.2.10.3) -------------


def _aia_present(cert: CertView) -> Outcome:
    if not cert.has_extension(oids.AUTHORITY_INFO_ACCESS):
        return fail("subordinate CA certificate has no authorityInformationAccess extension")
    return PASS


@lint(
    name="subordinate_ca_aia_present",
    description="A subordinate CA certificate has the authorityInformationAccess extension "
    "(MUST until BR 1.7.1 made it SHOULD, see subordinate_ca_aia_recommended).",
    citation="BR 7.1.2.2(c) (BR 1.0 to 1.7.0); BR 1.0 Appendix B (2)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBORDINATE,
    effective=dates.BR_1_0,
    ineffective=dates.BR_1_7_1,
    zlint=("e_sub_ca_aia_missing",),
)
def subordinate_ca_aia_present(cert: CertView) -> Outcome:
    return _aia_present(cert)


@lint(
    name="subordinate_ca_aia_recommended",
    description="A subordinate CA certificate has the authorityInformationAccess extension "
    "(SHOULD since BR 1.7.1; BR 2.0 keeps it SHOULD for every subordinate CA profile).",
    citation="BR 7.1.2.2(c) (BR 1.7.1, Ballot SC31); BR 2.0 7.1.2.3.1, 7.1.2.5.1, 7.1.2.6.1",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBORDINATE,
    effective=dates.BR_1_7_1,
    zlint=("w_sub_ca_aia_missing",),
)
def subordinate_ca_aia_recommended(cert: CertView) -> Outcome:
    return _aia_present(cert)


@lint(
    name="subordinate_ca_aia_ocsp_url",
    description="The authorityInformationAccess of a subordinate CA certificate has the HTTP "
    "URL of the issuing CA's OCSP responder (MUST until BR 1.7.1 made it MAY). zlint has no "
    "equivalent.",
    citation="BR 7.1.2.2(c) (BR 1.0 to 1.7.0); BR 1.0 Appendix B (2)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBORDINATE,
    effective=dates.BR_1_0,
    ineffective=dates.BR_1_7_1,
    needs=(oids.AUTHORITY_INFO_ACCESS,),
)
def subordinate_ca_aia_ocsp_url(cert: CertView) -> Outcome:
    return aia_ocsp_url_http(cert)


@lint(
    name="subordinate_ca_aia_ca_issuers_url",
    description="The authorityInformationAccess of a subordinate CA certificate has the HTTP "
    "URL of the issuing CA's certificate (id-ad-caIssuers; SHOULD until BR 2.0 made it MAY).",
    citation="BR 7.1.2.2(c) (BR 1.x)",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBORDINATE,
    effective=dates.BR_1_0,
    ineffective=dates.BR_2_0,
    needs=(oids.AUTHORITY_INFO_ACCESS,),
    zlint=("w_sub_ca_aia_does_not_contain_issuing_ca_url",),
)
def subordinate_ca_aia_ca_issuers_url(cert: CertView) -> Outcome:
    return aia_ca_issuers_url_http(cert)


@lint(
    name="subordinate_ca_aia_access_descriptions",
    description="The authorityInformationAccess of a subordinate CA certificate has at least "
    "one access description, each id-ad-ocsp or id-ad-caIssuers located by a "
    "uniformResourceIdentifier, and no location twice for the same method. zlint checks this "
    "for subscriber certificates only.",
    citation="BR 2.0 7.1.2.10.3",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBORDINATE,
    effective=dates.BR_2_0,
    needs=(oids.AUTHORITY_INFO_ACCESS,),
)
def subordinate_ca_aia_access_descriptions(cert: CertView) -> Outcome:
    descriptions = cert.aia_descriptions or ()
    if not descriptions:
        return fail("authorityInformationAccess has no access descriptions")
    seen: set[tuple[str, str]] = set()
    for method, location in descriptions:
        why = access_description_problem(method, location) or repeated_location(
            method, location, seen
        )
        if why:
            return fail(why)
    return PASS


def _url_host(url: object) -> str | None:
    if not isinstance(url, str):
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return None


def _is_ip(host: str) -> bool:
    return ip_address_or_none(host) is not None


@lru_cache(maxsize=4096)
def _url_internal_name_problem(url: str) -> str | None:
    """Why an AIA URL's host is an Internal Name, or None: once per URL, since a CA's few
    URLs recur in every certificate it issues."""
    host = _url_host(url)
    if host and not _is_ip(host):
        return internal_name_problem(host)
    return None


@lint(
    name="subscriber_aia_urls_not_internal_names",
    description="The hosts of the OCSP and caIssuers URLs in the authorityInformationAccess of "
    "a subscriber certificate are not Internal Names: a publicly-trusted CA publishes its "
    "certificate and OCSP service where relying parties on the Internet can reach them. An "
    "IP address host is left alone, as zlint does.",
    citation="BR 7.1.2.3(c); BR 2.0 7.1.2.7.7, 7.1.2.10.3; BR 1.6.1 (Internal Name)",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    needs=(oids.AUTHORITY_INFO_ACCESS,),
    zlint=("w_sub_cert_aia_contains_internal_names",),
)
def subscriber_aia_urls_not_internal_names(cert: CertView) -> Outcome:
    aia = cert.aia
    problems = []
    for url in (*aia.ocsp, *aia.ca_issuers) if aia else ():
        if isinstance(url, str) and (why := _url_internal_name_problem(url)):
            problems.append(f"URL {url[:300]!r}: host {why}")
    if problems:
        return fail("; ".join(problems[:5]))
    return PASS


# -- nameConstraints (BR 7.1.2.2(f), 7.1.5; BR 2.0 7.1.2.10.8) ------------------------------------


@lint(
    name="subordinate_ca_name_constraints_critical",
    description="The nameConstraints extension of a subordinate CA certificate is critical "
    "(SHOULD: Ballot 75 allowed non-critical name constraints as an exception to RFC 5280). "
    "zlint dates this from Ballot 75's adoption, 2012-06-08; the BRs took effect 2012-07-01. "
    "For these certificates it stands in for RFC 5280's MUST (name_constraints_critical gives "
    "way: br_carve_outs.NON_CRITICAL_NAME_CONSTRAINTS), so it also answers zlint's "
    "e_ext_name_constraints_not_critical here, at this lint's severity.",
    citation="BR 7.1.2.2(f); BR 1.0.2 (Ballot 75); BR 2.0 7.1.2.10.8",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBORDINATE,
    effective=dates.BR_1_0,
    needs=(oids.NAME_CONSTRAINTS,),
    zlint=("w_sub_ca_name_constraints_not_critical", "e_ext_name_constraints_not_critical"),
)
def subordinate_ca_name_constraints_critical(cert: CertView) -> Outcome:
    if not cert.is_critical(oids.NAME_CONSTRAINTS):
        return fail("nameConstraints is not marked critical in a subordinate CA certificate")
    return PASS


def _networks(*blocks: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(b) for b in blocks)


# The IANA IPv4 and IPv6 Special-Purpose Address Registries, multicast, and the space IANA
# marks reserved (what BR 1.6.1 calls Reserved IP Addresses, as `san.is_reserved_ip` reads
# them for single addresses). Two CIDR blocks intersect exactly when one contains the other.
RESERVED_NETWORKS = _networks(
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24",
    "192.88.99.0/24", "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    "::/8", "100::/64", "400::/6", "800::/5", "1000::/4", "2001::/23", "2001:db8::/32",
    "2002::/16", "2620:4f:8000::/48", "3fff::/20", "4000::/3", "5f00::/16", "6000::/3",
    "8000::/3", "a000::/3", "c000::/3", "e000::/4", "f000::/5", "f800::/6", "fc00::/7",
    "fe00::/9", "fe80::/10", "fec0::/10", "ff00::/8", "64:ff9b::/96", "64:ff9b:1::/48",
)  # fmt: skip


def intersects_reserved(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    if is_reserved_ip(network.network_address) or is_reserved_ip(network.broadcast_address):
        return True
    return any(
        block.version == network.version and network.overlaps(block) for block in RESERVED_NETWORKS
    )


def _permitted_ip_subtrees(cert: CertView) -> bool:
    nc = cert.name_constraints
    return nc is not None and any(s.base.kind == "ip" for s in nc.permitted or ())


@lint(
    name="name_constraints_permitted_ip_not_reserved",
    description="No iPAddress range in the permittedSubtrees of nameConstraints intersects a "
    "Reserved IP Address block: the CA may not confirm an Applicant's right to a reserved "
    "range, and certificates for reserved addresses are prohibited. BR 1.0 allowed reserved "
    "addresses in certificates that expire by 2015-11-01; such an older certificate gets 'ne'.",
    citation="BR 7.1.5(b); BR 7.1.4.2.1; BR 2.0 7.1.2.5.2, 7.1.2.10.8",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_1_0,
    when=_permitted_ip_subtrees,
    needs=(oids.NAME_CONSTRAINTS,),
    zlint=("e_ext_nc_intersects_reserved_ip",),
)
def name_constraints_permitted_ip_not_reserved(cert: CertView) -> Outcome:
    problems = []
    for subtree in cert.name_constraints.permitted or ():  # type: ignore[union-attr]
        value = subtree.base.value
        if subtree.base.kind != "ip" or isinstance(value, bytes):
            continue  # an undecodable range is the RFC 5280 syntax lints' business
        if intersects_reserved(value):
            problems.append(f"permitted iPAddress range {value} intersects a reserved block")
    return internal_names_outcome(cert, problems)
