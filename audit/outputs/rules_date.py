"""Which rules certificates were judged by: those in force at each certificate's issuance (its
notBefore: the default), or those in force on one date (`--rules-as-of DATE`), for reviewing a
certificate profile before issuing with it, or asking which active certificates today's rules
would reject.

A run records the date in its request (partial.json), its plan and run.json as `rules_as_of`
(ISO 8601, UTC; null: at issuance). Two runs judged by different dates are not like for like: a
finding new in one may be a rule the other did not apply to that certificate, not a change in
the certificate; `unlike` says so, for `diff`, the report and `--baseline`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from audit.errors import InputError
from audit.outputs.runjson import parse_time

RULES_AS_OF = "rules_as_of"  # the key in partial.json, plan.json and run.json
AT_ISSUANCE = "the rules in force at each certificate's issuance"


def parse_rules_as_of(value: str | None, option: str = "--rules-as-of") -> datetime | None:
    """`now`, or an ISO 8601 date (its midnight UTC) or time (no zone: UTC); None when not
    given. InputError (exit 2) for anything else."""
    if value is None:
        return None
    if value.strip().lower() == "now":
        return datetime.now(UTC).replace(microsecond=0)
    parsed = parse_time(value.strip())
    if parsed is None:
        raise InputError(f"{option}: {value!r} is not an ISO 8601 date or time, nor `now`")
    return parsed


def to_json(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def from_json(value: Any, where: str) -> datetime | None:
    """The date recorded under `rules_as_of` (None: at issuance); InputError naming `where`
    when it is there but not a date."""
    if value is None:
        return None
    moment = parse_time(value)
    if moment is None:
        raise InputError(f"{where}: {RULES_AS_OF} {value!r} is not an ISO 8601 date or time")
    return moment


def show(moment: datetime) -> str:
    """A day alone when the date is a midnight (as given on the command line), else to the
    second: `2026-11-01`, `2026-11-01 09:30:00Z`."""
    moment = moment.astimezone(UTC)
    if (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0):
        return f"{moment:%Y-%m-%d}"
    return f"{moment:%Y-%m-%d %H:%M:%S}Z"


def headline(moment: datetime) -> str:
    """What a report, `run` and `lint` say when certificates were judged by one date's rules."""
    return f"Judged by the rules in force on {show(moment)}, not at each certificate's issuance"


def judged_by(meta: dict[str, Any]) -> str:
    """The rules a run (its run.json) judged by, in words."""
    value = meta.get(RULES_AS_OF)
    if value is None:
        return AT_ISSUANCE
    moment = parse_time(value)
    return f"the rules in force on {show(moment) if moment else repr(value)}"


def unlike(old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """Why two runs (their run.json) are not like for like, when they were judged by the rules
    of different dates; None when they were judged alike."""
    if _recorded(old) == _recorded(new):
        return None
    old_id, new_id = old.get("run_id", "the old run"), new.get("run_id", "the new run")
    return (
        f"not like for like: {old_id} was judged by {judged_by(old)}, {new_id} by "
        f"{judged_by(new)}; a finding new or resolved between them may come from the rules "
        "applied, not from the certificates"
    )


def _recorded(meta: dict[str, Any]) -> datetime | str | None:
    value = meta.get(RULES_AS_OF)
    return None if value is None else (parse_time(value) or str(value))
