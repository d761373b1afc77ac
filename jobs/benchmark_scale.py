"""The full-population audit at scale on PostgreSQL: wall time, certificates per second, and the
peak memory of the driver and of every worker, measured.

    python -m audit.jobs.benchmark_scale --sizes 100000,1000000 --schema ejbca

For each size it fills (once; an existing database of that name and size is reused) a database
`certcensus_bench_<schema>_<size>` on the server with enough rows that `size` of them are active
at the sample's as-of time, then audits it in a fresh process on a local cluster of --workers
single-threaded worker processes. Peak memory is each process's own peak resident set
(getrusage ru_maxrss), read in the process itself at the end. Besides the audit it measures
what the scaling estimate needs: per-partition task times (dask's task stream) and the
database's read rate for the same rows without linting (one connection, streamed).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class _RssSampler:
    """This process's resident set, sampled every 0.2 s in a thread (wall-clock stamped), so
    that its peak can be placed in a phase of the run."""

    def __init__(self) -> None:
        import threading

        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        page = resource.getpagesize() / 2**20
        while not self._stop.is_set():
            with open("/proc/self/statm") as f:
                self.samples.append((time.time(), int(f.read().split()[1]) * page))
            self._stop.wait(0.2)

    def stop(self) -> list[tuple[float, float]]:
        self._stop.set()
        return self.samples


_WORKER_SAMPLER: list[_RssSampler] = []


def _start_worker_sampler() -> None:
    _WORKER_SAMPLER.append(_RssSampler())


def _worker_samples() -> list[tuple[float, float]]:
    return _WORKER_SAMPLER.pop().stop() if _WORKER_SAMPLER else []


def _peaks_by_phase(
    samples: list[tuple[float, float]], started: float, phases: dict[str, float]
) -> dict[str, float]:
    """The highest sample in each phase (phase_seconds laid end to end from `started`)."""
    bounds, at = [], started
    for name, seconds in phases.items():
        bounds.append((name, at, at + seconds))
        at += seconds
    bounds.append(("after", at, float("inf")))
    peaks: dict[str, float] = {}
    for t, rss in samples:
        for name, lo, hi in bounds:
            if lo <= t < hi or (name == bounds[0][0] and t < lo):
                peaks[name] = round(max(peaks.get(name, 0.0), rss), 1)
                break
    return peaks


def _database(server: str, name: str) -> str:
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def prepare(server: str, schema: str, active: int) -> tuple[str, int, float | None]:
    """A database with `active` active certificates (filled unless it already is)."""
    from audit.sample_db.products import PRODUCTS, fill
    from audit.sample_db.products.population import ACTIVE_KINDS, kind_of

    module = PRODUCTS[schema]
    share = sum(kind_of(i, module.KINDS) in ACTIVE_KINDS for i in range(50_000)) / 50_000
    rows = math.ceil(active / share)
    name = f"certcensus_bench_{schema}_{active}"
    url = _database(server, name)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.exec_driver_sql(
                "SELECT 1 FROM pg_database WHERE datname = %(n)s", {"n": name}
            ).first()
            if exists:
                probe = create_engine(url)
                try:
                    with probe.connect() as c:
                        have = c.exec_driver_sql(
                            f"SELECT count(*) FROM {module.MAIN_TABLE}"
                        ).scalar()
                except Exception:  # noqa: BLE001 - half-filled or foreign: rebuild it
                    have = None
                finally:
                    probe.dispose()
                if have == rows:
                    return url, rows, None
                conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    finally:
        admin.dispose()
    started = time.perf_counter()
    fill(url, schema, rows, progress=sys.stderr.isatty())
    return url, rows, time.perf_counter() - started


def run_one(
    url: str, schema: str, workers: int, out: Path, baseline: Path | None = None
) -> dict[str, Any]:
    """One audit (against `baseline`, when given), in this (fresh) process; returns the
    measurements."""
    import resource as res

    from distributed import get_task_stream

    from audit.jobs.cluster import dask_client
    from audit.jobs.quarterly_audit import AuditRequest, run_audit
    from audit.sample_db.products.population import ANCHOR
    from audit.source.database import IssuanceDatabase
    from audit.source.schema import load_mapping

    # The job's own local cluster, started here so its workers can be asked for their peaks.
    with dask_client(workers) as client:
        # By reference to this module (not __main__'s copy), so that both calls meet one list.
        from audit.jobs import benchmark_scale as this

        client.run(this._start_worker_sampler)
        driver = _RssSampler()
        started = time.perf_counter()
        started_at = time.time()
        with get_task_stream(client) as stream:
            outcome = run_audit(
                AuditRequest(
                    db_url=url,
                    schema=schema,
                    as_of=ANCHOR,
                    out_dir=out,
                    scheduler=client.scheduler.address,
                    baseline=baseline,
                )
            )
        wall = time.perf_counter() - started
        worker_peaks = client.run(lambda: res.getrusage(res.RUSAGE_SELF).ru_maxrss / 1024)
        phases = outcome.run["phase_seconds"]
        peaks_by_phase = {
            "driver": _peaks_by_phase(driver.stop(), started_at, phases),
            **{
                str(w): _peaks_by_phase(samples, started_at, phases)
                for w, samples in client.run(this._worker_samples).items()
            },
        }
    task_seconds = [
        s["stop"] - s["start"]
        for t in stream.data
        if str(t.get("key", "")).startswith(("audit_partition", "('audit_partition"))
        for s in t.get("startstops", ())
        if s.get("action") == "compute"
    ]
    counts = outcome.run["counts"]

    # The database's own read rate for the same rows: one connection, streamed, no linting.
    db = IssuanceDatabase(url, load_mapping(schema))
    db.check()
    read_started = time.perf_counter()
    read = 0
    with db.consistent_view():
        for part in db.plan(ANCHOR, 1):
            for batch in db.rows(part, ANCHOR):
                read += len(batch)
    read_seconds = time.perf_counter() - read_started
    return {
        "active": counts["active_in_database"],
        "scanned": counts["scanned"],
        "reconciled": counts["reconciled"],
        "partitions": outcome.run["partitions"],
        "workers": workers,
        "wall_seconds": round(wall, 1),
        "phase_seconds": outcome.run["phase_seconds"],  # partitions, population lints, finish
        "certs_per_second": round(counts["scanned"] / wall, 1),
        "driver_peak_mib": round(_peak_rss_mib(), 1),
        "worker_peak_mib": {str(k): round(v, 1) for k, v in worker_peaks.items()},
        # Each process's highest sampled resident set per phase ("after": the benchmark's own
        # reads once the run is over), to tell where a peak comes from.
        "peak_mib_by_phase": peaks_by_phase,
        "partition_seconds_median": round(median(task_seconds), 2) if task_seconds else None,
        "partition_seconds_max": round(max(task_seconds), 2) if task_seconds else None,
        "partition_tasks": len(task_seconds),
        "db_read_rows_per_second": round(read / read_seconds, 1),
        "run_dir": str(outcome.run_dir),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--schema", default="ejbca")
    parser.add_argument("--server", default=DEFAULT_SERVER, help="admin URL of a PostgreSQL server")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--baseline", action="store_true",
        help="audit each size a second time with the first run as its baseline (a quarterly "
        "run's first-seen dates and report against the last quarter's), and measure that too",
    )  # fmt: skip
    parser.add_argument("--run-one", help=argparse.SUPPRESS)  # internal: the measured process
    parser.add_argument("--against", type=Path, help=argparse.SUPPRESS)  # internal: its baseline
    args = parser.parse_args(argv)
    if args.run_one:
        measured = run_one(args.run_one, args.schema, args.workers, args.out, args.against)
        print(json.dumps(measured))
        return
    out = args.out or Path(tempfile.mkdtemp(prefix="certcensus-bench-"))
    results, baselined = [], []
    for size in (int(s) for s in args.sizes.split(",")):
        url, rows, fill_seconds = prepare(args.server, args.schema, size)
        result = _measure(args, url, out, None)
        result |= {"size": size, "rows_in_table": rows, "fill_seconds": fill_seconds}
        results.append(result)
        _print(result, args.workers, fill_seconds)
        if args.baseline:
            again = _measure(args, url, out, Path(result["run_dir"]))
            again |= {"size": size, "rows_in_table": rows, "baseline": result["run_dir"]}
            baselined.append(again)
            _print(again, args.workers, None, " with a baseline")
    if len(results) > 1:
        small = results[0]
        for large, note in (
            (results[-1], ""),
            (baselined[-1] if baselined else None, " with a baseline"),
        ):
            if large is not None:
                ratio = _peak(large) / _peak(small)
                print(f"peak memory {large['size']:,}{note} vs {small['size']:,}: {ratio:.2f}x")
    print(json.dumps(results + baselined, indent=1))


def _peak(result: dict) -> float:
    """The highest peak of any process of the run (the driver or a worker)."""
    return max(result["driver_peak_mib"], *result["worker_peak_mib"].values())


def _measure(args: argparse.Namespace, url: str, out: Path, baseline: Path | None) -> dict:
    """One audit in a fresh process, so that each peak belongs to that run alone."""
    against = ["--against", str(baseline)] if baseline else []
    done = subprocess.run(
        [sys.executable, "-m", "audit.jobs.benchmark_scale", "--run-one", url,
         "--schema", args.schema, "--workers", str(args.workers), "--out", str(out), *against],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"benchmark run of {url} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _print(result: dict, workers: int, fill_seconds: float | None, note: str = "") -> None:
    peak_worker = max(result["worker_peak_mib"].values())
    print(
        f"{result['size']:>9,} active{note} ({result['partitions']} partitions, "
        f"{workers} workers): {result['wall_seconds']:.1f} s, "
        f"{result['certs_per_second']:,.0f} certs/s, peak driver {result['driver_peak_mib']:.0f} MiB, "
        f"peak worker {peak_worker:.0f} MiB; partition median {result['partition_seconds_median']} s; "
        f"DB read {result['db_read_rows_per_second']:,.0f} rows/s; phases "
        + ", ".join(f"{k} {v:.1f} s" for k, v in result["phase_seconds"].items())
        + (f"; filled in {fill_seconds:.0f} s" if fill_seconds else ""),
        flush=True,
    )


if __name__ == "__main__":
    main()
