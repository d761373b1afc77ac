"""Incident report drafts in the CCADB's format (incident reporting guidelines, version 2.0),
built from the same computed summary as the report (`summary.summarize`): the same counts, the
same revocation deadlines (`Ledger.annotate` computes them once, for both) and the same moment
of judgement (the end of the run).

Per problem (a lint with findings at `min_status` or above, by default the misissuance
statuses `error` and `fatal`):
- `<lint>.preliminary.md`: the preliminary report due within 72 hours of the CA becoming aware
  (an executive summary and the date of the full report);
- `<lint>.md`: the full report, with the CCADB's sections Summary, Impact, Timeline, Root Cause
  Analysis, Lessons Learned, Action Items and Appendix (every affected certificate, one crt.sh
  line each; serial and SHA-256 for certificates that are not TLS, e.g. S/MIME);
- `<lint>.csv`: the affected certificates (serial, SHA-256, issuer, subject, validity, first
  seen, deadline and more: the report's CSV columns).
Certificates past their BR 4.9.1.1 deadline are a separate incident (a delayed revocation), as
the CCADB asks: `<lint>.delayed-revocation.*`, the same three files. `README.md` indexes them.

What only people know (why it happened, when issuance stopped, what will be done) is a clearly
marked `[TO BE COMPLETED BY THE CA: ...]` blank. Certificate text is attacker-controlled: in the
Markdown it is escaped so that it renders as text (no HTML, links or emphasis), and in the CSV a
cell that a spreadsheet would read as a formula is prefixed with an apostrophe.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from audit import __version__
from audit.engine import profiles
from audit.engine.registry import SOURCE_TITLES
from audit.engine.status import Status
from audit.outputs.reader import RunDirectory
from audit.outputs.runjson import parse_time
from audit.report.lists import CSV_SCHEMA, READ, by_lint, crtsh_links, csv_rows, file_stem
from audit.report.summary import REVOCATION_DAYS, LintFindings, Summary, summarize
from audit.report.text import utc, visible

DEFAULT_MIN_STATUS = "error"  # warnings and notices are not misissuance
INDEX = "README.md"
MISISSUANCE_KIND = "misissuance"
DELAYED = "delayed revocation"  # certificates past their BR 4.9.1.1 deadline: its own incident
PRELIMINARY_HOURS = 72  # CCADB: a preliminary report within 72 hours of becoming aware
FULL_REPORT_DAYS = 14  # CCADB: the full report within two weeks of the preliminary one
BLANK = "[TO BE COMPLETED BY THE CA"
# S/MIME, code-signing and other certificates are not logged to CT: no crt.sh link for them.
NOT_LOGGED = frozenset(str(p) for p in profiles.OUTSIDE_TLS)
_KEPT = 1000  # distinct messages (issuers) counted per problem: a bound on memory
_SERIAL = re.compile(r"[0-9A-Fa-f:]{1,128}")
_HEX64 = re.compile(r"[0-9a-f]{64}")


def blank(what: str) -> str:
    return f"{BLANK}: {what}]"


@dataclass
class IncidentDraft:
    lint: str
    kind: str  # MISISSUANCE_KIND or DELAYED
    full: Path
    preliminary: Path
    csv: Path
    certificates: int
    deadline: datetime | None  # the earliest revocation deadline (the report's, per lint)
    past_deadline: int  # certificates past their deadline at the end of the run (the report's)


@dataclass
class _Listing:
    """One draft's certificates, written as they stream by: the CSV and the appendix lines."""

    csv_path: Path
    writer: pacsv.CSVWriter | None = None
    lines: IO[str] | None = None
    rows: int = 0

    def add(self, rows: pa.Table, spool: Path) -> None:
        if not rows.num_rows:
            return
        if self.writer is None:
            self.writer = pacsv.CSVWriter(self.csv_path, CSV_SCHEMA)
            self.lines = (spool / f"{self.csv_path.name}.lines").open("w+", encoding="utf-8")
        self.writer.write_table(csv_rows(rows))
        assert self.lines is not None
        for line in _appendix_lines(rows):
            self.lines.write(line + "\n")
        self.rows += rows.num_rows

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        else:
            pacsv.write_csv(CSV_SCHEMA.empty_table(), self.csv_path)

    def appendix(self) -> str:
        if self.lines is None:
            return ""
        self.lines.seek(0)
        text = self.lines.read()
        self.lines.close()
        return text


@dataclass
class _Problem:
    finding: LintFindings
    stem: str
    affected: _Listing
    late: _Listing
    messages: Counter[str] = field(default_factory=Counter)
    issuers: Counter[str] = field(default_factory=Counter)


def write_incident_drafts(
    run: Path | Summary, out_dir: Path, *, min_status: str = DEFAULT_MIN_STATUS
) -> list[IncidentDraft]:
    """Write the drafts of a finished run (or of its summary, already computed) into `out_dir`.

    The findings are streamed once, dated as the report dates them (`Ledger.batches`), and
    each lint's rows appended to its CSV and appendix: memory does not grow with the run."""
    summary = run if isinstance(run, Summary) else summarize(RunDirectory.open(Path(run)))
    out_dir = Path(out_dir)
    floor = Status.parse(min_status)
    wanted = [s.label for s in Status if s >= floor and s.is_finding]
    out_dir.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    problems: dict[str, _Problem] = {}
    for x in summary.lints:
        if any(x.by_status.get(s) for s in wanted):
            stem = file_stem(x.name, used)
            problems[x.name] = _Problem(
                x,
                stem,
                _Listing(out_dir / f"{stem}.csv"),
                _Listing(out_dir / f"{stem}.delayed-revocation.csv"),
            )
    ledger = summary.ledger
    assert ledger is not None
    drafts: list[IncidentDraft] = []
    with tempfile.TemporaryDirectory(prefix=".certcensus-incidents-") as spool_dir:
        spool = Path(spool_dir)
        try:
            if problems:
                batches = ledger.batches(summary.run, READ)
                for lint, rows in by_lint(batches):
                    problem = problems.get(lint)
                    if problem is None:
                        continue
                    rows = rows.filter(pc.is_in(rows["status"], pa.array(wanted, pa.string())))
                    problem.affected.add(rows, spool)
                    problem.late.add(rows.filter(rows["past_deadline"]), spool)
                    _count(problem.messages, rows, "message")
                    _count(problem.issuers, rows, "issuer")
        finally:
            for problem in problems.values():
                problem.affected.close()
                problem.late.close()
        for problem in problems.values():
            drafts.append(_write(summary, problem, MISISSUANCE_KIND, out_dir, wanted))
            if problem.finding.past_deadline:
                drafts.append(_write(summary, problem, DELAYED, out_dir, wanted))
            else:
                problem.late.csv_path.unlink(missing_ok=True)
    (out_dir / INDEX).write_text(_index(summary, drafts, min_status), encoding="utf-8")
    return drafts


def _count(counter: Counter[str], rows: pa.Table, column: str) -> None:
    """Count the rows' distinct values of `column` (at most _KEPT of them; the rest uncounted)."""
    counted = rows.group_by(column).aggregate([(column, "count")]).to_pylist()
    for row in counted:
        value = row[column] or ""
        if value in counter or len(counter) < _KEPT:
            counter[value] += row[f"{column}_count"]


def _appendix_lines(rows: pa.Table) -> list[str]:
    """One line per certificate: its crt.sh link, or, for a certificate that is not TLS (S/MIME
    may hold personal data and is not in CT) or stored bytes that are not a certificate, its
    serial and SHA-256. Only checked hex reaches these lines (they sit in a code block)."""
    links = crtsh_links(rows).to_pylist()
    lines = []
    for link, profile, serial, sha256, cert_id in zip(
        links,
        rows["profile"].to_pylist(),
        rows["serial"].to_pylist(),
        rows["sha256"].to_pylist(),
        rows["cert_id"].to_pylist(),
        strict=True,
    ):
        if link and profile not in NOT_LOGGED:
            lines.append(link)
            continue
        shown_serial = serial if serial and _SERIAL.fullmatch(serial) else "(none)"
        digest = (sha256 or "").lower()
        shown_sha = digest if _HEX64.fullmatch(digest) else "(none)"
        note = "" if link else f" (not a certificate; database key {_plain(cert_id)})"
        lines.append(f"serial {shown_serial} sha256 {shown_sha}{note}")
    return lines


def _plain(value: object) -> str:
    """A database key inside a code block: only characters that cannot end or escape it."""
    return re.sub(r"[^A-Za-z0-9_.:-]", "_", str(value))[:80]


# -- the drafts --------------------------------------------------------------------------------


@dataclass
class _Facts:
    """What one draft says, from the summary."""

    summary: Summary
    finding: LintFindings
    kind: str
    certificates: int
    by_status: dict[str, int]

    @property
    def run_id(self) -> str:
        return self.summary.run_id

    @property
    def as_of(self) -> datetime | None:
        return parse_time(self.summary.meta.get("as_of"))

    @property
    def end(self) -> datetime | None:
        return self.summary.discovered_at

    @property
    def aware(self) -> datetime | None:
        """When the CA became aware: the run that first saw the finding (for a delayed
        revocation, when the earliest deadline passed)."""
        if self.kind == DELAYED:
            return self.finding.deadline
        return self.finding.first_seen or self.end

    @property
    def judged(self) -> str:
        return f"judged at the end of run {code(self.run_id)}, {utc(self.end)}"


def _write(
    summary: Summary, problem: _Problem, kind: str, out_dir: Path, wanted: list[str]
) -> IncidentDraft:
    x = problem.finding
    late = kind == DELAYED
    listing = problem.late if late else problem.affected
    stem = problem.stem + (".delayed-revocation" if late else "")
    by_status = {s: n for s, n in x.by_status.items() if s in wanted}
    count = x.past_deadline if late else sum(by_status.values())
    facts = _Facts(summary, x, kind, count, by_status)
    full = out_dir / f"{stem}.md"
    preliminary = out_dir / f"{stem}.preliminary.md"
    full.write_text(_full(facts, problem, listing), encoding="utf-8")
    preliminary.write_text(_preliminary(facts, full.name), encoding="utf-8")
    return IncidentDraft(x.name, kind, full, preliminary, listing.csv_path, count, x.deadline,
                         x.past_deadline)  # fmt: skip


def _title(f: _Facts) -> str:
    description = md(f.finding.description or f.finding.name)
    if f.kind == DELAYED:
        return f"[CA NAME]: Delayed revocation: {description}"
    return f"[CA NAME]: {description}"


def _header(f: _Facts, what: str) -> list[str]:
    x = f.finding
    return [
        f"<!-- certcensus {what} for lint {_plain(x.name)}, run {_plain(f.run_id)} -->",
        f"# {_title(f)}",
        "",
        f"> **DRAFT {what}** written by certcensus {__version__} from self-audit run "
        f"{code(f.run_id)}, in the CCADB incident report format (version 2.0). Everything "
        f"not marked `{BLANK}: ...]` was filled in from the run and agrees with its report; "
        "each such blank needs a person before this report is filed.",
        "",
    ]


def _key_facts(f: _Facts, listing: _Listing) -> list[str]:
    x, s = f.finding, f.summary
    source = SOURCE_TITLES.get(x.source, x.source or "")  # type: ignore[call-overload]
    lines = [
        f"- **Problem (lint):** {code(x.name)}: {md(x.description or x.name)}",
        f"- **Requirement:** {md(x.citation or '(not recorded)')}"
        + (f" ({md(source)})" if source else ""),
        f"- **Certificates active at the as-of time, all audited:** {s.population:,} at "
        f"{utc(f.as_of)}",
    ]
    if f.kind == DELAYED:
        lines.append(f"- **Certificates past their revocation deadline:** {f.certificates:,}")
        lines.append(
            f"- **Original incident:** {x.misissued:,} certificates with this problem "
            f"(see `{listing.csv_path.name.replace('.delayed-revocation', '')}`)"
        )
    else:
        lines.append(f"- **Affected certificates:** {f.certificates:,}")
        lines.append(
            f"- **First affected certificate issued (notBefore):** {utc(x.first_not_before)}"
        )
        lines.append(
            f"- **Last affected certificate issued (notBefore):** {utc(x.last_not_before)}"
        )
        lines.append(f"- **Past the revocation deadline:** {x.past_deadline:,}")
    lines.append(f"- **Revocation deadline (BR 4.9.1.1, earliest):** {utc(x.deadline)}")
    lines.append(
        f"- **Deadlines:** {REVOCATION_DAYS} days from when the finding was first seen; "
        f"whether one has passed is {f.judged}"
    )
    lines.append(
        f"- **Revoked after the as-of time (issuance database), of the {x.certificates:,} "
        f"certificates with this finding:** {x.revoked:,}"
    )
    return [*lines, ""]


def _preliminary(f: _Facts, full_name: str) -> str:
    x = f.finding
    due = f.aware + timedelta(hours=PRELIMINARY_HOURS) if f.aware else None
    out = _header(f, "preliminary incident report")
    if f.kind == DELAYED:
        what = (
            f"{f.certificates:,} certificates with the problem {code(x.name)} were not revoked by "
            f"their BR 4.9.1.1 deadline (the earliest {utc(x.deadline)}), {f.judged}."
        )
    else:
        what = (
            f"Our self-audit of all {f.summary.population:,} certificates active at "
            f"{utc(f.as_of)} found {f.certificates:,} certificates that {_fails(x)}, issued "
            f"from {utc(x.first_not_before)} to {utc(x.last_not_before)}. The finding was first "
            f"seen at {utc(f.aware)}; the BR 4.9.1.1 revocation deadline is {utc(x.deadline)}."
        )
    out += [
        f"Due within {PRELIMINARY_HOURS} hours of becoming aware ({utc(f.aware)}): by {utc(due)}.",
        "",
        "## Executive Summary",
        "",
        what,
        "",
        blank("what happened, in a few sentences, and the immediate response"),
        "",
        "## Date of the full report",
        "",
        blank(
            f"the date the full report ({full_name}) will be posted: no later than "
            f"{FULL_REPORT_DAYS} days after this preliminary report"
        ),
        "",
    ]
    return "\n".join(out)


def _fails(x: LintFindings) -> str:
    citation = f" ({md(x.citation)})" if x.citation else ""
    return f"fail the check {code(x.name)}{citation}"


def _full(f: _Facts, problem: _Problem, listing: _Listing) -> str:
    x, s = f.finding, f.summary
    late = f.kind == DELAYED
    out = _header(f, "incident report")
    w = out.append
    out += _key_facts(f, listing)

    w("## Summary")
    w("")
    w("- **CA Owner CCADB unique ID:** " + blank("your CCADB ID"))
    w(
        "- **Incident description:** "
        + (
            f"{f.certificates:,} certificates with the problem {code(x.name)} were not revoked "
            f"within the {REVOCATION_DAYS} days BR 4.9.1.1 allows. This is a separate incident "
            "from the misissuance itself, as the CCADB asks."
            if late
            else f"{f.certificates:,} certificates {_fails(x)}: {md(x.description or x.name)}"
        )
    )
    began = x.deadline if late else x.first_not_before
    w(
        f"- **Timeline summary:** non-compliance began {_minute(began)}; identified "
        f"{_minute(f.aware)}; ended " + blank("when")
    )
    citation = md(x.citation or "(not recorded)")
    w("- **Relevant policies:** " + (f"BR 4.9.1.1 (the problem: {citation})" if late else citation))
    w(f"- **Source of incident disclosure:** Self Reported (self-audit run {code(f.run_id)})")
    w("")
    w(blank("a short narrative of the incident"))
    w("")

    w("## Impact")
    w("")
    w(
        f"{f.certificates:,} of the {s.population:,} certificates active at {utc(f.as_of)} "
        + ("are past their revocation deadline and were not revoked by then." if late else "are affected.")
    )  # fmt: skip
    w("")
    if not late:
        w("By status: " + ", ".join(f"{st} {n:,}" for st, n in f.by_status.items()) + ".")
        w("")
        w("| Issuer | Certificates |")
        w("|---|---:|")
        for issuer, n in problem.issuers.most_common(10):
            w(f"| {md(issuer) or '(unknown)'} | {n:,} |")
        if len(problem.issuers) > 10:
            w(f"| … {len(problem.issuers) - 10:,} more issuers (see the CSV) | |")
        w("")
    w(blank("other impact: relying parties, subscribers, other products"))
    w("")

    w("## Timeline")
    w("")
    w("All times are UTC.")
    w("")
    w("| Date and time (UTC) | Event |")
    w("|---|---|")
    for moment, event in _timeline(f):
        w(f"| {moment} | {event} |")
    w("")

    w("## Root Cause Analysis")
    w("")
    w(f"What the check found ({md(x.citation or x.name)}), most frequent first:")
    w("")
    for message, n in problem.messages.most_common(5):
        w(f"- {n:,} × {md(message) or '(no message)'}")
    w("")
    if late:
        w(blank("why the certificates were not revoked in time"))
    else:
        w(
            blank(
                "how and why the certificates were issued this way, and how this avoided "
                "detection until now (pre-issuance linting, earlier audits)"
            )
        )
    w("")

    w("## Lessons Learned")
    w("")
    w("### What went well")
    w("")
    w(
        f"- The self-audit linted the whole active population ({s.population:,} certificates), "
        "not a sample."
    )
    w("- " + blank("what else went well"))
    w("")
    w("### What didn't go well")
    w("")
    w("- " + blank("what didn't go well"))
    w("")
    w("### Where we got lucky")
    w("")
    w("- " + blank("where you got lucky"))
    w("")

    w("## Action Items")
    w("")
    w("| Action Item | Kind | Due Date |")
    w("|---|---|---|")
    if late:
        w(f"| Revoke the {f.certificates:,} certificates past their deadline | Mitigate | {blank('date')} |")  # fmt: skip
    else:
        w(f"| Revoke the {f.certificates:,} affected certificates | Mitigate | {_minute(x.deadline)} (BR 4.9.1.1) |")  # fmt: skip
    w(f"| {blank('the fix that stops this issuance')} | Prevent | {blank('date')} |")
    w(f"| Lint every certificate before issuance with {code(x.name)}'s check | Detect | {blank('date')} |")  # fmt: skip
    w("")

    w("## Appendix")
    w("")
    w(
        f"The {_certificates(listing.rows)}, one crt.sh line each (serial and SHA-256 for "
        "certificates not logged to CT, such as S/MIME); the complete data (serial, SHA-256, "
        "issuer, subject, notBefore, notAfter, first seen, revocation deadline) is in "
        f"`{listing.csv_path.name}`."
    )
    w("")
    w("```text")
    out.append(listing.appendix().rstrip("\n"))
    w("```")
    w("")
    w(
        f"Evidence: run {code(f.run_id)}, population digest "
        f"{code((s.meta.get('population_digest') or {}).get('root'))}; each certificate's "
        "inclusion can be shown with `certcensus prove PACKAGE CERT`."
    )
    return "\n".join(out) + "\n"


def _timeline(f: _Facts) -> list[tuple[str, str]]:
    """Known events in order, then the ones only the CA can date."""
    x = f.finding
    events: list[tuple[datetime, str]] = []
    effective = parse_time((x.meta or {}).get("effective_date"))
    if effective:
        events.append((effective, f"The requirement ({md(x.citation)}) takes effect for certificates issued from then."))  # fmt: skip
    if f.kind != DELAYED and x.first_not_before:
        events.append((x.first_not_before, "Incident began: the first affected certificate was issued (notBefore)."))  # fmt: skip
    elif x.first_not_before:
        events.append((x.first_not_before, "The first certificate with the problem was issued (notBefore)."))  # fmt: skip
    if x.last_not_before:
        events.append((x.last_not_before, "The last affected certificate was issued (notBefore)."))
    if x.first_seen:
        who = f"self-audit run {code(x.first_seen_run)}" if x.first_seen_run else "self-audit"
        aware = "CA became aware: " if f.kind != DELAYED else ""
        events.append((x.first_seen, f"{aware}{who} first saw the finding (first seen)."))
    if x.deadline:
        text = f"BR 4.9.1.1 revocation deadline of the first affected certificates ({REVOCATION_DAYS} days)"
        if f.kind == DELAYED:
            text = f"Incident began, CA became aware: {text} passed without their revocation"
        events.append((x.deadline, text + "."))
    if f.end:
        events.append((f.end, f"Self-audit run {code(f.run_id)} finished: {x.misissued:,} certificates with the finding; {x.past_deadline:,} past their deadline."))  # fmt: skip
    rows = [(_minute(t), e) for t, e in sorted(events, key=lambda e: e[0])]
    rows += [
        (blank("YYYY-MM-DD HH:MM"), "Issuance of affected certificates stopped."),
        (blank("YYYY-MM-DD HH:MM"), "Issuance resumed."),
        (blank("YYYY-MM-DD HH:MM"), "Incident ended: the last affected certificate revoked."),
    ]
    return rows


def _minute(value: datetime | None) -> str:
    return utc(value, seconds=False) if value else blank("YYYY-MM-DD HH:MM")


def _index(summary: Summary, drafts: list[IncidentDraft], min_status: str) -> str:
    lines = [
        f"# Incident report drafts for run {code(summary.run_id)}",
        "",
        "In the CCADB incident report format (version 2.0): per problem with findings at "
        f"`{min_status}` or above, a preliminary report (due within {PRELIMINARY_HOURS} hours "
        "of becoming aware), a full report and the affected certificates as CSV; certificates "
        "past their BR 4.9.1.1 deadline are a separate incident (delayed revocation). "
        f"Counts and deadlines are the report's; whether a deadline has passed is judged at the "
        f"end of run {code(summary.run_id)}, {utc(summary.discovered_at)}. Written by "
        f"certcensus {__version__}.",
        "",
    ]
    if not drafts:
        return "\n".join([*lines, "No lint gave such findings: nothing to report.", ""])
    lines += [
        "| Lint | Incident | Certificates | Revocation deadline (BR 4.9.1.1) | Past the "
        "deadline | Full report | Preliminary report | Certificates (CSV) |",
        "|---|---|---:|---|---:|---|---|---|",
    ]
    for d in drafts:
        lines.append(
            f"| {code(d.lint)} | {d.kind} | {d.certificates:,} | {utc(d.deadline)} | "
            f"{d.past_deadline:,} | [{d.full.name}]({d.full.name}) | "
            f"[{d.preliminary.name}]({d.preliminary.name}) | [{d.csv.name}]({d.csv.name}) |"
        )
    return "\n".join([*lines, ""])


# -- text from certificates and the run, made safe --------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md(value: object) -> str:
    """Text for Markdown: rendered as the characters it holds, never as markup or HTML."""
    if value is None:
        return ""
    text = visible(str(value)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def code(value: object) -> str:
    """A Markdown code span: its content is never markup (a backtick run longer than any inside
    fences it); a table's cell separator is still escaped, as GFM tables require."""
    text = visible("" if value is None else str(value)).replace("|", "\\|")
    fence = "`" * (max((len(r) for r in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _certificates(n: int) -> str:
    return f"{n:,} certificate" + ("" if n == 1 else "s")
