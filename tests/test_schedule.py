"""Unattended runs: one run at a time writes to an output directory (a second stops at once with
exit 3 and one line saying who holds it), the lock goes with a run however it ends, and
`--baseline latest` takes the newest complete run there (none: a warning, no baseline)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audit.errors import OperationalError
from audit.jobs.schedule import LOCK_FILE, latest_run, out_lock
from audit.outputs.runjson import PARTIAL_MARKER, RUN_JSON
from tests.conftest import RECENT_DAY


def run_command(db: str, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "audit", "run", "--db", db, "--as-of", RECENT_DAY.isoformat(),
        "--out", str(out), "--workers", "1", "--no-progress", *extra,
    ]  # fmt: skip


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("certcensus: "), stderr
    return lines[0]


def runs_in(out: Path) -> list[Path]:
    return sorted(d for d in out.iterdir() if d.is_dir())


def test_a_second_run_into_the_same_out_stops_at_once(sample_db: str, tmp_path: Path) -> None:
    first = subprocess.Popen(
        run_command(sample_db, tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        while not list(tmp_path.glob("*.partial")):  # the first run is writing
            assert first.poll() is None, first.communicate()
            time.sleep(0.01)
        started = time.monotonic()
        second = subprocess.run(
            run_command(sample_db, tmp_path), capture_output=True, text=True, timeout=120
        )
        assert second.returncode == 3
        assert time.monotonic() - started < 30  # at once: before any cluster or database
        line = one_line(second.stderr)
        assert line.startswith(
            f"certcensus: another run is writing to {tmp_path} (pid {first.pid}, started "
        )
        _, err = first.communicate(timeout=300)
        assert first.returncode == 0, err
    finally:
        if first.poll() is None:
            first.kill()
    [run] = runs_in(tmp_path)  # the first run, whole; nothing of the second
    assert (run / RUN_JSON).is_file()
    assert not (tmp_path / LOCK_FILE).exists()  # removed by the run that held it


def test_a_lock_is_released_when_its_run_is_killed(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
         "from audit.jobs.schedule import out_lock\n"
         "with out_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(600)\n",
         str(tmp_path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with (
            pytest.raises(OperationalError, match=f"pid {holder.pid}, started "),
            out_lock(tmp_path),
        ):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert (tmp_path / LOCK_FILE).exists()  # left by the killed run, but no longer locked
    with out_lock(tmp_path):
        assert f"pid {os.getpid()}," in (tmp_path / LOCK_FILE).read_text()


def test_a_resume_takes_the_lock_too(tmp_path: Path) -> None:
    staging = tmp_path / "20260101T000000Z-abcdef.partial"
    staging.mkdir()
    marker = {"run_id": "20260101T000000Z-abcdef", "as_of": "2026-01-01T00:00:00+00:00",
              "database": {"url": "sqlite:////nonexistent", "schema": "generic"},
              "lints": "all", "baseline": None, "tool_version": "0"}  # fmt: skip
    (staging / PARTIAL_MARKER).write_text(json.dumps(marker))
    with out_lock(tmp_path):
        refused = subprocess.run(
            [sys.executable, "-m", "audit", "run", "--resume", str(staging)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert refused.returncode == 3
    assert one_line(refused.stderr).startswith(f"certcensus: another run is writing to {tmp_path}")


def fake_run(out: Path, name: str, started: str) -> Path:
    run = out / name
    run.mkdir(parents=True)
    (run / RUN_JSON).write_text(json.dumps({"run_id": name, "started_at": started}))
    return run


def test_latest_is_the_newest_complete_run(tmp_path: Path) -> None:
    assert latest_run(tmp_path / "none") is None
    assert latest_run(tmp_path) is None
    fake_run(tmp_path, "b", "2026-01-01T00:00:00+00:00")
    newest = fake_run(tmp_path, "a", "2026-04-01T00:00:00+00:00")  # newer, though named first
    fake_run(tmp_path, "c", "2025-10-01T00:00:00Z")
    partial = fake_run(tmp_path, "d.partial", "2026-07-01T00:00:00+00:00")  # not complete
    (partial / PARTIAL_MARKER).write_text("{}")
    (tmp_path / "notes").mkdir()  # not a run
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / RUN_JSON).write_text("{not json")
    assert latest_run(tmp_path) == newest


def test_baseline_latest_takes_the_previous_run_and_warns_on_the_first(
    sample_db: str, tmp_path: Path
) -> None:
    first = subprocess.run(
        run_command(sample_db, tmp_path, "--baseline", "latest"),
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert one_line(first.stderr) == (
        f"certcensus: warning: --baseline latest: no complete run in {tmp_path}: "
        "running without a baseline"
    )
    [first_run] = runs_in(tmp_path)
    assert json.loads((first_run / RUN_JSON).read_text())["baseline"] is None
    (tmp_path / "20991231T000000Z-ffffff.partial").mkdir()  # interrupted: never a baseline
    second = subprocess.run(
        run_command(sample_db, tmp_path, "--baseline", "latest"),
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert second.returncode == 0 and second.stderr == "", second.stderr
    [second_run] = [
        r for r in runs_in(tmp_path) if r not in (first_run,) and "partial" not in r.name
    ]
    baseline = json.loads((second_run / RUN_JSON).read_text())["baseline"]
    assert baseline == {
        "run_id": first_run.name,
        "path": str(first_run.resolve()),
        "rules_as_of": None,
    }
