"""The ad-hoc rescan: the quarterly audit's graph over the whole population, with only the lints
that changed (by name or source), the day a rule or a check changes."""

from __future__ import annotations

from audit.errors import InputError
from audit.jobs.quarterly_audit import AuditOutcome, AuditRequest, run_audit


def run_rescan(request: AuditRequest) -> AuditOutcome:
    if not request.selector:
        raise InputError("a rescan needs --lints (the names or sources of the lints that changed)")
    return run_audit(request)
