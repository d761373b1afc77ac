"""Bad database input from the command line: one line, exit 2, within seconds, no password."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.db.conftest import Sample, Server

pytestmark = pytest.mark.db

SECRET = "s3cr3t-Pa55"


def certcensus(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "audit", *args], capture_output=True, text=True, timeout=120
    )
    return out, time.perf_counter() - started


def _assert_one_line_exit_2(
    out: subprocess.CompletedProcess[str], needle: str, password: str | None = SECRET
) -> None:
    assert out.returncode == 2, out.stderr
    assert needle in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "Traceback" not in out.stderr
    assert password and password not in out.stdout + out.stderr


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        (f"postgresql+psycopg://auditor:{SECRET}@127.0.0.1:1/ca", "cannot connect"),
        (f"mysql+pymysql://auditor:{SECRET}@127.0.0.1:1/ca", "cannot connect"),
        # The driver this project installs is picked for a bare postgresql:// or mysql:// URL.
        (f"postgresql://nosuchrole:{SECRET}@127.0.0.1:5432/test", "nosuchrole"),
        (f"mysql://root:{SECRET}@127.0.0.1:3306/test", "Access denied"),
    ],
)
def test_unreachable_server_and_wrong_credentials(
    url: str, needle: str, postgresql: Server, mariadb: Server, tmp_path: Path
) -> None:
    out, seconds = certcensus("run", "--db", url, "--schema", "ejbca", "--out", str(tmp_path))
    _assert_one_line_exit_2(out, needle)
    # Not a speed target: it stops instead of waiting on the server (a hang would run into the
    # subprocess timeout); the bound leaves room for start-up on a loaded 2-core machine.
    assert seconds < 120
    assert not list(tmp_path.iterdir()), "no run directory for a run that could not start"


def test_missing_table_and_missing_column(server: Server, tmp_path: Path) -> None:
    database = server.create_database()
    url = server.create_reader(database)  # a password in the URL, never printed
    out, _ = certcensus("run", "--db", url, "--schema", "boulder", "--out", str(tmp_path))
    _assert_one_line_exit_2(out, "no table 'certificates'", make_url(url).password)
    server.execute("CREATE TABLE certificates (id BIGINT PRIMARY KEY, der BLOB)".replace(
        "BLOB", "BYTEA" if server.name == "postgresql" else "BLOB"
    ), database=database)  # fmt: skip
    server.execute(
        "CREATE TABLE certificateStatus (id BIGINT PRIMARY KEY, serial VARCHAR(255))",
        database=database,
    )
    url = server.create_reader(database)  # granted SELECT on the tables that now exist
    out, _ = certcensus("run", "--db", url, "--schema", "boulder", "--out", str(tmp_path))
    _assert_one_line_exit_2(
        out, "no column 'serial' in table 'certificates'", make_url(url).password
    )


def test_unknown_preset_and_unreadable_mapping(tmp_path: Path) -> None:
    out, _ = certcensus(
        "run", "--db", f"postgresql://x:{SECRET}@127.0.0.1:1/x", "--schema", "keyfactor"
    )
    _assert_one_line_exit_2(out, "unknown preset 'keyfactor'")
    bad = tmp_path / "mine.toml"
    bad.write_text('table = "certs"\nkey = "id"\ncertificate = "der"\ncolour = "blue"\n')
    out, _ = certcensus("run", "--schema", str(bad))
    _assert_one_line_exit_2(out, "unknown keys ['colour']")


def test_sample_db_command_fills_a_product_layout(
    mariadb: Server, sample_of: Callable[[str, str], Sample]
) -> None:
    database = mariadb.create_database()
    url = mariadb.url(database)
    out, _ = certcensus("sample-db", "--url", url, "--schema", "cfssl", "--count", "120")
    assert out.returncode == 0, out.stderr
    assert "cfssl: 120 certificates" in out.stdout
    out, _ = certcensus("sample-db", "--url", url, "--schema", "cfssl", "--count", "10")
    _assert_one_line_exit_2(out, "already has a certificates table")
    out, _ = certcensus("sample-db", "--url", url, "--schema", "nosuch")
    _assert_one_line_exit_2(out, "no sample layout for 'nosuch'")


@pytest.mark.parametrize("server", ["postgresql", "mariadb"])
def test_a_missing_grant_names_the_grant(
    server: str, sample_of: Callable[[str, str], Sample], tmp_path: Path
) -> None:
    """Boulder's reader with SELECT on certificates but not on certificateStatus, then with no
    grant at all: the error names the GRANT it needs, not a missing table."""
    sample = sample_of("boulder", server)
    for tables, needle in [
        (("certificates",), "certificatestatus"),
        ((), "GRANT SELECT ON"),
    ]:
        url = sample.server.create_reader(sample.database, tables=tables)
        out, _ = certcensus("run", "--db", url, "--schema", "boulder", "--out", str(tmp_path))
        _assert_one_line_exit_2(out, "GRANT SELECT ON", make_url(url).password)
        assert needle in out.stderr.lower() or needle in out.stderr
        assert "no table" not in out.stderr
        assert f"TO {_account(server, make_url(url).username)}" in out.stderr
    assert not list(tmp_path.iterdir())


def _account(server: str, user: str | None) -> str:
    return user if server == "postgresql" else f"'{user}'@'"


def test_an_account_without_connect_on_postgresql_is_told_the_grant(
    postgresql: Server, tmp_path: Path
) -> None:
    database = postgresql.create_database()
    url = postgresql.create_reader(database, tables=())
    user = make_url(url).username
    postgresql.execute(f"REVOKE CONNECT ON DATABASE {database} FROM PUBLIC, {user}")
    out, _ = certcensus("run", "--db", url, "--schema", "boulder", "--out", str(tmp_path))
    _assert_one_line_exit_2(
        out, f"GRANT CONNECT ON DATABASE {database} TO {user}", make_url(url).password
    )
