"""Golden cases for the subjectAltName (S/MIME BR 7.1.2.3(h), 7.1.4.2.1) and the other extensions
of S/MIME subscriber certificates (7.1.2.3(g), (i)-(m), 7.1.2.4)."""

import pytest
from asn1crypto import core as asn1_core
from cryptography.x509.oid import NameOID

from audit.engine import oids
from audit.sample_db.certbuilder import name, tlv
from tests.lints.golden import Case, check_case
from tests.lints.smime_specs import (
    DNS_NAME,
    MAILBOX,
    directory_name,
    other_name,
    rfc822,
    san,
    smime,
    smtp_utf8,
    with_san,
    without_san,
)

CN, EMAIL = NameOID.COMMON_NAME, NameOID.EMAIL_ADDRESS
STRICT, MULTI, LEGACY = smime(), smime(generation="multipurpose"), smime(generation="legacy")
UPN = "1.3.6.1.4.1.311.20.2.3"  # Microsoft User Principal Name
UTF8_MAILBOX = "alïce@example.com"

SMIME_CAPABILITIES = "1.2.840.113549.1.9.15"
QC_STATEMENTS = "1.3.6.1.5.5.7.1.3"
LEI, LEI_ROLE = "1.3.6.1.4.1.52266.1", "1.3.6.1.4.1.52266.2"
ADOBE_TIMESTAMP, ADOBE_ARCHIVE = "1.2.840.113583.1.1.9.1", "1.2.840.113583.1.1.9.2"
A_LEI = tlv(0x13, b"5493001KJTIIGC8Y1R12")
CAPABILITIES = tlv(0x30, tlv(0x30, asn1_core.ObjectIdentifier("2.16.840.1.101.3.4.1.42").dump()))
QC_COMPLIANCE = tlv(0x30, tlv(0x30, asn1_core.ObjectIdentifier("0.4.0.1862.1.1").dump()))
DIRECTORY_ATTRIBUTES = tlv(0x30, tlv(0x30, asn1_core.ObjectIdentifier("1.3.6.1.5.5.7.9.1").dump()
                                     + tlv(0x31, tlv(0x18, b"19700101000000Z"))))  # fmt: skip
ADOBE_VALUE = tlv(0x30, tlv(0x02, b"\x01") + tlv(0x86, b"http://tsa.example.com"))


def with_ext(spec, oid: str, value: bytes, critical: bool = False):  # type: ignore[no-untyped-def]
    return spec.with_extension_der(oid, value, critical)


def aki(*fields: bytes) -> bytes:
    return tlv(0x30, b"".join(fields))


KEY_ID = tlv(0x80, bytes(range(20)))
AKI_ISSUER = tlv(0xA1, tlv(0xA4, tlv(0x30, b"")))
AKI_SERIAL = tlv(0x82, b"\x01")

CASES = [
    # -- 7.1.2.3(h), 7.1.4.2.1 ----------------------------------------------------------------------
    Case("smime_san_present", STRICT, "pass"),
    Case("smime_san_present", without_san(STRICT), "error"),
    Case("smime_san_has_mailbox", STRICT, "pass"),
    Case("smime_san_has_mailbox", with_san(STRICT, san(smtp_utf8(UTF8_MAILBOX))), "pass", "SmtpUTF8Mailbox only"),
    Case("smime_san_has_mailbox", with_san(STRICT, san(directory_name((CN, "Alice")))), "error", "dirName only"),
    Case("smime_san_general_name_types", with_san(STRICT, san(rfc822(MAILBOX), directory_name((CN, MAILBOX)))),
         "pass", "rfc822Name and directoryName"),
    Case("smime_san_general_name_types", with_san(STRICT, san(rfc822(MAILBOX), (DNS_NAME, b"example.com"))),
         "error", "dNSName"),
    Case("smime_strict_san_other_name_smtp_utf8_only",
         with_san(STRICT, san(rfc822(MAILBOX), smtp_utf8(UTF8_MAILBOX))), "pass"),
    Case("smime_strict_san_other_name_smtp_utf8_only",
         with_san(STRICT, san(rfc822(MAILBOX), other_name(UPN, tlv(0x0C, b"alice@corp")))), "error", "UPN"),
    Case("smime_strict_san_other_name_smtp_utf8_only",
         with_san(MULTI, san(rfc822(MAILBOX), other_name(UPN, tlv(0x0C, b"alice@corp")))), "na",
         "multipurpose may"),
    Case("smime_smtp_utf8_mailbox_encoding", with_san(STRICT, san(smtp_utf8(UTF8_MAILBOX))), "pass"),
    Case("smime_smtp_utf8_mailbox_encoding", with_san(STRICT, san(smtp_utf8(MAILBOX))), "error", "ASCII local part"),
    Case("smime_smtp_utf8_mailbox_encoding",
         with_san(STRICT, san(other_name("1.3.6.1.5.5.7.8.9", tlv(0x16, MAILBOX.encode())))), "error",
         "IA5String value"),
    Case("smime_mailbox_addresses_in_san", smime(subject=name((CN, MAILBOX), (EMAIL, MAILBOX))), "pass"),
    Case("smime_mailbox_addresses_in_san", smime(subject=name((CN, "ALICE@EXAMPLE.COM"))), "error",
         "local part differs in case"),
    Case("smime_mailbox_addresses_in_san", smime(subject=name((CN, "alice@EXAMPLE.com"))), "pass",
         "domain differs in case"),
    Case("smime_mailbox_addresses_in_san", smime(subject=name((EMAIL, "bob@example.com"))), "error",
         "emailAddress not in SAN"),
    Case("smime_mailbox_addresses_in_san",
         with_san(STRICT, san(rfc822(MAILBOX), directory_name((EMAIL, "bob@example.com")))), "error",
         "dirName mailbox not repeated"),
    Case("smime_mailbox_addresses_in_san",
         with_san(smime(subject=name((CN, UTF8_MAILBOX))), san(smtp_utf8(UTF8_MAILBOX))), "pass",
         "as SmtpUTF8Mailbox"),
    Case("smime_mailbox_addresses_in_san", smime("individual", "strict"), "na", "no mailbox outside SAN"),
    # -- 7.1.2.3(g) ---------------------------------------------------------------------------------
    Case("smime_authority_key_identifier_key_id_only", STRICT, "pass"),
    Case("smime_authority_key_identifier_key_id_only",
         with_ext(STRICT, oids.AUTHORITY_KEY_IDENTIFIER, aki(KEY_ID, AKI_ISSUER, AKI_SERIAL)), "error",
         "issuer and serial too"),
    # -- 7.1.2.3(i) - (m) ---------------------------------------------------------------------------
    Case("smime_capabilities_not_critical", with_ext(STRICT, SMIME_CAPABILITIES, CAPABILITIES), "pass"),
    Case("smime_capabilities_not_critical", with_ext(STRICT, SMIME_CAPABILITIES, CAPABILITIES, True), "error"),
    Case("smime_subject_directory_attributes_legacy_only", STRICT, "pass"),
    Case("smime_subject_directory_attributes_legacy_only",
         with_ext(MULTI, oids.SUBJECT_DIRECTORY_ATTRIBUTES, DIRECTORY_ATTRIBUTES), "error"),
    Case("smime_subject_directory_attributes_legacy_only",
         with_ext(LEGACY, oids.SUBJECT_DIRECTORY_ATTRIBUTES, DIRECTORY_ATTRIBUTES), "na", "legacy may"),
    Case("smime_qc_statements_not_critical", with_ext(STRICT, QC_STATEMENTS, QC_COMPLIANCE), "pass"),
    Case("smime_qc_statements_not_critical", with_ext(STRICT, QC_STATEMENTS, QC_COMPLIANCE, True), "error"),
    Case("smime_legal_entity_identifier", with_ext(smime("organization"), LEI, A_LEI), "pass"),
    Case("smime_legal_entity_identifier", with_ext(smime("sponsor"), LEI_ROLE, tlv(0x13, b"Director")), "pass",
         "role in sponsor"),
    Case("smime_legal_entity_identifier", with_ext(smime("organization"), LEI_ROLE, tlv(0x13, b"Director")),
         "error", "role in organization"),
    Case("smime_legal_entity_identifier", with_ext(STRICT, LEI, A_LEI), "error", "mailbox"),
    Case("smime_legal_entity_identifier", with_ext(smime("sponsor"), LEI, A_LEI, True), "error", "critical"),
    Case("smime_legal_entity_identifier_syntax", with_ext(smime("organization"), LEI, A_LEI), "pass"),
    Case("smime_legal_entity_identifier_syntax",
         with_ext(smime("organization"), LEI, tlv(0x13, b"5493001KJTIIGC8Y1R13")), "error", "check digits"),
    Case("smime_strict_adobe_extensions_prohibited", STRICT, "pass"),
    Case("smime_strict_adobe_extensions_prohibited", with_ext(STRICT, ADOBE_TIMESTAMP, ADOBE_VALUE), "error"),
    Case("smime_adobe_extensions_not_critical", with_ext(MULTI, ADOBE_ARCHIVE, tlv(0x01, b"\xff")), "pass"),
    Case("smime_adobe_extensions_not_critical", with_ext(LEGACY, ADOBE_TIMESTAMP, ADOBE_VALUE, True), "error"),
    # -- 7.1.2.4 ------------------------------------------------------------------------------------
    Case("smime_extensions_specified", STRICT, "pass"),
    Case("smime_extensions_specified", with_ext(STRICT, "1.3.6.1.4.1.99999.7", tlv(0x05, b"")), "notice"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)


def test_san_entries_read_other_names_and_directory_names() -> None:
    from audit.engine.certview import CertView
    from audit.lints.cabf_smime._shared import san_entries
    from audit.sample_db.certbuilder import der

    spec = with_san(
        STRICT, san(rfc822(MAILBOX), smtp_utf8(UTF8_MAILBOX), directory_name((EMAIL, "bob@x.org")))
    )
    entries = san_entries(CertView(der(spec)))
    assert entries.kinds == ("rfc822Name", "otherName", "directoryName")
    assert entries.mailboxes == (MAILBOX, UTF8_MAILBOX)
    assert entries.other[0].type_id == "1.3.6.1.5.5.7.8.9"
    assert entries.directory[0].values(oids.EMAIL_ADDRESS) == ["bob@x.org"]
