"""CS BR 6.3.2 (1.x: 9.4): how long Code Signing and Timestamp Certificates may be valid.

39 months for Code Signing Certificates (EV or not) issued before 2026-03-01, 460 days from
then (Ballot CSC-31); 135 months for Timestamp Certificates throughout. Months are calendar
months from notBefore, as the TLS 39-month rule measures them (cabf_br/validity.py); the 460 days
are the CS BR's Validity Period, notBefore to notAfter inclusive.
"""

from __future__ import annotations

from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br.validity import DAY, add_months, describe
from audit.lints.cabf_cs._shared import CODE_SIGNING, TIME_STAMPING


def _at_most_months(cert: CertView, months: int) -> Outcome:
    limit = add_months(cert.not_before, months)
    if cert.not_after > limit:
        return fail(
            f"notAfter {cert.not_after:%Y-%m-%d %H:%M:%S} is later than notBefore + {months} "
            f"months ({limit:%Y-%m-%d %H:%M:%S})"
        )
    return PASS


@lint(
    name="cs_validity_at_most_39_months",
    description="A Code Signing Certificate (EV or not) issued before 2026-03-01 is valid for "
    "no more than 39 months.",
    citation="CS BR 6.3.2; CS BR 1.2 9.4",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=CODE_SIGNING,
    effective=dates.CS_BR_1_2,
    ineffective=dates.CS_460_DAYS,
    zlint=("e_cs_max_validity_period_39_months",),
)
def validity_at_most_39_months(cert: CertView) -> Outcome:
    return _at_most_months(cert, 39)


@lint(
    name="cs_validity_at_most_460_days",
    description="A Code Signing Certificate (EV or not) issued from 2026-03-01 is valid for no "
    "more than 460 days.",
    citation="CS BR 6.3.2 (Ballot CSC-31, CS BR 3.10)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=CODE_SIGNING,
    effective=dates.CS_460_DAYS,
    zlint=("e_cs_max_validity_period_460_days",),
)
def validity_at_most_460_days(cert: CertView) -> Outcome:
    seconds = cert.validity_seconds
    if seconds > 460 * DAY:
        return fail(f"validity period is {describe(seconds)}, more than 460 days")
    return PASS


@lint(
    name="cs_timestamp_validity_at_most_135_months",
    description="A Timestamp Certificate is valid for no more than 135 months.",
    citation="CS BR 6.3.2; CS BR 1.2 9.4",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=TIME_STAMPING,
    effective=dates.CS_BR_1_2,
)
def timestamp_validity_at_most_135_months(cert: CertView) -> Outcome:
    return _at_most_months(cert, 135)
