"""ETSI EN 319 412-1, -2 and -3: certificates issued to natural persons and to legal persons.

Who the subject is comes from the certificate itself (`_qc.is_natural_person`,
`_qc.is_legal_person`): an EN 319 411-2 policy for natural (QCP-n) or legal (QCP-l) persons, the
EN 319 412-1 semantics identifier in the qcStatements, or, for a QNCP-w web site certificate, a
subject that names a person and no organization. Dated from the July 2020 versions (EN 319 412-1
V1.4.2, -2 V2.2.1, -3 V1.2.1), whose text these rules follow.
"""

from __future__ import annotations

import re

from audit.engine import oids
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br.subject import ISO_3166_ALPHA_2
from audit.lints.etsi._qc import (
    END_ENTITY,
    SEMANTICS_LEGAL,
    SEMANTICS_NATURAL,
    is_legal_person,
    is_natural_person,
    semantics_identifiers,
)
from audit.lints.rfc5280.key_usage_rules import BIT_NAMES

_NAMES = {**oids.SHORT_NAMES, oids.PSEUDONYM: "pseudonym"}

# -- key usage of natural persons' certificates (EN 319 412-2 4.3.2, table 1) -------------------

_A = frozenset({"content_commitment"})
_C = frozenset({"digital_signature"})
_E = (frozenset({"key_encipherment"}), frozenset({"key_agreement"}))
KEY_USAGE_TYPES = {
    "A": (_A,),
    "B": (_A | _C,),
    "C": (_C,),
    "D": tuple(_C | e for e in _E),
    "E": _E,
    "F": tuple(_A | _C | e for e in _E),
}
PREFERRED_TYPES = ("A", "C", "E")  # "to avoid mixed usage of keys"


def key_usage_type(bits: frozenset[str]) -> str | None:
    """The letter of table 1 whose settings `bits` are exactly, or None."""
    return next((t for t, settings in KEY_USAGE_TYPES.items() if bits in settings), None)


def _bits(cert: CertView) -> str:
    return ", ".join(sorted(BIT_NAMES.get(b, b) for b in cert.key_usage or ())) or "no bits"


@lint(
    name="etsi_natural_person_key_usage_present",
    description="A certificate issued to a natural person has a keyUsage extension.",
    citation="ETSI EN 319 412-2 4.3.2 (NAT-4.3.2-1)",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=END_ENTITY,
    effective=dates.ETSI_EN_319_412_2020,
    when=is_natural_person,
    zlint=("e_etsi_natural_person_key_usage_mandatory",),
)
def natural_person_key_usage_present(cert: CertView) -> Outcome:
    if oids.KEY_USAGE not in cert.extensions:
        return fail("a natural person's certificate without a keyUsage extension")
    return PASS


@lint(
    name="etsi_natural_person_key_usage_type",
    description="The keyUsage of a certificate issued to a natural person is exactly one of the "
    "settings of EN 319 412-2 table 1: A nonRepudiation; B nonRepudiation and digitalSignature; "
    "C digitalSignature; D digitalSignature with keyEncipherment or keyAgreement; E "
    "keyEncipherment or keyAgreement; F nonRepudiation, digitalSignature and keyEncipherment "
    "or keyAgreement.",
    citation="ETSI EN 319 412-2 4.3.2 (NAT-4.3.2-1), table 1",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=END_ENTITY,
    effective=dates.ETSI_EN_319_412_2020,
    needs=(oids.KEY_USAGE,),
    when=is_natural_person,
    zlint=("e_etsi_natural_person_key_usage_correct_values",),
)
def natural_person_key_usage_type(cert: CertView) -> Outcome:
    if key_usage_type(cert.key_usage or frozenset()) is None:
        return fail(f"keyUsage ({_bits(cert)}) is none of the settings A to F")
    return PASS


@lint(
    name="etsi_natural_person_key_usage_preferred",
    description="The keyUsage of a certificate issued to a natural person SHOULD be setting A, "
    "C or E (one kind of use per key), not B, D or F.",
    citation="ETSI EN 319 412-2 4.3.2 (NAT-4.3.2-3), table 1",
    source=Source.ETSI,
    severity=Status.WARN,
    applies=END_ENTITY,
    effective=dates.ETSI_EN_319_412_2020,
    needs=(oids.KEY_USAGE,),
    # A setting outside the table is etsi_natural_person_key_usage_type's error, not a choice.
    when=lambda cert: (
        is_natural_person(cert) and key_usage_type(cert.key_usage or frozenset()) is not None
    ),
    zlint=("w_etsi_natural_person_key_usage_preferred_values",),
)
def natural_person_key_usage_preferred(cert: CertView) -> Outcome:
    kind = key_usage_type(cert.key_usage or frozenset())
    if kind not in PREFERRED_TYPES:
        return fail(f"keyUsage ({_bits(cert)}) is setting {kind}, which mixes uses of one key")
    return PASS


# -- subjects -----------------------------------------------------------------------------------


def _counts(cert: CertView) -> dict[str, int]:
    counts: dict[str, int] = {}
    for a in cert.subject.attributes:
        counts[a.oid] = counts.get(a.oid, 0) + 1
    return counts


def _missing_and_repeated(counts: dict[str, int], required: tuple[str, ...]) -> list[str]:
    problems = [f"no {_NAMES[o]}" for o in required if not counts.get(o)]
    problems += [f"{counts[o]} {_NAMES[o]} attributes" for o in required if counts.get(o, 0) > 1]
    return problems


@lint(
    name="etsi_natural_person_subject",
    description="The subject of a certificate issued to a natural person includes one "
    "countryName and one commonName, and givenName and/or surname or else a pseudonym (never a "
    "pseudonym beside both givenName and surname).",
    citation="ETSI EN 319 412-2 4.2.4 (NAT-4.2.4-1, -3, -4)",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=END_ENTITY,
    effective=dates.ETSI_EN_319_412_2020,
    when=is_natural_person,
)
def natural_person_subject(cert: CertView) -> Outcome:
    counts = _counts(cert)
    problems = _missing_and_repeated(counts, (oids.COUNTRY, oids.COMMON_NAME))
    names = [o for o in (oids.GIVEN_NAME, oids.SURNAME) if counts.get(o)]
    pseudonym = bool(counts.get(oids.PSEUDONYM))
    if not names and not pseudonym:
        problems.append("neither givenName nor surname nor pseudonym")
    if pseudonym and len(names) == 2:
        problems.append("a pseudonym beside givenName and surname")
    if problems:
        return fail(f"natural person's subject: {'; '.join(problems)}")
    return PASS


@lint(
    name="etsi_legal_person_subject",
    description="The subject of a certificate issued to a legal person includes one each of "
    "countryName, organizationName, organizationIdentifier and commonName, and the "
    "organizationIdentifier is not the organization's name.",
    citation="ETSI EN 319 412-3 4.2.1 (LEG-4.2.1-2, -3, -6)",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=END_ENTITY,
    effective=dates.ETSI_EN_319_412_2020,
    when=is_legal_person,
)
def legal_person_subject(cert: CertView) -> Outcome:
    counts = _counts(cert)
    required = (oids.COUNTRY, oids.ORGANIZATION, oids.ORGANIZATION_IDENTIFIER, oids.COMMON_NAME)
    problems = _missing_and_repeated(counts, required)
    subject = cert.subject
    same = set(subject.values(oids.ORGANIZATION)) & set(
        subject.values(oids.ORGANIZATION_IDENTIFIER)
    )
    if same:
        problems.append(f"organizationIdentifier equal to organizationName {sorted(same)!r}")
    if problems:
        return fail(f"legal person's subject: {'; '.join(problems)}")
    return PASS


# -- semantics identifiers (EN 319 412-1 5.1.3, 5.1.4) ------------------------------------------

# 5.1.4: 3-letter identity type (VAT, NTR, PSD, LEI; or 2 letters and ':' for a national
# scheme), 2-letter country (EL beside GR for VAT, XI for Northern Ireland), optional '+' and a
# state or province code, '-', the identifier. 5.1.3 likewise for natural persons (PAS, IDC,
# PNO, TAX, TIN), without the state or province.
_LEGAL_ID = re.compile(r"(?P<type>[A-Z]{3}|[A-Z]{2}:)(?P<cc>[A-Z]{2})(\+[A-Z0-9]{1,3})?-(?P<id>.+)")
_NATURAL_ID = re.compile(r"(?P<type>[A-Z]{3}|[A-Z]{2}:)(?P<cc>[A-Z]{2})-(?P<id>.+)")
LEGAL_ID_TYPES = frozenset({"VAT", "NTR", "PSD", "LEI"})
NATURAL_ID_TYPES = frozenset({"PAS", "IDC", "PNO", "TAX", "TIN"})
_EXTRA_COUNTRIES = {"VAT": {"EL", "XI"}, "LEI": {"XG"}}


def _identifier_problem(value: str, pattern: re.Pattern[str], types: frozenset[str]) -> str | None:
    m = pattern.fullmatch(value)
    if m is None:
        return "is not <type><country>-<identifier>"
    kind, country = m["type"], m["cc"]
    if not kind.endswith(":") and kind not in types:
        return f"has the identity type {kind!r}, neither {'/'.join(sorted(types))} nor national"
    if country not in ISO_3166_ALPHA_2 - {"XX"} and country not in _EXTRA_COUNTRIES.get(kind, ()):
        return f"has the country {country!r}, not an ISO 3166-1 code"
    return None


@lint(
    name="etsi_organization_identifier_syntax",
    description="Where the qcStatements carry the legal person semantics identifier, "
    "subject:organizationIdentifier is a 3-letter identity type (VAT, NTR, PSD, LEI, or 2 "
    "letters and ':' for a national scheme), an ISO 3166-1 country code (optionally '+' and a "
    "state or province code), '-' and the identifier.",
    citation="ETSI EN 319 412-1 5.1.4 (LEG-5.1.4-02, -03)",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=END_ENTITY,
    effective=dates.ETSI_EN_319_412_2020,
    needs=(oids.QC_STATEMENTS,),
    when=lambda cert: (
        SEMANTICS_LEGAL in semantics_identifiers(cert)
        and cert.subject.has(oids.ORGANIZATION_IDENTIFIER)
    ),
)
def organization_identifier_syntax(cert: CertView) -> Outcome:
    for value in cert.subject.values(oids.ORGANIZATION_IDENTIFIER):
        why = _identifier_problem(value, _LEGAL_ID, LEGAL_ID_TYPES)
        if why:
            return fail(f"organizationIdentifier {value[:100]!r} {why}")
    return PASS


@lint(
    name="etsi_natural_person_identifier_syntax",
    description="Where the qcStatements carry the natural person semantics identifier, "
    "subject:serialNumber is a 3-letter identity type (PAS, IDC, PNO, TAX, TIN, or 2 letters "
    "and ':' for a national scheme), an ISO 3166-1 country code, '-' and the identifier.",
    citation="ETSI EN 319 412-1 5.1.3 (NAT-5.1.3)",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=END_ENTITY,
    effective=dates.ETSI_EN_319_412_2020,
    needs=(oids.QC_STATEMENTS,),
    when=lambda cert: (
        SEMANTICS_NATURAL in semantics_identifiers(cert) and cert.subject.has(oids.SERIAL_NUMBER)
    ),
)
def natural_person_identifier_syntax(cert: CertView) -> Outcome:
    for value in cert.subject.values(oids.SERIAL_NUMBER):
        why = _identifier_problem(value, _NATURAL_ID, NATURAL_ID_TYPES)
        if why:
            return fail(f"serialNumber {value[:100]!r} {why}")
    return PASS
