from datetime import UTC, datetime

import pytest
from cryptography.x509.oid import NameOID

from audit.sample_db.certbuilder import DV_SPEC, IV, OV, OV_SPEC, name
from tests.lints.golden import Case, check_case


def at(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


C, ST, L, O, OU, CN = (  # noqa: E741 - X.520 short names
    NameOID.COUNTRY_NAME, NameOID.STATE_OR_PROVINCE_NAME, NameOID.LOCALITY_NAME,
    NameOID.ORGANIZATION_NAME, NameOID.ORGANIZATIONAL_UNIT_NAME, NameOID.COMMON_NAME,
)  # fmt: skip
GN, SN, STREET = NameOID.GIVEN_NAME, NameOID.SURNAME, NameOID.STREET_ADDRESS

NO_LOCALITY = name((C, "JP"), (O, "Example K.K."), (CN, "www.example.com"))
WITH_OU = name(
    (C, "US"), (ST, "CA"), (O, "Example"), (OU, "IT"), (CN, "www.example.com"),
)  # fmt: skip


def ov_subject(country: str | None = "US", *more: tuple) -> object:
    pairs = [(ST, "California"), (L, "San Francisco"), (O, "Example Inc."), *more]
    if country is not None:
        pairs.insert(0, (C, country))
    return name(*pairs, (CN, "www.example.com"))


OLD = {"not_before": at(2011), "days": 365}  # before BR 1.0
IV_GN_ONLY = name((C, "US"), (GN, "Alice"), (SN, "Smith"), (CN, "www.example.com"))
IV_SPEC = DV_SPEC.but(subject=IV_GN_ONLY, policies=(IV,))

CASES = [
    # -- O => L or ST -------------------------------------------------------------------------
    Case("subject_organization_requires_locality_or_state", OV_SPEC, "pass"),
    Case(
        "subject_organization_requires_locality_or_state",
        OV_SPEC.but(subject=NO_LOCALITY),
        "error",
        "no L or ST",
    ),
    Case(
        "subject_organization_requires_locality_or_state",
        OV_SPEC.but(subject=NO_LOCALITY, not_before=datetime(2016, 2, 3, tzinfo=UTC), days=730),
        "error",
        "2016, as in the incident",
    ),  # fmt: skip
    Case(
        "subject_organization_requires_locality_or_state",
        OV_SPEC.but(subject=NO_LOCALITY, not_before=datetime(2011, 1, 1, tzinfo=UTC)),
        "ne",
        "before BR 1.0",
    ),  # fmt: skip
    Case("subject_organization_requires_locality_or_state", DV_SPEC, "pass", "DV without O"),
    Case("subject_organization_requires_locality_or_state", IV_SPEC, "error", "givenName, no L/ST"),
    Case(
        "subject_organization_requires_locality_or_state",
        IV_SPEC.but(not_before=at(2016, 1, 5), days=365),
        "pass",
        "givenName before Ballot 175",
    ),
    # -- OU -----------------------------------------------------------------------------------
    Case(
        "subject_organizational_unit_prohibited",
        OV_SPEC.but(subject=WITH_OU, policies=(OV,)),
        "error",
    ),
    Case("subject_organizational_unit_prohibited", OV_SPEC, "pass"),
    Case(
        "subject_organizational_unit_prohibited",
        OV_SPEC.but(subject=WITH_OU, not_before=datetime(2022, 1, 1, tzinfo=UTC)),
        "ne",
    ),
    # -- countryName is ISO 3166-1 alpha-2 -----------------------------------------------------
    Case("subject_country_is_iso_3166", OV_SPEC, "pass"),
    Case("subject_country_is_iso_3166", OV_SPEC.but(subject=ov_subject("XX")), "pass", "XX"),
    Case("subject_country_is_iso_3166", OV_SPEC.but(subject=ov_subject("UK")), "error", "UK"),
    Case("subject_country_is_iso_3166", OV_SPEC.but(subject=ov_subject("us")), "error", "lower"),
    Case("subject_country_is_iso_3166", OV_SPEC.but(subject=ov_subject("UK"), **OLD), "ne", "2011"),
    Case("subject_country_is_iso_3166", DV_SPEC, "na", "no countryName"),
    # -- countryName with O -------------------------------------------------------------------
    Case("subject_country_required_with_organization", OV_SPEC, "pass"),
    Case(
        "subject_country_required_with_organization",
        OV_SPEC.but(subject=ov_subject(None)),
        "error",
        "O without C",
    ),
    Case(
        "subject_country_required_with_organization",
        IV_SPEC.but(
            subject=name((GN, "Alice"), (SN, "Smith"), (L, "Paris"), (CN, "www.example.com"))
        ),
        "error",
        "givenName without C",
    ),  # fmt: skip
    Case("subject_country_required_with_organization", DV_SPEC, "na", "no O"),
    Case(
        "subject_country_required_with_organization",
        OV_SPEC.but(subject=ov_subject(None), **OLD),
        "ne",
    ),
    # -- address attributes need O ------------------------------------------------------------
    Case("subject_address_requires_organization", OV_SPEC, "pass"),
    Case("subject_address_requires_organization", DV_SPEC, "pass", "DV, no address"),
    Case(
        "subject_address_requires_organization",
        DV_SPEC.but(subject=name((C, "US"), (L, "Springfield"), (CN, "www.example.com"))),
        "error",
        "L without O",
    ),
    Case(
        "subject_address_requires_organization",
        DV_SPEC.but(subject=name((C, "US"), (STREET, "1 Main St"), (CN, "www.example.com"))),
        "error",
        "street without O",
    ),
    Case(
        "subject_address_requires_organization",
        IV_SPEC.but(
            subject=name((C, "US"), (GN, "Alice"), (ST, "Oregon"), (CN, "www.example.com"))
        ),
        "pass",
        "ST with givenName",
    ),  # fmt: skip
    Case(
        "subject_address_requires_organization",
        DV_SPEC.but(subject=name((C, "US"), (L, "Springfield"), (CN, "www.example.com")), **OLD),
        "ne",
    ),
    # -- commonName among the SAN values (BR 1.0 to 1.7) ---------------------------------------
    Case(
        "subject_common_name_in_san",
        DV_SPEC.but(subject=name((CN, "WWW.Example.com")), not_before=at(2020)),
        "pass",
        "case differs",
    ),
    Case(
        "subject_common_name_in_san",
        DV_SPEC.but(subject=name((CN, "mail.example.com")), not_before=at(2020)),
        "error",
        "CN not in SAN",
    ),
    Case(
        "subject_common_name_in_san",
        DV_SPEC.but(
            subject=name((CN, "2001:db8:0:0:1:0:0:1")),
            ip_addresses=("2001:db8::1:0:0:1",),
            not_before=at(2020),
        ),
        "pass",
        "IPv6 written out",
    ),  # fmt: skip
    Case(
        "subject_common_name_in_san",
        DV_SPEC.but(subject=name((CN, "mail.example.com"))),
        "ne",
        "after BR 1.8.0",
    ),
    Case("subject_common_name_in_san", DV_SPEC.but(subject=name((C, "US"))), "na", "no CN"),
    # -- commonName copied from SAN (BR 1.8.0 on) ---------------------------------------------
    Case("subject_common_name_copied_from_san", DV_SPEC, "pass"),
    Case(
        "subject_common_name_copied_from_san",
        DV_SPEC.but(subject=name((CN, "WWW.example.com"))),
        "error",
        "case differs",
    ),
    Case(
        "subject_common_name_copied_from_san",
        DV_SPEC.but(subject=name((CN, "2001:db8::1:0:0:1")), ip_addresses=("2001:db8::1:0:0:1",)),
        "pass",
        "IPv6 RFC 5952",
    ),
    Case(
        "subject_common_name_copied_from_san",
        DV_SPEC.but(
            subject=name((CN, "2001:db8:0:0:1:0:0:1")), ip_addresses=("2001:db8::1:0:0:1",)
        ),
        "error",
        "IPv6 not RFC 5952",
    ),
    Case(
        "subject_common_name_copied_from_san",
        DV_SPEC.but(subject=name((CN, "WWW.example.com")), not_before=at(2021, 6)),
        "ne",
    ),
    # -- commonName not internal / reserved ---------------------------------------------------
    Case("subject_common_name_not_internal", DV_SPEC, "pass"),
    Case(
        "subject_common_name_not_internal",
        DV_SPEC.but(subject=name((CN, "localhost")), dns_names=("localhost",)),
        "error",
        "single label",
    ),
    Case(
        "subject_common_name_not_internal",
        DV_SPEC.but(subject=name((CN, "10.1.2.3")), dns_names=None, ip_addresses=("10.1.2.3",)),
        "error",
        "private IP",
    ),
    Case(
        "subject_common_name_not_internal",
        DV_SPEC.but(
            subject=name((CN, "server.corp")),
            dns_names=("server.corp",),
            not_before=at(2014, 9),
            days=450,
        ),
        "error",
        "2014, expiring after the sunset",
    ),
    Case(
        "subject_common_name_not_internal",
        DV_SPEC.but(
            subject=name((CN, "server.corp")),
            dns_names=("server.corp",),
            not_before=at(2014, 9),
            days=300,
        ),
        "ne",
        "2014, expiring before the sunset",
    ),
    Case(
        "subject_common_name_not_internal",
        DV_SPEC.but(subject=name((CN, "Example Corp"))),
        "pass",
        "not a host name",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)
