"""Lint one certificate: parse once, detect the profile, run the lints that apply.

Order per lint (the zlint model): applies to this profile and situation? (else `na`) →
issued inside the rule's effective window? (else `ne`) → check.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime

from audit.engine import memo
from audit.engine.certview import CertView, NotACertificate, RowFacts
from audit.engine.fast import quick_init
from audit.engine.profiles import Profile
from audit.engine.registry import Catalogue, Check, Lint, Predicate
from audit.engine.status import PASS, Status

DECODE_LINT = "certificate_decodes_strictly"
MISSING_LINT = "database_row_has_certificate"


@quick_init
@dataclass(frozen=True, slots=True)
class Result:
    lint: Lint
    status: Status
    message: str = ""


@dataclass(slots=True)
class CertReport:
    """What the engine found in one certificate. Lints not in `results` were `na`."""

    sha256: str
    profile: Profile
    view: CertView | None  # None when the bytes are not a certificate at all
    results: list[Result] = field(default_factory=list)
    error: str | None = None  # set when the bytes are not a certificate

    @property
    def findings(self) -> list[Result]:
        return [r for r in self.results if r.status.is_finding]

    def status_of(self, name: str) -> Result | None:
        for r in self.results:
            if r.lint.name == name:
                return r
        return None


class _ProfileLints:
    """The lints of one profile, and which of them are in force for each span of notBefore.

    Effective and ineffective dates cut time into spans; in each span a fixed set of lints is in
    force. Looking the span up once per certificate replaces a date test per lint. Within a span,
    the lints whose `needs` a certificate's extensions meet are picked once per set of extensions
    (certificates share a handful of them) and kept as a plan: the steps run for every
    certificate, and groups of steps whose results are shared by the certificates that encode
    the parts they read alike (see audit/engine/memo.py).
    """

    _MAX_PLANS = 4096  # distinct (span, extensions) pairs kept; beyond that, plans are rebuilt

    def __init__(self, lints: list[Lint], parts: dict[Lint, tuple[str, ...] | None]) -> None:
        self.all = tuple(lints)
        cuts = sorted({d for x in lints for d in (x.effective, x.ineffective) if d is not None})
        self.cuts = cuts
        # spans[i] holds the lints in force for cuts[i-1] <= notBefore < cuts[i].
        starts = [None, *cuts]
        self.spans = [tuple(x for x in lints if _in_force(x, start)) for start in starts]
        self._plans: dict[tuple[int, frozenset[str] | None], _Plan] = {}
        self._parts = parts  # what each lint reads (memo.reads); empty: nothing is shared
        # One shared-results group per set of lints and parts, whichever plans include it.
        self._groups: dict[tuple[tuple[str, ...], tuple[Lint, ...]], memo.SharedGroup] = {}

    def in_force(self, issued: datetime) -> tuple[Lint, ...]:
        return self.spans[bisect_right(self.cuts, issued)]

    def plan(self, issued: datetime, present: frozenset[str] | None) -> _Plan:
        """The lints to run for a certificate issued at `issued` whose extension OIDs are
        `present` (None when they cannot be read: every lint in force, `needs` asked per lint)."""
        key = (bisect_right(self.cuts, issued), present)
        plan = self._plans.get(key)
        if plan is None:
            lints = self.spans[key[0]]
            if present is None:
                steps = [(x, x.applicable if x.needs else x.when, x.check) for x in lints]
            else:
                steps = [(x, x.when, x.check) for x in lints if x.needs <= present]
            plan = self._grouped(steps)
            if len(self._plans) < self._MAX_PLANS:
                self._plans[key] = plan
        return plan

    def _grouped(self, steps: list[_Step]) -> _Plan:
        by_parts: dict[tuple[str, ...], list[_Step]] = {}
        alone: list[_Step] = []
        for step in steps:
            parts = self._parts.get(step[0])
            if parts:
                by_parts.setdefault(parts, []).append(step)
            else:
                alone.append(step)
        groups = []
        for parts, members in by_parts.items():
            key = (parts, tuple(step[0] for step in members))
            group = self._groups.get(key)
            if group is None:
                group = self._groups[key] = memo.SharedGroup(parts, tuple(members))
            groups.append(group)
        return _Plan(tuple(alone), tuple(groups))


_Step = tuple[Lint, Predicate | None, Check]


@dataclass(frozen=True, slots=True)
class _Plan:
    alone: tuple[_Step, ...]  # run for every certificate
    shared: tuple[memo.SharedGroup, ...]  # run once per distinct encoding of their parts


def _in_force(x: Lint, start: datetime | None) -> bool:
    if start is None:  # before every cut: only lints with no effective date at all (none)
        return False
    return x.effective <= start and (x.ineffective is None or start < x.ineffective)


class Engine:
    """Holds the catalogue with its lints pre-sorted by profile: chosen once, not per certificate."""

    def __init__(
        self, catalogue: Catalogue, as_of: datetime | None = None, *, share: bool = True
    ) -> None:
        """`share`: reuse a lint's result across certificates that encode the parts it reads
        alike (audit/engine/memo.py); off, every lint runs for every certificate (same findings,
        for comparison)."""
        self.catalogue = catalogue
        self.as_of = as_of or datetime.now(UTC)  # the time of the audit, for time-dependent notices
        parts = {x: memo.reads(x) for x in catalogue} if share else {}
        self._by_profile = {
            p: _ProfileLints([x for x in catalogue if p in x.applies_to], parts) for p in Profile
        }
        self._order = {x: i for i, x in enumerate(catalogue)}
        self._by_name = catalogue.by_name

    def lint_der(
        self, der: bytes, row: RowFacts | None = None, *, findings_only: bool = False
    ) -> CertReport:
        """Lint one certificate; `row` is what the issuance database says about it, if known.

        `findings_only` (what a run writes): lints not in force at notBefore are skipped without
        asking whether they apply, and only results at `info` or above are kept. The findings are
        the same either way.
        """
        try:
            view = CertView(der)
        except NotACertificate as exc:
            report = CertReport(
                hashlib.sha256(der).hexdigest(), Profile.UNKNOWN, None, error=str(exc)
            )
            decode = self._by_name.get(DECODE_LINT)
            if decode is not None:
                report.results.append(Result(decode, Status.FATAL, str(exc)))
            return report
        view.db_row = row
        profile = view.profile
        report = CertReport(view.sha256, profile, view)
        table = self._by_profile[profile]
        try:
            issued: datetime | None = view.not_before
        except Exception:  # neither decoder can read notBefore: no lint can be dated
            issued = None
        if findings_only and issued is not None:
            plan = table.plan(issued, _present_extensions(view))
            report.results = _findings(plan.alone, view)
            if plan.shared:
                share = memo.shareable(view)
                for group in plan.shared:
                    # `+=` copies: the group's list is shared with other certificates
                    report.results += (
                        group.findings(view, _findings) if share else _findings(group.steps, view)
                    )
                if len(report.results) > 1:  # in catalogue order, as without sharing
                    report.results.sort(key=lambda r: self._order[r.lint])
        else:
            present = _present_extensions(view)
            report.results = [_run(x, view, issued, present) for x in table.all]
        return report

    def lint_row(self, der: bytes | None, row: RowFacts) -> CertReport:
        """Lint a database row (findings only): its certificate, or a finding that it stores none."""
        if der is not None:
            return self.lint_der(der, row, findings_only=True)
        report = CertReport("", Profile.UNKNOWN, None, error="the row stores no certificate")
        missing = self._by_name.get(MISSING_LINT)
        if missing is not None:
            report.results.append(
                Result(missing, Status.FATAL, "the row stores no certificate data")
            )
        return report


def _present_extensions(view: CertView) -> frozenset[str] | None:
    """The OIDs of the certificate's extensions, or None when they cannot be read (then each
    lint's `needs` is asked like a `when`, raising as it would)."""
    try:
        return frozenset(view.extensions)
    except Exception:  # the decode lint reports it; lints that need extensions then fail alike
        return None


def _findings(plan: tuple[_Step, ...], view: CertView) -> list[Result]:
    """Run a plan, keeping only findings (`info` and above): the hot loop of a run."""
    results: list[Result] = []
    passed = PASS
    for x, when, check in plan:
        try:
            if when is not None and not when(view):
                continue
            out = check(view)
        except Exception as exc:  # a part this lint needs could not be decoded
            results.append(_fatal(x, exc))
            continue
        if out is passed:
            continue
        status = out.status
        if status is None:
            results.append(Result(x, x.severity, out.message))
        elif status >= Status.INFO:
            results.append(Result(x, status, out.message))
    return results


def _run(
    x: Lint, view: CertView, issued: datetime | None, present: frozenset[str] | None = None
) -> Result:
    """The full zlint order: applies? (else na) → in force? (else ne) → check."""
    if issued is None:
        return Result(x, Status.FATAL, "could not check: notBefore cannot be decoded")
    in_force = issued >= x.effective and (x.ineffective is None or issued < x.ineffective)
    try:
        if x.needs and present is not None:
            if not x.needs <= present or (x.when is not None and not x.when(view)):
                return Result(x, Status.NA)
        elif not x.applicable(view):
            return Result(x, Status.NA)
    except Exception as exc:  # a part the applicability test needs could not be decoded
        return Result(x, Status.NE) if not in_force else _fatal(x, exc)
    if not in_force:
        return Result(x, Status.NE)
    return _check(x, view, applies_known=True)


def _check(x: Lint, view: CertView, applies_known: bool = False) -> Result:
    try:
        if not applies_known and not x.applicable(view):
            return Result(x, Status.NA)
        out = x.check(view)
    except Exception as exc:  # a part this lint needs could not be decoded
        return _fatal(x, exc)
    return Result(x, x.severity if out.status is None else out.status, out.message)


def _fatal(x: Lint, exc: Exception) -> Result:
    return Result(x, Status.FATAL, f"could not check: {type(exc).__name__}: {exc}"[:500])
