"""The quarterly full-population audit, as a dask graph.

    plan partitions of the active population (one SQL pass on the scan key)
      └─ audit_partition × N       (read rows → lint → write Parquet parts; returns counts)
           └─ finish_run           (reconcile counts, population digest, run.json, report)

The CLI builds an AuditRequest and calls run_audit; a scheduler can call it the same way.
"""

from __future__ import annotations

import json
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
from audit.errors import InputError
from audit.jobs.cluster import dask_client
from audit.jobs.partition import PartitionTask, audit_partition
from audit.outputs.digest import population_digest
from audit.outputs.parts import CERTIFICATES_DIR, PartStats
from audit.outputs.runjson import CATALOGUE_JSON, RUN_JSON, new_run_id, write_json
from audit.population.apply import apply_population_lints, counts_from_outputs
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

    @property
    def summary_line(self) -> str:
        c = self.run["counts"]
        by = ", ".join(f"{k} {v}" for k, v in c["certificates_with"].items() if v)
        return f"audited {c['scanned']} of {c['active_in_database']} active certificates; certificates with findings: {by or 'none'}"

    def has_findings_at_or_above(self, level: str) -> bool:
        floor = Status.parse(level)
        return any(
            v and Status.parse(k) >= floor for k, v in self.run["counts"]["findings"].items()
        )


def run_audit(request: AuditRequest) -> AuditOutcome:
    started = datetime.now(UTC)
    clock = time.perf_counter()
    as_of = request.as_of or started
    mapping = load_mapping(request.schema)
    if request.baseline is not None and not (request.baseline / RUN_JSON).is_file():
        raise InputError(f"--baseline: {request.baseline} is not a run directory (no run.json)")
    catalogue = _catalogue(request.selector)
    db_url = request.db_url or _sample_db_url()
    database = IssuanceDatabase(db_url, mapping)
    database.check()

    run_id = new_run_id(started)
    run_dir = (request.out_dir / run_id).resolve()
    run_dir.mkdir(parents=True)
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
    findings = {s.label: totals.findings.get(s.label, 0) for s in Status if s.is_finding}
    certificates_with = {
        s.label: totals.certificates_with.get(s.label, 0) for s in Status if s.is_finding
    }
    if apply_population_lints(run_dir, [x for x in catalogue if x.population_check is not None]):
        findings, certificates_with = counts_from_outputs(run_dir)

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
            "findings": findings,
            "certificates_with": certificates_with,
        },
        "population_digest": population_digest(run_dir / CERTIFICATES_DIR),
        "baseline": _baseline_reference(request.baseline),
        "partitions": len(plan),
        "workers": workers,
    }
    write_json(run_dir / RUN_JSON, run)
    write_first_seen(run_dir, request.baseline)
    render_report(run_dir)
    return AuditOutcome(run_dir, run)


def _baseline_reference(baseline: Path | None) -> dict[str, str] | None:
    if baseline is None:
        return None
    previous = json.loads((baseline / RUN_JSON).read_text())
    return {"run_id": previous.get("run_id", ""), "path": str(baseline.resolve())}


def _catalogue(selector: str | None) -> Catalogue:
    try:
        return Catalogue.load().select(selector)
    except ValueError as exc:
        raise InputError(str(exc)) from None


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
