"""Reading the database: partitions and keyset pages on every kind of scan key, server-side
streaming, and one consistent view while the database changes under the job."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import create_engine

from audit.sample_db.products import fill
from audit.sample_db.products.population import ANCHOR
from audit.source import database as source_db
from audit.source.database import IssuanceDatabase
from audit.source.schema import PRESETS
from tests.db.conftest import SAMPLE_SEED, SERVERS, Sample, Server

pytestmark = pytest.mark.db


def _read_all(db: IssuanceDatabase, partitions: int, batch: int = 16) -> list[list[str]]:
    return [
        [row.facts.cert_id for rows in db.rows(p, ANCHOR, batch=batch) for row in rows]
        for p in db.plan(ANCHOR, partitions)
    ]


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize(
    "product",
    ["ejbca", "cfssl", "openxpki", "boulder"],  # hex string, composite bytes, ci text, integer
)
def test_every_kind_of_key_partitions_evenly_and_pages_exactly_once(
    product: str,
    server: str,
    sample_of: Callable[[str, str], Sample],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sample = sample_of(product, server)
    monkeypatch.setattr(source_db, "PAGE_ROWS", 50)  # many keyset pages per partition
    db = IssuanceDatabase(sample.reader_url, PRESETS[product])
    db.check()
    parts = _read_all(db, 7)
    flat = [i for p in parts for i in p]
    assert len(flat) == len(set(flat)) == len(sample.expected)
    assert set(flat) == sample.expected
    assert len(parts) == 7
    # Boulder's precertificates table is read in ranges of its own (after the main table's):
    # each table's ranges are even.
    plan = db.plan(ANCHOR, 7)
    for precertificates in (False, True):
        sizes = [
            len(ids)
            for p, ids in zip(plan, parts, strict=True)
            if p.precertificates == precertificates
        ]
        step = -(-sum(sizes) // max(1, len(sizes)))
        assert all(s == step for s in sizes[:-1]), sizes


def test_openxpki_identifier_order_is_the_servers_not_pythons(
    sample_of: Callable[[str, str], Sample],
) -> None:
    """utf8_general_ci orders 'a' and 'B' differently from Python: partition bounds and keyset
    positions must be compared by the server, or rows are skipped or read twice."""
    sample = sample_of("openxpki", "mariadb")
    engine = create_engine(sample.reader_url)
    try:
        with engine.connect() as conn:
            server_order = list(
                conn.exec_driver_sql(
                    "SELECT identifier FROM certificate ORDER BY identifier"
                ).scalars()
            )
            collation = conn.exec_driver_sql(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_schema = DATABASE() AND table_name = 'certificate' "
                "AND column_name = 'identifier'"
            ).scalar_one()
    finally:
        engine.dispose()
    assert collation.endswith("_ci")
    assert server_order != sorted(server_order), "the sample does not exercise the collation"
    db = IssuanceDatabase(sample.reader_url, PRESETS["openxpki"])
    db.check()
    parts = _read_all(db, 5, batch=7)
    flat = [i for p in parts for i in p]
    assert len(flat) == len(set(flat)) and set(flat) == sample.expected


def test_postgresql_rows_come_through_a_server_side_cursor(
    sample_of: Callable[[str, str], Sample], postgresql: Server
) -> None:
    sample = sample_of("ejbca", "postgresql")
    db = IssuanceDatabase(sample.reader_url, PRESETS["ejbca"])
    db.check()
    (whole,) = db.plan(ANCHOR, 1)
    rows = db.rows(whole, ANCHOR, batch=10)
    next(rows)  # the page is open on the server; the client holds ten rows of it
    user = sample.reader_url.split("://")[1].split(":")[0]
    with postgresql.admin.connect() as conn:
        query = conn.exec_driver_sql(
            "SELECT query FROM pg_stat_activity WHERE usename = %(u)s AND state <> 'idle'",
            {"u": user},
        ).scalar_one()
    rows.close()
    assert query.lstrip().upper().startswith("FETCH FORWARD"), query


def test_postgresql_pages_are_read_without_parallel_query(
    sample_of: Callable[[str, str], Sample], postgresql: Server
) -> None:
    """Each partition's transaction turns PostgreSQL's parallel query off before its pages
    (small ordered range scans, which the workers send side by side), and the select-only
    reader account may do so in its read-only transaction."""
    from sqlalchemy import event

    sample = sample_of("ejbca", "postgresql")
    db = IssuanceDatabase(sample.reader_url, PRESETS["ejbca"])
    db.check()
    statements: list[tuple[int, str]] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def _seen(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append((id(conn.connection.dbapi_connection), " ".join(statement.split())))

    (first, *_) = db.plan(ANCHOR, 2)
    read = [row for rows in db.rows(first, ANCHOR, batch=10) for row in rows]
    assert read
    setting = [i for i, (_, s) in enumerate(statements) if "max_parallel_workers_per_gather" in s]
    pages = [i for i, (_, s) in enumerate(statements) if s.upper().startswith("SELECT")]
    assert len(setting) == 1 and pages, statements
    assert statements[setting[0]][1] == "SET LOCAL max_parallel_workers_per_gather = 0"
    assert setting[0] < pages[-1]  # before the partition's page, on the same connection
    assert statements[setting[0]][0] == statements[pages[-1]][0]


def _change_everything(admin_url: str, product: str) -> None:
    """What a CA does while the audit runs: issue, revoke (late and backdated), delete."""
    from audit.sample_db.products import ejbca

    engine = create_engine(admin_url)
    try:
        with engine.begin() as conn:
            q = "CertificateData" if "mysql" in admin_url else "certificatedata"
            active = [
                r[0]
                for r in conn.exec_driver_sql(
                    f"SELECT fingerprint FROM {q} WHERE status = 20 AND expireDate > %(t)s "
                    "AND notBefore <= %(t)s ORDER BY fingerprint LIMIT 4",
                    {"t": int(ANCHOR.timestamp() * 1000)},
                )
            ]
            later = int((ANCHOR + timedelta(days=3)).timestamp() * 1000)
            backdated = int((ANCHOR - timedelta(days=3)).timestamp() * 1000)
            conn.exec_driver_sql(
                f"UPDATE {q} SET status = 40, revocationReason = 1, revocationDate = %(d)s "
                "WHERE fingerprint = %(f)s",
                {"d": later, "f": active[0]},
            )
            conn.exec_driver_sql(
                f"UPDATE {q} SET status = 40, revocationReason = 1, revocationDate = %(d)s "
                "WHERE fingerprint = %(f)s",
                {"d": backdated, "f": active[1]},
            )
            conn.exec_driver_sql(f"DELETE FROM {q} WHERE fingerprint = %(f)s", {"f": active[2]})
            # A new certificate, backdated so that it is active at the as-of time.
            conn.exec_driver_sql(
                f"INSERT INTO {q} (fingerprint, base64Cert, certificateProfileId, expireDate, "
                "issuerDN, notBefore, revocationDate, revocationReason, rowVersion, serialNumber, "
                "status, subjectDN, type, updateTime) SELECT 'ffff' || fingerprint, base64Cert, "
                "certificateProfileId, expireDate, issuerDN, notBefore, revocationDate, "
                "revocationReason, rowVersion, serialNumber || '1', status, subjectDN, type, "
                f"updateTime FROM {q} WHERE fingerprint = %(f)s",
                {"f": active[3]},
            )
        assert ejbca.CERT_REVOKED == 40
    finally:
        engine.dispose()


def test_postgresql_one_snapshot_for_the_whole_run(postgresql: Server) -> None:
    """Count, plan and every partition (each in its own connection, as on a worker) see the
    database as it was when the run started, whatever is written meanwhile."""
    database = postgresql.create_database()
    admin_url = postgresql.url(database)
    summary = fill(admin_url, "ejbca", 300, SAMPLE_SEED, want_ids=True)
    reader = postgresql.create_reader(database)
    driver = IssuanceDatabase(reader, PRESETS["ejbca"])
    driver.check()
    with driver.consistent_view() as snapshot:
        assert snapshot
        count = driver.count_active(ANCHOR)
        plan = driver.plan(ANCHOR, 4)
        writer = threading.Thread(target=_change_everything, args=(admin_url, "ejbca"))
        writer.start()
        writer.join()
        # A fresh engine per "worker", as in another process.
        source_db.read_only_engine.cache_clear()
        worker = IssuanceDatabase(reader, driver.mapping)
        ids = [r.facts.cert_id for p in plan for rows in worker.rows(p, ANCHOR) for r in rows]
    assert count == len(ids) == len(summary.active_ids or [])
    assert set(ids) == set(summary.active_ids or [])
    # Outside the snapshot the changes are there: one row backdated-revoked, one deleted, one new.
    assert IssuanceDatabase(reader, driver.mapping).count_active(ANCHOR) == count - 1


def test_mariadb_revocation_during_the_run_keeps_the_row(mariadb: Server) -> None:
    """No snapshot is shared across MariaDB connections: the as-of predicate keeps the
    population fixed for revocations dated after T and certificates issued after T."""
    database = mariadb.create_database()
    admin_url = mariadb.url(database)
    summary = fill(admin_url, "boulder", 300, SAMPLE_SEED, want_ids=True)
    reader = mariadb.create_reader(database)
    driver = IssuanceDatabase(reader, PRESETS["boulder"])
    driver.check()
    with driver.consistent_view():
        count = driver.count_active(ANCHOR)
        plan = driver.plan(ANCHOR, 3)
    mariadb.execute(
        # Revoked now (after T): still active at T.
        "UPDATE certificateStatus SET status = 'revoked', revokedDate = '2025-06-05 10:00:00', "
        "revokedReason = 1 WHERE id = 11",
        # Issued now (after T), even with a notBefore backdated by Boulder's hour.
        "INSERT INTO certificates (registrationID, serial, digest, der, issued, expires) "
        "SELECT registrationID, CONCAT(serial, 'ff'), digest, der, '2025-06-01 00:30:00', expires "
        "FROM certificates WHERE id = 12",
        database=database,
    )
    ids = [r.facts.cert_id for p in plan for rows in driver.rows(p, ANCHOR) for r in rows]
    assert "11" in ids
    assert count == len(ids) == len(summary.active_ids or [])
    assert set(ids) == set(summary.active_ids or [])
