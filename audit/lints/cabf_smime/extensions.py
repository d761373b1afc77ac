"""S/MIME BR 7.1.2.3(g), (i)-(m): the optional extensions of subscriber certificates, by
generation and validation type. (subjectKeyIdentifier, 7.1.2.3(n), follows RFC 5280's rules:
rfc5280.end_entity_subject_key_identifier_present, subject_key_identifier_not_critical.)
"""

from __future__ import annotations

from audit.engine import oids
from audit.engine.certview import CertView
from audit.engine.der import children, header
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_smime._shared import (
    NOT_LEGACY,
    NOT_STRICT,
    SMIME_BR,
    STRICT,
    describe,
    extension_value,
)
from audit.lints.cabf_smime.organization_identifier import lei_problem

SMIME_CAPABILITIES = "1.2.840.113549.1.9.15"  # RFC 4262
QC_STATEMENTS = "1.3.6.1.5.5.7.1.3"  # RFC 3739 3.2.6
LEI = "1.3.6.1.4.1.52266.1"  # 7.1.2.3(l): the Legal Entity Identifier extension
LEI_ROLE = "1.3.6.1.4.1.52266.2"  # and its "role" form
ADOBE_TIMESTAMP = "1.2.840.113583.1.1.9.1"
ADOBE_ARCHIVE_REV_INFO = "1.2.840.113583.1.1.9.2"
ADOBE = {ADOBE_TIMESTAMP: "Adobe Time-stamp", ADOBE_ARCHIVE_REV_INFO: "Adobe ArchiveRevInfo"}
_PRINTABLE_STRING = 0x13


@lint(
    name="smime_authority_key_identifier_key_id_only",
    description="authorityKeyIdentifier holds a keyIdentifier and neither authorityCertIssuer "
    "nor authorityCertSerialNumber. (That it is present, with a keyIdentifier, and not "
    "critical is RFC 5280's rule too: rfc5280.authority_key_identifier_present and "
    "authority_key_identifier_not_critical.)",
    citation="S/MIME BR 7.1.2.3(g)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.AUTHORITY_KEY_IDENTIFIER,),
    zlint=("e_authority_key_identifier_correct",),
)
def authority_key_identifier_key_id_only(cert: CertView) -> Outcome:
    return key_id_only_outcome(cert)


def key_id_only_outcome(cert: CertView) -> Outcome:
    """authorityKeyIdentifier ::= SEQUENCE { [0] keyIdentifier, [1] authorityCertIssuer,
    [2] authorityCertSerialNumber }: no [1] or [2] (also 7.1.2.2(h) of S/MIME CAs)."""
    der = extension_value(cert, oids.AUTHORITY_KEY_IDENTIFIER) or b""
    # (A missing keyIdentifier is rfc5280.authority_key_identifier_present's to report.)
    fields = _context_tags(der)
    extra = [name for tag, name in ((1, "authorityCertIssuer"), (2, "authorityCertSerialNumber"))
             if tag in fields]  # fmt: skip
    if extra:
        return fail(f"authorityKeyIdentifier also has {' and '.join(extra)}")
    return PASS


def _context_tags(der: bytes) -> set[int]:
    if not der:
        return set()
    start, end = header(der, 0)
    return {tag & 0x1F for tag, _, _ in children(der, start, end) if tag & 0xC0 == 0x80}


@lint(
    name="smime_capabilities_not_critical",
    description="smimeCapabilities (RFC 4262), when present, is not marked critical.",
    citation="S/MIME BR 7.1.2.3(i)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    needs=(SMIME_CAPABILITIES,),
)
def smime_capabilities_not_critical(cert: CertView) -> Outcome:
    if cert.is_critical(SMIME_CAPABILITIES):
        return fail("smimeCapabilities is marked critical")
    return PASS


@lint(
    name="smime_subject_directory_attributes_legacy_only",
    description="Strict and Multipurpose Generation certificates have no "
    "subjectDirectoryAttributes extension (Legacy ones may, not critical: RFC 5280's rule, "
    "rfc5280.subject_directory_attributes_not_critical).",
    citation="S/MIME BR 7.1.2.3(j) (table)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=NOT_LEGACY,
    effective=dates.SMIME_BR_1_0_0,
    zlint=("e_strict_multipurpose_smime_ext_subject_directory_attr",),
)
def subject_directory_attributes_legacy_only(cert: CertView) -> Outcome:
    if cert.has_extension(oids.SUBJECT_DIRECTORY_ATTRIBUTES):
        return fail(f"{describe(cert.profile)} certificate has subjectDirectoryAttributes")
    return PASS


@lint(
    name="smime_qc_statements_not_critical",
    description="qcStatements (RFC 3739, ETSI EN 319 412-5), when present, is not marked critical.",
    citation="S/MIME BR 7.1.2.3(k)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    needs=(QC_STATEMENTS,),
    zlint=("e_smime_qc_statements_must_not_be_critical",),
)
def qc_statements_not_critical(cert: CertView) -> Outcome:
    if cert.is_critical(QC_STATEMENTS):
        return fail("qcStatements is marked critical")
    return PASS


# 7.1.2.3(l): which Legal Entity Identifier extensions each validation type may carry.
_LEI_ALLOWED = {
    "mailbox": frozenset(),
    "organization": frozenset({LEI}),
    "sponsor": frozenset({LEI, LEI_ROLE}),
    "individual": frozenset(),
}
_LEI_NAMES = {LEI: "Legal Entity Identifier", LEI_ROLE: "LEI role"}


@lint(
    name="smime_legal_entity_identifier",
    description="The Legal Entity Identifier extension (1.3.6.1.4.1.52266.1) is in no "
    "Mailbox-validated or Individual-validated certificate; its role form (.2) only in "
    "Sponsor-validated ones; where present, neither is critical.",
    citation="S/MIME BR 7.1.2.3(l) (table)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    zlint=("e_legal_entity_identifier",),
)
def legal_entity_identifier(cert: CertView) -> Outcome:
    present = [oid for oid in (LEI, LEI_ROLE) if cert.has_extension(oid)]
    allowed = _LEI_ALLOWED[cert.profile.split("_")[1]]
    prohibited = [_LEI_NAMES[oid] for oid in present if oid not in allowed]
    if prohibited:
        return fail(f"{describe(cert.profile)} certificate has the {' and '.join(prohibited)} "
                    "extension")  # fmt: skip
    critical = [_LEI_NAMES[oid] for oid in present if cert.is_critical(oid)]
    if critical:
        return fail(f"the {' and '.join(critical)} extension is marked critical")
    return PASS


def _has_adobe(cert: CertView) -> bool:
    return any(cert.has_extension(oid) for oid in ADOBE)


@lint(
    name="smime_strict_adobe_extensions_prohibited",
    description="A Strict Generation certificate has neither the Adobe Time-stamp "
    "(1.2.840.113583.1.1.9.1) nor the Adobe ArchiveRevInfo (1.2.840.113583.1.1.9.2) extension.",
    citation="S/MIME BR 7.1.2.3(m) (table)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=STRICT,
    effective=dates.SMIME_BR_1_0_0,
    zlint=("e_adobe_extensions_strict_presence",),
)
def strict_adobe_extensions_prohibited(cert: CertView) -> Outcome:
    present = [name for oid, name in ADOBE.items() if cert.has_extension(oid)]
    if present:
        return fail(f"Strict certificate has the {' and '.join(present)} extension")
    return PASS


@lint(
    name="smime_adobe_extensions_not_critical",
    description="In Multipurpose and Legacy certificates the Adobe Time-stamp and Adobe "
    "ArchiveRevInfo extensions, when present, are not marked critical.",
    citation="S/MIME BR 7.1.2.3(m) (table)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=NOT_STRICT,
    effective=dates.SMIME_BR_1_0_0,
    when=_has_adobe,
    zlint=("e_adobe_extensions_legacy_multipurpose_criticality",),
)
def adobe_extensions_not_critical(cert: CertView) -> Outcome:
    critical = [
        name for oid, name in ADOBE.items() if cert.has_extension(oid) and cert.is_critical(oid)
    ]
    if critical:
        return fail(f"the {' and '.join(critical)} extension is marked critical")
    return PASS


@lint(
    name="smime_legal_entity_identifier_syntax",
    description="The Legal Entity Identifier extension holds an LEI as ISO 17442 specifies it "
    "(a PrintableString of 20 characters, the last two check digits).",
    citation="S/MIME BR 7.1.2.3(l); ISO 17442-1:2020 clause 6, ISO 17442-2:2020 clause 4",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    needs=(LEI,),
)
def legal_entity_identifier_syntax(cert: CertView) -> Outcome:
    der = extension_value(cert, LEI) or b""
    if not der or der[0] != _PRINTABLE_STRING:
        return fail("the Legal Entity Identifier extension does not hold a PrintableString")
    start, end = header(der, 0)
    value = der[start:end].decode("latin-1")
    if why := lei_problem(value):
        return fail(f"Legal Entity Identifier {value[:40]!r} {why}")
    return PASS


# 7.1.2.3: the extensions a subscriber certificate's profile specifies.
SPECIFIED = frozenset({
    oids.CERTIFICATE_POLICIES, oids.CRL_DISTRIBUTION_POINTS, oids.AUTHORITY_INFO_ACCESS,
    oids.BASIC_CONSTRAINTS, oids.KEY_USAGE, oids.EXTENDED_KEY_USAGE,
    oids.AUTHORITY_KEY_IDENTIFIER, oids.SUBJECT_ALT_NAME, SMIME_CAPABILITIES,
    oids.SUBJECT_DIRECTORY_ATTRIBUTES, QC_STATEMENTS, LEI, LEI_ROLE, ADOBE_TIMESTAMP,
    ADOBE_ARCHIVE_REV_INFO, oids.SUBJECT_KEY_IDENTIFIER,
})  # fmt: skip


@lint(
    name="smime_extensions_specified",
    description="Every extension of an S/MIME subscriber certificate is one 7.1.2.3 specifies. "
    "Others need a reason the CA knows of and a validation process in its CP or CPS: a notice "
    "to confirm that.",
    citation="S/MIME BR 7.1.2.4",
    source=Source.CABF_SMIME,
    severity=Status.NOTICE,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
)
def extensions_specified(cert: CertView) -> Outcome:
    other = sorted({e.oid for e in cert.extension_list} - SPECIFIED)
    if other:
        return fail(f"extensions 7.1.2.3 does not specify: {', '.join(other[:10])}")
    return PASS
