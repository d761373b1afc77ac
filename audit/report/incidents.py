"""Incident report drafts: one Markdown file per distinct problem (lint), in the shape the Mozilla
root program asks for (its seven questions), filled with what the run knows, and beside each
the complete list of affected certificates as a CSV attachment.

What only a person can say (why it happened, what the CA is doing about it) is left as a
clearly marked `✍ TO BE COMPLETED` prompt. Certificate text is attacker-controlled: in the
Markdown it is escaped so that it renders as text (no HTML, links or emphasis), and in the CSV
a cell that a spreadsheet would read as a formula is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from audit import __version__
from audit.compare.runs import row_key
from audit.engine.registry import SOURCE_TITLES
from audit.engine.status import Status
from audit.outputs.parts import FINDINGS_DIR
from audit.outputs.runjson import CATALOGUE_JSON, parse_time, read_run
from audit.outputs.scan import batches
from audit.outputs.schemas import FINDINGS
from audit.report.summary import REVOCATION_DAYS  # BR 4.9.1.1, as in the report

# The Mozilla incident report's seven questions, in its own words.
QUESTIONS = (
    "How your CA first became aware of the problem (e.g. via a problem report submitted to your "
    "Problem Reporting Mechanism, a discussion in mozilla.dev.security.policy, a Bugzilla bug, or "
    "internal self-audit), and the time and date.",
    "A timeline of the actions your CA took in response. A timeline is a date-and-time-stamped "
    "sequence of all relevant events. This may include events before the incident was reported, "
    "such as when a particular requirement became applicable, or a document changed, or a bug was "
    "introduced, or an audit was done.",
    "Whether your CA has stopped, or has not yet stopped, issuing certificates with the problem. "
    "A statement that you have will be considered a pledge to the community; a statement that "
    "you have not requires an explanation.",
    "A summary of the problematic certificates. For each problem: number of certs, and the date "
    "the first and last certs with that problem were issued.",
    "The complete certificate data for the problematic certificates. The recommended way to "
    "provide this is to ensure each certificate is logged to CT and then list the fingerprints "
    "or crt.sh IDs, either in the report or as an attached spreadsheet, with one list per "
    "distinct problem.",
    "Explanation about how and why the mistakes were made or bugs introduced, and how they "
    "avoided detection until now.",
    "List of steps your CA is taking to resolve the situation and ensure such issuance will not "
    "be repeated in the future, accompanied with a timeline of when your CA expects to "
    "accomplish these things.",
)
TITLES = (
    "How the problem was found",
    "Timeline",
    "Whether issuance with the problem has stopped",
    "Summary of the problematic certificates",
    "Complete certificate data",
    "Explanation",
    "Steps to resolve and prevent it",
)
PROMPT = "✍ **TO BE COMPLETED BY THE CA:**"
DEFAULT_MIN_STATUS = "error"  # warnings and notices are not misissuance
LIST_IN_DRAFT = 25  # certificates listed in the draft itself; all of them are in the CSV
INDEX = "README.md"
CSV_COLUMNS = [
    "sha256", "crtsh", "serial", "issuer", "subject", "not_before", "not_after", "status",
    "message", "cert_id", "profile", "first_seen", "first_seen_run", "revocation_deadline",
    "revoked_at",
]  # fmt: skip
_READ = [
    "cert_id", "sha256", "serial", "issuer", "subject", "not_before", "not_after", "profile",
    "lint", "status", "message", "revoked_at", "decoded",
]  # fmt: skip
_HEX64 = re.compile(r"[0-9a-f]{64}")
_MESSAGES_KEPT = 1000  # distinct messages counted per problem; the rest are only counted


@dataclass
class IncidentDraft:
    lint: str
    markdown: Path
    csv: Path
    certificates: int
    deadline: datetime  # the earliest revocation deadline among the affected certificates


@dataclass
class _Problem:
    """One lint's affected certificates, accumulated batch by batch."""

    lint: str
    meta: dict[str, Any]
    csv_path: Path
    writer: Any = None
    handle: Any = None
    count: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    issuers: Counter[str] = field(default_factory=Counter)
    profiles: Counter[str] = field(default_factory=Counter)
    messages: Counter[str] = field(default_factory=Counter)
    first_issued: datetime | None = None
    last_issued: datetime | None = None
    revoked: int = 0
    seen_earlier: int = 0  # first seen in an earlier run than this one
    first_seen: datetime | None = None
    first_seen_run: str | None = None
    deadline: datetime | None = None
    past_deadline: int = 0
    listed: list[dict[str, Any]] = field(default_factory=list)


def write_incident_drafts(
    run_dir: Path,
    out_dir: Path,
    *,
    min_status: str = DEFAULT_MIN_STATUS,
    now: datetime | None = None,
) -> list[IncidentDraft]:
    """Write a draft and a CSV per lint with findings at `min_status` or above, and an index.

    First-seen dates come from the run's `first_seen.parquet` when it has one (a run made with
    `--baseline`); otherwise every finding counts as discovered when this run finished.
    """
    run_dir, out_dir = Path(run_dir), Path(out_dir)
    run = read_run(run_dir)
    now = now or datetime.now(UTC)
    discovered = parse_time(run.get("finished_at")) or now
    catalogue = {m.get("name"): m for m in _catalogue(run_dir)}
    floor = Status.parse(min_status)
    wanted = [s.label for s in Status if s >= floor and s.is_finding]
    selected = ds.field("status").isin(wanted)
    out_dir.mkdir(parents=True, exist_ok=True)

    problems: dict[str, _Problem] = {}
    names: set[str] = set()
    dataset = ds.dataset(run_dir / FINDINGS_DIR, format="parquet", schema=FINDINGS)
    reported = pc.unique(dataset.to_table(columns=["lint"], filter=selected)["lint"])
    run_id = str(run.get("run_id"))
    seen = _ledger(run_dir, run_id, reported)
    try:
        for batch in batches(dataset, _READ, filter=selected):
            for row in batch.to_pylist():
                problem = problems.get(row["lint"])
                if problem is None:
                    stem = file_stem(row["lint"], names)
                    problem = problems[row["lint"]] = _Problem(
                        row["lint"], catalogue.get(row["lint"]) or {}, out_dir / f"{stem}.csv"
                    )
                    problem.handle = problem.csv_path.open("w", newline="", encoding="utf-8")
                    problem.writer = csv.writer(problem.handle)
                    problem.writer.writerow(CSV_COLUMNS)
                _add(problem, row, seen, discovered, run_id, now)
    finally:
        for problem in problems.values():
            problem.handle.close()

    drafts = []
    ordered = sorted(
        problems.values(), key=lambda p: (-max(Status.parse(s) for s in p.by_status), -p.count)
    )
    for problem in ordered:
        path = problem.csv_path.with_suffix(".md")
        path.write_text(_draft(problem, run, discovered, now), encoding="utf-8")
        assert problem.deadline is not None
        drafts.append(
            IncidentDraft(problem.lint, path, problem.csv_path, problem.count, problem.deadline)
        )
    (out_dir / INDEX).write_text(_index(drafts, run, min_status, now), encoding="utf-8")
    return drafts


def _add(
    p: _Problem,
    row: dict[str, Any],
    seen: dict[tuple[str, str], tuple[datetime, str]],
    discovered: datetime,
    run_id: str,
    now: datetime,
) -> None:
    key = row_key(row["sha256"], row["cert_id"])  # the ledger's key (compare.runs.cert_key)
    first, first_run = seen.get((key, p.lint), (discovered, run_id))
    deadline = first + timedelta(days=REVOCATION_DAYS)
    nb = row["not_before"]
    p.count += 1
    p.by_status[row["status"]] += 1
    p.issuers[row["issuer"] or "(unknown)"] += 1
    p.profiles[row["profile"] or "(unknown)"] += 1
    message = row["message"] or ""
    if message in p.messages or len(p.messages) < _MESSAGES_KEPT:
        p.messages[message] += 1
    if nb is not None:
        p.first_issued = nb if p.first_issued is None else min(p.first_issued, nb)
        p.last_issued = nb if p.last_issued is None else max(p.last_issued, nb)
    p.revoked += row["revoked_at"] is not None
    if first < discovered:
        p.seen_earlier += 1
    if p.first_seen is None or first < p.first_seen:
        p.first_seen, p.first_seen_run = first, first_run
    p.deadline = deadline if p.deadline is None else min(p.deadline, deadline)
    p.past_deadline += deadline < now
    fingerprint = (row["sha256"] or "").lower()
    # Bytes that are not a certificate have a hash but nothing in CT to link to.
    linkable = row.get("decoded") is not False and _HEX64.fullmatch(fingerprint)
    link = f"https://crt.sh/?sha256={fingerprint}" if linkable else ""
    p.writer.writerow(
        _cells(
            [
                row["sha256"], link, row["serial"], row["issuer"], row["subject"], _ts(nb),
                _ts(row["not_after"]), row["status"], message, row["cert_id"], row["profile"],
                _ts(first), first_run, _ts(deadline), _ts(row["revoked_at"]),
            ]
        )
    )  # fmt: skip
    p.listed.append(row | {"link": link})
    if len(p.listed) > 4 * LIST_IN_DRAFT:
        _trim(p)


def _trim(p: _Problem) -> None:
    """Keep the certificates with the earliest notBefore (undecodable ones, without one, last)."""
    far = datetime.max.replace(tzinfo=UTC)
    p.listed.sort(key=lambda r: (r["not_before"] or far, r["cert_id"]))
    del p.listed[LIST_IN_DRAFT:]


# -- the draft --------------------------------------------------------------------------------


def _draft(p: _Problem, run: dict[str, Any], discovered: datetime, now: datetime) -> str:
    _trim(p)
    meta = p.meta
    description = meta.get("description") or p.lint
    citation = meta.get("citation") or "(not recorded)"
    source = SOURCE_TITLES.get(meta.get("source"), meta.get("source") or "")  # type: ignore[call-overload]
    counts = run.get("counts") or {}
    catalogue = run.get("catalogue") or {}
    digest = run.get("population_digest") or {}
    run_id = run.get("run_id")
    deadline = p.deadline or discovered + timedelta(days=REVOCATION_DAYS)
    passed = " **(passed)**" if deadline < now else ""
    out: list[str] = []
    w = out.append

    w(f"<!-- certcensus incident draft for lint {_comment(p.lint)}, run {_comment(run_id)} -->")
    w(f"# ✍ [CA NAME]: {md(description)}")
    w("")
    w(
        f"> **DRAFT** written by certcensus {__version__} on {_ts(now)} from self-audit run "
        f"{code(run_id)}. Everything not marked {PROMPT} was filled in from the run; "
        "each such prompt needs a person before this report is filed."
    )
    w("")
    w(f"- **Problem (lint):** {code(p.lint)}: {md(description)}")
    w(f"- **Requirement:** {md(citation)}" + (f" ({md(source)})" if source else ""))
    if meta.get("effective_date"):
        w(f"- **Requirement effective for certificates issued from:** {md(meta['effective_date'])}")
    w(f"- **Affected certificates:** {p.count:,} (complete list: `{p.csv_path.name}`)")
    w(
        f"- **Revocation deadline (BR 4.9.1.1, {REVOCATION_DAYS} days from discovery):** "
        f"{_ts(deadline)}{passed}"
    )
    w("")

    w(_question(1))
    w(
        f"Found by internal self-audit: certcensus run {code(run_id)} linted all "
        f"{_n(counts.get('scanned'))} certificates active at {_ts(parse_time(run.get('as_of')))} "
        f"(of {_n(counts.get('active_in_database'))} active in the issuance database), with lint "
        f"catalogue {md(catalogue.get('version'))} (digest {code(str(catalogue.get('digest'))[:16])}). "
        f"The run finished, and the problem was found, at {_ts(discovered)}."
    )
    if p.seen_earlier:
        w("")
        w(
            f"{p.seen_earlier:,} of these certificates already had this finding in an earlier "
            f"self-audit: first seen at {_ts(p.first_seen)} in run {code(p.first_seen_run)}."
        )
    w("")
    w(
        f"> {PROMPT} was the problem known earlier (a problem report, a Bugzilla bug, a post to "
        "mozilla.dev.security.policy, an earlier audit)? If so, give that date and time here."
    )
    w("")

    w(_question(2))
    w("| Date and time (UTC) | Event |")
    w("|---|---|")
    events: list[tuple[datetime, str]] = []
    if effective := parse_time(meta.get("effective_date")):
        events.append((effective, f"The requirement ({md(citation)}) takes effect."))
    if p.first_issued:
        events.append((p.first_issued, "First affected certificate issued (notBefore)."))
    if p.last_issued:
        events.append((p.last_issued, "Last affected certificate issued (notBefore)."))
    if p.seen_earlier and p.first_seen:
        events.append((p.first_seen, f"First seen by self-audit run {code(p.first_seen_run)}."))
    events.append((discovered, f"Self-audit run {code(run_id)} finishes: {_certs(p.count)} found."))
    events.append((deadline, f"BR 4.9.1.1 revocation deadline{passed}."))
    for moment, event in sorted(events, key=lambda e: e[0]):
        w(f"| {_ts(moment)} | {event} |")
    w("")
    w(
        f"> {PROMPT} add when the cause was introduced, when issuance was stopped, when the "
        "subscribers were told, and when the certificates were revoked."
    )
    w("")

    w(_question(3))
    if p.last_issued:
        as_of = parse_time(run.get("as_of"))
        ago = (
            f" ({(as_of - p.last_issued).days} days before the audit's as-of time)" if as_of else ""
        )
        w(f"The most recent affected certificate was issued {_ts(p.last_issued)}{ago}.")
        w(
            "The audit covers the certificates active at its as-of time; later issuance is not covered."
        )
    w("")
    w(
        f"> {PROMPT} state whether issuance with this problem has stopped, and since when "
        "(a pledge), or why it has not."
    )
    w("")

    w(_question(4))
    w("| Problem | Certificates | First issued (notBefore) | Last issued (notBefore) |")
    w("|---|---:|---|---|")
    w(f"| {code(p.lint)} | {p.count:,} | {_ts(p.first_issued)} | {_ts(p.last_issued)} |")
    w("")
    w("By status: " + ", ".join(f"{s} {n:,}" for s, n in p.by_status.most_common()) + ".")
    w("")
    w("| Issuer | Certificates |")
    w("|---|---:|")
    for issuer, n in p.issuers.most_common(10):
        w(f"| {md(issuer)} | {n:,} |")
    if len(p.issuers) > 10:
        w(f"| … {len(p.issuers) - 10} more issuers (see the CSV) | |")
    w("")
    w("By profile: " + ", ".join(f"{md(k)} {n:,}" for k, n in p.profiles.most_common()) + ".")
    w("")

    w(_question(5))
    w(
        f"All {_certs(p.count)} are listed in the attached `{p.csv_path.name}`: SHA-256 "
        "fingerprint, crt.sh link, serial, issuer, subject, notBefore, notAfter and what the "
        f"check found. The first {min(p.count, LIST_IN_DRAFT)} by notBefore:"
    )
    w("")
    for row in p.listed:
        w("- " + _listed(row))
    if p.count > len(p.listed):
        w(f"- … and {p.count - len(p.listed):,} more in `{p.csv_path.name}`.")
    w("")
    w(
        f"> {PROMPT} confirm that every certificate is logged to CT (each crt.sh link resolves) "
        "and attach the CSV to the bug."
    )
    w("")

    w(_question(6))
    w(f"What the check found ({md(citation)}), most frequent first:")
    w("")
    for message, n in p.messages.most_common(5):
        w(f"- {n:,} × {md(message) or '(no message)'}")
    w("")
    w(
        f"> {PROMPT} how and why the certificates were issued this way, and how this avoided "
        "detection until now (pre-issuance linting, earlier audits)."
    )
    w("")

    w(_question(7))
    w(
        f"Revocation deadline under BR 4.9.1.1: {_ts(deadline)}{passed}. "
        f"Already revoked according to the issuance database: {p.revoked:,} of {p.count:,}."
    )
    if p.past_deadline:
        w(f"At {_ts(now)}, {p.past_deadline:,} of them are past their deadline.")
    w("")
    w(
        f"> {PROMPT} the revocation plan, the fix, and the steps that keep this from happening "
        "again, each with its date."
    )
    w("")
    w("---")
    w(
        f"Evidence: run {code(run_id)}, population digest {md(digest.get('algorithm'))} root "
        f"{code(digest.get('root'))} over {_n(digest.get('leaves'))} certificates; each affected "
        "certificate's inclusion can be shown with `certcensus prove PACKAGE CERT`."
    )
    return "\n".join(out) + "\n"


def _index(drafts: list[IncidentDraft], run: dict[str, Any], min_status: str, now: datetime) -> str:
    lines = [
        f"# Incident report drafts for run {code(run.get('run_id'))}",
        "",
        f"One draft per lint with findings at `{min_status}` or above; each with the complete "
        "list of affected certificates as a CSV beside it. Written "
        f"{_ts(now)} by certcensus {__version__}.",
        "",
    ]
    if not drafts:
        return "\n".join([*lines, "No lint gave such findings: nothing to report.", ""])
    lines += ["| Lint | Certificates | Revocation deadline | Draft | Certificates (CSV) |"]
    lines += ["|---|---:|---|---|---|"]
    for d in drafts:
        passed = " (passed)" if d.deadline < now else ""
        lines.append(
            f"| {code(d.lint)} | {d.certificates:,} | {_ts(d.deadline)}{passed} | "
            f"[{d.markdown.name}]({d.markdown.name}) | [{d.csv.name}]({d.csv.name}) |"
        )
    return "\n".join([*lines, ""])


def _question(n: int) -> str:
    return f"## {n}. {TITLES[n - 1]}\n\n*{QUESTIONS[n - 1]}*\n"


def _listed(row: dict[str, Any]) -> str:
    if row["link"]:  # a checked 64-digit hex fingerprint: safe inside the link
        head = f"[`{row['sha256']}`]({row['link']})"
    elif row["sha256"]:
        head = f"{code(row['sha256'])} (stored bytes, not a certificate; database key {code(row['cert_id'])})"
    else:
        head = f"no SHA-256 (database key {code(row['cert_id'])})"
    return (
        f"{head} serial {code(row['serial'])}, notBefore {_ts(row['not_before'])}, "
        f"subject {md(row['subject']) or '(none)'}"
    )


# -- text from certificates and the run, made safe --------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def visible(text: str) -> str:
    """Invisible and direction-changing characters as a visible `⟨U+XXXX⟩` marker."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"⟨U+{ord(ch):04X}⟩" for ch in text)


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


def _comment(value: object) -> str:
    return re.sub(r"[^A-Za-z0-9_.:-]", "_", str(value))


def _cells(values: list[Any]) -> list[str]:
    """CSV cells; one that a spreadsheet would run as a formula starts with an apostrophe."""
    cells = []
    for v in values:
        text = "" if v is None else str(v)
        cells.append("'" + text if text.startswith(_FORMULA_START) else text)
    return cells


def file_stem(lint: str, used: set[str]) -> str:
    """A file name stem for a lint's CSV list: its name made safe (at most 80 characters), and
    not yet in `used` even on a case-insensitive file system (then added to it). The report's
    lists (audit/report/render.py) are named the same way."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", lint).strip(".-")[:80] or "lint"
    name, n = stem, 1
    while name.lower() in used:
        n += 1
        name = f"{stem}-{n}"
    used.add(name.lower())
    return name


def _ts(value: datetime | None) -> str:
    if value is None:
        return ""
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _certs(n: int) -> str:
    return f"{n:,} certificate" + ("" if n == 1 else "s")


def _n(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else "?"


def _catalogue(run_dir: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads((run_dir / CATALOGUE_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [m for m in data if isinstance(m, dict)] if isinstance(data, list) else []


def _ledger(
    run_dir: Path, run_id: str, lints: pa.Array
) -> dict[tuple[str, str], tuple[datetime, str]]:
    """First-seen dates carried from a baseline for these lints' findings, when the run has them.

    Only the entries first seen in an earlier run: the others say "this run", the default. The
    ledger also holds every notice and warning, often one per certificate and lint, which a
    draft of errors never looks up."""
    from audit.compare.first_seen import FIRST_SEEN, ledger

    if not (run_dir / FIRST_SEEN).is_file() or not len(lints):
        return {}
    earlier = ds.field("lint").isin(lints) & (ds.field("first_seen_run") != run_id)
    table = ledger(run_dir, earlier).select(["cert_key", "lint", "first_seen", "first_seen_run"])
    return {
        (r["cert_key"], r["lint"]): (r["first_seen"], r["first_seen_run"])
        for r in table.to_pylist()
    }
