"""Reading a run's Parquet datasets batch by batch, with memory that does not grow with the run.

Two things in Arrow's dataset scanner make memory grow with the number of files: it reads ahead
across files when the consumer is slower than the disk, and a dataset's fragments keep each
file's metadata (statistics of every column of every row group) once read, for as long as the
dataset lives. So each file is read as a fragment of its own, with little read-ahead, and
dropped once read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyarrow as pa
import pyarrow.dataset as ds

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


def gathered(tables: Iterable[pa.Table], rows: int) -> Iterator[pa.Table]:
    """The tables, consecutive small ones gathered into one of at least `rows` rows (the last
    may hold fewer; empty ones are dropped): each step that follows has a fixed cost per table."""
    held: list[pa.Table] = []
    count = 0
    for table in tables:
        if not table.num_rows:
            continue
        held.append(table)
        count += table.num_rows
        if count >= rows:
            yield pa.concat_tables(held)
            held, count = [], 0
    if held:
        yield pa.concat_tables(held)
