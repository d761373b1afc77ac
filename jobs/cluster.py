"""Where the job's tasks run: a local cluster sized to the machine, or an existing scheduler."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Iterator
from multiprocessing import resource_tracker

import dask
from distributed import Client, LocalCluster
from distributed.security import Security
from distributed.utils import silence_logging_cmgr

from audit.errors import InputError

# The workers the job starts do not run dask's statistical profiler: it samples the running
# task's stack every 10 ms and keeps a profile per second for the last 1,000 seconds, so a
# worker's memory grew with the run's length (by 0.4 MiB per 5,000-certificate partition,
# 41 MiB over a million certificates; flat with the profiler off).
WORKER_CONFIG = {"distributed.worker.profile.enabled": False}


# The loggers, each with its own stream handler, through which dask, and the tornado and bokeh
# servers under it, print to stderr; asyncio's go to Python's last-resort handler.
DASK_LOGGERS = ("distributed", "distributed.client", "tornado", "tornado.application", "bokeh")


@contextlib.contextmanager
def quiet_dask_logs() -> Iterator[None]:
    """No log line of dask's reaches the user while the job runs and while its cluster shuts
    down (a heartbeat or a connection cut by the shutdown was logged with a traceback, after a
    run that succeeded). Nothing is hidden that the job needs: a task's error, a worker lost
    beyond retries or a scheduler out of reach reach the job as exceptions, and it reports them
    (jobs/failures.py)."""
    with contextlib.ExitStack() as stack:
        for name in DASK_LOGGERS:
            stack.enter_context(silence_logging_cmgr(logging.CRITICAL, root=name))
        asyncio_logger = logging.getLogger("asyncio")
        stack.callback(asyncio_logger.setLevel, asyncio_logger.level)
        asyncio_logger.setLevel(logging.CRITICAL)
        yield


@contextlib.contextmanager
def dask_client(
    workers: int | None = None,
    scheduler: str | None = None,
    worker_env: dict[str, str] | None = None,
) -> Iterator[Client]:
    """A client of the local cluster started here (its worker processes spawned with
    `worker_env`), or of the existing scheduler at `scheduler` (whose workers have their own)."""
    with quiet_dask_logs():
        yield from _client(workers, scheduler, worker_env or {})


def _client(
    workers: int | None, scheduler: str | None, worker_env: dict[str, str]
) -> Iterator[Client]:
    if scheduler:
        security = scheduler_security(scheduler)
        try:
            client = Client(scheduler, timeout="10s", security=security)
        except OSError as exc:
            raise InputError(f"--scheduler: cannot reach {scheduler}: {exc}") from None
        try:
            yield client
        finally:
            client.close()
        return
    n = workers or os.cpu_count() or 1
    # One single-threaded process per core: linting is CPU-bound Python.
    with contextlib.ExitStack() as running:
        with dask.config.set(WORKER_CONFIG), interrupts_held():  # config: read by each worker
            cluster = running.enter_context(
                LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",  # the workers talk over loopback only
                    dashboard_address="127.0.0.1:0",  # any free port: never clash with another
                    silence_logs=logging.CRITICAL,  # the workers' own logs: see quiet_dask_logs
                    env=worker_env,  # set by each nanny in the process it spawns: not sent
                )
            )
            client = running.enter_context(Client(cluster))
        yield client  # a Ctrl-C held back is raised just before: the cluster is then shut down


TLS_SETTINGS = (
    "distributed.comm.tls.ca-file, distributed.comm.tls.client.cert and "
    "distributed.comm.tls.client.key in dask's configuration (a YAML file, or the variables "
    "DASK_DISTRIBUTED__COMM__TLS__CA_FILE, DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT and "
    "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY)"
)


def scheduler_security(address: str) -> Security | None:
    """dask's TLS settings for a `tls://` scheduler address, from dask's own configuration, so
    that a cluster's existing set-up serves the job unchanged; None for other addresses."""
    if not address.startswith("tls://"):
        return None
    security = Security(require_encryption=True)
    if not (security.tls_ca_file and security.tls_client_cert):
        raise InputError(
            f"--scheduler {address}: no TLS certificate configured: set {TLS_SETTINGS}"
        )
    return security


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Ctrl-C (SIGINT) is held back while the block runs, and raised when it ends.

    Ctrl-C reaches the terminal's whole process group, workers included: a worker interrupted
    printed its traceback, and a cluster interrupted while it started could not be shut down
    (more tracebacks, at exit). The threads the cluster starts here, and the worker processes
    they spawn (now, or later in place of a lost one), inherit SIGINT blocked from this thread:
    Ctrl-C stops the job's own process only, which shuts the cluster down in order. This
    process may still receive it (through a thread started earlier); it is then noted, and
    raised once the cluster is up. (SIGTERM is left unblocked: the cluster stops its worker
    processes with it.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # Started first, here: whichever thread starts multiprocessing's resource tracker has SIGINT
    # unblocked by it (multiprocessing.resource_tracker.ensure_running), and the cluster's
    # threads would start it.
    resource_tracker.ensure_running()
    noted: list[int] = []
    handlers = {  # SIGTERM too (jobs/failures.py: an interrupt), but not blocked: see above
        signum: signal.signal(signum, lambda signum, frame: noted.append(signum))
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    if noted:
        raise KeyboardInterrupt
