"""Golden cases for the validity lints: the BR 6.3.2 ladder, EVG 9.4 and RFC 5280 4.1.2.5.

CertSpec's `days` is the inclusive validity (notAfter = notBefore + days - 1 second), so
`days=N` is exactly N BR days and `days=N + SECOND` is N days and one second. For the rungs
before 2020-09-01, measured as notAfter - notBefore, `N + SECOND` is exactly N days.
"""

from datetime import UTC, datetime

import pytest
from asn1crypto import x509 as asn1_x509

from audit.lints.cabf_br.validity import add_months
from audit.sample_db.certbuilder import DV_SPEC, EV_SPEC, SUBORDINATE_CA_SPEC, CertSpec, der
from tests.lints.golden import Case, check_case

SECOND = 1 / 86400


def _at(year: int, month: int, day: int = 1, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def months(start: datetime, count: int) -> float:
    """Days from `start` to `start` + `count` calendar months, as CertSpec `days` that make
    notAfter - notBefore exactly that long."""
    return (add_months(start, count) - start).total_seconds() / 86400 + SECOND


def patched(spec: CertSpec, mutate) -> bytes:
    """The certificate `spec` describes with its TBS changed by `mutate` (the signature no
    longer verifies; no lint checks it)."""
    cert = asn1_x509.Certificate.load(der(spec))
    mutate(cert["tbs_certificate"])
    return cert.dump(force=True)


def _generalized(field: str, moment: datetime):
    def mutate(tbs) -> None:
        tbs["validity"][field] = asn1_x509.Time({"general_time": moment})

    return mutate


NB_2013, NB_2015_EXC, NB_2017 = _at(2013, 1, 1), _at(2015, 6, 1), _at(2017, 1, 1)
NB_2019, NB_2021 = _at(2019, 1, 1), _at(2021, 1, 1)
NB_200, NB_100, NB_47 = _at(2026, 6, 1), _at(2027, 6, 1), _at(2029, 6, 1)

CASES = [
    # 60 months (BR 1.0 to 1 April 2015)
    Case("subscriber_validity_at_most_60_months",
         DV_SPEC.but(not_before=NB_2013, days=months(NB_2013, 60)), "pass", "exactly 60 months"),
    Case("subscriber_validity_at_most_60_months",
         DV_SPEC.but(not_before=NB_2013, days=months(NB_2013, 60) + SECOND), "error", "60 months 1s"),
    Case("subscriber_validity_at_most_60_months",
         DV_SPEC.but(not_before=_at(2011, 1, 1), days=3650), "ne", "before BR 1.0"),
    Case("subscriber_validity_at_most_60_months",
         DV_SPEC.but(not_before=_at(2015, 4, 2), days=1800), "ne", "39-month rung"),
    Case("subscriber_validity_at_most_60_months",
         SUBORDINATE_CA_SPEC.but(not_before=NB_2013, days=3650), "na", "CA certificate"),
    # 39 months (after 1 April 2015), with the legacy exception until 30 June 2016
    Case("subscriber_validity_at_most_39_months",
         DV_SPEC.but(not_before=NB_2017, days=months(NB_2017, 39)), "pass", "exactly 39 months"),
    Case("subscriber_validity_at_most_39_months",
         DV_SPEC.but(not_before=NB_2017, days=months(NB_2017, 39) + SECOND), "error", "39 months 1s"),
    Case("subscriber_validity_at_most_39_months",
         DV_SPEC.but(not_before=NB_2015_EXC, days=months(NB_2015_EXC, 50)), "warn",
         "legacy exception window"),
    Case("subscriber_validity_at_most_39_months",
         DV_SPEC.but(not_before=NB_2015_EXC, days=months(NB_2015_EXC, 61)), "error",
         "over 60 months in the exception window"),
    Case("subscriber_validity_at_most_39_months",
         DV_SPEC.but(not_before=_at(2016, 7, 1), days=months(_at(2016, 7, 1), 50)), "error",
         "after the exceptions ended"),
    Case("subscriber_validity_at_most_39_months",
         DV_SPEC.but(not_before=_at(2015, 4, 1, 12), days=1500), "ne", "issued on 1 April 2015"),
    Case("subscriber_validity_at_most_39_months",
         DV_SPEC.but(not_before=_at(2018, 3, 1, 12), days=1000), "pass",
         "1 March 2018 is held to 39 months"),
    # 825 days (after 1 March 2018), measured notAfter - notBefore
    Case("subscriber_validity_at_most_825_days",
         DV_SPEC.but(not_before=NB_2019, days=825 + SECOND), "pass", "exactly 825 days"),
    Case("subscriber_validity_at_most_825_days",
         DV_SPEC.but(not_before=NB_2019, days=825 + 2 * SECOND), "error", "825 days 1s"),
    Case("subscriber_validity_at_most_825_days",
         DV_SPEC.but(not_before=_at(2018, 3, 1, 12), days=1000), "ne", "issued on 1 March 2018"),
    Case("subscriber_validity_at_most_825_days",
         DV_SPEC.but(not_before=_at(2020, 9, 1), days=900), "ne", "398-day rung"),
    # 398 / 397 days (2020-09-01), inclusive
    Case("subscriber_validity_at_most_398_days", DV_SPEC.but(not_before=NB_2021, days=398),
         "pass", "exactly 398 days"),
    Case("subscriber_validity_at_most_398_days",
         DV_SPEC.but(not_before=NB_2021, days=398 + SECOND), "error", "398 days 1s"),
    Case("subscriber_validity_at_most_398_days",
         DV_SPEC.but(not_before=_at(2020, 8, 31), days=800), "ne", "825-day rung"),
    Case("subscriber_validity_at_most_398_days", DV_SPEC.but(not_before=NB_200, days=398),
         "ne", "200-day rung"),
    Case("subscriber_validity_at_most_397_days_recommended",
         DV_SPEC.but(not_before=NB_2021, days=397), "pass"),
    Case("subscriber_validity_at_most_397_days_recommended",
         DV_SPEC.but(not_before=NB_2021, days=398), "warn"),
    Case("subscriber_validity_at_most_397_days_recommended",
         DV_SPEC.but(not_before=_at(2020, 8, 1), days=398), "ne"),
    # 200 / 199 days (2026-03-15)
    Case("subscriber_validity_at_most_200_days", DV_SPEC.but(not_before=NB_200, days=200), "pass"),
    Case("subscriber_validity_at_most_200_days",
         DV_SPEC.but(not_before=NB_200, days=200 + SECOND), "error"),
    Case("subscriber_validity_at_most_200_days",
         DV_SPEC.but(not_before=_at(2026, 3, 14), days=398), "ne", "day before"),
    Case("subscriber_validity_at_most_200_days",
         DV_SPEC.but(not_before=_at(2026, 3, 15), days=201), "error", "on the day"),
    Case("subscriber_validity_below_200_days_recommended",
         DV_SPEC.but(not_before=NB_200, days=199), "pass"),
    Case("subscriber_validity_below_200_days_recommended",
         DV_SPEC.but(not_before=NB_200, days=200), "warn"),
    Case("subscriber_validity_below_200_days_recommended",
         DV_SPEC.but(not_before=NB_100, days=200), "ne"),
    # 100 / 99 days (2027-03-15)
    Case("subscriber_validity_at_most_100_days", DV_SPEC.but(not_before=NB_100, days=100), "pass"),
    Case("subscriber_validity_at_most_100_days",
         DV_SPEC.but(not_before=NB_100, days=100 + SECOND), "error"),
    Case("subscriber_validity_at_most_100_days", DV_SPEC.but(not_before=NB_200, days=150), "ne"),
    Case("subscriber_validity_below_100_days_recommended",
         DV_SPEC.but(not_before=NB_100, days=99), "pass"),
    Case("subscriber_validity_below_100_days_recommended",
         DV_SPEC.but(not_before=NB_100, days=100), "warn"),
    Case("subscriber_validity_below_100_days_recommended",
         DV_SPEC.but(not_before=NB_47, days=100), "ne"),
    # 47 / 46 days (2029-03-15)
    Case("subscriber_validity_at_most_47_days", DV_SPEC.but(not_before=NB_47, days=47), "pass"),
    Case("subscriber_validity_at_most_47_days",
         DV_SPEC.but(not_before=NB_47, days=47 + SECOND), "error"),
    Case("subscriber_validity_at_most_47_days", DV_SPEC.but(not_before=NB_100, days=90), "ne"),
    Case("subscriber_validity_at_most_47_days",
         DV_SPEC.but(not_before=NB_47, days=90, precertificate=True), "error", "precertificate"),
    Case("subscriber_validity_below_47_days_recommended",
         DV_SPEC.but(not_before=NB_47, days=46), "pass"),
    Case("subscriber_validity_below_47_days_recommended",
         DV_SPEC.but(not_before=NB_47, days=47), "warn"),
    Case("subscriber_validity_below_47_days_recommended",
         DV_SPEC.but(not_before=NB_100, days=47), "ne"),
    # EV Guidelines 9.4
    Case("ev_validity_at_most_27_months",
         EV_SPEC.but(not_before=_at(2016, 1, 1), days=months(_at(2016, 1, 1), 27)), "pass"),
    Case("ev_validity_at_most_27_months",
         EV_SPEC.but(not_before=_at(2016, 1, 1), days=months(_at(2016, 1, 1), 27) + SECOND),
         "error"),
    Case("ev_validity_at_most_27_months", EV_SPEC.but(not_before=_at(2017, 4, 1), days=825),
         "ne", "after Ballot 193"),
    Case("ev_validity_at_most_27_months", DV_SPEC.but(not_before=_at(2016, 1, 1), days=900),
         "na", "not EV"),
    Case("ev_validity_at_most_825_days", EV_SPEC.but(not_before=_at(2017, 6, 1), days=825 + SECOND),
         "pass"),
    Case("ev_validity_at_most_825_days", EV_SPEC.but(not_before=_at(2017, 6, 1), days=826),
         "error"),
    Case("ev_validity_at_most_825_days", EV_SPEC.but(not_before=_at(2020, 9, 2), days=826),
         "ne", "BR 398-day rung"),
    # RFC 5280 4.1.2.5
    Case("validity_period_not_negative", DV_SPEC, "pass"),
    Case("validity_period_not_negative", DV_SPEC.but(days=SECOND), "pass", "one second"),
    Case("validity_period_not_negative",
         patched(DV_SPEC, _generalized("not_after", _at(2024, 1, 1))), "error"),
    Case("validity_time_encoding_by_year", DV_SPEC, "pass", "UTCTime"),
    Case("validity_time_encoding_by_year",
         DV_SPEC.but(not_before=_at(2049, 6, 1), days=400), "pass", "builder switches at 2050"),
    Case("validity_time_encoding_by_year",
         patched(DV_SPEC, _generalized("not_after", _at(2030, 1, 1))), "error",
         "GeneralizedTime before 2050"),
    Case("validity_time_encoding_by_year",
         patched(DV_SPEC.but(not_before=_at(1998, 1, 1)), _generalized("not_after", _at(2049, 12, 31))),
         "ne", "before RFC 2459"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    check_case(case)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(_at(2017, 1, 31), 1) == _at(2017, 2, 28)
    assert add_months(_at(2016, 1, 31), 1) == _at(2016, 2, 29)
    assert add_months(_at(2015, 11, 30), 39) == _at(2019, 2, 28)
    assert add_months(_at(2017, 1, 1, 5), 27) == _at(2019, 4, 1, 5)
