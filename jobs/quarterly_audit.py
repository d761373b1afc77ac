"""The quarterly full-population audit, as a dask graph.

    plan partitions of the active population (one SQL pass on the scan key)
      └─ audit_partition × N       (read rows → lint → write Parquet parts; returns counts)
           └─ finish_run           (reconcile counts, population digest, run.json, report)

The run is built in `<out>/<run_id>.partial/` and renamed `<out>/<run_id>` once complete;
the staging directory keeps the plan and a record per finished partition (jobs/progress.py), so
that `resume_audit` finishes an interrupted run. One run at a time writes to an output directory
(jobs/schedule.py). The CLI builds an AuditRequest and calls run_audit or resume_audit; a
scheduler can call them the same way.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dask import delayed
from distributed import as_completed
from tqdm import tqdm

from audit import __version__
from audit.compare.first_seen import write_first_seen
from audit.engine.registry import Catalogue
from audit.engine.status import Status
from audit.errors import InputError
from audit.jobs.cluster import dask_client
from audit.jobs.failures import classified, out_dir_failure, terminate_as_interrupt
from audit.jobs.partition import Backoff, PartitionTask, audit_partition
from audit.jobs.progress import (
    PROGRESS_DIR,
    PartitionDone,
    Plan,
    add_resume,
    clear_for_resume,
    read_plan,
    resumes,
    verified,
    write_plan,
)
from audit.jobs.schedule import LATEST, latest_run, out_lock
from audit.outputs.digest_parallel import population_digest_parallel
from audit.outputs.parts import CERTIFICATES_DIR, PartStats
from audit.outputs.rules_date import RULES_AS_OF, from_json, headline, to_json, unlike
from audit.outputs.runjson import (
    CATALOGUE_JSON,
    PARTIAL_MARKER,
    PARTIAL_SUFFIX,
    RUN_JSON,
    finished_run_dir,
    new_run_id,
    parse_time,
    population_counts,
    read_run,
    write_json,
)
from audit.population.apply import (
    OutputCounts,
    PopulationContext,
    apply_population_lints,
)
from audit.population.blocklist import Blocklist
from audit.population.compromised import KEY_COMPROMISE_LINT, read_compromised_keys
from audit.population.rsa_moduli import cluster_map
from audit.report.render import render_report
from audit.source.credentials import split_password, worker_environment
from audit.source.database import DatabaseUnreachable, IssuanceDatabase, Partition
from audit.source.schema import load_mapping
from audit.source.urls import mask_url

ROWS_PER_PARTITION = 5000
DB_RETRY_SECONDS = 120.0  # how long a partition's lost database is tried again, by default


def warn_on_stderr(message: str) -> None:
    print(f"certcensus: warning: {message}", file=sys.stderr, flush=True)


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
    # --rules-as-of: judge every certificate by the rules in force at this date (None: each by
    # those at its notBefore); recorded in the request, the plan and run.json
    rules_as_of: datetime | None = None
    baseline: Path | str | None = None  # the previous run (or "latest"): first-seen dates
    progress: bool = False
    db_retry_seconds: float = DB_RETRY_SECONDS
    badkeys_data: Path | None = None  # --badkeys-data: a local copy of badkeys' blocklists
    warn: Callable[[str], None] = warn_on_stderr  # what a run notes on its way (no baseline yet)


@dataclass(frozen=True)
class AuditOutcome:
    run_dir: Path
    run: dict
    certificates_worst: dict[str, int]  # certificates by the status of their worst finding

    @property
    def summary_line(self) -> str:
        c = self.run["counts"]
        by = ", ".join(f"{k} {v:,}" for k, v in c["certificates_with"].items() if v)
        return (
            f"{population_counts(self.run)}; {c['active_in_database']:,} rows active in the "
            f"database at {self.run['as_of']}; certificates with findings: {by or 'none'}"
        )

    @property
    def judged_by_date(self) -> str | None:
        """The line that says the run judged by the rules of one date, else None."""
        moment = parse_time(self.run.get(RULES_AS_OF))
        return f"{headline(moment)}." if moment else None

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
    not finish raises OperationalError and leaves its `.partial` directory (jobs/failures.py),
    which `resume_audit` finishes."""
    mapping = load_mapping(request.schema)
    catalogue = _catalogue(request.selector)  # before the lock: a rescan of nothing makes no --out
    if request.badkeys_data is not None:
        Blocklist.open(request.badkeys_data)  # unreadable: said now, not after the partitions
    with terminate_as_interrupt(), out_lock(request.out_dir):
        started = datetime.now(UTC)
        as_of = request.as_of or started
        baseline = _baseline(request.baseline, request.out_dir, request.warn)
        _warn_unlike(baseline, request)
        database = IssuanceDatabase(request.db_url or _sample_db_url(), mapping)
        database.check()
        run_id = new_run_id(started)
        staging = _stage(request, run_id, as_of, started, database, baseline)
        with classified(staging):
            run, worst = _audit(
                request, run_id, staging, started, as_of, catalogue, database, baseline
            )
            return AuditOutcome(_publish(staging, run_id), run, worst)


def resume_audit(
    run_dir: Path, db_url: str | None = None, workers: int | None = None,
    scheduler: str | None = None, progress: bool = False,
    db_retry_seconds: float = DB_RETRY_SECONDS,
) -> AuditOutcome:  # fmt: skip
    """Finishes the interrupted run in `run_dir` (a `.partial` directory) as the request its
    partial.json records asked: its verified partitions are kept (jobs/progress.py), the rest
    are read again in a new snapshot at the same as-of time, and the finish is done again.
    `db_url` is needed when the recorded URL had a password (it is not recorded)."""
    staging = Path(run_dir).resolve()
    marker = _marker(staging)
    with terminate_as_interrupt(), out_lock(staging.parent):
        if marker.get("tool_version") != __version__:
            raise InputError(
                f"--resume: {staging} was started by certcensus {marker.get('tool_version')};"
                f" this is {__version__}: start a new run"
            )
        recorded = marker["database"]
        request = AuditRequest(
            db_url=_resumed_url(str(recorded["url"]), db_url),
            schema=str(recorded["schema"]),
            as_of=parse_time(marker["as_of"]),
            out_dir=staging.parent,
            workers=workers,
            scheduler=scheduler,
            selector=None if marker["lints"] == "all" else str(marker["lints"]),
            baseline=Path(marker["baseline"]) if marker.get("baseline") else None,
            badkeys_data=Path(marker["badkeys_data"]) if marker.get("badkeys_data") else None,
            rules_as_of=from_json(marker.get(RULES_AS_OF), f"--resume: {PARTIAL_MARKER}"),
            progress=progress,
            db_retry_seconds=db_retry_seconds,
        )
        assert request.as_of is not None
        baseline = _baseline(request.baseline, request.out_dir, request.warn)
        catalogue = _catalogue(request.selector)
        database = IssuanceDatabase(
            request.db_url or _sample_db_url(), load_mapping(request.schema)
        )
        database.check()
        started = parse_time(marker.get("started_at")) or datetime.now(UTC)
        run_id = str(marker["run_id"])
        with classified(staging):
            run, worst = _audit(
                request, run_id, staging, started, request.as_of, catalogue, database,
                baseline, resuming=True,
            )  # fmt: skip
            return AuditOutcome(_publish(staging, run_id), run, worst)


def _marker(staging: Path) -> dict:
    """The request recorded in a staging directory; InputError when it is not one to resume."""
    path = staging / PARTIAL_MARKER
    if not staging.name.endswith(PARTIAL_SUFFIX) or not path.is_file():
        raise InputError(f"--resume: {staging} is not an interrupted run (no {PARTIAL_MARKER})")
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
        marker["database"]["url"], marker["as_of"], marker["run_id"], marker["lints"]  # noqa: B018
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"--resume: {path} is not readable ({exc})") from None
    return marker


def _resumed_url(recorded: str, given: str | None) -> str | None:
    """The database URL to resume with: the one given, which must be the recorded one but for
    the password; else the recorded one, which is whole when it had no password to mask."""
    if given is not None:
        if mask_url(given) != recorded:
            raise InputError(
                f"--resume: the database given ({mask_url(given)}) is not the run's ({recorded})"
            )
        return given
    if mask_url(recorded) != recorded or "***" in recorded:
        raise InputError(
            f"--resume: the run's database URL ({recorded}) had a password, which is not"
            " recorded: give the URL again (CERTCENSUS_DB, --db-file or --db)"
        )
    return recorded


def _audit(
    request: AuditRequest, run_id: str, run_dir: Path, started: datetime, as_of: datetime,
    catalogue: Catalogue, database: IssuanceDatabase, baseline: Path | None,
    resuming: bool = False,
) -> tuple[dict, dict[str, int]]:  # fmt: skip
    """Everything written into the staging directory `run_dir`, run.json last (it vouches for
    the rest), then the report rendered from it; returns run.json and the certificates by
    their worst finding. `resuming`: the recorded plan is followed and its verified partitions
    kept."""
    clock = time.perf_counter()
    write_json(run_dir / CATALOGUE_JSON, [x.metadata() for x in catalogue])

    # One read-only snapshot for the count, the plan and every partition (see source/database.py).
    to_workers, password = split_password(database.url)
    cluster = dask_client(request.workers, request.scheduler, worker_environment(password))
    with cluster as client:
        on_cluster = cluster_map(client)  # how the finish's passes run their tasks
        with database.consistent_view():
            workers = len(client.scheduler_info()["workers"])
            active = database.count_active(as_of)
            plan, kept = _partitions(
                request, run_dir, database, catalogue, as_of, active, workers, resuming
            )
            done: dict[int, PartitionDone] = dict(kept)
            task = functools.partial(
                PartitionTask, to_workers, database.mapping, as_of, catalogue.names, run_dir,
                retry_seconds=request.db_retry_seconds, rules_as_of=request.rules_as_of,
                catalogue_digest=catalogue.digest,
            )  # fmt: skip
            tasks = [
                delayed(audit_partition, pure=False)(
                    task(partition=p), dask_key_name=f"audit_partition-{run_id}-{p.index}"
                )
                for p in plan
                if p.index not in kept
            ]
            totals = PartStats(partition=-1)
            for kept_part in kept.values():
                totals.add(kept_part.stats)
            futures = client.compute(tasks)
            with tqdm(
                total=active, unit="cert", disable=not request.progress, desc="auditing"
            ) as bar:
                bar.update(totals.scanned)
                for future in as_completed(futures):
                    part: PartitionDone = future.result()
                    done[part.stats.partition] = part
                    totals.add(part.stats)
                    bar.update(part.stats.scanned)

            # Rules about the population as a whole, once every certificate is written: still in
            # the run's snapshot (the keys revoked for keyCompromise are read in it) and on its
            # cluster (a task per lint, then per part file; the batch GCD's tasks). Their findings
            # change per-certificate counts, so the run's counts are then read back off the
            # Parquet. The population digest's tasks run beside them on the same cluster: they read
            # only the fingerprints, which no population lint changes (a part file rewritten with
            # new counts replaces the old one whole, by rename).
            partitions_done = time.perf_counter()
            scope: dict[str, Any] = {}
            if KEY_COMPROMISE_LINT in catalogue.by_name:
                scope["revoked_rows"] = _compromised_keys(
                    database, as_of, run_dir, request.db_retry_seconds
                )
            with ThreadPoolExecutor(1, thread_name_prefix="certcensus-digest") as beside:
                digest_future = beside.submit(
                    population_digest_parallel,
                    run_dir / CERTIFICATES_DIR, on_cluster, parallelism=2 * workers,
                )  # fmt: skip
                context = PopulationContext(on_cluster, request.badkeys_data, scope)
                changed = apply_population_lints(
                    run_dir, [x for x in catalogue if x.population_check is not None], context
                )
                digest = digest_future.result()
            population_done = time.perf_counter()

        # The partitions' counts and what the population findings changed in them, each
        # summed from its tasks' results (no part file is read again for them).
        labels = [s.label for s in Status if s.is_finding]
        counts = OutputCounts(
            findings={k: totals.findings[k] + changed.findings[k] for k in labels},
            certificates_with={
                k: totals.certificates_with[k] + changed.certificates_with[k] for k in labels
            },
            certificates_worst={
                k: totals.certificates_worst[k] + changed.certificates_worst[k] for k in labels
            },
        )

        run = {
            "run_id": run_id,
            "tool": "certcensus",
            "tool_version": __version__,
            "as_of": as_of.isoformat(),
            RULES_AS_OF: to_json(request.rules_as_of),  # null: each by the rules at its notBefore
            "started_at": started.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "wall_seconds": round(
                time.perf_counter() - clock, 3
            ),  # to run.json (the report: below)
            # Where the wall time went: linting the partitions (a resumed run: only those redone),
            # the population lints and the population digest (side by side on the cluster), the
            # first-seen dates, and rendering the report (its time is added once it is rendered).
            "phase_seconds": {
                "partitions": round(partitions_done - clock, 3),
                "population_and_digest": round(population_done - partitions_done, 3),
            },
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
                "precertificates": totals.precertificates,  # of the rows scanned (RFC 6962 3.1)
                "not_decodable": totals.not_decodable,
                "strict_decode_failures": totals.strict_decode_failures,
                "findings": counts.findings,
                "certificates_with": counts.certificates_with,
            },
            "population_digest": digest,
            "baseline": _baseline_reference(baseline),
            "partitions": len(plan),
            "workers": workers,
            # Partitions read more than once: the database was lost while they were read.
            "partitions_retried": [
                {"partition": i, "reads": d.attempts, "snapshot": d.snapshot}
                for i, d in sorted(done.items())
                if d.attempts > 1 or d.snapshot != "run"
            ],
            "resumed": resumes(run_dir),
            # What the population checks read beyond the active population, and which key checks
            # ran (audit/population/, audit/lints/population/).
            "scope": scope,
        }
        # First-seen dates and the report, after the snapshot, on the run's cluster.
        first_seen_started = time.perf_counter()
        write_first_seen(run_dir, baseline, meta=run, map=on_cluster, parallelism=2 * workers)
        report_started = time.perf_counter()
        run["phase_seconds"]["first_seen"] = round(report_started - first_seen_started, 3)
        run["wall_seconds"] = round(report_started - clock, 3)
        write_json(run_dir / RUN_JSON, run)
        # From run.json and the datasets (a task per part file); `certcensus report` renders
        # the same bytes again.
        render_report(run_dir, map=on_cluster)
        # run.json again, last, with the report's time: still in the staging directory, so a run
        # that stops in between is as partial as one that stopped before.
        run["phase_seconds"]["report"] = round(time.perf_counter() - report_started, 3)
        run["wall_seconds"] = round(time.perf_counter() - clock, 3)
        write_json(run_dir / RUN_JSON, run)
        return run, counts.certificates_worst


def _partitions(
    request: AuditRequest, run_dir: Path, database: IssuanceDatabase, catalogue: Catalogue,
    as_of: datetime, active: int, workers: int, resuming: bool,
) -> tuple[list[Partition], dict[int, PartitionDone]]:  # fmt: skip
    """The run's partitions, in the snapshot now open, and those a resume keeps. A new run plans
    them and records the plan; a resume follows the recorded plan (or plans anew, when the run
    stopped before recording one), keeps its verified partitions, clears the rest of the staging
    directory and records itself (run.json's `resumed`)."""
    recorded = read_plan(run_dir) if resuming else None
    if recorded is None:
        n = request.partitions or max(workers * 2, -(-active // ROWS_PER_PARTITION))
        plan = database.plan(as_of, n)
        recorded = Plan(
            [dataclasses.replace(p, snapshot=None) for p in plan], catalogue.digest, active,
            to_json(request.rules_as_of),
        )  # fmt: skip
        write_plan(run_dir, recorded)
    elif recorded.catalogue_digest != catalogue.digest:
        raise InputError(
            f"--resume: the lints selected now differ from those {run_dir} started with"
            " (the catalogue digest changed): start a new run"
        )
    elif from_json(recorded.rules_as_of, f"--resume: {PROGRESS_DIR}") != request.rules_as_of:
        raise InputError(
            f"--resume: {run_dir}'s kept partitions were judged by other rules than its request"
            f" asks (rules_as_of {recorded.rules_as_of} against"
            f" {to_json(request.rules_as_of)}): start a new run"
        )
    plan = [dataclasses.replace(p, snapshot=database.snapshot) for p in recorded.partitions]
    if not resuming:
        return plan, {}
    kept = {p.index: d for p in plan if (d := verified(run_dir, p)) is not None}
    clear_for_resume(run_dir, kept)
    add_resume(
        run_dir,
        {
            "at": datetime.now(UTC).isoformat(),
            "partitions_kept": len(kept),
            "partitions_redone": [p.index for p in plan if p.index not in kept],
            # The kept partitions were read in the snapshot of the run (or resume) that wrote
            # them; the others now in a new one, at the same as-of time (README: "Resume").
            "snapshot": "new",
            "active_in_database_at_start": recorded.active_at_start,
            "active_in_database_now": active,
        },
    )
    return plan, kept


def _stage(
    request: AuditRequest, run_id: str, as_of: datetime, started: datetime,
    database: IssuanceDatabase, baseline: Path | None,
) -> Path:  # fmt: skip
    """The staging directory, with its marker: what was asked, for a later resume."""
    staging = (request.out_dir / f"{run_id}{PARTIAL_SUFFIX}").resolve()
    schema = request.schema
    if schema.endswith(".toml"):  # a file: found again by a resume from any directory
        schema = str(Path(schema).resolve())
    marker = {
        "run_id": run_id,
        "as_of": as_of.isoformat(),
        "started_at": started.isoformat(),
        "database": {"url": database.masked_url, "schema": schema},
        "lints": request.selector or "all",
        RULES_AS_OF: to_json(request.rules_as_of),
        "baseline": str(baseline.resolve()) if baseline else None,
        "badkeys_data": str(request.badkeys_data.resolve()) if request.badkeys_data else None,
        "tool_version": __version__,
    }
    try:
        staging.mkdir(parents=True)
        write_json(staging / PARTIAL_MARKER, marker)
    except OSError as exc:
        raise out_dir_failure(exc, request.out_dir) from exc
    return staging


def _publish(staging: Path, run_id: str) -> Path:
    """The complete run under its own name: what a resume needed goes, the marker last, then
    the directory is renamed."""
    shutil.rmtree(staging / PROGRESS_DIR, ignore_errors=True)
    (staging / PARTIAL_MARKER).unlink()
    run_dir = staging.with_name(run_id)
    staging.rename(run_dir)
    return run_dir


def _baseline(
    baseline: Path | str | None, out_dir: Path, warn: Callable[[str], None]
) -> Path | None:
    """The baseline run; `latest`: the newest complete run in `out_dir`, and none there is a
    first run (a warning, not an error: a scheduled job's first quarter has no previous run)."""
    if baseline is None:
        return None
    if baseline == LATEST:
        found = latest_run(out_dir)
        if found is None:
            warn(f"--baseline latest: no complete run in {out_dir}: running without a baseline")
        return found
    baseline = Path(baseline)
    try:
        return finished_run_dir(baseline)
    except InputError as exc:
        raise InputError(f"--baseline: {exc}") from None


def _warn_unlike(baseline: Path | None, request: AuditRequest) -> None:
    """A warning when the baseline was judged by other rules than this run will be: its
    first-seen dates and the report's changes then compare unlike judgements."""
    if baseline is None:
        return
    this = {"run_id": "this run", RULES_AS_OF: to_json(request.rules_as_of)}
    if note := unlike(read_run(baseline), this):
        request.warn(f"--baseline: {note}")


def _baseline_reference(baseline: Path | None) -> dict[str, str | None] | None:
    if baseline is None:
        return None
    previous = read_run(baseline)
    return {
        "run_id": previous.get("run_id", ""),
        "path": str(baseline.resolve()),
        RULES_AS_OF: previous.get(RULES_AS_OF),  # its rules, should its directory go
    }


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


def _compromised_keys(
    database: IssuanceDatabase, as_of: datetime, run_dir: Path, retry_seconds: float
) -> dict[str, Any]:
    """The keys of the rows revoked for keyCompromise, read in the run's snapshot; when its
    connection is lost (a server restart), read again in a snapshot of their own at the same
    as-of time, for up to `retry_seconds`, as a partition is (run.json's scope says which)."""
    backoff = Backoff(retry_seconds)
    while True:
        try:
            scope = read_compromised_keys(database, as_of, run_dir)
            scope["snapshot"] = "run" if backoff.first_loss is None else "new"
            return scope
        except DatabaseUnreachable:
            database.leave_view()
            if not backoff.lost():
                raise


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
