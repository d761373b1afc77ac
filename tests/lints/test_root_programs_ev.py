"""Golden cases for the EV Guidelines lints and the root programs' own rules (Mozilla, Apple,
Chrome).

Encodings the builder will not write (missing NULL parameters, RSASSA-PSS parameter sets) are
made by rewriting the DER with asn1crypto; the signature then no longer verifies, which no lint
here checks.
"""

from datetime import UTC, datetime
from functools import cache

import pytest
from asn1crypto import algos, core, keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID as EKU
from cryptography.x509.oid import NameOID

from audit.sample_db.certbuilder import (
    DV_SPEC,
    EV_SPEC,
    ROOT_CA_SPEC,
    SUBORDINATE_CA_SPEC,
    CertSpec,
    Issuer,
    der,
    ec_key,
    name,
    rsa_key,
)
from audit.sample_db.certbuilder import test_issuer as shared_issuer
from audit.sample_db.certbuilder import test_root as shared_root
from tests.lints.golden import Case, check_case, engine


def at(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


C, ST, L, O, CN = (  # noqa: E741 - X.520 short names
    NameOID.COUNTRY_NAME, NameOID.STATE_OR_PROVINCE_NAME, NameOID.LOCALITY_NAME,
    NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME,
)  # fmt: skip
BC, JC, SN = NameOID.BUSINESS_CATEGORY, NameOID.JURISDICTION_COUNTRY_NAME, NameOID.SERIAL_NUMBER
ORG_ID = NameOID.ORGANIZATION_IDENTIFIER
PO_BOX = x509.ObjectIdentifier("2.5.4.18")

EV_ATTRS = {
    C: "DE", ST: "Hessen", L: "Darmstadt", O: "Example GmbH", BC: "Private Organization",
    JC: "DE", SN: "HRB 12345", CN: "www.example.com",
}  # fmt: skip


def ev_subject(*, drop: tuple = (), more: tuple = (), **values: str) -> x509.Name:
    """The EV subject above, with attributes dropped, replaced (by short key) or added."""
    attrs = dict(EV_ATTRS)
    for oid in drop:
        del attrs[oid]
    for key, value in values.items():
        attrs[{"bc": BC, "o": O}[key]] = value
    return name(*attrs.items(), *more)


EV_2025 = EV_SPEC.but(subject=ev_subject())
OLD_EV = {"not_before": at(2006, 6, 1), "days": 365}  # before EVG 1.0


def cabf_org_id(scheme: str, country: str, reference: str, state: str | None = None) -> tuple:
    """The cabfOrganizationIdentifier extension (EVG 9.8.2), as an extra extension."""
    fields = [core.PrintableString(scheme), core.PrintableString(country)]
    if state is not None:
        fields.append(core.PrintableString(state, implicit=0))
    fields.append(core.UTF8String(reference))
    value = b"".join(f.dump() for f in fields)
    body = core.Sequence.load(b"\x30" + bytes([len(value)]) + value).dump()
    oid = x509.ObjectIdentifier("2.23.140.3.1")
    return ((x509.UnrecognizedExtension(oid, body), False),)


ORG_ID_DATE = at(2024, 3, 1)


def with_org_id(org_id: str, *ext: tuple, not_before: datetime = ORG_ID_DATE) -> CertSpec:
    return EV_2025.but(
        subject=ev_subject(more=((ORG_ID, org_id),)),
        extra_extensions=tuple(e for group in ext for e in group),
        not_before=not_before,
    )


# -- DER rewriting ---------------------------------------------------------------------------


def rewritten(spec: CertSpec, *, signature: bytes | None = None, key: bytes | None = None) -> bytes:
    """`spec` with its signature AlgorithmIdentifier (both copies) or SPKI algorithm replaced."""
    cert = asn1_x509.Certificate.load(der(spec))
    tbs = cert["tbs_certificate"]
    if signature is not None:
        tbs["signature"] = algos.SignedDigestAlgorithm.load(signature)
        cert["signature_algorithm"] = algos.SignedDigestAlgorithm.load(signature)
    if key is not None:
        tbs["subject_public_key_info"]["algorithm"] = keys.PublicKeyAlgorithm.load(key)
    return cert.dump(force=True)


@cache
def rsa_issuer() -> Issuer:
    return Issuer.from_key(shared_issuer().subject, rsa_key(2048, 1))


PSS_SHA256 = bytes.fromhex(
    "304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d"
    "010108300d06096086480165030402010500a203020120"
)
PSS_SHA256_SALT_17 = PSS_SHA256[:-1] + b"\x11"
SHA256_RSA_NO_NULL = bytes.fromhex("300b06092a864886f70d01010b")
RSA_KEY_NO_NULL = bytes.fromhex("300b06092a864886f70d010101")
SECP256K1_KEY = bytes.fromhex("301006072a8648ce3d020106052b8104000a")


def rsa_signed(spec: CertSpec) -> CertSpec:
    return spec.but(issuer=rsa_issuer())


# -- SCT lists ------------------------------------------------------------------------------


def sct_list(*logs: int) -> tuple:
    """An embedded SCT list (RFC 6962 3.3) with one SCT per entry, from log number `n`."""
    scts = b""
    for n in logs:
        signature = bytes.fromhex("3006020101020101")
        sct = (b"\x00" + bytes([n]) * 32 + (1_600_000_000_000).to_bytes(8, "big") + b"\x00\x00"
               + b"\x04\x03" + len(signature).to_bytes(2, "big") + signature)  # fmt: skip
        scts += len(sct).to_bytes(2, "big") + sct
    tls = len(scts).to_bytes(2, "big") + scts
    value = core.OctetString(tls).dump()
    oid = x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")
    return ((x509.UnrecognizedExtension(oid, value), False),)


SCT_DATE = at(2024, 6, 1)


def with_scts(*logs: int, not_before: datetime = SCT_DATE, days: float = 90) -> CertSpec:
    return DV_SPEC.but(extra_extensions=sct_list(*logs), not_before=not_before, days=days)


SERVER = (EKU.SERVER_AUTH,)
SERVER_CLIENT = (EKU.SERVER_AUTH, EKU.CLIENT_AUTH)
SERVER_EMAIL = (EKU.SERVER_AUTH, EKU.EMAIL_PROTECTION)
SUB_CA = SUBORDINATE_CA_SPEC


CASES = [
    # -- EVG 9.2: required subject attributes ----------------------------------------------
    Case("ev_subject_organization_name_required", EV_2025, "pass"),
    Case("ev_subject_organization_name_required", EV_2025.but(subject=ev_subject(drop=(O,))),
         "error"),
    Case("ev_subject_organization_name_required",
         EV_2025.but(subject=ev_subject(drop=(O,)), **OLD_EV), "ne", "before EVG 1.0"),
    Case("ev_subject_organization_name_required", DV_SPEC, "na", "DV"),
    Case("ev_subject_business_category_required", EV_2025, "pass"),
    Case("ev_subject_business_category_required", EV_2025.but(subject=ev_subject(drop=(BC,))),
         "error"),
    Case("ev_subject_business_category_required",
         EV_2025.but(subject=ev_subject(drop=(BC,)), **OLD_EV), "ne"),
    Case("ev_subject_jurisdiction_country_required", EV_2025, "pass"),
    Case("ev_subject_jurisdiction_country_required",
         EV_2025.but(subject=ev_subject(drop=(JC,))), "error"),
    Case("ev_subject_jurisdiction_country_required",
         EV_2025.but(subject=ev_subject(drop=(JC,)), **OLD_EV), "ne"),
    Case("ev_subject_serial_number_required", EV_2025, "pass"),
    Case("ev_subject_serial_number_required", EV_2025.but(subject=ev_subject(drop=(SN,))),
         "error"),
    Case("ev_subject_serial_number_required",
         EV_2025.but(subject=ev_subject(drop=(SN,)), **OLD_EV), "ne"),
    Case("ev_subject_country_required", EV_2025, "pass"),
    Case("ev_subject_country_required", EV_2025.but(subject=ev_subject(drop=(C,))), "error"),
    Case("ev_subject_country_required", EV_2025.but(subject=ev_subject(drop=(C,)), **OLD_EV),
         "ne"),
    # -- EVG 9.2.3: businessCategory values ---------------------------------------------------
    Case("ev_subject_business_category_valid", EV_2025, "pass"),
    Case("ev_subject_business_category_valid",
         EV_2025.but(subject=ev_subject(bc="Non-Commercial Entity")), "pass", "non-commercial"),
    Case("ev_subject_business_category_valid",
         EV_2025.but(subject=ev_subject(bc="Private Organisation")), "error", "British spelling"),
    Case("ev_subject_business_category_valid",
         EV_2025.but(subject=ev_subject(bc="V1.0, Clause 5.(b)"), not_before=at(2010, 1, 1),
                     days=365), "pass", "EVG 1.0 clause, 2010"),
    Case("ev_subject_business_category_valid",
         EV_2025.but(subject=ev_subject(bc="V1.0, Clause 5.(b)"), not_before=at(2013, 1, 1),
                     days=365), "error", "EVG 1.0 clause, 2013"),
    Case("ev_subject_business_category_valid",
         EV_2025.but(subject=ev_subject(bc="Healthcare"), **OLD_EV), "ne"),
    Case("ev_subject_business_category_valid", EV_2025.but(subject=ev_subject(drop=(BC,))),
         "na", "absent"),
    # -- EVG 9.2.9: nothing else in the subject -------------------------------------------------
    Case("ev_subject_only_specified_attributes", EV_2025, "pass"),
    Case("ev_subject_only_specified_attributes", with_org_id("NTRDE-HRB12345"), "pass",
         "organizationIdentifier"),
    Case("ev_subject_only_specified_attributes",
         EV_2025.but(subject=ev_subject(more=((PO_BOX, "12345"),))), "error", "postOfficeBox"),
    Case("ev_subject_only_specified_attributes",
         EV_2025.but(subject=ev_subject(more=((PO_BOX, "12345"),)), not_before=at(2019, 3, 1)),
         "ne"),
    # -- EVG 9.2.8 / 9.8.2: organizationIdentifier and its extension ---------------------------
    Case("ev_organization_identifier_scheme_registered", with_org_id("VATDE-123456789"), "pass"),
    Case("ev_organization_identifier_scheme_registered", with_org_id("ABCDE-123456789"), "error"),
    Case("ev_organization_identifier_scheme_registered",
         with_org_id("ABCDE-123456789", not_before=at(2020, 1, 2)), "error",
         "SC17 date, not zlint's"),
    Case("ev_organization_identifier_scheme_registered",
         with_org_id("ABCDE-123456789", not_before=at(2019, 3, 1)), "ne"),
    Case("ev_organization_identifier_scheme_registered", EV_2025, "na", "no orgId"),
    Case("ev_organization_identifier_extension_required",
         with_org_id("VATDE-123456789", cabf_org_id("VAT", "DE", "123456789")), "pass"),
    Case("ev_organization_identifier_extension_required", with_org_id("VATDE-123456789"),
         "error"),
    Case("ev_organization_identifier_extension_required",
         with_org_id("VATDE-123456789", not_before=at(2019, 12, 1)), "ne"),
    Case("ev_organization_identifier_extension_required", EV_2025, "na"),
    Case("ev_organization_identifier_extension_consistent",
         with_org_id("NTRUS+CA-1234", cabf_org_id("NTR", "US", "1234", state="CA")), "pass"),
    Case("ev_organization_identifier_extension_consistent",
         with_org_id("PSDBE-NBB-1234.567.890", cabf_org_id("PSD", "BE", "1234.567.890")),
         "pass", "PSD without the NCA"),
    Case("ev_organization_identifier_extension_consistent",
         with_org_id("PSDBE-NBB-1234.567.890", cabf_org_id("PSD", "BE", "NBB-1234.567.890")),
         "pass", "PSD with the NCA"),
    Case("ev_organization_identifier_extension_consistent",
         with_org_id("NTRUS+CA-1234", cabf_org_id("NTR", "US", "1234")), "error", "no state"),
    Case("ev_organization_identifier_extension_consistent",
         with_org_id("VATBEE-12345", cabf_org_id("VAT", "BE", "12345")), "error", "malformed"),
    Case("ev_organization_identifier_extension_consistent",
         with_org_id("VATIT-1234", cabf_org_id("VAT", "BE", "1234"), not_before=at(2020, 1, 2)),
         "ne"),
    Case("ev_organization_identifier_extension_consistent", with_org_id("VATIT-1234"), "na",
         "no extension"),
    Case("cabf_organization_identifier_state_only_for_ntr",
         with_org_id("NTRUS+CA-1234", cabf_org_id("NTR", "US", "1234", state="CA")), "pass"),
    Case("cabf_organization_identifier_state_only_for_ntr",
         with_org_id("PSDNL-XX-1234", cabf_org_id("PSD", "NL", "1234", state="XX")), "error"),
    Case("cabf_organization_identifier_state_only_for_ntr",
         DV_SPEC.but(extra_extensions=cabf_org_id("VAT", "NL", "1", state="NH")), "error",
         "DV certificate with the extension"),
    Case("cabf_organization_identifier_state_only_for_ntr",
         with_org_id("PSDNL-XX-1234", cabf_org_id("PSD", "NL", "1234", state="XX"),
                     not_before=at(2019, 5, 1)), "ne"),
    Case("cabf_organization_identifier_state_only_for_ntr", EV_2025, "na"),
    # -- EVG 9.2.2 / 9.8.1 / Appendix F: names ----------------------------------------------------
    Case("ev_no_wildcard", EV_2025, "pass"),
    Case("ev_no_wildcard", EV_2025.but(dns_names=("*.example.com", "example.com")), "error"),
    Case("ev_no_wildcard", EV_2025.but(subject=name((O, "Example"), (CN, "*.example.com"))),
         "error", "in the commonName"),
    Case("ev_no_wildcard", EV_2025.but(dns_names=("*.abcdefghijklmnop.onion",)), "pass",
         "onion, Appendix F"),
    Case("ev_no_wildcard",
         EV_2025.but(dns_names=("*.abcdefghijklmnop.onion",), not_before=at(2014, 6, 1),
                     days=365), "error", "onion before Ballot 144"),
    Case("ev_no_wildcard", EV_2025.but(dns_names=("*.example.com",), **OLD_EV), "ne"),
    Case("ev_san_dns_names_only", EV_2025, "pass"),
    Case("ev_san_dns_names_only", EV_2025.but(ip_addresses=("198.51.100.1",)), "error"),
    Case("ev_san_dns_names_only", EV_2025.but(ip_addresses=("198.51.100.1",), **OLD_EV), "ne"),
    Case("onion_validity_at_most_15_months",
         EV_2025.but(dns_names=("abcdefghijklmnop.onion",), not_before=at(2019, 3, 2), days=458),
         "pass", "15 months"),
    Case("onion_validity_at_most_15_months",
         EV_2025.but(dns_names=("abcdefghijklmnop.onion",), not_before=at(2019, 3, 2), days=480),
         "error", "16 months"),
    Case("onion_validity_at_most_15_months",
         EV_2025.but(dns_names=("abcdefghijklmnop.onion",), not_before=at(2014, 3, 2), days=700),
         "ne"),
    Case("onion_validity_at_most_15_months", EV_2025, "na", "no onion name"),
    # -- Mozilla 5.1: encodings ---------------------------------------------------------------------
    Case("mozilla_rsa_key_encoding", DV_SPEC.but(key=rsa_key(2048, 0)), "pass"),
    Case("mozilla_rsa_key_encoding", rewritten(DV_SPEC.but(key=rsa_key(2048, 0)),
                                               key=RSA_KEY_NO_NULL), "error", "no NULL"),
    Case("mozilla_rsa_key_encoding",
         rewritten(DV_SPEC.but(key=rsa_key(2048, 0), not_before=at(2019, 6, 1)),
                   key=RSA_KEY_NO_NULL), "ne"),
    Case("mozilla_rsa_key_encoding", DV_SPEC, "na", "EC key"),
    Case("mozilla_ec_key_encoding", DV_SPEC, "pass", "P-256"),
    Case("mozilla_ec_key_encoding", DV_SPEC.but(key=ec_key("secp521r1", 3)), "pass", "P-521"),
    Case("mozilla_ec_key_encoding", rewritten(DV_SPEC, key=SECP256K1_KEY), "error",
         "curve not listed"),
    Case("mozilla_ec_key_encoding", rewritten(DV_SPEC.but(not_before=at(2019, 6, 1)),
                                              key=SECP256K1_KEY), "ne"),
    Case("mozilla_ec_key_encoding", DV_SPEC.but(key=rsa_key(2048, 0)), "na", "RSA key"),
    Case("mozilla_rsa_signature_encoding", rsa_signed(DV_SPEC), "pass"),
    Case("mozilla_rsa_signature_encoding", rewritten(rsa_signed(DV_SPEC),
                                                     signature=SHA256_RSA_NO_NULL), "error"),
    Case("mozilla_rsa_signature_encoding",
         rewritten(rsa_signed(DV_SPEC.but(not_before=at(2019, 6, 1))),
                   signature=SHA256_RSA_NO_NULL), "ne"),
    Case("mozilla_rsa_signature_encoding", DV_SPEC, "na", "ECDSA signature"),
    Case("mozilla_rsassa_pss_signature_encoding",
         rewritten(rsa_signed(DV_SPEC), signature=PSS_SHA256), "pass"),
    Case("mozilla_rsassa_pss_signature_encoding",
         rewritten(rsa_signed(DV_SPEC), signature=PSS_SHA256_SALT_17), "error", "salt 17"),
    Case("mozilla_rsassa_pss_signature_encoding",
         rewritten(rsa_signed(DV_SPEC.but(not_before=at(2019, 6, 1))),
                   signature=PSS_SHA256_SALT_17), "ne"),
    Case("mozilla_rsassa_pss_signature_encoding", rsa_signed(DV_SPEC), "na", "PKCS#1 v1.5"),
    Case("mozilla_ecdsa_signature_encoding", DV_SPEC, "pass", "P-256 issuer, SHA-256"),
    Case("mozilla_ecdsa_signature_encoding", DV_SPEC.but(hash=hashes.SHA384()), "error",
         "P-256 issuer, SHA-384"),
    Case("mozilla_ecdsa_signature_encoding",
         DV_SPEC.but(issuer=shared_root(), hash=hashes.SHA384()), "pass", "P-384 issuer"),
    Case("mozilla_ecdsa_signature_encoding", DV_SPEC.but(issuer=shared_root()), "error",
         "P-384 issuer, SHA-256"),
    Case("mozilla_ecdsa_signature_encoding", ROOT_CA_SPEC.but(hash=hashes.SHA384()), "pass",
         "self-signed P-384"),
    Case("mozilla_ecdsa_signature_encoding", ROOT_CA_SPEC, "error", "self-signed P-384, SHA-256"),
    Case("mozilla_ecdsa_signature_encoding",
         DV_SPEC.but(hash=hashes.SHA384(), not_before=at(2019, 6, 1)), "ne"),
    Case("mozilla_ecdsa_signature_encoding", rsa_signed(DV_SPEC), "na", "RSA signature"),
    # -- Mozilla 5.2 / 5.3 --------------------------------------------------------------------------
    Case("mozilla_authority_key_identifier_key_id_only", DV_SPEC, "pass"),
    Case("mozilla_authority_key_identifier_key_id_only",
         DV_SPEC.but(authority_key_id=False, extra_extensions=((x509.AuthorityKeyIdentifier(
             shared_issuer().key_id, [x509.DirectoryName(shared_root().subject)], 7), False),)),
         "error", "issuer name and serial too"),
    Case("mozilla_authority_key_identifier_key_id_only",
         DV_SPEC.but(authority_key_id=False, not_before=at(2013, 1, 1), days=365,
                     extra_extensions=((x509.AuthorityKeyIdentifier(
                         shared_issuer().key_id, [x509.DirectoryName(shared_root().subject)], 7),
                         False),)), "ne"),
    Case("mozilla_authority_key_identifier_key_id_only", DV_SPEC.but(authority_key_id=False),
         "na", "no AKI"),
    Case("mozilla_intermediate_eku_separation", SUB_CA, "pass", "serverAuth, clientAuth"),
    Case("mozilla_intermediate_eku_separation", SUB_CA.but(eku=None), "warn", "no EKU"),
    Case("mozilla_intermediate_eku_separation", SUB_CA.but(eku=(EKU.ANY_EXTENDED_KEY_USAGE,)),
         "warn", "anyEKU"),
    Case("mozilla_intermediate_eku_separation", SUB_CA.but(eku=SERVER_EMAIL), "warn",
         "TLS and S/MIME"),
    Case("mozilla_intermediate_eku_separation", SUB_CA.but(eku=None, not_before=at(2018, 6, 1)),
         "ne"),
    Case("mozilla_intermediate_eku_separation", SUB_CA.but(eku=(EKU.CODE_SIGNING,)), "na",
         "outside Mozilla's scope"),
    # -- Apple CT policy ----------------------------------------------------------------------------
    Case("apple_ct_embedded_scts", with_scts(1, 2), "pass", "90 days, 2 logs"),
    Case("apple_ct_embedded_scts", with_scts(1), "notice", "90 days, 1 log"),
    Case("apple_ct_embedded_scts", with_scts(1, 1), "notice", "the same log twice"),
    Case("apple_ct_embedded_scts", DV_SPEC, "notice", "no SCT list"),
    Case("apple_ct_embedded_scts", with_scts(1, 2, days=200), "notice", "200 days, 2 logs"),
    Case("apple_ct_embedded_scts", with_scts(1, 2, 3, days=200), "pass", "200 days, 3 logs"),
    Case("apple_ct_embedded_scts", with_scts(1, 2, not_before=at(2020, 6, 1)), "ne"),
    Case("apple_ct_embedded_scts", DV_SPEC.but(precertificate=True), "na", "precertificate"),
    Case("apple_ct_embedded_scts_2018", with_scts(1, 2, not_before=at(2019, 4, 6), days=90),
         "pass", "3 months, 2 logs"),
    Case("apple_ct_embedded_scts_2018", with_scts(1, 2, not_before=at(2019, 4, 6), days=549),
         "notice", "18 months, 2 logs"),
    Case("apple_ct_embedded_scts_2018", with_scts(1, 2, 3, not_before=at(2019, 4, 6), days=549),
         "pass", "18 months, 3 logs"),
    Case("apple_ct_embedded_scts_2018", with_scts(1, 2, 3, 4, not_before=at(2019, 4, 6),
                                                  days=1157), "pass", "38 months, 4 logs"),
    Case("apple_ct_embedded_scts_2018", with_scts(1, not_before=at(2018, 6, 1)), "ne"),
    # -- Chrome 1.3.2 -----------------------------------------------------------------------------
    Case("chrome_subscriber_eku_server_auth_only",
         DV_SPEC.but(eku=SERVER, not_before=at(2027, 4, 1)), "pass"),
    Case("chrome_subscriber_eku_server_auth_only",
         DV_SPEC.but(eku=SERVER_CLIENT, not_before=at(2027, 4, 1)), "error", "clientAuth"),
    Case("chrome_subscriber_eku_server_auth_only",
         DV_SPEC.but(eku=None, not_before=at(2027, 4, 1)), "error", "no EKU"),
    Case("chrome_subscriber_eku_server_auth_only",
         DV_SPEC.but(eku=SERVER_CLIENT, not_before=at(2027, 3, 1)), "ne"),
    Case("chrome_subordinate_ca_eku_server_auth_only",
         SUB_CA.but(eku=SERVER, not_before=at(2026, 7, 1)), "pass"),
    Case("chrome_subordinate_ca_eku_server_auth_only",
         SUB_CA.but(eku=SERVER_CLIENT, not_before=at(2026, 7, 1)), "error"),
    Case("chrome_subordinate_ca_eku_server_auth_only",
         SUB_CA.but(eku=SERVER_CLIENT, not_before=at(2026, 6, 1)), "ne"),
    Case("chrome_subordinate_ca_eku_server_auth_only",
         SUB_CA.but(eku=(EKU.CLIENT_AUTH, EKU.EMAIL_PROTECTION), not_before=at(2026, 7, 1)), "na",
         "not a TLS CA"),
    Case("chrome_subordinate_ca_eku_tls_hierarchy", SUB_CA.but(eku=SERVER_CLIENT), "pass"),
    Case("chrome_subordinate_ca_eku_tls_hierarchy", SUB_CA.but(eku=SERVER_EMAIL), "warn"),
    Case("chrome_subordinate_ca_eku_tls_hierarchy", SUB_CA.but(eku=None), "warn", "no EKU"),
    Case("chrome_subordinate_ca_eku_tls_hierarchy",
         SUB_CA.but(eku=SERVER_EMAIL, not_before=at(2020, 1, 1), days=365), "na",
         "expired before the phase-out"),
    Case("chrome_subordinate_ca_eku_tls_hierarchy",
         SUB_CA.but(eku=SERVER_EMAIL, not_before=at(2026, 7, 1)), "ne"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)


def test_ca_specific_ev_policy_makes_an_ev_certificate() -> None:
    """A CA's own EV policy OID marks an EV certificate (EVG 9.3.2 (iii))."""
    digicert_ev = EV_2025.but(subject=ev_subject(drop=(O,)), policies=("2.16.840.1.114412.2.1",))
    check_case(Case("ev_subject_organization_name_required", digicert_ev, "error"))


MODULES = {"cabf_ev.subject", "cabf_ev.names", "mozilla.encoding", "mozilla.practices",
           "apple.ct", "chrome.eku"}  # fmt: skip


def test_every_lint_here_has_failing_and_passing_case() -> None:
    ours = {
        x.name for x in engine().catalogue
        if x.check.__module__.removeprefix("audit.lints.") in MODULES
    }  # fmt: skip
    covered = {c.lint for c in CASES}
    assert ours <= covered, f"lints without golden cases: {sorted(ours - covered)}"
    for lint_name in ours:
        statuses = {c.expected for c in CASES if c.lint == lint_name}
        assert "pass" in statuses, lint_name
        assert statuses & {"info", "notice", "warn", "error"}, lint_name


def test_certview_accessors() -> None:
    """The CertView accessors the lints rely on, on a certificate with all of them."""
    from audit.engine.certview import CertView

    view = CertView(der(with_org_id("NTRUS+CA-1234", cabf_org_id("NTR", "US", "1234", "CA"))))
    assert view.cabf_organization_identifier is not None
    assert view.cabf_organization_identifier.state == "CA"
    view = CertView(der(with_scts(1, 2, 2)))
    assert [s.log_id[0] for s in view.scts or ()] == [1, 2, 2]
    assert view.encoded_algorithms.signature == bytes.fromhex("300a06082a8648ce3d040302")
