"""The population digest (`audit.outputs.digest`) computed as tasks on the run's cluster, with
the same result as `population_digest`; every fingerprint is read from Parquet once.

Sorted, the fingerprints fall into ranges of their first byte, one after another; a range's
leaves sit at known global positions once the rows before it are counted. So:

1. one task per chunk of part files reads and decodes its fingerprints, sorts them and spills
   them as raw files of concatenated 32-byte values (a run of at most `RUN_ROWS` each) into a
   hidden directory beside the certificates, with each run's counts by first byte: the rows
   of first byte b start at the sum of the counts below b;
2. the driver sums the counts and cuts the 256 first-byte values into contiguous ranges of
   bounded rows, each with its first leaf's position and its byte slice of every run;
3. one task per range reads just those slices, sorts them together and hashes them into the
   maximal aligned complete subtrees of its positions (`subtree_pieces`): a few hashes;
4. the driver adds the pieces in order (`_Root.add_subtree`), which gives the root of the
   whole, checks that every range held the rows it was counted with, and removes the spill
   directory (also when a task fails).

A stored value that is not canonical (64 lowercase hex digits) sends the whole digest to the
serial path, which sorts such values as text (`population_digest`).
"""

from __future__ import annotations

import bisect
import math
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from audit.errors import OperationalError
from audit.outputs.digest import (
    ALGORITHM,
    HASH_SIZE,
    _decode,
    _NotCanonical,
    _Root,
    population_digest,
    subtree_pieces,
)
from audit.outputs.reader import part_files
from audit.outputs.scan import BATCH_ROWS, tables

if TYPE_CHECKING:  # the tasks' runner: cluster_map (audit/population/rsa_moduli.py) or local_map
    from audit.population.batch_gcd import Mapper

RANGE_ROWS = 1 << 18  # rows a range task holds at most (unless one first byte has more)
MIN_RANGE_ROWS = 1 << 12  # below this, more tasks cost more than they save
RUN_ROWS = 1 << 20  # rows a chunk task sorts and spills at once: 32 MiB of fingerprints
SPILL_PREFIX = ".digest-spill-"  # hidden: readers of the run directory pass it over
_FIRST_BYTES = 256


@dataclass(frozen=True)
class ChunkTask:
    """Part files to sort into runs named `{spill}-NNN.bin` (in a directory that exists)."""

    files: tuple[str, ...]
    spill: str


@dataclass(frozen=True)
class SortedRun:
    """A spilled file of sorted fingerprints and its rows counted by first byte."""

    path: str
    counts: tuple[int, ...]


@dataclass(frozen=True)
class ChunkSorted:
    runs: tuple[SortedRun, ...]
    canonical: bool  # False: a stored value is not canonical (and `runs` is empty)


@dataclass(frozen=True)
class RunSlice:
    """Rows [start, start + rows) of a spilled run."""

    path: str
    start: int
    rows: int


@dataclass(frozen=True)
class LeafRange:
    """The fingerprints whose first byte is in [low, high): `rows` of them, the first one
    leaf `offset` of the sorted whole, found in `slices`."""

    low: int
    high: int
    offset: int
    rows: int
    slices: tuple[RunSlice, ...] = ()


@dataclass(frozen=True)
class RangeDone:
    rows: int
    in_range: bool  # every fingerprint read has a first byte in [low, high)
    pieces: list[tuple[int, bytes]]


def sort_chunk(task: ChunkTask) -> ChunkSorted:
    """Stage 1, a task: these part files' fingerprints, sorted and spilled in runs."""
    runs: list[SortedRun] = []
    pending: list[pa.Array] = []
    held = 0
    dataset = ds.dataset(list(task.files), format="parquet")
    for table in tables(dataset, ["sha256"], rows=min(BATCH_ROWS, RUN_ROWS)):
        hexes = pc.drop_null(table.column(0).combine_chunks())
        try:
            pending.append(_decode(hexes))
        except _NotCanonical:
            return ChunkSorted((), canonical=False)
        held += len(hexes)
        if held >= RUN_ROWS:
            runs.append(_spill(pending, f"{task.spill}-{len(runs):03d}.bin"))
            pending, held = [], 0
    if held:
        runs.append(_spill(pending, f"{task.spill}-{len(runs):03d}.bin"))
    return ChunkSorted(tuple(runs), canonical=True)


def _spill(arrays: list[pa.Array], path: str) -> SortedRun:
    column = pa.concat_arrays(arrays) if len(arrays) > 1 else arrays[0]
    raw = _sorted_bytes(column)
    with open(path, "wb") as out:
        out.write(raw)
    firsts = bytes(raw[::HASH_SIZE])  # sorted too: where each first byte starts is a bisection
    starts = [bisect.bisect_left(firsts, b) for b in range(_FIRST_BYTES)] + [len(firsts)]
    return SortedRun(path, tuple(starts[b + 1] - starts[b] for b in range(_FIRST_BYTES)))


def _sorted_bytes(column: pa.Array) -> memoryview:
    """32-byte values (fixed-size binary), sorted in byte order, concatenated (not copied)."""
    ordered = column.take(pc.sort_indices(column))
    data = ordered.buffers()[1]
    view = memoryview(data.slice(ordered.offset * HASH_SIZE, len(ordered) * HASH_SIZE))
    return view.cast("B")  # Arrow's buffers are signed chars: index them as bytes


def hash_range(task: LeafRange) -> RangeDone:
    """Stage 2, a task: the range's fingerprints, sorted, as subtree pieces of the whole."""
    parts = []
    for piece in task.slices:
        with open(piece.path, "rb") as run:
            run.seek(piece.start * HASH_SIZE)
            parts.append(run.read(piece.rows * HASH_SIZE))
    data: bytes | memoryview = b"".join(parts)
    rows = len(data) // HASH_SIZE
    if not rows:
        return RangeDone(0, True, [])
    if len(parts) > 1:  # each slice is sorted, together they are not (the driver omits empties)
        data = _sorted_bytes(
            pa.Array.from_buffers(pa.binary(HASH_SIZE), rows, [None, pa.py_buffer(data)])
        )
    in_range = task.low <= data[0] and data[(rows - 1) * HASH_SIZE] < task.high
    return RangeDone(rows, in_range, subtree_pieces(data, task.offset))


def plan_ranges(counts: Sequence[int], parallelism: int, max_rows: int) -> list[LeafRange]:
    """Contiguous first-byte ranges covering all 256 values, each of at most `max_rows` rows
    (a single first byte with more is a range of its own) and, given enough rows, about
    `parallelism` of them or more. Empty when there are no rows. Without their slices."""
    total = sum(counts)
    if not total:
        return []
    # Each range task reads a slice of every run: no more ranges than needed, cut near equal
    # shares of the rows (a greedy fill would leave a small last range).
    wanted = max(math.ceil(total / max_rows), min(parallelism, total // MIN_RANGE_ROWS), 1)
    share = total / wanted
    ranges: list[LeafRange] = []
    low, held, offset = 0, 0, 0
    for value, n in enumerate(counts):
        if held and (held + n > max_rows or offset + held >= share * (len(ranges) + 1)):
            ranges.append(LeafRange(low, value, offset, held))
            low, offset, held = value, offset + held, 0
        held += n
    ranges.append(LeafRange(low, _FIRST_BYTES, offset, held))
    return ranges


def _with_slices(leaves: LeafRange, runs: Sequence[SortedRun]) -> LeafRange:
    slices = []
    for run in runs:
        rows = sum(run.counts[leaves.low : leaves.high])
        if rows:
            slices.append(RunSlice(run.path, sum(run.counts[: leaves.low]), rows))
    return replace(leaves, slices=tuple(slices))


def _chunks(files: list[str], parts: int) -> list[tuple[str, ...]]:
    """`parts` chunks of consecutive files (fewer if there are fewer files), sizes within one."""
    count = max(1, min(parts, len(files)))
    cuts = [len(files) * i // count for i in range(count + 1)]
    return [tuple(files[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)]


def population_digest_parallel(
    certificates_dir: Path,
    map_: Mapper,
    *,
    parallelism: int = 1,
    max_range_rows: int = RANGE_ROWS,
    spill_dir: Path | None = None,
) -> dict[str, object]:
    """`population_digest` of the closed part files, as tasks run by `map_` (`cluster_map` of
    the run's client). `parallelism`: how many tasks are worth running side by side (twice the
    workers): the part files are sorted in twice that many chunks and the rows hashed in at
    least about that many ranges. The sorted runs are spilled into a hidden directory made in
    `spill_dir` (by default the run directory, the certificates' parent: on the disk the
    workers share) and removed before returning."""
    files = [str(p) for p in part_files(certificates_dir)]
    tree = _Root()
    if not files:
        return {"algorithm": ALGORITHM, "root": tree.root().hex(), "leaves": tree.size}
    where = spill_dir if spill_dir is not None else certificates_dir.parent
    spill = Path(tempfile.mkdtemp(prefix=SPILL_PREFIX, dir=where))
    try:
        chunks = [
            ChunkTask(chunk, str(spill / f"chunk-{i:04d}"))
            for i, chunk in enumerate(_chunks(files, 2 * parallelism))
        ]
        sorted_chunks: list[ChunkSorted] = map_(sort_chunk, chunks)
        if not all(c.canonical for c in sorted_chunks):
            return population_digest(certificates_dir)
        runs = [run for chunk in sorted_chunks for run in chunk.runs]
        counts = [sum(run.counts[b] for run in runs) for b in range(_FIRST_BYTES)]
        ranges = [_with_slices(r, runs) for r in plan_ranges(counts, parallelism, max_range_rows)]
        done: list[RangeDone] = map_(hash_range, ranges)
        for planned, result in zip(ranges, done, strict=True):
            if result.rows != planned.rows or not result.in_range:
                # The part files or the spill changed under the run (another process, a
                # storage fault): an operational failure, exit 3, not a digest to publish.
                raise OperationalError(
                    f"population digest: the spilled fingerprints do not match their counts "
                    f"(the part files changed during the run?): first bytes "
                    f"{planned.low:02x}..{planned.high - 1:02x} held {result.rows} "
                    f"fingerprints (counted {planned.rows})"
                    + ("" if result.in_range else ", some outside the range")
                )
            for height, node in result.pieces:
                tree.add_subtree(node, height)
    finally:
        shutil.rmtree(spill, ignore_errors=True)
    return {"algorithm": ALGORITHM, "root": tree.root().hex(), "leaves": tree.size}
