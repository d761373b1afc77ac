"""How a run that could not finish ends: one line naming the cause, exit status 3.

Whatever stops a run after it has started (the disk full, the database lost, workers lost, an
interrupt) is classified here, in one place, into an `OperationalError`; what is not an
operational failure (a bug) is left as it is.
"""

from __future__ import annotations

import contextlib
import errno
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import sqlalchemy.exc
from distributed.comm.core import CommClosedError
from distributed.scheduler import KilledWorker

from audit.errors import InputError, OperationalError

# Errors of a write that ran out of room: the disk (or the user's quota) is full, or the file
# outgrew the size the process may write (RLIMIT_FSIZE).
OUT_OF_ROOM = {errno.ENOSPC: "disk full", errno.EDQUOT: "disk quota exceeded"}
OUT_OF_ROOM[errno.EFBIG] = "file size limit reached"


def operational_cause(exc: BaseException) -> str | None:
    """Why the run could not finish, in a few words; None when `exc` is no operational failure."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, OperationalError):
        return str(exc)
    if isinstance(exc, KilledWorker):
        tries = exc.allowed_failures + 1
        return f"workers lost: {tries} workers died running {exc.task} (no retry left)"
    if isinstance(exc, OSError) and exc.errno in OUT_OF_ROOM:
        return f"{OUT_OF_ROOM[exc.errno]} writing {exc.filename or 'the run'}"
    if isinstance(exc, sqlalchemy.exc.DBAPIError | sqlalchemy.exc.DisconnectionError):
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return "database connection lost during the run" + (f": {detail[0]}" if detail else "")
    if isinstance(exc, CommClosedError):
        return "lost contact with the dask scheduler or its workers"
    return None


def out_dir_failure(exc: OSError, out_dir: Path) -> InputError | OperationalError:
    """What a failed write into `--out` before the run starts means: an operational failure (the
    disk full) or a directory the user cannot write a run in."""
    if cause := operational_cause(exc):
        return OperationalError(cause)
    return InputError(f"--out: cannot write a run in {out_dir}: {exc.strerror or exc}")


@contextlib.contextmanager
def classified(run_dir: Path) -> Iterator[None]:
    """Ends the block with an OperationalError naming the cause of any operational failure;
    the run directory is left as it is (partial, by its name)."""
    try:
        yield
    except InputError:
        raise
    except BaseException as exc:
        cause = operational_cause(exc)
        if cause is None:
            raise
        raise OperationalError(f"{cause}; the partial run is left in {run_dir}") from exc


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a scheduler stopping the job) ends the run as Ctrl-C does, so that it is
    reported, and its directory left, the same way."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
