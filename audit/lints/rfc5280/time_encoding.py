"""RFC 5280 4.1.2.5.1-2: how UTCTime and GeneralizedTime validity dates are written.

Decoders read "1501010203Z", "150101020304-0500" and "150101020304Z" alike, or refuse them
outright; the rules are about the characters, so these lints read them from the DER
(`CertView.validity_encoding`). Which of the two types a date must use is
`validity_time_encoding_by_year` in validity.py.
"""

from __future__ import annotations

import re

from audit.engine import profiles
from audit.engine.certview import CertView, TimeEncoding
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates

UTC_TIME, GENERALIZED_TIME = 0x17, 0x18
_FIELDS = ("notBefore", "notAfter")

# What RFC 5280 allows: YYMMDDHHMMSSZ and YYYYMMDDHHMMSSZ, nothing else.
_UTC_TIME = re.compile(r"\d{12}Z")
_GENERALIZED_TIME = re.compile(r"\d{14}Z")
# What the problems look like, for saying which one it is.
_ZONE = re.compile(r"(?:Z|[+-]\d{4})\Z")
_FRACTION = re.compile(r"\d{14}[.,]\d*(?:Z|[+-]\d{4})?\Z")


def _time_tags(cert: CertView) -> frozenset[int]:
    return frozenset([t.tag for t in cert.validity_encoding])


def _times(cert: CertView, tag: int) -> list[tuple[str, TimeEncoding]]:
    return [(f, t) for f, t in zip(_FIELDS, cert.validity_encoding, strict=True) if t.tag == tag]


def _well_formed(cert: CertView, tag: int, form: re.Pattern[str]) -> bool:
    """Every validity time of type `tag` is written in RFC 5280's form (the common case)."""
    for t in cert.validity_encoding:  # noqa: SIM110 - a loop: no generator per call
        if t.tag == tag and not form.fullmatch(t.text):
            return False
    return True


def _problems(value: str, digits: int, fraction_allowed_in_syntax: bool) -> list[str]:
    """What is wrong with a time that does not match its RFC 5280 format."""
    problems = []
    zone = _ZONE.search(value)
    body = value[: zone.start()] if zone else value
    if zone is None:
        problems.append("has no zone (it does not end in Z)")
    elif zone.group() != "Z":
        problems.append(f"is not in Zulu time (offset {zone.group()})")
    if fraction_allowed_in_syntax and _FRACTION.fullmatch(value):
        problems.append("has fractional seconds")
    elif body.isdigit() and len(body) < digits:
        problems.append("does not include seconds")
    if not problems:
        problems.append("is not in the required form")
    return problems


def _format_outcome(
    cert: CertView, tag: int, form: re.Pattern[str], type_name: str, digits: int, fraction: bool
) -> Outcome:
    """Each validity time of type `tag` written in `form`, or what is wrong with those that
    are not (at least one when `_well_formed` says no)."""
    if _well_formed(cert, tag, form):
        return PASS
    return fail(
        "; ".join(
            f"{field} {type_name} {t.text!r} " + " and ".join(_problems(t.text, digits, fraction))
            for field, t in _times(cert, tag)
            if not form.fullmatch(t.text)
        )
    )


@lint(
    name="utc_time_format",
    description="Validity dates encoded as UTCTime are written YYMMDDHHMMSSZ: in Zulu (UTC) "
    "time, ending in Z, and including the seconds even when they are zero.",
    citation="RFC 5280 4.1.2.5.1 (also RFC 2459 4.1.2.5.1)",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    when=lambda cert: UTC_TIME in _time_tags(cert),
    zlint=("e_utc_time_does_not_include_seconds", "e_utc_time_not_in_zulu"),
)
def utc_time_format(cert: CertView) -> Outcome:
    return _format_outcome(cert, UTC_TIME, _UTC_TIME, "UTCTime", 12, False)


@lint(
    name="generalized_time_format",
    description="Validity dates encoded as GeneralizedTime are written YYYYMMDDHHMMSSZ: in "
    "Zulu (UTC) time, ending in Z, including the seconds, and without fractional seconds.",
    citation="RFC 5280 4.1.2.5.2 (also RFC 2459 4.1.2.5.2)",
    source=Source.RFC5280,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    when=lambda cert: GENERALIZED_TIME in _time_tags(cert),
    zlint=(
        "e_generalized_time_does_not_include_seconds",
        "e_generalized_time_includes_fraction_seconds",
        "e_generalized_time_not_in_zulu",
    ),
)
def generalized_time_format(cert: CertView) -> Outcome:
    return _format_outcome(cert, GENERALIZED_TIME, _GENERALIZED_TIME, "GeneralizedTime", 14, True)
