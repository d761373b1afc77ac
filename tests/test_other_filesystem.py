"""A run whose `--out` is on another filesystem than the system's temporary directory and the
current directory, as on a cluster whose run directory is on shared storage: every file the run,
its evidence package and its verification write (part files, run.json, the report, the
`.partial` directory, the lock, the package) must be renamed within that filesystem, never moved
there from a temporary directory (a rename across filesystems fails with EXDEV).

The other filesystem is /dev/shm (tmpfs: memory, not the local disk) when it can hold the run;
otherwise the run's TMPDIR is moved to a directory on another filesystem instead."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from audit.jobs.progress import PROGRESS_DIR
from audit.jobs.schedule import LOCK_FILE
from audit.outputs.runjson import PARTIAL_MARKER, PARTIAL_SUFFIX, RUN_JSON
from tests.conftest import RECENT_DAY

# The run, its package and their temporary copies take a few MB; CI containers may give
# /dev/shm only 64 MB in all.
MIN_FREE_BYTES = 32 * 1024 * 1024
PACKAGE = "evidence.tar"


@dataclass(frozen=True)
class Placement:
    out: Path  # the run's --out and the package's directory
    scratch: Path  # the run's TMPDIR and current directory
    cross_device: bool  # False only on a machine with a single writable filesystem


def device(path: Path) -> int:
    return os.stat(path).st_dev


def usable_away_from(candidate: Path, here: Path) -> bool:
    """Whether `candidate` is a writable directory, with room for a run, on another
    filesystem than `here`."""
    try:
        return (
            candidate.is_dir()
            and os.access(candidate, os.W_OK | os.X_OK)
            and device(candidate) != device(here)
            and shutil.disk_usage(candidate).free >= MIN_FREE_BYTES
        )
    except OSError:
        return False


def other_filesystems() -> list[Path]:
    """Where a directory on another filesystem than the system's temporary one may be."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    places = [Path("/dev/shm"), Path("/var/tmp"), Path.home()]
    return places + ([Path(runtime)] if runtime else [])


@pytest.fixture
def placement(tmp_path: Path) -> Iterator[Placement]:
    shm = Path("/dev/shm")
    if usable_away_from(shm, Path(tempfile.gettempdir())):
        # /dev/shm is shared memory: a directory of this test's own, removed however it ends.
        out = Path(tempfile.mkdtemp(prefix="certcensus-test-", dir=shm))
        try:
            yield Placement(out=out, scratch=tmp_path, cross_device=True)
        finally:
            shutil.rmtree(out, ignore_errors=True)
        return
    out = tmp_path / "runs"
    out.mkdir()
    elsewhere = next((p for p in other_filesystems() if usable_away_from(p, tmp_path)), None)
    if elsewhere is None:
        # A machine with one writable filesystem cannot show the cross-device case: the run
        # still goes through, with everything the other placements assert but the devices.
        yield Placement(out=out, scratch=tmp_path, cross_device=False)
        return
    scratch = Path(tempfile.mkdtemp(prefix=".certcensus-test-", dir=elsewhere))
    try:
        yield Placement(out=out, scratch=scratch, cross_device=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def certcensus(placement: Placement, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TMPDIR": str(placement.scratch)}
    return subprocess.run(
        [sys.executable, "-m", "audit", *args],
        cwd=placement.scratch, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_a_run_and_its_package_on_another_filesystem(sample_db: str, placement: Placement) -> None:
    out = placement.out
    assert (device(out) != device(placement.scratch)) is placement.cross_device

    run = certcensus(
        placement, "run", "--db", sample_db, "--as-of", RECENT_DAY.isoformat(),
        "--out", str(out), "--workers", "1", "--no-progress",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr

    # Complete in one go: renamed from `.partial`, nothing a resume would need, the lock gone.
    (run_dir,) = [d for d in out.iterdir() if d.is_dir()]
    assert not run_dir.name.endswith(PARTIAL_SUFFIX)
    assert f"run directory: {run_dir}" in run.stdout
    assert not (run_dir / PARTIAL_MARKER).exists() and not (run_dir / PROGRESS_DIR).exists()
    assert not (out / LOCK_FILE).exists()
    assert (run_dir / "report.html").is_file()
    counts = json.loads((run_dir / RUN_JSON).read_text())["counts"]
    assert counts["reconciled"] is True
    certificate_rows = ds.dataset(run_dir / "certificates", format="parquet").count_rows()
    assert counts["scanned"] == certificate_rows > 0

    package = out / PACKAGE
    evidence = certcensus(placement, "evidence", str(run_dir), "--out", str(package))
    assert evidence.returncode == 0, evidence.stderr
    verify = certcensus(placement, "verify", str(package), "--allow-unsigned")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert f"verified: {package}" in verify.stdout

    # Nothing half-written stays beside them (no `.tmp` package, no hidden staging).
    assert sorted(p.name for p in out.iterdir()) == sorted([run_dir.name, PACKAGE])
    assert device(run_dir) == device(package) == device(out)
