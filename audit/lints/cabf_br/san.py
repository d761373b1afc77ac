"""BR 7.1.4.2.1 / 7.1.2.7.12: the subjectAltName of TLS subscriber certificates.

Every name a subscriber certificate certifies is in subjectAltName, as a dNSName holding a
Fully-Qualified Domain Name (or a Wildcard Domain Name) under a registered TLD, or as an
iPAddress that is not reserved. The syntax of dNSNames (RFC 5280) is judged for every
certificate in `rfc5280/names.py`; here are the BR's stricter rules.

The public suffix list and the TLD list come from the `publicsuffixlist` package (its ICANN
section, as BR 3.2.2.6 advises), not from a hand-kept list.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

import idna

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail, outcome
from audit.lints import dates
from audit.lints.dns_syntax import LDH, MAX_LABEL, is_public_suffix, no_dns_name_contains
from audit.lints.dns_syntax import PSL as _PSL  # the PSL's ICANN section (BR 3.2.2.6)
from audit.lints.rfc5280.names import has_dns_names


@lru_cache(maxsize=8192)
def tld_is_delegated(tld: str) -> bool:
    """Is `tld` a TLD in the IANA root zone (as the PSL's ICANN section lists them)?"""
    return bool(tld) and _PSL.publicsuffix(tld) == tld.lower()


def internal_name_problem(name: str) -> str | None:
    """Why a domain name is an Internal Name (BR 1.6.1), or None. A wildcard prefix is ignored."""
    host = name.lower().removeprefix("*.").removesuffix(".")
    if "." not in host:
        return "is a single label, not a Fully-Qualified Domain Name"
    tld = host.rsplit(".", 1)[1]
    if not tld_is_delegated(tld):
        return f"ends in {tld!r}, which is not a TLD in the IANA root zone"
    return None


# BR 1.6.1 "Reserved IP Address": an address in the IANA IPv4 / IPv6 Special-Purpose Address
# Registries (BR 1.x: marked reserved by IANA). `ipaddress` knows most of them (not global,
# reserved, multicast); these are the registry blocks it counts as global.
_SPECIAL_PURPOSE_GLOBAL = tuple(
    ipaddress.ip_network(n)
    for n in (
        "192.0.0.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24",
        "192.175.48.0/24", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16",
        "2620:4f:8000::/48", "3fff::/20", "5f00::/16",
    )
)  # fmt: skip


def is_reserved_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if not ip.is_global or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
        return True
    return any(ip.version == n.version and ip in n for n in _SPECIAL_PURPOSE_GLOBAL)


def before_internal_name_sunset(cert: CertView) -> bool:
    """BR 1.0 9.2.1: until 2015-11-01, Internal Names and Reserved IP Addresses were allowed
    in certificates that expired by 2015-11-01."""
    sunset = dates.BR_INTERNAL_NAMES_PROHIBITED
    return cert.judged_at < sunset and cert.not_after <= sunset


def internal_names_outcome(cert: CertView, problems: list[str]) -> Outcome:
    if not problems:
        return PASS
    if before_internal_name_sunset(cert):
        return outcome(
            Status.NE,
            "allowed by BR 1.0 9.2.1 (certificate expires by 2015-11-01): " + "; ".join(problems),
        )
    return fail("; ".join(problems[:10]))


_INTERNAL_DATES = (
    "BR 1.0 (2012-07-01) allowed them only in certificates that expire by 2015-11-01 "
    "(dates.BR_INTERNAL_NAMES_PROHIBITED), and prohibits them outright from that date; such "
    "an older certificate gets 'ne'."
)


@lint(
    name="san_extension_present",
    description="Subscriber certificates contain the subjectAltName extension.",
    citation="BR 7.1.2.7.12; BR 7.1.4.2.1 (1.x); BR 1.0 9.2.1",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    zlint=("e_ext_san_missing",),
)
def san_extension_present(cert: CertView) -> Outcome:
    if cert.san is None:
        return fail("there is no subjectAltName extension")
    return PASS


_ALLOWED_KINDS = frozenset({"dns", "ip"})
_KIND_NAMES = {
    "email": "rfc822Name", "uri": "uniformResourceIdentifier", "dirname": "directoryName",
    "other": "otherName", "rid": "registeredID", "x400": "x400Address", "edi": "ediPartyName",
}  # fmt: skip


@lint(
    name="san_only_dns_names_and_ip_addresses",
    description="Each subjectAltName entry of a subscriber certificate is a dNSName or an "
    "iPAddress; no otherName, rfc822Name, URI, directoryName, registeredID, x400Address or "
    "ediPartyName. (zlint has a lint per type. Its vectors for e_ext_san_other_name_present "
    "and e_ext_san_edi_party_name_present each expect 'pass' for a certificate holding the "
    "other type, which this one rule rejects; and its ediPartyName vector is a CA "
    "certificate, outside this rule's profiles. Those vectors disagree by design.)",
    citation="BR 7.1.2.7.12; BR 7.1.4.2.1 (1.x); BR 1.0 9.2.1",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=(
        "e_ext_san_directory_name_present",
        "e_ext_san_registered_id_present",
        "e_ext_san_rfc822_name_present",
        "e_ext_san_uniform_resource_identifier_present",
        "e_ext_san_other_name_present",
        "e_ext_san_edi_party_name_present",
    ),
)
def san_only_dns_names_and_ip_addresses(cert: CertView) -> Outcome:
    other = {
        _KIND_NAMES.get(g.kind, g.kind) for g in cert.san or () if g.kind not in _ALLOWED_KINDS
    }
    if other:
        return fail(f"subjectAltName contains {', '.join(sorted(other))}")
    return PASS


@lint(
    name="san_dns_name_not_internal",
    description="Each dNSName is a Fully-Qualified Domain Name ending in a TLD of the IANA "
    "root zone, not an Internal Name (a single label, or a name under an undelegated TLD such "
    "as .local, .internal or .corp). " + _INTERNAL_DATES + " The TLD list is today's (the "
    "PSL's ICANN section); zlint checks each TLD's delegation dates, so a certificate issued "
    "while a since-retired TLD was delegated is flagged here and not there.",
    citation="BR 7.1.4.2.1; BR 4.2.2; BR 1.6.1 (Internal Name); BR 1.0 9.2.1",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_dnsname_not_valid_tld",),
)
def san_dns_name_not_internal(cert: CertView) -> Outcome:
    problems = [
        f"dNSName {name[:300]!r} {why}"
        for name in cert.dns_names
        if name and (why := internal_name_problem(name))
    ]
    return internal_names_outcome(cert, problems)


@lint(
    name="san_ip_address_not_reserved",
    description="No iPAddress in subjectAltName is a Reserved IP Address: private, loopback, "
    "link-local, documentation, shared, multicast, unspecified or any other block of the IANA "
    "special-purpose registries. " + _INTERNAL_DATES,
    citation="BR 7.1.4.2.1; BR 7.1.2.7.12; BR 1.6.1 (Reserved IP Address); BR 1.0 9.2.1",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    when=lambda cert: bool(cert.ip_addresses),
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_ext_san_contains_reserved_ip",),
)
def san_ip_address_not_reserved(cert: CertView) -> Outcome:
    # Raw octets of the wrong length are not addresses; san_ip_address_length reports them.
    reserved = [
        str(ip) for ip in cert.ip_addresses if not isinstance(ip, bytes) and is_reserved_ip(ip)
    ]
    return internal_names_outcome(
        cert, [f"iPAddress {ip} is a Reserved IP Address" for ip in reserved]
    )


@lint(
    name="san_dns_name_not_public_suffix",
    description="No dNSName is a bare public suffix (a TLD such as 'com' or a registry-"
    "controlled suffix such as 'co.uk'): a Domain Name needs a Base Domain Name that an "
    "applicant can register and be validated for.",
    citation="BR 1.6.1 (Base Domain Name); BR 3.2.2.4; BR 3.2.2.6",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    when=has_dns_names,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_dnsname_contains_bare_iana_suffix", "n_san_iana_pub_suffix_empty"),
)
def san_dns_name_not_public_suffix(cert: CertView) -> Outcome:
    bare = [n for n in cert.dns_names if n and not n.startswith("*") and is_public_suffix(n)]
    if bare:
        return fail(f"dNSName is a bare public suffix: {', '.join(repr(n) for n in bare[:10])}")
    return PASS


@lint(
    name="san_wildcard_not_left_of_public_suffix",
    description="No Wildcard Domain Name has its '*' immediately left of a public suffix "
    "('*.co.uk', '*.com'): the CA must refuse such a name unless the applicant proves control "
    "of the whole namespace, which a linter cannot see, hence a warning.",
    citation="BR 3.2.2.6; BR 1.0 11.1.3",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    when=has_dns_names,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("n_dnsname_wildcard_left_of_public_suffix",),
)
def san_wildcard_not_left_of_public_suffix(cert: CertView) -> Outcome:
    if no_dns_name_contains(cert, "*"):
        return PASS
    bad = [n for n in cert.dns_names if n.startswith("*.") and is_public_suffix(n[2:])]
    if bad:
        return fail(f"wildcard left of a public suffix: {', '.join(repr(n) for n in bad[:10])}")
    return PASS


@lint(
    name="san_dns_name_no_underscore",
    description="No dNSName contains an underscore. (BR 1.6.2 tolerated them in short-lived "
    "certificates from 2018-12-10; Ballot SC12 ended that on 2019-04-01.)",
    citation="BR 7.1.4.2.1; Ballot SC12",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_UNDERSCORE_PROHIBITED,
    when=has_dns_names,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=(
        "e_underscore_not_permissible_in_dnsname",
        "e_dnsname_underscore_in_sld",
        "w_dnsname_underscore_in_trd",
    ),
)
def san_dns_name_no_underscore(cert: CertView) -> Outcome:
    if no_dns_name_contains(cert, "_"):
        return PASS
    bad = [n for n in cert.dns_names if "_" in n]
    if bad:
        return fail(f"dNSName contains '_': {', '.join(repr(n[:300]) for n in bad[:10])}")
    return PASS


def _reserved_label_problem(label: str) -> str | None:
    """Why a label with '--' in positions 3-4 is not a P-Label, or None."""
    if label[:4].lower() != "xn--":
        return "is a reserved LDH label ('--' in the third and fourth positions) but not xn--"
    if len(label) > MAX_LABEL or any(c not in LDH for c in label):
        return None  # san_dns_name_syntax reports it
    try:
        idna.decode(label.lower())
    except (idna.IDNAError, UnicodeError) as exc:
        return f"is not a valid IDNA2008 A-label ({exc})"
    return None


@lint(
    name="san_dns_name_reserved_label",
    description="Each label of a dNSName is a P-Label (an xn-- A-label of a valid IDNA2008 "
    "U-label) or a Non-Reserved LDH Label: no other label has '--' in its third and fourth "
    "characters.",
    citation="BR 7.1.4.2.1 (1.8.0); BR 7.1.2.7.12; BR 1.6.1 (P-Label, Reserved LDH Label); "
    "RFC 5890 2.3.1; RFC 5891; Ballot SC48",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_RESERVED_LABELS_PROHIBITED,
    when=has_dns_names,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_dnsname_contains_prohibited_reserved_label",),
)
def san_dns_name_reserved_label(cert: CertView) -> Outcome:
    if no_dns_name_contains(cert, "--"):  # a reserved label has "--" in its 3rd and 4th places
        return PASS
    problems = []
    for name in cert.dns_names:
        for label in name.split("."):
            if label[2:4] == "--" and (why := _reserved_label_problem(label)):
                problems.append(f"{name[:300]!r}: label {label!r} {why}")
    if problems:
        return fail("dNSName " + "; ".join(problems[:10]))
    return PASS
