"""S/MIME BR 6.3.2: the maximum Validity Period of subscriber certificates, by generation.

"A day is measured as 86,400 seconds. Any amount of time greater than this ... SHALL represent
an additional day": the period is RFC 5280's, notBefore through notAfter inclusive
(`CertView.validity_seconds`), so 825 days and one second is 826 days.
"""

from __future__ import annotations

from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br.validity import DAY, describe
from audit.lints.cabf_smime._shared import LEGACY, NOT_LEGACY, SMIME_BR, generation

MAXIMUM_DAYS = {"strict": 825, "multipurpose": 825, "legacy": 1185}


def _at_most(cert: CertView, days: int) -> Outcome:
    seconds = cert.validity_seconds
    if seconds > days * DAY:
        return fail(f"validity period is {describe(seconds)}, more than {days} days")
    return PASS


@lint(
    name="smime_validity_at_most_825_days",
    description="A Strict or Multipurpose Generation S/MIME certificate has a Validity Period "
    "(notBefore through notAfter inclusive) of no more than 825 days.",
    citation="S/MIME BR 6.3.2 (table)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=NOT_LEGACY,
    effective=dates.SMIME_BR_1_0_0,
)
def validity_at_most_825_days(cert: CertView) -> Outcome:
    return _at_most(cert, 825)


@lint(
    name="smime_legacy_validity_at_most_1185_days",
    description="A Legacy Generation S/MIME certificate has a Validity Period of no more than "
    "1185 days.",
    citation="S/MIME BR 6.3.2 (table)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=LEGACY,
    effective=dates.SMIME_BR_1_0_0,
)
def legacy_validity_at_most_1185_days(cert: CertView) -> Outcome:
    return _at_most(cert, 1185)


@lint(
    name="smime_validity_below_maximum",
    description="An S/MIME certificate SHOULD NOT be issued for the maximum permissible time "
    "(825 days, or 1185 for Legacy), to leave room for the day-counting rule: its Validity "
    "Period ends within the day before the maximum.",
    citation="S/MIME BR 6.3.2",
    source=Source.CABF_SMIME,
    severity=Status.WARN,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
)
def validity_below_maximum(cert: CertView) -> Outcome:
    days = MAXIMUM_DAYS[generation(cert.profile)]
    seconds = cert.validity_seconds
    if (days - 1) * DAY < seconds <= days * DAY:
        return fail(f"validity period is {describe(seconds)}: the maximum of {days} days")
    return PASS
