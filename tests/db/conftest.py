"""The real database servers: PostgreSQL and MariaDB on loopback (started by .ci/run).

Every test database is created here with a random name and dropped afterwards, and so is every
SELECT-only account the audits run under. A server that does not answer fails the tests that
need it with a message saying so; nothing is skipped. A busy server may end a session, or hold
for a moment what a statement needs: each set-up statement is then tried again, a few times, on
a new session (`Server.execute`).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InternalError, OperationalError, SQLAlchemyError

from audit.sample_db.products import FillSummary, fill
from audit.source.credentials import PASSWORD_VARIABLE

# The readers' password (one per test session): the session's cluster workers are given it.
READER_PASSWORD = f"pw-{secrets.token_hex(8)}"


SERVERS = ("postgresql", "mariadb")
ADMIN_URLS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/test",
}
START = {
    "postgresql": "service postgresql start",
    "mariadb": "service mariadb start",
}
SAMPLE_COUNT = 600  # per product and server: every case at least twice, one keyset page
SAMPLE_SEED = 4
# A set-up statement is tried this many times, pausing 0.2 s, 0.4 s, ... between tries: about
# 3 s in all, so a server that does not answer still fails the tests within seconds.
ATTEMPTS = 5
FIRST_PAUSE = 0.2


def _transient(exc: SQLAlchemyError) -> bool:
    """An error a busy server gives and then not again: the session was ended (PostgreSQL's
    AdminShutdown, MariaDB's lost connection), the database or catalogue row is in use by another
    session (CREATE DATABASE's "being accessed by other users", "tuple concurrently updated"),
    a deadlock or a lock wait that timed out. All are OperationalError but the catalogue race."""
    if isinstance(exc, OperationalError) or getattr(exc, "connection_invalidated", False):
        return True
    return isinstance(exc, InternalError) and "concurrently updated" in str(exc)


@dataclass
class Server:
    """One server: creates databases and read-only accounts, and removes them at the end."""

    name: str
    admin: Engine
    cleanup: list[Callable[[], None]] = field(default_factory=list)

    def url(self, database: str, user: str | None = None, password: str | None = None) -> str:
        base = make_url(ADMIN_URLS[self.name]).set(database=database)
        if user:
            base = base.set(username=user, password=password)
        return base.render_as_string(hide_password=False)

    def execute(self, *statements: str, database: str | None = None) -> None:
        """Run `statements` in one session, again on a new one after a transient error; the last
        error is raised."""
        for attempt in range(ATTEMPTS):
            try:
                return self._execute_once(statements, database)
            except SQLAlchemyError as exc:
                if attempt == ATTEMPTS - 1 or not _transient(exc):
                    raise
                self.admin.dispose()  # a session the server ended must not be handed out again
                time.sleep(FIRST_PAUSE * 2**attempt)

    def _execute_once(self, statements: tuple[str, ...], database: str | None) -> None:
        engine = self.admin if database is None else create_engine(self.url(database))
        try:
            with engine.connect() as conn:
                for s in statements:
                    conn.exec_driver_sql(s)
                conn.commit()
        finally:
            if database is not None:
                engine.dispose()

    def create_database(self) -> str:
        name = f"certcensus_test_{secrets.token_hex(4)}"
        # The drop first: it is needed even when the CREATE fails after the server made it.
        if self.name == "postgresql":
            self.cleanup.append(
                lambda: self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            )
        else:
            self.cleanup.append(lambda: self.execute(f"DROP DATABASE IF EXISTS {name}"))
        self.execute(f"CREATE DATABASE {name}")
        if self.name == "postgresql":
            # Nobody gets TEMP by default on a test database: the audit must not need it.
            self.execute(f"REVOKE TEMP ON DATABASE {name} FROM PUBLIC")
        return name

    def create_reader(
        self, database: str, password: str | None = None, tables: tuple[str, ...] | None = None
    ) -> str:
        """A login that may only SELECT in `database`; its URL (with a password in it,
        percent-encoded). `tables`: SELECT on only these (none when empty), not on every table."""
        user = f"cc_ro_{secrets.token_hex(4)}"
        password = password or READER_PASSWORD
        literal = password.replace("'", "''").replace("%", "%%")  # the drivers' paramstyle is %s
        if self.name == "postgresql":
            self.execute(f"CREATE ROLE {user} LOGIN PASSWORD '{literal}'")
            grants = (
                ["GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + user]
                if tables is None
                else [f"GRANT SELECT ON {t} TO {user}" for t in tables]
            )
            self.execute("GRANT USAGE ON SCHEMA public TO " + user, *grants, database=database)
            self.execute(f"GRANT CONNECT ON DATABASE {database} TO {user}")

            def drop() -> None:
                self.execute(f"DROP OWNED BY {user}", database=database)
                self.execute(f"REVOKE CONNECT ON DATABASE {database} FROM {user}")
                self.execute(f"DROP ROLE IF EXISTS {user}")

        else:
            hosts = ("127.0.0.1", "localhost")
            on = [f"`{database}`.*"] if tables is None else [f"`{database}`.`{t}`" for t in tables]
            for host in hosts:
                self.execute(
                    f"CREATE USER '{user}'@'{host}' IDENTIFIED BY '{literal}'",
                    *(f"GRANT SELECT ON {o} TO '{user}'@'{host}'" for o in on),
                )

            def drop() -> None:
                for host in hosts:
                    self.execute(f"DROP USER IF EXISTS '{user}'@'{host}'")

        self.cleanup.append(drop)
        return self.url(database, user, password)

    def close(self) -> None:
        errors = []
        for step in reversed(self.cleanup):
            try:
                step()
            except SQLAlchemyError as exc:  # keep cleaning up; report at the end
                errors.append(exc)
        self.admin.dispose()
        if errors:
            raise errors[0]


def _server(name: str) -> Iterator[Server]:
    admin = create_engine(ADMIN_URLS[name], isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", exc)).splitlines()[0]
        pytest.fail(
            f"{name} at {make_url(ADMIN_URLS[name]).render_as_string()} does not answer ({first}); "
            f"these tests need it running: `{START[name]}` (.ci/run does this)",
            pytrace=False,
        )
    server = Server(name, admin)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def postgresql() -> Iterator[Server]:
    yield from _server("postgresql")


@pytest.fixture(scope="session")
def mariadb() -> Iterator[Server]:
    yield from _server("mariadb")


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest) -> Server:
    return request.getfixturevalue(request.param)


@dataclass(frozen=True)
class Sample:
    """A product's sample database on one server, and the account that audits it."""

    server: Server
    product: str
    database: str
    admin_url: str
    reader_url: str  # SELECT-only, with a password
    summary: FillSummary

    @property
    def expected(self) -> set[str]:
        assert self.summary.active_ids is not None
        return set(self.summary.active_ids)


_SAMPLES: dict[tuple[str, str], Sample] = {}


@pytest.fixture(scope="session")
def sample_of(postgresql: Server, mariadb: Server) -> Callable[[str, str], Sample]:
    """Sample(product, server), filled once per session and shared by the tests that only read."""
    servers = {"postgresql": postgresql, "mariadb": mariadb}

    def get(product: str, server: str) -> Sample:
        key = (product, server)
        if key not in _SAMPLES:
            s = servers[server]
            database = s.create_database()
            admin_url = s.url(database)
            summary = fill(admin_url, product, SAMPLE_COUNT, SAMPLE_SEED, want_ids=True)
            _SAMPLES[key] = Sample(
                s, product, database, admin_url, s.create_reader(database), summary
            )
        return _SAMPLES[key]

    return get


@pytest.fixture(scope="session")
def cluster() -> Iterator[str]:
    """One local dask cluster for the session's audits (saves a cluster start per run)."""
    from distributed import LocalCluster

    # Its workers know the readers' password as a cluster's workers would (their environment):
    # tasks never carry it (audit/source/credentials.py).
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=40,
        env={PASSWORD_VARIABLE: READER_PASSWORD},
    ) as c:
        yield c.scheduler_address
