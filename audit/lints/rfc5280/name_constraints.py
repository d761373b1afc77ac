"""RFC 5280 4.2.1.10: the nameConstraints extension.

Only CA certificates carry it, always critical, never empty; its GeneralSubtrees use only the
base (minimum 0, no maximum), and URI constraints name hosts or domains. The subtrees are read
from the DER (`CertView.name_constraints`), because `cryptography` silently drops the minimum
and maximum fields these rules are about.
"""

from __future__ import annotations

import ipaddress

from audit.engine import oids, profiles
from audit.engine.certview import CertView, GeneralSubtree
from audit.engine.der import children, header
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.br_carve_outs import NON_CRITICAL_NAME_CONSTRAINTS, outside
from audit.lints.dns_syntax import dns_syntax_problem, names_outcome

_SUBTREE_FIELDS = {0xA0: "permittedSubtrees", 0xA1: "excludedSubtrees"}
_IP_ADDRESS = 0x87  # GeneralName iPAddress, [7] IMPLICIT OCTET STRING


def ip_subtree_octets(cert: CertView) -> list[tuple[str, bytes]]:
    """(field, octets) of each iPAddress GeneralSubtree base, as encoded: `name_constraints`
    reads a range into an ip_network, which drops any address bits outside its mask."""
    raw = cert.extension_value_der(oids.NAME_CONSTRAINTS)
    if raw is None:
        return []
    found = []
    start, end = header(raw, 0)  # NameConstraints
    for tag, pos, _ in children(raw, start, end):
        where = _SUBTREE_FIELDS.get(tag)
        if where is None:
            continue
        first, last = header(raw, pos)  # GeneralSubtrees
        for _, subtree, _ in children(raw, first, last):
            base, stop = header(raw, subtree)  # GeneralSubtree: base comes first
            if base < stop and raw[base] == _IP_ADDRESS:
                value_start, value_end = header(raw, base)
                found.append((where, raw[value_start:value_end]))
    return found


def _subtrees(cert: CertView) -> list[tuple[str, GeneralSubtree]]:
    """Every GeneralSubtree with the field it is in."""
    nc = cert.name_constraints
    if nc is None:
        return []
    return [("permittedSubtrees", s) for s in nc.permitted or ()] + [
        ("excludedSubtrees", s) for s in nc.excluded or ()
    ]


@lint(
    name="name_constraints_critical",
    description="The nameConstraints extension is marked critical. The BRs allow a subordinate "
    "CA certificate's to be non-critical, as an explicit exception from RFC 5280 (Ballot 75): "
    "there this rule gives way ('na') and subordinate_ca_name_constraints_critical (a warning) "
    "judges it (br_carve_outs.NON_CRITICAL_NAME_CONSTRAINTS).",
    citation="RFC 5280 4.2.1.10",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    when=outside(NON_CRITICAL_NAME_CONSTRAINTS),
    needs=(oids.NAME_CONSTRAINTS,),
    zlint=("e_ext_name_constraints_not_critical",),
)
def name_constraints_critical(cert: CertView) -> Outcome:
    if not cert.is_critical(oids.NAME_CONSTRAINTS):
        return fail("nameConstraints is not marked critical")
    return PASS


@lint(
    name="name_constraints_only_in_ca",
    description="Only a CA certificate (basicConstraints cA true) carries nameConstraints.",
    citation="RFC 5280 4.2.1.10",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    needs=(oids.NAME_CONSTRAINTS,),
    zlint=("e_ext_name_constraints_not_in_ca",),
)
def name_constraints_only_in_ca(cert: CertView) -> Outcome:
    if not cert.is_ca:
        return fail("nameConstraints in a certificate that is not a CA certificate")
    return PASS


@lint(
    name="name_constraints_not_empty",
    description="nameConstraints is not an empty sequence: permittedSubtrees or "
    "excludedSubtrees is present.",
    citation="RFC 5280 4.2.1.10",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_5280,
    needs=(oids.NAME_CONSTRAINTS,),
    zlint=("e_name_constraint_empty",),
)
def name_constraints_not_empty(cert: CertView) -> Outcome:
    nc = cert.name_constraints
    if nc is None or (nc.permitted is None and nc.excluded is None):
        return fail("nameConstraints has neither permittedSubtrees nor excludedSubtrees")
    return PASS


@lint(
    name="name_constraints_minimum_zero",
    description="Every GeneralSubtree's minimum is zero (the field is not used; DER leaves "
    "the default out).",
    citation="RFC 5280 4.2.1.10",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    needs=(oids.NAME_CONSTRAINTS,),
    zlint=("e_name_constraint_minimum_non_zero",),
)
def name_constraints_minimum_zero(cert: CertView) -> Outcome:
    bad = [f"{where} minimum {s.minimum}" for where, s in _subtrees(cert) if s.minimum != 0]
    return names_outcome("nameConstraints has", bad)


@lint(
    name="name_constraints_maximum_absent",
    description="No GeneralSubtree has a maximum (the field is not used and MUST be absent).",
    citation="RFC 5280 4.2.1.10",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    needs=(oids.NAME_CONSTRAINTS,),
    zlint=("e_name_constraint_maximum_not_absent",),
)
def name_constraints_maximum_absent(cert: CertView) -> Outcome:
    bad = [f"{where} maximum {s.maximum}" for where, s in _subtrees(cert) if s.maximum is not None]
    return names_outcome("nameConstraints has", bad)


def uri_constraint_problem(value: str) -> str | None:
    """Why a URI name constraint is not a host or (with a leading '.') a domain, given as a
    fully qualified domain name; or None."""
    name = value.removeprefix(".")
    try:
        ipaddress.ip_address(name)
        return "is an IP address, not a domain name"
    except ValueError:
        pass
    why = dns_syntax_problem(name)
    if why is None and "*" in name:
        why = "contains '*'"
    if why is None and len(name.split(".")) < 2:
        why = "is a single label, not a fully qualified domain name"
    return why


@lint(
    name="name_constraints_uri_is_fqdn",
    description="Each uniformResourceIdentifier constraint is a fully qualified domain name: a "
    "host ('host.example.com') or, with a leading period, a domain ('.example.com'); never a "
    "URI, an IP address or a single label.",
    citation="RFC 5280 4.2.1.10",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_5280,
    needs=(oids.NAME_CONSTRAINTS,),
    zlint=("e_name_constraint_not_fqdn",),
)
def name_constraints_uri_is_fqdn(cert: CertView) -> Outcome:
    problems = [
        f"{where} URI {s.base.value[:300]!r} {why}"
        for where, s in _subtrees(cert)
        if s.base.kind == "uri" and (why := uri_constraint_problem(s.base.value))
    ]
    return names_outcome("nameConstraints:", problems)


_UNSUPPORTED_FORMS = {"x400": "x400Address", "edi": "ediPartyName", "rid": "registeredID"}


@lint(
    name="name_constraints_no_x400_edi_or_registered_id",
    description="nameConstraints imposes no constraint on the x400Address, ediPartyName or "
    "registeredID name forms (RFC 5280 defines no matching rules for them).",
    citation="RFC 5280 4.2.1.10",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.ANY,
    effective=dates.RFC_5280,
    needs=(oids.NAME_CONSTRAINTS,),
    zlint=(
        "w_name_constraint_on_x400",
        "w_name_constraint_on_edi_party_name",
        "w_name_constraint_on_registered_id",
    ),
)
def name_constraints_no_x400_edi_or_registered_id(cert: CertView) -> Outcome:
    forms = sorted(
        {
            _UNSUPPORTED_FORMS[s.base.kind]
            for _, s in _subtrees(cert)
            if s.base.kind in _UNSUPPORTED_FORMS
        }
    )
    if forms:
        return fail(f"nameConstraints constrains {', '.join(forms)}")
    return PASS


def ip_range_problem(octets: bytes) -> str | None:
    """Why an iPAddress name constraint is not an address range in the style of CIDR (RFC 4632):
    8 octets (IPv4) or 32 (IPv6), an address then a mask of leading one bits, and no address bit
    outside the mask (10.9.8.0 FF.FF.FF.00, never 10.9.8.1 FF.FF.FF.00); or None."""
    if len(octets) not in (8, 32):
        return f"is {len(octets)} octets, not 8 (IPv4) or 32 (IPv6)"
    half = len(octets) // 2
    bits = half * 8
    address = int.from_bytes(octets[:half], "big")
    mask = int.from_bytes(octets[half:], "big")
    prefix = bin(mask).count("1")
    if mask != ((1 << bits) - 1) ^ ((1 << (bits - prefix)) - 1):
        return f"has mask {ipaddress.ip_address(octets[half:])}, not a run of leading one bits"
    if address & ~mask:
        return f"{ipaddress.ip_address(octets[:half])}/{prefix} has address bits outside its mask"
    return None


@lint(
    name="name_constraints_ip_range_cidr",
    description="Each iPAddress in nameConstraints is an address range encoded in the style of "
    "CIDR: 8 octets for IPv4 or 32 for IPv6, an address followed by a mask whose one bits are "
    "contiguous from the left, and no address bit set outside the mask (host bits). zlint has "
    "no equivalent.",
    citation="RFC 5280 4.2.1.10 (RFC 2459 4.2.1.11); RFC 4632",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    when=lambda cert: bool(ip_subtree_octets(cert)),
    needs=(oids.NAME_CONSTRAINTS,),
)
def name_constraints_ip_range_cidr(cert: CertView) -> Outcome:
    problems = [
        f"{where} iPAddress {octets[:32].hex()} {why}"
        for where, octets in ip_subtree_octets(cert)
        if (why := ip_range_problem(octets))
    ]
    return names_outcome("nameConstraints:", problems)
