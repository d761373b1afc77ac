"""Reading a run's Parquet datasets batch by batch, with memory that does not grow with the run.

Two things in Arrow's dataset scanner make memory grow with the number of files: it reads ahead
across files when the consumer is slower than the disk, and a dataset's fragments keep each
file's metadata (statistics of every column of every row group) once read, for as long as the
dataset lives. So each file is read as a fragment of its own, with little read-ahead, and
dropped once read. A single large file (a ledger) is streamed within its row groups.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

BATCH_ROWS = 128 * 1024
TABLE_ROWS = 32 * 1024


def batches(
    dataset: ds.FileSystemDataset,
    columns: list[str] | None = None,
    *,
    filter: ds.Expression | None = None,  # noqa: A002 - the name Arrow uses
    batch_size: int = BATCH_ROWS,
) -> Iterator[pa.RecordBatch]:
    """The dataset's rows (read with its schema), file after file in the dataset's order; empty
    batches are skipped."""
    for path in dataset.files:
        fragment = dataset.format.make_fragment(path, dataset.filesystem)
        for batch in fragment.to_batches(
            schema=dataset.schema,
            columns=columns,
            filter=filter,
            batch_size=batch_size,
            batch_readahead=1,
            fragment_readahead=0,
        ):
            if batch.num_rows:
                yield batch
        del fragment


def tables(
    dataset: ds.FileSystemDataset,
    columns: list[str] | None = None,
    *,
    filter: ds.Expression | None = None,  # noqa: A002 - the name Arrow uses
    rows: int = TABLE_ROWS,
) -> Iterator[pa.Table]:
    """As `batches`, gathered into tables of at least `rows` rows (the last may hold fewer). A
    run's part files hold many small row groups (one per database batch), and each Arrow
    compute call costs the same whether it sees a hundred rows or a hundred thousand: work done
    per table is then paid per `rows` rows, with memory still bounded by `rows`."""
    pending: list[pa.RecordBatch] = []
    count = 0
    for batch in batches(dataset, columns, filter=filter, batch_size=rows):
        pending.append(batch)
        count += batch.num_rows
        if count >= rows:
            yield pa.Table.from_batches(pending)
            pending, count = [], 0
    if pending:
        yield pa.Table.from_batches(pending)


def file_batches(
    path: Path,
    columns: list[str] | None = None,
    *,
    filter: ds.Expression | None = None,  # noqa: A002 - the name Arrow uses
    batch_size: int = BATCH_ROWS,
) -> Iterator[pa.Table]:
    """One Parquet file's rows, `batch_size` at a time even within a row group (the dataset
    scanner reads a whole row group at once: a million rows, in a file written by
    `pq.write_table`). With a `filter`, only the row groups whose statistics allow a match are
    read, and only the matching rows given; the filter's fields must be among `columns`."""
    groups = None
    if filter is not None:
        fragment = next(iter(ds.dataset(path, format="parquet").get_fragments()), None)
        if fragment is None:
            return
        groups = [g.id for piece in fragment.split_by_row_group(filter) for g in piece.row_groups]
        del fragment
        if not groups:
            return
    with pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20) as file:
        for batch in file.iter_batches(batch_size=batch_size, row_groups=groups, columns=columns):
            table = pa.Table.from_batches([batch])
            if filter is not None:
                table = table.filter(filter)
            if table.num_rows:
                yield table
