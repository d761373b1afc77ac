"""Since when each finding has been open, carried from run to run by `--baseline`.

A run's ledger (`first_seen.parquet` in its directory) holds, for every finding it knows to be
open, the time and run in which that finding was first seen:

- each finding of the run itself: the baseline ledger's date when the baseline had the same
  finding (same certificate, same lint) open, else this run's discovery time (its finish);
- each entry of the baseline ledger for a lint this run did not apply: carried over unchanged
  (`carried` true), since a rescan of other lints says nothing about it.

A baseline without a ledger of its own stands for one whose findings were all first seen in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from audit.errors import InputError
from audit.outputs import scan, sql
from audit.outputs.reader import FIRST_SEEN, KEY, RunDirectory, cert_key
from audit.outputs.schemas import TIMESTAMP

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

ROW_GROUP = 1 << 16  # rows per row group of the ledger: what writing it holds in memory


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
    with sql.connect() as con:
        return pa.concat_tables([SCHEMA.empty_table(), *_dated(con, run, baseline_dir)])


def _dated(
    con: duckdb.DuckDBPyConnection, run: RunDirectory, baseline_dir: Path | None
) -> Iterator[pa.Table]:
    """`first_seen`, in batches: in the findings' order without a baseline; with one, sorted by
    lint and certificate key, each finding joined to the baseline's entry for it (if any)."""
    if baseline_dir is None:
        yield from _first_seen_now(run)
        return
    run.views(con)
    discovered, run_id = _timestamp(run.discovered_at), sql.quote(run.run_id)
    ledger_view(con, RunDirectory.open(baseline_dir), "earlier")
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
    for table in sql.batches(con, query):
        yield table.cast(SCHEMA)


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
    run_dir: Path, baseline_dir: Path | None, meta: dict[str, Any] | None = None
) -> Path:
    """Write the run's ledger: its findings' first-seen dates and, carried over, the baseline's
    open findings of lints this run did not apply. Returns the file's path.

    `meta`: the run.json of a run being built (the job writes run.json after the ledger);
    without it, the complete run's own run.json is read.

    Written as it is computed, in row groups of ROW_GROUP rows, so that memory stays bounded
    however many findings the run has."""
    run_dir = Path(run_dir)
    run = RunDirectory.open(run_dir) if meta is None else RunDirectory.building(run_dir, meta)
    path = run_dir / FIRST_SEEN
    tmp = path.with_name(path.name + ".tmp")
    with sql.connect(run_dir) as con, _RowGroups(tmp) as out:
        for table in _dated(con, run, baseline_dir):
            out.write(table)
        if baseline_dir is not None:
            # The baseline's open findings of lints this run did not apply, in its order.
            applied = pa.table({"lint": pa.array(sorted(run.lints), pa.string())})
            con.register("applied", applied)
            columns = ", ".join(c for c in SCHEMA.names if c != "carried")
            query = f"""
                SELECT {columns}, true AS carried FROM earlier
                WHERE lint NOT IN (SELECT lint FROM applied)
                  AND lint NOT IN (SELECT DISTINCT lint FROM findings)
                ORDER BY _row"""
            for table in sql.batches(con, query):
                out.write(table.cast(SCHEMA))
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
