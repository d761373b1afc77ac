"""A run whose database goes away for a moment completes: the partitions that lose their
connection are read again from their start (no row twice), in a new snapshot once the run's
exported one has died with the driver's connection, and run.json says which. The population is
the same as an uninterrupted run's: the sample does not change while it runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from sqlalchemy.engine import make_url

from audit.outputs.parts import CERTIFICATES_DIR, FINDINGS_DIR
from audit.outputs.runjson import RUN_JSON
from audit.sample_db.products.population import ANCHOR
from tests.db.conftest import Sample, Server
from tests.db.test_lost_connection import _drop_connections_of

pytestmark = pytest.mark.db

PARTITIONS = 120  # 5 rows each: the run is still reading when its database goes


def command(out: Path) -> list[str]:
    return [
        sys.executable, "-m", "audit", "run", "--schema", "ejbca", "--as-of", ANCHOR.isoformat(),
        "--workers", "2", "--partitions", str(PARTITIONS), "--out", str(out), "--no-progress",
        "--db-retry-seconds", "90",
    ]  # fmt: skip


def start(sample: Sample, out: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "CERTCENSUS_DB": sample.reader_url}
    return subprocess.Popen(
        command(out), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finished(job: subprocess.Popen[str]) -> tuple[Path, dict]:
    out, err = job.communicate(timeout=300)
    assert job.returncode == 0, err
    assert err == "", err
    run_dir = Path(out.splitlines()[0].removeprefix("run directory: "))
    return run_dir, json.loads((run_dir / RUN_JSON).read_text())


def when_reading(out: Path, job: subprocess.Popen[str]) -> None:
    """Returns once the run has finished a few partitions (and so is reading the others)."""
    while not list(out.glob("*.partial/progress/part-00003.json")):
        assert job.poll() is None, job.communicate()
        time.sleep(0.005)


def rows(run_dir: Path, sub: str, keys: list[str]) -> list[dict]:
    table = ds.dataset(run_dir / sub, format="parquet").to_table()
    return table.sort_by([(k, "ascending") for k in keys]).to_pylist()


def assert_same_population(got: tuple[Path, dict], want: tuple[Path, dict]) -> None:
    for sub, keys in (
        (CERTIFICATES_DIR, ["cert_id"]),
        (FINDINGS_DIR, ["cert_id", "lint", "message"]),
    ):
        assert rows(got[0], sub, keys) == rows(want[0], sub, keys), sub
    for key in ("as_of", "counts", "population_digest", "partitions"):
        assert got[1][key] == want[1][key], key
    assert got[1]["counts"]["reconciled"]


@pytest.fixture(scope="module")
def uninterrupted(
    sample_of: Callable[[str, str], Sample], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict]:
    sample = sample_of("ejbca", "postgresql")
    run = finished(start(sample, tmp_path_factory.mktemp("uninterrupted")))
    assert run[1]["partitions_retried"] == [] and run[1]["counts"]["scanned"] > PARTITIONS
    return run


def test_a_run_whose_sessions_are_all_ended_once_completes(
    sample_of: Callable[[str, str], Sample], uninterrupted: tuple[Path, dict], tmp_path: Path
) -> None:
    """Every session of the run's account ended at once, the driver's (which holds the run's
    snapshot) with the workers'."""
    sample = sample_of("ejbca", "postgresql")
    job = start(sample, tmp_path)
    when_reading(tmp_path, job)
    assert _drop_connections_of(sample.server, str(make_url(sample.reader_url).username)) >= 1
    run = finished(job)
    assert_same_population(run, uninterrupted)
    retried = run[1]["partitions_retried"]
    assert retried and all(p["snapshot"] == "new" for p in retried)


def _cluster() -> list[str]:
    """`VERSION NAME` of the PostgreSQL cluster on port 5432."""
    listed = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True)
    return next(
        line.split()[:2] for line in listed.stdout.splitlines() if line.split()[2] == "5432"
    )


def _ensure_up(server: Server) -> None:
    """The server running and answering again, whatever happened to the restart."""
    subprocess.run(["pg_ctlcluster", *_cluster(), "start"], capture_output=True, timeout=120)
    server.admin.dispose()  # its pooled sessions ended with the server
    deadline = time.monotonic() + 60
    while True:
        try:
            with server.admin.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_a_run_survives_a_postgresql_restart(
    sample_of: Callable[[str, str], Sample], uninterrupted: tuple[Path, dict], tmp_path: Path
) -> None:
    sample = sample_of("ejbca", "postgresql")
    job = start(sample, tmp_path)
    try:
        when_reading(tmp_path, job)
        subprocess.run(["pg_ctlcluster", *_cluster(), "restart"], check=True, timeout=120)
    finally:
        _ensure_up(sample.server)
    run = finished(job)
    assert_same_population(run, uninterrupted)
    retried = run[1]["partitions_retried"]
    assert retried and all(p["snapshot"] == "new" for p in retried)
    assert any(p["reads"] > 1 for p in retried)  # read again after losing its connection
