"""The EN 319 411-2 qualified-certificate policies and the statements they call for: EN 319
412-5 clause 5 (table 2), EN 319 412-4 (QWACs, the qualified web site certificates).

A policy identifier says what the CA issued; the QCStatements must say the same: that the
certificate is qualified (QcCompliance), for which purpose (QcType: esign for natural persons,
eseal for legal persons, web for web sites) and whether the key is in a QSCD (QcSSCD, which a
web site certificate never claims).
"""

from __future__ import annotations

from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.etsi._qc import (
    ANY,
    LEGAL_PERSON_POLICIES,
    NATURAL_PERSON_POLICIES,
    QC_TYPES,
    QCS_CC_LEGISLATION,
    QCS_COMPLIANCE,
    QCS_SSCD,
    QCS_TYPE,
    QCT_ESEAL,
    QCT_ESIGN,
    QCT_WEB,
    QSCD_POLICIES,
    QUALIFIED_POLICIES,
    QWAC_POLICIES,
    qc_statements,
    qc_type_values,
)


def _qualified(cert: CertView) -> list[str]:
    return [p for p in cert.policies or () if p in QUALIFIED_POLICIES or p in QWAC_POLICIES]


def _names(policies: list[str]) -> str:
    return ", ".join(f"{QUALIFIED_POLICIES.get(p, 'QCP-w-psd2')} ({p})" for p in policies)


@lint(
    name="qc_compliance_for_qualified_policy",
    description="A certificate issued under an EN 319 411-2 qualified policy (QCP-n, QCP-l, "
    "their -qscd forms, QEVCP-w, QNCP-w, QNCP-w-gen) states QcCompliance (or, qualified under "
    "a non-EU legislation, QcCClegislation).",
    citation="ETSI EN 319 412-5 5 (QCS-5-01, table 2); ETSI EN 319 411-2 5.3",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_2_1,
    when=lambda cert: bool(_qualified(cert)),
)
def qc_compliance_for_qualified_policy(cert: CertView) -> Outcome:
    qcs = qc_statements(cert)
    if qcs is not None and (qcs.has(QCS_COMPLIANCE) or qcs.has(QCS_CC_LEGISLATION)):
        return PASS
    where = "no qcStatements extension" if qcs is None else "no QcCompliance in qcStatements"
    return fail(f"issued under {_names(_qualified(cert))} with {where}")


def _expected_type(cert: CertView) -> str | None:
    policies = set(cert.policies or ())
    if policies & QWAC_POLICIES:
        return QCT_WEB
    if policies & NATURAL_PERSON_POLICIES:
        return QCT_ESIGN
    if policies & LEGAL_PERSON_POLICIES:
        return QCT_ESEAL
    return None


@lint(
    name="qc_type_matches_qualified_policy",
    description="QcType names the purpose the qualified policy was issued for: "
    "id-etsi-qct-esign under QCP-n(-qscd), id-etsi-qct-eseal under QCP-l(-qscd), "
    "id-etsi-qct-web under a web site policy (QEVCP-w, QNCP-w, QNCP-w-gen, QCP-w-psd2); a web "
    "site certificate must carry QcType.",
    citation="ETSI EN 319 412-5 4.2.3, 5 (table 2); ETSI EN 319 412-4 4.2; ETSI EN 319 411-2 5.3",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_2_1,
    when=lambda cert: _expected_type(cert) is not None,
)
def qc_type_matches_qualified_policy(cert: CertView) -> Outcome:
    expected = _expected_type(cert)
    assert expected is not None
    qcs = qc_statements(cert)
    s = qcs.first(QCS_TYPE) if qcs is not None else None
    if s is None:
        if expected == QCT_WEB:
            return fail(f"a web site certificate ({_names(_qualified(cert))}) without QcType")
        return PASS  # absent QcType is the qualified policies' default (esign) or legal's choice
    try:
        values = qc_type_values(s.info)
    except ValueError:
        return PASS  # qc_type_values_valid says why
    if expected not in values:
        shown = ", ".join(QC_TYPES.get(v, v) for v in values) or "empty"
        return fail(
            f"issued under {_names(_qualified(cert))} with QcType {shown}, not {QC_TYPES[expected]}"
        )
    return PASS


@lint(
    name="qc_sscd_matches_qualified_policy",
    description="A certificate issued under QCP-n-qscd or QCP-l-qscd states QcSSCD (its key is "
    "in a qualified signature or seal creation device); a web site certificate (QEVCP-w, "
    "QNCP-w, QNCP-w-gen) does not.",
    citation="ETSI EN 319 412-5 4.2.2, 5 (table 2); ETSI EN 319 411-2 5.3",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_2_1,
    when=lambda cert: bool(set(cert.policies or ()) & (QSCD_POLICIES | QWAC_POLICIES)),
)
def qc_sscd_matches_qualified_policy(cert: CertView) -> Outcome:
    qcs = qc_statements(cert)
    sscd = qcs is not None and qcs.has(QCS_SSCD)
    policies = [p for p in cert.policies or () if p in QSCD_POLICIES | QWAC_POLICIES]
    if set(policies) & QSCD_POLICIES and not sscd:
        return fail(f"issued under {_names(policies)} without QcSSCD")
    if set(policies) & QWAC_POLICIES and sscd:
        return fail(f"a web site certificate ({_names(policies)}) stating QcSSCD")
    return PASS
