"""The population lints' hits, from the lint tasks to each part file's findings and counts.

Each lint task writes what its lint found, (cert_id, lint, seq, message), to a staging file of
its own in the run's staging directory `.population/` (a name beginning with a dot: dataset
readers, the evidence package and a resume's clean-up treat it as no data). Then one task per
certificates part file reads the hits about its own certificates, adds them to the part's
per-status counts (the part rewritten whole) and writes the part's population findings as
`findings/part-population-NNNNN.parquet`. No process holds more than one part file and its hits.

The rows come out as the serial pass wrote them: in the certificates' order (part files in
name order, rows in file order), then by lint (in the order the lints were given), then in the
order the lint found them (`seq`), whatever order the tasks ran in.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from audit.engine.registry import Lint
from audit.engine.status import FINDING_STATUSES
from audit.outputs import schemas
from audit.outputs.parts import FINDINGS_DIR, written_whole
from audit.outputs.reader import dataset
from audit.outputs.scan import batches

STAGING_DIR = ".population"
POPULATION_PART_PREFIX = "part-population-"
HIT_ROWS = 64 * 1024  # hits a lint task holds before writing them out
HITS = pa.schema(
    [
        pa.field("cert_id", pa.string(), nullable=False),
        pa.field("lint", pa.int32(), nullable=False),  # the lint's index in the pass's list
        pa.field("seq", pa.int64(), nullable=False),  # the order the lint found them in
        pa.field("message", pa.string()),
    ]
)
# Set on a certificates part file with the population's counts added: a task done again (its
# worker lost after the rewrite) does not add them twice.
COUNTED = {b"certcensus.population_counts": b"added"}
# The certificate's columns a finding row repeats, so that it stands alone.
_DESCRIBED = [f.name for f in schemas.CERT_COLUMNS] + ["revoked_at"]


def population_part_name(certificates_part: Path) -> str:
    """The population findings of a certificates part file `part-NNNNN.parquet`:
    `part-population-NNNNN.parquet` (after every partition's own part in name order)."""
    return POPULATION_PART_PREFIX + certificates_part.name.removeprefix("part-")


def fresh_staging(run_dir: Path) -> Path:
    """An empty staging directory (one left by a pass that was cut short is cleared)."""
    staging = run_dir / STAGING_DIR
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


class HitWriter:
    """One lint's hits, streamed to its staging file in row groups of HIT_ROWS; the file
    takes its name only when the lint is done (`written_whole`), and exists only if it hit."""

    def __init__(self, staging: Path, lint: Lint, index: int) -> None:
        self.path = staging / f"{lint.name}.parquet"
        self.index = index
        self.count = 0
        self._ids: list[str] = []
        self._messages: list[str] = []
        self._writer: pq.ParquetWriter | None = None
        self._whole = written_whole(self.path)

    def add(self, cert_id: str, message: str) -> None:
        self._ids.append(cert_id)
        self._messages.append(message)
        if len(self._ids) >= HIT_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self._ids:
            return
        if self._writer is None:
            self._writer = pq.ParquetWriter(self._whole.__enter__(), HITS)
        n = len(self._ids)
        self._writer.write_table(
            pa.table(
                [
                    pa.array(self._ids, pa.string()),
                    pa.repeat(self.index, n).cast(pa.int32()),
                    pa.array(range(self.count, self.count + n), pa.int64()),
                    pa.array(self._messages, pa.string()),
                ],
                schema=HITS,
            )
        )
        self.count += n
        self._ids.clear()
        self._messages.clear()

    def __enter__(self) -> HitWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self._flush()
        if self._writer is not None:
            self._writer.close()
            self._whole.__exit__(kind, error, tb)  # renamed, or (on an error) removed


@dataclass(frozen=True)
class LintColumns:
    """What a finding row says of its lint."""

    name: str
    status: str
    source: str
    citation: str
    version: int

    @classmethod
    def of(cls, lint: Lint) -> LintColumns:
        return cls(lint.name, lint.severity.label, str(lint.source), lint.citation, lint.version)


@dataclass(frozen=True)
class PartTask:
    """One certificates part file to finish, with the staged hits of every lint."""

    part: str  # the certificates part file
    staging: str
    lints: tuple[LintColumns, ...]  # by the hits' `lint` index


@dataclass
class CountChange:
    """What population findings change in the run's counts, by status: findings, certificates
    with a finding at each status, and certificates by their worst one (after less before: a
    certificate whose worst finding rises leaves one status for another). The tasks' changes
    are summed by the driver, which adds them to the partitions' counts: no part is read again."""

    rows: int = 0  # population findings written
    findings: Counter[str] = field(default_factory=Counter)
    certificates_with: Counter[str] = field(default_factory=Counter)
    certificates_worst: Counter[str] = field(default_factory=Counter)

    def add(self, other: CountChange) -> CountChange:
        self.rows += other.rows
        self.findings.update(other.findings)  # (update adds negative counts too)
        self.certificates_with.update(other.certificates_with)
        self.certificates_worst.update(other.certificates_worst)
        return self


def finish_part(task: PartTask) -> CountChange:
    """A task: the hits about this part's certificates become its population findings and
    are added to its counts. Returns what that changes in the run's counts."""
    path = Path(task.part)
    ids = pq.read_table(path, columns=["cert_id"])["cert_id"].combine_chunks()
    hits = _hits_about(Path(task.staging), ids)
    if not hits.num_rows:
        return CountChange()  # a part none of the lints hit is left as it is
    table = pq.read_table(path, schema=schemas.CERTIFICATES)
    rows = pa.table({"cert_id": ids, "_row": pa.array(np.arange(len(ids)), pa.int64())})
    matched = hits.join(rows, keys="cert_id", join_type="inner", use_threads=False).sort_by(
        [("_row", "ascending"), ("lint", "ascending"), ("seq", "ascending")]
    )
    row, lint = matched["_row"], matched["lint"]

    def of_lint(values: list[object], kind: pa.DataType) -> pa.Array:
        return pa.array(values, kind).take(lint)

    status = of_lint([x.status for x in task.lints], pa.string())
    described = table.select(_DESCRIBED).take(row)
    columns = {name: described[name] for name in _DESCRIBED} | {
        "lint": of_lint([x.name for x in task.lints], pa.string()),
        "status": status,
        "message": matched["message"],
        "source": of_lint([x.source for x in task.lints], pa.string()),
        "citation": of_lint([x.citation for x in task.lints], pa.string()),
        "lint_version": of_lint([x.version for x in task.lints], pa.int32()),
    }
    findings = pa.Table.from_arrays(
        [columns[f.name] for f in schemas.FINDINGS], schema=schemas.FINDINGS
    )
    # Each certificate's counts before and after its population findings (a part rewritten
    # by an earlier try of this task holds them already: its counts are the "after").
    counted = COUNTED.items() <= (pq.read_schema(path).metadata or {}).items()
    added = {
        s.label: np.bincount(
            row.filter(pc.equal(status, s.label)).to_numpy(), minlength=table.num_rows
        )
        for s in FINDING_STATUSES
    }
    stored = {s.label: table[f"n_{s.label}"].to_numpy().astype(np.int64) for s in FINDING_STATUSES}
    before = {k: stored[k] - added[k] for k in stored} if counted else stored
    after = {k: before[k] + added[k] for k in stored}
    if not counted:
        _rewrite_counts(path, table, after)
    with written_whole(path.parent.parent / FINDINGS_DIR / population_part_name(path)) as out:
        pq.write_table(findings, out)
    return _change(before, after, matched.num_rows)


def _rewrite_counts(path: Path, table: pa.Table, counts: dict[str, np.ndarray]) -> None:
    """Rewrites the part with these per-status counts, marked as counted."""
    for label, values in counts.items():
        column = f"n_{label}"
        table = table.set_column(
            table.schema.get_field_index(column),
            schemas.CERTIFICATES.field(column),
            pa.array(values.astype(np.int32), pa.int32()),
        )
    with written_whole(path) as rewritten:
        pq.write_table(table.replace_schema_metadata(COUNTED), rewritten)


def _change(before: dict[str, np.ndarray], after: dict[str, np.ndarray], rows: int) -> CountChange:
    labels = [s.label for s in FINDING_STATUSES]  # least severe first
    change = CountChange(rows)
    for label in labels:
        change.findings[label] = int((after[label] - before[label]).sum())
        change.certificates_with[label] = int(
            np.count_nonzero(after[label]) - np.count_nonzero(before[label])
        )
    for counts, sign in ((after, 1), (before, -1)):
        worst = np.full(len(counts[labels[0]]), -1)  # -1: no finding
        for i, label in enumerate(labels):
            worst = np.where(counts[label] > 0, i, worst)
        by_worst = np.bincount(worst + 1, minlength=len(labels) + 1)[1:]
        for label, n in zip(labels, by_worst, strict=True):
            change.certificates_worst[label] += sign * int(n)
    return change


def _hits_about(staging: Path, ids: pa.Array) -> pa.Table:
    """Every lint's staged hits about the certificates `ids`."""
    files = sorted(p for p in staging.glob("*.parquet") if not p.name.startswith("."))
    if not files:
        return HITS.empty_table()
    found = list(batches(dataset(files, HITS), filter=pc.field("cert_id").isin(ids)))
    return pa.Table.from_batches(found, schema=HITS)
