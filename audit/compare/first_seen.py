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
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from audit.compare.runs import KEY, Run
from audit.errors import InputError
from audit.outputs.buckets import bucketed
from audit.outputs.scan import file_batches
from audit.outputs.schemas import TIMESTAMP

FIRST_SEEN = "first_seen.parquet"

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
# The run's own findings, keyed (what a ledger entry says of a finding before it is dated).
_OWN = pa.schema(
    [
        pa.field(KEY, pa.string(), nullable=False),
        pa.field("cert_id", pa.string()),
        pa.field("sha256", pa.string()),
        pa.field("lint", pa.string(), nullable=False),
    ]
)
_EARLIER = pa.schema(
    [
        pa.field(KEY, pa.string(), nullable=False),
        pa.field("lint", pa.string(), nullable=False),
        pa.field("earlier", TIMESTAMP, nullable=False),
        pa.field("earlier_run", pa.string(), nullable=False),
    ]
)


def ledger(run_dir: Path, where: pc.Expression | None = None) -> pa.Table:
    """The run's ledger: its `first_seen.parquet`, or else its own findings, seen in it; only
    the entries `where` selects, when given (applied while reading)."""
    path = Path(run_dir) / FIRST_SEEN
    if path.is_file():
        try:
            return pq.read_table(path, filters=where).select(SCHEMA.names).cast(SCHEMA)
        except (OSError, KeyError, pa.ArrowException) as exc:
            raise InputError(f"{path}: {exc}") from None
    return pa.concat_tables(
        [SCHEMA.empty_table(), *ledger_batches(run_dir, where=where)]
    ).combine_chunks()


def ledger_batches(
    run_dir: Path, columns: list[str] | None = None, where: pc.Expression | None = None
) -> Iterator[pa.Table]:
    """The run's ledger as `ledger` gives it, batch by batch in file order (memory bounded by
    a batch): only `columns` (all of SCHEMA when None), and only the entries `where` selects
    (its fields among `columns`)."""
    path = Path(run_dir) / FIRST_SEEN
    names = columns or SCHEMA.names
    schema = pa.schema([SCHEMA.field(c) for c in names])
    if not path.is_file():
        for table in _seen_now(Run.open(run_dir)):
            table = table if where is None else table.filter(where)
            if table.num_rows:
                yield table.select(names)
        return
    try:
        for table in file_batches(path, names, filter=where):
            yield table.select(names).cast(schema)
    except (OSError, KeyError, pa.ArrowException) as exc:
        raise InputError(f"{path}: {exc}") from None


def first_seen(run_dir: Path, baseline_dir: Path | None) -> pa.Table:
    """Every finding of the run with the date it was first seen (and the run that saw it)."""
    return pa.concat_tables([SCHEMA.empty_table(), *_dated(Run.open(run_dir), baseline_dir)])


def _dated(run: Run, baseline_dir: Path | None) -> Iterator[pa.Table]:
    """`first_seen`, in pieces of bounded size: in the findings' order without a baseline;
    sorted by lint and certificate key with one (joined bucket by bucket, see
    audit/outputs/buckets.py, so that neither run's findings are ever held whole)."""
    if baseline_dir is None:
        yield from _seen_now(run)
        return
    discovered, run_id = run.discovered_at, run.run_id

    def own() -> Iterator[pa.Table]:
        for table in run.finding_key_batches():
            yield table.select(_OWN.names).cast(_OWN)

    def earlier() -> Iterator[pa.Table]:
        for table in ledger_batches(baseline_dir, [KEY, "lint", "first_seen", "first_seen_run"]):
            yield table.rename_columns(_EARLIER.names).cast(_EARLIER)

    for mine, before in bucketed([(own, _OWN), (earlier, _EARLIER)], ["lint", KEY]):
        if mine.num_rows == 0:
            continue
        n = mine.num_rows
        mine = mine.append_column("first_seen", pa.repeat(pa.scalar(discovered, TIMESTAMP), n))
        mine = mine.append_column("first_seen_run", pa.repeat(pa.scalar(run_id), n))
        mine = mine.append_column("carried", pa.repeat(False, n))
        joined = mine.join(before, keys=[KEY, "lint"], join_type="left outer", use_threads=False)
        # Carried when the baseline saw it first (a baseline that finished later is no earlier).
        carried = pc.fill_null(pc.less(joined["earlier"], joined["first_seen"]), False)
        yield (
            joined.set_column(
                joined.schema.get_field_index("first_seen"),
                "first_seen",
                pc.if_else(carried, joined["earlier"], joined["first_seen"]),
            )
            .set_column(
                joined.schema.get_field_index("first_seen_run"),
                "first_seen_run",
                pc.if_else(carried, joined["earlier_run"], joined["first_seen_run"]),
            )
            .select(SCHEMA.names)
            .cast(SCHEMA)
            .sort_by([("lint", "ascending"), (KEY, "ascending")])
        )


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
    run = Run.open(run_dir) if meta is None else Run.building(run_dir, meta)
    path = run_dir / FIRST_SEEN
    tmp = path.with_name(path.name + ".tmp")
    applied = set(run.lints)
    with _RowGroups(tmp) as out:
        for table in _dated(run, baseline_dir):
            applied.update(pc.unique(table["lint"]).to_pylist())
            out.write(table)
        if baseline_dir is not None:
            keep = pc.invert(pc.field("lint").isin(pa.array(sorted(applied), pa.string())))
            for inherited in ledger_batches(baseline_dir, where=keep):
                flag = pa.repeat(True, inherited.num_rows)
                out.write(inherited.set_column(6, SCHEMA.field("carried"), flag).cast(SCHEMA))
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
            self._writer.write_table(whole.slice(0, ROW_GROUP), row_group_size=ROW_GROUP)
            self._wrote = True
            rest = whole.slice(ROW_GROUP)
            self._held, self._rows = [rest], rest.num_rows

    def __enter__(self) -> _RowGroups:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        try:
            if kind is None and (self._rows or not self._wrote):  # an empty ledger: no rows
                whole = pa.concat_tables([SCHEMA.empty_table(), *self._held])
                self._writer.write_table(whole, row_group_size=ROW_GROUP)
        finally:
            self._writer.close()


def _seen_now(run: Run) -> Iterator[pa.Table]:
    """The run's own findings, each first seen by this run, batch by batch in findings order."""
    seen = pa.scalar(run.discovered_at, TIMESTAMP)
    run_id = pa.scalar(run.run_id)
    for findings in run.finding_key_batches():
        n = findings.num_rows
        yield pa.table(
            {
                KEY: findings[KEY],
                "cert_id": findings["cert_id"],
                "sha256": findings["sha256"],
                "lint": findings["lint"],
                "first_seen": pa.repeat(seen, n),
                "first_seen_run": pa.repeat(run_id, n),
                "carried": pa.repeat(False, n),
            }
        ).cast(SCHEMA)
