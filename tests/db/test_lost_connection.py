"""The database lost during a run is an operational failure (exit 3), not bad input: the source
layer raises OperationalError with one line naming the partition, the masked URL and the cause,
and that error reaches the driver from a dask worker as itself."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from subprocess import PIPE

import pytest
from distributed import Client
from sqlalchemy.engine import make_url

from audit.errors import OperationalError
from audit.jobs.partition import PartitionTask, audit_partition
from audit.sample_db.products.population import ANCHOR
from audit.source import database as source_db
from audit.source.credentials import WorkerURL
from audit.source.database import IssuanceDatabase
from audit.source.schema import PRESETS
from tests.db.conftest import SERVERS, Sample, Server

pytestmark = pytest.mark.db


def _drop_connections_of(server: Server, user: str) -> int:
    """End every session of `user` from the admin connection; how many were ended."""
    with server.admin.connect() as conn:
        if server.name == "postgresql":
            return len(
                conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %(u)s",
                    {"u": user},
                ).all()
            )
        ids = conn.exec_driver_sql(
            "SELECT id FROM information_schema.processlist WHERE user = %(u)s", {"u": user}
        ).scalars()
        ids = list(ids)
        for session in ids:
            conn.exec_driver_sql(f"KILL CONNECTION {int(session)}")
        return len(ids)


@pytest.mark.parametrize("server", SERVERS)
def test_a_connection_dropped_while_reading_a_partition_is_an_operational_error(
    server: str, sample_of: Callable[[str, str], Sample], monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = sample_of("ejbca", server)
    monkeypatch.setattr(source_db, "PAGE_ROWS", 20)  # several keyset pages
    db = IssuanceDatabase(sample.reader_url, PRESETS["ejbca"])
    db.check()
    partition = db.plan(ANCHOR, 3)[1]
    batches = db.rows(partition, ANCHOR, batch=10)
    assert len(next(batches)) == 10
    user = make_url(sample.reader_url).username
    assert user and _drop_connections_of(sample.server, user) >= 1
    with pytest.raises(OperationalError) as caught:
        for _ in batches:
            pass
    message = str(caught.value)
    assert message.startswith(f"database connection lost reading partition 1 of {db.masked_url}: ")
    assert "\n" not in message
    assert make_url(sample.reader_url).password not in message


def test_an_operational_error_in_a_worker_reaches_the_driver_as_itself(
    sample_of: Callable[[str, str], Sample], cluster: str, tmp_path: Path
) -> None:
    """A worker that cannot reach the database (it was there when the run started)."""
    sample = sample_of("ejbca", "postgresql")
    db = IssuanceDatabase(sample.reader_url, PRESETS["ejbca"])
    db.check()
    [partition] = db.plan(ANCHOR, 1)
    gone = make_url(sample.reader_url).set(port=1).render_as_string(hide_password=False)
    # The worker's full URL, password included, as a worker has it once it put its password back
    # (audit/source/credentials.py): no error may echo it.
    task = PartitionTask(
        WorkerURL(gone, password_withheld=False),
        db.mapping,
        ANCHOR,
        ("ca_subject_country_present",),
        tmp_path,
        partition,
    )
    with Client(cluster) as client:
        future = client.submit(audit_partition, task, pure=False)
        with pytest.raises(OperationalError) as caught:
            future.result()
    assert type(caught.value) is OperationalError
    assert str(caught.value).startswith(
        "reading partition 0: cannot connect to postgresql+psycopg://cc_ro_"
    )
    assert make_url(gone).password not in str(caught.value)


def test_a_run_whose_database_is_lost_exits_3_with_one_line(
    sample_of: Callable[[str, str], Sample], tmp_path: Path
) -> None:
    """Every session of the run's account is ended, again and again, from the moment the run
    has passed its check (it takes its snapshot, counts, plans or reads) until it ends."""
    sample = sample_of("ejbca", "postgresql")
    user = make_url(sample.reader_url).username
    command = [
        sys.executable, "-m", "audit", "run", "--schema", "ejbca", "--as-of", ANCHOR.isoformat(),
        "--workers", "1", "--partitions", "40", "--out", str(tmp_path),
        "--db-retry-seconds", "3",  # a partition's retries give up soon: the loss goes on
    ]  # fmt: skip
    env = {**os.environ, "CERTCENSUS_DB": sample.reader_url}
    with subprocess.Popen(command, env=env, stdout=PIPE, stderr=PIPE, text=True) as run:
        ended = 0
        with sample.server.admin.connect() as admin:
            while run.poll() is None:
                running = admin.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE usename = %(u)s"
                    " AND (query LIKE '%%pg_export_snapshot%%' OR query LIKE '%%count(*)%%'"
                    " OR query LIKE '%%row_number()%%' OR query LIKE 'SET TRANSACTION SNAPSHOT%%')",
                    {"u": user},
                ).scalar_one()
                if running or ended:
                    ended += _drop_connections_of(sample.server, str(user))
                time.sleep(0.02)
        stdout, stderr = run.communicate(timeout=120)
    assert ended >= 1, "the run ended before it was seen reading"
    assert run.returncode == 3, stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr, stderr
    assert stderr.startswith("certcensus: ") and f"{user}:***@127.0.0.1" in stderr, stderr
    assert str(make_url(sample.reader_url).password) not in stdout + stderr
