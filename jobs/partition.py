"""One dask task: read a partition's active rows, lint them, write its Parquet parts.

It returns only small counts to the driver; rows go from the database to Parquet within the
worker, one bounded batch at a time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from audit.engine.registry import Catalogue
from audit.engine.runner import Engine
from audit.outputs.parts import PartStats, PartWriter
from audit.source.database import IssuanceDatabase, Partition
from audit.source.schema import SchemaMapping


@dataclass(frozen=True)
class PartitionTask:
    db_url: str  # may hold a password: never logged, never written
    mapping: SchemaMapping
    as_of: datetime
    lint_names: tuple[str, ...]
    run_dir: Path
    partition: Partition

    def __repr__(self) -> str:  # what dask's dashboard and logs may show
        return f"PartitionTask(partition={self.partition.index})"


@lru_cache(maxsize=2)
def _engine(lint_names: tuple[str, ...], as_of: datetime) -> Engine:
    """Built once per worker process and lint set, not once per task; only the latest few are
    kept, since a long-lived worker (an existing cluster) serves run after run, each with its
    own as-of time."""
    catalogue = Catalogue.load()
    return Engine(catalogue.select(",".join(lint_names)), as_of=as_of)


def audit_partition(task: PartitionTask) -> PartStats:
    started = time.perf_counter()
    engine = _engine(task.lint_names, task.as_of)
    database = IssuanceDatabase(task.db_url, task.mapping)
    stats = PartStats(task.partition.index)
    writer = PartWriter(task.run_dir, task.partition.index, stats)
    try:
        for batch in database.rows(task.partition, task.as_of):
            reports = engine.lint_rows((row.der, row.facts) for row in batch)
            for row, report in zip(batch, reports, strict=True):
                writer.add(report, row.facts)
            writer.flush()
    finally:
        writer.close()
    stats.seconds = time.perf_counter() - started
    return stats
