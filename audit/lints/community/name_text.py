"""Community practice for the text of names: what no rule forbids but signals a broken
issuance pipeline (certlint's and zlint's community checks).

An HTML entity or UTF-8 read as Latin-1 in a subject means the CA's system escaped or
re-encoded what the applicant typed before putting it into the certificate: the name in the
certificate is not the name that was validated.
"""

from __future__ import annotations

import html.entities
import re
import unicodedata

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.names import Attr, Name
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates


def _shown(attr: Attr) -> str:
    return f"{oids.SHORT_NAMES.get(attr.oid, attr.oid)}={attr.value[:64]!r}"


def _names(cert: CertView) -> tuple[tuple[str, Name], ...]:
    return (("subject", cert.subject), ("issuer", cert.issuer))


def _padded(name: Name) -> list[Attr]:
    """The attributes whose value begins or ends with whitespace."""
    return [a for a in name.attributes if a.value[:1].isspace() or a.value[-1:].isspace()]


@lint(
    name="name_values_no_surrounding_whitespace",
    description="No attribute value in the subject or the issuer begins or ends with "
    "whitespace: it is invisible when the name is shown, yet makes the name compare "
    "differently (as certlint warns).",
    citation="certlint (AWS Labs); RFC 5280 7.1 (name comparison)",
    source=Source.COMMUNITY,
    severity=Status.WARN,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    zlint=(
        "w_subject_dn_leading_whitespace",
        "w_subject_dn_trailing_whitespace",
        "w_issuer_dn_leading_whitespace",
        "w_issuer_dn_trailing_whitespace",
    ),
)
def name_values_no_surrounding_whitespace(cert: CertView) -> Outcome:
    if not _padded(cert.subject) and not _padded(cert.issuer):
        return PASS
    found = []
    for where, name in _names(cert):
        for a in _padded(name):
            leading, trailing = a.value[:1].isspace(), a.value[-1:].isspace()
            if leading or trailing:
                side = " and ".join(
                    s for s, on in (("leading", leading), ("trailing", trailing)) if on
                )
                found.append(f"{where} {_shown(a)} has {side} whitespace")
    return fail("; ".join(found[:10])) if found else PASS


def _multi_valued(name: Name) -> list[tuple[Attr, ...]]:
    return [rdn for rdn in name.rdns if len(rdn) > 1]


@lint(
    name="name_rdns_single_valued",
    description="Each relative distinguished name in the subject and the issuer holds one "
    "attribute. Multi-valued RDNs are allowed, but rare enough in TLS certificates that one "
    "usually means attributes were grouped by mistake (certlint). zlint reports the subject "
    "case as a notice and the issuer case as a warning; here both are notices.",
    citation="certlint (AWS Labs); RFC 5280 4.1.2.4",
    source=Source.COMMUNITY,
    severity=Status.NOTICE,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    zlint=("n_multiple_subject_rdn", "w_multiple_issuer_rdn"),
)
def name_rdns_single_valued(cert: CertView) -> Outcome:
    if not _multi_valued(cert.subject) and not _multi_valued(cert.issuer):
        return PASS
    found = [
        f"{where} RDN with {len(rdn)} attributes ({', '.join(_shown(a) for a in rdn[:4])})"
        for where, name in _names(cert)
        for rdn in _multi_valued(name)
    ]
    return fail("; ".join(found[:10])) if found else PASS


# An entity reference as HTML writes it: named (only the names HTML defines, so "AT&T;" is no
# entity), decimal or hexadecimal.
_ENTITY_NAMES = frozenset(n.rstrip(";") for n in html.entities.html5 if n.endswith(";"))
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|([A-Za-z][A-Za-z0-9]*));")


def _entity(value: str) -> str | None:
    for match in _ENTITY.finditer(value):
        if match.group(1) is None or match.group(1) in _ENTITY_NAMES:
            return match.group()
    return None


@lint(
    name="subject_no_html_entities",
    description="No subject attribute value contains an HTML character reference such as "
    "'&amp;' or '&#xE9;': the applicant's text was HTML-escaped on its way into the "
    "certificate, so the name is not the one validated.",
    citation="zlint community lint (e_subj_contains_html_entities); BR 7.1.4.2 (subject "
    "information is verified)",
    source=Source.COMMUNITY,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    zlint=("e_subj_contains_html_entities",),
)
def subject_no_html_entities(cert: CertView) -> Outcome:
    found = [
        f"{_shown(a)} contains {entity!r}"
        for a in cert.subject.attributes
        if "&" in a.value and (entity := _entity(a.value))
    ]
    return fail("subject " + "; ".join(found[:10])) if found else PASS


def _mojibake() -> re.Pattern[str]:
    """'Ã' followed by what the second UTF-8 octet of U+00C0-U+00FF (C3 80-BF) becomes when the
    octets are read as Windows-1252 or Latin-1: 'Ã©' for 'é', 'Ã¼' for 'ü'. Left out: the
    spaces and invisible characters (no-break space, soft hyphen) that 'Ã' may precede."""
    seconds = set()
    for code_point in range(0xC0, 0x100):
        encoded = chr(code_point).encode("utf-8")
        for codec in ("cp1252", "latin-1"):
            try:
                second = encoded.decode(codec)[1]
            except UnicodeDecodeError:  # octet undefined in Windows-1252
                continue
            if not second.isspace() and unicodedata.category(second) != "Cf":
                seconds.add(second)
    return re.compile("Ã[" + re.escape("".join(sorted(seconds))) + "]")


_MOJIBAKE = _mojibake()


@lint(
    name="subject_no_utf8_read_as_latin1",
    description="No subject attribute value contains UTF-8 that was decoded as Latin-1 or "
    "Windows-1252 ('MÃ¼nchen' for 'München', 'JoÃ£o' for 'João'): the name was re-encoded on "
    "its way into the certificate, so it is not the one validated.",
    citation="zlint community lint (e_utf8_latin1_mixup); ISO/IEC 8859-1; RFC 3629",
    source=Source.COMMUNITY,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    zlint=("e_utf8_latin1_mixup",),
)
def subject_no_utf8_read_as_latin1(cert: CertView) -> Outcome:
    found = [
        f"{_shown(a)} contains {match.group()!r}"
        for a in cert.subject.attributes
        if "Ã" in a.value and (match := _MOJIBAKE.search(a.value))
    ]
    return fail("subject " + "; ".join(found[:10])) if found else PASS
