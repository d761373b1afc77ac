"""Golden cases for asn1_structure.py: every known extension's value against its ASN.1 type.

Each invalid value is written as DER here (`tlv`, `with_extension_der`), octet by octet where
no encoder would write it; the valid ones are the builder's own or spelled out the same way.
"""

from __future__ import annotations

import random

import pytest
from asn1crypto import core
from pyasn1_alt_modules import rfc5280

from audit.engine import oids
from audit.lints.rfc5280.asn1_check import first_violation
from audit.lints.rfc5280.asn1_structure import plain_general_names, plain_octet_string
from audit.sample_db.certbuilder import (
    DV_SPEC,
    SUBORDINATE_CA_SPEC,
    CertSpec,
    der,
    sct_list_extension,
    tlv,
)
from tests.lints.golden import Case, check_case, status_of


def oid(dotted: str) -> bytes:
    return core.ObjectIdentifier(dotted).dump()


def seq(*parts: bytes) -> bytes:
    return tlv(0x30, b"".join(parts))


def with_value(oid_: str, value: bytes, spec: CertSpec = DV_SPEC) -> CertSpec:
    return spec.with_extension_der(oid_, value)


DV_POLICY = oid("2.23.140.1.2.1")
CPS, UNOTICE = oid("1.3.6.1.5.5.7.2.1"), oid("1.3.6.1.5.5.7.2.2")
SMTP_UTF8_MAILBOX = oid("1.3.6.1.5.5.7.8.9")
CN, C = oid("2.5.4.3"), oid("2.5.4.6")
DATE_OF_BIRTH, CITIZENSHIP = oid("1.3.6.1.5.5.7.9.1"), oid("1.3.6.1.5.5.7.9.4")
QC_COMPLIANCE, QC_PDS, QC_TYPE = oid("0.4.0.1862.1.1"), oid("0.4.0.1862.1.5"), oid("0.4.0.1862.1.6")
QC_WEB, QC_SYNTAX_V2 = oid("0.4.0.1862.1.6.3"), oid("1.3.6.1.5.5.7.11.2")
SHA256 = seq(oid("2.16.840.1.101.3.4.2.1"))
KEY_ID = bytes(range(20))


def policies(*qualifiers: bytes) -> bytes:
    """A certificatePolicies with one policy and these PolicyQualifierInfo TLVs."""
    return seq(seq(DV_POLICY, seq(*qualifiers)))


def user_notice(*parts: bytes) -> bytes:
    return seq(UNOTICE, seq(*parts))


def general_subtree(base: bytes, *bounds: bytes) -> bytes:
    return seq(base, *bounds)


def sct_octets() -> bytes:
    """A valid SignedCertificateTimestampList's TLS octets (inside the OCTET STRING)."""
    value = sct_list_extension(2, DV_SPEC.not_before, 12345).value
    return value[2 + (value[1] & 0x7F if value[1] & 0x80 else 0) :]


def octets_with_long_length(tag: int, contents: bytes) -> bytes:
    """A TLV whose length takes one octet more than DER's form: BER, not DER."""
    size = len(contents)
    octets = size.to_bytes((size.bit_length() + 7) // 8 + 1, "big")
    return bytes((tag, 0x80 | len(octets))) + octets + contents


SAN_OK_SLOW = seq(  # names the shortcut leaves to the decoder: all valid
    tlv(0x82, b"www.example.com"),
    tlv(0xA0, SMTP_UTF8_MAILBOX + tlv(0xA0, tlv(0x0C, "rené@example.com".encode()))),
    tlv(0xA4, seq(tlv(0x31, seq(C, tlv(0x13, b"US"))), tlv(0x31, seq(CN, tlv(0x0C, b"Ex"))))),
    tlv(0xA5, tlv(0xA1, tlv(0x0C, b"party"))),
    tlv(0x88, oid("1.2.3.4")[2:]),
)

CASES = [
    # authorityKeyIdentifier
    Case("authority_key_identifier_value_matches_asn1", DV_SPEC, "pass"),
    Case("authority_key_identifier_value_matches_asn1",
         with_value(oids.AUTHORITY_KEY_IDENTIFIER, seq(tlv(0x04, KEY_ID))), "error",
         "keyIdentifier as a universal OCTET STRING, not [0]"),
    Case("authority_key_identifier_value_matches_asn1",
         with_value(oids.AUTHORITY_KEY_IDENTIFIER,
                    seq(tlv(0x80, KEY_ID), tlv(0xA1, b""), tlv(0x82, b"\x01"))), "error",
         "empty authorityCertIssuer GeneralNames"),
    # subjectKeyIdentifier
    Case("subject_key_identifier_value_matches_asn1", DV_SPEC.but(subject_key_id=True), "pass"),
    Case("subject_key_identifier_value_matches_asn1", DV_SPEC, "na", "absent"),
    Case("subject_key_identifier_value_matches_asn1",
         with_value(oids.SUBJECT_KEY_IDENTIFIER, octets_with_long_length(0x04, KEY_ID)), "error",
         "BER length"),
    # keyUsage
    Case("key_usage_value_matches_asn1", DV_SPEC, "pass"),
    Case("key_usage_value_matches_asn1", with_value(oids.KEY_USAGE, b"\x03\x02\x00\x80"),
         "error", "trailing zero bits of a named BIT STRING"),
    # certificatePolicies
    Case("certificate_policies_value_matches_asn1", DV_SPEC, "pass"),
    Case("certificate_policies_value_matches_asn1",
         with_value(oids.CERTIFICATE_POLICIES,
                    policies(seq(CPS, tlv(0x16, b"https://example.com/cps")),
                             user_notice(seq(tlv(0x0C, b"Example"), seq(tlv(0x02, b"\x01"))),
                                         tlv(0x0C, b"A notice")))), "pass",
         "CPS and userNotice with noticeRef"),
    Case("certificate_policies_value_matches_asn1",
         with_value(oids.CERTIFICATE_POLICIES, policies()), "error", "empty policyQualifiers"),
    Case("certificate_policies_value_matches_asn1",
         with_value(oids.CERTIFICATE_POLICIES, policies(user_notice(tlv(0x0C, b"x" * 201)))),
         "error", "explicitText over 200 characters"),
    Case("certificate_policies_value_matches_asn1",
         with_value(oids.CERTIFICATE_POLICIES,
                    policies(seq(CPS, tlv(0x0C, b"https://example.com/cps")))), "error",
         "cPSuri as UTF8String: a wrong tag deep inside"),
    Case("certificate_policies_value_matches_asn1",
         with_value(oids.CERTIFICATE_POLICIES,
                    policies(user_notice(seq(tlv(0x0C, b""), seq(tlv(0x02, b"\x01")))))),
         "error", "empty noticeRef organization"),
    Case("certificate_policies_value_matches_asn1",
         with_value(oids.CERTIFICATE_POLICIES,
                    seq(seq(oid("2.25.329800735698586629295641978511506172918")),
                        seq(oid("2.999.1")))), "pass",
         "OIDs the decoder cannot read (an arc over 32 bits, 2.999), judged by X.690"),
    Case("certificate_policies_value_matches_asn1",
         with_value(oids.CERTIFICATE_POLICIES, seq(seq(b"\x06\x04\x67\x80\x81\x0c"))),
         "error", "a subidentifier with a leading 0x80 octet"),
    # policyMappings
    Case("policy_mappings_value_matches_asn1",
         with_value(oids.POLICY_MAPPINGS, seq(seq(DV_POLICY, oid("1.2.3.4"))),
                    SUBORDINATE_CA_SPEC), "pass"),
    Case("policy_mappings_value_matches_asn1",
         with_value(oids.POLICY_MAPPINGS, seq(), SUBORDINATE_CA_SPEC), "error", "empty"),
    # subjectAltName
    Case("subject_alt_name_value_matches_asn1", DV_SPEC, "pass"),
    Case("subject_alt_name_value_matches_asn1", with_value(oids.SUBJECT_ALT_NAME, SAN_OK_SLOW),
         "pass", "otherName, directoryName, ediPartyName and registeredID"),
    Case("subject_alt_name_value_matches_asn1",
         with_value(oids.SUBJECT_ALT_NAME,
                    seq(tlv(0xA4, seq(tlv(0x31, seq(CN, tlv(0x1C, "Zoë".encode("utf-32-be")))))))),
         "pass", "a UniversalString the decoder cannot read"),
    Case("subject_alt_name_value_matches_asn1", with_value(oids.SUBJECT_ALT_NAME, seq()),
         "error", "empty"),
    Case("subject_alt_name_value_matches_asn1",
         with_value(oids.SUBJECT_ALT_NAME, seq(tlv(0xA4, seq(tlv(0x31, b""))))), "error",
         "directoryName with an empty RDN SET"),
    Case("subject_alt_name_value_matches_asn1",
         with_value(oids.SUBJECT_ALT_NAME,
                    seq(tlv(0xA0, SMTP_UTF8_MAILBOX + tlv(0x0C, b"a@example.com")))), "error",
         "otherName value without its [0] EXPLICIT tag"),
    Case("subject_alt_name_value_matches_asn1",
         with_value(oids.SUBJECT_ALT_NAME, seq(tlv(0xA5, b""))), "error",
         "ediPartyName without partyName"),
    Case("subject_alt_name_value_matches_asn1",
         with_value(oids.SUBJECT_ALT_NAME,
                    seq(octets_with_long_length(0x82, b"www.example.com"))), "error",
         "BER length of a dNSName"),
    Case("subject_alt_name_value_matches_asn1",
         with_value(oids.SUBJECT_ALT_NAME, seq(tlv(0x82, "bücher.example".encode()))), "error",
         "dNSName octets outside IA5"),
    # issuerAltName
    Case("issuer_alt_name_value_matches_asn1",
         with_value(oids.ISSUER_ALT_NAME, seq(tlv(0x86, b"https://ca.example.com"))), "pass"),
    Case("issuer_alt_name_value_matches_asn1", with_value(oids.ISSUER_ALT_NAME, seq()),
         "error", "empty"),
    # subjectDirectoryAttributes
    Case("subject_directory_attributes_value_matches_asn1",
         with_value(oids.SUBJECT_DIRECTORY_ATTRIBUTES,
                    seq(seq(DATE_OF_BIRTH, tlv(0x31, tlv(0x18, b"19700101000000Z"))),
                        seq(CITIZENSHIP, tlv(0x31, tlv(0x13, b"FR"))))), "pass"),
    Case("subject_directory_attributes_value_matches_asn1",
         with_value(oids.SUBJECT_DIRECTORY_ATTRIBUTES,
                    seq(seq(DATE_OF_BIRTH, tlv(0x31, tlv(0x18, b"19700101000000.0Z"))))), "error",
         "GeneralizedTime not in DER form"),
    Case("subject_directory_attributes_value_matches_asn1",
         with_value(oids.SUBJECT_DIRECTORY_ATTRIBUTES,
                    seq(seq(CITIZENSHIP, tlv(0x31, tlv(0x13, b"FRA"))))), "error",
         "countryOfCitizenship of three letters"),
    # basicConstraints
    Case("basic_constraints_value_matches_asn1", SUBORDINATE_CA_SPEC, "pass"),
    Case("basic_constraints_value_matches_asn1",
         with_value(oids.BASIC_CONSTRAINTS, seq(b"\x01\x01\xff\x02\x01\xff"), SUBORDINATE_CA_SPEC),
         "error", "negative pathLenConstraint"),
    Case("basic_constraints_value_matches_asn1",
         with_value(oids.BASIC_CONSTRAINTS, seq(b"\x01\x01\xff\x02\x02\x00\x01"),
                    SUBORDINATE_CA_SPEC), "error", "non-minimal INTEGER"),
    # nameConstraints
    Case("name_constraints_value_matches_asn1",
         with_value(oids.NAME_CONSTRAINTS,
                    seq(tlv(0xA0, general_subtree(tlv(0x82, b"example.com"))),
                        tlv(0xA1, general_subtree(tlv(0x87, bytes(8)), tlv(0x81, b"\x02")))),
                    SUBORDINATE_CA_SPEC), "pass"),
    Case("name_constraints_value_matches_asn1",
         with_value(oids.NAME_CONSTRAINTS, seq(tlv(0xA0, b"")), SUBORDINATE_CA_SPEC), "error",
         "empty GeneralSubtrees"),
    Case("name_constraints_value_matches_asn1",
         with_value(oids.NAME_CONSTRAINTS,
                    seq(tlv(0xA0, general_subtree(tlv(0x82, b"example.com"), tlv(0x80, b"\x00")))),
                    SUBORDINATE_CA_SPEC), "error", "minimum 0 encoded: the DEFAULT"),
    Case("name_constraints_value_matches_asn1",
         with_value(oids.NAME_CONSTRAINTS,
                    seq(tlv(0xA0, general_subtree(tlv(0x89, b"example.com")))),
                    SUBORDINATE_CA_SPEC), "error", "base with a tag no GeneralName has"),
    # policyConstraints
    Case("policy_constraints_value_matches_asn1",
         with_value(oids.POLICY_CONSTRAINTS, seq(tlv(0x80, b"\x00")), SUBORDINATE_CA_SPEC),
         "pass"),
    Case("policy_constraints_value_matches_asn1",
         with_value(oids.POLICY_CONSTRAINTS, seq(tlv(0x81, b"\x00"), tlv(0x80, b"\x00")),
                    SUBORDINATE_CA_SPEC), "error", "components out of order"),
    # extKeyUsage
    Case("ext_key_usage_value_matches_asn1", DV_SPEC, "pass"),
    Case("ext_key_usage_value_matches_asn1", with_value(oids.EXTENDED_KEY_USAGE, seq()),
         "error", "empty"),
    Case("ext_key_usage_value_matches_asn1",
         with_value(oids.EXTENDED_KEY_USAGE, seq(b"\x06\x03\x2b\x80\x01")), "error",
         "OID arc with a leading 0x80"),
    # cRLDistributionPoints
    Case("crl_distribution_points_value_matches_asn1", DV_SPEC, "pass"),
    Case("crl_distribution_points_value_matches_asn1",
         with_value(oids.CRL_DISTRIBUTION_POINTS,
                    seq(seq(tlv(0xA0, tlv(0xA0, tlv(0x86, b"http://crl.example.com/a.crl"))),
                            tlv(0x81, b"\x06\x40"),
                            tlv(0xA2, tlv(0xA4, seq(tlv(0x31, seq(CN, tlv(0x0C, b"CA"))))))))),
         "pass", "fullName, reasons and cRLIssuer"),
    Case("crl_distribution_points_value_matches_asn1",
         with_value(oids.CRL_DISTRIBUTION_POINTS, seq(seq(tlv(0xA0, tlv(0xA0, b""))))), "error",
         "empty fullName"),
    Case("crl_distribution_points_value_matches_asn1",
         with_value(oids.CRL_DISTRIBUTION_POINTS,
                    seq(seq(tlv(0xA0, tlv(0xA0, tlv(0x86, b"http://crl.example.com/a.crl"))),
                            tlv(0x81, b"\x00\x40")))), "error", "reasons with trailing zero bits"),
    # inhibitAnyPolicy
    Case("inhibit_any_policy_value_matches_asn1",
         with_value(oids.INHIBIT_ANY_POLICY, b"\x02\x01\x00", SUBORDINATE_CA_SPEC), "pass"),
    Case("inhibit_any_policy_value_matches_asn1",
         with_value(oids.INHIBIT_ANY_POLICY, b"\x02\x01\xff", SUBORDINATE_CA_SPEC), "error",
         "negative SkipCerts"),
    # freshestCRL
    Case("freshest_crl_value_matches_asn1",
         with_value(oids.FRESHEST_CRL,
                    seq(seq(tlv(0xA0, tlv(0xA0, tlv(0x86, b"http://crl.example.com/d.crl")))))),
         "pass"),
    Case("freshest_crl_value_matches_asn1", with_value(oids.FRESHEST_CRL, seq()), "error",
         "empty"),
    # authorityInfoAccess and subjectInfoAccess
    Case("authority_info_access_value_matches_asn1", DV_SPEC, "pass"),
    Case("authority_info_access_value_matches_asn1",
         with_value(oids.AUTHORITY_INFO_ACCESS,
                    seq(seq(oid(oids.AD_OCSP), tlv(0x16, b"http://ocsp.example.com")))), "error",
         "accessLocation as a universal IA5String, not a GeneralName"),
    Case("subject_info_access_value_matches_asn1",
         with_value(oids.SUBJECT_INFO_ACCESS,
                    seq(seq(oid("1.3.6.1.5.5.7.48.5"), tlv(0x86, b"rsync://repo.example.com/"))),
                    SUBORDINATE_CA_SPEC), "pass"),
    Case("subject_info_access_value_matches_asn1",
         with_value(oids.SUBJECT_INFO_ACCESS, seq(), SUBORDINATE_CA_SPEC), "error", "empty"),
    # id-pkix-ocsp-nocheck and the precertificate poison: NULL
    Case("ocsp_no_check_value_matches_asn1", with_value(oids.OCSP_NO_CHECK, b"\x05\x00"), "pass"),
    Case("ocsp_no_check_value_matches_asn1", with_value(oids.OCSP_NO_CHECK, b"\x04\x00"),
         "error", "an empty OCTET STRING, not NULL"),
    Case("precertificate_poison_value_matches_asn1", DV_SPEC.but(precertificate=True), "pass"),
    Case("precertificate_poison_value_matches_asn1",
         with_value(oids.CT_PRECERT_POISON, b"\x05\x01\x00"), "error", "NULL with contents"),
    # the SCT list: an OCTET STRING
    Case("sct_list_value_matches_asn1", DV_SPEC.but(scts=2), "pass"),
    Case("sct_list_value_matches_asn1",
         with_value(oids.CT_SCT_LIST, octets_with_long_length(0x04, sct_octets())), "error",
         "BER length"),
    Case("sct_list_value_matches_asn1",
         with_value(oids.CT_SCT_LIST, tlv(0x24, tlv(0x04, sct_octets()))), "error",
         "constructed OCTET STRING"),
    # qcStatements (RFC 3739, ETSI EN 319 412-5)
    Case("qc_statements_value_matches_asn1",
         with_value(oids.QC_STATEMENTS,
                    seq(seq(QC_COMPLIANCE), seq(QC_TYPE, seq(QC_WEB)),
                        seq(QC_PDS, seq(seq(tlv(0x16, b"https://example.com/pds"),
                                            tlv(0x13, b"en")))),
                        seq(QC_SYNTAX_V2, seq(oid("0.4.0.194121.1.2"))))), "pass"),
    Case("qc_statements_value_matches_asn1",
         with_value(oids.QC_STATEMENTS, seq(seq(QC_PDS, seq()))), "error", "empty PdsLocations"),
    Case("qc_statements_value_matches_asn1",
         with_value(oids.QC_STATEMENTS,
                    seq(seq(QC_PDS, seq(seq(tlv(0x16, b"https://example.com/pds"),
                                            tlv(0x13, b"eng")))))), "error",
         "three-letter language"),
    Case("qc_statements_value_matches_asn1",
         with_value(oids.QC_STATEMENTS, seq(seq(QC_COMPLIANCE, b"\x05\x00"))), "error",
         "QcCompliance with statementInfo"),
    Case("qc_statements_value_matches_asn1",
         with_value(oids.QC_STATEMENTS, seq(seq(QC_SYNTAX_V2, seq()))), "error",
         "SemanticsInformation with neither component"),
    # TLS feature
    Case("tls_feature_value_matches_asn1",
         with_value(oids.TLS_FEATURE, seq(tlv(0x02, b"\x05"))), "pass", "status_request"),
    Case("tls_feature_value_matches_asn1",
         with_value(oids.TLS_FEATURE, seq(tlv(0x02, b"\x00\x05"))), "error",
         "non-minimal INTEGER"),
    # S/MIME capabilities
    Case("smime_capabilities_value_matches_asn1",
         with_value(oids.SMIME_CAPABILITIES, seq(seq(oid("2.16.840.1.101.3.4.1.42")))), "pass"),
    Case("smime_capabilities_value_matches_asn1",
         with_value(oids.SMIME_CAPABILITIES, seq(seq(tlv(0x04, b"\x01")))), "error",
         "capabilityID not an OBJECT IDENTIFIER"),
    # cabfOrganizationIdentifier
    Case("cabf_organization_identifier_value_matches_asn1",
         with_value(oids.CABF_ORGANIZATION_IDENTIFIER,
                    seq(tlv(0x13, b"NTR"), tlv(0x13, b"US"), tlv(0x80, b"CA"),
                        tlv(0x0C, b"123456"))), "pass"),
    Case("cabf_organization_identifier_value_matches_asn1",
         with_value(oids.CABF_ORGANIZATION_IDENTIFIER,
                    seq(tlv(0x13, b"NTRX"), tlv(0x13, b"US"), tlv(0x0C, b"123456"))), "error",
         "four-letter registrationSchemeIdentifier"),
    Case("cabf_organization_identifier_value_matches_asn1",
         with_value(oids.CABF_ORGANIZATION_IDENTIFIER, seq(tlv(0x13, b"NTR"), tlv(0x13, b"US"))),
         "error", "registrationReference missing"),
    # TorServiceDescriptor
    Case("tor_service_descriptor_value_matches_asn1",
         with_value(oids.TOR_SERVICE_DESCRIPTOR,
                    seq(seq(tlv(0x0C, b"https://example.onion"), SHA256,
                            tlv(0x03, b"\x00" + bytes(32))))), "pass"),
    Case("tor_service_descriptor_value_matches_asn1", with_value(oids.TOR_SERVICE_DESCRIPTOR, seq()),
         "error", "empty"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)


def test_every_structure_lint_has_failing_and_passing_case() -> None:
    from tests.lints.golden import engine

    ours = {x.name for x in engine().catalogue if x.section == "asn1_structure"}
    assert len(ours) >= 25
    for lint_name in ours:
        statuses = {c.expected for c in CASES if c.lint == lint_name}
        assert {"pass", "error"} <= statuses, lint_name


# -- the messages name the path of the first violation ------------------------------------------

MESSAGES = [
    ("certificate_policies_value_matches_asn1",
     with_value(oids.CERTIFICATE_POLICIES, policies()),
     "certificatePolicies[0].policyQualifiers: SIZE (1..MAX) violated: empty"),
    ("certificate_policies_value_matches_asn1",
     with_value(oids.CERTIFICATE_POLICIES, policies(seq(CPS, tlv(0x0C, b"https://x.test/")))),
     "certificatePolicies[0].policyQualifiers[0].qualifier: UTF8String found, IA5String expected"),
    ("certificate_policies_value_matches_asn1",
     with_value(oids.CERTIFICATE_POLICIES, policies(user_notice(tlv(0x0C, b"x" * 201)))),
     "certificatePolicies[0].policyQualifiers[0].qualifier.explicitText.utf8String: "
     "SIZE (1..200) violated: 201 characters"),
    ("subject_alt_name_value_matches_asn1", with_value(oids.SUBJECT_ALT_NAME, seq()),
     "subjectAltName: SIZE (1..MAX) violated: empty"),
    ("subject_alt_name_value_matches_asn1",
     with_value(oids.SUBJECT_ALT_NAME, seq(tlv(0x82, b"a.example"), tlv(0x89, b"x"))),
     "subjectAltName[1]: [9] is none of GeneralName's alternatives"),
    ("subject_alt_name_value_matches_asn1",
     with_value(oids.SUBJECT_ALT_NAME, seq(octets_with_long_length(0x82, b"a.example"))),
     "subjectAltName[0].dNSName: length 9 in 3 octets (820009), not DER's minimal form"),
    ("subject_alt_name_value_matches_asn1",
     with_value(oids.SUBJECT_ALT_NAME, seq(tlv(0xA0, SMTP_UTF8_MAILBOX + tlv(0x0C, b"a@b.c")))),
     "subjectAltName[0].otherName: value expected, UTF8String found"),
    ("subject_alt_name_value_matches_asn1",
     with_value(oids.SUBJECT_ALT_NAME,
                seq(tlv(0xA4, seq(tlv(0x31, seq(CN, tlv(0x0C, b"x" * 65))))))),
     "subjectAltName[0].directoryName.rdnSequence[0][0].value.utf8String: "
     "SIZE (1..64) violated: 65 characters"),
    ("name_constraints_value_matches_asn1",
     with_value(oids.NAME_CONSTRAINTS, seq(tlv(0xA1, b"")), SUBORDINATE_CA_SPEC),
     "nameConstraints.excludedSubtrees: SIZE (1..MAX) violated: empty"),
    ("name_constraints_value_matches_asn1",
     with_value(oids.NAME_CONSTRAINTS, seq(tlv(0xA0, general_subtree(tlv(0x89, b"x")))),
                SUBORDINATE_CA_SPEC),
     "nameConstraints.permittedSubtrees[0]: base expected, [9] found"),
    ("basic_constraints_value_matches_asn1",
     with_value(oids.BASIC_CONSTRAINTS, seq(b"\x01\x01\xff\x02\x01\xff"), SUBORDINATE_CA_SPEC),
     "basicConstraints.pathLenConstraint: value outside (0..MAX): -1"),
    ("crl_distribution_points_value_matches_asn1",
     with_value(oids.CRL_DISTRIBUTION_POINTS, seq(seq(tlv(0xA0, tlv(0xA0, b""))))),
     "cRLDistributionPoints[0].distributionPoint.fullName: SIZE (1..MAX) violated: empty"),
    ("qc_statements_value_matches_asn1",
     with_value(oids.QC_STATEMENTS, seq(seq(QC_COMPLIANCE, b"\x05\x00"))),
     "qcStatements[0].statementInfo: present, but 0.4.0.1862.1.1 is defined without one"),
    ("certificate_policies_value_matches_asn1",
     with_value(oids.CERTIFICATE_POLICIES, seq(seq(b"\x06\x04\x67\x80\x81\x0c"))),
     "certificatePolicies[0].policyIdentifier: a subidentifier with a leading 0x80 octet, "
     "not in its fewest octets"),
    ("policy_constraints_value_matches_asn1",
     with_value(oids.POLICY_CONSTRAINTS, seq(tlv(0x81, b"\x00"), tlv(0x80, b"\x00")),
                SUBORDINATE_CA_SPEC),
     "policyConstraints: [0] matches no component of PolicyConstraints after "
     "inhibitPolicyMapping"),
    ("subject_key_identifier_value_matches_asn1",
     with_value(oids.SUBJECT_KEY_IDENTIFIER, tlv(0x04, KEY_ID) + b"\x00"),
     "subjectKeyIdentifier: 1 trailing octet(s) after the value"),
]  # fmt: skip


@pytest.mark.parametrize(("lint", "spec", "message"), MESSAGES, ids=[m[2] for m in MESSAGES])
def test_message_names_the_path(lint: str, spec: CertSpec, message: str) -> None:
    status, said = status_of(Case(lint, spec, "error"))
    assert (status.label, said) == ("error", message)


# -- the shortcuts accept nothing the decoder refuses -----------------------------------------


def _general_names_variants() -> list[bytes]:
    """GeneralNames the shortcut might meet: valid and invalid, lengths across the 1- to
    3-octet forms, IA5 and non-IA5 octets, BER lengths, other tags, trailing octets."""
    rng = random.Random(14)
    names = []
    for size in (0, 1, 63, 127, 128, 200, 255, 256, 300):
        text = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz.-") for _ in range(size))
        names += [tlv(0x82, text), tlv(0x81, text), tlv(0x86, text)]
        names.append(tlv(0x82, text + b"\xc3\xa9"))  # not IA5
        names.append(octets_with_long_length(0x82, text))  # BER
    names += [tlv(0x87, bytes(4)), tlv(0x87, bytes(16)), tlv(0x87, b"\xff" * 5)]
    names += [tlv(0x89, b"x"), tlv(0xA2, tlv(0x16, b"x")), tlv(0x16, b"x"), b"\x82", b"\x82\x05ab"]
    out = [seq(), b"", b"\x30", seq(tlv(0x82, b"a.example")) + b"\x00"]
    out += [seq(name) for name in names]
    for count in (2, 3, 5):
        for _ in range(100):
            chosen = rng.sample(names, count)
            out += [seq(*chosen), octets_with_long_length(0x30, b"".join(chosen))]
    return out


def test_plain_general_names_accepts_only_what_the_decoder_accepts() -> None:
    variants = _general_names_variants()
    taken = 0
    for value in variants:
        if plain_general_names(value):
            taken += 1
            assert first_violation(value, rfc5280.SubjectAltName(), "san") is None, value.hex()
    assert taken > 50  # and the shortcut does serve the common shapes
    assert plain_general_names(der_san := seq(tlv(0x82, b"www.example.com"), tlv(0x87, bytes(4))))
    assert first_violation(der_san, rfc5280.SubjectAltName(), "san") is None


def test_plain_octet_string_accepts_only_what_the_decoder_accepts() -> None:
    spec = rfc5280.SubjectKeyIdentifier()
    for size in (0, 1, 20, 127, 128, 255, 256, 300, 70000):
        contents = bytes(size % 251 for _ in range(size))
        for value in (tlv(0x04, contents), octets_with_long_length(0x04, contents),
                      tlv(0x04, contents) + b"\x00", tlv(0x24, tlv(0x04, contents))):  # fmt: skip
            if plain_octet_string(value):
                assert first_violation(value, spec, "ski") is None, value[:8].hex()
        assert plain_octet_string(tlv(0x04, contents)) == (size < 0x10000)


def test_the_builders_certificates_pass_every_structure_lint() -> None:
    """The builder's usual certificates hold every extension it writes to its definition."""
    from tests.lints.golden import engine

    for spec in (DV_SPEC.but(scts=3, subject_key_id=True), SUBORDINATE_CA_SPEC,
                 DV_SPEC.but(precertificate=True)):  # fmt: skip
        report = engine().lint_der(der(spec))
        for x in engine().catalogue:
            if x.section == "asn1_structure":
                result = report.status_of(x.name)
                assert result is None or result.status.label in ("pass", "na"), (x.name, result)
