"""The database password stays off the cluster: tasks carry the URL without it, workers put it
back from their own environment (audit/source/credentials.py)."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from audit.errors import InputError
from audit.jobs.partition import PartitionTask
from audit.source.credentials import (
    PASSWORD_FILE_VARIABLE,
    PASSWORD_VARIABLE,
    WorkerURL,
    on_worker,
    split_password,
    worker_environment,
)
from audit.source.database import Partition
from audit.source.schema import load_mapping

SECRET = "s3cr%t-Pw"
URL = "postgresql+psycopg://reader:s3cr%25t-Pw@db.example:5432/ejbca"


@pytest.fixture(autouse=True)
def _no_password_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_VARIABLE, raising=False)
    monkeypatch.delenv(PASSWORD_FILE_VARIABLE, raising=False)


def test_the_url_sent_to_workers_has_no_password() -> None:
    carried, password = split_password(URL)
    assert password == SECRET
    assert carried.password_withheld
    assert make_url(carried.url).password is None
    assert "s3cr" not in carried.url and "s3cr" not in repr(carried)
    assert make_url(carried.url).host == "db.example"


def test_a_password_in_the_query_is_withheld_too() -> None:
    carried, password = split_password(
        "mysql+pymysql://reader@db/ca?password=hunter22&charset=utf8"
    )
    assert password == "hunter22"
    assert "hunter22" not in carried.url
    assert make_url(carried.url).query == {"charset": "utf8"}


def test_a_url_without_password_is_sent_as_it_is() -> None:
    carried, password = split_password("sqlite:////tmp/sample.sqlite")
    assert password is None and not carried.password_withheld
    assert on_worker(carried) == "sqlite:////tmp/sample.sqlite"
    assert worker_environment(password) == {}


def test_a_worker_puts_the_password_back_from_its_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    carried, password = split_password(URL)
    monkeypatch.setenv(PASSWORD_VARIABLE, password or "")
    assert make_url(on_worker(carried)).password == SECRET


def test_a_worker_reads_the_password_from_a_secret_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "password"
    secret.write_text(f"{SECRET}\n")
    monkeypatch.setenv(PASSWORD_FILE_VARIABLE, str(secret))
    monkeypatch.setenv(PASSWORD_VARIABLE, "not this one")  # the file wins
    carried, _ = split_password(URL)
    assert make_url(on_worker(carried)).password == SECRET


def test_a_worker_without_the_password_says_how_to_give_it() -> None:
    carried, _ = split_password(URL)
    with pytest.raises(InputError) as caught:
        on_worker(carried)
    message = str(caught.value)
    assert PASSWORD_FILE_VARIABLE in message and PASSWORD_VARIABLE in message
    assert "\n" not in message


def test_a_missing_secret_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(PASSWORD_FILE_VARIABLE, str(tmp_path / "absent"))
    with pytest.raises(InputError, match="absent"):
        on_worker(split_password(URL)[0])


def test_the_local_cluster_gets_the_password_through_its_spawn_environment() -> None:
    assert worker_environment(SECRET) == {PASSWORD_VARIABLE: SECRET}


def test_a_pickled_partition_task_holds_no_password() -> None:
    """What dask sends to the scheduler and keeps in its task state."""
    carried, _ = split_password(URL)
    task = PartitionTask(
        carried,
        load_mapping("ejbca"),
        datetime(2026, 1, 1, tzinfo=UTC),
        ("ca_subject_country_present",),
        Path("/tmp/run"),
        Partition(index=0, low=None, high=None),
    )
    data = pickle.dumps(task)
    assert SECRET.encode() not in data and b"s3cr%25t" not in data
    assert isinstance(pickle.loads(data).database, WorkerURL)


def test_a_worker_with_another_catalogue_refuses_the_task() -> None:
    """An existing cluster's worker running another certcensus: its findings would not be those
    of the catalogue run.json records."""
    from audit.jobs import partition

    names = ("ca_subject_country_present",)
    as_of = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(InputError, match="lint catalogue differs"):
        partition._engine(names, as_of, None, "0" * 64)
    with pytest.raises(InputError, match="lacks no_such_lint"):
        partition._engine(("no_such_lint",), as_of, None, "")
