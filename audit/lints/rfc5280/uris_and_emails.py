"""RFC 5280: URIs and email addresses wherever a certificate carries them.

subjectAltName and issuerAltName URIs (4.2.1.6, 4.2.1.7), their rfc822Names, the subject's
legacy emailAddress attribute (4.1.2.6), and where cRLDistributionPoints (4.2.1.13) and
authorityInfoAccess (4.2.2.1) point. One function judges a URI and one a mailbox; the lints for
each extension call them. Every value is attacker-controlled text: quoted, never interpreted.
"""

from __future__ import annotations

import ipaddress
import re
import string
from collections.abc import Iterable

from audit.engine import oids, profiles
from audit.engine.certview import CertView, GeneralName
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.dns_syntax import (
    MAX_SHOWN,
    base_labels,
    dns_syntax_problem,
    names_outcome,
    wildcard_problem,
)

# -- URIs (RFC 3986) --------------------------------------------------------------------------

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# unreserved, gen-delims, sub-delims and "%": every ASCII character a URI may hold as itself.
# Non-ASCII characters are the IA5String lints' to report.
_URI_CHARS = frozenset(string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=%")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_AUTHORITY_END = re.compile(r"[/?#]")
_DOTTED_NUMBERS = re.compile(r"[0-9.]+")


def _host_problem(host: str) -> str | None:
    """Why an authority's host is neither an IP address nor a fully qualified domain name."""
    if _DOTTED_NUMBERS.fullmatch(host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return f"has the host {host!r}, which is neither an IPv4 address nor a domain name"
        return None
    name = host.removesuffix(".")  # the absolute form of a domain name
    why = dns_syntax_problem(name) or wildcard_problem(name)
    if why is None and len(base_labels(name)) < 2:
        why = "is a single label"
    if why is not None:
        return f"has the host {host[:300]!r}, not a fully qualified domain name: it {why}"
    return None


def _authority_problem(after_slashes: str) -> str | None:
    authority = _AUTHORITY_END.split(after_slashes, maxsplit=1)[0]
    host_port = authority.rpartition("@")[2]  # drop the userinfo
    if host_port.startswith("["):  # IP-literal: an IPv6 address (or an IPvFuture)
        literal = host_port[1:].partition("]")[0]
        if not literal.lower().startswith("v"):
            try:
                ipaddress.IPv6Address(literal)
            except ValueError:
                return f"has the IP literal [{literal[:100]}], which is not an IPv6 address"
        return None
    host, _, port = host_port.partition(":")
    if not host:
        return "has an authority with no host"
    if port and not port.isdigit():
        return f"has the port {port[:50]!r}, which is not a number"
    return _host_problem(host)


def uri_problem(uri: str) -> str | None:
    """Why `uri` is not an absolute URI with a scheme-specific part (and, where it has an
    authority, a fully qualified domain name or IP address as its host), or None."""
    scheme = _SCHEME.match(uri)
    if scheme is None:
        return "is a relative reference: it has no scheme"
    rest = uri[scheme.end() :]
    if not rest:
        return "has no scheme-specific part"
    bad = next((c for c in uri if c.isascii() and c not in _URI_CHARS), None)
    if bad is not None:
        return f"contains {bad!r}, which a URI can hold only percent-encoded"
    if _BAD_PERCENT.search(uri):
        return "has a '%' that does not begin a percent-encoded octet"
    if rest.startswith("//"):
        return _authority_problem(rest[2:])
    return None


def _uris(names: tuple[GeneralName, ...] | None) -> list[str]:
    return [g.value for g in names or () if g.kind == "uri"]


def _uri_syntax_outcome(what: str, uris: Iterable[str]) -> Outcome:
    # An empty URI is the empty-name lints' to report.
    return names_outcome(
        what, [f"{u[:300]!r} {why}" for u in uris if u and (why := uri_problem(u))]
    )


def _not_ia5_outcome(what: str, values: Iterable[str]) -> Outcome:
    bad = [v for v in values if not v.isascii()]
    if bad:
        shown = ", ".join(repr(v[:300]) for v in bad[:MAX_SHOWN])
        return fail(f"{what} holds characters an IA5String cannot: {shown}")
    return PASS


_URI_RULE = (
    "RFC 2459 already required a non-relative URL with a scheme and scheme-specific part (and "
    "a host in every one); RFC 5280 asks for the fully qualified host only where there is an "
    "authority ('sip:alice@example.com' has none). A wildcard leftmost label in the host "
    "('*.example.com') is let through, as zlint does. zlint dates these from RFC 5280."
)


# The subjectAltName lints apply where there is a name of their kind (nearly every certificate
# has a SAN, few have URIs or rfc822Names); the issuerAltName ones, as zlint's, wherever there
# is an issuerAltName (it is rare, and zlint's vectors pass one without URIs).


def _san_has_uri(cert: CertView) -> bool:
    return any(g.kind == "uri" for g in cert.san or ())


def _san_has_email(cert: CertView) -> bool:
    return any(g.kind == "email" for g in cert.san or ())


@lint(
    name="san_uri_syntax",
    description="Each uniformResourceIdentifier in subjectAltName is an absolute URI (RFC "
    "3986): it has a scheme and a scheme-specific part, holds only URI characters, and when "
    "it has an authority, the host is a fully qualified domain name or an IP address. " + _URI_RULE,
    citation="RFC 5280 4.2.1.6; RFC 3986 3, 4.3; RFC 2459 4.2.1.7",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    when=_san_has_uri,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=(
        "e_ext_san_uri_format_invalid",
        "e_ext_san_uri_relative",
        "e_ext_san_uri_host_not_fqdn_or_ip",
    ),
)
def san_uri_syntax(cert: CertView) -> Outcome:
    return _uri_syntax_outcome("subjectAltName URI", _uris(cert.san))


@lint(
    name="san_uri_ia5_string",
    description="Each uniformResourceIdentifier in subjectAltName is an IA5String: ASCII only "
    "(an internationalized resource identifier is mapped to a URI first, RFC 5280 7.4). zlint "
    "dates this from RFC 5280; RFC 2459 already said IA5String.",
    citation="RFC 5280 4.2.1.6, 7.4; RFC 2459 4.2.1.7",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    when=_san_has_uri,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_ext_san_uri_not_ia5",),
)
def san_uri_ia5_string(cert: CertView) -> Outcome:
    return _not_ia5_outcome("subjectAltName URI", _uris(cert.san))


@lint(
    name="ian_uri_syntax",
    description="Each uniformResourceIdentifier in issuerAltName is an absolute URI, as in "
    "subjectAltName (san_uri_syntax). " + _URI_RULE,
    citation="RFC 5280 4.2.1.7, 4.2.1.6; RFC 3986 3, 4.3; RFC 2459 4.2.1.8",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    needs=(oids.ISSUER_ALT_NAME,),
    zlint=(
        "e_ext_ian_uri_format_invalid",
        "e_ext_ian_uri_relative",
        "e_ext_ian_uri_host_not_fqdn_or_ip",
    ),
)
def ian_uri_syntax(cert: CertView) -> Outcome:
    return _uri_syntax_outcome("issuerAltName URI", _uris(cert.issuer_alt_name))


@lint(
    name="ian_uri_ia5_string",
    description="Each uniformResourceIdentifier in issuerAltName is an IA5String (ASCII only), "
    "as in subjectAltName. zlint dates this from RFC 5280; RFC 2459 already said IA5String.",
    citation="RFC 5280 4.2.1.7, 4.2.1.6, 7.4",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    needs=(oids.ISSUER_ALT_NAME,),
    zlint=("e_ext_ian_uri_not_ia5",),
)
def ian_uri_ia5_string(cert: CertView) -> Outcome:
    return _not_ia5_outcome("issuerAltName URI", _uris(cert.issuer_alt_name))


# -- rfc822Name: a Mailbox (RFC 5321 4.1.2), no display name, comment or angle brackets -------

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_DOT_STRING = rf"{_ATEXT}+(?:\.{_ATEXT}+)*"
_QUOTED_STRING = r'"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"'
_LDH_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = rf"{_LDH_LABEL}(?:\.{_LDH_LABEL})*"
_ADDRESS_LITERAL = r"\[[!-Z^-~]+\]"
_MAILBOX = re.compile(rf"(?:{_DOT_STRING}|{_QUOTED_STRING})@(?:{_DOMAIN}|{_ADDRESS_LITERAL})")


def mailbox_problem(address: str) -> str | None:
    """Why `address` is not a bare `local-part@domain` mailbox, or None."""
    if _MAILBOX.fullmatch(address):
        return None
    if address.startswith("<") or address.endswith(">"):
        return "is in angle brackets"
    if "(" in address or ")" in address:
        return "carries a comment in parentheses"
    if "@" not in address:
        return "has no '@'"
    return "is not a mailbox of the form local-part@domain"


def _emails(names: tuple[GeneralName, ...] | None) -> list[str]:
    return [g.value for g in names or () if g.kind == "email"]


def _mailbox_outcome(what: str, addresses: Iterable[str]) -> Outcome:
    # An empty rfc822Name is the empty-name lints' to report.
    return names_outcome(
        what, [f"{a[:300]!r} {why}" for a in addresses if a and (why := mailbox_problem(a))]
    )


_MAILBOX_RULE = (
    "(local-part@domain): no display name, no comment in parentheses, no angle brackets; a "
    "dot-atom or quoted local part and a domain name or address literal."
)


@lint(
    name="san_rfc822_name_syntax",
    description="Each rfc822Name in subjectAltName is a bare mailbox " + _MAILBOX_RULE,
    citation="RFC 5280 4.2.1.6; RFC 5321 4.1.2; RFC 2459 4.2.1.7 (RFC 822 addr-spec)",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    when=_san_has_email,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_ext_san_rfc822_format_invalid", "e_single_email_if_present"),
)
def san_rfc822_name_syntax(cert: CertView) -> Outcome:
    return _mailbox_outcome("subjectAltName rfc822Name", _emails(cert.san))


@lint(
    name="ian_rfc822_name_syntax",
    description="Each rfc822Name in issuerAltName is a bare mailbox, as in subjectAltName "
    + _MAILBOX_RULE,
    citation="RFC 5280 4.2.1.7, 4.2.1.6; RFC 5321 4.1.2",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    needs=(oids.ISSUER_ALT_NAME,),
    zlint=("e_ext_ian_rfc822_format_invalid",),
)
def ian_rfc822_name_syntax(cert: CertView) -> Outcome:
    return _mailbox_outcome("issuerAltName rfc822Name", _emails(cert.issuer_alt_name))


def _mailbox_key(address: str) -> tuple[str, str]:
    # The local part is case-sensitive (RFC 5321 2.4); the domain is not.
    local, _, domain = address.rpartition("@")
    return local, domain.lower()


@lint(
    name="subject_email_in_san",
    description="Every emailAddress attribute of the subject is also an rfc822Name in "
    "subjectAltName: new certificates MUST carry email identities there (the subject "
    "attribute is a deprecated legacy copy).",
    citation="RFC 5280 4.1.2.6; RFC 2459 4.1.2.6",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    when=lambda cert: cert.subject.has(oids.EMAIL_ADDRESS),
    zlint=("e_subj_email_not_in_san",),
)
def subject_email_in_san(cert: CertView) -> Outcome:
    in_san = {_mailbox_key(a) for a in _emails(cert.san)}
    missing = [a for a in cert.subject.values(oids.EMAIL_ADDRESS) if _mailbox_key(a) not in in_san]
    if missing:
        shown = ", ".join(repr(a[:300]) for a in missing[:MAX_SHOWN])
        return fail(f"subject emailAddress {shown} is not an rfc822Name in subjectAltName")
    return PASS


# -- where cRLDistributionPoints and authorityInfoAccess point -------------------------------


_KINDS = {"uri": "URI", "dns": "dNSName", "email": "rfc822Name", "dirname": "directoryName"}


def _is_http_or_ldap(g: GeneralName) -> bool:
    return g.kind == "uri" and g.value[:7].lower() in ("http://", "ldap://")


@lint(
    name="crl_distribution_point_complete",
    description="Each DistributionPoint of cRLDistributionPoints has a distributionPoint or a "
    "cRLIssuer: it never consists of the reasons field alone (or of nothing).",
    citation="RFC 5280 4.2.1.13; RFC 3280 4.2.1.14",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_3280,
    needs=(oids.CRL_DISTRIBUTION_POINTS,),
    zlint=("e_distribution_point_incomplete",),
)
def crl_distribution_point_complete(cert: CertView) -> Outcome:
    incomplete = [
        str(i + 1)
        for i, dp in enumerate(cert.crl_distribution_points or ())
        if dp.full_name is None and not dp.relative_name and dp.crl_issuer is None
    ]
    if incomplete:
        return fail(
            f"cRLDistributionPoints point {', '.join(incomplete)} has neither "
            "distributionPoint nor cRLIssuer"
        )
    return PASS


@lint(
    name="crl_distribution_point_http_or_ldap_uri",
    description="Each DistributionPoint with a distributionPoint name includes at least one "
    "http:// or ldap:// URI. zlint asks this of the extension as a whole; RFC 5280 asks it of "
    "each DistributionPointName.",
    citation="RFC 5280 4.2.1.13",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.ANY,
    effective=dates.RFC_5280,
    needs=(oids.CRL_DISTRIBUTION_POINTS,),
    zlint=("w_distribution_point_missing_ldap_or_uri",),
)
def crl_distribution_point_http_or_ldap_uri(cert: CertView) -> Outcome:
    lacking = []
    for i, dp in enumerate(cert.crl_distribution_points or ()):
        has_name = dp.relative_name or dp.full_name is not None  # only cRLIssuer: nothing to ask
        if has_name and not any(_is_http_or_ldap(g) for g in dp.full_name or ()):
            names = [str(g.value)[:300] for g in dp.full_name or ()]
            lacking.append(f"point {i + 1} ({names!r})" if names else f"point {i + 1}")
    if lacking:
        return fail(f"cRLDistributionPoints {', '.join(lacking)} has no HTTP or LDAP URI")
    return PASS


def _ca_issuers(cert: CertView) -> list[GeneralName]:
    return [g for m, g in cert.aia_descriptions or () if m == oids.AD_CA_ISSUERS]


@lint(
    name="aia_ca_issuers_http_or_ldap_uri",
    description="When authorityInfoAccess has id-ad-caIssuers descriptions, at least one of "
    "them has an http:// or ldap:// URI as its accessLocation.",
    citation="RFC 5280 4.2.2.1",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.ANY,
    effective=dates.RFC_5280,
    when=lambda cert: any(m == oids.AD_CA_ISSUERS for m, _ in cert.aia_descriptions or ()),
    needs=(oids.AUTHORITY_INFO_ACCESS,),
    zlint=("w_ext_aia_access_location_missing",),
)
def aia_ca_issuers_http_or_ldap_uri(cert: CertView) -> Outcome:
    locations = _ca_issuers(cert)
    if not any(_is_http_or_ldap(g) for g in locations):
        shown = [
            f"{_KINDS.get(g.kind, g.kind)} {str(g.value)[:300]}" for g in locations[:MAX_SHOWN]
        ]
        return fail(f"no id-ad-caIssuers accessLocation is an HTTP or LDAP URI: {shown!r}")
    return PASS
