"""Lint certificates: parse once, detect the profile, run the lints that apply.

Order per lint (the zlint model): applies to this profile and situation? (else `na`) →
issued inside the rule's effective window? (else `ne`) → check.

The date a certificate is judged by (`judged_at`) is its notBefore: the rules in force when it
was issued. An engine made with `rules_as_of` judges every certificate by the rules in force at
that date instead (`--rules-as-of`: a template reviewed before issuing with it, or which active
certificates today's rules would reject). That one setting decides which lints are in force and
what `CertView.judged_at` tells a check that reads the date itself.

A run lints a batch of certificates at a time, one stage of the work for the whole batch
before the next (`Engine.lint_rows`): decoding, profiles, plans, then each lint over every
certificate it applies to. Each certificate's findings are the same as linted alone; the
processor then runs the same code many times in a row, which its caches reward. A batch keeps
either findings only (what a run writes) or every lint's status (`every_status`: what `lint
--format json` prints), the same as `lint_der` gives certificate by certificate.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from audit.engine import shared
from audit.engine.certview import CertView, NotACertificate, RowFacts
from audit.engine.inputs import MAX_CERTIFICATE_BYTES, too_large
from audit.engine.lean_stdlib import quick_init
from audit.engine.parts import OutsideParts, PartsOnly
from audit.engine.profiles import Profile
from audit.engine.registry import Catalogue, Check, Lint, Predicate
from audit.engine.status import PASS, Status

DECODE_LINT = "certificate_decodes_strictly"
MISSING_LINT = "database_row_has_certificate"
# Certificates linted together, stage by stage (Engine.lint_rows). Against one at a time, a
# batch linted 40-60% more certificates per second here; sizes from 16 to 256 measured alike,
# and a small batch keeps little decoded at once.
BATCH = 64


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
    """The lints of one profile, and which of them are in force for each span of the date a
    certificate is judged by (its notBefore, or the engine's `rules_as_of`).

    Effective and ineffective dates cut time into spans; in each span a fixed set of lints is in
    force. Looking the span up once per certificate replaces a date test per lint. Within a span,
    the lints whose `needs` a certificate's extensions meet are picked once per set of extensions
    (certificates share a handful of them) and kept as a plan: the steps run for every
    certificate, and groups of steps whose results are shared by the certificates that encode
    the parts they read alike (see audit/engine/shared.py). The lints that read no part a CA
    writes per subscriber form one group, keyed by all their parts together (with the lints
    not yet seen to read any: they are learned there); and of the steps run for every
    certificate, those whose `when` reads such parts only are picked (asked whether they
    apply) once per encoding of them. What each lint reads is learned as certificates are
    linted (shared.LintReads): plans made before a change are made again.
    """

    _MAX_PLANS = 4096  # distinct (span, extensions) pairs kept; beyond that, plans are rebuilt

    def __init__(
        self,
        lints: list[Lint],
        reads: shared.LintReads | None,
    ) -> None:
        self.all = tuple(lints)
        cuts = sorted({d for x in lints for d in (x.effective, x.ineffective) if d is not None})
        self.cuts = cuts
        # spans[i] holds the lints in force for cuts[i-1] <= judged_at < cuts[i].
        starts = [None, *cuts]
        self.spans = [tuple(x for x in lints if _in_force(x, start)) for start in starts]
        # The lints in force per span, as sets: a lint in force that a batch keeping every status
        # gave no result was not applicable (`na`); one not in force is asked as lint_der asks.
        self.span_sets = [frozenset(span) for span in self.spans]
        self._plans: dict[tuple[int, frozenset[str] | None], _Plan] = {}
        self._reads = reads  # what each lint was seen to read; None: nothing is shared
        self._planned_at = 0  # the version of `reads` the plans were made by
        # One shared-results group per set of lints and parts, whichever plans include it.
        self._groups: _Groups = {}
        # And per set of lints whose `when` reads only common parts: which of them apply.
        self._filters: _Groups = {}

    def in_force(self, judged_at: datetime) -> tuple[Lint, ...]:
        return self.spans[bisect_right(self.cuts, judged_at)]

    def plan(self, judged_at: datetime, present: frozenset[str] | None) -> _Plan:
        """The lints to run for a certificate judged by the rules of `judged_at` whose extension
        OIDs are `present` (None when they cannot be read: every lint in force, `needs` asked
        per lint)."""
        key = (bisect_right(self.cuts, judged_at), present)
        reads = self._reads
        if reads is not None and reads.version != self._planned_at:
            self._plans.clear()  # a lint was found to read other parts: group it anew
            self._planned_at = reads.version
        plan = self._plans.get(key)
        if plan is None:
            lints = self.spans[key[0]]
            if present is None:  # nothing shared: such a certificate is not `shareable`
                steps = [(x, x.applicable if x.needs else x.when, x.check) for x in lints]
                plan = _Plan(tuple(steps), (), None)
            elif reads is None:
                plan = _Plan(
                    tuple((x, x.when, x.check) for x in lints if x.needs <= present), (), None
                )
            else:
                steps = [(x, x.when, x.check) for x in lints if x.needs <= present]
                plan = self._grouped(steps, reads)
            if len(self._plans) < self._MAX_PLANS:
                self._plans[key] = plan
        return plan

    def _grouped(self, steps: list[_Step], reads: shared.LintReads) -> _Plan:
        by_parts: dict[tuple[str, ...], list[_Step]] = {}
        alone: list[_Step] = []
        common: list[_Step] = []  # lints reading no per-subscriber part: one group for all
        common_parts: set[str] = set()
        filtered: list[_Step] = []  # unshared lints whose `when` reads only common parts
        filter_parts: set[str] = set()
        for step in steps:
            parts = reads.parts.get(step[0], ())  # () until it is seen to read any
            if parts is None:
                when_parts = reads.when_parts.get(step[0])
                if when_parts and shared.PER_SUBSCRIBER_PARTS.isdisjoint(when_parts):
                    filtered.append(step)
                    filter_parts.update(when_parts)
                else:
                    alone.append(step)
            elif shared.PER_SUBSCRIBER_PARTS.isdisjoint(parts):
                common.append(step)
                common_parts.update(parts)
            else:
                by_parts.setdefault(parts, []).append(step)
        if common:
            by_parts.setdefault(tuple(sorted(common_parts)), []).extend(common)
        groups = tuple(_group(self._groups, parts, members) for parts, members in by_parts.items())
        applies = None
        if filtered:
            applies = _group(self._filters, tuple(sorted(filter_parts)), filtered)
        return _Plan(tuple(alone), groups, applies)


_Groups = dict[tuple[tuple[str, ...], tuple[Lint, ...]], shared.SharedGroup]


def _group(groups: _Groups, parts: tuple[str, ...], steps: list[_Step]) -> shared.SharedGroup:
    """The group of these steps keyed by these parts, made once whichever plans include it."""
    key = (parts, tuple(step[0] for step in steps))
    group = groups.get(key)
    if group is None:
        group = groups[key] = shared.SharedGroup(parts, tuple(steps))
    return group


_Step = tuple[Lint, Predicate | None, Check]


@dataclass(frozen=True, slots=True)
class _Plan:
    alone: tuple[_Step, ...]  # run for every certificate
    shared: tuple[shared.SharedGroup, ...]  # run once per distinct encoding of their parts
    # Run for every certificate, but whether each applies (its `when`) is asked once per
    # distinct encoding of the parts the `when`s read: the group keeps the applicable steps.
    applies: shared.SharedGroup | None


def _in_force(x: Lint, start: datetime | None) -> bool:
    if start is None:  # before every cut: only lints with no effective date at all (none)
        return False
    return x.effective <= start and (x.ineffective is None or start < x.ineffective)


class Engine:
    """Holds the catalogue with its lints pre-sorted by profile: chosen once, not per certificate."""

    def __init__(
        self,
        catalogue: Catalogue,
        as_of: datetime | None = None,
        *,
        share: bool = True,
        rules_as_of: datetime | None = None,
    ) -> None:
        """`share`: reuse a lint's result across certificates that encode the parts it reads
        alike (audit/engine/shared.py); off, every lint runs for every certificate (same
        findings, for comparison). `rules_as_of`: judge every certificate by the rules in force
        at this date, not at its notBefore (module docstring)."""
        self.catalogue = catalogue
        self.as_of = as_of or datetime.now(UTC)  # the time of the audit, for time-dependent notices
        self.rules_as_of = rules_as_of
        self._reads = shared.LintReads() if share else None
        self._by_profile = {
            p: _ProfileLints([x for x in catalogue if p in x.applies_to], self._reads)
            for p in Profile
        }
        self._order = {x: i for i, x in enumerate(catalogue)}
        self._by_name = catalogue.by_name

    def lint_der(
        self, der: bytes, row: RowFacts | None = None, *, findings_only: bool = False
    ) -> CertReport:
        """Lint one certificate; `row` is what the issuance database says about it, if known.

        `findings_only` (what a run writes): lints not in force are skipped without
        asking whether they apply, and only results at `info` or above are kept. The findings are
        the same either way.
        """
        if findings_only:
            return self.lint_row(der, row)
        view = self._view(der)
        if isinstance(view, CertReport):
            return view
        view.db_row = row
        report = CertReport(view.sha256, view.profile, view)
        report.results = self._every_lint(view, self._judged_at(view))
        return report

    def _judged_at(self, view: CertView) -> datetime | None:
        """The date whose rules the certificate is judged by (module docstring); None when it
        is its notBefore and that cannot be decoded."""
        return self.rules_as_of if self.rules_as_of is not None else _issued(view)

    def lint_row(self, der: bytes | None, row: RowFacts | None) -> CertReport:
        """Lint a database row (findings only): its certificate, or a finding that it stores none."""
        return self._lint_batch([(der, row)])[0]

    def lint_rows(
        self, rows: Iterable[tuple[bytes | None, RowFacts | None]], *, every_status: bool = False
    ) -> Iterator[CertReport]:
        """`lint_row` of each (certificate, row facts), in order, BATCH at a time (at most one
        batch of decoded certificates is held). `every_status`: each report has every lint's
        result, as `lint_der` gives it (not findings only)."""
        batch: list[tuple[bytes | None, RowFacts | None]] = []
        for item in rows:
            batch.append(item)
            if len(batch) == BATCH:
                yield from self._lint_batch(batch, every_status)
                batch = []
        if batch:
            yield from self._lint_batch(batch, every_status)

    def _lint_batch(
        self, rows: Sequence[tuple[bytes | None, RowFacts | None]], every_status: bool = False
    ) -> list[CertReport]:
        """Stage by stage over the batch (see the module docstring): findings only, or with
        `every_status` every lint's result."""
        run_over = _every_result_over if every_status else _findings_over
        run = _every_result if every_status else _findings
        run_shown = self._every_result_shown if every_status else self._findings_shown
        decoded: list[CertView | CertReport] = []
        for der, row in rows:  # decode
            # Empty bytes are no certificate either: keyed by their row, not by SHA-256(b"").
            view = self._view(der) if der else self._missing()
            if isinstance(view, CertView):
                view.db_row = row
            decoded.append(view)
        reports = [  # profile
            d if isinstance(d, CertReport) else CertReport(d.sha256, d.profile, d) for d in decoded
        ]
        staged: list[_Staged] = []
        for report in reports:  # plan: the lints in force
            view = report.view
            if view is None:
                continue
            judged_at = self._judged_at(view)
            if judged_at is None:  # no lint can be dated: each is asked in full, as lint_der does
                report.results = self._every_lint(view, judged_at)
                continue
            plan = self._by_profile[report.profile].plan(judged_at, _present_extensions(view))
            staged.append(_Staged(report, view, judged_at, plan, False))
        for item in staged:  # every field read (strictness decides whether to share results)
            plan = item.plan
            item.share = bool(plan.shared or plan.applies) and shared.shareable(item.view)
        # Certificates with the same steps are linted together, lint by lint. Steps are told
        # apart by the objects they come from (a plan, a kept list of lints that apply), which
        # `by_steps` holds, so that no id is reused within the batch.
        by_steps: dict[tuple[int, int], tuple[_Plan, Sequence[_Step], list[_Staged]]] = {}
        for item in staged:  # which lints apply, for those asked once per encoding
            applies = item.plan.applies
            chosen: Sequence[_Step] = ()
            if applies is not None:
                chosen = (
                    applies.lookup(item.view, _applicable, self._applicable_shown)
                    if item.share
                    else applies.steps
                )
            key = (id(item.plan), id(chosen))
            by_steps.setdefault(key, (item.plan, chosen, []))[2].append(item)
        for plan, chosen, items in by_steps.values():  # the lints
            steps = plan.alone + tuple(chosen)  # the plan's own, then those that apply
            run_over(steps, [(item.view, item.report.results) for item in items])
        for item in staged:  # the shared groups
            plan = item.plan
            if plan.shared or plan.applies:
                results = item.report.results
                for group in plan.shared:
                    # `+=` copies: the group's list is shared with other certificates
                    results += (
                        group.lookup(item.view, run, run_shown, every_status)
                        if item.share
                        else run(group.steps, item.view)
                    )
                if every_status:
                    continue
                if len(results) > 1:  # in catalogue order, as without sharing
                    results.sort(key=lambda r: self._order[r.lint])
        if every_status:
            for item in staged:
                item.report.results = self._every_lint_of(item)
        return reports

    def _every_lint_of(self, item: _Staged) -> list[Result]:
        """Every lint of the certificate's profile, in catalogue order, from the results its
        steps gave: a lint in force that gave none did not apply (`na`); one not in force is
        asked as lint_der asks it (`na` or `ne`)."""
        lints = self._by_profile[item.report.profile]
        in_force = lints.span_sets[bisect_right(lints.cuts, item.judged_at)]
        given = {r.lint: r for r in item.report.results}
        view, judged_at = item.view, item.judged_at
        present: frozenset[str] | None | bool = False  # read once, if a lint not in force asks
        out: list[Result] = []
        for x in lints.all:
            result = given.get(x)
            if result is None:
                if x in in_force:
                    result = _passed_or_na(x, Status.NA)
                else:
                    if present is False:
                        present = _present_extensions(view)
                    result = _run(x, view, judged_at, present)  # type: ignore[arg-type]
            out.append(result)
        return out

    def _findings_shown(
        self, steps: tuple[_Step, ...], view: CertView, parts: tuple[str, ...]
    ) -> tuple[list[Result], bool]:
        """`_findings` of a shared group's steps, run against the certificate shown through the
        group's parts; with whether every step read those alone (else the result is not to be
        kept, and each step that read more is run again against the certificate itself)."""
        return self._run_shown(_findings_over, steps, view, parts)

    def _every_result_shown(
        self, steps: tuple[_Step, ...], view: CertView, parts: tuple[str, ...]
    ) -> tuple[list[Result], bool]:
        """`_findings_shown`, every step's result kept (`_every_result`)."""
        return self._run_shown(_every_result_over, steps, view, parts)

    def _run_shown(
        self, run_over: _RunOver, steps: tuple[_Step, ...], view: CertView, parts: tuple[str, ...]
    ) -> tuple[list[Result], bool]:
        assert self._reads is not None
        results: list[Result] = []
        shown = PartsOnly(view, parts)
        try:  # noqa: SIM105 - all at once: once learned, lints rarely read more
            run_over(steps, [(shown, results)])  # type: ignore[list-item]
        except OutsideParts:
            pass
        if shown.stayed_inside:
            return results, True
        results = []  # one step at a time, to tell which read more
        inside = True
        shown = PartsOnly(view, parts)
        for step in steps:
            found: list[Result] = []
            try:  # noqa: SIM105 - cheaper than suppress() in a loop
                run_over((step,), [(shown, found)])  # type: ignore[list-item]
            except OutsideParts:  # stayed_inside tells, even had the lint caught it
                pass
            if shown.stayed_inside:
                results += found
                continue
            inside = False
            self._reads.went_outside(step[0], view)
            run_over((step,), [(view, results)])
            shown = PartsOnly(view, parts)  # afresh: nothing the step left behind is reused
        return results, inside

    def _applicable_shown(
        self, steps: tuple[_Step, ...], view: CertView, parts: tuple[str, ...]
    ) -> tuple[list[_Step], bool]:
        """`_applicable`, each `when` asked of the certificate shown through `parts`: a `when`
        that reads more keeps its step as it is, to be asked for each certificate."""
        assert self._reads is not None
        out: list[_Step] = []
        shown = PartsOnly(view, parts)
        for x, when, check in steps:
            try:
                applies = when is None or when(shown)  # type: ignore[arg-type]
            except OutsideParts:
                applies = True
            except Exception:  # noqa: BLE001 - reported by _findings, which asks again
                out.append((x, when, check))
                continue
            if not shown.stayed_inside:
                self._reads.when_went_outside(x, view)
                out.append((x, when, check))
                shown = PartsOnly(view, parts)
            elif applies:
                out.append((x, None, check))
        return out, True

    def _every_lint(self, view: CertView, judged_at: datetime | None) -> list[Result]:
        """Every lint of the certificate's profile, in the full zlint order (`_run`)."""
        present = _present_extensions(view)
        return [_run(x, view, judged_at, present) for x in self._by_profile[view.profile].all]

    def _view(self, der: bytes) -> CertView | CertReport:
        """The certificate, or the report that it is none."""
        try:
            if len(der) > MAX_CERTIFICATE_BYTES:  # bounded work per certificate, whatever the row
                raise NotACertificate(too_large(len(der), "a certificate of"))
            view = CertView(der)
        except NotACertificate as exc:
            return self.not_a_certificate(der, str(exc))
        view.as_of = self.as_of
        view.rules_as_of = self.rules_as_of
        return view

    def not_a_certificate(self, der: bytes, reason: str) -> CertReport:
        """The report of bytes that hold no certificate: an error, and the decoding lint fatal."""
        report = CertReport(hashlib.sha256(der).hexdigest(), Profile.UNKNOWN, None, error=reason)
        decode = self._by_name.get(DECODE_LINT)
        if decode is not None:
            report.results.append(Result(decode, Status.FATAL, reason))
        return report

    def _missing(self) -> CertReport:
        report = CertReport("", Profile.UNKNOWN, None, error="the row stores no certificate")
        missing = self._by_name.get(MISSING_LINT)
        if missing is not None:
            report.results.append(
                Result(missing, Status.FATAL, "the row stores no certificate data")
            )
        return report


@dataclass(slots=True)
class _Staged:
    """A certificate of a batch, between the stages of _lint_batch."""

    report: CertReport
    view: CertView
    judged_at: datetime
    plan: _Plan
    share: bool  # whether results may be shared (shared.shareable), once every field is read


def _issued(view: CertView) -> datetime | None:
    try:
        return view.not_before
    except Exception:  # neither decoder can read notBefore: no lint can be dated
        return None


def _present_extensions(view: CertView) -> frozenset[str] | None:
    """The OIDs of the certificate's extensions, or None when they cannot be read (then each
    lint's `needs` is asked like a `when`, raising as it would)."""
    try:
        return frozenset(view.extensions)
    except Exception:  # the decode lint reports it; lints that need extensions then fail alike
        return None


def _applicable(steps: tuple[_Step, ...], view: CertView) -> list[_Step]:
    """The steps whose `when` holds for this certificate, the `when` then dropped; a `when`
    that raises stays, to be asked (and reported `fatal`) for each certificate as usual."""
    out: list[_Step] = []
    for x, when, check in steps:
        try:
            if when is None or when(view):
                out.append((x, None, check))
        except Exception:  # noqa: BLE001 - reported by _findings, which asks again
            out.append((x, when, check))
    return out


def _findings(plan: tuple[_Step, ...], view: CertView) -> list[Result]:
    """Run a plan for one certificate, keeping only findings (`info` and above)."""
    results: list[Result] = []
    _results_over(plan, [(view, results)], every_status=False)
    return results


def _every_result(plan: tuple[_Step, ...], view: CertView) -> list[Result]:
    """`_findings`, every step's result kept (`_every_result_over`)."""
    results: list[Result] = []
    _results_over(plan, [(view, results)], every_status=True)
    return results


def _findings_over(
    plan: tuple[_Step, ...], certificates: list[tuple[CertView, list[Result]]]
) -> None:
    """Run a plan for each certificate, appending its findings to its list."""
    _results_over(plan, certificates, every_status=False)


def _every_result_over(
    plan: tuple[_Step, ...], certificates: list[tuple[CertView, list[Result]]]
) -> None:
    """`_findings_over`, keeping the result of every step that applies, whatever its status."""
    _results_over(plan, certificates, every_status=True)


def _results_over(
    plan: tuple[_Step, ...],
    certificates: list[tuple[CertView, list[Result]]],
    every_status: bool,
) -> None:
    """Run a plan for each certificate, appending its results to its list: one lint over all
    of them, then the next (the hot loop of a run). Findings only (`info` and above), or with
    `every_status` the result of every step that applies, as `_check` gives it; a step whose
    `when` does not hold gives none (it is `na`)."""
    passed = PASS
    for x, when, check in plan:
        for view, results in certificates:
            try:
                if when is not None and not when(view):
                    continue
                out = check(view)
            except Exception as exc:  # a part this lint needs could not be decoded
                results.append(_fatal(x, exc))
                continue
            if out is passed:
                if every_status:
                    results.append(_passed_or_na(x, Status.PASS))
                continue
            status = out.status
            if status is None:
                results.append(Result(x, x.severity, out.message))
            elif every_status or status >= Status.INFO:
                results.append(Result(x, status, out.message))


# A lint's `pass` and `na` without a message, made once: a batch keeping every status gives
# each certificate one of them for most lints.
_PLAIN: dict[tuple[Lint, Status], Result] = {}


def _passed_or_na(x: Lint, status: Status) -> Result:
    result = _PLAIN.get((x, status))
    if result is None:
        result = _PLAIN[x, status] = Result(x, status)
    return result


_RunOver = Callable[[tuple[_Step, ...], list[tuple[CertView, list[Result]]]], None]


def _run(
    x: Lint, view: CertView, judged_at: datetime | None, present: frozenset[str] | None = None
) -> Result:
    """The full zlint order: applies? (else na) → in force? (else ne) → check."""
    if judged_at is None:
        return Result(x, Status.FATAL, "could not check: notBefore cannot be decoded")
    in_force = _in_force(x, judged_at)
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
