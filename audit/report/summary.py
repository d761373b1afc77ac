"""What the report says, computed from a finished run directory alone.

Reads `run.json`, `catalogue.json` and the `certificates/` and `findings/` Parquet datasets.
Both datasets are streamed batch by batch: each batch is aggregated by Arrow (group_by) into
small partial tables that are combined at the end, so memory stays bounded however many
millions of rows a run has. Only the capped per-lint lists of affected certificates become
Python objects.

The result (`Summary`) is plain data with no HTML in it, so that other outputs can share it:
a comparison with a baseline run, incident drafts, CSV lists and charts all start from here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from audit.engine.status import FINDING_STATUSES, Status
from audit.errors import InputError
from audit.outputs.schemas import CERTIFICATES, FINDINGS

# Finding statuses, highest first: the order every table in the report uses.
STATUSES: tuple[str, ...] = tuple(s.label for s in sorted(FINDING_STATUSES, reverse=True))
DEFAULT_CAP = 200  # affected certificates listed per lint in the report
BATCH_ROWS = 128 * 1024

_HEX64 = re.compile(r"[0-9a-f]{64}")
# The columns of an affected-certificate row; only these are read for the per-lint lists.
_AFFECTED_COLUMNS = [
    "cert_id", "serial", "subject", "issuer", "not_before", "not_after", "sha256", "profile",
    "status", "message",
]  # fmt: skip
_ORDER = [("not_before", "ascending"), ("cert_id", "ascending")]


class RunDirError(InputError, ValueError):
    """The directory is not a finished run: something the report needs is missing or unreadable.

    An `InputError`, so the CLI ends with a one-line message and exit status 2.
    """


def _rank(status: str) -> int:
    """Higher for worse statuses; a status this version does not know sorts lowest."""
    try:
        return int(Status.parse(status))
    except ValueError:
        return -1


@dataclass(frozen=True)
class RunDir:
    """A finished run's outputs, opened but not read."""

    path: Path
    meta: dict[str, Any]  # run.json
    catalogue: list[dict[str, Any]]  # catalogue.json: Lint.metadata() of every lint applied
    certificates: ds.Dataset
    findings: ds.Dataset

    @classmethod
    def open(cls, path: Path) -> RunDir:
        path = Path(path)
        meta = _read_json(path / "run.json", dict)
        catalogue_path = path / "catalogue.json"
        catalogue = _read_json(catalogue_path, list) if catalogue_path.exists() else []
        return cls(
            path=path,
            meta=meta,
            catalogue=catalogue,
            certificates=_dataset(path / "certificates", CERTIFICATES),
            findings=_dataset(path / "findings", FINDINGS),
        )


def _read_json(path: Path, kind: type) -> Any:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunDirError(f"{path} is missing: not a finished run directory") from None
    except (OSError, ValueError) as exc:
        raise RunDirError(f"{path} is not readable JSON: {exc}") from None
    if not isinstance(value, kind):
        raise RunDirError(f"{path} should hold a JSON {kind.__name__}")
    return value


def _dataset(path: Path, schema: pa.Schema) -> ds.Dataset:
    """The Parquet dataset in `path`, read with our schema (extra columns ignored, missing null)."""
    if not path.is_dir():
        raise RunDirError(f"{path} is missing: not a finished run directory")
    try:
        return ds.dataset(path, format="parquet", schema=schema)
    except (OSError, pa.ArrowException) as exc:
        raise RunDirError(f"{path}: {exc}") from None


def _batches(dataset: ds.Dataset, columns: list[str]) -> Iterator[pa.Table]:
    """The dataset's rows in batches, one file after another.

    File by file with little read-ahead, because Arrow's dataset scanner reads ahead across
    files when the consumer is slower than the disk, and its memory then grows with the run.
    """
    for fragment in dataset.get_fragments():
        for batch in fragment.to_batches(
            schema=dataset.schema,
            columns=columns,
            batch_size=BATCH_ROWS,
            batch_readahead=1,
            fragment_readahead=0,
        ):
            if batch.num_rows:
                yield pa.Table.from_batches([batch])


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

    @property
    def crtsh_sha256(self) -> str | None:
        """The fingerprint for a crt.sh link, only when it really is one (64 hex digits)."""
        value = (self.sha256 or "").lower()
        return value if _HEX64.fullmatch(value) else None


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

    @property
    def status(self) -> str:
        """The worst status this lint gave."""
        return max(self.by_status, key=_rank)

    @property
    def not_shown(self) -> int:
        return max(self.certificates - len(self.affected), 0)

    @property
    def description(self) -> str | None:
        return (self.meta or {}).get("description")


@dataclass
class Summary:
    run: RunDir
    population: int  # rows of certificates/
    not_decoded: int
    certificates_with_findings: int
    statuses: list[StatusLine]
    by_issuer: list[GroupLine]
    by_profile: list[GroupLine]
    lints: list[LintFindings]  # worst status first, then most certificates
    cap: int
    discrepancies: list[str]  # where the Parquet outputs and run.json disagree

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


def summarize(run_dir: Path | RunDir, cap: int = DEFAULT_CAP) -> Summary:
    run = run_dir if isinstance(run_dir, RunDir) else RunDir.open(run_dir)
    groups = _certificate_groups(run.certificates)
    by_issuer = _group_lines(groups, "issuer")
    by_profile = _group_lines(groups, "profile")
    lints, findings_by_status = _lint_findings(run, cap)

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
        cap=cap,
        discrepancies=[],
    )
    summary.discrepancies = _discrepancies(summary, counts)
    return summary


# -- certificates/: population by issuer and by profile --------------------------------------


def _certificate_groups(dataset: ds.Dataset) -> pa.Table:
    """Per (issuer, profile): certificates, those with a finding at each status, and more."""
    n_cols = [f"n_{s}" for s in STATUSES]
    partials: list[pa.Table] = []
    for table in _batches(dataset, ["issuer", "profile", "decoded", *n_cols]):
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
        partials.append(_sum_by(pa.table(cols), ["issuer", "profile"]))
    if not partials:
        return pa.table(
            {"issuer": pa.array([], pa.string()), "profile": pa.array([], pa.string())}
            | {c: pa.array([], pa.int64()) for c in _group_sum_columns()}
        )
    return _sum_by(pa.concat_tables(partials), ["issuer", "profile"])


def _group_sum_columns() -> list[str]:
    return ["certificates", "not_decoded", *(f"has_{s}" for s in STATUSES), "findings", "has_any"]


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
        )
        for row in folded.to_pylist()
    ]
    lines.sort(key=lambda g: (-g.with_any, -g.certificates, g.key or ""))
    return lines


# -- findings/: per lint, with the first `cap` affected certificates -------------------------


def _lint_findings(run: RunDir, cap: int) -> tuple[list[LintFindings], dict[str, int]]:
    partials: list[pa.Table] = []
    shown: pa.Table | None = None  # the `cap` earliest rows of each lint seen so far
    for table in _batches(run.findings, ["lint", *_AFFECTED_COLUMNS, "source", "citation"]):
        partials.append(
            table.select(["lint", "status", "source", "citation", "cert_id", "not_before"])
            .group_by(["lint", "status", "source", "citation"], use_threads=False)
            .aggregate([("cert_id", "count"), ("not_before", "min"), ("not_before", "max")])
        )
        if cap > 0:
            rows = table.select(["lint", *_AFFECTED_COLUMNS])
            shown = rows if shown is None else pa.concat_tables([shown, rows])
            shown = _first_per_lint(shown, cap)
    if not partials:
        return [], {}

    catalogue = {str(m.get("name")): m for m in run.catalogue}
    lints: dict[str, LintFindings] = {}
    by_status: dict[str, int] = {}
    for row in pa.concat_tables(partials).to_pylist():
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

    ordered = sorted(lints.values(), key=lambda x: (-_rank(x.status), -x.certificates, x.name))
    per_lint = _split_by_lint(shown) if shown is not None else {}
    used: set[str] = set()
    for entry in ordered:
        entry.by_status = dict(sorted(entry.by_status.items(), key=lambda kv: -_rank(kv[0])))
        entry.anchor = _anchor(entry.name, used)
        entry.affected = [AffectedCert(**r) for r in per_lint.get(entry.name, [])]
    return ordered, by_status


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
