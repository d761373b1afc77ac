"""Run the population lints over a finished run's certificates and add their findings.

A population lint is given a `Population`: the certificates dataset, read batch by batch (never
whole, so that memory does not grow with the run; see `audit.outputs.buckets` for grouping or
ordering rows with bounded memory). Per-certificate counts in `certificates/` are updated in
place (only the part files holding an affected certificate are rewritten), so the datasets and
run.json still reconcile exactly.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from audit.engine.registry import Lint
from audit.engine.status import FINDING_STATUSES
from audit.outputs import schemas
from audit.outputs.parts import CERTIFICATES_DIR, FINDINGS_DIR, part_name, written_whole
from audit.outputs.scan import batches

PART_NAME = "part-population.parquet"
_DESCRIBE = [f.name for f in schemas.CERT_COLUMNS] + ["revoked_at", "partition"]


class Population:
    """The audited certificates of a run, to be read in batches (each a `pa.Table`)."""

    def __init__(self, certificates_dir: Path) -> None:
        self.dataset = ds.dataset(certificates_dir, format="parquet", schema=schemas.CERTIFICATES)

    def batches(self, columns: list[str], where: pc.Expression | None = None) -> Iterator[pa.Table]:
        """The certificates' `columns` (only the rows `where` selects), in the dataset's order."""
        for batch in batches(self.dataset, columns, filter=where):
            yield pa.Table.from_batches([batch])

    def table(self, columns: list[str], where: pc.Expression | None = None) -> pa.Table:
        """All of it at once: for small populations (tests) only; memory grows with the run."""
        empty = pa.schema([schemas.CERTIFICATES.field(c) for c in columns]).empty_table()
        return pa.concat_tables([empty, *self.batches(columns, where)])


def apply_population_lints(run_dir: Path, lints: list[Lint]) -> int:
    """Add the population lints' findings to the run; returns how many were added."""
    if not lints:
        return 0
    population = Population(run_dir / CERTIFICATES_DIR)
    hits: dict[str, list[tuple[Lint, str]]] = defaultdict(list)
    for x in lints:
        assert x.population_check is not None
        for cert_id, message in x.population_check(population):
            hits[cert_id].append((x, message))
    if not hits:
        return 0
    wanted = pa.array(list(hits), pa.string())
    affected = population.table(_DESCRIBE, pc.field("cert_id").isin(wanted))
    rows = []
    for cert in affected.to_pylist():
        base = {k: cert[k] for k in _DESCRIBE if k != "partition"}
        for x, message in hits[cert["cert_id"]]:
            rows.append(
                base | {
                    "lint": x.name, "status": x.severity.label, "message": message,
                    "source": str(x.source), "citation": x.citation, "lint_version": x.version,
                }
            )  # fmt: skip
    with written_whole(run_dir / FINDINGS_DIR / PART_NAME) as path:
        pq.write_table(pa.Table.from_pylist(rows, schema=schemas.FINDINGS), path)
    _add_counts(run_dir, affected, hits)
    return len(rows)


def _add_counts(run_dir: Path, affected: pa.Table, hits: dict[str, list[tuple[Lint, str]]]) -> None:
    by_partition: dict[int, dict[str, Counter[str]]] = defaultdict(dict)
    for cert_id, partition in zip(
        affected["cert_id"].to_pylist(), affected["partition"].to_pylist(), strict=True
    ):
        by_partition[partition][cert_id] = Counter(x.severity.label for x, _ in hits[cert_id])
    for partition, added in by_partition.items():
        path = run_dir / CERTIFICATES_DIR / part_name(partition)
        table = pq.read_table(path, schema=schemas.CERTIFICATES)
        ids = table["cert_id"].to_pylist()
        for status in FINDING_STATUSES:
            column = f"n_{status.label}"
            counts = table[column].to_pylist()
            new = [
                n + added[i][status.label] if i in added else n
                for i, n in zip(ids, counts, strict=True)
            ]
            table = table.set_column(
                table.schema.get_field_index(column),
                schemas.CERTIFICATES.field(column),
                pa.array(new, pa.int32()),
            )
        with written_whole(path) as rewritten:
            pq.write_table(table, rewritten)


@dataclass(frozen=True)
class OutputCounts:
    """Counts read off a run's certificates dataset, each keyed by finding status."""

    findings: dict[str, int]  # findings at each status
    certificates_with: dict[str, int]  # certificates with at least one finding at each status
    certificates_worst: dict[str, int]  # certificates whose worst finding is at each status


def counts_from_outputs(run_dir: Path) -> OutputCounts:
    """The run's counts, read off the Parquet."""
    columns = [f"n_{s.label}" for s in FINDING_STATUSES]
    labels = [s.label for s in FINDING_STATUSES]
    findings, certificates_with, worst = (dict.fromkeys(labels, 0) for _ in range(3))
    for batch in ds.dataset(run_dir / CERTIFICATES_DIR, format="parquet").to_batches(
        columns=columns
    ):
        higher = pa.repeat(False, batch.num_rows)  # a finding above the status at hand
        for s in reversed(FINDING_STATUSES):
            has = pc.greater(batch.column(f"n_{s.label}"), 0)
            findings[s.label] += pc.sum(batch.column(f"n_{s.label}")).as_py() or 0
            certificates_with[s.label] += pc.sum(has.cast(pa.int64())).as_py() or 0
            worst[s.label] += pc.sum(pc.and_not(has, higher).cast(pa.int64())).as_py() or 0
            higher = pc.or_(higher, has)
    return OutputCounts(findings, certificates_with, worst)
