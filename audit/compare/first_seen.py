"""Since when each finding has been open, carried from run to run by `--baseline`.

A run's ledger (`first_seen.parquet` in its directory) holds, for every finding it knows to be
open, the time and run in which that finding was first seen:

- each finding of the run itself: the baseline ledger's date when the baseline had the same
  finding (same certificate, same lint) open, else this run's discovery time (its finish);
- each entry of the baseline ledger for a lint this run did not apply: carried over unchanged
  (`carried` true), since a rescan of other lints says nothing about it.

A baseline without a ledger of its own stands for one whose findings were all first seen in it.

With a baseline, the ledger lists the run's findings in the order (lint, KEY, file, row). Joining
and sorting them all in one process holds every finding (some 600 MB at a million), so it is
done as tasks over ranges of KEY, on the run's cluster (`map`) or here one after another:

1. split: one task per group of part files (this run's findings; the baseline's, when it has
   no ledger) or of the baseline ledger's row groups writes each row into the spill file of its
   KEY range (Arrow IPC, in a hidden directory of the run, which every worker reaches);
2. join: one task per range joins and sorts its rows (DuckDB) and writes them to an IPC file
   cut where the lint changes, returning which of its batches hold which lint;
3. the ledger is written from those batches, lint by lint and within a lint range by range,
   which is the order of the whole; one batch in memory at a time.

Ranges are cut at values of a KEY's first four characters (a KEY is a SHA-256 in hex, or
`cert_id:` and the database key, which sorts among them by its first letters: uneven ranges
then, never a wrong order).
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from audit.errors import InputError
from audit.outputs import scan, sql
from audit.outputs.reader import FIRST_SEEN, KEY, RunDirectory, cert_key
from audit.outputs.schemas import TIMESTAMP
from audit.population.batch_gcd import Mapper, local_map

__all__ = ["FIRST_SEEN", "SCHEMA", "first_seen", "ledger", "ledger_view", "write_first_seen"]

SCHEMA = pa.schema(
    [
        pa.field(KEY, pa.string(), nullable=False),
        pa.field("cert_id", pa.string()),
        pa.field("sha256", pa.string()),
        pa.field("lint", pa.string(), nullable=False),
        pa.field("first_seen", TIMESTAMP, nullable=False),
        pa.field("first_seen_run", pa.string(), nullable=False),
        pa.field("carried", pa.bool_(), nullable=False),  # a lint this run did not apply
    ]
)
ENTRY = SCHEMA.names[:-1]  # what a ledger entry says but whether it is carried

ROW_GROUP = 1 << 16  # rows per row group of the ledger: what writing it holds in memory
RANGE_ROWS = 1 << 16  # findings a join task holds, about (some 100 MB): more ranges for more
SPLIT_ROWS = 1 << 16  # rows a split task gathers before writing them out by range
SPILL_DIR = ".first-seen-spill"  # hidden: readers of the run directory pass it over
_KEY_PREFIX = 4  # characters of a KEY that cut the ranges (hexadecimal: 65,536 values)


def ledger(run_dir: Path, where: pc.Expression | None = None) -> pa.Table:
    """The run's ledger: its `first_seen.parquet`, or else its own findings, seen in it; only
    the entries `where` selects, when given (applied while reading)."""
    run = RunDirectory.read(run_dir)
    if path := run.ledger_file:
        try:
            return pq.read_table(path, filters=where).select(SCHEMA.names).cast(SCHEMA)
        except (OSError, KeyError, pa.ArrowException) as exc:
            raise InputError(f"{path}: {exc}") from None
    seen = first_seen(run_dir, None)
    return seen if where is None else seen.filter(where)


def ledger_view(con: duckdb.DuckDBPyConnection, run: RunDirectory, name: str) -> None:
    """View `name` of the run's ledger entries (SCHEMA's columns and `_row`, their order): its
    `first_seen.parquet`, or else its own findings, each first seen in it."""
    columns = ", ".join(SCHEMA.names)
    if path := run.ledger_file:
        sql.execute(
            con,
            f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {columns}, file_row_number AS _row "
            f"FROM read_parquet({sql.quote(str(path))}, file_row_number = true)",
        )
        return
    run.views(con, prefix=f"{name}_")
    sql.execute(
        con,
        f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {KEY}, cert_id, sha256, lint, "
        f"{_timestamp(run.discovered_at)} AS first_seen, {sql.quote(run.run_id)} AS "
        f"first_seen_run, false AS carried, (_file::BIGINT << 40) + _row AS _row "
        f"FROM {name}_findings",
    )


def _timestamp(moment: datetime) -> str:
    return f"TIMESTAMPTZ {sql.quote(moment.isoformat())}"


def first_seen(run_dir: Path, baseline_dir: Path | None) -> pa.Table:
    """Every finding of the run with the date it was first seen (and the run that saw it)."""
    run = RunDirectory.read(run_dir)
    with tempfile.TemporaryDirectory(prefix="certcensus-first-seen-") as work:
        dated = _dated(run, baseline_dir, local_map, 1, Path(work) / SPILL_DIR)
        return pa.concat_tables([SCHEMA.empty_table(), *dated])


def _dated(
    run: RunDirectory, baseline_dir: Path | None, map_: Mapper, parallelism: int, spill: Path
) -> Iterator[pa.Table]:
    """`first_seen`, in batches: in the findings' order without a baseline; with one, sorted by
    lint and certificate key, each finding joined to the baseline's entry for it (if any): by
    ranges of KEY (the module's docstring), with `spill` their working directory."""
    if baseline_dir is None:
        yield from _first_seen_now(run)
        return
    baseline = RunDirectory.open(baseline_dir)
    findings = run.finding_files
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in findings)
    bounds = key_bounds(max(parallelism, math.ceil(rows / RANGE_ROWS)))
    shutil.rmtree(spill, ignore_errors=True)
    spill.mkdir()
    sources: list[pa.NativeFile] = []
    try:
        splits = [
            *_split_tasks("findings", list(enumerate(findings)), parallelism, spill, bounds),
            *_baseline_split_tasks(baseline, parallelism, spill, bounds),
        ]
        map_(split_rows, splits)
        joins = [
            JoinTask(str(spill), i, run.discovered_at, run.run_id) for i in range(len(bounds) + 1)
        ]
        lints_of_range: list[dict[str, list[int]]] = map_(join_range, joins)
        # Read, not mapped: a mapped file's pages would stay in this process as it reads on.
        sources = [pa.OSFile(str(_joined(spill, i))) for i in range(len(joins))]
        readers = [pa.ipc.open_file(source) for source in sources]
        for lint in sorted(set().union(*lints_of_range)):  # UTF-8 orders as code points do
            for reader, batches in zip(readers, lints_of_range, strict=True):
                for i in batches.get(lint, ()):
                    yield pa.Table.from_batches([reader.get_batch(i)], schema=SCHEMA)
    finally:
        for source in sources:
            source.close()
        shutil.rmtree(spill, ignore_errors=True)


def key_bounds(ranges: int) -> list[str]:
    """Where `ranges` ranges of KEY begin, the first excepted: evenly spread values of its
    first `_KEY_PREFIX` hexadecimal digits (at most one range per value)."""
    ranges = max(1, min(ranges, 16**_KEY_PREFIX))
    return [format(i * 16**_KEY_PREFIX // ranges, f"0{_KEY_PREFIX}x") for i in range(1, ranges)]


def range_of(keys: pa.Array | pa.ChunkedArray, bounds: Sequence[str]) -> np.ndarray:
    """Each KEY's range: how many bounds it is at or above (a null KEY, which the join's order
    puts last, is in the last range)."""
    index = np.zeros(len(keys), dtype=np.int32)
    for bound in bounds:
        index += pc.fill_null(pc.greater_equal(keys, bound), True).to_numpy(zero_copy_only=False)
    return index


# Rows of each side, as the split tasks spill them: this run's findings, and the baseline's
# ledger entries (`_row`: their order in its ledger, as `ledger_view` numbers them).
FINDINGS_SIDE = pa.schema(
    [(KEY, pa.string()), ("cert_id", pa.string()), ("sha256", pa.string()),
     ("lint", pa.string()), ("_file", pa.int64()), ("_row", pa.int64())]
)  # fmt: skip
BASELINE_SIDE = pa.schema(
    [(KEY, pa.string()), ("lint", pa.string()), ("first_seen", TIMESTAMP),
     ("first_seen_run", pa.string()), ("_row", pa.int64())]
)  # fmt: skip


@dataclass(frozen=True)
class SplitTask:
    """Part files (`findings`: this run's; `baseline_findings`: a baseline without a ledger)
    or row groups of a baseline's ledger (`ledger`), to spill by KEY range."""

    kind: str
    number: int  # names its spill files
    spill: str
    bounds: tuple[str, ...]
    files: tuple[tuple[int, str], ...] = ()  # (place in the dataset, path)
    ledger: str | None = None
    row_groups: tuple[int, ...] = ()
    seen: datetime | None = None  # a baseline without a ledger: its findings' date and run
    seen_run: str | None = None


def _split_tasks(
    kind: str, files: list[tuple[int, Path]], groups: int, spill: Path, bounds: list[str],
    seen: datetime | None = None, seen_run: str | None = None,
) -> list[SplitTask]:  # fmt: skip
    """Contiguous groups of `files`, a task each."""
    size = max(1, math.ceil(len(files) / max(groups, 1)))
    return [
        SplitTask(kind, n, str(spill), tuple(bounds),
                  files=tuple((i, str(p)) for i, p in files[at : at + size]),
                  seen=seen, seen_run=seen_run)
        for n, at in enumerate(range(0, len(files), size))
    ]  # fmt: skip


def _baseline_split_tasks(
    baseline: RunDirectory, groups: int, spill: Path, bounds: list[str]
) -> list[SplitTask]:
    if (path := baseline.ledger_file) is None:
        files = list(enumerate(baseline.finding_files))
        return _split_tasks(
            "baseline_findings", files, groups, spill, bounds, baseline.discovered_at,
            baseline.run_id,
        )  # fmt: skip
    try:
        count = pq.ParquetFile(path).metadata.num_row_groups
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{path}: {exc}") from None
    size = max(1, math.ceil(count / max(groups, 1)))
    return [
        SplitTask("ledger", n, str(spill), tuple(bounds), ledger=str(path),
                  row_groups=tuple(range(at, min(at + size, count))))
        for n, at in enumerate(range(0, count, size))
    ]  # fmt: skip


def split_rows(task: SplitTask) -> int:
    """A task: its rows, each into the spill file of its KEY range; returns how many. Rows are
    gathered SPLIT_ROWS at a time, put in range order (stably) and written a slice per range."""
    side, schema = ("f", FINDINGS_SIDE) if task.kind == "findings" else ("e", BASELINE_SIDE)
    writers: dict[int, pa.ipc.RecordBatchFileWriter] = {}
    count = 0
    try:
        for table in scan.gathered(_side_rows(task), SPLIT_ROWS):
            table = table.select(schema.names).cast(schema)
            ranges = range_of(table[KEY], task.bounds)
            order = np.argsort(ranges, kind="stable")
            table, ranges = table.take(pa.array(order)), ranges[order]
            starts = np.flatnonzero(np.diff(ranges, prepend=-1))
            for at, end in zip(starts, [*starts[1:], len(ranges)], strict=True):
                r = int(ranges[at])
                if (writer := writers.get(r)) is None:
                    path = Path(task.spill) / f"{side}-{r:05d}-{task.number:05d}.arrow"
                    writer = writers[r] = pa.ipc.new_file(str(path), schema)
                writer.write_table(table.slice(at, end - at))
            count += table.num_rows
    finally:
        for writer in writers.values():
            writer.close()
    return count


def _carried(run: RunDirectory, baseline: RunDirectory) -> Iterator[pa.Table]:
    """The baseline's open findings of lints this run did not apply (none of its findings
    are of them), in the baseline ledger's order: streamed, not sorted."""
    applied = set(run.lints)
    for path in run.finding_files:
        applied.update(pc.unique(pq.read_table(path, columns=["lint"])["lint"]).to_pylist())
    (everything,) = _baseline_split_tasks(baseline, 1, Path(), [])  # one task: all, in order
    for table in _side_rows(everything):
        kept = table.filter(pc.invert(pc.is_in(table["lint"], pa.array(sorted(applied)))))
        if kept.num_rows:
            entries = kept.select(ENTRY)
            yield entries.append_column("carried", pa.repeat(True, kept.num_rows)).cast(SCHEMA)


def _side_rows(task: SplitTask) -> Iterator[pa.Table]:
    """The task's rows: this run's findings (FINDINGS_SIDE), or the baseline's ledger entries
    (SCHEMA's columns but `carried`, and `_row`), in their order."""
    if task.kind == "ledger":
        assert task.ledger is not None
        ledger = pq.ParquetFile(task.ledger)
        first = sum(ledger.metadata.row_group(g).num_rows for g in range(task.row_groups[0]))
        for group in task.row_groups:
            table = ledger.read_row_group(group, columns=ENTRY)
            n = table.num_rows
            yield table.append_column("_row", pa.array(np.arange(first, first + n), pa.int64()))
            first += n
        return
    for index, path in task.files:
        table = pq.read_table(path, columns=["cert_id", "sha256", "lint"])
        n = table.num_rows
        rows = np.arange(n, dtype=np.int64)
        key = cert_key(table)
        if task.kind == "findings":
            yield (
                table.append_column(KEY, key)
                .append_column("_file", pa.array(np.full(n, index, dtype=np.int64)))
                .append_column("_row", pa.array(rows))
            )
        else:  # a baseline without a ledger: each finding first seen in it (as `ledger_view`)
            yield pa.table(
                {KEY: key, "cert_id": table["cert_id"], "sha256": table["sha256"],
                 "lint": table["lint"],
                 "first_seen": pa.repeat(pa.scalar(task.seen, TIMESTAMP), n),
                 "first_seen_run": pa.repeat(pa.scalar(task.seen_run, pa.string()), n),
                 "_row": pa.array((np.int64(index) << 40) + rows)}
            )  # fmt: skip


@dataclass(frozen=True)
class JoinTask:
    spill: str
    index: int  # the KEY range
    discovered: datetime  # this run's discovery time, and its id
    run_id: str


def join_range(task: JoinTask) -> dict[str, list[int]]:
    """A task: the range's findings, each joined to the baseline's entry for it, sorted, and
    written cut where the lint changes; returns the batches holding each lint, in order."""
    spill = Path(task.spill)
    findings = _spilled(spill, "f", task.index, FINDINGS_SIDE)
    earlier = _spilled(spill, "e", task.index, BASELINE_SIDE)
    discovered, run_id = _timestamp(task.discovered), sql.quote(task.run_id)
    # Carried when the baseline saw it first (a baseline that finished later is no earlier).
    query = f"""
        SELECT f.{KEY}, f.cert_id, f.sha256, f.lint,
            CASE WHEN e.first_seen < {discovered} THEN e.first_seen ELSE {discovered} END
                AS first_seen,
            CASE WHEN e.first_seen < {discovered} THEN e.first_seen_run ELSE {run_id} END
                AS first_seen_run,
            false AS carried
        FROM findings f LEFT JOIN earlier e ON f.{KEY} = e.{KEY} AND f.lint = e.lint
        ORDER BY f.lint, f.{KEY}, f._file, f._row, e._row"""
    lints: dict[str, list[int]] = {}
    written = 0
    with sql.connect(spill) as con, pa.ipc.new_file(
        str(_joined(spill, task.index)), SCHEMA
    ) as out:  # fmt: skip
        con.register("findings", findings)
        con.register("earlier", earlier)
        for table in sql.batches(con, query):
            table = table.cast(SCHEMA)
            runs = pc.run_end_encode(table["lint"].combine_chunks())
            start = 0
            for lint, end in zip(runs.values.to_pylist(), runs.run_ends.to_pylist(), strict=True):
                for batch in table.slice(start, end - start).combine_chunks().to_batches():
                    out.write_batch(batch)
                    lints.setdefault(lint, []).append(written)
                    written += 1
                start = end
    return lints


def _spilled(spill: Path, side: str, index: int, schema: pa.Schema) -> pa.Table:
    """One side's rows of a range, as the split tasks spilled them (read, not mapped)."""
    tables = [schema.empty_table()]
    for path in sorted(spill.glob(f"{side}-{index:05d}-*.arrow")):
        with pa.OSFile(str(path)) as f:
            tables.append(pa.ipc.open_file(f).read_all())
    return pa.concat_tables(tables)


def _joined(spill: Path, index: int) -> Path:
    return spill / f"joined-{index:05d}.arrow"


def _first_seen_now(run: RunDirectory) -> Iterator[pa.Table]:
    """Without a baseline every finding is first seen now, in the findings' own order: the part
    files read one after another (audit/outputs/scan.py), with no sort. (A sort in the query
    engine held some 300 MB more at a million findings, its string payload past its limit.)"""
    discovered = pa.scalar(run.discovered_at, SCHEMA.field("first_seen").type)
    for table in scan.tables(run.findings, ["cert_id", "sha256", "lint"]):
        n = table.num_rows
        yield pa.table(
            [
                cert_key(table), table["cert_id"], table["sha256"], table["lint"],
                pa.repeat(discovered, n), pa.repeat(pa.scalar(run.run_id), n),
                pa.repeat(pa.scalar(False), n),
            ],
            schema=SCHEMA,
        )  # fmt: skip


def write_first_seen(
    run_dir: Path, baseline_dir: Path | None, meta: dict[str, Any] | None = None,
    map: Mapper = local_map, parallelism: int = 1,  # noqa: A002 - as the other passes name it
) -> Path:  # fmt: skip
    """Write the run's ledger: its findings' first-seen dates and, carried over, the baseline's
    open findings of lints this run did not apply. Returns the file's path.

    `meta`: the run.json of a run being built (the job writes run.json after the ledger);
    without it, the complete run's own run.json is read. `map` runs the tasks of a dating
    against a baseline (the run's cluster; here, one after another), at least `parallelism`
    ranges of them.

    Written as it is computed, in row groups of ROW_GROUP rows, so that memory stays bounded
    however many findings the run has."""
    run_dir = Path(run_dir)
    run = RunDirectory.open(run_dir) if meta is None else RunDirectory.building(run_dir, meta)
    path = run_dir / FIRST_SEEN
    tmp = path.with_name(path.name + ".tmp")
    with _RowGroups(tmp) as out:
        for table in _dated(run, baseline_dir, map, parallelism, run_dir / SPILL_DIR):
            out.write(table)
        if baseline_dir is not None:
            for table in _carried(run, RunDirectory.open(baseline_dir)):
                out.write(table)
    tmp.replace(path)
    return path


class _RowGroups:
    """A Parquet writer of SCHEMA that cuts row groups of exactly ROW_GROUP rows (the last one
    shorter), whatever the sizes of the tables it is given: the file depends on its rows only."""

    def __init__(self, path: Path) -> None:
        self._writer = pq.ParquetWriter(path, SCHEMA)
        self._held: list[pa.Table] = []
        self._rows = 0
        self._wrote = False

    def write(self, table: pa.Table) -> None:
        self._held.append(table)
        self._rows += table.num_rows
        while self._rows >= ROW_GROUP:
            whole = pa.concat_tables(self._held)
            # One chunk per column: the writer cuts pages per chunk, and the bytes should
            # depend on the rows alone, not on how the query engine batched them.
            group = whole.slice(0, ROW_GROUP).combine_chunks()
            self._writer.write_table(group, row_group_size=ROW_GROUP)
            self._wrote = True
            rest = whole.slice(ROW_GROUP)
            self._held, self._rows = [rest], rest.num_rows

    def __enter__(self) -> _RowGroups:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        try:
            if kind is None and (self._rows or not self._wrote):  # an empty ledger: no rows
                whole = pa.concat_tables([SCHEMA.empty_table(), *self._held])
                self._writer.write_table(whole.combine_chunks(), row_group_size=ROW_GROUP)
        finally:
            self._writer.close()
