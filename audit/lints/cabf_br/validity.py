"""BR 6.3.2 (and EVG 9.4): the maximum validity period of a subscriber certificate.

One lint per rung of the ladder, each effective from the notBefore its text names until the
next rung supersedes it, so a certificate is judged only by the limit in force when it was
issued:

    60 months (BR 1.0) -> 39 months (issued after 1 April 2015) -> 825 days (issued after
    1 March 2018) -> 398 days (2020-09-01) -> 200 days (2026-03-15) -> 100 days (2027-03-15)
    -> 47 days (2029-03-15)

How the period is measured follows the BR's own definition at the time:

* From 2020-09-01 (Ballot SC31) the Validity Period is RFC 5280's: notBefore through notAfter,
  inclusive, so a certificate lasts notAfter - notBefore + 1 second (`CertView.validity_seconds`),
  and "a day is measured as 86,400 seconds; any amount of time greater than this ... shall
  represent an additional day". 398 days and one second is 399 days.
* Before, the BR defined it as "the period of time measured from the date when the
  Certificate is issued until the Expiry Date": notAfter - notBefore. zlint measures those
  rungs the same way (its 825-day and 39-month vectors pass at exactly 825 days / 39 months).

Months are calendar months from notBefore; a day that does not exist in the target month
clamps to that month's last day (31 January + 1 month = 28/29 February), the reading that
never lets a certificate run longer than the text allows.
"""

from __future__ import annotations

import calendar
from datetime import datetime

from audit.engine import profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail, outcome
from audit.lints import dates

DAY = 86_400  # seconds: BR 6.3.2's day


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus calendar months, clamping the day to the target month's length."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def describe(seconds: int) -> str:
    """A period as BR days: '398 days and 1 second'."""
    days, rest = divmod(seconds, DAY)
    text = f"{days} day{'s' if days != 1 else ''}"
    if rest:
        text += f" and {rest} second{'s' if rest != 1 else ''}"
    return text


def _exclusive_seconds(cert: CertView) -> int:
    """The pre-SC31 Validity Period: notAfter - notBefore."""
    return int((cert.not_after - cert.not_before).total_seconds())


def _longer_than_months(cert: CertView, months: int) -> bool:
    return cert.not_after > add_months(cert.not_before, months)


def _later_than_months(cert: CertView, months: int) -> str:
    return (
        f"notAfter {cert.not_after:%Y-%m-%d %H:%M:%S} is later than notBefore + {months} months "
        f"({add_months(cert.not_before, months):%Y-%m-%d %H:%M:%S})"
    )


def _at_most_months(cert: CertView, months: int) -> Outcome:
    if _longer_than_months(cert, months):
        return fail(_later_than_months(cert, months))
    return PASS


def _at_most_825_days_exclusive(cert: CertView) -> Outcome:
    seconds = _exclusive_seconds(cert)
    if seconds > 825 * DAY:
        return fail(f"notAfter - notBefore is {describe(seconds)}, more than 825 days")
    return PASS


def _over_days_inclusive(cert: CertView, days: int, verb: str) -> Outcome:
    seconds = cert.validity_seconds
    if seconds > days * DAY:
        return fail(f"validity period is {describe(seconds)}; it {verb} exceed {days} days")
    return PASS


# -- the BR ladder ------------------------------------------------------------------------------


@lint(
    name="subscriber_validity_at_most_60_months",
    description="A subscriber certificate issued after the BR Effective Date has a Validity "
    "Period no greater than 60 months (notAfter no later than notBefore + 60 months). "
    "Superseded by the 39-month rule for certificates issued after 1 April 2015.",
    citation="BR 1.0 9.4; BR 1.3 6.3.2",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    ineffective=dates.BR_39_MONTHS,
)
def validity_at_most_60_months(cert: CertView) -> Outcome:
    return _at_most_months(cert, 60)


@lint(
    name="subscriber_validity_at_most_39_months",
    description="A subscriber certificate issued after 1 April 2015 and before the 825-day "
    "rule has a Validity Period no greater than 39 months. Until 30 June 2016 the BR let a CA "
    "issue up to 60 months for documented legacy systems, which one certificate cannot show: "
    "39 to 60 months issued in that window is a warning, over 60 an error. zlint starts its "
    "lint on 2016-07-02 and so does not see the 2015-2016 certificates. Certificates issued on "
    "1 March 2018 (neither 'prior to' nor 'after' that day in the BR text) are held to the "
    "more lenient 39 months.",
    citation="BR 1.3 6.3.2; BR 1.4.4 6.3.2 (Ballot 193)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_39_MONTHS,
    ineffective=dates.BR_825_DAYS_ISSUED_AFTER,
    zlint=("e_sub_cert_valid_time_longer_than_39_months",),
)
def validity_at_most_39_months(cert: CertView) -> Outcome:
    if not _longer_than_months(cert, 39):
        return PASS
    late = _later_than_months(cert, 39)
    if cert.judged_at < dates.BR_39_MONTHS_EXCEPTIONS_END and not _longer_than_months(cert, 60):
        return outcome(
            Status.WARN,
            f"{late}; allowed until 30 June 2016 only for a documented legacy system (BR 6.3.2)",
        )
    return fail(late)


@lint(
    name="subscriber_validity_at_most_825_days",
    description="A subscriber certificate issued after 1 March 2018 and before 1 September "
    "2020 has a Validity Period no greater than 825 days, measured as notAfter - notBefore "
    "as the BR then defined it. 'Issued after 1 March 2018' starts on 2 March, as zlint reads "
    "it too (dates.BR_825_DAYS names the day the text names).",
    citation="BR 1.4.4 6.3.2 (Ballot 193)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_825_DAYS_ISSUED_AFTER,
    ineffective=dates.BR_398_DAYS,
    zlint=("e_sub_cert_valid_time_longer_than_825_days",),
)
def validity_at_most_825_days(cert: CertView) -> Outcome:
    return _at_most_825_days_exclusive(cert)


@lint(
    name="subscriber_validity_at_most_398_days",
    description="A subscriber certificate issued on or after 2020-09-01 and before 2026-03-15 "
    "has a Validity Period (notBefore through notAfter inclusive) no greater than 398 days.",
    citation="BR 1.7.1 6.3.2 (Ballot SC31)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_398_DAYS,
    ineffective=dates.BR_200_DAYS,
    zlint=("e_tls_server_cert_valid_time_longer_than_398_days",),
)
def validity_at_most_398_days(cert: CertView) -> Outcome:
    return _over_days_inclusive(cert, 398, "MUST NOT")


@lint(
    name="subscriber_validity_at_most_397_days_recommended",
    description="A subscriber certificate issued on or after 2020-09-01 and before 2026-03-15 "
    "SHOULD NOT have a Validity Period greater than 397 days.",
    citation="BR 1.7.1 6.3.2 (Ballot SC31)",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_398_DAYS,
    ineffective=dates.BR_200_DAYS,
    zlint=("w_tls_server_cert_valid_time_longer_than_397_days",),
)
def validity_at_most_397_days(cert: CertView) -> Outcome:
    return _over_days_inclusive(cert, 397, "SHOULD NOT")


@lint(
    name="subscriber_validity_at_most_200_days",
    description="A subscriber certificate issued on or after 2026-03-15 and before 2027-03-15 "
    "has a Validity Period no greater than 200 days.",
    citation="BR 6.3.2 (Ballot SC-081)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_200_DAYS,
    ineffective=dates.BR_100_DAYS,
    zlint=("e_server_cert_valid_time_longer_than_200_days",),
)
def validity_at_most_200_days(cert: CertView) -> Outcome:
    return _over_days_inclusive(cert, 200, "MUST NOT")


@lint(
    name="subscriber_validity_below_200_days_recommended",
    description="A subscriber certificate issued on or after 2026-03-15 and before 2027-03-15 "
    "SHOULD NOT be issued for the maximum permissible 200 days (BR 6.3.2: any fraction of a "
    "day counts as a day), i.e. it is valid for 199 days or less.",
    citation="BR 6.3.2 (Ballot SC-081)",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_200_DAYS,
    ineffective=dates.BR_100_DAYS,
    zlint=("w_server_cert_valid_time_longer_than_199_days",),
)
def validity_below_200_days(cert: CertView) -> Outcome:
    return _over_days_inclusive(cert, 199, "SHOULD NOT")


@lint(
    name="subscriber_validity_at_most_100_days",
    description="A subscriber certificate issued on or after 2027-03-15 and before 2029-03-15 "
    "has a Validity Period no greater than 100 days.",
    citation="BR 6.3.2 (Ballot SC-081)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_100_DAYS,
    ineffective=dates.BR_47_DAYS,
    zlint=("e_server_cert_valid_time_longer_than_100_days",),
)
def validity_at_most_100_days(cert: CertView) -> Outcome:
    return _over_days_inclusive(cert, 100, "MUST NOT")


@lint(
    name="subscriber_validity_below_100_days_recommended",
    description="A subscriber certificate issued on or after 2027-03-15 and before 2029-03-15 "
    "SHOULD NOT be issued for the maximum permissible 100 days: 99 days or less.",
    citation="BR 6.3.2 (Ballot SC-081)",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_100_DAYS,
    ineffective=dates.BR_47_DAYS,
    zlint=("w_server_cert_valid_time_longer_than_99_days",),
)
def validity_below_100_days(cert: CertView) -> Outcome:
    return _over_days_inclusive(cert, 99, "SHOULD NOT")


@lint(
    name="subscriber_validity_at_most_47_days",
    description="A subscriber certificate issued on or after 2029-03-15 has a Validity Period "
    "no greater than 47 days.",
    citation="BR 6.3.2 (Ballot SC-081)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_47_DAYS,
    zlint=("e_server_cert_valid_time_longer_than_47_days",),
)
def validity_at_most_47_days(cert: CertView) -> Outcome:
    return _over_days_inclusive(cert, 47, "MUST NOT")


@lint(
    name="subscriber_validity_below_47_days_recommended",
    description="A subscriber certificate issued on or after 2029-03-15 SHOULD NOT be issued "
    "for the maximum permissible 47 days: 46 days or less.",
    citation="BR 6.3.2 (Ballot SC-081)",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_47_DAYS,
    zlint=("w_server_cert_valid_time_longer_than_46_days",),
)
def validity_below_47_days(cert: CertView) -> Outcome:
    return _over_days_inclusive(cert, 46, "SHOULD NOT")


# -- EV Guidelines 9.4 --------------------------------------------------------------------------
# Declared here, beside the BR ladder they shadow, with the EV Guidelines as their source. From
# 2020-09-01 EVG 9.4's limit is the BR's 398 days and the ladder above covers EV certificates.


@lint(
    name="ev_validity_at_most_27_months",
    description="An EV certificate issued before Ballot 193 took effect in the EV Guidelines "
    "(2017-03-17, EVG 1.6.2) has a validity period no greater than 27 months (notAfter no later "
    "than notBefore + 27 months). zlint keeps 27 months until 2018-03-02, the BR's 825-day "
    "date; the EVG's own revision table dates its 825 days from 2017-03-17.",
    citation="EVG 1.0 8(a); EVG 1.6.1 9.4",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_1_0,
    ineffective=dates.EV_BALLOT_193,
    zlint=("e_ev_valid_time_too_long",),
)
def ev_validity_at_most_27_months(cert: CertView) -> Outcome:
    return _at_most_months(cert, 27)


@lint(
    name="ev_validity_at_most_825_days",
    description="An EV certificate issued from 2017-03-17 (EVG 1.6.2, Ballot 193) until "
    "2020-09-01 has a validity period no greater than 825 days (notAfter - notBefore).",
    citation="EVG 1.6.2 9.4 (Ballot 193)",
    source=Source.CABF_EV,
    severity=Status.ERROR,
    applies=profiles.EV,
    effective=dates.EV_BALLOT_193,
    ineffective=dates.BR_398_DAYS,
    zlint=("e_ev_valid_time_too_long",),
)
def ev_validity_at_most_825_days(cert: CertView) -> Outcome:
    return _at_most_825_days_exclusive(cert)
