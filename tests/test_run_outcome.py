"""How `certcensus run` ends, as users and their scripts see it: the exit status (0 done, 1
`--fail-on` met, 2 bad input, 3 an operational failure), one line on stderr, and a run directory
that is either complete or visibly partial."""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
import sqlalchemy.exc

from audit.engine.status import FINDING_STATUSES
from audit.outputs.parts import CERTIFICATES_DIR, PartStats, PartWriter, part_name
from audit.outputs.runjson import PARTIAL_MARKER, RUN_JSON
from tests.conftest import RECENT_DAY

AS_OF = RECENT_DAY.isoformat()


def certcensus(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audit", *args],
        capture_output=True,
        text=True,
        timeout=300,
        **kw,  # type: ignore[arg-type]
    )


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith("certcensus: ")
    return lines[0]


def only_partial(out: Path) -> Path:
    """The one run directory in `out`, which must be a partial one, without run.json."""
    runs = list(out.iterdir())
    assert len(runs) == 1 and runs[0].name.endswith(".partial"), runs
    assert (runs[0] / PARTIAL_MARKER).is_file()
    assert not (runs[0] / RUN_JSON).exists()
    return runs[0]


def run_in_process(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    """`certcensus ARGV` in this process (so that a test can patch what the job calls)."""
    from audit.cli import main

    monkeypatch.setattr(sys, "argv", ["certcensus", *argv])
    with pytest.raises(SystemExit) as ended:
        main()
    return int(ended.value.code or 0)


@pytest.fixture()
def threads_scheduler() -> str:
    """A dask cluster whose worker runs in this process: a patch applies to its tasks too."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


# -- item 3: exit 3, one line, the partial directory left -------------------------------------


def test_disk_full_in_a_partition_task_is_exit_3(
    sample_db: str, tmp_path: Path, threads_scheduler: str, monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    def full(self: object, *args: object, **kw: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")  # as Arrow raises it

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full)
    out = tmp_path / "runs"
    argv = ["run", "--db", sample_db, "--as-of", AS_OF, "--out", str(out)]
    code = run_in_process([*argv, "--scheduler", threads_scheduler], monkeypatch)
    line = one_line(capfd.readouterr().err)
    assert code == 3
    partial = only_partial(out)
    assert line.startswith("certcensus: disk full writing ")
    assert str(partial) in line
    # Nothing half-written is left where a reader of the dataset would take it for data.
    assert ds.dataset(partial / CERTIFICATES_DIR, format="parquet").files == []


def test_file_size_limit_is_exit_3(sample_db: str, tmp_path: Path) -> None:
    """A real write refused by the kernel (EFBIG past RLIMIT_FSIZE), in a real `certcensus run`."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, 50_000))

    out = tmp_path / "runs"
    ran = certcensus(
        "run", "--db", sample_db, "--as-of", AS_OF, "--out", str(out), "--workers", "1",
        preexec_fn=limit,
    )  # fmt: skip
    line = one_line(ran.stderr)
    assert ran.returncode == 3
    assert "file size limit reached writing" in line
    assert str(only_partial(out)) in line


def test_database_lost_during_the_run_is_exit_3(
    sample_db: str, tmp_path: Path, threads_scheduler: str, monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from audit.source.database import IssuanceDatabase

    def lost(*args: object, **kw: object) -> None:
        raise sqlalchemy.exc.OperationalError(
            "SELECT der FROM certificates", {}, Exception("server closed the connection\nmore")
        )

    monkeypatch.setattr(IssuanceDatabase, "rows", lost)
    out = tmp_path / "runs"
    argv = ["run", "--db", sample_db, "--as-of", AS_OF, "--out", str(out)]
    code = run_in_process([*argv, "--scheduler", threads_scheduler], monkeypatch)
    line = one_line(capfd.readouterr().err)
    assert code == 3
    # audit/source/database.py words the cause (what was being read, from where); the job
    # adds where the partial run is.
    assert "server closed the connection" in line and "more" not in line
    assert str(only_partial(out)) in line


KILLER = """
import os, sys
import cloudpickle
import audit.jobs.quarterly_audit as job

def make():
    def kill_the_worker(task):  # a worker process dies under this task, every time
        os._exit(1)
    return kill_the_worker

job.audit_partition = make()  # defined in a function: pickled by value for the workers
sys.argv = ["certcensus", *sys.argv[1:]]
from audit.cli import main
main()
"""


def test_workers_lost_beyond_retries_is_exit_3(sample_db: str, tmp_path: Path) -> None:
    out = tmp_path / "runs"
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}
    ran = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLER), "run", "--db", sample_db,
         "--as-of", AS_OF, "--out", str(out), "--workers", "1"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    line = one_line(ran.stderr)
    assert ran.returncode == 3
    assert "workers lost: 2 workers died running audit_partition-" in line
    assert str(only_partial(out)) in line


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_run_is_exit_3(sample_db: str, tmp_path: Path, signum: int) -> None:
    out = tmp_path / "runs"
    job = subprocess.Popen(
        [sys.executable, "-m", "audit", "run", "--db", sample_db, "--as-of", AS_OF,
         "--out", str(out), "--workers", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not (out.is_dir() and any(out.iterdir())) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # the cluster is starting or running
    # Ctrl-C reaches the whole process group; a scheduler's SIGTERM, the job alone.
    if signum == signal.SIGINT:
        os.killpg(job.pid, signum)
    else:
        job.send_signal(signum)
    _, stderr = job.communicate(timeout=120)
    assert job.returncode == 3, stderr
    line = one_line(stderr)
    assert line.startswith("certcensus: interrupted")
    assert str(only_partial(out)) in line


def test_unwritable_out_is_exit_2(sample_db: str, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    ran = certcensus("run", "--db", sample_db, "--out", str(blocker / "runs"), "--workers", "1")
    assert ran.returncode == 2
    assert one_line(ran.stderr).startswith("certcensus: --out: cannot write a run in ")


# -- items 4 and 5: --fail-on, and an empty population ----------------------------------------


def _certificates_by_worst(run_dir: Path) -> Counter[str]:
    """Independently of the job: each certificate's worst status, from the dataset."""
    rows = ds.dataset(run_dir / CERTIFICATES_DIR, format="parquet").to_table().to_pylist()
    worst: Counter[str] = Counter()
    for row in rows:
        statuses = [s.label for s in FINDING_STATUSES if row[f"n_{s.label}"]]
        if statuses:
            worst[statuses[-1]] += 1
    return worst


def test_fail_on_says_which_level_was_met_and_by_how_many(sample_db: str, tmp_path: Path) -> None:
    ran = certcensus(
        "run", "--db", sample_db, "--as-of", AS_OF, "--out", str(tmp_path), "--workers", "1",
        "--fail-on", "error",
    )  # fmt: skip
    assert ran.returncode == 1
    run_dir = Path(ran.stdout.splitlines()[0].removeprefix("run directory: "))
    worst = _certificates_by_worst(run_dir)
    assert worst["error"] and worst["fatal"]
    total = worst["error"] + worst["fatal"]
    expected = f"fail-on error: met by {total} certificates (error {worst['error']}, fatal {worst['fatal']})"
    # The only line on stderr: a successful run prints nothing of dask's (no heartbeat noise).
    assert one_line(ran.stderr) == f"certcensus: {expected}"


def test_an_empty_population_is_never_a_clean_pass(sample_db: str, tmp_path: Path) -> None:
    ran = certcensus(
        "run", "--db", sample_db, "--as-of", "1990-01-01", "--out", str(tmp_path), "--workers", "1"
    )
    assert ran.returncode == 0
    nothing = "nothing audited: 0 certificates active at 1990-01-01T00:00:00+00:00 in the database"
    assert one_line(ran.stderr) == f"certcensus: warning: {nothing}"
    run_dir = Path(ran.stdout.splitlines()[0].removeprefix("run directory: "))
    html = (run_dir / "report.html").read_text()
    assert "Nothing was audited" in html
    assert "counted 0 certificates active at 1990-01-01" in html
    assert "does not record the active population" not in html

    for level in ("info", "fatal"):
        failed = certcensus(
            "run", "--db", sample_db, "--as-of", "1990-01-01", "--out", str(tmp_path),
            "--workers", "1", "--fail-on", level,
        )  # fmt: skip
        assert failed.returncode == 1
        assert one_line(failed.stderr) == f"certcensus: fail-on {level}: met: {nothing}"


# -- item 6: changed-since --------------------------------------------------------------------


def test_changed_since_with_nothing_changed_makes_no_run(
    sample_db: str, recent_run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "runs"
    ran = certcensus(
        "run", "--db", sample_db, "--as-of", AS_OF, "--out",
        str(out), "--workers", "1", "--lints", f"changed-since:{recent_run.run_dir}",
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == f"no lint changed since {recent_run.run_dir}: nothing to rescan"
    assert ran.stderr == ""
    assert not out.exists()


def test_a_rescan_records_exactly_the_lints_it_ran(
    sample_db: str, recent_run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # The baseline as it would be had one lint changed since: its recorded version differs.
    baseline = tmp_path / "baseline"
    shutil.copytree(recent_run.run_dir, baseline)
    catalogue = json.loads((baseline / "catalogue.json").read_text())
    changed = sorted(_linted(baseline))[0]  # a lint with findings
    for entry in catalogue:
        if entry["name"] == changed:
            entry["version"] += 1
    (baseline / "catalogue.json").write_text(json.dumps(catalogue))

    ran = certcensus(
        "run", "--db", sample_db, "--as-of", AS_OF, "--out", str(tmp_path / "runs"),
        "--workers", "1", "--lints", f"changed-since:{baseline}",
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    rescan = Path(ran.stdout.splitlines()[0].removeprefix("run directory: "))
    run = json.loads((rescan / RUN_JSON).read_text())
    assert run["catalogue"]["lints"] == 1
    assert [x["name"] for x in json.loads((rescan / "catalogue.json").read_text())] == [changed]
    assert _linted(rescan) == {changed}

    diffed = certcensus("diff", str(recent_run.run_dir), str(rescan), "--out", str(tmp_path / "d"))
    assert diffed.returncode == 0, diffed.stderr
    assert "vNone" not in diffed.stdout


def _linted(run_dir: Path) -> set[str]:
    table = ds.dataset(run_dir / "findings", format="parquet").to_table(columns=["lint"])
    return set(table["lint"].to_pylist())


# -- item 11: complete or visibly not ---------------------------------------------------------


def test_a_part_file_is_invisible_until_it_is_whole(tmp_path: Path) -> None:
    stats = PartStats(partition=3)
    with PartWriter(tmp_path, 3, stats) as writer:
        writer.flush()
        # Open for writing (a crash now leaves this behind): no dataset reader sees it.
        assert ds.dataset(tmp_path / CERTIFICATES_DIR, format="parquet").files == []
    assert ds.dataset(tmp_path / CERTIFICATES_DIR, format="parquet").files == [
        str(tmp_path / CERTIFICATES_DIR / part_name(3))
    ]
    assert sorted(p.name for p in (tmp_path / CERTIFICATES_DIR).iterdir()) == [part_name(3)]


def test_a_run_that_stops_before_its_first_seen_dates_is_partial_and_refused(
    sample_db: str, recent_run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    import audit.jobs.quarterly_audit as job

    def full(*args: object, **kw: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "first_seen.parquet")

    monkeypatch.setattr(job, "write_first_seen", full)
    out = tmp_path / "runs"
    argv = ["run", "--db", sample_db, "--as-of", AS_OF, "--out", str(out), "--workers", "1"]
    code = run_in_process([*argv, "--baseline", str(recent_run.run_dir)], monkeypatch)
    assert code == 3
    assert one_line(capfd.readouterr().err).startswith(
        "certcensus: disk full writing first_seen.parquet; the partial run is left in "
    )
    partial = only_partial(out)
    marker = json.loads((partial / PARTIAL_MARKER).read_text())
    assert marker["as_of"] == AS_OF and marker["baseline"] == str(recent_run.run_dir.resolve())
    renamed = tmp_path / "renamed"  # a partial directory under a run's name: still no run.json
    shutil.copytree(partial, renamed)
    for target in (partial, renamed):
        for args in (
            ["report", str(target)],
            ["evidence", str(target), "--out", str(tmp_path / "e.tar")],
            ["diff", str(recent_run.run_dir), str(target), "--out", str(tmp_path / "d")],
            ["run", "--db", sample_db, "--out", str(tmp_path), "--baseline", str(target)],
            [
                "run",
                "--db",
                sample_db,
                "--out",
                str(tmp_path),
                "--lints",
                f"changed-since:{target}",
            ],
        ):
            ran = certcensus(*args)
            assert ran.returncode == 2, (args, ran.stderr)
            assert "incomplete run" in one_line(ran.stderr)


def test_a_partition_task_runs_exactly_the_lints_it_is_given() -> None:
    """The root of a rescan of nothing running every lint: the worker read an empty list of
    lint names as the selector "" (all)."""
    from audit.jobs.partition import _engine

    assert len(_engine((), RECENT_DAY).catalogue) == 0
    names = ("subject_organization_requires_locality_or_state",)
    assert _engine(names, RECENT_DAY).catalogue.names == names
