"""BR 7.1.4: how subject names are encoded and what their values may be.

Two generations of rules:

- BR 1.x 7.1.4.2.2 (and BR 1.0 9.2): commonName is deprecated, holds a single name, no
  attribute holds placeholder metadata such as '-' or '.', organizationalUnitName needs
  organizationName (Ballot SC47).
- BR 2.0 (Ballot SC62, from 2023-09-15) 7.1.4.1 / 7.1.4.2 and the subscriber profiles of
  7.1.2.7.2-5: one attribute per RDN, each attribute type once (except streetAddress and
  domainComponent), the attributes of Table "Encoding and Order Requirements" in that relative
  order, each with its string type and upper bound; commonName NOT RECOMMENDED; for OV and IV
  certificates, postalCode, streetAddress and attributes the profile does not list NOT
  RECOMMENDED; domainComponent the labels of one domain name, closest to the root first.
  Which attributes a DV certificate may carry at all (countryName and commonName) is
  `dv_policy_subject_country_and_common_name_only` in `extensions.py`.

7.1.4.1 binds every certificate of 7.1.2 (roots, OCSP responders, subscribers), except that a
Cross-Certified Subordinate CA Certificate copies its subject byte for byte from the existing
CA certificate (7.1.2.2.2). The profiles cannot tell a cross-certificate from another
subordinate CA certificate, so the encoding rules here leave subordinate CA certificates out
rather than report every cross-certificate of an older CA.
"""

from __future__ import annotations

import re

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.names import (
    BMP_STRING,
    IA5_STRING,
    PRINTABLE_STRING,
    TELETEX_STRING,
    UNIVERSAL_STRING,
    UTF8_STRING,
    Attr,
)
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br._shared import has_common_name
from audit.lints.cabf_br.san import tld_is_delegated
from audit.lints.dns_syntax import ip_address_or_none

_NAMES = {
    **oids.SHORT_NAMES,
    oids.COMMON_NAME: "commonName", oids.COUNTRY: "countryName", oids.LOCALITY: "localityName",
    oids.STATE: "stateOrProvinceName", oids.STREET: "streetAddress",
    oids.ORGANIZATION: "organizationName", oids.ORGANIZATIONAL_UNIT: "organizationalUnitName",
    oids.SURNAME: "surname", oids.GIVEN_NAME: "givenName", oids.DOMAIN_COMPONENT: "domainComponent",
    oids.JURISDICTION_COUNTRY: "jurisdictionCountry",
    oids.JURISDICTION_STATE: "jurisdictionStateOrProvince",
    oids.JURISDICTION_LOCALITY: "jurisdictionLocality",
}  # fmt: skip
_TAG_NAMES = {
    UTF8_STRING: "UTF8String", PRINTABLE_STRING: "PrintableString",
    TELETEX_STRING: "TeletexString", IA5_STRING: "IA5String",
    UNIVERSAL_STRING: "UniversalString", BMP_STRING: "BMPString",
}  # fmt: skip


def _name(oid: str) -> str:
    return _NAMES.get(oid, oid)


# BR 2.0 applies these to every certificate of 7.1.2 but cross-certificates (see above).
NAME_FORM_PROFILES = profiles.SUBSCRIBER_TLS | {
    profiles.Profile.ROOT_CA,
    profiles.Profile.OCSP_RESPONDER,
}
_CROSS_CERT_NOTE = (
    " Not applied to subordinate CA certificates: a cross-certificate copies an existing "
    "subject byte for byte (7.1.2.2.2), and the profile cannot tell one from the other."
)

# -- BR 2.0 7.1.4.2: order, string types, upper bounds ------------------------------------------

# Table "Encoding and Order Requirements for Selected Attributes", in its order.
ORDERED_ATTRIBUTES = (
    oids.DOMAIN_COMPONENT, oids.COUNTRY, oids.STATE, oids.LOCALITY, oids.POSTAL_CODE,
    oids.STREET, oids.ORGANIZATION, oids.SURNAME, oids.GIVEN_NAME, oids.ORGANIZATIONAL_UNIT,
    oids.COMMON_NAME,
)  # fmt: skip
_RANK = {oid: i for i, oid in enumerate(ORDERED_ATTRIBUTES)}

_DIRECTORY = frozenset({UTF8_STRING, PRINTABLE_STRING})
_PRINTABLE = frozenset({PRINTABLE_STRING})
# Both tables of 7.1.4.2: the string types each attribute may use.
ALLOWED_STRING_TYPES: dict[str, frozenset[int]] = {
    oids.DOMAIN_COMPONENT: frozenset({IA5_STRING}),
    oids.COUNTRY: _PRINTABLE,
    oids.STATE: _DIRECTORY,
    oids.LOCALITY: _DIRECTORY,
    oids.POSTAL_CODE: _DIRECTORY,
    oids.STREET: _DIRECTORY,
    oids.ORGANIZATION: _DIRECTORY,
    oids.SURNAME: _DIRECTORY,
    oids.GIVEN_NAME: _DIRECTORY,
    oids.ORGANIZATIONAL_UNIT: _DIRECTORY,
    oids.COMMON_NAME: _DIRECTORY,
    oids.BUSINESS_CATEGORY: _DIRECTORY,
    oids.JURISDICTION_COUNTRY: _PRINTABLE,
    oids.JURISDICTION_STATE: _DIRECTORY,
    oids.JURISDICTION_LOCALITY: _DIRECTORY,
    oids.SERIAL_NUMBER: _PRINTABLE,
    oids.ORGANIZATION_IDENTIFIER: _DIRECTORY,
}
# 7.1.4.2's "Max Length" where it is stricter than RFC 5280's upper bound (which
# subject_attribute_upper_bounds checks): surname and givenName 64 (RFC 5280's 32768 is, says
# the BR, a transcription error), domainComponent 63 (a DNS label).
BR_MAX_LENGTHS = {oids.DOMAIN_COMPONENT: 63, oids.SURNAME: 64, oids.GIVEN_NAME: 64}
# 7.1.4.1: "unless explicitly allowed": 7.1.2.7.3-4 allow several streetAddress and
# domainComponent attributes.
MAY_REPEAT = frozenset({oids.STREET, oids.DOMAIN_COMPONENT})


@lint(
    name="subject_attribute_order",
    description="The subject attributes listed in BR 7.1.4.2's first table appear in its "
    "order: domainComponent, countryName, stateOrProvinceName, localityName, postalCode, "
    "streetAddress, organizationName, surname, givenName, organizationalUnitName, commonName. "
    "Other attributes (the EV jurisdiction attributes, serialNumber, businessCategory) may "
    "stand anywhere." + _CROSS_CERT_NOTE,
    citation="BR 2.0 7.1.4.1; BR 2.0 7.1.4.2",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=NAME_FORM_PROFILES,
    effective=dates.BR_2_0,
    zlint=("e_invalid_subject_rdn_order",),
)
def subject_attribute_order(cert: CertView) -> Outcome:
    latest: str | None = None
    for attr in cert.subject.attributes:
        rank = _RANK.get(attr.oid)
        if rank is None:
            continue
        if latest is not None and rank < _RANK[latest]:
            return fail(f"subject {_name(attr.oid)} comes after {_name(latest)}")
        latest = attr.oid
    return PASS


@lint(
    name="subject_attribute_string_type",
    description="Each subject attribute listed in BR 7.1.4.2 uses the string type it "
    "prescribes: PrintableString for countryName, serialNumber and jurisdictionCountry; "
    "IA5String for domainComponent; UTF8String or PrintableString for the others "
    "(stateOrProvinceName, localityName, postalCode, streetAddress, organizationName, surname, "
    "givenName, organizationalUnitName, commonName, businessCategory, jurisdictionLocality, "
    "jurisdictionStateOrProvince, organizationIdentifier). Values a strict decoder refused, "
    "whose string type is unknown, are not judged." + _CROSS_CERT_NOTE,
    citation="BR 2.0 7.1.4.2 (both tables)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=NAME_FORM_PROFILES,
    effective=dates.BR_2_0,
    zlint=("e_subject_rdns_correct_encoding",),
)
def subject_attribute_string_type(cert: CertView) -> Outcome:
    wrong = [
        f"{_name(a.oid)} is encoded as {_TAG_NAMES.get(a.tag, f'tag {a.tag}')}"
        for a in cert.subject.attributes
        if a.tag is not None and a.oid in ALLOWED_STRING_TYPES
        and a.tag not in ALLOWED_STRING_TYPES[a.oid]
    ]  # fmt: skip
    if wrong:
        return fail("subject " + "; ".join(wrong[:10]))
    return PASS


@lint(
    name="subject_attribute_br_max_length",
    description="Subject attributes stay within BR 7.1.4.2's upper bounds where they are "
    "stricter than RFC 5280's: surname and givenName at most 64 characters (RFC 5280 says "
    "32768, which the BR calls a transcription error), domainComponent at most 63. The RFC "
    "5280 bounds are subject_attribute_upper_bounds." + _CROSS_CERT_NOTE,
    citation="BR 2.0 7.1.4.2 (Max Length)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=NAME_FORM_PROFILES,
    effective=dates.BR_2_0,
)
def subject_attribute_br_max_length(cert: CertView) -> Outcome:
    subject = cert.subject
    too_long = [
        f"{_name(oid)} is {len(value)} characters (at most {limit})"
        for oid, limit in BR_MAX_LENGTHS.items()
        for value in subject.values(oid)
        if len(value) > limit
    ]
    if too_long:
        return fail("subject " + "; ".join(too_long))
    return PASS


# -- BR 2.0 7.1.4.1: one attribute per RDN, each type once ----------------------------------


@lint(
    name="subject_rdn_single_attribute",
    description="Each RelativeDistinguishedName of the subject holds exactly one "
    "AttributeTypeAndValue (no multi-valued RDNs such as 'CN=a+O=b')." + _CROSS_CERT_NOTE,
    citation="BR 2.0 7.1.4.1",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=NAME_FORM_PROFILES,
    effective=dates.BR_2_0,
)
def subject_rdn_single_attribute(cert: CertView) -> Outcome:
    subject = cert.subject
    if len(subject.attributes) == len(subject.rdns) and not subject.has_empty_rdn:
        return PASS  # as many attributes as RDNs, none empty: one each
    multi = [rdn for rdn in subject.rdns if len(rdn) > 1]
    if multi:
        shown = "; ".join("+".join(_name(a.oid) for a in rdn) for rdn in multi[:5])
        return fail(f"subject has RDNs with more than one attribute: {shown}")
    return PASS


@lint(
    name="subject_attribute_not_repeated",
    description="No attribute type appears more than once in the subject, across all RDNs, "
    "except streetAddress and domainComponent, which the profiles allow several of. (Before "
    "BR 2.0, subject_single_common_name warned of a second commonName.)" + _CROSS_CERT_NOTE,
    citation="BR 2.0 7.1.4.1; BR 2.0 7.1.2.7.3-4 (streetAddress, domainComponent)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=NAME_FORM_PROFILES,
    effective=dates.BR_2_0,
    zlint=("e_duplicate_subject_attribs",),
)
def subject_attribute_not_repeated(cert: CertView) -> Outcome:
    attributes = cert.subject.attributes
    if len({a.oid for a in attributes}) == len(attributes):
        return PASS
    seen: set[str] = set()
    repeated: list[str] = []
    for attr in attributes:
        if attr.oid in seen and attr.oid not in MAY_REPEAT and attr.oid not in repeated:
            repeated.append(attr.oid)
        seen.add(attr.oid)
    if repeated:
        return fail(f"subject repeats {', '.join(_name(o) for o in repeated)}")
    return PASS


# -- commonName ---------------------------------------------------------------------------------


_CN_DEPRECATED = fail("subject:commonName is present (deprecated)")
_CN_NOT_RECOMMENDED = fail("subject:commonName is present (NOT RECOMMENDED)")


@lint(
    name="subject_common_name_deprecated",
    description="subject:commonName is deprecated (discouraged, but not prohibited) in "
    "subscriber certificates: a notice that the certificate relies on a field clients no "
    "longer read. BR 2.0 makes it NOT RECOMMENDED (subject_common_name_not_recommended).",
    citation="BR 7.1.4.2.2(a) (1.x); BR 1.0 9.2.2",
    source=Source.CABF_BR,
    severity=Status.NOTICE,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    ineffective=dates.BR_2_0,
    zlint=("n_subject_common_name_included",),
)
def subject_common_name_deprecated(cert: CertView) -> Outcome:
    # Nearly every certificate of the time has one: a fixed message (the subject is in the row).
    return _CN_DEPRECATED if has_common_name(cert) else PASS


@lint(
    name="subject_common_name_not_recommended",
    description="DV, OV and IV subscriber certificates SHOULD NOT carry subject:commonName "
    "(NOT RECOMMENDED); when they do, it is a subjectAltName value (checked by "
    "subject_common_name_copied_from_san). EV certificates follow the EV Guidelines, where "
    "commonName stays 'deprecated', and are not judged here.",
    citation="BR 2.0 7.1.2.7.2-4 (commonName NOT RECOMMENDED)",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.DV | profiles.OV | profiles.IV,
    effective=dates.BR_2_0,
    zlint=("w_subject_common_name_included",),
)
def subject_common_name_not_recommended(cert: CertView) -> Outcome:
    return _CN_NOT_RECOMMENDED if has_common_name(cert) else PASS


@lint(
    name="subject_single_common_name",
    description="The subject has at most one commonName: BR 1.x says the field, if present, "
    "MUST contain a single IP address or Fully-Qualified Domain Name. Whether several "
    "commonName attributes break that was read both ways, hence a warning, as in zlint. From "
    "BR 2.0 a repeated attribute is an error (subject_attribute_not_repeated).",
    citation="BR 7.1.4.2.2(a) (1.x); BR 1.0 9.2.2",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    ineffective=dates.BR_2_0,
    when=has_common_name,
    zlint=("w_extra_subject_common_names",),
)
def subject_single_common_name(cert: CertView) -> Outcome:
    names = cert.subject.values(oids.COMMON_NAME)
    if len(names) > 1:
        return fail(
            f"subject has {len(names)} commonNames: {', '.join(repr(n[:100]) for n in names[:5])}"
        )
    return PASS


# -- values -------------------------------------------------------------------------------------

# "any other indication that the value is absent, incomplete, or not applicable": common
# placeholders, and OpenSSL's default answers (CAs have issued "ST=Some-State").
PLACEHOLDER_VALUES = frozenset(
    {
        "n/a", "n.a.", "n/a.", "not applicable", "none", "null", "nil", "unknown",
        "unspecified", "not specified", "tbd", "empty", "blank", "void",
        "some-state", "internet widgits pty ltd", "default city", "default company ltd",
    }
)  # fmt: skip


_INFORMATIVE = re.compile(r"[^\W_]")  # a letter or digit, in any script
_LONGEST_PLACEHOLDER = max(map(len, PLACEHOLDER_VALUES))


def _is_ip_address(value: str) -> bool:
    return ip_address_or_none(value) is not None


def _placeholder_problem(attr: Attr) -> str | None:
    value = attr.value
    # The common case in a few string operations: a value that begins and ends with a letter
    # or digit has one, and is a placeholder only if it is one of the short words.
    if value[:1].isalnum() and value[-1:].isalnum():
        if len(value) > _LONGEST_PLACEHOLDER or value.casefold() not in PLACEHOLDER_VALUES:
            return None
        return f"{_name(attr.oid)} {value[:50]!r} is a placeholder"
    if not _INFORMATIVE.search(value) and not _is_ip_address(value):  # "::" is an address
        return f"{_name(attr.oid)} {value[:50]!r} holds no letter or digit"
    if value.strip().casefold() in PLACEHOLDER_VALUES:
        return f"{_name(attr.oid)} {value[:50]!r} is a placeholder"
    return None


@lint(
    name="subject_values_not_placeholders",
    description="No subject attribute holds only metadata such as '.', '-' or ' ' (no letter "
    "or digit at all), or another indication that the value is absent or not applicable: "
    "'N/A', 'none', 'null', 'unknown', and OpenSSL's default answers such as 'Some-State' "
    "(zlint checks the first kind only).",
    citation="BR 7.1.4.2.2(j) (1.x); BR 2.0 7.1.2.7.3-5; BR 1.0 9.2.8",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    zlint=("e_subject_contains_noninformational_value",),
)
def subject_values_not_placeholders(cert: CertView) -> Outcome:
    problems = [why for a in cert.subject.attributes if (why := _placeholder_problem(a))]
    if problems:
        return fail("subject " + "; ".join(problems[:10]))
    return PASS


# Characters of structured data (JSON, key=value lists) that no place name contains; CAs have
# pasted such data from their order systems into stateOrProvinceName.
_STRUCTURED_DATA = re.compile(r'[=:{};"|\\\[\]]')


@lint(
    name="subject_place_names_plain",
    description="subject:stateOrProvinceName and subject:localityName are plain place names "
    'from an authoritative source: none contains = : { } ; " | \\ [ or ], the marks of '
    "structured data (JSON, key=value pairs) pasted into the field.",
    citation="BR 3.2.2.1; BR 7.1.4.2.2(d)-(e) (1.x); BR 2.0 7.1.2.7.3-4",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_1_0,
    when=lambda cert: cert.subject.has(oids.STATE) or cert.subject.has(oids.LOCALITY),
    zlint=("e_state_or_province_name_must_not_contain_control_characters",),
)
def subject_place_names_plain(cert: CertView) -> Outcome:
    subject = cert.subject
    bad = [
        f"{_name(oid)} {value[:100]!r}"
        for oid in (oids.STATE, oids.LOCALITY)
        for value in subject.values(oid)
        if _STRUCTURED_DATA.search(value)
    ]
    if bad:
        return fail("subject " + "; ".join(bad[:10]) + " contains structured-data characters")
    return PASS


@lint(
    name="subject_organizational_unit_requires_organization",
    description="subject:organizationalUnitName is absent when subject:organizationName is "
    "(Ballot SC47, BR 1.7.9). From 2022-09-01 organizationalUnitName is prohibited outright "
    "(subject_organizational_unit_prohibited), so this rule ends there.",
    citation="BR 7.1.4.2.2(i) (1.7.9 to 1.8.7); Ballot SC47",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_OU_REQUIRES_ORGANIZATION,
    ineffective=dates.BR_OU_PROHIBITED,
    when=lambda cert: cert.subject.has(oids.ORGANIZATIONAL_UNIT),
    zlint=("e_subject_contains_organizational_unit_name_and_no_organization_name",),
)
def subject_organizational_unit_requires_organization(cert: CertView) -> Outcome:
    if not cert.subject.has(oids.ORGANIZATION):
        return fail("subject has organizationalUnitName but no organizationName")
    return PASS


# -- BR 2.0 OV / IV profiles: what is NOT RECOMMENDED ---------------------------------------

# 7.1.2.7.3 (IV) and 7.1.2.7.4 (OV): the attributes each table lists with a presence other than
# NOT RECOMMENDED / MUST NOT. postalCode and streetAddress are listed as NOT RECOMMENDED.
_LISTED = {
    "OV": frozenset({oids.DOMAIN_COMPONENT, oids.COUNTRY, oids.STATE, oids.LOCALITY,
                     oids.ORGANIZATION, oids.COMMON_NAME}),
    "IV": frozenset({oids.COUNTRY, oids.STATE, oids.LOCALITY, oids.ORGANIZATION, oids.SURNAME,
                     oids.GIVEN_NAME, oids.COMMON_NAME}),
}  # fmt: skip
# Judged by their own lints: OU (MUST NOT, subject_organizational_unit_prohibited), surname and
# givenName in OV (MUST NOT, personal_name_requires_iv_policy).
_JUDGED_ELSEWHERE = frozenset({oids.ORGANIZATIONAL_UNIT, oids.SURNAME, oids.GIVEN_NAME})


@lint(
    name="subject_ov_iv_attributes_not_recommended",
    description="OV and IV subscriber certificates SHOULD NOT carry postalCode or "
    "streetAddress, nor any attribute their BR 2.0 profile table does not list (for example "
    "emailAddress, serialNumber, title; domainComponent in IV); the CA that includes one "
    "must document and verify it under 7.1.4.4. commonName, NOT RECOMMENDED as well, is "
    "subject_common_name_not_recommended.",
    citation="BR 2.0 7.1.2.7.3 and 7.1.2.7.4 (NOT RECOMMENDED rows); BR 2.0 7.1.4.4",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.OV | profiles.IV,
    effective=dates.BR_2_0,
)
def subject_ov_iv_attributes_not_recommended(cert: CertView) -> Outcome:
    kind = "IV" if cert.profile in profiles.IV else "OV"
    extra = {
        a.oid for a in cert.subject.attributes
        if a.oid not in _LISTED[kind] and a.oid not in _JUDGED_ELSEWHERE
    }  # fmt: skip
    if extra:
        return fail(
            f"{kind} certificate subject has NOT RECOMMENDED attributes: "
            + ", ".join(sorted(_name(o) for o in extra))
        )
    return PASS


_DNS_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def _domain_component_problem(cert: CertView) -> str | None:
    positions = [i for i, a in enumerate(cert.subject.attributes) if a.oid == oids.DOMAIN_COMPONENT]
    if positions != list(range(positions[0], positions[0] + len(positions))):
        return "domainComponent attributes are not one unbroken sequence"
    labels = [cert.subject.attributes[i].value for i in positions]
    bad = [x for x in labels if not _DNS_LABEL.fullmatch(x)]
    if bad:
        return f"domainComponent {bad[0][:70]!r} is not a domain label"
    if not tld_is_delegated(labels[0]):
        return (
            f"the first domainComponent {labels[0]!r} is not a TLD: the labels are not in "
            "reverse DNS order (closest to the root first)"
        )
    return None


@lint(
    name="subject_domain_component_labels",
    description="subject:domainComponent attributes, when present, are the Domain Labels of "
    "one Domain Name in a single unbroken sequence, the label closest to the root first "
    "(so the first is a TLD), each a valid domain label.",
    citation="BR 2.0 7.1.2.7.4 (domainComponent); BR 2.0 7.1.4.2",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_2_0,
    when=lambda cert: cert.subject.has(oids.DOMAIN_COMPONENT),
)
def subject_domain_component_labels(cert: CertView) -> Outcome:
    why = _domain_component_problem(cert)
    if why:
        return fail(why)
    return PASS
