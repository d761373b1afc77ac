"""Where the job's tasks run: a local cluster sized to the machine, or an existing scheduler."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import dask
from distributed import Client, LocalCluster

from audit.errors import InputError

# The workers the job starts do not run dask's statistical profiler: it samples the running
# task's stack every 10 ms and keeps a profile per second for the last 1,000 seconds, so a
# worker's memory grew with the run's length (by 0.4 MiB per 5,000-certificate partition,
# 41 MiB over a million certificates; flat with the profiler off).
WORKER_CONFIG = {"distributed.worker.profile.enabled": False}


@contextlib.contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Client]:
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise InputError(f"--scheduler: cannot reach {scheduler}: {exc}") from None
        try:
            yield client
        finally:
            client.close()
        return
    n = workers or os.cpu_count() or 1
    # One single-threaded process per core: linting is CPU-bound Python.
    with (
        dask.config.set(WORKER_CONFIG),  # read by each worker as it starts
        LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",  # the workers talk over loopback only
            dashboard_address="127.0.0.1:0",  # any free port: never clash with another cluster
            silence_logs=40,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
