"""The query engine that sorts, joins and counts a run's Parquet datasets: DuckDB, embedded.

Row sets larger than memory are the normal case (a run holds a row per certificate and per
finding), so every connection is bounded: a memory limit, two threads, and a spill directory of
its own that is removed with the connection. DuckDB spills sorts, joins and aggregations to it
by itself. Times are read and written in UTC.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from audit.errors import InputError

MEMORY_LIMIT = "256MB"  # DuckDB's own buffers: every process stays well under 1 GiB
# A full outer join of two runs' findings with their descriptive columns (`diff`) does not
# fit in MEMORY_LIMIT at a million certificates, and it holds little else in memory.
JOIN_MEMORY_LIMIT = "512MB"
THREADS = 2
FETCH_ROWS = 64 * 1024  # rows per Arrow batch handed back to Python


@contextlib.contextmanager
def connect(
    spill_under: Path | None = None, memory_limit: str = MEMORY_LIMIT
) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB connection with bounded memory and threads, spilling to a fresh
    directory under `spill_under` (the system's temporary directory when None), hidden by its
    dot: in a run directory, neither the evidence package nor a dataset reader picks it up."""
    spill = Path(tempfile.mkdtemp(prefix=".certcensus-sql-", dir=spill_under))
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute(f"SET threads = {THREADS}")
        con.execute(f"SET temp_directory = {quote(str(spill))}")
        con.execute("SET TimeZone = 'UTC'")
        con.execute(
            "SET preserve_insertion_order = false"
        )  # every query that needs an order says it
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def execute(con: duckdb.DuckDBPyConnection, statement: str) -> None:
    """Run a statement that returns nothing (a view over Parquet reads the files' schemas:
    a file that is not Parquet is an InputError here)."""
    try:
        con.execute(statement)
    except duckdb.Error as exc:
        raise InputError(f"reading the run's Parquet: {_one_line(exc)}") from None


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def parquet_view(
    con: duckdb.DuckDBPyConnection, name: str, files: Sequence[Path], schema: pa.Schema
) -> None:
    """View `name` over these Parquet files, read with `schema`'s columns, plus `_file` (the
    file's place in `files`) and `_row` (the row's place in its file): ordering by both gives
    the files' rows in the order a dataset reader gives them. With no file, an empty view."""
    columns = ", ".join(f'"{c}"' for c in schema.names)
    if not files:
        con.register(f"_{name}_empty", schema.empty_table())
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {columns}, 0::INTEGER AS _file, "
            f"0::BIGINT AS _row FROM _{name}_empty"
        )
        return
    listed = ", ".join(quote(str(f)) for f in files)
    places = ", ".join(f"({quote(str(f))}, {i})" for i, f in enumerate(files))
    execute(
        con,
        f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {columns}, places.i AS _file, "
        f"file_row_number AS _row FROM read_parquet([{listed}], union_by_name = true, "
        f"filename = true, file_row_number = true) AS t "
        f"JOIN (VALUES {places}) AS places(f, i) ON t.filename = places.f",
    )


def batches(
    con: duckdb.DuckDBPyConnection, sql: str, parameters: list[object] | None = None
) -> Iterator[pa.Table]:
    """The query's rows as Arrow tables of up to FETCH_ROWS rows, streamed (never whole)."""
    try:
        reader = con.sql(sql, params=parameters).to_arrow_reader(FETCH_ROWS)
    except duckdb.Error as exc:
        raise InputError(f"reading the run's Parquet: {_one_line(exc)}") from None
    for batch in reader:
        if batch.num_rows:
            yield pa.Table.from_batches([batch])


def table(
    con: duckdb.DuckDBPyConnection, sql: str, parameters: list[object] | None = None
) -> pa.Table:
    """The query's rows, whole: for results that are small (counts per lint)."""
    try:
        return con.sql(sql, params=parameters).to_arrow_table()
    except duckdb.Error as exc:
        raise InputError(f"reading the run's Parquet: {_one_line(exc)}") from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
