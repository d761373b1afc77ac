"""Run the population lints over a finished run's certificates and add their findings.

A population lint is given a `Population`: the certificates dataset, read batch by batch (never
whole, so that memory does not grow with the run), or queried with SQL (`query`: the query engine
groups and orders rows with bounded memory). Per-certificate counts in `certificates/` are updated in
place (only the part files holding an affected certificate are rewritten), so the datasets and
run.json still reconcile exactly.

The pass is tasks on the context's `map` (the run's cluster, or here one after another):

1. the prepared inputs the lints declare (`@population_lint(inputs=...)`), each computed once,
   here, by its `@population_input` (itself spreading its heavy work over `map`): what several
   lints read (the moduli's shared factors) or what needs many tasks (badkeys' per-key checks);
2. one task per lint (`run_lint`), given only the inputs it declares: its hits go to a staging
   file, and it returns their count and its part of run.json's `scope`;
3. one task per certificates part file (audit/population/hits.py): its findings and counts.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from audit.engine.registry import Lint
from audit.engine.status import FINDING_STATUSES
from audit.outputs import schemas, sql
from audit.outputs.keys import KEYS_DIR
from audit.outputs.parts import CERTIFICATES_DIR
from audit.outputs.reader import dataset, part_files
from audit.outputs.scan import batches
from audit.population.batch_gcd import Mapper, local_map
from audit.population.hits import (
    CountChange,
    HitWriter,
    LintColumns,
    PartTask,
    finish_part,
    fresh_staging,
)

# The keys of rows revoked for keyCompromise, read from the database beside the active population
# (audit/population/compromised.py): the one thing a run reads of rows it does not audit.
COMPROMISED_KEYS = "compromised_keys.parquet"


@dataclass
class PopulationContext:
    """What the run gives its population lints besides the datasets, and what they tell it."""

    # Runs independent pieces of heavy work (the lints, the batch GCD's tasks): on the run's
    # dask cluster, or one after another here. Each piece is a module-level function and its
    # argument. Within a lint's own task: here.
    map: Mapper = local_map
    badkeys_data: Path | None = None  # --badkeys-data: badkeys' blocklist files, if given
    # What the lints read beyond the certificates and which checks they ran: run.json `scope`.
    scope: dict[str, Any] = field(default_factory=dict)
    # In a lint's task: the inputs it declared, prepared (the only ones `shared` gives), and
    # its name. None outside one: `shared` prepares what it is asked for, here.
    prepared: dict[str, Any] | None = None
    lint: str | None = None


class UndeclaredInputError(LookupError):
    """A population lint read a prepared input its `@population_lint(inputs=...)` omits."""


Preparation = Callable[["Population"], Any]
_PREPARATIONS: dict[str, Preparation] = {}


def population_input(name: str) -> Callable[[Preparation], Preparation]:
    """Declare how the prepared input `name` is computed: the decorated function is given the
    run's `Population` (its context's `map`: the run's cluster) and returns a small picklable
    value, which goes to the task of every lint declaring `name`."""

    def register(prepare: Preparation) -> Preparation:
        if name in _PREPARATIONS:
            raise ValueError(f"population input {name!r} is declared twice")
        _PREPARATIONS[name] = prepare
        return prepare

    return register


def _preparation(name: str) -> Preparation:
    if name not in _PREPARATIONS:
        raise LookupError(f"no @population_input prepares {name!r}")
    return _PREPARATIONS[name]


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

    def shared(self, name: str) -> Any:
        """The prepared input `name` (`population_input`): in a lint's task, one the lint
        declares; elsewhere (a lint called on its own) prepared here on first use."""
        prepared = self.context.prepared
        if prepared is None:
            if name not in self._shared:
                self._shared[name] = _preparation(name)(self)
            return self._shared[name]
        if name not in prepared:
            raise UndeclaredInputError(
                f"population lint {self.context.lint!r} reads the prepared input {name!r}, "
                f"which it does not declare: add it to its @population_lint(inputs=...)"
            )
        return prepared[name]

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
) -> CountChange:
    """Add the population lints' findings to the run; returns how many were added and what
    they change in the run's counts. Their parts of run.json's `scope` are added to
    `context.scope`, in the lints' order."""
    if not lints:
        return CountChange()
    context = context or PopulationContext()
    staging = fresh_staging(run_dir)
    try:
        prepared = prepare_inputs(run_dir, lints, context)
        badkeys_data = str(context.badkeys_data) if context.badkeys_data else None
        tasks = [
            LintTask(x, i, str(run_dir), str(staging), badkeys_data,
                     {name: prepared[name] for name in x.population_inputs})
            for i, x in enumerate(lints)
        ]  # fmt: skip
        done: list[LintDone] = context.map(run_lint, tasks)
        for lint_done in done:
            context.scope.update(lint_done.scope)
        if not any(d.hits for d in done):
            return CountChange()
        described = tuple(LintColumns.of(x) for x in lints)
        parts = [
            PartTask(str(path), str(staging), described)
            for path in part_files(run_dir / CERTIFICATES_DIR)
        ]
        total = CountChange()
        for change in context.map(finish_part, parts):
            total.add(change)
        return total
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def prepare_inputs(run_dir: Path, lints: list[Lint], context: PopulationContext) -> dict[str, Any]:
    """Each input some lint declares, prepared once (in the order first declared)."""
    names = list(dict.fromkeys(name for x in lints for name in x.population_inputs))
    if not names:
        return {}
    preparations = {name: _preparation(name) for name in names}  # all known, before any runs
    population = Population(run_dir / CERTIFICATES_DIR, context)
    return {name: prepare(population) for name, prepare in preparations.items()}


@dataclass(frozen=True)
class LintTask:
    """One population lint to run, with what its context must carry."""

    lint: Lint  # pickled by reference to its module-level check
    index: int  # in the pass's list: the order its findings take among a certificate's
    run_dir: str
    staging: str
    badkeys_data: str | None
    prepared: dict[str, Any]  # the inputs it declares


@dataclass(frozen=True)
class LintDone:
    name: str
    hits: int
    scope: dict[str, Any]  # what it adds to run.json's `scope`


def run_lint(task: LintTask) -> LintDone:
    """A task: one lint over the run's population (read in this process), its hits staged."""
    lint = task.lint
    assert lint.population_check is not None
    context = PopulationContext(
        badkeys_data=Path(task.badkeys_data) if task.badkeys_data else None,
        prepared=task.prepared,
        lint=lint.name,
    )
    population = Population(Path(task.run_dir) / CERTIFICATES_DIR, context)
    with HitWriter(Path(task.staging), lint, task.index) as hits:
        for cert_id, message in lint.population_check(population):
            hits.add(cert_id, message)
    return LintDone(lint.name, hits.count, context.scope)


@dataclass(frozen=True)
class OutputCounts:
    """Counts read off a run's certificates dataset, each keyed by finding status."""

    findings: dict[str, int]  # findings at each status
    certificates_with: dict[str, int]  # certificates with at least one finding at each status
    certificates_worst: dict[str, int]  # certificates whose worst finding is at each status


def counts_from_outputs(run_dir: Path) -> OutputCounts:
    """The run's counts, read off the Parquet (what the partitions' and the population pass's
    counts, added up, must agree with)."""
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
