"""What the report says, computed from a finished run directory alone.

Reads the run through `audit.outputs.reader.RunDirectory`: `run.json`, `catalogue.json`, the
`certificates/` and `findings/` Parquet datasets and, when the run has one, its first-seen ledger
(`first_seen.parquet`, carried from `--baseline`). Each part file of both datasets is a task of
its own, run by the caller's `map` (here one after another, or on the run's dask cluster): it
streams its file batch by batch, aggregates each batch with Arrow (group_by) into small partial
tables and, for the report's CSV lists, writes each lint's rows of its file (`lists.csv_rows`).
The driver folds the partial tables in part-file order, so the summary is the same whatever
runs the tasks, and memory stays bounded however many millions of rows a run has: a task holds
one batch and its partials, the driver the partials. Only the capped per-lint lists of affected
certificates become Python objects. The ledger's findings first seen before this run (a run
without a baseline has none, and then needs no query) are joined to the findings once by the
query engine (`audit.outputs.sql`), which writes their dates split by findings part file: each
task reads its own file's (`Ledger.earlier`, `dated_part`).

Revocation deadlines follow BR 4.9.1.1: a certificate not issued in accordance with the
Requirements (a finding at `error` or `fatal`) is revoked within five days of the CA becoming
aware of it; the CA is aware from the end of the run that first saw the finding. Whether a
deadline has passed is judged at the end of *this* run, so the report says the same thing
however late it is rendered (and still matches an evidence manifest).

A run made with `--baseline` also gets what changed since the baseline run, per lint, from
`audit.compare.diff.lint_changes` (the per-lint table of `diff_runs`, counted by the query engine)
when the baseline directory recorded in run.json is readable.

The result (`Summary`) is plain data with no HTML in it, so that other outputs can share it:
a comparison with a baseline run, incident drafts, CSV lists and charts all start from here.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from audit.compare.first_seen import ledger_view
from audit.engine.profiles import FAMILY_TITLES, Family, family
from audit.engine.status import FINDING_STATUSES, Status
from audit.errors import InputError
from audit.outputs import sql
from audit.outputs.reader import KEY, RunDirectory, RunDirError, dataset
from audit.outputs.rules_date import RULES_AS_OF, unlike
from audit.outputs.scan import gathered, tables
from audit.outputs.schemas import CERTIFICATES, FINDINGS, TIMESTAMP
from audit.population.batch_gcd import Mapper, local_map
from audit.report.lists import CSV_SCHEMA, by_lint, csv_rows

__all__ = ["RunDirError", "Summary", "summarize"]

# Finding statuses, highest first: the order every table in the report uses.
STATUSES: tuple[str, ...] = tuple(s.label for s in sorted(FINDING_STATUSES, reverse=True))
DEFAULT_CAP = 200  # affected certificates listed per lint in the report
BATCH_ROWS = 32 * 1024  # rows per table the report reads at once (see _batches)
GROUP_ROWS = 64 * 1024  # rows of part files a task of the report reads (see _groups)
# BR 4.9.1.1: revoke within five days of becoming aware that a certificate was not issued in
# accordance with the Requirements. `error` (a MUST broken) and `fatal` (a certificate that cannot
# be parsed) are misissuance; warnings and notices are not (as in the incident drafts).
REVOCATION_DAYS = 5
MISISSUANCE: tuple[str, ...] = ("fatal", "error")

_HEX64 = re.compile(r"[0-9a-f]{64}")
# The columns of an affected-certificate row; only these are read for the per-lint lists.
_AFFECTED_COLUMNS = [
    "cert_id", "serial", "subject", "issuer", "not_before", "not_after", "sha256", "profile",
    "status", "message", "revoked_at", "decoded",
]  # fmt: skip
# What `Ledger.annotate` adds to each finding row.
_DATED_COLUMNS = ["first_seen", "first_seen_run", "deadline", "past_deadline"]
_ORDER = [("not_before", "ascending"), ("cert_id", "ascending")]
_FOLD_AT = 64  # partial aggregates held before they are summed into one
_PROFILE_KEYS = ["lint", "status", "profile"]
# What a findings task reads: the affected-certificate rows, the CSV lists' columns and more.
_FINDINGS_READ = ["lint", *_AFFECTED_COLUMNS, "source", "citation"]


def _rank(status: str) -> int:
    """Higher for worse statuses; a status this version does not know sorts lowest."""
    try:
        return int(Status.parse(status))
    except ValueError:
        return -1


def _batches(dataset: ds.Dataset, columns: list[str]) -> Iterator[pa.Table]:
    """The dataset's rows in tables of a few ten thousand, one file after another, with memory
    that does not grow with the number of files (see audit/outputs/scan.py)."""
    yield from tables(dataset, columns, rows=BATCH_ROWS)


# -- when each finding was first seen -------------------------------------------------------


@dataclass(frozen=True)
class Ledger:
    """The run's first-seen ledger, ready to date each finding row (see compare/first_seen.py).

    Only the findings first seen before this run need a date from it: every other finding was
    first seen by this run, at its discovery time. When there are any, the query engine joins
    those entries to the findings (see `batches`).
    """

    run_id: str
    discovered: datetime | None  # the end of this run: when it saw its own findings
    earlier_findings: int  # ledger entries first seen before this run (none without baseline)
    carried: dict[str, int]  # open findings of lints this run did not apply, per lint
    recorded: bool  # the run directory has a ledger

    @classmethod
    def open(cls, run: RunDirectory) -> Ledger:
        if run.ledger_file is None:
            return cls(run.run_id, run.discovered, 0, {}, False)
        with sql.connect() as con:
            ledger_view(con, run, "ledger")
            carried = sql.table(
                con,  # in the ledger's order, as the report lists them
                "SELECT lint, count(*) AS n FROM ledger WHERE carried GROUP BY lint "
                "ORDER BY min(_row)",
            )
            earlier = sql.table(
                con, f"SELECT count(*) AS n FROM ledger WHERE {_earlier_entries(run)}"
            )
        return cls(
            run.run_id,
            run.discovered,
            earlier["n"][0].as_py(),
            {r["lint"]: r["n"] for r in carried.to_pylist()},
            True,
        )

    def annotate(self, table: pa.Table, seen: pa.Array, seen_run: pa.Array) -> pa.Table:
        """Findings rows (with status and revoked_at) with `first_seen`, `first_seen_run`,
        `deadline` (misissuance only), `past_deadline` and `earlier` (first seen before this
        run) added; `seen` and `seen_run` are the earlier entries' date and run, null for a
        finding this run saw first."""
        earlier = pc.is_valid(seen)
        now = pa.scalar(self.discovered, TIMESTAMP)
        first = pc.fill_null(seen, now) if self.discovered is not None else seen
        misissued = pc.is_in(table["status"], pa.array(MISISSUANCE, pa.string()))
        due = pc.add(first, pa.scalar(timedelta(days=REVOCATION_DAYS)))
        deadline = pc.if_else(misissued, due, pa.scalar(None, TIMESTAMP))
        # Revoked by the deadline (after the as-of time, since the population was active then).
        in_time = pc.fill_null(pc.less_equal(table["revoked_at"], deadline), False)
        past = pc.fill_null(pc.and_(pc.less(deadline, now), pc.invert(in_time)), False)
        return (
            table.append_column("first_seen", first)
            .append_column("first_seen_run", pc.fill_null(seen_run, self.run_id))
            .append_column("deadline", deadline)
            .append_column("past_deadline", past)
            .append_column("earlier", earlier)
        )

    def batches(self, run: RunDirectory, columns: list[str]) -> Iterator[pa.Table]:
        """The run's findings with these columns, dated, batch by batch in the dataset's order
        (part file after part file, each dated as a report task dates it: `dated_part`)."""
        with self.earlier(run) as dates:
            for i, path in enumerate(run.finding_files):
                yield from dated_part(self, str(path), dates.get(i), columns)

    @contextlib.contextmanager
    def earlier(self, run: RunDirectory, under: Path | None = None) -> Iterator[dict[int, str]]:
        """The dates of the findings first seen before this run, split by findings part file:
        {place of the file in `run.finding_files`: a directory of Parquet files holding
        `_row` (the row's place in its file), `first_seen` and `first_seen_run`}. A file with
        no such finding has no entry; a run without earlier findings (no baseline) has none and
        needs no query. The directories are under `under` (the system's temporary directory
        when None; on a cluster, storage every worker reaches) and removed on exit.

        One query joins the findings' keys to the ledger and writes its rows partitioned by
        file, so that a task dating one part file reads its own rows' dates only. (A query per
        part file over the ledger instead would scan the whole ledger once per file: work
        growing with files x findings.)"""
        if not self.earlier_findings:
            yield {}
            return
        staging = Path(tempfile.mkdtemp(prefix=".certcensus-dates-", dir=under))
        try:
            written = staging / "dates"
            query = f"""
                COPY (
                    SELECT f._file, f._row, e.first_seen, e.first_seen_run
                    FROM findings f JOIN (
                        SELECT {KEY}, lint, min(first_seen) AS first_seen,
                            min(first_seen_run) AS first_seen_run
                        FROM ledger WHERE {_earlier_entries(run)} GROUP BY {KEY}, lint
                    ) e ON f.{KEY} = e.{KEY} AND f.lint = e.lint
                ) TO {sql.quote(str(written))} (FORMAT parquet, PARTITION_BY (_file))"""
            # (one entry per finding, whatever the ledger holds)
            with sql.connect(spill_under=under) as con:
                run.views(con)
                ledger_view(con, run, "ledger")
                sql.execute(con, query)
            yield {
                int(d.name.removeprefix("_file=")): str(d)
                for d in written.glob("_file=*")
                if d.is_dir()
            }
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def open_days(self, first_seen: datetime | None) -> int | None:
        """Whole days from first seen to the end of this run."""
        if first_seen is None or self.discovered is None:
            return None
        return max((self.discovered - first_seen).days, 0)


def dated_part(
    ledger: Ledger, path: str, dates: str | None, columns: list[str]
) -> Iterator[pa.Table]:
    """One findings part file's rows with these columns, dated by `ledger.annotate`, batch by
    batch in the file's order. `dates`: this file's earlier dates (see `Ledger.earlier`), None
    when every finding in it was first seen by this run."""
    needed = ["status", "revoked_at"]
    read = [*columns, *(c for c in needed if c not in columns)]
    earlier = _part_dates(dates) if dates is not None else None
    first = 0
    for table in _batches(dataset([Path(path)], FINDINGS), read):
        n = table.num_rows
        if earlier is None:
            seen, seen_run = pa.nulls(n, TIMESTAMP), pa.nulls(n, pa.string())
        else:
            rows = pa.array(range(first, first + n), pa.int64())
            at = pc.index_in(rows, value_set=earlier["_row"])  # null: first seen by this run
            seen, seen_run = earlier["first_seen"].take(at), earlier["first_seen_run"].take(at)
        yield ledger.annotate(table, seen, seen_run)
        first += n


def _part_dates(directory: str) -> pa.Table:
    """One part file's earlier dates, as `Ledger.earlier` wrote them (a few thousand rows)."""
    schema = pa.schema(
        [("_row", pa.int64()), ("first_seen", TIMESTAMP), ("first_seen_run", pa.string())]
    )
    # Each file read on its own: a dataset over the directory costs more than reading it.
    files = sorted(Path(directory).glob("*.parquet"))
    read = [pq.read_table(f, columns=schema.names).cast(schema) for f in files]
    return pa.concat_tables([schema.empty_table(), *read]).combine_chunks()


def _earlier_entries(run: RunDirectory) -> str:
    """SQL: a ledger entry of a finding of this run first seen before it."""
    if (discovered := run.discovered) is not None:
        return f"NOT carried AND first_seen < TIMESTAMPTZ {sql.quote(discovered.isoformat())}"
    # No time to compare with: a finding first seen in another run is earlier.
    return f"NOT carried AND first_seen_run <> {sql.quote(run.run_id)}"


# -- the shapes the report shows ------------------------------------------------------------


@dataclass
class StatusLine:
    """One finding status across the population, with what run.json recorded for it."""

    status: str
    certificates: int  # certificates with at least one finding at this status
    findings: int
    recorded_certificates: int | None = None
    recorded_findings: int | None = None

    @property
    def reconciles(self) -> bool:
        return self.recorded_certificates in (None, self.certificates) and (
            self.recorded_findings in (None, self.findings)
        )


@dataclass
class GroupLine:
    """Certificates of one issuer (or profile) and how many carry findings at each status."""

    key: str | None
    certificates: int
    with_status: dict[str, int]
    with_any: int  # certificates with at least one finding
    findings: int
    not_decoded: int = 0
    misissued: int = 0  # certificates with at least one `error` or `fatal` finding


@dataclass
class FamilyLine(GroupLine):
    """The certificates of one family (audit/engine/profiles.py: `Family`, several profiles
    each), counted as a GroupLine, with the lints that found something in them."""

    title: str = ""
    # (lint, its findings in this family) for the lints with `error` or `fatal` findings here,
    # in the report's order; and how many lints found only warnings, notices or info here.
    problems: list[tuple[LintFindings, int]] = field(default_factory=list)
    other_lints: int = 0


@dataclass
class AffectedCert:
    cert_id: str
    serial: str | None
    subject: str | None
    issuer: str | None
    not_before: datetime | None
    not_after: datetime | None
    sha256: str | None
    profile: str | None
    status: str
    message: str | None
    revoked_at: datetime | None = None  # after the as-of time (the population was active then)
    first_seen: datetime | None = None  # this finding, in this run or carried from a baseline
    first_seen_run: str | None = None
    deadline: datetime | None = None  # BR 4.9.1.1 revocation deadline (misissuance only)
    past_deadline: bool = False  # past it at the end of this run, and not revoked by then
    open_days: int | None = None  # from first seen to the end of this run
    decoded: bool | None = None  # False: the stored bytes are not a certificate

    @property
    def crtsh_sha256(self) -> str | None:
        """The fingerprint for a crt.sh link, only when it is a certificate's (64 hex digits of
        bytes that decode as a certificate: crt.sh has nothing else)."""
        value = (self.sha256 or "").lower()
        return value if self.decoded is not False and _HEX64.fullmatch(value) else None


@dataclass
class LintFindings:
    """Everything the report says about one lint that produced findings."""

    name: str
    certificates: int  # one finding row per (certificate, lint), so rows == certificates
    by_status: dict[str, int]
    first_not_before: datetime | None
    last_not_before: datetime | None
    citation: str | None
    source: str | None
    meta: dict[str, Any] | None  # its catalogue entry; None if the run did not record it
    affected: list[AffectedCert] = field(default_factory=list)  # capped, by notBefore
    anchor: str = ""
    first_seen: datetime | None = None  # the earliest first-seen date of its findings
    first_seen_run: str | None = None  # the run that saw that one
    seen_earlier: int = 0  # findings first seen before this run (carried from the baseline)
    deadline: datetime | None = None  # the earliest revocation deadline (misissuance only)
    past_deadline: int = 0  # certificates past their deadline at the end of this run
    revoked: int = 0  # certificates revoked since the as-of time
    open_days: int | None = None  # days open at the end of this run, since first_seen
    csv: str | None = None  # the complete list, relative to the report (set by render.py)
    # Its findings by certificate family, then status, in Family's order.
    families: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """The worst status this lint gave."""
        return max(self.by_status, key=_rank)

    @property
    def misissued(self) -> int:
        """Certificates whose finding is misissuance (a revocation deadline applies)."""
        return sum(n for s, n in self.by_status.items() if s in MISISSUANCE)

    @property
    def not_shown(self) -> int:
        return max(self.certificates - len(self.affected), 0)

    @property
    def description(self) -> str | None:
        return (self.meta or {}).get("description")


@dataclass
class ChangeLine:
    """One lint's findings in the baseline run against this run."""

    lint: str
    state: str  # compared, or the run that did not apply it (see compare/diff.py)
    old_findings: int
    new_findings: int
    new: int | None
    resolved: int | None  # None: not known (the baseline's findings could not be read)
    persisting: int | None
    not_run: int = 0
    old_version: int | None = None
    new_version: int | None = None
    anchor: str | None = None  # the lint's section in this report, if it has findings here

    @property
    def comparable(self) -> bool:
        return self.state == "compared"

    @property
    def version_changed(self) -> bool:
        return None not in (self.old_version, self.new_version) and (
            self.old_version != self.new_version
        )


@dataclass
class Changes:
    """What changed since the baseline run (`--baseline`), per lint."""

    baseline_run_id: str | None
    baseline_path: str | None
    baseline_as_of: str | None
    compared: bool  # True: from both runs' findings; False: from this run's ledger alone
    note: str | None  # why the comparison is partial, when it is
    lines: list[ChangeLine]
    carried: dict[str, int]  # open findings of lints this run did not apply (not re-checked)
    unlike: str | None = None  # the baseline was judged by other rules: not like for like

    def total(self, column: str) -> int | None:
        values = [getattr(x, column) for x in self.lines if x.comparable]
        return None if any(v is None for v in values) else sum(values)


@dataclass
class Summary:
    run: RunDirectory
    population: int  # rows of certificates/
    not_decoded: int
    certificates_with_findings: int
    statuses: list[StatusLine]
    by_issuer: list[GroupLine]
    by_profile: list[GroupLine]
    lints: list[LintFindings]  # worst status first, then most certificates
    by_family: list[FamilyLine]  # the families present, in Family's order
    cap: int
    discrepancies: list[str]  # where the Parquet outputs and run.json disagree
    run_id: str = ""
    discovered_at: datetime | None = None  # the end of the run: deadlines are judged then
    by_month: list[tuple[str, dict[str, int]]] = field(default_factory=list)  # by notBefore
    without_month: int = 0  # findings of certificates without a notBefore (undecodable)
    changes: Changes | None = None  # None: the run had no baseline
    ledger: Ledger | None = None  # dates the findings (for the CSV lists)
    certificates_misissued: int = 0  # certificates with an `error` or `fatal` finding
    certificates_past_deadline: int = 0  # certificates past a deadline (each counted once)
    # Each lint's CSV rows, a file per part file in their order (summarize(lists=...)).
    fragments: dict[str, list[str]] | None = None

    @property
    def problems(self) -> int:
        """Distinct problems: lints with an `error` or `fatal` finding."""
        return sum(1 for x in self.lints if x.misissued)

    @property
    def ledger_recorded(self) -> bool:
        """The run has first-seen dates (first_seen.parquet)."""
        return self.ledger is not None and self.ledger.recorded

    @property
    def past_deadline(self) -> int:
        return sum(x.past_deadline for x in self.lints)

    @property
    def misissued(self) -> int:
        return sum(x.misissued for x in self.lints)

    @property
    def meta(self) -> dict[str, Any]:
        return self.run.meta

    @property
    def catalogue(self) -> list[dict[str, Any]]:
        return self.run.catalogue

    @property
    def coverage(self) -> float | None:
        """Share of the active population that was scanned (1.0 is the whole of it)."""
        counts = self.meta.get("counts") or {}
        active = counts.get("active_in_database")
        if not isinstance(active, int) or active <= 0:
            return None
        return self.population / active


def summarize(
    run_dir: Path | RunDirectory,
    cap: int = DEFAULT_CAP,
    map: Mapper = local_map,  # noqa: A002 - the name the callers use
    *,
    lists: Path | None = None,
) -> Summary:
    """What the report says of the run (its run.json written: complete, or being published).

    Each part file is one task run by `map` (`local_map`: here, one after another;
    `rsa_moduli.cluster_map(client)`: on the dask cluster); the driver folds their small
    partial aggregates, in part-file order, so the result is the same whatever `map` is.
    `lists`: an existing directory every task reaches (on a cluster, the run's storage); the
    tasks write into it each lint's CSV rows of their part file (`Summary.fragments`, for
    `render.write_lists`), and their other files, removed before this returns. Without it no
    CSV row is written and the other files go to this machine's temporary directory.
    """
    run = run_dir if isinstance(run_dir, RunDirectory) else RunDirectory.read(run_dir)
    ledger = Ledger.open(run)
    groups = _certificate_groups(run, map)
    by_issuer = _group_lines(groups, "issuer")
    by_profile = _group_lines(groups, "profile")
    with tempfile.TemporaryDirectory(prefix=".certcensus-report-", dir=lists) as scratch:
        with ledger.earlier(run, Path(scratch)) as dates:
            files = [(i, str(path), dates.get(i)) for i, path in enumerate(run.finding_files)]
            parts = [
                _FindingsPart(n, tuple(group), ledger, cap, scratch, lists and str(lists))
                for n, group in enumerate(_groups(files, run.finding_files))
            ]
            partials = map(_findings_partial, parts)
        lints, findings_by_status, months, past = _lint_findings(partials, run, cap, ledger)
    fragments: dict[str, list[str]] = {}  # each lint's CSV rows, in part-file order
    for partial in partials:
        for lint, path in partial.fragments.items():
            fragments.setdefault(lint, []).append(path)
    by_family = _family_lines(by_profile, lints)

    population = sum(g.certificates for g in by_profile)
    with_status = {s: sum(g.with_status[s] for g in by_profile) for s in STATUSES}
    counts = run.meta.get("counts") or {}
    recorded_findings = counts.get("findings") or {}
    recorded_with = counts.get("certificates_with") or {}
    statuses = [
        StatusLine(
            status=s,
            certificates=with_status[s],
            findings=findings_by_status.get(s, 0),
            recorded_certificates=recorded_with.get(s),
            recorded_findings=recorded_findings.get(s),
        )
        for s in STATUSES
    ]
    summary = Summary(
        run=run,
        population=population,
        not_decoded=sum(g.not_decoded for g in by_profile),
        certificates_with_findings=sum(g.with_any for g in by_profile),
        statuses=statuses,
        by_issuer=by_issuer,
        by_profile=by_profile,
        lints=lints,
        by_family=by_family,
        cap=cap,
        discrepancies=[],
        run_id=ledger.run_id,
        discovered_at=ledger.discovered,
        ledger=ledger,
        certificates_misissued=sum(g.misissued for g in by_profile),
        certificates_past_deadline=len(past),
        fragments=fragments if lists is not None else None,
    )
    summary.by_month, summary.without_month = _months(months)
    summary.changes = _changes(run, lints, ledger)
    summary.discrepancies = _discrepancies(summary, counts)
    return summary


# -- certificates/: population by issuer and by profile --------------------------------------


def _certificate_groups(run: RunDirectory, map: Mapper) -> pa.Table:  # noqa: A002
    """Per (issuer, profile): certificates, those with a finding at each status, and more;
    each part file summed by a task of its own."""
    paths = run.certificate_files
    partials = map(_certificate_partial, list(_groups([str(p) for p in paths], paths)))
    if not partials:
        return _no_groups()
    return _sum_by(pa.concat_tables(partials), ["issuer", "profile"])


def _certificate_partial(paths: list[str]) -> pa.Table:
    """A task: a group of certificates part files' sums per (issuer, profile)."""
    n_cols = [f"n_{s}" for s in STATUSES]
    partials: list[pa.Table] = []
    for table in _batches(
        dataset([Path(p) for p in paths], CERTIFICATES), ["issuer", "profile", "decoded", *n_cols]
    ):
        cols: dict[str, pa.Array | pa.ChunkedArray] = {
            "issuer": table["issuer"],
            "profile": table["profile"],
            "certificates": pa.repeat(1, table.num_rows).cast(pa.int64()),
            "not_decoded": pc.equal(pc.fill_null(table["decoded"], True), False).cast(pa.int64()),
        }
        total = None
        for s, name in zip(STATUSES, n_cols, strict=True):
            n = pc.fill_null(table[name], 0).cast(pa.int64())
            cols[f"has_{s}"] = pc.greater(n, 0).cast(pa.int64())
            total = n if total is None else pc.add(total, n)
        cols["findings"] = total
        cols["has_any"] = pc.greater(total, 0).cast(pa.int64())
        misissued = [pc.fill_null(table[f"n_{s}"], 0) for s in MISISSUANCE]
        cols["has_misissued"] = pc.greater(pc.add(*misissued), 0).cast(pa.int64())
        partials.append(_sum_by(pa.table(cols), ["issuer", "profile"]))
    if not partials:
        return _no_groups()
    return _sum_by(pa.concat_tables(partials), ["issuer", "profile"])


def _no_groups() -> pa.Table:
    return pa.table(
        {"issuer": pa.array([], pa.string()), "profile": pa.array([], pa.string())}
        | {c: pa.array([], pa.int64()) for c in _group_sum_columns()}
    )


def _group_sum_columns() -> list[str]:
    return [
        "certificates", "not_decoded", *(f"has_{s}" for s in STATUSES), "findings", "has_any",
        "has_misissued",
    ]  # fmt: skip


def _sum_by(table: pa.Table, keys: list[str]) -> pa.Table:
    """Group by `keys`, summing every other column and keeping the column names."""
    values = [c for c in table.column_names if c not in keys]
    out = table.group_by(keys).aggregate([(c, "sum") for c in values])
    return out.rename_columns([c.removesuffix("_sum") for c in out.column_names])


def _group_lines(groups: pa.Table, key: str) -> list[GroupLine]:
    """The (issuer, profile) groups folded onto one key; most certificates first."""
    folded = _sum_by(groups.drop_columns(["profile" if key == "issuer" else "issuer"]), [key])
    lines = [
        GroupLine(
            key=row[key],
            certificates=row["certificates"],
            with_status={s: row[f"has_{s}"] for s in STATUSES},
            with_any=row["has_any"],
            findings=row["findings"],
            not_decoded=row["not_decoded"],
            misissued=row["has_misissued"],
        )
        for row in folded.to_pylist()
    ]
    lines.sort(key=lambda g: (-g.with_any, -g.certificates, g.key or ""))
    return lines


def _family_of(profile: str | None) -> Family:
    return family(profile or "unknown")


def _family_lines(by_profile: list[GroupLine], lints: list[LintFindings]) -> list[FamilyLine]:
    """The profiles' lines summed by family (a certificate has one profile, so one family),
    in Family's order, each with the lints that found something in it."""
    lines: dict[Family, FamilyLine] = {}

    def line_of(key: Family) -> FamilyLine:
        if key not in lines:
            empty = dict.fromkeys(STATUSES, 0)
            lines[key] = FamilyLine(str(key), 0, empty, 0, 0, title=FAMILY_TITLES[key])
        return lines[key]

    for g in by_profile:
        line = line_of(_family_of(g.key))
        line.certificates += g.certificates
        line.with_any += g.with_any
        line.findings += g.findings
        line.not_decoded += g.not_decoded
        line.misissued += g.misissued
        for s, n in g.with_status.items():
            line.with_status[s] = line.with_status.get(s, 0) + n
    for x in lints:  # in the report's order: worst first
        for key, by_status in x.families.items():
            line = line_of(Family(key))  # (a family certificates/ does not hold: shown anyway)
            misissued = sum(n for s, n in by_status.items() if s in MISISSUANCE)
            if misissued:
                line.problems.append((x, misissued))
            else:
                line.other_lints += 1
    return [lines[f] for f in Family if f in lines]


# -- findings/: per lint, with the first `cap` affected certificates -------------------------


@dataclass(frozen=True)
class _FindingsPart:
    """A task: consecutive findings part files (small and picklable, for a cluster's
    workers), each (its place in the run's findings files, its path, its findings first seen
    before this run: Ledger.earlier, if any)."""

    index: int  # the group's place among the groups: names its files
    files: tuple[tuple[int, str, str | None], ...]
    ledger: Ledger
    cap: int
    scratch: str  # where it writes its capped rows (a directory every task reaches)
    lists: str | None  # where it writes its CSV rows, a file per lint (None: not written)


@dataclass
class _FindingsPartial:
    """What one findings part file adds to the summary: small tables and file names."""

    counts: list[pa.Table]  # per (lint, status, source, citation): counts, dates, sums
    origins: list[pa.Table]  # per (lint, first_seen_run): the earliest first-seen date
    profiles: list[pa.Table]  # per (lint, status, profile): findings
    months: list[pa.Table]  # per (month of issuance, status): findings
    shown: str | None  # an Arrow IPC file of its `cap` earliest rows per lint
    past: list[str]  # the certificates (database keys) past a revocation deadline
    fragments: dict[str, str] = field(default_factory=dict)  # lint: its CSV rows, no header


_NO_HEADER = pacsv.WriteOptions(include_header=False)


def _findings_partial(part: _FindingsPart) -> _FindingsPartial:
    """A task: one findings part file, read batch by batch, aggregated into small tables; with
    `part.lists`, each lint's rows are also written as CSV (`lists.csv_rows`) into a file of its
    own, to be appended after the earlier part files' rows of that lint."""
    out = _FindingsPartial([], [], [], [], None, [])
    shown: pa.Table | None = None  # the `cap` earliest rows of each lint seen so far
    past: set[str] = set()
    writers: dict[str, pacsv.CSVWriter] = {}
    try:
        for table in _dated_tables(part):
            past.update(pc.unique(table.filter(table["past_deadline"])["cert_id"]).to_pylist())
            _aggregate(table, out)
            if len(out.profiles) > _FOLD_AT:  # bounded however many batches
                out.profiles = [_sum_by(pa.concat_tables(out.profiles), _PROFILE_KEYS)]
            if part.cap > 0:
                rows = table.select(["lint", *_AFFECTED_COLUMNS, *_DATED_COLUMNS])
                shown = rows if shown is None else pa.concat_tables([shown, rows])
                shown = _first_per_lint(shown, part.cap)
            if part.lists is not None:
                # The whole batch made CSV cells at once (each call costs the same however
                # few rows it sees), then split by lint.
                cells = csv_rows(table).append_column("lint", table["lint"])
                for lint, rows in by_lint([cells]):
                    writer = writers.get(lint)
                    if writer is None:
                        name = Path(part.lists) / f"{part.index:05d}-{len(writers)}.csv"
                        out.fragments[lint] = str(name)
                        writer = writers[lint] = pacsv.CSVWriter(
                            name, CSV_SCHEMA, write_options=_NO_HEADER
                        )
                    writer.write_table(rows.drop_columns(["lint"]))
    finally:
        for writer in writers.values():
            writer.close()
    if shown is not None and shown.num_rows:
        out.shown = str(Path(part.scratch) / f"shown-{part.index:05d}.arrow")
        with pa.OSFile(out.shown, "wb") as sink, pa.ipc.new_file(sink, shown.schema) as ipc:
            ipc.write_table(shown)  # Arrow's own format: read back without decoding
    out.past = sorted(past)
    return out


def _dated_tables(part: _FindingsPart) -> Iterator[pa.Table]:
    """The group's files' rows, dated, in their order, in tables of at least BATCH_ROWS: what
    each batch costs is paid per BATCH_ROWS rows, however small the files (a population
    findings part may hold a few rows)."""
    dated = (
        table
        for _, path, dates in part.files
        for table in dated_part(part.ledger, path, dates, _FINDINGS_READ)
    )
    yield from gathered(dated, BATCH_ROWS)


def _groups(items: list[Any], paths: list[Path]) -> Iterator[list[Any]]:
    """`items` (one per part file of `paths`) in consecutive groups of at least GROUP_ROWS
    rows (the files' own count): a task each, so that a task's fixed costs are paid per
    GROUP_ROWS rows, not per file."""
    group: list[Any] = []
    rows = 0
    for item, path in zip(items, paths, strict=True):
        group.append(item)
        rows += pq.ParquetFile(path).metadata.num_rows
        if rows >= GROUP_ROWS:
            yield group
            group, rows = [], 0
    if group:
        yield group


def _aggregate(table: pa.Table, out: _FindingsPartial) -> None:
    """Add one batch of dated findings to the partial aggregates."""
    counted = table.select(["lint", "status", "source", "citation", "cert_id", "not_before"])
    counted = counted.append_column("deadline", table["deadline"])
    for name in ("past_deadline", "earlier"):
        counted = counted.append_column(name, table[name].cast(pa.int64()))
    counted = counted.append_column("revoked", pc.is_valid(table["revoked_at"]).cast(pa.int64()))
    out.counts.append(
        counted.group_by(["lint", "status", "source", "citation"], use_threads=False).aggregate(
            [
                ("cert_id", "count"),
                ("not_before", "min"),
                ("not_before", "max"),
                ("deadline", "min"),
                ("past_deadline", "sum"),
                ("earlier", "sum"),
                ("revoked", "sum"),
            ]
        )
    )
    out.origins.append(
        table.select(["lint", "first_seen_run", "first_seen"])
        .group_by(["lint", "first_seen_run"], use_threads=False)
        .aggregate([("first_seen", "min")])
    )
    out.profiles.append(
        table.select(_PROFILE_KEYS)
        .group_by(_PROFILE_KEYS, use_threads=False)
        .aggregate([([], "count_all")])
    )
    nb = table["not_before"]
    month = pc.add(pc.multiply(pc.year(nb), 12), pc.subtract(pc.month(nb), 1))
    out.months.append(
        pa.table({"month": month.cast(pa.int64()), "status": table["status"]})
        .group_by(["month", "status"], use_threads=False)
        .aggregate([("status", "count")])
    )


def _lint_findings(
    partials: list[_FindingsPartial], run: RunDirectory, cap: int, ledger: Ledger
) -> tuple[list[LintFindings], dict[str, int], pa.Table | None, set[str]]:
    """The part files' partials (in the files' order) folded: per lint, counts, dates and its
    first `cap` certificates; findings by status; the findings by (month of issuance,
    status); and the certificates (database keys) past a revocation deadline, each once
    however many of its findings are."""
    past: set[str] = set()
    shown: pa.Table | None = None
    for partial in partials:
        past.update(partial.past)
        if partial.shown is not None:  # one part file's capped rows at a time
            with pa.OSFile(partial.shown) as source:
                rows = pa.ipc.open_file(source).read_all()
            shown = rows if shown is None else _first_per_lint(pa.concat_tables([shown, rows]), cap)
    counts = [t for p in partials for t in p.counts]
    if not counts:
        return [], {}, None, past
    profiles = [t for p in partials for t in p.profiles]
    origins = [t for p in partials for t in p.origins]
    months = [t for p in partials for t in p.months]

    catalogue = {str(m.get("name")): m for m in run.catalogue}
    lints: dict[str, LintFindings] = {}
    by_status: dict[str, int] = {}
    for row in pa.concat_tables(counts).to_pylist():
        name, status, count = row["lint"], row["status"], row["cert_id_count"]
        by_status[status] = by_status.get(status, 0) + count
        entry = lints.get(name)
        if entry is None:
            meta = catalogue.get(name)
            entry = lints[name] = LintFindings(
                name=name,
                certificates=0,
                by_status={},
                first_not_before=None,
                last_not_before=None,
                citation=(meta or {}).get("citation") or row["citation"],
                source=(meta or {}).get("source") or row["source"],
                meta=meta,
            )
        entry.certificates += count
        entry.by_status[status] = entry.by_status.get(status, 0) + count
        entry.first_not_before = _earliest(entry.first_not_before, row["not_before_min"])
        entry.last_not_before = _latest(entry.last_not_before, row["not_before_max"])
        entry.deadline = _earliest(entry.deadline, row["deadline_min"])
        entry.past_deadline += row["past_deadline_sum"] or 0
        entry.seen_earlier += row["earlier_sum"] or 0
        entry.revoked += row["revoked_sum"] or 0
    for row in _sum_by(pa.concat_tables(profiles), _PROFILE_KEYS).to_pylist():
        by_family = lints[row["lint"]].families.setdefault(str(_family_of(row["profile"])), {})
        by_family[row["status"]] = by_family.get(row["status"], 0) + row["count_all"]
    for row in pa.concat_tables(origins).to_pylist():
        entry = lints[row["lint"]]
        seen = row["first_seen_min"]
        if seen is not None and (
            entry.first_seen is None
            or (seen, row["first_seen_run"]) < (entry.first_seen, entry.first_seen_run or "")
        ):
            entry.first_seen, entry.first_seen_run = seen, row["first_seen_run"]

    ordered = sorted(lints.values(), key=lambda x: (-_rank(x.status), -x.certificates, x.name))
    per_lint = _split_by_lint(shown) if shown is not None else {}
    used: set[str] = set()
    for entry in ordered:
        entry.by_status = dict(sorted(entry.by_status.items(), key=lambda kv: -_rank(kv[0])))
        entry.families = {str(f): entry.families[f] for f in Family if f in entry.families}
        entry.anchor = _anchor(entry.name, used)
        entry.open_days = ledger.open_days(entry.first_seen)
        entry.affected = [
            AffectedCert(**r, open_days=ledger.open_days(r["first_seen"]))
            for r in per_lint.get(entry.name, [])
        ]
    return ordered, by_status, pa.concat_tables(months), past


def _months(months: pa.Table | None) -> tuple[list[tuple[str, dict[str, int]]], int]:
    """Findings per month of issuance (every month from the first to the last, so that a gap
    shows as a gap), and the findings without a notBefore."""
    if months is None or months.num_rows == 0:
        return [], 0
    folded = months.group_by(["month", "status"], use_threads=False).aggregate(
        [("status_count", "sum")]
    )
    per: dict[int, dict[str, int]] = {}
    without = 0
    for row in folded.to_pylist():
        if row["month"] is None:
            without += row["status_count_sum"]
            continue
        counts = per.setdefault(row["month"], {})
        counts[row["status"]] = counts.get(row["status"], 0) + row["status_count_sum"]
    if not per:
        return [], without
    out = []
    for m in range(min(per), max(per) + 1):
        out.append((f"{m // 12:04d}-{m % 12 + 1:02d}", per.get(m, {})))
    return out, without


def _first_per_lint(rows: pa.Table, cap: int) -> pa.Table:
    """Of each lint's rows, the `cap` with the earliest notBefore (rows without one last).

    One sort by (lint, notBefore, cert_id) instead of a filter per lint; the result is sorted.
    """
    order = pc.sort_indices(rows, sort_keys=[("lint", "ascending"), *_ORDER])
    runs = pc.run_end_encode(rows["lint"].take(order).combine_chunks())  # one run per lint
    keep, start = [], 0
    for end in runs.run_ends.to_pylist():
        keep.append(order.slice(start, min(end - start, cap)))
        start = end
    if not keep:
        return rows.slice(0, 0)
    return rows.take(pa.concat_arrays(keep))


def _split_by_lint(rows: pa.Table) -> dict[str, list[dict[str, Any]]]:
    """Python rows per lint (only the capped lists ever become Python objects)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows.to_pylist():
        out.setdefault(row.pop("lint"), []).append(row)
    return out


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


def _anchor(name: str, used: set[str]) -> str:
    """An HTML id for the lint's section: safe characters only, unique within the report."""
    base = "lint-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", name) or "x")
    anchor, n = base, 1
    while anchor in used:
        n += 1
        anchor = f"{base}-{n}"
    used.add(anchor)
    return anchor


# -- what changed since the baseline ---------------------------------------------------------


def _changes(run: RunDirectory, lints: list[LintFindings], ledger: Ledger) -> Changes | None:
    """The comparison with the baseline run that run.json names (`"baseline": {"run_id",
    "path"}`), or, if its directory cannot be read, what this run's ledger alone can say."""
    recorded = run.meta.get("baseline")
    if not isinstance(recorded, dict):
        if not ledger.earlier_findings and not ledger.carried:
            return None
        recorded = {}  # dates carried from an earlier run, but the run does not say which
    run_id = recorded.get("run_id") if isinstance(recorded.get("run_id"), str) else None
    path = recorded.get("path") if isinstance(recorded.get("path"), str) else None
    anchors = {x.name: x.anchor for x in lints}
    note = None
    if path:
        from audit.compare.diff import lint_changes

        try:
            # Per lint only, counted by the query engine: neither run's findings are held whole.
            baseline, _, by_lint = lint_changes(Path(path), run)
        except (InputError, OSError, ValueError, pa.ArrowException) as exc:
            note = f"the baseline run directory {path} could not be read ({exc})"
        else:
            lines = [
                ChangeLine(
                    lint=r["lint"],
                    state=r["state"],
                    old_findings=r["old_findings"],
                    new_findings=r["new_findings"],
                    new=r["new"],
                    resolved=r["resolved"],
                    persisting=r["persisting"],
                    not_run=r["not_run"],
                    old_version=r["old_version"],
                    new_version=r["new_version"],
                    anchor=anchors.get(r["lint"]),
                )
                for r in by_lint.to_pylist()
                if r["old_findings"] or r["new_findings"]
            ]
            return Changes(
                baseline_run_id=run_id or baseline.run_id,
                baseline_path=path,
                baseline_as_of=_text(baseline.meta.get("as_of")),
                compared=True,
                note=None,
                lines=_order(lines, lints),
                carried=ledger.carried,
                unlike=unlike(baseline.meta, run.meta),
            )
    elif recorded:
        note = "run.json does not record where the baseline run directory is"
    else:
        note = "first-seen dates are carried from an earlier run, but run.json names no baseline"
    # Only this run's ledger: new or seen before, per lint; resolved findings are not known.
    lines = [
        ChangeLine(
            lint=x.name,
            state="compared",
            old_findings=x.seen_earlier,
            new_findings=x.certificates,
            new=x.certificates - x.seen_earlier,
            resolved=None,
            persisting=x.seen_earlier,
            anchor=x.anchor,
        )
        for x in lints
    ]
    judged = unlike(recorded, run.meta) if RULES_AS_OF in recorded else None
    return Changes(run_id, path, None, False, note, lines, ledger.carried, judged)


def _order(lines: list[ChangeLine], lints: list[LintFindings]) -> list[ChangeLine]:
    """This run's lints in the report's order, then those with findings only in the baseline."""
    rank = {x.name: i for i, x in enumerate(lints)}
    return sorted(lines, key=lambda x: (rank.get(x.lint, len(rank)), -x.old_findings, x.lint))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# -- reconciliation ----------------------------------------------------------------------


def _discrepancies(summary: Summary, counts: dict[str, Any]) -> list[str]:
    """Where the datasets disagree with run.json's counts: an auditor must see these."""
    notes = []
    scanned = counts.get("scanned")
    active = counts.get("active_in_database")
    if isinstance(scanned, int) and scanned != summary.population:
        notes.append(
            f"run.json says {scanned:,} certificates were scanned; "
            f"certificates/ holds {summary.population:,} rows."
        )
    if isinstance(active, int) and active != summary.population:
        notes.append(
            f"the database had {active:,} active certificates at the as-of time; "
            f"certificates/ holds {summary.population:,} rows."
        )
    for line in summary.statuses:
        if not line.reconciles:
            notes.append(
                f"{line.status}: run.json records {line.recorded_findings} findings in "
                f"{line.recorded_certificates} certificates; the datasets hold "
                f"{line.findings:,} findings in {line.certificates:,} certificates."
            )
    applied = {str(m.get("name")) for m in summary.catalogue}
    if summary.catalogue:
        unknown = sorted(x.name for x in summary.lints if x.name not in applied)
        if unknown:
            notes.append("findings/ names lints not in catalogue.json: " + ", ".join(unknown))
    recorded_lints = (summary.meta.get("catalogue") or {}).get("lints")
    if isinstance(recorded_lints, int) and summary.catalogue and recorded_lints != len(applied):
        notes.append(
            f"run.json records {recorded_lints} lints applied; catalogue.json lists {len(applied)}."
        )
    return notes
