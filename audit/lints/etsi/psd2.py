"""ETSI TS 119 495: qualified certificates for payment service providers under PSD2.

    PSD2QcType ::= SEQUENCE { rolesOfPSP RolesOfPSP, nCAName NCAName, nCAId NCAId }
    RolesOfPSP ::= SEQUENCE OF RoleOfPSP
    RoleOfPSP ::= SEQUENCE { roleOfPspOid RoleOfPspOid, roleOfPspName RoleOfPspName }
    RoleOfPspName, NCAName, NCAId ::= UTF8String (SIZE (1..256))

The "Unspecified" role (0.4.0.19495.1.0) came with V1.6.1 and is accepted throughout: a role
list holding it alone is what GEN-5.2.2-1 allows.
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
    ANY,
    PSD2_ROLES,
    PSD2_STATEMENT,
    QCP_W_PSD2,
    Item,
    has_statement,
    items,
    oid_of,
    statement,
)


def _psd2(cert: CertView) -> tuple[list[tuple[str, Item]], Item, Item] | str:
    """The PSD2 statement's fields, or why it is not a PSD2QcType."""
    s = statement(cert, PSD2_STATEMENT)
    assert s is not None
    if s.info is None or s.info.tag != 0x30:
        return "the PSD2 statement's statementInfo is not a PSD2QcType SEQUENCE"
    try:
        fields = items(s.info.tlv)
        if len(fields) != 3:
            return f"PSD2QcType has {len(fields)} fields, not rolesOfPSP, nCAName and nCAId"
        roles_item, name, nca_id = fields
        if roles_item.tag != 0x30:
            return f"rolesOfPSP is a {roles_item.kind}, not a SEQUENCE OF RoleOfPSP"
        roles = []
        for n, role in enumerate(items(roles_item.tlv), 1):
            parts = items(role.tlv) if role.tag == 0x30 else []
            if len(parts) != 2:
                return f"RoleOfPSP {n} is not a SEQUENCE of an OID and a name"
            roles.append((oid_of(parts[0]), parts[1]))
        return roles, name, nca_id
    except ValueError as exc:
        return f"the PSD2 statement holds {exc}"


def _utf8_problem(what: str, item: Item) -> str | None:
    if item.tag != 0x0C:
        return f"{what} is a {item.kind}, not a UTF8String"
    if not 1 <= len(item.text()) <= 256:
        return f"{what} is {len(item.text())} characters long, not 1 to 256"
    return None


@lint(
    name="psd2_roles_valid",
    description="The PSD2 statement's rolesOfPSP holds one or more roles (or the single role "
    "'Unspecified'), each one of the TS 119 495 role identifiers with its own name: PSP_AS, "
    "PSP_PI, PSP_AI, PSP_IC.",
    citation="ETSI TS 119 495 5.1, 5.2.2 (GEN-5.2.2-1 to -5), Annex A",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_TS_119_495_V1_1_1,
    needs=(oids.QC_STATEMENTS,),
    when=has_statement(PSD2_STATEMENT),
)
def psd2_roles_valid(cert: CertView) -> Outcome:
    psd2 = _psd2(cert)
    if isinstance(psd2, str):
        return fail(psd2)
    roles = psd2[0]
    if not roles:
        return fail("rolesOfPSP is empty")
    for oid, name in roles:
        why = _utf8_problem("roleOfPspName", name)
        if why:
            return fail(why)
        if oid not in PSD2_ROLES:
            return fail(f"role {oid} is not a TS 119 495 role")
        if name.text() != PSD2_ROLES[oid]:
            return fail(f"role {oid} is named {name.text()[:50]!r}, not {PSD2_ROLES[oid]!r}")
    if len(roles) > 1 and any(PSD2_ROLES[o] == "Unspecified" for o, _ in roles):
        return fail("rolesOfPSP holds 'Unspecified' beside other roles")
    return PASS


_NCA_ID = re.compile(r"(?P<cc>[A-Z]{2})-(?P<nca>[A-Z]{2,8})")


@lint(
    name="psd2_competent_authority_valid",
    description="The PSD2 statement names the Competent Authority: nCAName in plain Latin "
    "text, nCAId an ISO 3166-1 country code, '-' and 2 to 8 capital letters (e.g. 'BE-NBB').",
    citation="ETSI TS 119 495 5.2.3 (GEN-5.2.3-1, -2), Annex A",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_TS_119_495_V1_1_1,
    needs=(oids.QC_STATEMENTS,),
    when=has_statement(PSD2_STATEMENT),
)
def psd2_competent_authority_valid(cert: CertView) -> Outcome:
    psd2 = _psd2(cert)
    if isinstance(psd2, str):
        return fail(psd2)
    _, name, nca_id = psd2
    why = _utf8_problem("nCAName", name) or _utf8_problem("nCAId", nca_id)
    if why:
        return fail(why)
    if not name.text().isascii():
        return fail(f"nCAName {name.text()[:100]!r} is not plain Latin text")
    m = _NCA_ID.fullmatch(nca_id.text())
    if m is None or m["cc"] not in ISO_3166_ALPHA_2 or m["cc"] == "XX":
        return fail(f"nCAId {nca_id.text()[:50]!r} is not <ISO 3166-1 country>-<2 to 8 capitals>")
    return PASS


@lint(
    name="psd2_organization_identifier_present",
    description="A PSD2 certificate's subject includes organizationIdentifier.",
    citation="ETSI TS 119 495 5.3 (GEN-5.3-3)",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_TS_119_495_V1_1_1,
    needs=(oids.QC_STATEMENTS,),
    when=has_statement(PSD2_STATEMENT),
)
def psd2_organization_identifier_present(cert: CertView) -> Outcome:
    if not cert.subject.has(oids.ORGANIZATION_IDENTIFIER):
        return fail("a PSD2 certificate's subject without organizationIdentifier")
    return PASS


_PSD_ORG_ID = re.compile(r"PSD(?P<cc>[A-Z]{2})-(?P<nca>[A-Z]{2,8})-.+")


@lint(
    name="psd2_organization_identifier_authorization_number",
    description="A PSD2 certificate's organizationIdentifier SHOULD be the Authorization Number "
    "as 'PSD', the Competent Authority's country, '-', its 2 to 8 capitals, '-' and the number "
    "(e.g. 'PSDBE-NBB-1234.567.890'), the same authority as the PSD2 statement's nCAId.",
    citation="ETSI TS 119 495 5.2.1 (GEN-5.2.1-3)",
    source=Source.ETSI,
    severity=Status.WARN,
    applies=ANY,
    effective=dates.ETSI_TS_119_495_V1_1_1,
    needs=(oids.QC_STATEMENTS,),
    when=lambda cert: (
        has_statement(PSD2_STATEMENT)(cert) and cert.subject.has(oids.ORGANIZATION_IDENTIFIER)
    ),
)
def psd2_organization_identifier_authorization_number(cert: CertView) -> Outcome:
    value = cert.subject.first(oids.ORGANIZATION_IDENTIFIER) or ""
    m = _PSD_ORG_ID.fullmatch(value)
    if m is None:
        return fail(f"organizationIdentifier {value[:100]!r} is not PSD<country>-<NCA>-<number>")
    psd2 = _psd2(cert)
    if not isinstance(psd2, str) and psd2[2].text() != f"{m['cc']}-{m['nca']}":
        return fail(
            f"organizationIdentifier {value[:100]!r} names another authority than nCAId "
            f"{psd2[2].text()[:50]!r}"
        )
    return PASS


@lint(
    name="psd2_statement_for_psd2_policy",
    description="A certificate issued under the PSD2 web site policy QCP-w-psd2 "
    "(0.4.0.19495.3.1) carries the PSD2 statement in its qcStatements.",
    citation="ETSI TS 119 495 5.1 (GEN-5.1-1), 6.1",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_TS_119_495_V1_1_1,
    when=lambda cert: QCP_W_PSD2 in (cert.policies or ()),
)
def psd2_statement_for_psd2_policy(cert: CertView) -> Outcome:
    if statement(cert, PSD2_STATEMENT) is None:
        return fail("issued under QCP-w-psd2 without the PSD2 statement")
    return PASS
