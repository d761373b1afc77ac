"""The population digest computed as tasks (audit/outputs/digest_parallel.py): the same root
as the serial pass and as the RFC 6962 Merkle Tree Hash of the sorted fingerprints, for any
population size, any cut into ranges and any layout in part files; the Parquet is read once
(the ranges are hashed from the spilled sorted runs), and the spill never outlives the call."""

from __future__ import annotations

import hashlib
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from distributed import Client, LocalCluster

from audit.errors import OperationalError
from audit.outputs import digest_parallel
from audit.outputs.digest import _Root, leaf_hash, merkle_root, population_digest, subtree_pieces
from audit.outputs.digest_parallel import plan_ranges, population_digest_parallel
from audit.outputs.parts import CERTIFICATES_DIR, part_name
from audit.outputs.schemas import CERTIFICATES
from audit.population.batch_gcd import local_map
from audit.population.rsa_moduli import cluster_map


def _fingerprints(n: int, seed: int = 0) -> list[str]:
    return [hashlib.sha256(f"{seed}:{i}".encode()).hexdigest() for i in range(n)]


def _write(run_dir: Path, values: list[str | None], parts: int = 1) -> Path:
    """`values` as the sha256 column of `parts` certificates part files (the run's schema)."""
    directory = run_dir / CERTIFICATES_DIR
    directory.mkdir(parents=True)
    size = -(-len(values) // parts) if values else 0
    for part in range(parts):
        chunk = values[part * size : (part + 1) * size]
        columns = []
        for field in CERTIFICATES:
            if field.name == "sha256":
                columns.append(pa.array(chunk, pa.string()))
            elif field.name == "cert_id":
                columns.append(pa.array([f"{part}-{i}" for i in range(len(chunk))]))
            elif not field.nullable:
                columns.append(pa.array([0] * len(chunk), field.type))
            else:
                columns.append(pa.nulls(len(chunk), field.type))
        pq.write_table(
            pa.Table.from_arrays(columns, schema=CERTIFICATES),
            directory / part_name(part),
            row_group_size=97,  # several row groups a file, as a run writes them
        )
    return directory


def _spills(run_dir: Path) -> list[Path]:
    return sorted(run_dir.glob(".digest-spill-*"))


def _expected(values: list[str | None]) -> dict[str, object]:
    leaves = sorted(bytes.fromhex(v) for v in values if v is not None)
    return {
        "algorithm": "merkle-sha256-rfc6962",
        "root": merkle_root(leaves).hex(),
        "leaves": len(leaves),
    }


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 7, 8, 9, 17, 1000])
def test_the_same_root_as_the_serial_pass(n: int, tmp_path: Path) -> None:
    values: list[str | None] = list(_fingerprints(n))
    directory = _write(tmp_path, values, parts=min(3, max(n, 1)))
    expected = _expected(values)
    assert population_digest(directory) == expected
    # Every range a row or a few (a run of 1000 in a few dozen ranges).
    sizes = (1, 2, 3, 5, 1 << 18) if n < 100 else (40, 1 << 18)
    for max_rows in sizes:
        for parallelism in (1, 4):
            got = population_digest_parallel(
                directory, local_map, parallelism=parallelism, max_range_rows=max_rows
            )
            assert got == expected, (max_rows, parallelism)
    assert _spills(tmp_path) == []


def test_many_ranges_across_many_part_files(tmp_path: Path) -> None:
    """A few thousand fingerprints in seven part files, with duplicates and null rows, cut
    into ranges of a few dozen rows: ranges start at odd positions, some first bytes hold
    more rows than a range may, and nulls are no leaves."""
    values: list[str | None] = list(_fingerprints(4000))
    values += values[:25]  # the same certificate twice: two leaves, as the serial pass has it
    values += [None] * 40  # rows without a certificate
    random.Random(7).shuffle(values)
    directory = _write(tmp_path, values, parts=7)
    expected = _expected(values)
    assert expected["leaves"] == 4025
    assert population_digest(directory) == expected
    counts = [0] * 256
    for v in values:
        if v is not None:
            counts[int(v[:2], 16)] += 1
    ranges = plan_ranges(counts, parallelism=4, max_rows=37)
    assert len(ranges) > 100 and any(r.offset % 2 for r in ranges)
    assert [r.low for r in ranges[1:]] == [r.high for r in ranges[:-1]]
    assert (ranges[0].low, ranges[-1].high) == (0, 256)
    assert all(r.rows <= 37 or r.high - r.low == 1 for r in ranges)
    for max_rows in (37, 200, 1 << 18):
        got = population_digest_parallel(
            directory, local_map, parallelism=4, max_range_rows=max_rows
        )
        assert got == expected, max_rows


def test_enough_ranges_for_the_workers() -> None:
    counts = [10_000] * 256
    assert len(plan_ranges(counts, parallelism=8, max_rows=1 << 18)) >= 8
    assert len(plan_ranges(counts, parallelism=1, max_rows=1 << 18)) == 10  # 2**18 rows each
    # A small population is not cut up for the sake of it.
    assert len(plan_ranges([3] * 256, parallelism=8, max_rows=1 << 18)) == 1
    assert plan_ranges([0] * 256, parallelism=8, max_rows=1 << 18) == []


def test_pieces_fold_into_the_tree_of_the_leaves() -> None:
    leaves = sorted(bytes.fromhex(h) for h in _fingerprints(45))
    whole = _Root()
    for leaf in leaves:
        whole.add(leaf_hash(leaf))
    for cuts in ([0, 45], [0, 1, 2, 3, 45], [0, 5, 6, 13, 32, 33, 44, 45], list(range(46))):
        folded = _Root()
        for start, end in zip(cuts, cuts[1:], strict=False):
            pieces = subtree_pieces(b"".join(leaves[start:end]), start)
            assert sum(1 << h for h, _ in pieces) == end - start
            for height, node in pieces:
                folded.add_subtree(node, height)
        assert (folded.root(), folded.size) == (whole.root(), whole.size)
        assert folded.stack == whole.stack and folded.heights == whole.heights
    # The largest aligned blocks: leaves 5..12 are 5, 6-7, 8-11 and 12; 0..44 are 32, 8, 4, 1.
    assert [h for h, _ in subtree_pieces(b"".join(leaves[5:13]), 5)] == [0, 1, 2, 0]
    assert [h for h, _ in subtree_pieces(b"".join(leaves), 0)] == [5, 3, 2, 0]
    assert subtree_pieces(b"".join(leaves[32:40]), 32) == [(3, whole.stack[1])]


def test_a_subtree_must_be_aligned() -> None:
    tree = _Root()
    tree.add(leaf_hash(b"\x00" * 32))
    with pytest.raises(ValueError, match="cannot start at leaf 1"):
        tree.add_subtree(b"\x01" * 32, 1)


def test_a_non_canonical_value_takes_the_serial_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    values: list[str | None] = list(_fingerprints(300))
    values[123] = values[123].upper()  # type: ignore[union-attr]
    directory = _write(tmp_path, values, parts=3)
    serial = population_digest(directory)
    as_text = merkle_root(bytes.fromhex(v) for v in sorted(values))  # type: ignore[type-var]
    assert serial["root"] == as_text.hex()  # the serial pass sorts such values as text

    def no_range_tasks(task: object) -> object:
        raise AssertionError("no range is hashed when a value is not canonical")

    monkeypatch.setattr(digest_parallel, "hash_range", no_range_tasks)
    assert population_digest_parallel(directory, local_map, max_range_rows=10) == serial
    assert _spills(tmp_path) == []


def test_runs_that_do_not_match_their_counts_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run counted with one more fingerprint of first byte 00 than it holds: the ranges
    read the wrong slices, and the driver says so rather than digest them: an operational
    failure (exit 3), as a run's other faults outside its input are."""
    values: list[str | None] = list(_fingerprints(300))
    directory = _write(tmp_path, values, parts=2)
    sort_chunk = digest_parallel.sort_chunk

    def miscounted(task: digest_parallel.ChunkTask) -> digest_parallel.ChunkSorted:
        done = sort_chunk(task)
        runs = [
            digest_parallel.SortedRun(r.path, (r.counts[0] + 1, *r.counts[1:])) for r in done.runs
        ]
        return digest_parallel.ChunkSorted(tuple(runs), True)

    monkeypatch.setattr(digest_parallel, "sort_chunk", miscounted)
    with pytest.raises(OperationalError, match="do not match their counts"):
        population_digest_parallel(directory, local_map, parallelism=2, max_range_rows=10)
    assert _spills(tmp_path) == []


def test_ranges_are_hashed_from_the_spill_alone(tmp_path: Path) -> None:
    """Once the chunks are sorted, the Parquet is not read again: the part files can be gone
    by the time the ranges are hashed. The spill is hidden in the run directory meanwhile."""
    values: list[str | None] = [*_fingerprints(2000), None]
    directory = _write(tmp_path / "run", values, parts=5)
    expected = _expected(values)
    seen: list[str] = []

    def parquet_gone_before_ranges(function: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        if function is digest_parallel.hash_range:
            shutil.rmtree(directory)
            (spill,) = _spills(tmp_path / "run")
            seen.extend(sorted(p.name for p in spill.iterdir()))
        return local_map(function, items)

    got = population_digest_parallel(
        directory, parquet_gone_before_ranges, parallelism=2, max_range_rows=300
    )
    assert got == expected
    assert seen == [f"chunk-{i:04d}-000.bin" for i in range(4)]  # twice `parallelism` chunks
    assert _spills(tmp_path / "run") == []


def test_chunks_spill_bounded_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk with more rows than a run holds spills several sorted runs; every range takes
    its slice of each."""
    monkeypatch.setattr(digest_parallel, "RUN_ROWS", 100)
    values: list[str | None] = list(_fingerprints(1500))
    directory = _write(tmp_path, values, parts=3)
    runs: list[int] = []
    sort_chunk = digest_parallel.sort_chunk

    def counting(task: digest_parallel.ChunkTask) -> digest_parallel.ChunkSorted:
        done = sort_chunk(task)
        runs.append(len(done.runs))
        return done

    monkeypatch.setattr(digest_parallel, "sort_chunk", counting)
    got = population_digest_parallel(directory, local_map, parallelism=1, max_range_rows=200)
    assert got == _expected(values)
    # Two chunks, of 500 and 1000 rows (one file and two), each spilled in runs of 100 or a
    # little more (read in row groups of 97).
    assert len(runs) == 2 and runs[0] >= 3 and runs[1] >= 5
    assert _spills(tmp_path) == []


def test_the_spill_goes_where_asked_and_is_removed_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    values: list[str | None] = list(_fingerprints(500))
    directory = _write(tmp_path / "run", values, parts=2)
    elsewhere = tmp_path / "scratch"
    elsewhere.mkdir()
    assert population_digest_parallel(
        directory, local_map, parallelism=2, spill_dir=elsewhere
    ) == _expected(values)
    assert list(elsewhere.iterdir()) == [] and _spills(tmp_path / "run") == []

    def failing(task: object) -> object:
        assert len(_spills(elsewhere)) == 1  # written, and still there while ranges run
        raise OSError("a worker's disk failed")

    monkeypatch.setattr(digest_parallel, "hash_range", failing)
    with pytest.raises(OSError, match="disk failed"):
        population_digest_parallel(directory, local_map, parallelism=2, spill_dir=elsewhere)
    assert list(elsewhere.iterdir()) == []


def test_on_a_dask_cluster(tmp_path: Path) -> None:
    values: list[str | None] = [*_fingerprints(700), None]
    directory = _write(tmp_path, values, parts=4)
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, Client(cluster) as client:
        got = population_digest_parallel(
            directory, cluster_map(client), parallelism=4, max_range_rows=50
        )
    assert got == population_digest(directory) == _expected(values)
    assert _spills(tmp_path) == []
