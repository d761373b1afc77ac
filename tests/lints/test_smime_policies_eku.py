"""Golden cases for S/MIME profile detection, certificatePolicies (S/MIME BR 7.1.2.3(a), 7.1.6)
and extKeyUsage (7.1.2.3(f))."""

from datetime import UTC, datetime

import pytest
from asn1crypto import core as asn1_core
from cryptography.x509.oid import ExtendedKeyUsageOID

from audit.engine import oids
from audit.engine.certview import CertView
from audit.engine.profiles import Profile
from audit.sample_db.certbuilder import der, tlv
from tests.lints.golden import Case, check_case
from tests.lints.smime_specs import EMAIL_PROTECTION, POLICY, smime

SERVER_AUTH, CLIENT_AUTH = ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH
CODE_SIGNING = ExtendedKeyUsageOID.CODE_SIGNING
STRICT, MULTI, LEGACY = smime(), smime(generation="multipurpose"), smime(generation="legacy")
AUG_2025 = datetime(2025, 8, 1, tzinfo=UTC)
AUG_2027 = datetime(2027, 8, 1, tzinfo=UTC)
SMC018_MULTI = MULTI.but(not_before=AUG_2027)


def _oid(dotted: str) -> bytes:
    return asn1_core.ObjectIdentifier(dotted).dump()


def policies_with_qualifier(qualifier_id: str, qualifier: bytes) -> bytes:
    """certificatePolicies: the strict mailbox OID with one PolicyQualifierInfo."""
    info = tlv(0x30, _oid(qualifier_id) + qualifier)
    return tlv(0x30, tlv(0x30, _oid(POLICY["mailbox", "strict"]) + tlv(0x30, info)))


CPS = oids.CPS_QUALIFIER
NOTICE = oids.USER_NOTICE_QUALIFIER
EXPLICIT_TEXT = tlv(0x0C, b"Terms at https://example.com/cps")
NOTICE_REF = tlv(0x30, tlv(0x0C, b"Example CA") + tlv(0x30, tlv(0x02, b"\x01")))


def with_policies(spec, value: bytes, critical: bool = False):  # type: ignore[no-untyped-def]
    return spec.but(policies=None).with_extension_der(oids.CERTIFICATE_POLICIES, value, critical)


CASES = [
    # -- 7.1.2.3(a), 7.1.6.4: exactly one reserved policy ----------------------------------------
    Case("smime_exactly_one_reserved_policy", STRICT, "pass"),
    Case("smime_exactly_one_reserved_policy", STRICT.but(policies=None), "error", "unmarked: no policies"),
    Case("smime_exactly_one_reserved_policy", STRICT.but(policies=("1.3.6.1.4.1.99999.1",)), "error",
         "unmarked: only the CA's own policy"),
    Case("smime_exactly_one_reserved_policy",
         STRICT.but(policies=(POLICY["mailbox", "strict"], POLICY["individual", "strict"])), "error",
         "two reserved policies"),
    Case("smime_exactly_one_reserved_policy", STRICT.but(policies=None, not_before=datetime(2023, 6, 1, tzinfo=UTC)),
         "ne", "before S/MIME BR 1.0.0"),
    Case("smime_certificate_policies_not_critical", STRICT, "pass"),
    Case("smime_certificate_policies_not_critical",
         with_policies(STRICT, tlv(0x30, tlv(0x30, _oid(POLICY["mailbox", "strict"]))), critical=True),
         "warn", "critical"),
    Case("smime_cps_qualifier_http_url",
         with_policies(STRICT, policies_with_qualifier(CPS, tlv(0x16, b"https://example.com/cps"))), "pass"),
    Case("smime_cps_qualifier_http_url",
         with_policies(STRICT, policies_with_qualifier(CPS, tlv(0x16, b"ldap://example.com/cps"))), "error",
         "ldap CPS URI"),
    Case("smime_user_notice_explicit_text_only",
         with_policies(STRICT, policies_with_qualifier(NOTICE, tlv(0x30, EXPLICIT_TEXT))), "pass"),
    Case("smime_user_notice_explicit_text_only",
         with_policies(STRICT, policies_with_qualifier(NOTICE, tlv(0x30, NOTICE_REF + EXPLICIT_TEXT))),
         "error", "noticeRef"),
    Case("smime_user_notice_explicit_text_only",
         with_policies(STRICT, policies_with_qualifier(NOTICE, tlv(0x30, b""))), "error", "no explicitText"),
    # -- 7.1.6.1 (Ballot SMC08): no Legacy Generation from 2025-07-15 ------------------------------
    Case("smime_legacy_generation_not_issued", LEGACY.but(not_before=AUG_2025), "error"),
    Case("smime_legacy_generation_not_issued", LEGACY, "ne", "issued before the sunset"),
    Case("smime_legacy_generation_not_issued", MULTI.but(not_before=AUG_2025), "na", "multipurpose"),
    # -- 7.1.2.3(f) -------------------------------------------------------------------------------
    Case("smime_strict_eku_email_protection_only", STRICT, "pass"),
    Case("smime_strict_eku_email_protection_only", STRICT.but(eku=(EMAIL_PROTECTION, CLIENT_AUTH)), "error",
         "clientAuth too"),
    Case("smime_strict_eku_email_protection_only", STRICT.but(eku=None), "error", "no EKU"),
    Case("smime_strict_eku_email_protection_only", STRICT.but(eku=(EMAIL_PROTECTION, SERVER_AUTH)), "error",
         "serverAuth: still S/MIME by its policy"),
    Case("smime_eku_email_protection_no_prohibited", MULTI.but(eku=(EMAIL_PROTECTION, CLIENT_AUTH)), "pass"),
    Case("smime_eku_email_protection_no_prohibited", LEGACY.but(eku=(CLIENT_AUTH,)), "error",
         "no emailProtection"),
    Case("smime_eku_email_protection_no_prohibited", MULTI.but(eku=(EMAIL_PROTECTION, CODE_SIGNING)), "error",
         "codeSigning"),
    Case("smime_eku_email_protection_no_prohibited", STRICT, "na", "strict has its own row"),
    Case("smime_eku_email_protection_and_client_auth_only", SMC018_MULTI.but(eku=(EMAIL_PROTECTION, CLIENT_AUTH)),
         "pass"),
    Case("smime_eku_email_protection_and_client_auth_only",
         SMC018_MULTI.but(eku=(EMAIL_PROTECTION, "1.3.6.1.4.1.311.10.3.12")), "error", "document signing"),
    Case("smime_eku_email_protection_and_client_auth_only",
         MULTI.but(eku=(EMAIL_PROTECTION, "1.3.6.1.4.1.311.10.3.12")), "ne", "before Ballot SMC018"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)


@pytest.mark.parametrize("validation", ["mailbox", "organization", "sponsor", "individual"])
@pytest.mark.parametrize("generation", ["legacy", "multipurpose", "strict"])
def test_profile_from_the_reserved_policy(validation: str, generation: str) -> None:
    view = CertView(der(smime(validation, generation)))
    assert view.profile == f"smime_{validation}_{generation}"


def test_profile_detection_edge_cases() -> None:
    # A reserved S/MIME policy decides over a serverAuth EKU...
    assert (
        CertView(der(STRICT.but(eku=(SERVER_AUTH, EMAIL_PROTECTION)))).profile
        == "smime_mailbox_strict"
    )
    # ... and over a stray keyCertSign without basicConstraints (no CA without cA asserted).
    stray = STRICT.but(basic_constraints=False, key_usage=("digital_signature", "key_cert_sign"))
    assert CertView(der(stray)).profile == Profile.SMIME_MAILBOX_STRICT
    # A TLS reserved policy beside it leaves the TLS rules in charge.
    both = STRICT.but(eku=(SERVER_AUTH,), policies=(oids.POLICY_DV, POLICY["mailbox", "strict"]))
    assert CertView(der(both)).profile == Profile.SUBSCRIBER_DV
    # emailProtection without a reserved policy: an unmarked S/MIME certificate.
    assert CertView(der(STRICT.but(policies=None))).profile == Profile.SMIME_UNMARKED
    # A CA with an S/MIME policy stays a CA.
    ca = STRICT.but(ca=True, key_usage=("key_cert_sign", "crl_sign"))
    assert CertView(der(ca)).profile == Profile.SUBORDINATE_CA
