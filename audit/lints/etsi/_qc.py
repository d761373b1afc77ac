"""The qcStatements extension (RFC 3739 3.2.6) read statement by statement, the ETSI object
identifiers, and which certificates the ETSI profiles speak of.

    QCStatements ::= SEQUENCE OF QCStatement
    QCStatement ::= SEQUENCE { statementId OBJECT IDENTIFIER, statementInfo ANY OPTIONAL }

The extension is read from its DER here (the decoders know no qcStatements), tolerantly: a
statement that cannot be read is kept with the reason, so each lint can say what it needed and
did not find. Whether the extension as a whole follows RFC 3739's ASN.1 is the structure lints'
business (rfc5280); these modules judge what EN 319 412-5 and TS 119 495 put inside.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from asn1crypto import core

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.der import children, header

# -- object identifiers -------------------------------------------------------------------------

# EN 319 412-5 4.2 and 4.3: id-etsi-qcs (0.4.0.1862.1) and the QcType values (4.2.3).
QCS_ARC = "0.4.0.1862.1."
QCS_COMPLIANCE = "0.4.0.1862.1.1"
QCS_LIMIT_VALUE = "0.4.0.1862.1.2"
QCS_RETENTION_PERIOD = "0.4.0.1862.1.3"
QCS_SSCD = "0.4.0.1862.1.4"
QCS_PDS = "0.4.0.1862.1.5"
QCS_TYPE = "0.4.0.1862.1.6"
QCS_CC_LEGISLATION = "0.4.0.1862.1.7"
QCT_ESIGN = "0.4.0.1862.1.6.1"
QCT_ESEAL = "0.4.0.1862.1.6.2"
QCT_WEB = "0.4.0.1862.1.6.3"
QC_TYPES = {QCT_ESIGN: "esign", QCT_ESEAL: "eseal", QCT_WEB: "web"}
ETSI_STATEMENT_NAMES = {
    QCS_COMPLIANCE: "QcCompliance", QCS_LIMIT_VALUE: "QcLimitValue",
    QCS_RETENTION_PERIOD: "QcRetentionPeriod", QCS_SSCD: "QcSSCD", QCS_PDS: "QcPDS",
    QCS_TYPE: "QcType", QCS_CC_LEGISLATION: "QcCClegislation",
}  # fmt: skip

# RFC 3739 3.2.6.1 id-qcs-pkixQCSyntax-v2, and EN 319 412-1 5.1 semantics identifiers.
PKIX_QC_SYNTAX_V2 = "1.3.6.1.5.5.7.11.2"
SEMANTICS_NATURAL = "0.4.0.194121.1.1"
SEMANTICS_LEGAL = "0.4.0.194121.1.2"
SEMANTICS_EIDAS_NATURAL = "0.4.0.194121.1.3"
SEMANTICS_EIDAS_LEGAL = "0.4.0.194121.1.4"

# TS 119 495 5.1, Annex A: the PSD2 statement, the roles of payment service providers, and the
# policy identifier for PSD2 website certificates (6.1).
PSD2_STATEMENT = "0.4.0.19495.2"
PSD2_ROLES = {
    "0.4.0.19495.1.1": "PSP_AS", "0.4.0.19495.1.2": "PSP_PI", "0.4.0.19495.1.3": "PSP_AI",
    "0.4.0.19495.1.4": "PSP_IC", "0.4.0.19495.1.0": "Unspecified",
}  # fmt: skip
QCP_W_PSD2 = "0.4.0.19495.3.1"

# EN 319 411-2 5.3: the policies of EU qualified certificates (QCP-w was renamed QEVCP-w when
# QNCP-w and QNCP-w-gen joined it).
QCP_N = "0.4.0.194112.1.0"
QCP_L = "0.4.0.194112.1.1"
QCP_N_QSCD = "0.4.0.194112.1.2"
QCP_L_QSCD = "0.4.0.194112.1.3"
QEVCP_W = "0.4.0.194112.1.4"
QNCP_W = "0.4.0.194112.1.5"
QNCP_W_GEN = "0.4.0.194112.1.6"
QUALIFIED_POLICIES = {
    QCP_N: "QCP-n", QCP_L: "QCP-l", QCP_N_QSCD: "QCP-n-qscd", QCP_L_QSCD: "QCP-l-qscd",
    QEVCP_W: "QEVCP-w", QNCP_W: "QNCP-w", QNCP_W_GEN: "QNCP-w-gen",
}  # fmt: skip
NATURAL_PERSON_POLICIES = frozenset({QCP_N, QCP_N_QSCD})
LEGAL_PERSON_POLICIES = frozenset({QCP_L, QCP_L_QSCD})
QSCD_POLICIES = frozenset({QCP_N_QSCD, QCP_L_QSCD})
QWAC_POLICIES = frozenset({QEVCP_W, QNCP_W, QNCP_W_GEN, QCP_W_PSD2})
# EN 319 411-1 5.3: NCP, NCP+, LCP, EVCP, DVCP, OVCP, IVCP (0.4.0.2042.1.{1,2,3,4,6,7,8}).
EN_319_411_1_WEB_POLICIES = frozenset({"0.4.0.2042.1.4", "0.4.0.2042.1.6", "0.4.0.2042.1.7",
                                       "0.4.0.2042.1.8"})  # fmt: skip

# The profiles ETSI lints look at: any certificate decoded well enough, or the end-entity ones.
ANY = profiles.DECODED
END_ENTITY = profiles.DECODED - profiles.CA

# -- reading DER --------------------------------------------------------------------------------

_STRING_TYPES = {0x0C: "UTF8String", 0x13: "PrintableString", 0x16: "IA5String",
                 0x02: "INTEGER", 0x06: "OBJECT IDENTIFIER", 0x30: "SEQUENCE"}  # fmt: skip


class Item(NamedTuple):
    """One TLV: its tag octet, its contents and the whole encoding."""

    tag: int
    contents: bytes
    tlv: bytes

    @property
    def kind(self) -> str:
        return _STRING_TYPES.get(self.tag, f"tag 0x{self.tag:02x}")

    def text(self) -> str:
        """The contents of a string type, undecodable octets shown as U+FFFD."""
        return self.contents.decode("utf-8" if self.tag == 0x0C else "latin-1", "replace")


def items(der: bytes) -> list[Item]:
    """The TLVs inside the contents of the one TLV `der` (ValueError when they do not add up)."""
    try:
        start, end = header(der, 0)
        if end != len(der):
            raise ValueError("trailing octets after the value")
        out = []
        for tag, s, e in children(der, start, end):
            if e > end:
                raise ValueError("a value runs past its container")
            cs, ce = header(der, s)
            out.append(Item(tag, der[cs:ce], der[s:e]))
        return out
    except (ValueError, IndexError, TypeError) as exc:
        raise ValueError(f"not DER: {exc}") from None


def oid_of(item: Item) -> str:
    if item.tag != 0x06:
        raise ValueError(f"a {item.kind} where an OBJECT IDENTIFIER belongs")
    try:
        return core.ObjectIdentifier.load(item.tlv).dotted
    except (ValueError, TypeError) as exc:
        raise ValueError(f"an undecodable OBJECT IDENTIFIER ({exc})") from None


def integer_of(item: Item) -> int:
    if item.tag != 0x02 or not item.contents:
        raise ValueError(f"a {item.kind} where an INTEGER belongs")
    return int.from_bytes(item.contents, "big", signed=True)


# -- the statements -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QcStatement:
    oid: str
    info: Item | None  # statementInfo, when present
    problem: str | None = None  # why the statement is not SEQUENCE { OID, ANY OPTIONAL }


@dataclass(frozen=True, slots=True)
class QcStatements:
    statements: tuple[QcStatement, ...]
    problem: str | None = None  # why (the rest of) the extension could not be read

    def all(self, oid: str) -> list[QcStatement]:
        return [s for s in self.statements if s.oid == oid]

    def first(self, oid: str) -> QcStatement | None:
        return next((s for s in self.statements if s.oid == oid), None)

    def has(self, oid: str) -> bool:
        return any(s.oid == oid for s in self.statements)

    @property
    def etsi(self) -> list[QcStatement]:
        """The EN 319 412-5 statements (id-etsi-qcs arc), QcType values misused included."""
        return [s for s in self.statements if s.oid.startswith(QCS_ARC)]


@lru_cache(maxsize=4096)
def parse(der: bytes) -> QcStatements:
    """The statements of a qcStatements extension value (a CA writes few distinct ones: cached
    by their octets)."""
    try:
        entries = items(der)
    except ValueError as exc:
        return QcStatements((), f"the qcStatements value is {exc}")
    statements = []
    for entry in entries:
        if entry.tag != 0x30:
            return QcStatements(tuple(statements), f"a {entry.kind} where a QCStatement belongs")
        try:
            fields = items(entry.tlv)
            if not fields:
                raise ValueError("an empty QCStatement")
            oid = oid_of(fields[0])
        except ValueError as exc:
            return QcStatements(tuple(statements), f"a QCStatement holds {exc}")
        problem = f"has {len(fields) - 2} value(s) after statementInfo" if len(fields) > 2 else None
        statements.append(QcStatement(oid, fields[1] if len(fields) > 1 else None, problem))
    return QcStatements(tuple(statements))


def qc_statements(cert: CertView) -> QcStatements | None:
    """The certificate's qcStatements, or None without the extension."""
    der = cert.extension_value_der(oids.QC_STATEMENTS)
    return None if der is None else parse(der)


def statement(cert: CertView, oid: str) -> QcStatement | None:
    qcs = qc_statements(cert)
    return None if qcs is None else qcs.first(oid)


def has_statement(oid: str):  # type: ignore[no-untyped-def]
    """A `when` predicate: the certificate's qcStatements hold statement `oid`."""

    def present(cert: CertView) -> bool:
        return statement(cert, oid) is not None

    return present


def has_etsi_statement(cert: CertView) -> bool:
    qcs = qc_statements(cert)
    return qcs is not None and bool(qcs.etsi)


def semantics_identifiers(cert: CertView) -> set[str]:
    """The semanticsIdentifier of each id-qcs-pkixQCSyntax-v2 statement (EN 319 412-1 5.1)."""
    qcs = qc_statements(cert)
    found: set[str] = set()
    for s in qcs.all(PKIX_QC_SYNTAX_V2) if qcs else ():
        try:
            first = items(s.info.tlv)[0] if s.info is not None and s.info.tag == 0x30 else None
            if first is not None and first.tag == 0x06:
                found.add(oid_of(first))
        except (ValueError, IndexError):
            continue
    return found


def qc_type_values(info: Item | None) -> list[str]:
    """QcType ::= SEQUENCE OF OBJECT IDENTIFIER (EN 319 412-5 4.2.3); ValueError otherwise."""
    if info is None:
        raise ValueError("QcType has no statementInfo")
    if info.tag != 0x30:
        raise ValueError(f"QcType's statementInfo is a {info.kind}, not a SEQUENCE OF OID")
    return [oid_of(i) for i in items(info.tlv)]


# -- which certificates ---------------------------------------------------------------------------


def _policies(cert: CertView) -> frozenset[str]:
    return frozenset(cert.policies or ())


def is_natural_person(cert: CertView) -> bool:
    """Issued to a natural person, as the ETSI profiles tell: a QCP-n policy or the natural
    person semantics identifier; or a QNCP-w(-gen) web site certificate whose subject names a
    person (givenName, surname or pseudonym) and no organization."""
    policies = _policies(cert)
    if policies & NATURAL_PERSON_POLICIES:
        return True
    if policies & LEGAL_PERSON_POLICIES:
        return False
    semantics = semantics_identifiers(cert)
    if semantics & {SEMANTICS_NATURAL, SEMANTICS_EIDAS_NATURAL}:
        return True
    if semantics & {SEMANTICS_LEGAL, SEMANTICS_EIDAS_LEGAL}:
        return False
    if policies & {QNCP_W, QNCP_W_GEN}:
        subject = cert.subject
        person = any(subject.has(o) for o in (oids.GIVEN_NAME, oids.SURNAME, oids.PSEUDONYM))
        organization = subject.has(oids.ORGANIZATION) or subject.has(oids.ORGANIZATION_IDENTIFIER)
        return person and not organization
    return False


def is_legal_person(cert: CertView) -> bool:
    """Issued to a legal person as EN 319 412-3 profiles it: a QCP-l policy or the legal person
    semantics identifier (web site certificates follow EN 319 412-4 instead)."""
    if _policies(cert) & LEGAL_PERSON_POLICIES:
        return True
    return bool(semantics_identifiers(cert) & {SEMANTICS_LEGAL, SEMANTICS_EIDAS_LEGAL})


def is_website(cert: CertView) -> bool:
    """A certificate for web site authentication: serverAuth, or a web site policy (EN 319
    411-2 QWAC policies, EN 319 411-1 DVCP/OVCP/IVCP/EVCP)."""
    if oids.EKU_SERVER_AUTH in (cert.eku or ()):
        return True
    return bool(_policies(cert) & (QWAC_POLICIES | EN_319_411_1_WEB_POLICIES))


def is_email(cert: CertView) -> bool:
    """An S/MIME certificate: emailProtection, or an S/MIME BR policy identifier."""
    if oids.EKU_EMAIL_PROTECTION in (cert.eku or ()):
        return True
    return any(p.startswith(oids.POLICY_SMIME_ARC) for p in cert.policies or ())
