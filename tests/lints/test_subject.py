from datetime import UTC, datetime

import pytest
from audit.sample_db.certbuilder import DV_SPEC, OV, OV_SPEC, name
from cryptography.x509.oid import NameOID

from tests.lints.golden import Case, check_case

NO_LOCALITY = name(
    (NameOID.COUNTRY_NAME, "JP"),
    (NameOID.ORGANIZATION_NAME, "Example K.K."),
    (NameOID.COMMON_NAME, "www.example.com"),
)
WITH_OU = name(
    (NameOID.COUNTRY_NAME, "US"), (NameOID.STATE_OR_PROVINCE_NAME, "CA"), (NameOID.ORGANIZATION_NAME, "Example"),
    (NameOID.ORGANIZATIONAL_UNIT_NAME, "IT"), (NameOID.COMMON_NAME, "www.example.com"),
)  # fmt: skip

CASES = [
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
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)
