"""The same audit on an existing dask.distributed cluster (a `dask scheduler` and a `dask worker`
started here on loopback) gives the same results, row for row, as the local run. The remote
workers import the driver's PostgreSQL snapshot like local ones."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from audit.jobs.quarterly_audit import AuditRequest, run_audit
from audit.sample_db.products.population import ANCHOR
from tests.db.conftest import Sample

pytestmark = pytest.mark.db

RUN_SPECIFIC = {"run_id", "lint_version"}  # columns that may differ between two runs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # its own process group: the worker's nannies too
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    bin_dir = Path(sys.executable).parent
    dask = str(bin_dir / "dask") if (bin_dir / "dask").exists() else "dask"
    common = {"cwd": tmp_path, "start_new_session": True, "stdout": subprocess.DEVNULL,
              "stderr": subprocess.DEVNULL}  # fmt: skip
    scheduler = subprocess.Popen(
        [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        **common,  # type: ignore[call-overload]
    )
    worker = None
    try:
        worker = subprocess.Popen(
            [dask, "worker", address, "--host", "127.0.0.1", "--nworkers", "2", "--nthreads", "1",
             "--no-dashboard", "--local-directory", str(tmp_path / "worker")],
            **common,  # type: ignore[call-overload]
        )  # fmt: skip
        from distributed import Client

        deadline = time.monotonic() + 60
        with Client(address, timeout="30s") as client:
            while len(client.scheduler_info()["workers"]) < 2:
                assert time.monotonic() < deadline, "the dask workers did not join"
                assert worker.poll() is None, "dask worker exited"
                time.sleep(0.2)
        yield address
    finally:
        if worker is not None:
            _stop(worker)
        _stop(scheduler)


def _sorted(run_dir: Path, name: str, keys: list[str]) -> list[dict]:
    rows = ds.dataset(run_dir / name, format="parquet").to_table().to_pylist()
    rows = [{k: v for k, v in r.items() if k not in RUN_SPECIFIC} for r in rows]
    return sorted(rows, key=lambda r: tuple(str(r.get(k)) for k in keys))


def test_existing_cluster_gives_the_local_results_row_for_row(
    sample_of: Callable[[str, str], Sample], dask_cluster: str, tmp_path: Path
) -> None:
    sample = sample_of("ejbca", "postgresql")
    common = {"db_url": sample.reader_url, "schema": "ejbca", "as_of": ANCHOR, "partitions": 4}
    local = run_audit(AuditRequest(out_dir=tmp_path / "local", workers=2, **common))  # type: ignore[arg-type]
    remote = run_audit(AuditRequest(out_dir=tmp_path / "remote", scheduler=dask_cluster, **common))  # type: ignore[arg-type]
    assert remote.run["workers"] == 2
    for name, keys in (("certificates", ["cert_id"]), ("findings", ["cert_id", "lint"])):
        a = _sorted(local.run_dir, name, keys)
        b = _sorted(remote.run_dir, name, keys)
        assert len(a) == len(b) and a == b, name
    assert local.run["counts"] == remote.run["counts"]
    assert local.run["population_digest"] == remote.run["population_digest"]
    assert {
        r["cert_id"] for r in _sorted(local.run_dir, "certificates", ["cert_id"])
    } == sample.expected
