"""Sorting and joining row sets larger than memory: rows are spilled to temporary files by
ranges of their sort order ("buckets"), then read back and handled in memory, one bucket at a
time, in that order.

`bucketed(sources, keys)` reads each source twice. The first pass counts rows per *cell*: the
values of every key but the last, and the first `prefix` characters (bytes, for a binary key)
of the last. Cells are then grouped, in sort order, into buckets of at most `rows` rows. The
second pass writes every row to its bucket's file. Because buckets follow the order of `keys`,
sorting each bucket by `keys` and writing them one after another sorts the whole; because equal
keys always share a bucket, joining the sources bucket by bucket on `keys` joins them whole.

Memory is one bucket and the table of cell counts, however many rows there are. A cell larger
than `rows` (many rows with the same leading keys and prefix) is a bucket of its own, larger
than asked: the last key should be spread out in its first characters (a SHA-256 in hex is).
Within a bucket, each source's rows keep the order in which they were read, so a stable sort
keeps ties in input order, as a sort of the whole would. Keys must not be null, and the keys
before the last are strings without NUL characters.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from audit.outputs.scan import gathered

BUCKET_ROWS = 1 << 16  # rows per bucket: what one step holds in memory
PREFIX = 2  # characters (or bytes) of the last key that, with the other keys, make a cell
_GATHER = 1 << 15  # rows of a source handled in one step
_COMPACT = 8  # partial cell counts kept before they are folded into one table

Source = Callable[[], Iterable[pa.Table]]  # called once per pass: a fresh iterator each time


def bucketed(
    sources: Sequence[tuple[Source, pa.Schema]],
    keys: Sequence[str],
    *,
    rows: int = BUCKET_ROWS,
    prefix: int = PREFIX,
    tmp_dir: Path | None = None,
) -> Iterator[list[pa.Table]]:
    """Each bucket, in the order of `keys`: one table per source (its rows in that bucket, in
    the order read; an empty table with its schema when it has none). Every table a source
    yields has that source's schema."""
    keys = list(keys)
    cells = _cells(sources, keys, prefix)
    if cells.num_rows == 0:
        return
    bucket_of = _plan(cells["_n"].to_pylist(), rows)
    lookup = _composite(cells, keys[:-1], "_prefix")
    spill = Path(tempfile.mkdtemp(prefix="certcensus-spill-", dir=tmp_dir))
    try:
        files = [_spill(source, schema, keys, prefix, lookup, bucket_of, spill, i)
                 for i, (source, schema) in enumerate(sources)]  # fmt: skip
        for bucket in range(bucket_of[-1] + 1):
            out = []
            for (_, schema), written in zip(sources, files, strict=True):
                path = written.pop(bucket, None)
                if path is None:
                    out.append(schema.empty_table())
                    continue
                with pa.OSFile(str(path)) as f:  # read, not mapped: freed with the table
                    out.append(pa.ipc.open_file(f).read_all())
                path.unlink()
            yield out
            del out
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def _cell_columns(table: pa.Table, keys: list[str], prefix: int) -> dict[str, pa.Array]:
    last = table[keys[-1]]
    if pa.types.is_string(last.type) or pa.types.is_large_string(last.type):
        head = pc.utf8_slice_codeunits(last, 0, prefix)
    else:
        head = pc.binary_slice(last, 0, prefix)
    return {k: table[k] for k in keys[:-1]} | {"_prefix": head}


def _cells(sources: Sequence[tuple[Source, pa.Schema]], keys: list[str], prefix: int) -> pa.Table:
    """Rows per cell over all sources, in the order of `keys`."""
    group = [*keys[:-1], "_prefix"]
    partials: list[pa.Table] = []
    for source, schema in sources:
        for table in _coalesced(source(), schema, keys):
            if table.num_rows == 0:
                continue
            cols = _cell_columns(table, keys, prefix)
            cols["_n"] = pa.repeat(pa.scalar(1, pa.int64()), table.num_rows)
            partials.append(_count(pa.table(cols), group))
            if len(partials) >= _COMPACT:
                partials = [_count(pa.concat_tables(partials), group)]
    if not partials:
        return pa.table({"_n": pa.array([], pa.int64())})
    counted = _count(pa.concat_tables(partials), group)
    return counted.sort_by([(k, "ascending") for k in group])


def _count(table: pa.Table, group: list[str]) -> pa.Table:
    out = table.group_by(group, use_threads=False).aggregate([("_n", "sum")])
    return out.rename_columns([c.removesuffix("_sum") for c in out.column_names])


def _coalesced(
    tables: Iterable[pa.Table], schema: pa.Schema, keys: list[str]
) -> Iterator[pa.Table]:
    """The source's tables, small ones gathered into one (each step has a fixed cost)."""

    def checked() -> Iterator[pa.Table]:
        for table in tables:
            _check(table, schema, keys)
            yield table

    yield from gathered(checked(), _GATHER)


def _check(table: pa.Table, schema: pa.Schema, keys: list[str]) -> None:
    if not table.schema.equals(schema):
        raise ValueError(f"a bucketed source gave {table.schema}, not {schema}")
    for k in keys:
        if table[k].null_count:
            raise ValueError(f"bucketed: the key {k} is null in some rows")


def _plan(counts: list[int], rows: int) -> list[int]:
    """The bucket of each cell: consecutive cells, at most `rows` rows a bucket (a larger cell
    alone)."""
    out, bucket, held = [], 0, 0
    for n in counts:
        if held and held + n > rows:
            bucket, held = bucket + 1, 0
        out.append(bucket)
        held += n
    return out


def _composite(table: pa.Table | dict[str, pa.Array], lead: list[str], last: str) -> pa.Array:
    """One value per row naming its cell: the leading keys and the prefix, NUL-separated."""
    if not lead:
        value = table[last]
    else:
        head = table[last]
        if not (pa.types.is_string(head.type) or pa.types.is_large_string(head.type)):
            head = head.cast(pa.binary())
            parts = [table[k].cast(pa.binary()) for k in lead]
        else:
            parts = [table[k] for k in lead]
        value = pc.binary_join_element_wise(*parts, head, "\x00")
    if isinstance(value, pa.ChunkedArray):
        value = value.combine_chunks()
    return value


def _spill(
    source: Source,
    schema: pa.Schema,
    keys: list[str],
    prefix: int,
    lookup: pa.Array,
    bucket_of: list[int],
    spill: Path,
    index: int,
) -> dict[int, Path]:
    """Write the source's rows to one IPC file per bucket; the files, by bucket."""
    buckets = pa.array(bucket_of, pa.int32())
    writers: dict[int, pa.ipc.RecordBatchFileWriter] = {}
    paths: dict[int, Path] = {}
    try:
        for table in _coalesced(source(), schema, keys):
            cell = pc.index_in(_composite(_cell_columns(table, keys, prefix), keys[:-1], "_prefix"),
                               value_set=lookup)  # fmt: skip
            if cell.null_count:  # a source that gives other rows the second time
                raise ValueError("bucketed: a source changed between its two passes")
            bucket = pc.take(buckets, cell)
            order = pc.sort_indices(bucket)  # stable: rows keep their order within a bucket
            ordered = table.take(order)
            runs = pc.run_end_encode(pc.take(bucket, order))
            start = 0
            for b, end in zip(runs.values.to_pylist(), runs.run_ends.to_pylist(), strict=True):
                writer = writers.get(b)
                if writer is None:
                    paths[b] = spill / f"{index}-{b:06d}.arrow"
                    writer = writers[b] = pa.ipc.new_file(str(paths[b]), schema)
                writer.write_table(ordered.slice(start, end - start))
                start = end
    finally:
        for writer in writers.values():
            writer.close()
    return paths
