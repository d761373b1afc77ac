"""Unattended runs: one run at a time per output directory, and the previous run found by itself.

The lock is `fcntl.flock` on `<out>/.certcensus.lock`, held by the open file for the whole run
(new, or resumed): the operating system releases it when the process ends, however it ends
(SIGKILL, the OOM killer, a power cut's reboot), so a stale lock never needs clearing by hand.
The file keeps the holder's pid and start time for the message the next run gives. A second run
into the same `--out` stops at once with exit 3: nothing is wrong with its input (exit 2 would
send someone to fix the command), the resource it needs is busy, as with a database that is
down, and the same command succeeds once the first run is over.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from audit.errors import InputError, OperationalError
from audit.jobs.failures import out_dir_failure
from audit.outputs.runjson import PARTIAL_SUFFIX, parse_time, read_run

LOCK_FILE = ".certcensus.lock"
LATEST = "latest"  # --baseline latest


@contextlib.contextmanager
def out_lock(out_dir: Path) -> Iterator[None]:
    """Holds `out_dir`'s lock for the block; OperationalError when another run holds it.

    The lock file is removed when the block ends (a killed run leaves it, unlocked), so it is
    taken only once it is both locked and still the file at its path: a run that opened it just
    before the holder removed it takes it again, and never shares the lock with a third."""
    path = out_dir / LOCK_FILE
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        lock = _locked(path, out_dir)
    except OSError as exc:
        raise out_dir_failure(exc, out_dir) from exc
    with lock:
        lock.truncate(0)
        lock.write(f"pid {os.getpid()}, started {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}\n")
        lock.flush()
        try:
            yield
        finally:
            path.unlink(missing_ok=True)  # while still held; the lock goes as the file closes
            if created:  # a run that stopped before writing anything leaves no --out behind
                with contextlib.suppress(OSError):
                    out_dir.rmdir()


def _locked(path: Path, out_dir: Path) -> TextIO:
    while True:
        lock = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o644), "r+", encoding="utf-8")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = lock.read().strip() or "pid unknown"
            lock.close()
            raise OperationalError(f"another run is writing to {out_dir} ({holder})") from None
        try:
            if os.stat(path).st_ino == os.fstat(lock.fileno()).st_ino:
                return lock
        except FileNotFoundError:
            pass
        lock.close()  # removed by the run that held it, as it ended: take the new one


def latest_run(out_dir: Path) -> Path | None:
    """The newest complete run in `out_dir` (by its start time, then its id), or None.

    Partial runs and directories that are not runs are passed over; so is a run whose run.json
    cannot be read (it is not an answer to build on)."""
    found: list[tuple[datetime, str, Path]] = []
    if not out_dir.is_dir():
        return None
    for entry in out_dir.iterdir():
        if not entry.is_dir() or entry.name.endswith(PARTIAL_SUFFIX):
            continue
        try:
            meta = read_run(entry)
        except InputError:
            continue
        started = parse_time(meta.get("started_at"))
        if started is not None:
            found.append((started, str(meta.get("run_id", entry.name)), entry))
    return max(found)[2] if found else None
