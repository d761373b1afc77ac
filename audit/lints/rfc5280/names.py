"""RFC 5280 name rules: subject attribute bounds, the subjectAltName extension, dNSName syntax.

These hold for every certificate, whatever its profile. The CA/Browser Forum's stricter rules
for TLS subscriber names are in `cabf_br/san.py` and `cabf_br/subject.py`.

Values may come from the tolerant decoder: a dNSName can then hold non-ASCII text (it was not
an IA5String) and an iPAddress can be raw octets of the wrong length. Every check here treats
such values as data to report, never as something to trust.
"""

from __future__ import annotations

import unicodedata

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.names import Name
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.dns_syntax import (
    LDH,
    MAX_LABEL,
    dns_syntax_problems,
    general_name_is_empty,
    names_outcome,
    no_dns_name_contains,
    wildcard_problems,
)

# dNSName syntax, wildcards and empty names are judged by `audit/lints/dns_syntax.py`, which the
# issuerAltName lints (issuer_alt_name.py) share.


def has_dns_names(cert: CertView) -> bool:
    return bool(cert.dns_names)


# -- subject -------------------------------------------------------------------------------

# RFC 5280 Appendix A.1 upper bounds; street, postalCode, postOfficeBox and businessCategory are
# not in RFC 5280's module and take X.520's bounds. ASN.1 SIZE counts characters, not octets.
UPPER_BOUNDS: dict[str, tuple[str, int]] = {
    oids.COMMON_NAME: ("commonName", 64),
    oids.SURNAME: ("surname", 32768),
    oids.GIVEN_NAME: ("givenName", 32768),
    oids.NAME: ("name", 32768),
    oids.INITIALS: ("initials", 32768),
    oids.GENERATION_QUALIFIER: ("generationQualifier", 32768),
    oids.LOCALITY: ("localityName", 128),
    oids.STATE: ("stateOrProvinceName", 128),
    oids.ORGANIZATION: ("organizationName", 64),
    oids.ORGANIZATIONAL_UNIT: ("organizationalUnitName", 64),
    oids.TITLE: ("title", 64),
    oids.SERIAL_NUMBER: ("serialNumber", 64),
    oids.PSEUDONYM: ("pseudonym", 128),
    oids.EMAIL_ADDRESS: ("emailAddress", 255),
    oids.STREET: ("streetAddress", 128),
    oids.POSTAL_CODE: ("postalCode", 40),
    oids.POST_OFFICE_BOX: ("postOfficeBox", 40),
    oids.BUSINESS_CATEGORY: ("businessCategory", 128),
}


def attributes_too_long(name: Name, bounds: dict[str, tuple[str, int]], limit: str) -> list[str]:
    """Each attribute of `name` longer than its bound in `bounds` (OID: attribute name, bound),
    said as '<attribute> is <n> characters (<limit> <bound>)'."""
    return [
        f"{bound[0]} is {len(a.value)} characters ({limit} {bound[1]})"
        for a in name.attributes
        if (bound := bounds.get(a.oid)) is not None and len(a.value) > bound[1]
    ]


@lint(
    name="subject_attribute_upper_bounds",
    description="Each subject attribute is no longer than its upper bound: commonName, "
    "organizationName, organizationalUnitName, title and serialNumber 64 characters; "
    "localityName, stateOrProvinceName, streetAddress, pseudonym and businessCategory 128; "
    "emailAddress 255; givenName, surname and the other name parts 32768; postalCode and "
    "postOfficeBox 40. postalCode takes X.520's bound (ub-postal-code 40) because 2.5.4.17 is "
    "the X.520 attribute; zlint applies the X.400 ORAddress bound of 16 "
    "(e_subject_postal_code_max_length), which is not mapped here for that reason.",
    citation="RFC 5280 Appendix A.1 (upper bounds); ITU-T X.520 (ub-street-address, "
    "ub-postal-code, ub-post-office-box, ub-business-category)",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    zlint=(
        "e_subject_common_name_max_length",
        "e_subject_dn_serial_number_max_length",
        "e_subject_email_max_length",
        "e_subject_given_name_max_length",
        "e_subject_locality_name_max_length",
        "e_subject_organization_name_max_length",
        "e_subject_organizational_unit_name_max_length",
        "e_subject_state_name_max_length",
        "e_subject_street_address_max_length",
        "e_subject_surname_max_length",
    ),
)
def subject_attribute_upper_bounds(cert: CertView) -> Outcome:
    too_long = attributes_too_long(cert.subject, UPPER_BOUNDS, "at most")
    if too_long:
        return fail("subject " + "; ".join(too_long))
    return PASS


@lint(
    name="subject_empty_requires_san",
    description="A certificate whose subject is an empty sequence carries a subjectAltName "
    "extension (the name it certifies is there).",
    citation="RFC 5280 4.1.2.6, 4.2.1.6",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    zlint=("e_subject_empty_without_san",),
)
def subject_empty_requires_san(cert: CertView) -> Outcome:
    if cert.subject.is_empty and cert.san is None:
        return fail("the subject is empty and there is no subjectAltName extension")
    return PASS


# -- the subjectAltName extension ------------------------------------------------------------


@lint(
    name="san_critical_when_subject_empty",
    description="When the subject is an empty sequence, the subjectAltName extension is "
    "marked critical.",
    citation="RFC 5280 4.2.1.6",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_ext_san_not_critical_without_subject",),
)
def san_critical_when_subject_empty(cert: CertView) -> Outcome:
    if cert.subject.is_empty and not cert.is_critical(oids.SUBJECT_ALT_NAME):
        return fail("the subject is empty but the subjectAltName extension is not critical")
    return PASS


@lint(
    name="san_not_critical_with_subject",
    description="When the subject is not empty, the subjectAltName extension SHOULD be "
    "non-critical.",
    citation="RFC 5280 4.2.1.6",
    source=Source.RFC5280,
    severity=Status.WARN,
    applies=profiles.ANY,
    effective=dates.RFC_5280,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("w_ext_san_critical_with_subject_dn", "w_san_should_not_be_critical"),
)
def san_not_critical_with_subject(cert: CertView) -> Outcome:
    if not cert.subject.is_empty and cert.is_critical(oids.SUBJECT_ALT_NAME):
        return fail("the subject is not empty but the subjectAltName extension is critical")
    return PASS


@lint(
    name="san_has_entries",
    description="A subjectAltName extension, when present, contains at least one GeneralName.",
    citation="RFC 5280 4.2.1.6",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_ext_san_no_entries",),
)
def san_has_entries(cert: CertView) -> Outcome:
    if not cert.san:
        return fail("the subjectAltName extension has no entries")
    return PASS


@lint(
    name="san_general_name_not_empty",
    description="No subjectAltName entry is empty (an empty dNSName, rfc822Name, URI, "
    "iPAddress or directoryName).",
    citation="RFC 5280 4.2.1.6",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_ext_san_empty_name",),
)
def san_general_name_not_empty(cert: CertView) -> Outcome:
    empty = [g.kind for g in cert.san or () if general_name_is_empty(g)]
    if empty:
        return fail(f"subjectAltName has empty entries of type {', '.join(empty)}")
    return PASS


@lint(
    name="san_ip_address_length",
    description="Each iPAddress in subjectAltName is 4 octets (IPv4) or 16 octets (IPv6).",
    citation="RFC 5280 4.2.1.6",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    when=lambda cert: bool(cert.ip_addresses),
    needs=(oids.SUBJECT_ALT_NAME,),
)
def san_ip_address_length(cert: CertView) -> Outcome:
    # The tolerant decoder keeps an address it cannot read as raw octets.
    bad = [v for v in cert.ip_addresses if isinstance(v, bytes)]
    if bad:
        shown = ", ".join(f"{len(v)} octets ({v.hex()[:64]})" for v in bad)
        return fail(f"subjectAltName iPAddress of the wrong length: {shown}")
    return PASS


@lint(
    name="san_dns_name_syntax",
    description="Each dNSName is in the preferred name syntax: labels of letters, digits and "
    "hyphens, 1 to 63 characters, not beginning or ending with a hyphen, the whole name at "
    "most 253 characters; no spaces, NUL or other characters, no leading dot or empty label. "
    "An IA5String that held other characters fails here too. Underscores and the '*' of "
    "wildcards are judged by their own lints (san_dns_name_no_underscore, "
    "dns_name_wildcard_leftmost_label).",
    citation="RFC 5280 4.2.1.6; RFC 1034 3.5; RFC 1123 2.1; RFC 1035 2.3.4",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    when=has_dns_names,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=(
        "e_dnsname_bad_character_in_label",
        "e_dnsname_empty_label",
        "e_rfc_dnsname_empty_label",
        "e_dnsname_label_too_long",
        "e_rfc_dnsname_label_too_long",
        "e_dnsname_hyphen_in_sld",
        "e_rfc_dnsname_hyphen_in_sld",
        "e_ext_san_dns_name_too_long",
        "e_ext_san_space_dns_name",
        "e_ext_san_dns_not_ia5_string",
        "e_san_dns_name_includes_null_char",
        "e_san_dns_name_starts_with_period",
    ),
)
def san_dns_name_syntax(cert: CertView) -> Outcome:
    # An empty dNSName is san_general_name_not_empty's to report.
    return names_outcome("dNSName", dns_syntax_problems(cert.dns_names))


@lint(
    name="dns_name_wildcard_leftmost_label",
    description="A '*' in a dNSName is the whole leftmost label and is followed by a domain "
    "name: '*.example.com', never 'f*.example.com', 'www.*.example.com' or '*'.",
    citation="BR 1.6.1 (Wildcard Domain Name); RFC 6125 6.4.3; RFC 5280 4.2.1.6",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    when=has_dns_names,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=(
        "e_dnsname_wildcard_only_in_left_label",
        "e_dnsname_left_label_wildcard_correct",
        "e_san_wildcard_not_first",
        "e_san_bare_wildcard",
    ),
)
def dns_name_wildcard_leftmost_label(cert: CertView) -> Outcome:
    if no_dns_name_contains(cert, "*"):
        return PASS
    return names_outcome("dNSName", wildcard_problems(cert.dns_names))


def _a_label_problem(label: str) -> str | None:
    """Why an xn-- label is not the Punycode of a Unicode label in NFC, or None."""
    if len(label) > MAX_LABEL or any(c not in LDH for c in label):
        return None  # san_dns_name_syntax reports it; don't feed Punycode arbitrary input
    try:
        unicode = label[4:].lower().encode("ascii").decode("punycode")
    except UnicodeError:
        return "is not valid Punycode"
    if unicode.isascii():
        return "decodes to ASCII only, so it is no IDN"
    if not unicodedata.is_normalized("NFC", unicode):
        return f"decodes to {unicode!r}, which is not in Unicode normalization form C"
    return None


@lint(
    name="dns_name_idn_is_unicode",
    description="Each dNSName label that starts with 'xn--' is the Punycode of a Unicode "
    "label in normalization form C. zlint dates the NFC requirement from RFC 8399 "
    "(2018-05-01); IDNA2003's nameprep never produced non-NFC labels either, so the whole rule "
    "is dated from RFC 3490. Validity under IDNA2008 is the BR's rule (P-Labels, "
    "san_dns_name_reserved_label).",
    citation="RFC 5280 7.2; RFC 3490 4; RFC 8399 2.1",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_3490,
    when=has_dns_names,
    needs=(oids.SUBJECT_ALT_NAME,),
    zlint=("e_international_dns_name_not_unicode", "e_international_dns_name_not_nfc"),
)
def dns_name_idn_is_unicode(cert: CertView) -> Outcome:
    if no_dns_name_contains(cert, "--"):  # an A-label starts "xn--"
        return PASS
    problems = []
    for name in cert.dns_names:
        for label in name.split("."):
            if label[:4].lower() == "xn--" and (why := _a_label_problem(label)):
                problems.append(f"{name[:300]!r}: label {label!r} {why}")
    if problems:
        return fail("dNSName " + "; ".join(problems[:10]))
    return PASS
