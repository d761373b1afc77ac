"""Run the population lints over a finished run's certificates and add their findings.

A population lint is given a `Population`: the certificates dataset, read batch by batch (never
whole, so that memory does not grow with the run), or queried with SQL (`query`: the query engine
groups and orders rows with bounded memory). Per-certificate counts in `certificates/` are updated in
place (only the part files holding an affected certificate are rewritten), so the datasets and
run.json still reconcile exactly.
"""

from __future__ import annotations

import contextlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from audit.engine.registry import Lint
from audit.engine.status import FINDING_STATUSES
from audit.outputs import schemas, sql
from audit.outputs.keys import KEYS_DIR
from audit.outputs.parts import CERTIFICATES_DIR, FINDINGS_DIR, part_name, written_whole
from audit.outputs.reader import dataset, part_files
from audit.outputs.scan import batches
from audit.population.batch_gcd import Mapper, local_map

PART_NAME = "part-population.parquet"
# The keys of rows revoked for keyCompromise, read from the database beside the active population
# (audit/population/compromised.py): the one thing a run reads of rows it does not audit.
COMPROMISED_KEYS = "compromised_keys.parquet"
_DESCRIBE = [f.name for f in schemas.CERT_COLUMNS] + ["revoked_at", "partition"]


@dataclass
class PopulationContext:
    """What the run gives its population lints besides the datasets, and what they tell it."""

    # Runs independent pieces of heavy work (the batch GCD's tasks): on the run's dask cluster,
    # or one after another here. Each piece is a module-level function and its argument.
    map: Mapper = local_map
    badkeys_data: Path | None = None  # --badkeys-data: badkeys' blocklist files, if given
    # What the lints read beyond the certificates and which checks they ran: run.json `scope`.
    scope: dict[str, Any] = field(default_factory=dict)


class Population:
    """The audited certificates of a run, to be read in batches (each a `pa.Table`), with
    their keys (`keys/`, audit/outputs/keys.py) and the keys revoked for keyCompromise."""

    def __init__(self, certificates_dir: Path, context: PopulationContext | None = None) -> None:
        self.files = part_files(certificates_dir)  # closed part files only
        self.dataset = dataset(self.files, schemas.CERTIFICATES)
        self.run_dir = certificates_dir.parent
        keys = self.run_dir / KEYS_DIR
        self.key_files = part_files(keys) if keys.is_dir() else []
        self.context = context or PopulationContext()
        self._shared: dict[str, Any] = {}

    @contextlib.contextmanager
    def query(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A bounded DuckDB connection with the views `certificates`, `keys` and
        `compromised_keys` (see `audit.outputs.sql`; a dataset the run has not: an empty view)."""
        with sql.connect() as con:
            sql.parquet_view(con, "certificates", self.files, schemas.CERTIFICATES)
            sql.parquet_view(con, "keys", self.key_files, schemas.KEYS)
            compromised = self.run_dir / COMPROMISED_KEYS
            files = [compromised] if compromised.is_file() else []
            sql.parquet_view(con, "compromised_keys", files, schemas.COMPROMISED_KEYS)
            yield con

    def shared(self, name: str, compute: Callable[[], Any]) -> Any:
        """`compute()`, once per run: what several lints read (the moduli's shared factors)."""
        if name not in self._shared:
            self._shared[name] = compute()
        return self._shared[name]

    def batches(self, columns: list[str], where: pc.Expression | None = None) -> Iterator[pa.Table]:
        """The certificates' `columns` (only the rows `where` selects), in the dataset's order."""
        for batch in batches(self.dataset, columns, filter=where):
            yield pa.Table.from_batches([batch])

    def table(self, columns: list[str], where: pc.Expression | None = None) -> pa.Table:
        """All of it at once: for small populations (tests) only; memory grows with the run."""
        empty = pa.schema([schemas.CERTIFICATES.field(c) for c in columns]).empty_table()
        return pa.concat_tables([empty, *self.batches(columns, where)])


def apply_population_lints(
    run_dir: Path, lints: list[Lint], context: PopulationContext | None = None
) -> int:
    """Add the population lints' findings to the run; returns how many were added."""
    if not lints:
        return 0
    population = Population(run_dir / CERTIFICATES_DIR, context)
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
    for batch in Population(run_dir / CERTIFICATES_DIR).dataset.to_batches(columns=columns):
        higher = pa.repeat(False, batch.num_rows)  # a finding above the status at hand
        for s in reversed(FINDING_STATUSES):
            has = pc.greater(batch.column(f"n_{s.label}"), 0)
            findings[s.label] += pc.sum(batch.column(f"n_{s.label}")).as_py() or 0
            certificates_with[s.label] += pc.sum(has.cast(pa.int64())).as_py() or 0
            worst[s.label] += pc.sum(pc.and_not(has, higher).cast(pa.int64())).as_py() or 0
            higher = pc.or_(higher, has)
    return OutputCounts(findings, certificates_with, worst)
