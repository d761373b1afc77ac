"""Golden cases for the ETSI lints (audit/lints/etsi/).

Every qcStatements value is written here as DER, statement by statement (`tlv`), and set with
`with_extension_der`: no encoder writes the ETSI statements. The bases are an EU qualified web
site certificate (`QWAC`, QEVCP-w), a qualified signature certificate of a natural person
(`ESIGN`, QCP-n-qscd), a qualified seal certificate of a legal person (`ESEAL`, QCP-l) and a
PSD2 QWAC (`PSD2`); each failing case changes one thing.
"""

from datetime import UTC, datetime

import pytest
from asn1crypto import core
from cryptography.x509.oid import ExtendedKeyUsageOID as EKU
from cryptography.x509.oid import NameOID

from audit.engine import oids
from audit.lints.etsi import _qc as qc
from audit.sample_db.certbuilder import EV, EV_SPEC, CertSpec, name, tlv
from tests.lints.golden import Case, check_case


def at(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


# -- DER of the statements ----------------------------------------------------------------------


def oid(dotted: str) -> bytes:
    return core.ObjectIdentifier(dotted).dump()


def seq(*parts: bytes) -> bytes:
    return tlv(0x30, b"".join(parts))


def ia5(text: str) -> bytes:
    return tlv(0x16, text.encode())


def printable(text: str) -> bytes:
    return tlv(0x13, text.encode())


def utf8(text: str) -> bytes:
    return tlv(0x0C, text.encode())


def integer(value: int) -> bytes:
    return tlv(0x02, value.to_bytes((value.bit_length() + 8) // 8, "big", signed=True))


def stmt(statement_id: str, *info: bytes) -> bytes:
    return seq(oid(statement_id), *info)


def qc_type(*types: str) -> bytes:
    return stmt(qc.QCS_TYPE, seq(*(oid(t) for t in types)))


def pds(*locations: tuple[str, str]) -> bytes:
    return stmt(qc.QCS_PDS, seq(*(seq(ia5(url), printable(lang)) for url, lang in locations)))


def semantics(identifier: str) -> bytes:
    return stmt(qc.PKIX_QC_SYNTAX_V2, seq(oid(identifier)))


def limit_value(currency: bytes) -> bytes:
    return stmt(qc.QCS_LIMIT_VALUE, seq(currency, integer(100), integer(3)))


def psd2(roles: tuple[tuple[str, str], ...], nca_name: str, nca_id: str) -> bytes:
    role_list = seq(*(seq(oid(o), utf8(n)) for o, n in roles))
    return stmt(qc.PSD2_STATEMENT, seq(role_list, utf8(nca_name), utf8(nca_id)))


def with_qc(spec: CertSpec, *statements: bytes, critical: bool = False) -> CertSpec:
    return spec.with_extension_der(oids.QC_STATEMENTS, seq(*statements), critical)


COMPLIANCE = stmt(qc.QCS_COMPLIANCE)
SSCD = stmt(qc.QCS_SSCD)
PDS_EN = pds(("https://pki.example-ca.test/pds/en.pdf", "en"))
WEB = qc_type(qc.QCT_WEB)
ESIGN_TYPE = qc_type(qc.QCT_ESIGN)
ESEAL_TYPE = qc_type(qc.QCT_ESEAL)

# -- the certificates ---------------------------------------------------------------------------

C, O, CN, GN, SN, SERIAL = (  # noqa: E741 - X.520 short names
    NameOID.COUNTRY_NAME, NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME, NameOID.GIVEN_NAME,
    NameOID.SURNAME, NameOID.SERIAL_NUMBER,
)  # fmt: skip
ORG_ID = oids.ORGANIZATION_IDENTIFIER
PSEUDONYM = oids.PSEUDONYM

QWAC_BASE = EV_SPEC.but(policies=(EV, qc.QEVCP_W))
QWAC = with_qc(QWAC_BASE, COMPLIANCE, WEB, PDS_EN)

PERSON = ((C, "DE"), (GN, "Erika"), (SN, "Mustermann"), (SERIAL, "PNODE-1234567890"),
          (CN, "Erika Mustermann"))  # fmt: skip
ESIGN_BASE = CertSpec(
    subject=name(*PERSON), dns_names=None, eku=None, policies=(qc.QCP_N_QSCD,),
    key_usage=("content_commitment",), days=365,
)  # fmt: skip
NATURAL = semantics(qc.SEMANTICS_NATURAL)
ESIGN = with_qc(ESIGN_BASE, COMPLIANCE, SSCD, ESIGN_TYPE, PDS_EN, NATURAL)

SEAL_SUBJECT = ((C, "BE"), (O, "Example Seal SA"), (ORG_ID, "VATBE-0123456789"),
                (CN, "Example Seal SA"))  # fmt: skip
ESEAL_BASE = ESIGN_BASE.but(subject=name(*SEAL_SUBJECT), policies=(qc.QCP_L,))
LEGAL = semantics(qc.SEMANTICS_LEGAL)
ESEAL = with_qc(ESEAL_BASE, COMPLIANCE, ESEAL_TYPE, PDS_EN, LEGAL)

PSP_AI = ("0.4.0.19495.1.3", "PSP_AI")
PSD2_STATEMENT = psd2((PSP_AI,), "National Bank of Belgium", "BE-NBB")
PSD2_BASE = QWAC_BASE.but(
    subject=name(*SEAL_SUBJECT[:2], (ORG_ID, "PSDBE-NBB-1234.567.890"), (CN, "www.example.com")),
    policies=(EV, qc.QEVCP_W, qc.QCP_W_PSD2),
)
PSD2 = with_qc(PSD2_BASE, COMPLIANCE, WEB, PDS_EN, PSD2_STATEMENT)

# -- EN 319 412-5 -------------------------------------------------------------------------------

LATER = at(2026, 6)  # EN 319 412-5 V2.6.1 in force
STATEMENT_CASES = [
    Case("qc_statements_not_critical", QWAC, "pass"),
    Case("qc_statements_not_critical", with_qc(QWAC_BASE, COMPLIANCE, WEB, critical=True),
         "error"),
    Case("qc_statements_not_critical", with_qc(QWAC_BASE, LEGAL, critical=True), "na",
         "RFC 3739 statements only"),
    Case("qc_statements_each_etsi_once", QWAC.but(not_before=LATER), "pass"),
    Case("qc_statements_each_etsi_once",
         with_qc(QWAC_BASE.but(not_before=LATER), COMPLIANCE, WEB, COMPLIANCE), "error"),
    Case("qc_statements_each_etsi_once", with_qc(QWAC_BASE, COMPLIANCE, WEB, COMPLIANCE), "ne",
         "before V2.6.1"),
    Case("qc_type_oid_not_a_statement", QWAC, "pass"),
    Case("qc_type_oid_not_a_statement", with_qc(QWAC_BASE, COMPLIANCE, stmt(qc.QCT_WEB)),
         "error"),
    Case("qc_compliance_with_qualified_statements", QWAC, "pass"),
    Case("qc_compliance_with_qualified_statements", with_qc(QWAC_BASE, WEB, PDS_EN), "error",
         "QcType without QcCompliance"),
    Case("qc_compliance_with_qualified_statements",
         with_qc(QWAC_BASE, stmt(qc.QCS_CC_LEGISLATION, seq(printable("CH"))), WEB), "pass",
         "qualified under Swiss law"),
    Case("qc_compliance_with_qualified_statements", with_qc(QWAC_BASE, PDS_EN), "pass",
         "a PDS alone claims nothing"),
    Case("qc_compliance_without_info", QWAC, "pass"),
    Case("qc_compliance_without_info",
         with_qc(QWAC_BASE, stmt(qc.QCS_COMPLIANCE, tlv(0x05, b"")), WEB), "error", "NULL"),
    Case("qc_compliance_without_info", with_qc(QWAC_BASE, PDS_EN), "na"),
    Case("qc_sscd_without_info", ESIGN, "pass"),
    Case("qc_sscd_without_info",
         with_qc(ESIGN_BASE, COMPLIANCE, stmt(qc.QCS_SSCD, tlv(0x05, b"")), ESIGN_TYPE), "error"),
    Case("qc_type_values_valid", QWAC, "pass"),
    Case("qc_type_values_valid", with_qc(QWAC_BASE, COMPLIANCE, qc_type()), "error", "empty"),
    Case("qc_type_values_valid", with_qc(QWAC_BASE, COMPLIANCE, qc_type(qc.QCS_LIMIT_VALUE)),
         "error", "not a type"),
    Case("qc_type_values_valid", with_qc(QWAC_BASE, COMPLIANCE, stmt(qc.QCS_TYPE, integer(3))),
         "pass", "unreadable: the structure lint's"),
    Case("qc_type_exactly_one", QWAC, "pass"),
    Case("qc_type_exactly_one", with_qc(QWAC_BASE, COMPLIANCE, qc_type(qc.QCT_WEB, qc.QCT_ESEAL)),
         "error", "two"),
    Case("qc_type_exactly_one",
         with_qc(QWAC_BASE.but(not_before=at(2024, 6)), COMPLIANCE,
                 qc_type(qc.QCT_WEB, qc.QCT_ESEAL)), "ne", "before V2.5.0"),
    Case("qc_type_web_in_website_certificates", QWAC, "pass"),
    Case("qc_type_web_in_website_certificates", with_qc(QWAC_BASE, COMPLIANCE, ESEAL_TYPE),
         "error"),
    Case("qc_type_web_in_website_certificates", ESEAL, "na", "a seal certificate"),
    Case("qc_type_sign_or_seal_in_email_certificates", ESIGN.but(eku=(EKU.EMAIL_PROTECTION,)),
         "pass"),
    Case("qc_type_sign_or_seal_in_email_certificates",
         with_qc(ESIGN_BASE.but(eku=(EKU.EMAIL_PROTECTION,)), COMPLIANCE, WEB), "error"),
    Case("qc_type_sign_or_seal_in_email_certificates", QWAC, "na", "a web site certificate"),
    Case("qc_cc_legislation_countries",
         with_qc(QWAC_BASE, stmt(qc.QCS_CC_LEGISLATION, seq(printable("CH"))), WEB), "pass"),
    Case("qc_cc_legislation_countries",
         with_qc(QWAC_BASE, stmt(qc.QCS_CC_LEGISLATION, seq()), WEB), "error", "empty"),
    Case("qc_cc_legislation_countries",
         with_qc(QWAC_BASE, stmt(qc.QCS_CC_LEGISLATION, seq(printable("ZZ"))), WEB), "error",
         "ZZ"),
    Case("qc_limit_value_valid", with_qc(ESIGN_BASE, COMPLIANCE, limit_value(printable("EUR"))),
         "pass"),
    Case("qc_limit_value_valid", with_qc(ESIGN_BASE, COMPLIANCE, limit_value(integer(978))),
         "pass", "numeric EUR"),
    Case("qc_limit_value_valid", with_qc(ESIGN_BASE, COMPLIANCE, limit_value(printable("EURO"))),
         "error"),
    Case("qc_limit_value_valid", with_qc(ESIGN_BASE, COMPLIANCE, limit_value(integer(1))),
         "error", "no currency numbered 1"),
    Case("qc_retention_period_valid",
         with_qc(ESIGN_BASE, COMPLIANCE, stmt(qc.QCS_RETENTION_PERIOD, integer(15))), "pass"),
    Case("qc_retention_period_valid",
         with_qc(ESIGN_BASE, COMPLIANCE, stmt(qc.QCS_RETENTION_PERIOD, integer(0))), "error"),
    Case("qc_pds_languages_valid", QWAC, "pass"),
    Case("qc_pds_languages_valid",
         with_qc(QWAC_BASE, COMPLIANCE, WEB, pds(("https://pki.example-ca.test/de.pdf", "de"))),
         "error", "no English PDS"),
    Case("qc_pds_languages_valid",
         with_qc(QWAC_BASE, COMPLIANCE, WEB,
                 pds(("https://pki.example-ca.test/en.pdf", "en"),
                     ("https://pki.example-ca.test/x.pdf", "n3"))), "error", "n3"),
    Case("qc_pds_languages_valid", with_qc(QWAC_BASE, COMPLIANCE, WEB, stmt(qc.QCS_PDS, ia5("x"))),
         "pass", "unreadable: the structure lint's"),
    Case("qc_pds_languages_valid",
         with_qc(QWAC_BASE, COMPLIANCE, WEB,
                 stmt(qc.QCS_PDS, seq(seq(printable("https://pki.example-ca.test/en.pdf"),
                                          printable("en"))))),
         "error", "the English location's URL no IA5String: no English PDS can be read"),
    Case("qc_pds_language_iso_639_1",
         with_qc(QWAC_BASE, COMPLIANCE, WEB,
                 pds(("https://pki.example-ca.test/en.pdf", "en"),
                     ("https://pki.example-ca.test/el.pdf", "el"))), "pass"),
    Case("qc_pds_language_iso_639_1",
         with_qc(QWAC_BASE, COMPLIANCE, WEB,
                 pds(("https://pki.example-ca.test/en.pdf", "en"),
                     ("https://pki.example-ca.test/gr.pdf", "gr"))), "error", "gr is no language"),
    Case("qc_pds_language_lowercase", QWAC, "pass"),
    Case("qc_pds_language_lowercase",
         with_qc(QWAC_BASE, COMPLIANCE, WEB, pds(("https://pki.example-ca.test/en.pdf", "EN"))),
         "warn"),
    Case("qc_pds_urls_https", QWAC, "pass"),
    Case("qc_pds_urls_https",
         with_qc(QWAC_BASE, COMPLIANCE, WEB, pds(("http://pki.example-ca.test/en.pdf", "en"))),
         "error"),
    Case("qc_pds_urls_https",
         with_qc(QWAC_BASE.but(not_before=at(2022, 6)), COMPLIANCE, WEB,
                 pds(("http://pki.example-ca.test/en.pdf", "en"))), "ne", "before V2.4.1"),
]  # fmt: skip

# -- EN 319 412-1, -2, -3 -----------------------------------------------------------------------


def esign_with(*subject: tuple[object, str], key_usage: tuple[str, ...] | None = None) -> CertSpec:
    spec = ESIGN.but(subject=name(*subject)) if subject else ESIGN
    return spec if key_usage is None else spec.but(key_usage=key_usage)


PERSON_CASES = [
    Case("etsi_natural_person_key_usage_present", ESIGN, "pass"),
    Case("etsi_natural_person_key_usage_present", ESIGN.but(key_usage=None), "error"),
    Case("etsi_natural_person_key_usage_present", ESEAL, "na", "a legal person"),
    Case("etsi_natural_person_key_usage_type", ESIGN, "pass", "type A"),
    Case("etsi_natural_person_key_usage_type",
         esign_with(key_usage=("digital_signature", "key_agreement")), "pass", "type D"),
    Case("etsi_natural_person_key_usage_type", esign_with(key_usage=("data_encipherment",)),
         "error"),
    Case("etsi_natural_person_key_usage_preferred", ESIGN, "pass"),
    Case("etsi_natural_person_key_usage_preferred",
         esign_with(key_usage=("content_commitment", "digital_signature")), "warn", "type B"),
    Case("etsi_natural_person_key_usage_preferred", esign_with(key_usage=("data_encipherment",)),
         "na", "no setting of the table"),
    Case("etsi_natural_person_subject", ESIGN, "pass"),
    Case("etsi_natural_person_subject", esign_with(*PERSON[1:]), "error", "no countryName"),
    Case("etsi_natural_person_subject", esign_with(*PERSON, (PSEUDONYM, "Erika M.")), "error",
         "pseudonym beside givenName and surname"),
    Case("etsi_natural_person_subject",
         esign_with((C, "DE"), (PSEUDONYM, "Erika M."), (CN, "Erika M.")), "pass", "pseudonym"),
    Case("etsi_legal_person_subject", ESEAL, "pass"),
    Case("etsi_legal_person_subject",
         ESEAL.but(subject=name((C, "BE"), (O, "Example Seal SA"), (CN, "Example Seal SA"))),
         "error", "no organizationIdentifier"),
    Case("etsi_legal_person_subject",
         ESEAL.but(subject=name((C, "BE"), (O, "Example Seal SA"), (ORG_ID, "Example Seal SA"),
                                (CN, "Example Seal SA"))), "error", "orgId is the name"),
    Case("etsi_organization_identifier_syntax", ESEAL, "pass"),
    Case("etsi_organization_identifier_syntax",
         ESEAL.but(subject=name((C, "BE"), (O, "Example Seal SA"), (ORG_ID, "BE0123456789"),
                                (CN, "Example Seal SA"))), "error", "no type"),
    Case("etsi_organization_identifier_syntax",
         ESEAL.but(subject=name((C, "BE"), (O, "Example Seal SA"), (ORG_ID, "XYZBE-0123456789"),
                                (CN, "Example Seal SA"))), "error", "unknown type"),
    Case("etsi_organization_identifier_syntax",
         ESEAL.but(subject=name((C, "BE"), (O, "Example Seal SA"), (ORG_ID, "BE:BE-0123456789"),
                                (CN, "Example Seal SA"))), "pass", "a national scheme"),
    Case("etsi_natural_person_identifier_syntax", ESIGN, "pass"),
    Case("etsi_natural_person_identifier_syntax",
         esign_with(*PERSON[:3], (SERIAL, "1234567890"), PERSON[4]), "error"),
]  # fmt: skip

# -- EN 319 411-2 policies and EN 319 412-4 -----------------------------------------------------

POLICY_CASES = [
    Case("qc_compliance_for_qualified_policy", QWAC, "pass"),
    Case("qc_compliance_for_qualified_policy", with_qc(QWAC_BASE, WEB, PDS_EN), "error"),
    Case("qc_compliance_for_qualified_policy", QWAC_BASE, "error", "no qcStatements at all"),
    Case("qc_compliance_for_qualified_policy", EV_SPEC, "na", "no ETSI policy"),
    Case("qc_type_matches_qualified_policy", ESIGN, "pass"),
    Case("qc_type_matches_qualified_policy", ESEAL, "pass", "eseal"),
    Case("qc_type_matches_qualified_policy", with_qc(ESIGN_BASE, COMPLIANCE, SSCD, ESEAL_TYPE),
         "error", "a seal type under QCP-n-qscd"),
    Case("qc_type_matches_qualified_policy", with_qc(QWAC_BASE, COMPLIANCE, PDS_EN), "error",
         "a QWAC without QcType"),
    Case("qc_sscd_matches_qualified_policy", ESIGN, "pass"),
    Case("qc_sscd_matches_qualified_policy", with_qc(ESIGN_BASE, COMPLIANCE, ESIGN_TYPE), "error",
         "QCP-n-qscd without QcSSCD"),
    Case("qc_sscd_matches_qualified_policy", with_qc(QWAC_BASE, COMPLIANCE, WEB, SSCD), "error",
         "a QWAC stating QcSSCD"),
    Case("qc_sscd_matches_qualified_policy", ESEAL, "na", "QCP-l"),
]  # fmt: skip

# -- TS 119 495 ---------------------------------------------------------------------------------


def psd2_with(statement: bytes) -> CertSpec:
    return with_qc(PSD2_BASE, COMPLIANCE, WEB, PDS_EN, statement)


def psd2_org_id(value: str) -> CertSpec:
    subject = name(*SEAL_SUBJECT[:2], (ORG_ID, value), (CN, "www.example.com"))
    return PSD2.but(subject=subject)


PSD2_CASES = [
    Case("psd2_roles_valid", PSD2, "pass"),
    Case("psd2_roles_valid", psd2_with(psd2((), "National Bank of Belgium", "BE-NBB")), "error",
         "no role"),
    Case("psd2_roles_valid",
         psd2_with(psd2((("0.4.0.19495.1.9", "PSP_XX"),), "National Bank of Belgium", "BE-NBB")),
         "error", "unknown role"),
    Case("psd2_roles_valid",
         psd2_with(psd2((("0.4.0.19495.1.3", "PSP_AS"),), "National Bank of Belgium", "BE-NBB")),
         "error", "the name of another role"),
    Case("psd2_roles_valid", psd2_with(stmt(qc.PSD2_STATEMENT, seq(utf8("PSP_AI")))), "error",
         "not a PSD2QcType"),
    Case("psd2_competent_authority_valid", PSD2, "pass"),
    Case("psd2_competent_authority_valid",
         psd2_with(psd2((PSP_AI,), "National Bank of Belgium", "Belgium-NBB")), "error",
         "not <country>-<id>"),
    Case("psd2_competent_authority_valid",
         psd2_with(psd2((PSP_AI,), "Banque nationale de Belgique ë", "BE-NBB")), "error",
         "not Latin"),
    Case("psd2_organization_identifier_present", PSD2, "pass"),
    Case("psd2_organization_identifier_present",
         PSD2.but(subject=name(*SEAL_SUBJECT[:2], (CN, "www.example.com"))), "error"),
    Case("psd2_organization_identifier_authorization_number", PSD2, "pass"),
    Case("psd2_organization_identifier_authorization_number", psd2_org_id("VATBE-0123456789"),
         "warn", "no authorization number"),
    Case("psd2_organization_identifier_authorization_number", psd2_org_id("PSDBE-CBFA-12345"),
         "warn", "another authority"),
    Case("psd2_statement_for_psd2_policy", PSD2, "pass"),
    Case("psd2_statement_for_psd2_policy", with_qc(PSD2_BASE, COMPLIANCE, WEB, PDS_EN), "error"),
]  # fmt: skip

CASES = STATEMENT_CASES + PERSON_CASES + POLICY_CASES + PSD2_CASES


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)


def test_every_etsi_lint_has_failing_and_passing_case() -> None:
    from tests.lints.golden import engine

    ours = {x.name for x in engine().catalogue if x.source == "etsi"}
    covered = {c.lint for c in CASES}
    assert ours <= covered, f"lints without golden cases: {sorted(ours - covered)}"
    for lint_name in ours:
        statuses = {c.expected for c in CASES if c.lint == lint_name}
        assert "pass" in statuses, lint_name
        assert statuses & {"info", "notice", "warn", "error"}, lint_name


def test_qc_statements_reader() -> None:
    """The reader keeps what it could read and says why it stopped."""
    whole = qc.parse(seq(COMPLIANCE, WEB, stmt(qc.QCS_COMPLIANCE, tlv(0x05, b""), integer(1))))
    assert [s.oid for s in whole.statements] == [qc.QCS_COMPLIANCE, qc.QCS_TYPE, qc.QCS_COMPLIANCE]
    assert whole.problem is None and whole.statements[2].problem is not None
    truncated = qc.parse(seq(COMPLIANCE) + b"\x30\x05\x06")
    assert truncated.problem is not None
    stopped = qc.parse(seq(COMPLIANCE, integer(5)))
    assert [s.oid for s in stopped.statements] == [qc.QCS_COMPLIANCE]
    assert "INTEGER" in (stopped.problem or "")
