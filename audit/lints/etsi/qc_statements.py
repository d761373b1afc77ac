"""ETSI EN 319 412-5: the QCStatements of qualified certificates, statement by statement.

What each statement says is judged here; whether it is encoded as 412-5's ASN.1 module (Annex B)
defines it (string types, SIZE constraints, no statementInfo where none is defined) is the
structure lint's, qc_statements_value_matches_asn1 (rfc5280/asn1_structure.py). A statement that
cannot be read passes here and fails there, except QcCompliance and QcSSCD, whose 4.2.1 and 4.2.2
are nothing but their form: those two rules are here too, as the ETSI clauses zlint checks.

Dated from V2.2.1 (2017-11), the version these rules are checked against (most were in V2.1.1,
2016-02, already), except where a later version added the rule: https PDS URLs (V2.4.1), one
QcType value only (V2.5.0), each statement once (V2.6.1). The QcPDS rules (4.3.4) hold wherever
the statement appears, qualified certificate or not (4.3 statements may be used outside the EU).
"""

from __future__ import annotations

from collections.abc import Callable

import pycountry

from audit.engine import oids
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br.subject import ISO_3166_ALPHA_2
from audit.lints.etsi._qc import (
    ANY,
    ETSI_STATEMENT_NAMES,
    QC_TYPES,
    QCS_CC_LEGISLATION,
    QCS_COMPLIANCE,
    QCS_LIMIT_VALUE,
    QCS_PDS,
    QCS_RETENTION_PERIOD,
    QCS_SSCD,
    QCS_TYPE,
    QCT_ESEAL,
    QCT_ESIGN,
    QCT_WEB,
    Item,
    QcStatements,
    has_etsi_statement,
    has_statement,
    integer_of,
    is_email,
    is_website,
    items,
    qc_statements,
    qc_type_values,
    statement,
)

QC = (oids.QC_STATEMENTS,)


def _qcs(cert: CertView) -> QcStatements:
    qcs = qc_statements(cert)
    assert qcs is not None  # `needs` the extension
    return qcs


def _name(oid: str) -> str:
    return f"{ETSI_STATEMENT_NAMES.get(oid, 'statement')} ({oid})"


# -- the extension ------------------------------------------------------------------------------


@lint(
    name="qc_statements_not_critical",
    description="A qcStatements extension holding any EN 319 412-5 statement is not marked "
    "critical.",
    citation="ETSI EN 319 412-5 4.1 (QCS-4.1-02)",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_2_1,
    needs=QC,
    when=has_etsi_statement,
    zlint=("e_qcstatem_etsi_present_qcs_critical",),
)
def qc_statements_not_critical(cert: CertView) -> Outcome:
    if cert.is_critical(oids.QC_STATEMENTS):
        return fail("qcStatements holds EN 319 412-5 statements and is marked critical")
    return PASS


@lint(
    name="qc_statements_each_etsi_once",
    description="The qcStatements extension holds no EN 319 412-5 statement more than once.",
    citation="ETSI EN 319 412-5 V2.6.1 4.1 (QCS-4.1-02A)",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_6_1,
    needs=QC,
    when=has_etsi_statement,
    zlint=("e_duplicate_etsi_qcstatement",),
)
def qc_statements_each_etsi_once(cert: CertView) -> Outcome:
    seen: set[str] = set()
    twice = []
    for s in _qcs(cert).etsi:
        if s.oid in seen and s.oid not in twice:
            twice.append(s.oid)
        seen.add(s.oid)
    if twice:
        return fail(f"qcStatements holds {', '.join(_name(o) for o in twice)} more than once")
    return PASS


@lint(
    name="qc_type_oid_not_a_statement",
    description="No QCStatement's statementId is a QcType value (id-etsi-qct-esign, -eseal, "
    "-web): those go inside the QcType statement.",
    citation="ETSI EN 319 412-5 4.2.3",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_2_1,
    needs=QC,
    zlint=("e_qcstatem_etsi_type_as_statem",),
)
def qc_type_oid_not_a_statement(cert: CertView) -> Outcome:
    misused = [s.oid for s in _qcs(cert).statements if s.oid in QC_TYPES]
    if misused:
        return fail(f"QcType value(s) {', '.join(misused)} used as a statementId")
    return PASS


# Statements that say something about qualified status (EN 319 412-5 4.2): present without the
# statement that claims it (QcCompliance in the EU, QcCClegislation elsewhere) they claim nothing.
_QUALIFIED_ONLY = (QCS_SSCD, QCS_TYPE)


@lint(
    name="qc_compliance_with_qualified_statements",
    description="A certificate with QcSSCD or QcType also states that it is qualified: "
    "QcCompliance (EU qualified certificates) or QcCClegislation (qualified under a non-EU "
    "legislation).",
    citation="ETSI EN 319 412-5 4.2.1, 4.2.4, 5 (QCS-5-01, table 2)",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_2_1,
    needs=QC,
    when=has_etsi_statement,
    zlint=("e_qcstatem_mandatory_etsi_statems",),
)
def qc_compliance_with_qualified_statements(cert: CertView) -> Outcome:
    qcs = _qcs(cert)
    if qcs.has(QCS_COMPLIANCE) or qcs.has(QCS_CC_LEGISLATION):
        return PASS
    claims = [_name(o) for o in _QUALIFIED_ONLY if qcs.has(o)]
    if claims:
        return fail(f"{', '.join(claims)} without QcCompliance or QcCClegislation")
    return PASS


def _no_info(cert: CertView, oid: str) -> Outcome:
    for s in _qcs(cert).all(oid):
        if s.info is not None or s.problem:
            return fail(f"{_name(oid)} carries a statementInfo; it has none")
    return PASS


@lint(
    name="qc_compliance_without_info",
    description="QcCompliance is the statement identifier alone, with no statementInfo.",
    citation="ETSI EN 319 412-5 4.2.1",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_2_1,
    needs=QC,
    when=has_statement(QCS_COMPLIANCE),
    zlint=("e_qcstatem_qccompliance_valid",),
)
def qc_compliance_without_info(cert: CertView) -> Outcome:
    return _no_info(cert, QCS_COMPLIANCE)


@lint(
    name="qc_sscd_without_info",
    description="QcSSCD is the statement identifier alone, with no statementInfo.",
    citation="ETSI EN 319 412-5 4.2.2",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_2_1,
    needs=QC,
    when=has_statement(QCS_SSCD),
    zlint=("e_qcstatem_qcsscd_valid",),
)
def qc_sscd_without_info(cert: CertView) -> Outcome:
    return _no_info(cert, QCS_SSCD)


# -- QcType (4.2.3) -----------------------------------------------------------------------------


def _qc_types(cert: CertView) -> list[str] | None:
    """The QcType values, or None when they cannot be read (the structure lint's to report)."""
    s = statement(cert, QCS_TYPE)
    assert s is not None  # `when` has_statement(QCS_TYPE)
    try:
        return qc_type_values(s.info)
    except ValueError:
        return None


def _type_names(values: list[str]) -> str:
    return ", ".join(f"id-etsi-qct-{QC_TYPES[v]}" if v in QC_TYPES else v for v in values)


def _qc_type_among(cert: CertView, wanted: frozenset[str], what: str) -> Outcome:
    """Fails when the QcType names none of `wanted`, the types `what` (a kind of certificate)
    is issued for."""
    values = _qc_types(cert)
    if values is None or not wanted.isdisjoint(values):
        return PASS
    return fail(f"{what} whose QcType is {_type_names(values) or 'empty'}")


@lint(
    name="qc_type_values_valid",
    description="QcType holds a non-empty sequence of the defined types only: id-etsi-qct-esign, "
    "id-etsi-qct-eseal, id-etsi-qct-web.",
    citation="ETSI EN 319 412-5 4.2.3",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_2_1,
    needs=QC,
    when=has_statement(QCS_TYPE),
    zlint=("e_qcstatem_qctype_valid",),
)
def qc_type_values_valid(cert: CertView) -> Outcome:
    values = _qc_types(cert)
    if values is None:
        return PASS
    if not values:
        return fail("QcType is an empty sequence")
    unknown = [v for v in values if v not in QC_TYPES]
    if unknown:
        return fail(f"QcType holds {', '.join(unknown)}, not a defined type")
    return PASS


@lint(
    name="qc_type_exactly_one",
    description="QcType holds exactly one value, one of id-etsi-qct-esign, -eseal or -web "
    "(QcType ::= SEQUENCE SIZE (1) OF OBJECT IDENTIFIER since V2.5.0).",
    citation="ETSI EN 319 412-5 V2.5.0 4.2.3",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_5_0,
    needs=QC,
    when=has_statement(QCS_TYPE),
    zlint=("e_qcstatem_qctype_oneonly",),
)
def qc_type_exactly_one(cert: CertView) -> Outcome:
    values = _qc_types(cert)
    if values is None:
        return PASS
    if len(values) != 1:
        return fail(f"QcType holds {len(values)} values ({_type_names(values)}), not exactly one")
    if values[0] not in QC_TYPES:
        return fail(f"QcType holds {values[0]}, not a defined type")
    return PASS


@lint(
    name="qc_type_web_in_website_certificates",
    description="The QcType of a certificate for web site authentication (serverAuth, or a "
    "QWAC or EN 319 411-1 web policy) names id-etsi-qct-web.",
    citation="ETSI EN 319 412-5 4.2.3; ETSI EN 319 412-4 4.2",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_2_1,
    needs=QC,
    when=lambda cert: has_statement(QCS_TYPE)(cert) and is_website(cert),
    zlint=("e_qcstatem_qctype_web",),
)
def qc_type_web_in_website_certificates(cert: CertView) -> Outcome:
    return _qc_type_among(cert, frozenset({QCT_WEB}), "a web site certificate")


@lint(
    name="qc_type_sign_or_seal_in_email_certificates",
    description="The QcType of an S/MIME certificate (emailProtection, or an S/MIME BR policy) "
    "names id-etsi-qct-esign or id-etsi-qct-eseal.",
    citation="ETSI EN 319 412-5 4.2.3",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_2_1,
    needs=QC,
    when=lambda cert: has_statement(QCS_TYPE)(cert) and is_email(cert),
    zlint=("e_qcstatem_qctype_smime",),
)
def qc_type_sign_or_seal_in_email_certificates(cert: CertView) -> Outcome:
    return _qc_type_among(cert, frozenset({QCT_ESIGN, QCT_ESEAL}), "an S/MIME certificate")


# -- QcCClegislation (4.2.4) --------------------------------------------------------------------


@lint(
    name="qc_cc_legislation_countries",
    description="QcCClegislation names one or more countries, each by its ISO 3166-1 alpha-2 code.",
    citation="ETSI EN 319 412-5 4.2.4",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_2_1,
    needs=QC,
    when=has_statement(QCS_CC_LEGISLATION),
)
def qc_cc_legislation_countries(cert: CertView) -> Outcome:
    s = statement(cert, QCS_CC_LEGISLATION)
    assert s is not None
    try:
        codes = items(s.info.tlv) if s.info is not None and s.info.tag == 0x30 else None
    except ValueError:
        codes = None
    if codes is None:
        return PASS  # not a SEQUENCE OF CountryName: the structure lint's to report
    if not codes:
        return fail("QcCClegislation names no country")
    bad = [
        repr(c.text()[:20]) for c in codes if c.text() not in ISO_3166_ALPHA_2 or c.text() == "XX"
    ]
    if bad:
        return fail(f"QcCClegislation holds {', '.join(bad)}: not an ISO 3166-1 code")
    return PASS


# -- QcLimitValue (4.3.2) and QcRetentionPeriod (4.3.3) ------------------------------------------

_CURRENCIES = frozenset(c.alpha_3 for c in pycountry.currencies)
_CURRENCY_NUMBERS = frozenset(int(c.numeric) for c in pycountry.currencies)


def _currency_problem(info: Item | None) -> str | None:
    """Why the currency of MonetaryValue ::= SEQUENCE { currency Iso4217CurrencyCode, amount
    INTEGER, exponent INTEGER } is not an ISO 4217 currency (alphabetic or numeric). A value
    not of that form is the structure lint's to report (ValueError or None here)."""
    if info is None or info.tag != 0x30:
        return None
    currency = items(info.tlv)[0]
    if currency.tag == 0x02:
        number = integer_of(currency)
        if number not in _CURRENCY_NUMBERS:
            return f"currency {number} is not an ISO 4217 numeric code"
    elif currency.text() not in _CURRENCIES:
        return f"currency {currency.text()[:20]!r} is not an ISO 4217 alphabetic code"
    return None


@lint(
    name="qc_limit_value_valid",
    description="The currency of QcLimitValue's MonetaryValue is an ISO 4217 currency, by "
    "its three-letter code or its number.",
    citation="ETSI EN 319 412-5 4.3.2",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_2_1,
    needs=QC,
    when=has_statement(QCS_LIMIT_VALUE),
    zlint=("e_qcstatem_qclimitvalue_valid",),
)
def qc_limit_value_valid(cert: CertView) -> Outcome:
    for s in _qcs(cert).all(QCS_LIMIT_VALUE):
        try:
            why = _currency_problem(s.info)
        except (ValueError, IndexError):
            continue  # not a MonetaryValue: the structure lint's to report
        if why:
            return fail(f"QcLimitValue: {why}")
    return PASS


@lint(
    name="qc_retention_period_valid",
    description="QcRetentionPeriod, a number of years after the certificate expires, is "
    "greater than zero.",
    citation="ETSI EN 319 412-5 4.3.3",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_2_1,
    needs=QC,
    when=has_statement(QCS_RETENTION_PERIOD),
    zlint=("e_qcstatem_qcretentionperiod_valid",),
)
def qc_retention_period_valid(cert: CertView) -> Outcome:
    for s in _qcs(cert).all(QCS_RETENTION_PERIOD):
        try:
            years = integer_of(s.info) if s.info is not None else None
        except ValueError:
            years = None
        if years is not None and years <= 0:
            return fail(f"QcRetentionPeriod is {years} years")
    return PASS


# -- QcPDS (4.3.4) ------------------------------------------------------------------------------

_LANGUAGES = frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


def _pds_locations(cert: CertView) -> list[tuple[str, str]] | None:
    """(url, language) of each PdsLocation as EN 319 412-5 defines it, SEQUENCE { url
    IA5String, language PrintableString }; None when the statement is no sequence of them. A
    location of another shape is not read: a relying party cannot read it either (that it breaks
    the ASN.1 is the structure lint's to say)."""
    s = statement(cert, QCS_PDS)
    assert s is not None
    if s.info is None or s.info.tag != 0x30:
        return None
    try:
        out = []
        for entry in items(s.info.tlv):
            fields = items(entry.tlv) if entry.tag == 0x30 else []
            if [f.tag for f in fields] == [0x16, 0x13]:
                out.append((fields[0].text(), fields[1].text()))
        return out
    except ValueError:
        return None


def _pds_languages_all(cert: CertView, good: Callable[[str], bool], what: str) -> Outcome:
    """Fails naming each QcPDS language code that is not `good`; `what` says what they are not."""
    locations = _pds_locations(cert)
    if locations is None:
        return PASS
    bad = [lang[:10] for _, lang in locations if not good(lang)]
    return fail(f"QcPDS language code(s) {bad!r} {what}") if bad else PASS


def _two_letters(lang: str) -> bool:
    return len(lang) == 2 and lang.isalpha()


@lint(
    name="qc_pds_languages_valid",
    description="Each QcPDS location's language is a two-letter code, and one location (an "
    "IA5String URL and a PrintableString language, as 412-5 defines it) is a PDS in English "
    "('en').",
    citation="ETSI EN 319 412-5 4.3.4",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_2_1,
    needs=QC,
    when=has_statement(QCS_PDS),
    zlint=("e_qcstatem_qcpds_valid",),
)
def qc_pds_languages_valid(cert: CertView) -> Outcome:
    found = _pds_languages_all(cert, _two_letters, "are not two letters")
    locations = _pds_locations(cert)
    if found is not PASS or locations is None:
        return found
    if not any(lang.lower() == "en" for _, lang in locations):
        return fail(f"no English PDS among the locations: {[lang for _, lang in locations]!r}")
    return PASS


@lint(
    name="qc_pds_language_iso_639_1",
    description="Each QcPDS language code is an ISO 639-1 code (Greek is 'el', not 'gr').",
    citation="ETSI EN 319 412-5 4.3.4",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_2_1,
    needs=QC,
    when=has_statement(QCS_PDS),
)
def qc_pds_language_iso_639_1(cert: CertView) -> Outcome:
    return _pds_languages_all(
        cert, lambda lang: lang.lower() in _LANGUAGES, "are not ISO 639-1 codes"
    )


@lint(
    name="qc_pds_language_lowercase",
    description="QcPDS language codes are written in lower case, as ISO 639-1 writes them.",
    citation="ETSI EN 319 412-5 4.3.4; ISO 639-1",
    source=Source.ETSI,
    severity=Status.WARN,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_2_1,
    needs=QC,
    when=has_statement(QCS_PDS),
    zlint=("w_qcstatem_qcpds_lang_case",),
)
def qc_pds_language_lowercase(cert: CertView) -> Outcome:
    return _pds_languages_all(cert, str.islower, "are not in lower case")


@lint(
    name="qc_pds_urls_https",
    description="Every QcPDS URL uses the https scheme.",
    citation="ETSI EN 319 412-5 V2.4.1 4.3.4",
    source=Source.ETSI,
    severity=Status.ERROR,
    applies=ANY,
    effective=dates.ETSI_EN_319_412_5_V2_4_1,
    needs=QC,
    when=has_statement(QCS_PDS),
    zlint=("e_qcstatem_pds_must_have_https_only",),
)
def qc_pds_urls_https(cert: CertView) -> Outcome:
    locations = _pds_locations(cert)
    if locations is None:
        return PASS
    bad = [url[:200] for url, _ in locations if url[:8].lower() != "https://"]
    if bad:
        return fail(f"QcPDS URL(s) {bad!r} do not use https")
    return PASS
