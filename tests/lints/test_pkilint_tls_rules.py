"""Golden cases for the TLS rules pkilint checks that certcensus did not (issue 14), and for the
carve-outs where the BRs govern over RFC 5280 (audit/lints/br_carve_outs.py).

The modules: cabf_br/root_ca.py, technically_constrained.py, non_tls_ca.py,
precertificate_signing_ca.py; cabf_ev/jurisdiction.py, organization_identifier.py,
policies.py; rfc5280/time_stamping.py. (The new rules in existing modules have their cases
beside those modules' others: ocsp_responder_aia_ocsp_only in test_ca_ocsp_policies.py,
name_constraints_ip_range_cidr in test_rfc_more.py.)

A root whose issuer differs from its subject only in encoding is signed by its own key under
an issuer name in other letter case: RFC 5280 7.1 still matches the names, so it is a root.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID as EKU
from cryptography.x509.oid import NameOID

from audit.engine import profiles
from audit.lints import br_carve_outs
from audit.sample_db.certbuilder import (
    DV_SPEC,
    EV,
    EV_SPEC,
    OV,
    ROOT_CA_SPEC,
    SUBORDINATE_CA_SPEC,
    CertSpec,
    Issuer,
    name,
    tlv,
)
from audit.sample_db.certbuilder import (
    test_root as example_root,
)
from tests.lints.golden import Case, check_case, engine

MODULES = {
    "audit.lints.cabf_br.root_ca",
    "audit.lints.cabf_br.technically_constrained",
    "audit.lints.cabf_br.non_tls_ca",
    "audit.lints.cabf_br.precertificate_signing_ca",
    "audit.lints.cabf_ev.jurisdiction",
    "audit.lints.cabf_ev.organization_identifier",
    "audit.lints.cabf_ev.policies",
    "audit.lints.rfc5280.time_stamping",
}


def at(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


C, O, CN = NameOID.COUNTRY_NAME, NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME  # noqa: E741
PRECERT_SIGNING = x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.4")
NC_OID = "2.5.29.30"

# -- BR 2.0 7.1.2.1: root CA certificates ---------------------------------------------------------

ROOT = ROOT_CA_SPEC  # 2025, valid 7300 days, no authorityKeyIdentifier
ROOT_SUBJECT_OTHER_CASE = name((C, "US"), (O, "EXAMPLE CA"), (CN, "EXAMPLE ROOT CA"))


def _root_issued_as(issuer: Issuer) -> CertSpec:
    """The root signed by its own key under `issuer`'s name and key identifier (an AKI too)."""
    return ROOT.but(self_signed=False, issuer=issuer)


ROOT_WITH_AKI = _root_issued_as(Issuer.from_key(example_root().subject, example_root().key))
ROOT_OTHER_AKI = _root_issued_as(Issuer(example_root().subject, example_root().key, b"\x01" * 20))
ROOT_AKI_WITHOUT_KEY_ID = ROOT.but(
    extra_extensions=(
        (
            x509.AuthorityKeyIdentifier(None, [x509.DirectoryName(example_root().subject)], 1),
            False,
        ),
    )
)
ROOT_ISSUER_OTHER_CASE = _root_issued_as(
    Issuer.from_key(ROOT_SUBJECT_OTHER_CASE, example_root().key)
)

ROOT_CASES = [
    Case("root_ca_validity_period", ROOT, "pass"),
    Case("root_ca_validity_period", ROOT.but(days=2922), "pass", "exactly 2922 days"),
    Case("root_ca_validity_period", ROOT.but(days=9132), "pass", "exactly 9132 days"),
    Case("root_ca_validity_period", ROOT.but(days=2921), "error", "too short"),
    Case("root_ca_validity_period", ROOT.but(days=9133), "error", "too long"),
    Case("root_ca_validity_period", ROOT.but(days=365, not_before=at(2022)), "ne", "BR 1.x"),
    Case("root_ca_validity_period", SUBORDINATE_CA_SPEC, "na", "subordinate"),
    Case("root_ca_issuer_identical_to_subject", ROOT, "pass"),
    Case("root_ca_issuer_identical_to_subject", ROOT_ISSUER_OTHER_CASE, "error", "other case"),
    Case("root_ca_issuer_identical_to_subject",
         ROOT_ISSUER_OTHER_CASE.but(not_before=at(2022)), "ne"),
    Case("root_ca_authority_key_identifier_matches_ski", ROOT_WITH_AKI, "pass"),
    Case("root_ca_authority_key_identifier_matches_ski", ROOT_OTHER_AKI, "error", "differs"),
    Case("root_ca_authority_key_identifier_matches_ski",
         ROOT_AKI_WITHOUT_KEY_ID, "error", "no keyIdentifier"),
    Case("root_ca_authority_key_identifier_matches_ski",
         ROOT_OTHER_AKI.but(not_before=at(2022)), "ne"),
    Case("root_ca_authority_key_identifier_matches_ski", ROOT, "na", "no AKI"),
]  # fmt: skip

# -- BR 7.1.5 / 2.0 7.1.2.5.2: Technically Constrained TLS subordinate CAs -------------------------

SUB_CA = SUBORDINATE_CA_SPEC.but(policies=(OV,))  # 2025, serverAuth + clientAuth
DIRECTORY = x509.DirectoryName(name((C, "US"), (O, "Example Inc.")))
DNS = x509.DNSName("example.com")


def _ip(network: str) -> x509.IPAddress:
    return x509.IPAddress(ipaddress.ip_network(network))


def _constrained(
    permitted: list[x509.GeneralName] | None, excluded: list[x509.GeneralName] | None = None
) -> CertSpec:
    return SUB_CA.but(extra_extensions=((x509.NameConstraints(permitted, excluded), True),))


EXCLUDE_ALL_DNS = tlv(0x30, tlv(0xA1, tlv(0x30, tlv(0x82, b""))))  # excludedSubtrees: dNSName ""

TC_CASES = [
    Case("tls_subordinate_ca_name_constraints_complete",
         _constrained([DNS, DIRECTORY, _ip("8.8.8.0/24"), _ip("2001:4860::/32")]), "pass"),
    Case("tls_subordinate_ca_name_constraints_complete",
         _constrained([DNS, DIRECTORY], [_ip("0.0.0.0/0"), _ip("::/0")]), "pass", "IPs excluded"),
    Case("tls_subordinate_ca_name_constraints_complete",
         _constrained([DNS]), "notice", "no IP, no directoryName"),
    Case("tls_subordinate_ca_name_constraints_complete",
         _constrained([DNS, DIRECTORY, _ip("8.8.8.0/24")]), "notice", "IPv6 open"),
    Case("tls_subordinate_ca_name_constraints_complete",
         _constrained([DIRECTORY], [_ip("0.0.0.0/0"), _ip("::/0")]), "notice", "dNSName open"),
    Case("tls_subordinate_ca_name_constraints_complete",
         _constrained([DNS, DIRECTORY], [_ip("10.0.0.0/8"), _ip("::/0")]), "notice",
         "IPv4 excluded in part"),
    Case("tls_subordinate_ca_name_constraints_complete",
         SUB_CA.with_extension_der(NC_OID, EXCLUDE_ALL_DNS, critical=True), "notice",
         "only dNSName excluded"),
    Case("tls_subordinate_ca_name_constraints_complete",
         _constrained([DNS, _ip("8.8.8.0/24")]).but(not_before=at(2016), days=365), "pass",
         "BR 1.x: any IP range, no directoryName"),
    Case("tls_subordinate_ca_name_constraints_complete",
         _constrained([DNS]).but(not_before=at(2016), days=365), "notice", "BR 1.x: IP open"),
    Case("tls_subordinate_ca_name_constraints_complete",
         _constrained([DNS]).but(not_before=at(2013, 2), days=365), "ne", "before Ballot 105"),
    Case("tls_subordinate_ca_name_constraints_complete",
         _constrained([DNS]).but(eku=(EKU.CLIENT_AUTH, EKU.EMAIL_PROTECTION)), "na", "non-TLS"),
    Case("tls_subordinate_ca_name_constraints_complete", SUB_CA, "na", "no nameConstraints"),
]  # fmt: skip

# -- BR 2.0 7.1.2.3: non-TLS subordinate CAs -------------------------------------------------------

NON_TLS_CA = SUB_CA.but(eku=(EKU.CLIENT_AUTH, EKU.EMAIL_PROTECTION), policies=("1.3.6.1.4.1.99.1",))

NON_TLS_CASES = [
    Case("non_tls_ca_eku_ocsp_signing_absent", NON_TLS_CA, "pass"),
    Case("non_tls_ca_eku_ocsp_signing_absent",
         NON_TLS_CA.but(eku=(EKU.CLIENT_AUTH, EKU.OCSP_SIGNING)), "error"),
    Case("non_tls_ca_eku_ocsp_signing_absent",
         NON_TLS_CA.but(eku=(EKU.OCSP_SIGNING,)), "error", "an OCSP responder with cA true"),
    Case("non_tls_ca_eku_ocsp_signing_absent",
         NON_TLS_CA.but(eku=(EKU.OCSP_SIGNING,), not_before=at(2022)), "ne"),
    Case("non_tls_ca_eku_ocsp_signing_absent",
         SUB_CA.but(eku=(EKU.SERVER_AUTH, EKU.OCSP_SIGNING)), "na", "TLS CA: its own lint"),
    Case("non_tls_ca_eku_ocsp_signing_absent", SUB_CA.but(eku=None), "na", "no EKU"),
    Case("non_tls_ca_reserved_policy_absent", NON_TLS_CA, "pass"),
    Case("non_tls_ca_reserved_policy_absent", NON_TLS_CA.but(policies=(OV,)), "error", "OV"),
    Case("non_tls_ca_reserved_policy_absent",
         NON_TLS_CA.but(policies=("1.3.6.1.4.1.99.1", EV)), "error", "EV"),
    Case("non_tls_ca_reserved_policy_absent", NON_TLS_CA.but(policies=(OV,), not_before=at(2022)),
         "ne"),
    Case("non_tls_ca_reserved_policy_absent", SUB_CA, "na", "TLS CA"),
    Case("non_tls_ca_reserved_policy_absent",
         SUB_CA.but(eku=(PRECERT_SIGNING,)), "na", "precertificate signing CA"),
    # The TLS subordinate CA's rule (exactly one reserved policy) gives way to this one.
    Case("subordinate_ca_one_reserved_policy", NON_TLS_CA, "na", "non-TLS CA needs none"),
    Case("subordinate_ca_one_reserved_policy", SUB_CA.but(policies=("1.3.6.1.4.1.99.1",)),
         "error", "TLS CA without a reserved policy"),
]  # fmt: skip

# -- BR 2.0 7.1.2.4: Precertificate Signing CAs ----------------------------------------------------

PRECERT_CA = SUB_CA.but(eku=(PRECERT_SIGNING,))  # 2025-06-01

PRECERT_CA_CASES = [
    Case("precertificate_signing_ca_eku_only", PRECERT_CA, "pass"),
    Case("precertificate_signing_ca_eku_only",
         PRECERT_CA.but(eku=(PRECERT_SIGNING, EKU.SERVER_AUTH)), "error", "serverAuth"),
    Case("precertificate_signing_ca_eku_only",
         PRECERT_CA.but(eku=(PRECERT_SIGNING, EKU.CODE_SIGNING)), "error", "codeSigning"),
    Case("precertificate_signing_ca_eku_only",
         PRECERT_CA.but(eku=(PRECERT_SIGNING, EKU.CODE_SIGNING), not_before=at(2022)), "ne"),
    Case("precertificate_signing_ca_eku_only", SUB_CA, "na", "TLS CA"),
    Case("precertificate_signing_ca_not_issued", PRECERT_CA.but(not_before=at(2026, 4)), "error"),
    Case("precertificate_signing_ca_not_issued", PRECERT_CA, "ne", "before SC-092"),
    Case("precertificate_signing_ca_not_issued", SUB_CA.but(not_before=at(2026, 4)), "pass",
         "TLS CA after SC-092"),
    Case("precertificate_signing_ca_not_issued", PRECERT_CA.but(not_before=at(2026, 4)).but(
        self_signed=True), "na", "root"),
]  # fmt: skip

# -- EVG 9.2.4: jurisdiction ----------------------------------------------------------------------

JC, JST, JL = (
    NameOID.JURISDICTION_COUNTRY_NAME,
    NameOID.JURISDICTION_STATE_OR_PROVINCE_NAME,
    NameOID.JURISDICTION_LOCALITY_NAME,
)


def ev_subject(*extra: tuple, jurisdiction_country: str | None = "US") -> x509.Name:
    pairs = [
        (C, "US"), (NameOID.STATE_OR_PROVINCE_NAME, "California"),
        (NameOID.LOCALITY_NAME, "San Francisco"), (O, "Example Inc."),
        (NameOID.BUSINESS_CATEGORY, "Private Organization"),
    ]  # fmt: skip
    if jurisdiction_country is not None:
        pairs.append((JC, jurisdiction_country))
    return name(*pairs, *extra, (NameOID.SERIAL_NUMBER, "C1234567"), (CN, "www.example.com"))


def ev(*extra: tuple, jurisdiction_country: str | None = "US") -> CertSpec:
    return EV_SPEC.but(subject=ev_subject(*extra, jurisdiction_country=jurisdiction_country))


JURISDICTION_CASES = [
    Case("ev_jurisdiction_country_is_iso_3166", EV_SPEC, "pass"),
    Case("ev_jurisdiction_country_is_iso_3166", ev(jurisdiction_country="UK"), "error", "UK"),
    Case("ev_jurisdiction_country_is_iso_3166", ev(jurisdiction_country="us"), "error", "case"),
    Case("ev_jurisdiction_country_is_iso_3166",
         ev(jurisdiction_country="UK").but(not_before=at(2007), days=365), "ne"),
    Case("ev_jurisdiction_country_is_iso_3166", ev(jurisdiction_country=None), "na"),
    Case("ev_jurisdiction_locality_requires_state",
         ev((JST, "California"), (JL, "San Francisco")), "pass"),
    Case("ev_jurisdiction_locality_requires_state", ev((JL, "San Francisco")), "error"),
    Case("ev_jurisdiction_locality_requires_state",
         ev((JL, "San Francisco")).but(not_before=at(2007), days=365), "ne"),
    Case("ev_jurisdiction_locality_requires_state", ev((JST, "California")), "na", "no locality"),
    Case("ev_jurisdiction_locality_requires_state", DV_SPEC, "na", "DV"),
]  # fmt: skip

# -- EVG 9.2.8: organizationIdentifier ------------------------------------------------------------

ORG_ID = "2.5.4.97"


def org_id(value: str) -> CertSpec:
    return ev((ORG_ID, value))


ORGANIZATION_IDENTIFIER_CASES = [
    Case("ev_organization_identifier_format", org_id("NTRGB-12345678"), "pass"),
    Case("ev_organization_identifier_format", org_id("PSDBE-NBB-1234.567.890"), "pass", "PSD"),
    Case("ev_organization_identifier_format", org_id("NTRGB12345678"), "error", "no hyphen"),
    Case("ev_organization_identifier_format", org_id("NTRGB-"), "error", "no reference"),
    Case("ev_organization_identifier_format", org_id("NTRGBR-1234"), "error", "3 letter country"),
    Case("ev_organization_identifier_format", org_id("NTRgb-1234"), "error", "lower case"),
    Case("ev_organization_identifier_format",
         org_id("NTRGB12345678").but(not_before=at(2019, 1)), "ne", "before SC17"),
    Case("ev_organization_identifier_format", EV_SPEC, "na", "no organizationIdentifier"),
    Case("ev_organization_identifier_country_is_iso_3166", org_id("NTRGB-12345678"), "pass"),
    Case("ev_organization_identifier_country_is_iso_3166", org_id("VATEL-123456789"), "pass",
         "EL for VAT"),
    Case("ev_organization_identifier_country_is_iso_3166", org_id("NTRZZ-1234"), "error", "ZZ"),
    Case("ev_organization_identifier_country_is_iso_3166", org_id("NTREL-1234"), "error",
         "EL outside VAT"),
    Case("ev_organization_identifier_country_is_iso_3166", org_id("NTRUK-1234"), "error", "UK"),
    Case("ev_organization_identifier_country_is_iso_3166",
         org_id("NTRZZ-1234").but(not_before=at(2019, 1)), "ne"),
    Case("ev_organization_identifier_state_only_for_ntr", org_id("NTRUS+CA-12345678"), "pass"),
    Case("ev_organization_identifier_state_only_for_ntr", org_id("VATDE+BY-123456789"), "error",
         "VAT"),
    Case("ev_organization_identifier_state_only_for_ntr", org_id("NTRUS+CAL-1234"), "error",
         "3 characters"),
    Case("ev_organization_identifier_state_only_for_ntr",
         org_id("VATDE+BY-123456789").but(not_before=at(2019, 1)), "ne"),
    Case("ev_organization_identifier_state_only_for_ntr", org_id("NTRGB-12345678"), "na",
         "no state"),
]  # fmt: skip

# -- EVG 9.7 (3): the CPS pointer of EV certificates ----------------------------------------------

EV_WITH_CPS = EV_SPEC.but(
    policies=None,
    extra_extensions=(
        (
            x509.CertificatePolicies(
                [x509.PolicyInformation(x509.ObjectIdentifier(EV), ["http://cps.example.com"])]
            ),
            False,
        ),
    ),
)

EV_POLICY_CASES = [
    Case("ev_cps_uri_qualifier_present", EV_WITH_CPS.but(not_before=at(2023, 6)), "pass"),
    Case("ev_cps_uri_qualifier_present", EV_SPEC.but(not_before=at(2023, 6)), "error"),
    Case("ev_cps_uri_qualifier_present", EV_SPEC, "ne", "after SC-72"),
    Case("ev_cps_uri_qualifier_present", EV_SPEC.but(not_before=at(2011), days=365), "ne",
         "before EVG 1.4"),
    Case("ev_cps_uri_qualifier_present", DV_SPEC.but(not_before=at(2023, 6)), "na", "DV"),
]  # fmt: skip

# -- RFC 3161 2.3: time-stamping certificates -----------------------------------------------------

TSA = DV_SPEC.but(
    subject=name((C, "US"), (O, "Example Inc."), (CN, "Example TSA")),
    dns_names=None, policies=None, eku=None,
    extra_extensions=((x509.ExtendedKeyUsage([EKU.TIME_STAMPING]), True),),
)  # fmt: skip
TSA_NOT_CRITICAL = TSA.but(extra_extensions=(), eku=(EKU.TIME_STAMPING,))
TSA_CODE_SIGNING = TSA.but(
    extra_extensions=((x509.ExtendedKeyUsage([EKU.TIME_STAMPING, EKU.CODE_SIGNING]), True),)
)

TIME_STAMPING_CASES = [
    Case("time_stamping_eku_critical", TSA, "pass"),
    Case("time_stamping_eku_critical", TSA_NOT_CRITICAL, "error"),
    Case("time_stamping_eku_critical", TSA_NOT_CRITICAL.but(not_before=at(2000), days=365), "ne"),
    Case("time_stamping_eku_critical", DV_SPEC, "na", "no timeStamping"),
    Case("time_stamping_eku_critical", SUB_CA.but(eku=(EKU.TIME_STAMPING,)), "na", "CA"),
    Case("time_stamping_eku_only", TSA, "pass"),
    Case("time_stamping_eku_only", TSA_NOT_CRITICAL, "pass", "criticality is the other lint's"),
    Case("time_stamping_eku_only", TSA_CODE_SIGNING, "error"),
    Case("time_stamping_eku_only", DV_SPEC.but(eku=(EKU.SERVER_AUTH, EKU.TIME_STAMPING)), "error",
         "TLS certificate claiming time-stamping"),
    Case("time_stamping_eku_only", TSA_CODE_SIGNING.but(not_before=at(2000), days=365), "ne"),
]  # fmt: skip

# -- the carve-outs: the RFC rule gives way where the BRs govern, and holds elsewhere -------------

NC_NOT_CRITICAL = ((x509.NameConstraints([DNS], None), False),)
CLIENT_ONLY = DV_SPEC.but(
    subject=name((C, "US"), (O, "Example Inc."), (CN, "Example Client")),
    eku=(EKU.CLIENT_AUTH,), policies=None,
)  # fmt: skip
IN_SC12_WINDOW = {"not_before": at(2019, 1, 15), "days": 30}

CARVE_OUT_CASES = [
    # BR 7.1.2.2(f) / 2.0 7.1.2.10.8: non-critical nameConstraints in a subordinate CA
    Case("name_constraints_critical", SUB_CA.but(extra_extensions=NC_NOT_CRITICAL), "na",
         "BR: subordinate CA"),
    Case("subordinate_ca_name_constraints_critical", SUB_CA.but(extra_extensions=NC_NOT_CRITICAL),
         "warn", "the BR rule judges it"),
    Case("name_constraints_critical", ROOT.but(extra_extensions=NC_NOT_CRITICAL), "error",
         "root: outside the permission"),
    Case("name_constraints_critical",
         SUB_CA.but(extra_extensions=NC_NOT_CRITICAL, not_before=at(2011), days=365), "error",
         "before the BRs"),
    # BR 2.0 7.1.2.7.6: subjectKeyIdentifier NOT RECOMMENDED in subscriber certificates
    Case("end_entity_subject_key_identifier_present", DV_SPEC, "na", "BR 2.0 subscriber"),
    Case("subscriber_subject_key_identifier_not_recommended", DV_SPEC.but(subject_key_id=True),
         "warn", "the BR rule judges it"),
    Case("end_entity_subject_key_identifier_present", DV_SPEC.but(not_before=at(2022)), "warn",
         "before BR 2.0"),
    Case("end_entity_subject_key_identifier_present", CLIENT_ONLY, "warn", "not TLS"),
    Case("end_entity_subject_key_identifier_present", CLIENT_ONLY.but(subject_key_id=True),
         "pass", "not TLS"),
    # BR 1.6.2 7.1.4.2.1 (Ballot SC12): underscores until 2019-04-01
    Case("dns_name_subdomain_label_no_underscore",
         DV_SPEC.but(dns_names=("a_b.example.com",), **IN_SC12_WINDOW), "na", "SC12 window"),
    Case("dns_name_registrable_label_no_underscore",
         DV_SPEC.but(dns_names=("ex_ample.com",), **IN_SC12_WINDOW), "na", "SC12 window"),
    Case("dns_name_subdomain_label_no_underscore",
         DV_SPEC.but(dns_names=("a_b.example.com",), not_before=at(2018, 6), days=30), "warn",
         "before SC12"),
    Case("dns_name_registrable_label_no_underscore",
         DV_SPEC.but(dns_names=("ex_ample.com",), not_before=at(2019, 5), days=30), "error",
         "after the window"),
    Case("dns_name_subdomain_label_no_underscore",
         CLIENT_ONLY.but(dns_names=("a_b.example.com",), **IN_SC12_WINDOW), "warn", "not TLS"),
]  # fmt: skip

CASES = (
    ROOT_CASES + TC_CASES + NON_TLS_CASES + PRECERT_CA_CASES + JURISDICTION_CASES
    + ORGANIZATION_IDENTIFIER_CASES + EV_POLICY_CASES + TIME_STAMPING_CASES + CARVE_OUT_CASES
)  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)


def test_every_lint_here_has_failing_and_passing_case() -> None:
    ours = {x.name for x in engine().catalogue if x.check.__module__ in MODULES}
    assert len(ours) == 16, sorted(ours)
    covered = {c.lint for c in CASES}
    assert ours <= covered, f"lints without golden cases: {sorted(ours - covered)}"
    for lint_name in ours:
        statuses = {c.expected for c in CASES if c.lint == lint_name}
        assert "pass" in statuses, lint_name
        assert statuses & {"info", "notice", "warn", "error"}, lint_name


def test_every_carve_out_is_declared_by_the_lints_it_names() -> None:
    """Each entry of the table is in force where it says (its RFC lints name it in `when`),
    gives way to BR lints that exist and apply to the profiles it covers, and no RFC lint names
    a carve-out the table does not hold."""
    catalogue = engine().catalogue.by_name
    for carve_out in br_carve_outs.CARVE_OUTS:
        assert carve_out.profiles <= profiles.TLS_HIERARCHY, carve_out
        assert carve_out.until is None or carve_out.until > carve_out.since
        for name_ in carve_out.rfc_lints:
            rfc = catalogue[name_]
            assert rfc.source == "rfc5280", name_
            assert getattr(rfc.when, "carve_out", None) is carve_out, name_
        for name_ in carve_out.governed_by:
            br = catalogue[name_]
            assert br.source == "cabf_br", name_
            assert carve_out.profiles <= br.applies_to, (name_, carve_out)
    declared = {x.name: getattr(x.when, "carve_out", None) for x in catalogue.values() if x.when}
    named = {n for n, c in declared.items() if c is not None}
    assert named == {n for c in br_carve_outs.CARVE_OUTS for n in c.rfc_lints}
    assert all(declared[n] in br_carve_outs.CARVE_OUTS for n in named)
