"""RFC 5280 Appendix A and B: the string types and characters of name attributes and dNSNames.

The ASN.1 string type an attribute was encoded with is kept by the name decoders (`Attr.tag`):
a decoder turns a UTF8String "US" and a PrintableString "US" into the same text, but
X520countryName is PrintableString only. Attribute lengths against the hard upper bounds are
`subject_attribute_upper_bounds` in names.py; here are the recommended ones.
"""

from __future__ import annotations

import string

from publicsuffixlist import PublicSuffixList

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.names import PRINTABLE_STRING, Attr, Name
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.br_carve_outs import SC12_UNDERSCORES, outside
from audit.lints.rfc5280.names import attributes_too_long, has_dns_names

# X.680 41.4: the PrintableString alphabet.
PRINTABLE = frozenset(string.ascii_letters + string.digits + " '()+,-./:=?")
# C0 controls, DEL and C1 controls: characters with no printed form.
_CONTROL = frozenset(map(chr, [*range(0x20), *range(0x7F, 0xA0)]))


def _shown(attr: Attr) -> str:
    return f"{oids.SHORT_NAMES.get(attr.oid, attr.oid)}={attr.value[:64]!r}"


def _not_printable_problem(where: str, attr: Attr) -> str:
    return f"{where} {_shown(attr)} is ASN.1 type {attr.tag}, not PrintableString"


def _not_printable_string(name: Name, oid: str) -> list[Attr]:
    # A tag of None means the decoder could not tell the type: nothing to judge.
    return [a for a in name.attributes if a.oid == oid and a.tag not in (None, PRINTABLE_STRING)]


def _country_not_printable(name: Name) -> list[Attr]:
    return _not_printable_string(name, oids.COUNTRY)


# -- PrintableString attributes ------------------------------------------------------------


@lint(
    name="country_name_printable_string",
    description="countryName, in the subject and in the issuer, is encoded as PrintableString "
    "(X520countryName ::= PrintableString (SIZE (2))), never UTF8String or another type.",
    citation="RFC 5280 Appendix A.1 (also RFC 2459 Appendix A.1); ITU-T X.520",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    zlint=(
        "e_subject_dn_country_not_printable_string",
        "e_issuer_dn_country_not_printable_string",
    ),
)
def country_name_printable_string(cert: CertView) -> Outcome:
    subject, issuer = _country_not_printable(cert.subject), _country_not_printable(cert.issuer)
    if not subject and not issuer:
        return PASS
    return fail(
        "; ".join(
            _not_printable_problem(where, a)
            for where, attrs in (("subject", subject), ("issuer", issuer))
            for a in attrs
        )
    )


@lint(
    name="serial_number_printable_string",
    description="The subject's serialNumber attribute is encoded as PrintableString "
    "(X520SerialNumber ::= PrintableString (SIZE (1..ub-serial-number))).",
    citation="RFC 5280 Appendix A.1 (also RFC 2459 Appendix A.1); ITU-T X.520",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    when=lambda cert: cert.subject.has(oids.SERIAL_NUMBER),
    zlint=("e_subject_dn_serial_number_not_printable_string",),
)
def serial_number_printable_string(cert: CertView) -> Outcome:
    found = [
        _not_printable_problem("subject", a)
        for a in _not_printable_string(cert.subject, oids.SERIAL_NUMBER)
    ]
    return fail("; ".join(found)) if found else PASS


@lint(
    name="printable_string_alphabet",
    description="Subject attributes encoded as PrintableString hold only its characters: "
    "letters, digits, space and ' ( ) + , - . / : = ? (no '*', '@', '&', '_' or non-ASCII).",
    citation="RFC 5280 Appendix B; ITU-T X.680 41.4",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    zlint=("e_subject_printable_string_badalpha",),
)
def printable_string_alphabet(cert: CertView) -> Outcome:
    found = []
    for a in cert.subject.attributes:
        if a.tag == PRINTABLE_STRING and not PRINTABLE.issuperset(a.value):
            bad = sorted(set(a.value) - PRINTABLE)
            found.append(f"{_shown(a)} contains {''.join(bad)[:20]!r}")
    if found:
        return fail("subject PrintableString " + "; ".join(found))
    return PASS


@lint(
    name="subject_no_control_characters",
    description="No subject attribute value contains a control character (U+0000-U+001F, "
    "U+007F-U+009F). They have no printed form, so the name displays and compares differently "
    "from what was validated; C1 controls in UTF8String text are usually UTF-8 decoded twice.",
    citation="RFC 5280 Appendix A.1; ITU-T X.520 (DirectoryString)",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    zlint=("e_subject_dn_not_printable_characters",),
)
def subject_no_control_characters(cert: CertView) -> Outcome:
    found = [
        f"{_shown(a)} contains U+{ord(next(c for c in a.value if c in _CONTROL)):04X}"
        for a in cert.subject.attributes
        if not _CONTROL.isdisjoint(a.value)
    ]
    return fail("subject " + "; ".join(found)) if found else PASS


# -- recommended lengths ---------------------------------------------------------------------

# X.411 (1988) Annex B upper bounds that X.400-era systems were built to: the subject attributes
# may be longer by RFC 5280's bounds, but some relying parties truncate or reject them.
RECOMMENDED_LENGTHS = {
    oids.GIVEN_NAME: ("givenName", 64),  # ub-common-name-length
    oids.SURNAME: ("surname", 64),  # ub-common-name-length
    oids.POSTAL_CODE: ("postalCode", 16),  # ub-postal-code-length
}


@lint(
    name="subject_attribute_recommended_lengths",
    description="givenName and surname are at most 64 characters and postalCode at most 16, "
    "the X.411 bounds (ub-common-name-length, ub-postal-code-length) that X.400-era software "
    "was built to. RFC 5280's own bounds are larger (givenName and surname 32768; postalCode "
    "takes X.520's 40, checked by subject_attribute_upper_bounds), so this is a warning; "
    "zlint makes the postalCode bound an error (e_subject_postal_code_max_length), applying "
    "the X.400 address attribute's bound to the X.520 attribute.",
    citation="ITU-T X.411 (1988) Annex B; RFC 5280 Appendix A.1 (ub-postal-code-length)",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    zlint=(
        "w_subject_given_name_recommended_max_length",
        "w_subject_surname_recommended_max_length",
        "e_subject_postal_code_max_length",
    ),
)
def subject_attribute_recommended_lengths(cert: CertView) -> Outcome:
    found = attributes_too_long(cert.subject, RECOMMENDED_LENGTHS, "recommended at most")
    return fail("subject " + "; ".join(found)) if found else PASS


# -- underscores in dNSNames -----------------------------------------------------------------
# RFC 5280 4.2.1.6 requires the preferred name syntax (RFC 1034 3.5), which has no "_". The
# registrable label (the one left of the public suffix) names a registration, where DNS
# registries never allow "_"; labels below it are the subscriber's own and DNS itself allows
# "_" there (RFC 2181 11), so there it is a warning. The BR's outright prohibition (from
# 2019-04-01) is san_dns_name_no_underscore.

_PSL = PublicSuffixList()


def _underscore_labels(name: str) -> tuple[bool, bool]:
    """(underscore in the registrable label, underscore in a label below it)."""
    labels = name.lower().rstrip(".").split(".")
    if labels[0] == "*":
        labels = labels[1:]
    suffix = _PSL.publicsuffix(".".join(labels))
    suffix_labels = len(suffix.split(".")) if suffix else 1
    own = labels[:-suffix_labels] or labels[:1]
    return "_" in own[-1], any("_" in label for label in own[:-1])


def _underscored(cert: CertView, in_registrable: bool) -> list[str]:
    return [
        n for n in cert.dns_names
        if "_" in n and _underscore_labels(n)[0 if in_registrable else 1]
    ]  # fmt: skip


@lint(
    name="dns_name_registrable_label_no_underscore",
    description="No dNSName has an underscore in its registrable label, the label left of "
    "the public suffix ('a_b.example.com' is judged by the next lint, 'ex_ample.com' here). "
    "zlint dates the rule from RFC 5280; RFC 2459 already required the preferred name syntax. "
    "A TLS subscriber certificate issued in Ballot SC12's window (2018-12-10 to 2019-04-01) is "
    "'na': the BRs allowed underscores then (br_carve_outs.SC12_UNDERSCORES).",
    citation="RFC 5280 4.2.1.6; RFC 1034 3.5",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    when=outside(SC12_UNDERSCORES, has_dns_names),
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_rfc_dnsname_underscore_in_sld",),
)
def dns_name_registrable_label_no_underscore(cert: CertView) -> Outcome:
    bad = _underscored(cert, True)
    if bad:
        return fail(f"dNSName with '_' in its registrable label: {', '.join(map(repr, bad[:10]))}")
    return PASS


@lint(
    name="dns_name_subdomain_label_no_underscore",
    description="No dNSName has an underscore in a label below its registrable domain "
    "('a_b.example.com'). The preferred name syntax has no '_', but DNS allows it in "
    "subdomains and CAs long issued such names, so this is a warning. zlint dates the rule "
    "from RFC 5280; RFC 2459 already required the preferred name syntax. A TLS subscriber "
    "certificate issued in Ballot SC12's window (2018-12-10 to 2019-04-01) is 'na': the BRs "
    "allowed underscores then (br_carve_outs.SC12_UNDERSCORES).",
    citation="RFC 5280 4.2.1.6; RFC 1034 3.5; RFC 2181 11",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    when=outside(SC12_UNDERSCORES, has_dns_names),
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("w_rfc_dnsname_underscore_in_trd",),
)
def dns_name_subdomain_label_no_underscore(cert: CertView) -> Outcome:
    bad = _underscored(cert, False)
    if bad:
        return fail(
            f"dNSName with '_' below its registrable domain: {', '.join(map(repr, bad[:10]))}"
        )
    return PASS
