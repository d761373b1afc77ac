"""The test databases' own set-up (conftest.Server): a session the server ends under load is
opened again, and a server that does not answer still fails, within seconds."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from tests.db.conftest import ADMIN_URLS, Server

pytestmark = pytest.mark.db

# How each server ends another session (what an administrator or a restart does to it).
END_SESSION = {
    "postgresql": ("SELECT pg_backend_pid()", "SELECT pg_terminate_backend({})"),
    "mariadb": ("SELECT CONNECTION_ID()", "KILL {}"),
}


def _end_pooled_admin_session(server: Server) -> None:
    """End, from another session, the admin session that `server` keeps in its pool."""
    ask_id, end = END_SESSION[server.name]
    with server.admin.connect() as conn:
        session = conn.exec_driver_sql(ask_id).scalar()
    other = create_engine(ADMIN_URLS[server.name], isolation_level="AUTOCOMMIT")
    try:
        with other.connect() as conn:
            conn.exec_driver_sql(end.format(int(session)))
    finally:
        other.dispose()


def test_a_database_and_an_account_are_made_after_the_admin_session_was_ended(
    server: Server,
) -> None:
    _end_pooled_admin_session(server)
    database = server.create_database()
    _end_pooled_admin_session(server)
    reader = create_engine(server.create_reader(database))
    try:
        with reader.connect() as conn:
            assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        reader.dispose()


@pytest.mark.parametrize("name", ["postgresql", "mariadb"])
def test_a_server_that_does_not_answer_still_fails_within_seconds(name: str) -> None:
    url = ADMIN_URLS[name].replace(":5432/", ":1/").replace(":3306/", ":1/")
    nobody = Server(name, create_engine(url, isolation_level="AUTOCOMMIT"))
    started = time.perf_counter()
    with pytest.raises(OperationalError):
        nobody.create_database()
    assert time.perf_counter() - started < 10
    nobody.admin.dispose()
