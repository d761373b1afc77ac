""".onion names (RFC 7686, EVG Appendix F, BR Appendix C/B) and reverse-DNS names under .arpa.

Both are names the DNS root does not resolve the ordinary way, so the BRs hold them to rules of
their own:

- .onion: from 2015-05-01 (Ballot 144) only in EV certificates issued under EVG Appendix F;
  from Ballot SC27 (BR 1.6.9) also in other certificates when the name is a Version 3 Onion
  Address (BR Appendix C, Appendix B since BR 2.0). An EV certificate for a version 2 address
  carries the TorServiceDescriptor extension (Ballot 201).
- in-addr.arpa / ip6.arpa: a name that spells a Reserved IP Address is as prohibited as the
  address; names that spell no address are suspect; and from 2026-03-15 (Ballot SC-086v3) no
  name under an IP Reverse Zone Suffix is allowed at all.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import re
from urllib.parse import urlsplit

from asn1crypto import core

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br.san import internal_names_outcome, is_reserved_ip

# -- .onion -------------------------------------------------------------------------------------

ONION_V2_LENGTH = 16  # Tor rend-spec v2 1.5: 80 bits of a key hash, base32
ONION_V3_LENGTH = 56  # Tor rend-spec v3 6: base32(PUBKEY | CHECKSUM | VERSION), 35 octets
_BASE32 = re.compile(r"[a-z2-7]+")


def _is_onion(name: str) -> bool:
    tail = name[-7:].lower().rstrip(".")
    return tail.endswith(".onion") or tail == "onion"


def onion_names(cert: CertView) -> list[str]:
    """dNSNames and commonNames whose rightmost label is "onion" (Ballot 144 names both)."""
    names = [*cert.dns_names, *cert.subject.values(oids.COMMON_NAME)]
    return [n for n in names if _is_onion(n)]


def _shown(names: list[str]) -> str:
    return ", ".join(repr(n[:300]) for n in names[:10])


def has_onion_names(cert: CertView) -> bool:
    """Whether a dNSName is under .onion. (A commonName must be a dNSName too, which the
    commonName lints check; the rules below then read both.)"""
    return "onion" in cert.dns_name_tlds


def _onion_label(name: str) -> str | None:
    """The label immediately left of "onion" (lower case), or None when there is none."""
    labels = name.lower().rstrip(".").split(".")
    return labels[-2] if len(labels) >= 2 else None


def is_v3_onion_label(label: str) -> bool:
    """A Version 3 Onion Address as rend-spec-v3 section 6 defines it: version byte 3 and a
    checksum of SHA3-256(".onion checksum" | PUBKEY | VERSION)."""
    if len(label) != ONION_V3_LENGTH or not _BASE32.fullmatch(label):
        return False
    raw = base64.b32decode(label.upper())
    pubkey, checksum, version = raw[:32], raw[32:34], raw[34:]
    return version == b"\x03" and (
        hashlib.sha3_256(b".onion checksum" + pubkey + version).digest()[:2] == checksum
    )


def _is_v2_onion_label(label: str) -> bool:
    return len(label) == ONION_V2_LENGTH and bool(_BASE32.fullmatch(label))


def _onion_address_problem(name: str) -> str | None:
    label = _onion_label(name)
    if not label:
        return "has no label left of 'onion'"
    if len(label) == ONION_V3_LENGTH:
        if not _BASE32.fullmatch(label):
            return "has characters outside base32 in its v3 onion address"
        if not is_v3_onion_label(label):
            return "is not a valid Version 3 Onion Address (version byte or checksum wrong)"
        return None
    if len(label) == ONION_V2_LENGTH:
        if not _BASE32.fullmatch(label):
            return "has characters outside base32 in its v2 onion address"
        return None
    return f"has a {len(label)}-character onion address (v2 has 16, v3 has 56)"


def _ev_only_onion_names(cert: CertView) -> list[str]:
    """The .onion names only an EV certificate may carry: all of them before Ballot SC27, then
    those that are not Version 3 Onion Addresses. (Whether a 56-character address is a valid
    one is onion_name_is_tor_address's question.)"""
    names = onion_names(cert)
    if cert.judged_at < dates.BR_ONION_V3_ANY_VALIDATION:
        return names
    return [n for n in names if len(_onion_label(n) or "") != ONION_V3_LENGTH]


def _has_ev_only_onion_names(cert: CertView) -> bool:
    return has_onion_names(cert) and bool(_ev_only_onion_names(cert))


@lint(
    name="onion_name_requires_ev",
    description="A certificate with a .onion name (in subjectAltName or commonName) is an EV "
    "certificate issued under EVG Appendix F, from 2015-05-01 (Ballot 144). From Ballot SC27 "
    "(BR 1.6.9, 2020-03-27) a certificate of any validation type may carry .onion names that "
    "are Version 3 Onion Addresses (BR Appendix C); other .onion names stay EV-only, and a "
    "certificate with v3 names only is 'na'. EV is the detected profile (the CA/B Forum EV "
    "policy OID); zlint also counts CA-specific EV OIDs.",
    citation="BR 7.1.4.2.1 and 9.2.1 (Ballot 144); EVG Appendix F; BR Appendix C (1.6.9) / "
    "Appendix B (2.0); Ballot SC27",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_ONION_EV_ONLY,
    when=_has_ev_only_onion_names,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_san_dns_name_onion_not_ev_cert", "e_san_dns_name_onion_invalid"),
)
def onion_name_requires_ev(cert: CertView) -> Outcome:
    if cert.profile in profiles.EV:
        return PASS
    return fail(f"certificate is not EV but has .onion names: {_shown(_ev_only_onion_names(cert))}")


@lint(
    name="onion_name_is_tor_address",
    description="Each .onion name has at least two labels, and the label left of 'onion' is a "
    "Tor onion address: 16 base32 characters (version 2) or a Version 3 Onion Address (56 "
    "base32 characters whose version byte is 3 and whose checksum matches, rend-spec-v3 "
    "section 6). zlint checks only the length and the alphabet, so a v3 name with a wrong "
    "checksum (such as its vector onionSANv3Name) passes there and fails here: the CA cannot "
    "have validated control of a name no onion service key produces.",
    citation="RFC 7686 1-2; EVG Appendix F; BR Appendix C (1.6.9) / Appendix B (2.0); Tor "
    "rend-spec v2 1.5, rend-spec-v3 6",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_ONION_EV_ONLY,
    when=has_onion_names,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_san_dns_name_onion_invalid",),
)
def onion_name_is_tor_address(cert: CertView) -> Outcome:
    problems = [
        f"{name[:300]!r} {why}"
        for name in onion_names(cert)
        if (why := _onion_address_problem(name))
    ]
    if problems:
        return fail(".onion name " + "; ".join(problems[:10]))
    return PASS


# TorServiceDescriptorSyntax (EVG Appendix F, Ballot 201), read with asn1crypto.
class _TorServiceDescriptorHash(core.Sequence):
    _fields = [
        ("onion_uri", core.UTF8String),
        ("algorithm", core.Sequence),  # AlgorithmIdentifier; only its OID is read
        ("subject_public_key_hash", core.BitString),
    ]


class _TorServiceDescriptors(core.SequenceOf):
    _child_spec = _TorServiceDescriptorHash


_HASH_BITS = {
    "2.16.840.1.101.3.4.2.1": ("SHA-256", 256),
    "2.16.840.1.101.3.4.2.2": ("SHA-384", 384),
    "2.16.840.1.101.3.4.2.3": ("SHA-512", 512),
}


def _onion_base(name: str) -> str:
    return ".".join(name.lower().rstrip(".").split(".")[-2:])


def _descriptor_applies(cert: CertView) -> bool:
    if oids.TOR_SERVICE_DESCRIPTOR in cert.extensions:
        return True
    return (
        cert.profile in profiles.EV
        and has_onion_names(cert)
        and any(_is_v2_onion_label(_onion_label(n) or "") for n in onion_names(cert))
    )


def _descriptor_problems(cert: CertView) -> list[str]:
    raw = cert.extension_value_der(oids.TOR_SERVICE_DESCRIPTOR)
    if raw is None:
        return ["the certificate has v2 .onion names but no TorServiceDescriptor extension"]
    try:
        descriptors = _TorServiceDescriptors.load(raw, strict=True)
        entries = [
            (d["onion_uri"].native, d["algorithm"][0].dotted, d["subject_public_key_hash"])
            for d in descriptors
        ]
    except (ValueError, TypeError, KeyError, IndexError, UnicodeDecodeError) as exc:
        return [f"the TorServiceDescriptor extension does not decode: {exc}"]
    if not entries:
        return ["the TorServiceDescriptor extension has no TorServiceDescriptorHash"]
    bases = {_onion_base(n) for n in onion_names(cert) if _onion_label(n)}
    problems: list[str] = []
    seen: set[str] = set()
    for uri, algorithm, digest in entries:
        parts = urlsplit(uri)
        host = (parts.hostname or "").lower()
        if parts.scheme != "https" or not host:
            problems.append(f"onionURI {uri[:200]!r} is not an https URL with a host")
            continue
        if algorithm not in _HASH_BITS:
            problems.append(f"onionURI {uri[:200]!r} uses hash algorithm {algorithm}")
        else:
            label, bits = _HASH_BITS[algorithm]
            if len(digest.native) != bits:
                problems.append(f"{label} hash for {uri[:200]!r} is {len(digest.native)} bits")
        if host in seen:
            problems.append(f"more than one TorServiceDescriptorHash for {host!r}")
        seen.add(host)
        if host not in bases:
            problems.append(f"onionURI host {host!r} is not a .onion name of the certificate")
    if cert.profile in profiles.EV:
        missing = sorted(bases - seen)
        if missing:
            problems.append(f"no TorServiceDescriptorHash for {', '.join(missing)}")
    return problems


@lint(
    name="ev_onion_tor_service_descriptor",
    description="An EV certificate with a version 2 .onion name carries the "
    "TorServiceDescriptor extension (2.23.140.1.31) with one TorServiceDescriptorHash per "
    ".onion name; and wherever the extension appears, each entry has an https onionURI whose "
    "host is a .onion name of the certificate (at most one entry per host) and a SHA-256, "
    "SHA-384 or SHA-512 hash of the right length. (Version 3 names issued under BR Appendix C "
    "need no descriptor.)",
    citation="EVG Appendix F (Ballot 201); Ballot SC27",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.EV_BALLOT_201,
    when=_descriptor_applies,
    zlint=("e_ext_tor_service_descriptor_hash_invalid",),
)
def ev_onion_tor_service_descriptor(cert: CertView) -> Outcome:
    problems = _descriptor_problems(cert)
    if problems:
        return fail("; ".join(problems[:10]))
    return PASS


# -- reverse-DNS names under .arpa --------------------------------------------------------------

_IPV4_REVERSE = ".in-addr.arpa"
_IPV6_REVERSE = ".ip6.arpa"
_DECIMAL_OCTET = re.compile(r"0|[1-9][0-9]{0,2}")
_HEX_DIGIT = re.compile(r"[0-9a-f]")


def _reverse_zone(name: str) -> str | None:
    lower = name.lower().rstrip(".")
    for suffix in (_IPV4_REVERSE, _IPV6_REVERSE):
        if lower.endswith(suffix) or lower == suffix[1:]:
            return suffix
    return None


def reverse_names(cert: CertView) -> list[str]:
    return [n for n in cert.dns_names if _reverse_zone(n)]


def has_reverse_names(cert: CertView) -> bool:
    return "arpa" in cert.dns_name_tlds and any(_reverse_zone(n) for n in cert.dns_names)


def reverse_name_address(
    name: str,
) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address | None, str | None]:
    """The address a reverse-DNS name spells (RFC 1035 3.5, RFC 3596 2.5), or why it spells none."""
    lower = name.lower().rstrip(".")
    suffix = _reverse_zone(lower)
    labels = lower.removesuffix(suffix or "").split(".") if lower != (suffix or "")[1:] else []
    if suffix == _IPV4_REVERSE:
        if len(labels) != 4:
            return None, f"has {len(labels)} labels before {suffix!r}, not 4"
        if not all(_DECIMAL_OCTET.fullmatch(x) and int(x) <= 255 for x in labels):
            return None, "does not spell an IPv4 address in decimal octets"
        return ipaddress.IPv4Address(".".join(reversed(labels))), None
    if len(labels) != 32:
        return None, f"has {len(labels)} labels before {suffix!r}, not 32"
    if not all(_HEX_DIGIT.fullmatch(x) for x in labels):
        return None, "does not spell an IPv6 address in single hexadecimal digits"
    return ipaddress.IPv6Address(binascii.unhexlify("".join(reversed(labels)))), None


@lint(
    name="san_reverse_dns_name_not_reserved",
    description="No dNSName under in-addr.arpa or ip6.arpa spells a Reserved IP Address "
    "(1.1.168.192.in-addr.arpa names 192.168.1.1): a certificate for it certifies the "
    "reserved address as surely as an iPAddress would. BR 1.0 (2012-07-01) allowed Reserved "
    "IP Addresses only in certificates that expire by 2015-11-01; such an older certificate "
    "gets 'ne'.",
    citation="BR 7.1.4.2.1; BR 4.2.2; BR 1.6.1 (Reserved IP Address); RFC 1035 3.5; RFC 3596 2.5",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    when=has_reverse_names,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_subject_contains_reserved_arpa_ip",),
)
def san_reverse_dns_name_not_reserved(cert: CertView) -> Outcome:
    problems = []
    for name in reverse_names(cert):
        address, _ = reverse_name_address(name)
        if address is not None and is_reserved_ip(address):
            problems.append(f"dNSName {name!r} names the Reserved IP Address {address}")
    return internal_names_outcome(cert, problems)


@lint(
    name="san_reverse_dns_name_well_formed",
    description="A dNSName under in-addr.arpa spells a whole IPv4 address (four decimal "
    "octets) and one under ip6.arpa a whole IPv6 address (32 hexadecimal digits): a name in "
    "these registry-controlled zones that spells a network or nothing at all is not one a "
    "CA can tie to an address it validated. A SHOULD-level finding, as in zlint.",
    citation="BR 3.2.2.6 (registry-controlled zones); BR 3.2.2.5; RFC 1035 3.5; RFC 3596 2.5",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    when=has_reverse_names,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("w_subject_contains_malformed_arpa_ip",),
)
def san_reverse_dns_name_well_formed(cert: CertView) -> Outcome:
    problems = [
        f"{name[:300]!r} {why}"
        for name in reverse_names(cert)
        if (why := reverse_name_address(name)[1])
    ]
    if problems:
        return fail("dNSName " + "; ".join(problems[:10]))
    return PASS


@lint(
    name="san_dns_name_not_in_reverse_zone",
    description="No dNSName ends in an IP Reverse Zone Suffix (in-addr.arpa or ip6.arpa): "
    "those zones map addresses to names and hold no hostnames to certify.",
    citation="BR 4.2.2 (Ballot SC-086v3); BR 1.6.1 (IP Reverse Zone Suffix)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_REVERSE_ZONE_PROHIBITED,
    when=lambda cert: bool(cert.dns_names),
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_arpa_domain_not_allowed",),
)
def san_dns_name_not_in_reverse_zone(cert: CertView) -> Outcome:
    if "arpa" not in cert.dns_name_tlds:
        return PASS
    bad = reverse_names(cert)
    if bad:
        return fail(f"dNSName ends in an IP Reverse Zone Suffix: {_shown(bad)}")
    return PASS
