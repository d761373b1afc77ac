"""Shared fixtures: a small sample issuance database and audit runs over it (built once)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from audit.jobs.quarterly_audit import AuditOutcome, AuditRequest, run_audit
from audit.sample_db.generate import build_sample_db

SAMPLE_COUNT = 1500
SAMPLE_SEED = 11
INCIDENT_DAY = datetime(2019, 3, 6, tzinfo=UTC)
RECENT_DAY = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("db") / "sample.sqlite"
    build_sample_db(f"sqlite:///{path}", count=SAMPLE_COUNT, seed=SAMPLE_SEED)
    return f"sqlite:///{path}"


def _audit(db: str, out: Path, as_of: datetime, **kw: object) -> AuditOutcome:
    return run_audit(AuditRequest(db_url=db, as_of=as_of, out_dir=out, workers=2, **kw))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def incident_run(sample_db: str, tmp_path_factory: pytest.TempPathFactory) -> AuditOutcome:
    return _audit(sample_db, tmp_path_factory.mktemp("runs"), INCIDENT_DAY)


@pytest.fixture(scope="session")
def recent_run(sample_db: str, tmp_path_factory: pytest.TempPathFactory) -> AuditOutcome:
    return _audit(sample_db, tmp_path_factory.mktemp("runs"), RECENT_DAY)
