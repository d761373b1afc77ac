"""`certcensus run --resume RUN_DIR`: a run whose driver was killed (with its workers) at any
point is finished from its `.partial` directory, and the result is the same, row for row, as a
run that was never interrupted: same certificates, same findings, same counts, same population
digest. What was kept and what was read again is recorded in run.json."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from sqlalchemy import create_engine, insert
from sqlalchemy.engine import make_url

from audit import __version__
from audit.errors import OperationalError
from audit.jobs.partition import PartitionTask, audit_partition
from audit.jobs.progress import PROGRESS_DIR
from audit.outputs.parts import CERTIFICATES_DIR, FINDINGS_DIR, part_name
from audit.outputs.runjson import PARTIAL_MARKER, RUN_JSON
from audit.sample_db import schema
from audit.source.credentials import WorkerURL
from audit.source.database import (
    BATCH_ROWS,
    DatabaseUnreachable,
    IssuanceDatabase,
    SnapshotGone,
)
from audit.source.schema import load_mapping
from tests.test_population import RANDOM_SERIAL, _row

AS_OF = datetime(2025, 7, 1, tzinfo=UTC)  # the sample's 186 active then, and two rows below
PARTITIONS = 8


@pytest.fixture(scope="module")
def ca_db(sample_db: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The sample database with two certificates that share a serial: the population lints then
    add findings, and counts to the part files, in the finish."""
    path = tmp_path_factory.mktemp("ca") / "ca.sqlite"
    shutil.copy(str(make_url(sample_db).database), path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(
            insert(schema.certificates),
            [
                _row(5001, RANDOM_SERIAL, "a.example.com"),
                _row(5002, RANDOM_SERIAL, "b.example.com"),
            ],
        )
    engine.dispose()
    return f"sqlite:///{path}"


def command(db: str, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "audit", "run", "--db", db, "--as-of", AS_OF.isoformat(),
        "--out", str(out), "--workers", "1", "--partitions", str(PARTITIONS), "--no-progress",
        *extra,
    ]  # fmt: skip


def certcensus(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audit", *args], capture_output=True, text=True, timeout=300
    )


def killed_when(argv: list[str], out: Path, appears: str) -> Path:
    """Runs `argv` and SIGKILLs its whole process group (the driver and its workers, as when the
    machine or the container goes) once `<out>/*.partial/<appears>` exists; the staging
    directory it leaves."""
    job = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            for staging in out.glob("*.partial"):
                if (staging / appears).exists():
                    os.killpg(job.pid, signal.SIGKILL)
                    job.wait()
                    return staging
            if job.poll() is not None:
                _, err = job.communicate()
                pytest.fail(f"the run ended (status {job.returncode}) before {appears}: {err}")
            time.sleep(0.001)
        pytest.fail(f"{appears} did not appear")
    finally:
        if job.poll() is None:
            os.killpg(job.pid, signal.SIGKILL)
            job.wait()


def rows(run_dir: Path, sub: str, keys: list[str]) -> list[dict]:
    table = ds.dataset(run_dir / sub, format="parquet").to_table()
    return table.sort_by([(k, "ascending") for k in keys]).to_pylist()


def assert_same_run(resumed: Path, reference: Path) -> None:
    for sub, keys in (
        (CERTIFICATES_DIR, ["cert_id"]),
        (FINDINGS_DIR, ["cert_id", "lint", "message", "status"]),
    ):
        got, want = rows(resumed, sub, keys), rows(reference, sub, keys)
        assert len(got) == len(want) > 0
        assert got == want, sub
    mine, theirs = (json.loads((d / RUN_JSON).read_text()) for d in (resumed, reference))
    for key in ("as_of", "counts", "population_digest", "partitions", "catalogue", "database"):
        assert mine[key] == theirs[key], key
    assert mine["run_id"] == resumed.name
    assert not (resumed / PARTIAL_MARKER).exists() and not (resumed / PROGRESS_DIR).exists()


@pytest.fixture(scope="module")
def reference(ca_db: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same request, never interrupted."""
    out = tmp_path_factory.mktemp("reference")
    done = subprocess.run(command(ca_db, out), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    [run_dir] = [d for d in out.iterdir() if d.is_dir()]
    # The finish rewrites part files (population lints add their counts): a kill after that
    # must not keep them as the partitions wrote them.
    assert any((run_dir / FINDINGS_DIR).glob("part-population-*.parquet"))
    return run_dir


def resumed(staging: Path) -> tuple[Path, dict]:
    done = certcensus("run", "--resume", str(staging), "--workers", "1", "--no-progress")
    assert done.returncode == 0, done.stderr
    run_dir = staging.with_name(staging.name.removesuffix(".partial"))
    assert f"run directory: {run_dir}" in done.stdout
    assert not staging.exists()
    return run_dir, json.loads((run_dir / RUN_JSON).read_text())


@pytest.mark.parametrize(
    "appears",
    [
        f"{PROGRESS_DIR}/plan.json",  # planned; no partition done
        f"{PROGRESS_DIR}/part-00002.json",  # some partitions done
        f"{PROGRESS_DIR}/part-{PARTITIONS - 1:05d}.json",  # the last ones done or running
        "first_seen.parquet",  # in the finish, after the population lints rewrote parts
        RUN_JSON,  # in the finish, run.json written, the report not yet
    ],
)
def test_a_killed_run_resumed_is_the_run_uninterrupted(
    appears: str, ca_db: str, reference: Path, tmp_path: Path
) -> None:
    staging = killed_when(command(ca_db, tmp_path), tmp_path, appears)
    assert (staging / PARTIAL_MARKER).is_file()
    run_dir, run = resumed(staging)
    assert_same_run(run_dir, reference)
    [entry] = run["resumed"]
    assert entry["snapshot"] == "new"
    assert entry["partitions_kept"] + len(entry["partitions_redone"]) == PARTITIONS
    if appears.endswith("part-00002.json"):
        assert entry["partitions_kept"] >= 1 and 2 not in entry["partitions_redone"]
    if appears == RUN_JSON:  # every partition was done; only those the finish rewrote are redone
        assert 0 < len(entry["partitions_redone"]) < PARTITIONS


def test_a_part_file_that_does_not_match_its_record_is_redone(
    ca_db: str, reference: Path, tmp_path: Path
) -> None:
    staging = killed_when(command(ca_db, tmp_path), tmp_path, f"{PROGRESS_DIR}/part-00002.json")
    part = staging / FINDINGS_DIR / part_name(2)
    part.write_bytes(part.read_bytes()[:-10])  # cut short after it was recorded
    run_dir, run = resumed(staging)
    assert_same_run(run_dir, reference)
    assert 2 in run["resumed"][0]["partitions_redone"]


def test_a_resumed_run_killed_again_is_resumed_again(
    ca_db: str, reference: Path, tmp_path: Path
) -> None:
    staging = killed_when(command(ca_db, tmp_path), tmp_path, f"{PROGRESS_DIR}/part-00001.json")
    resume = [sys.executable, "-m", "audit", "run", "--resume", str(staging), "--workers", "1"]
    killed_when(resume, tmp_path, "first_seen.parquet")
    run_dir, run = resumed(staging)
    assert_same_run(run_dir, reference)
    assert len(run["resumed"]) == 2


def fake_partial(tmp_path: Path, url: str) -> Path:
    staging = tmp_path / "20260101T000000Z-abcdef.partial"
    staging.mkdir(parents=True)
    marker = {
        "run_id": staging.name.removesuffix(".partial"),
        "as_of": AS_OF.isoformat(),
        "database": {"url": url, "schema": "generic"},
        "lints": "all",
        "baseline": None,
        "tool_version": __version__,
    }
    (staging / PARTIAL_MARKER).write_text(json.dumps(marker))
    return staging


def test_a_password_is_asked_for_again_and_must_be_for_the_same_database(tmp_path: Path) -> None:
    staging = fake_partial(tmp_path, "postgresql+psycopg://auditor:***@db.example:5432/ca")
    asked = certcensus("run", "--resume", str(staging))
    assert asked.returncode == 2
    assert asked.stderr.startswith("certcensus: --resume: the run's database URL")
    assert "give the URL again" in asked.stderr and len(asked.stderr.splitlines()) == 1
    other = certcensus(
        "run", "--resume", str(staging), "--db", "postgresql+psycopg://auditor:s3cret@other/ca"
    )
    assert other.returncode == 2
    assert "is not the run's" in other.stderr and "s3cret" not in other.stderr


@pytest.mark.parametrize("option", [["--as-of", "2020-01-01"], ["--lints", "cabf_br"]])
def test_a_resume_cannot_change_the_request(tmp_path: Path, option: list[str]) -> None:
    staging = fake_partial(tmp_path, "sqlite:////nonexistent.sqlite")
    refused = certcensus("run", "--resume", str(staging), *option)
    assert refused.returncode == 2
    assert f"{option[0]} cannot change it" in refused.stderr


def test_only_a_partial_run_is_resumed(reference: Path) -> None:
    refused = certcensus("run", "--resume", str(reference))
    assert refused.returncode == 2
    assert "is not an interrupted run" in refused.stderr


def test_part_keys_of_every_kind_are_recorded_as_they_were() -> None:
    from datetime import UTC, datetime
    from decimal import Decimal

    from audit.jobs.progress import decode_key, encode_key

    for key in [7, "a1b2", b"\x00\xff", Decimal("12345678901234567890"), ("issuer", 42),
                datetime(2020, 1, 2, tzinfo=UTC), None]:  # fmt: skip
        assert decode_key(json.loads(json.dumps(encode_key(key)))) == key


# -- a partition read again when its database connection is lost ------------------------------


def partition_task(db: str, run_dir: Path, retry_seconds: float) -> PartitionTask:
    database = IssuanceDatabase(db, load_mapping("generic"))
    database.check()
    [partition] = database.plan(AS_OF, 1)
    # As on PostgreSQL: the partition is planned in the run's exported snapshot.
    partition = dataclasses.replace(partition, snapshot="00000003-00000002-1")
    names = ("ca_subject_country_present",)
    url = WorkerURL(db, password_withheld=False)  # SQLite: no password
    return PartitionTask(url, database.mapping, AS_OF, names, run_dir, partition, retry_seconds)


def flaky_rows(monkeypatch: pytest.MonkeyPatch, failures: list[Exception]) -> list[str | None]:
    """IssuanceDatabase.rows fails with each of `failures` in turn, after its first batch (rows
    already written), then reads as it does; returns the snapshot each read was asked for."""
    real = IssuanceDatabase.rows
    reads: list[str | None] = []

    def rows(self, partition, as_of, batch=BATCH_ROWS):  # type: ignore[no-untyped-def]
        reads.append(partition.snapshot)
        for i, chunk in enumerate(real(self, partition, as_of, batch=40)):
            if i == 1 and len(reads) <= len(failures):
                raise failures[len(reads) - 1]
            yield chunk

    monkeypatch.setattr(IssuanceDatabase, "rows", rows)
    return reads


def test_a_lost_connection_reads_the_partition_again_without_duplicates(
    ca_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lost = DatabaseUnreachable("database connection lost reading partition 0 of x: gone")
    gone = SnapshotGone("reading partition 0 of x: the run's snapshot is gone")
    reads = flaky_rows(monkeypatch, [lost, gone])
    done = audit_partition(partition_task(ca_db, tmp_path, retry_seconds=30))
    # Read again in the run's snapshot, then, that being gone, in a new one.
    assert reads == ["00000003-00000002-1", "00000003-00000002-1", None]
    assert (done.attempts, done.snapshot) == (3, "new")
    ids = ds.dataset(tmp_path / CERTIFICATES_DIR, format="parquet").to_table()["cert_id"]
    assert len(ids) == len(set(ids.to_pylist())) == done.stats.scanned == 188
    assert [p.name for p in (tmp_path / CERTIFICATES_DIR).iterdir()] == [part_name(0)]


def test_a_database_lost_for_longer_than_the_retry_time_stops_the_partition(
    ca_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lost = DatabaseUnreachable("database connection lost reading partition 0 of x: gone")
    reads = flaky_rows(monkeypatch, [lost] * 100)
    started = time.monotonic()
    with pytest.raises(OperationalError) as stopped:
        audit_partition(partition_task(ca_db, tmp_path, retry_seconds=2))
    assert 2 <= time.monotonic() - started < 5
    assert 3 <= len(reads) < 10  # pauses of 0.5 s, 1 s, then what is left
    assert type(stopped.value) is OperationalError
    assert str(stopped.value).startswith("database connection lost reading partition 0 of x: gone")
    assert f"(read {len(reads)} times over 2 s)" in str(stopped.value)
    assert not list((tmp_path / CERTIFICATES_DIR).iterdir())  # nothing half written is left
