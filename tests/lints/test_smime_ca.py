"""Golden cases for subordinate CA certificates that issue S/MIME certificates (S/MIME BR 7.1.2.2,
7.1.5, 7.1.6.3), and the rule that every S/MIME BR lint has its failing and passing cases."""

import importlib
from datetime import UTC, datetime

import pytest
from asn1crypto import core as asn1_core
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from audit.engine import oids
from audit.engine.registry import Source
from audit.sample_db.certbuilder import CertSpec, der, ec_key, name, rsa_key, tlv
from tests.lints.golden import Case, check_case, engine
from tests.lints.smime_specs import POLICY, smime_issuer

EMAIL, CLIENT, SERVER = (
    ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH,
)  # fmt: skip
NB = datetime(2025, 3, 1, tzinfo=UTC)
AFTER_SMC017 = datetime(2026, 10, 1, tzinfo=UTC)
AFTER_SMC018 = datetime(2027, 8, 1, tzinfo=UTC)

SMIME_CA = CertSpec(
    subject=name((NameOID.COUNTRY_NAME, "DE"), (NameOID.ORGANIZATION_NAME, "Example CA"),
                 (NameOID.COMMON_NAME, "Example S/MIME Issuing CA")),
    dns_names=None, ca=True, path_length=0, key_usage=("digital_signature", "key_cert_sign", "crl_sign"),
    eku=(EMAIL, CLIENT), policies=(POLICY["mailbox", "strict"], POLICY["individual", "strict"]),
    ocsp_url=None, key=ec_key("secp384r1", 11), issuer=smime_issuer(), not_before=NB, days=365 * 5,
)  # fmt: skip
TLS_CA = SMIME_CA.but(eku=(SERVER,), policies=(oids.POLICY_DV,))


def _oid(dotted: str) -> bytes:
    return asn1_core.ObjectIdentifier(dotted).dump()


def permitted(*subtrees: bytes) -> bytes:
    """nameConstraints with these permitted GeneralSubtree bases."""
    return tlv(0x30, tlv(0xA0, b"".join(tlv(0x30, base) for base in subtrees)))


RFC822_DOMAIN = tlv(0x81, b".example.com")
RFC822_MAILBOX = tlv(0x81, b"alice@example.com")
DIRECTORY = tlv(
    0xA4,
    name((NameOID.COUNTRY_NAME, "DE"), (NameOID.ORGANIZATION_NAME, "Example GmbH")).public_bytes(),
)
CPS_POLICY = tlv(
    0x30,
    tlv(
        0x30,
        _oid(POLICY["mailbox", "strict"])
        + tlv(0x30, tlv(0x30, _oid(oids.CPS_QUALIFIER) + tlv(0x16, b"ftp://example.com/cps"))),
    ),
)

CASES = [
    Case("smime_ca_eku", SMIME_CA, "pass"),
    Case("smime_ca_eku", SMIME_CA.but(eku=(EMAIL, SERVER)), "error", "serverAuth too"),
    Case("smime_ca_eku", SMIME_CA.but(eku=(CLIENT,)), "error", "S/MIME policy, no emailProtection"),
    Case("smime_ca_eku", SMIME_CA.but(eku=None), "error", "no EKU"),
    Case("smime_ca_eku", TLS_CA, "na", "a TLS CA"),
    Case("smime_ca_eku_email_protection_and_client_auth_only", SMIME_CA.but(not_before=AFTER_SMC018), "pass"),
    Case("smime_ca_eku_email_protection_and_client_auth_only",
         SMIME_CA.but(not_before=AFTER_SMC018, eku=(EMAIL, "1.3.6.1.4.1.311.10.3.12")), "error", "document signing"),
    Case("smime_ca_certificate_policies", SMIME_CA, "pass"),
    Case("smime_ca_certificate_policies", SMIME_CA.but(policies=(oids.POLICY_ANY,)), "pass", "anyPolicy"),
    Case("smime_ca_certificate_policies", SMIME_CA.but(policies=None), "error", "none"),
    Case("smime_ca_certificate_policies", SMIME_CA.but(policies=("1.3.6.1.4.1.99999.1",)), "error",
         "only the CA's own policy"),
    Case("smime_ca_policy_qualifiers", SMIME_CA, "pass"),
    Case("smime_ca_policy_qualifiers",
         SMIME_CA.but(policies=None).with_extension_der(oids.CERTIFICATE_POLICIES, CPS_POLICY), "error",
         "ftp CPS"),
    Case("smime_ca_crl_distribution_points", SMIME_CA, "pass"),
    Case("smime_ca_crl_distribution_points", SMIME_CA.but(crl_url=None), "error", "none"),
    Case("smime_ca_crl_distribution_points", SMIME_CA.but(crl_url="ldap://dir.example.com/cn=CA"), "error", "LDAP"),
    Case("smime_ca_aia_ca_issuers_http", SMIME_CA, "pass"),
    Case("smime_ca_aia_ca_issuers_http", SMIME_CA.but(ca_issuers_url=None), "warn"),
    Case("smime_ca_authority_key_identifier_key_id_only", SMIME_CA, "pass"),
    Case("smime_ca_authority_key_identifier_key_id_only",
         SMIME_CA.with_extension_der(oids.AUTHORITY_KEY_IDENTIFIER,
                                     tlv(0x30, tlv(0x80, bytes(20)) + tlv(0x82, b"\x01"))),
         "error", "serial too"),
    Case("smime_ca_rsa_modulus_at_least_4096",
         SMIME_CA.but(not_before=AFTER_SMC017, key=rsa_key(4096)), "pass"),
    Case("smime_ca_rsa_modulus_at_least_4096",
         SMIME_CA.but(not_before=AFTER_SMC017, key=rsa_key(2048)), "notice", "2048"),
    Case("smime_ca_rsa_modulus_at_least_4096", SMIME_CA.but(key=rsa_key(2048)), "ne", "before Ballot SMC017"),
    Case("smime_ca_name_constraints_technically_constrained",
         SMIME_CA.with_extension_der(oids.NAME_CONSTRAINTS, permitted(RFC822_DOMAIN, DIRECTORY), True), "pass"),
    Case("smime_ca_name_constraints_technically_constrained",
         SMIME_CA.with_extension_der(oids.NAME_CONSTRAINTS, permitted(RFC822_MAILBOX, DIRECTORY), True),
         "notice", "a mailbox"),
    Case("smime_ca_name_constraints_technically_constrained",
         SMIME_CA.with_extension_der(oids.NAME_CONSTRAINTS, permitted(RFC822_DOMAIN), True), "notice",
         "no directoryName"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)


def test_the_smime_ca_is_otherwise_clean() -> None:
    """The S/MIME CA the cases start from breaks no S/MIME rule (nor a TLS BR rule the S/MIME
    lints lean on), so each case above fails for its one change."""
    report = engine().lint_der(der(SMIME_CA))
    bad = [
        (r.lint.name, r.status.label)
        for r in report.results
        if r.status.label not in ("pass", "na", "ne")
    ]
    assert [b for b in bad if b[0].startswith("smime_")] == []


SMIME_TEST_MODULES = (
    "test_smime_policies_eku", "test_smime_subject", "test_smime_san_extensions",
    "test_smime_keys_validity", "test_smime_ca",
)  # fmt: skip
# A rule whose applicability is the whole rule (a Legacy certificate issued after the sunset):
# no certificate passes it, one issued before the sunset is 'ne'.
NEVER_PASSES = {"smime_legacy_generation_not_issued"}


def test_every_smime_lint_has_failing_and_passing_cases() -> None:
    ours = {x.name for x in engine().catalogue if x.source == Source.CABF_SMIME}
    cases = [
        c for m in SMIME_TEST_MODULES for c in importlib.import_module(f"tests.lints.{m}").CASES
    ]
    covered = {c.lint for c in cases}
    assert ours <= covered, f"S/MIME lints without golden cases: {sorted(ours - covered)}"
    for lint_name in ours:
        statuses = {c.expected for c in cases if c.lint == lint_name}
        assert statuses & {"info", "notice", "warn", "error"}, f"{lint_name}: no failing case"
        passing = {"pass"} if lint_name not in NEVER_PASSES else {"ne"}
        assert statuses & passing, f"{lint_name}: no passing case"
