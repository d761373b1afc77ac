"""The quarterly full-population audit, as a dask graph.

    plan partitions of the active population (one SQL pass on the scan key)
      └─ audit_partition × N       (read rows → lint → write Parquet parts; returns counts)
           └─ finish_run           (reconcile counts, population digest, run.json, report)

The run is built in `<out>/<run_id>.partial/` and renamed `<out>/<run_id>` once complete.
The CLI builds an AuditRequest and calls run_audit; a scheduler can call it the same way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dask import delayed
from distributed import as_completed
from tqdm import tqdm

from audit import __version__
from audit.compare.first_seen import write_first_seen
from audit.engine.registry import Catalogue
from audit.engine.status import Status
from audit.errors import InputError, OperationalError
from audit.jobs.cluster import dask_client
from audit.jobs.failures import classified, operational_cause, terminate_as_interrupt
from audit.jobs.partition import PartitionTask, audit_partition
from audit.outputs.digest import population_digest
from audit.outputs.parts import CERTIFICATES_DIR, PartStats
from audit.outputs.runjson import (
    CATALOGUE_JSON,
    PARTIAL_MARKER,
    PARTIAL_SUFFIX,
    RUN_JSON,
    finished_run_dir,
    new_run_id,
    read_run,
    write_json,
)
from audit.population.apply import OutputCounts, apply_population_lints, counts_from_outputs
from audit.report.render import render_report
from audit.source.database import IssuanceDatabase
from audit.source.schema import load_mapping

ROWS_PER_PARTITION = 5000


@dataclass(frozen=True)
class AuditRequest:
    db_url: str | None = None  # None: the embedded sample database (built on first use)
    schema: str = "generic"
    as_of: datetime | None = None
    out_dir: Path = Path("runs")
    workers: int | None = None
    scheduler: str | None = None
    selector: str | None = None  # --lints
    partitions: int | None = None
    baseline: Path | None = None  # the previous run: carries first-seen dates forward
    progress: bool = False


@dataclass(frozen=True)
class AuditOutcome:
    run_dir: Path
    run: dict
    certificates_worst: dict[str, int]  # certificates by the status of their worst finding

    @property
    def summary_line(self) -> str:
        c = self.run["counts"]
        by = ", ".join(f"{k} {v}" for k, v in c["certificates_with"].items() if v)
        return f"audited {c['scanned']} of {c['active_in_database']} active certificates; certificates with findings: {by or 'none'}"

    @property
    def nothing_audited(self) -> str | None:
        """What to say when the run audited no certificate (never a clean pass), else None."""
        counts = self.run["counts"]
        if counts["scanned"]:
            return None
        active = counts["active_in_database"]
        return (
            f"nothing audited: {active} certificates active at {self.run['as_of']} in the database"
        )

    def fail_on(self, level: str) -> str | None:
        """Why `--fail-on level` is met, else None. An empty population meets every level."""
        if nothing := self.nothing_audited:
            return f"fail-on {level}: met: {nothing}"
        floor = Status.parse(level)
        met = {k: n for k, n in self.certificates_worst.items() if n and Status.parse(k) >= floor}
        if not met:
            return None
        by = ", ".join(f"{k} {n}" for k, n in met.items())
        return f"fail-on {level}: met by {sum(met.values())} certificates ({by})"


class NothingToRescan(Exception):
    """`--lints changed-since:RUN` selected no lint: there is no run to make."""


def run_audit(request: AuditRequest) -> AuditOutcome:
    """Audit the active population into `<out>/<run_id>`, built as `<out>/<run_id>.partial` and
    renamed once complete: a directory with the run's own name is a whole run. A run that could
    not finish raises OperationalError and leaves its `.partial` directory (jobs/failures.py)."""
    with terminate_as_interrupt():
        started = datetime.now(UTC)
        as_of = request.as_of or started
        mapping = load_mapping(request.schema)
        baseline = _baseline(request.baseline)
        catalogue = _catalogue(request.selector)
        db_url = request.db_url or _sample_db_url()
        database = IssuanceDatabase(db_url, mapping)
        database.check()
        run_id = new_run_id(started)
        staging = _stage(request, run_id, as_of, database, baseline)
        with classified(staging):
            run, worst = _audit(
                request, run_id, staging, started, as_of, catalogue, database, db_url, baseline
            )
            return AuditOutcome(_publish(staging, run_id), run, worst)


def _audit(
    request: AuditRequest, run_id: str, run_dir: Path, started: datetime, as_of: datetime,
    catalogue: Catalogue, database: IssuanceDatabase, db_url: str, baseline: Path | None,
) -> tuple[dict, dict[str, int]]:  # fmt: skip
    """Everything written into the staging directory `run_dir`, run.json last (it vouches for
    the rest), then the report rendered from it; returns run.json and the certificates by
    their worst finding."""
    clock = time.perf_counter()
    write_json(run_dir / CATALOGUE_JSON, [x.metadata() for x in catalogue])

    # One read-only snapshot for the count, the plan and every partition (see source/database.py).
    with dask_client(request.workers, request.scheduler) as client, database.consistent_view():
        workers = len(client.scheduler_info()["workers"])
        active = database.count_active(as_of)
        n = request.partitions or max(workers * 2, -(-active // ROWS_PER_PARTITION))
        plan = database.plan(as_of, n)
        tasks = [
            delayed(audit_partition, pure=False)(
                PartitionTask(db_url, database.mapping, as_of, catalogue.names, run_dir, p),
                dask_key_name=f"audit_partition-{run_id}-{p.index}",
            )
            for p in plan
        ]
        totals = PartStats(partition=-1)
        futures = client.compute(tasks)
        with tqdm(total=active, unit="cert", disable=not request.progress, desc="auditing") as bar:
            for future in as_completed(futures):
                part: PartStats = future.result()
                totals.add(part)
                bar.update(part.scanned)

    # Rules about the population as a whole, once every certificate is written; their findings
    # change per-certificate counts, so the run's counts are then read back off the Parquet.
    labels = [s.label for s in Status if s.is_finding]
    counts = OutputCounts(
        findings={k: totals.findings.get(k, 0) for k in labels},
        certificates_with={k: totals.certificates_with.get(k, 0) for k in labels},
        certificates_worst={k: totals.certificates_worst.get(k, 0) for k in labels},
    )
    if apply_population_lints(run_dir, [x for x in catalogue if x.population_check is not None]):
        counts = counts_from_outputs(run_dir)

    run = {
        "run_id": run_id,
        "tool": "certcensus",
        "tool_version": __version__,
        "as_of": as_of.isoformat(),
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "wall_seconds": round(time.perf_counter() - clock, 3),
        "database": {"url": database.masked_url, "schema": database.mapping.name},
        "catalogue": {
            "version": catalogue.version,
            "digest": catalogue.digest,
            "lints": len(catalogue),
            "selection": request.selector or "all",
        },
        "counts": {
            "active_in_database": active,
            "scanned": totals.scanned,
            "reconciled": active == totals.scanned,
            "not_decodable": totals.not_decodable,
            "strict_decode_failures": totals.strict_decode_failures,
            "findings": counts.findings,
            "certificates_with": counts.certificates_with,
        },
        "population_digest": population_digest(run_dir / CERTIFICATES_DIR),
        "baseline": _baseline_reference(baseline),
        "partitions": len(plan),
        "workers": workers,
    }
    write_first_seen(run_dir, baseline, meta=run)
    write_json(run_dir / RUN_JSON, run)
    render_report(run_dir)  # from run.json and the datasets; `certcensus report` renders it again
    return run, counts.certificates_worst


def _stage(
    request: AuditRequest, run_id: str, as_of: datetime, database: IssuanceDatabase,
    baseline: Path | None,
) -> Path:  # fmt: skip
    """The staging directory, with its marker: what was asked, for a later resume."""
    staging = (request.out_dir / f"{run_id}{PARTIAL_SUFFIX}").resolve()
    marker = {
        "run_id": run_id,
        "as_of": as_of.isoformat(),
        "database": {"url": database.masked_url, "schema": request.schema},
        "lints": request.selector or "all",
        "baseline": str(baseline.resolve()) if baseline else None,
        "tool_version": __version__,
    }
    try:
        staging.mkdir(parents=True)
        write_json(staging / PARTIAL_MARKER, marker)
    except OSError as exc:
        if cause := operational_cause(exc):
            raise OperationalError(cause) from exc
        raise InputError(
            f"--out: cannot write a run in {request.out_dir}: {exc.strerror or exc}"
        ) from None
    return staging


def _publish(staging: Path, run_id: str) -> Path:
    """The complete run under its own name: the marker goes, then the directory is renamed."""
    (staging / PARTIAL_MARKER).unlink()
    run_dir = staging.with_name(run_id)
    staging.rename(run_dir)
    return run_dir


def _baseline(baseline: Path | None) -> Path | None:
    if baseline is None:
        return None
    try:
        return finished_run_dir(baseline)
    except InputError as exc:
        raise InputError(f"--baseline: {exc}") from None


def _baseline_reference(baseline: Path | None) -> dict[str, str] | None:
    if baseline is None:
        return None
    previous = read_run(baseline)
    return {"run_id": previous.get("run_id", ""), "path": str(baseline.resolve())}


def _catalogue(selector: str | None) -> Catalogue:
    try:
        catalogue = Catalogue.load().select(selector)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if len(catalogue):
        return catalogue
    terms = [t.strip() for t in (selector or "").split(",") if t.strip()]
    since = [t.removeprefix("changed-since:") for t in terms if t.startswith("changed-since:")]
    if since and len(since) == len(terms):
        raise NothingToRescan(f"no lint changed since {', '.join(since)}: nothing to rescan")
    raise InputError(f"--lints {selector}: selects no lint")


def _sample_db_url() -> str:
    from audit.sample_db.generate import (
        build_sample_db,
        default_sample_db_path,
        default_sample_db_url,
    )

    path = default_sample_db_path()
    if not path.is_file() or path.stat().st_size == 0:  # absent, or an empty file left by a crash
        build_sample_db()
    return default_sample_db_url()
