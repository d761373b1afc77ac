"""Lint statuses and outcomes (the zlint model the ecosystem knows)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Status(IntEnum):
    """Lowest to highest, as the contract orders them."""

    PASS = 0
    NA = 1  # does not apply to this certificate
    NE = 2  # not effective: issued before the rule took effect or after it was retired
    INFO = 3
    NOTICE = 4
    WARN = 5
    ERROR = 6
    FATAL = 7  # the certificate, or a part the lint needs, could not be parsed

    label: str  # the name in lower case, as outputs write it (set on each member below)

    @classmethod
    def parse(cls, text: str) -> Status:
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown status {text!r}") from None

    @property
    def is_finding(self) -> bool:
        """Findings are what the run writes out: info and above."""
        return self >= Status.INFO


# A plain attribute, not a property: the outputs read it for every finding of every certificate.
for _member in Status:
    _member.label = _member.name.lower()

FINDING_STATUSES = tuple(s for s in Status if s.is_finding)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a check returns. `status=None` means "failed, at the lint's own severity"."""

    status: Status | None
    message: str = ""


PASS = Outcome(Status.PASS)
NOT_APPLICABLE = Outcome(Status.NA)


def fail(message: str) -> Outcome:
    """The requirement is not met; the lint's declared severity decides the status."""
    return Outcome(None, message)


def outcome(status: Status, message: str = "") -> Outcome:
    """An explicit status, for checks that can report more than one level."""
    return Outcome(status, message)
