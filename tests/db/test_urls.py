"""Database URLs as users write them: what is shown of one never holds its password (no server
needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.errors import InputError
from audit.source.urls import mask_url, parse_url, url_from_file


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://ca:s3cret-pw@db/ejbca", "postgresql+psycopg://ca:***@db/ejbca"),
        # libpq and PyMySQL also take the password as a query parameter
        (
            "postgresql+psycopg://ca@db/ejbca?sslmode=require&password=s3cret-pw",
            "postgresql+psycopg://ca@db/ejbca?password=***&sslmode=require",
        ),
        # an unencoded '@': SQLAlchemy would take 'before' for the password, the rest for the host
        ("mysql+pymysql://ca:before@s3cret-pw@db:3306/ca", "mysql+pymysql://ca:***@db:3306/ca"),
        ("postgresql://ca:before@s3cret-pw:1@db:5432/ca", "postgresql://ca:***@db:5432/ca"),
    ],
)
def test_the_masked_url_never_holds_the_password(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_an_encoded_password_and_an_at_in_a_sqlite_path_are_accepted() -> None:
    assert parse_url("postgresql://ca:p%40ss%3Aw%2Frd%25@db/ca").password == "p@ss:w/rd%"
    assert parse_url("sqlite:////srv/ca@corp/ca.sqlite").database == "/srv/ca@corp/ca.sqlite"
    with pytest.raises(InputError, match=r"^CERTCENSUS_DB: the URL's password holds an unencoded"):
        parse_url("postgresql://ca:p@ss@db/ca", "CERTCENSUS_DB")


def test_the_url_file_gives_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "db-url"
    path.write_text("  postgresql://ca:pw@db/ca  \n# a note\n")
    assert url_from_file(path) == "postgresql://ca:pw@db/ca"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(InputError, match="not UTF-8"):
        url_from_file(path)
