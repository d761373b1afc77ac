"""One dask task: read a partition's active rows, lint them, write its Parquet parts.

It returns only small counts to the driver; rows go from the database to Parquet within the
worker, one bounded batch at a time. Once its part files have their names it records them
(jobs/progress.py), so that a resumed run keeps them.

A connection lost while it reads (a server restarting, a network cut) does not end the run at
once: the partition is read again from its start, its part files discarded and written anew (so
no row is written twice), with growing pauses, for up to `retry_seconds` from the first loss.
The run's exported PostgreSQL snapshot dies with the driver's connection: a partition that can
no longer import it reads in a snapshot of its own, at the same as-of time (see README, "Resume
and retries": what that changes), and says so to the driver.
"""

from __future__ import annotations

import dataclasses
import gc
import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from audit import __version__
from audit.engine.registry import Catalogue
from audit.engine.runner import Engine
from audit.errors import InputError, OperationalError
from audit.jobs.progress import PartitionDone, record_partition
from audit.outputs.parts import PartStats, PartWriter
from audit.source.credentials import WorkerURL, on_worker
from audit.source.database import DatabaseUnreachable, IssuanceDatabase, Partition, SnapshotGone
from audit.source.schema import SchemaMapping

FIRST_PAUSE_S = 0.5  # then doubled after each failed attempt, up to LONGEST_PAUSE_S
LONGEST_PAUSE_S = 15.0


@dataclass(frozen=True)
class PartitionTask:
    database: WorkerURL  # without its password: the worker has it (audit/source/credentials.py)
    mapping: SchemaMapping
    as_of: datetime
    lint_names: tuple[str, ...]
    run_dir: Path
    partition: Partition
    retry_seconds: float = 0.0  # how long a lost database is tried again (the run's setting)
    rules_as_of: datetime | None = None  # judge by that date's rules (None: each notBefore's)
    catalogue_digest: str = ""  # the driver's: a worker with other lints refuses the task

    def __repr__(self) -> str:  # what dask's dashboard and logs may show
        return f"PartitionTask(partition={self.partition.index})"


@lru_cache(maxsize=2)
def _engine(
    lint_names: tuple[str, ...],
    as_of: datetime,
    rules_as_of: datetime | None = None,
    catalogue_digest: str = "",
) -> Engine:
    """Built once per worker process and lint set, not once per task; only the latest few are
    kept, since a long-lived worker (an existing cluster) serves run after run, each with its
    own as-of time."""
    # Exactly these lints, by name: never a selector, which an empty selection would read as
    # "all" (a rescan of nothing once ran every lint while its run.json recorded none).
    by_name = Catalogue.load().by_name
    missing = [name for name in lint_names if name not in by_name]
    lints = Catalogue(tuple(by_name[name] for name in lint_names if name in by_name))
    if missing or (catalogue_digest and lints.digest != catalogue_digest):
        # A worker of an existing cluster with another certcensus: its results would not be
        # the catalogue's that run.json records.
        raise InputError(
            f"a worker's lint catalogue differs from the driver's (certcensus {__version__} on "
            f"the worker{'; it lacks ' + missing[0] if missing else ''}): install the driver's "
            "version of certcensus on every worker"
        )
    engine = Engine(lints, as_of=as_of, rules_as_of=rules_as_of)
    quiet_garbage_collector()
    return engine


# Container allocations (net of those freed) between two young collections: Python's default
# is 700. Linting allocates thousands of short-lived containers per batch, nearly all freed by
# reference counting, so at 700 the collector runs every dozen certificates to find almost
# nothing; at this it runs about once per thousand.
YOUNG_COLLECTION_THRESHOLD = 5000


def quiet_garbage_collector() -> None:
    """Get the cyclic garbage collector out of the linting's way, in this worker process.

    What the process holds now (modules, the catalogue, the engine) is moved out of it for good
    (`gc.freeze`): a worker keeps these for its life, and each full collection would walk them
    all again. Young collections are made rarer (YOUNG_COLLECTION_THRESHOLD). Measured (gc
    callbacks around the benchmark's batches), the collector's time per certificate fell from
    31-35 µs to 1.0-1.2 µs, of some 250 µs in all. What is frozen is never collected: this is
    done once per engine, not per task."""
    gc.collect()
    gc.freeze()
    young, *older = gc.get_threshold()
    gc.set_threshold(max(young, YOUNG_COLLECTION_THRESHOLD), *older)


class Backoff:
    """Growing pauses while the database is unreachable, for up to `retry_seconds` from the
    first loss: a partition's read, and the driver's read of the keyCompromise rows."""

    def __init__(self, retry_seconds: float) -> None:
        self.retry_seconds = retry_seconds
        self.first_loss: float | None = None
        self._pause = FIRST_PAUSE_S

    def lost(self) -> bool:
        """Notes a loss; pauses and returns True to read again, or False once time is up."""
        now = time.monotonic()
        if self.first_loss is None:
            self.first_loss = now
        left = self.first_loss + self.retry_seconds - now
        if left <= 0:
            return False
        time.sleep(min(self._pause, left))
        self._pause = min(self._pause * 2, LONGEST_PAUSE_S)
        return True

    @property
    def lost_for(self) -> float:
        return 0.0 if self.first_loss is None else time.monotonic() - self.first_loss


def audit_partition(task: PartitionTask) -> PartitionDone:
    """Audits the partition, reading it again while the database is unreachable (module
    docstring); raises OperationalError once `task.retry_seconds` have passed."""
    started = time.perf_counter()
    partition, attempts = task.partition, 0
    backoff = Backoff(task.retry_seconds)
    while True:
        attempts += 1
        try:
            stats = _audit_once(task, partition)
            break
        except SnapshotGone:
            # The driver's transaction is gone, and with it the snapshot: read in a new one.
            partition = dataclasses.replace(partition, snapshot=None)
        except DatabaseUnreachable as exc:
            if not backoff.lost():
                tried = (
                    f" (read {attempts} times over {backoff.lost_for:.0f} s)"
                    if attempts > 1
                    else ""
                )
                raise OperationalError(f"{exc}{tried}") from exc
    stats.seconds = time.perf_counter() - started
    new_snapshot = task.partition.snapshot is not None and partition.snapshot is None
    done = PartitionDone(stats, attempts, "new" if new_snapshot else "run")
    record_partition(task.run_dir, partition, done)
    return done


def _audit_once(task: PartitionTask, partition: Partition) -> PartStats:
    """One read of the partition into its part files (discarded when the read fails)."""
    engine = _engine(task.lint_names, task.as_of, task.rules_as_of, task.catalogue_digest)
    database = IssuanceDatabase(on_worker(task.database), task.mapping)
    stats = PartStats(partition.index)
    with PartWriter(task.run_dir, partition.index, stats) as writer:
        for batch in database.rows(partition, task.as_of):
            reports = engine.lint_rows((row.der, row.facts) for row in batch)
            for row, report in zip(batch, reports, strict=True):
                writer.add(report, row.facts)
            writer.flush()
    return stats
