"""Population lints: what only the whole database shows, end to end through the job."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from sqlalchemy import create_engine, insert

from audit.evidence.checks import check_run_dir
from audit.jobs.quarterly_audit import AuditRequest, run_audit
from audit.sample_db import schema
from audit.sample_db.certbuilder import DV_SPEC, build, name

AS_OF = datetime(2025, 7, 1, tzinfo=UTC)
RANDOM_SERIAL = 0x5A3F9C2E77D1B0486E2A9F13C4D5E6F7


def _row(i: int, serial: int, host: str) -> dict[str, object]:
    spec = DV_SPEC.but(subject=name((NameOID.COMMON_NAME, host)), dns_names=(host,), serial=serial)
    cert = build(spec, random.Random(i))
    nb, na = (
        cert.not_valid_before_utc.replace(tzinfo=None),
        cert.not_valid_after_utc.replace(tzinfo=None),
    )
    return {
        "id": i, "der": cert.public_bytes(serialization.Encoding.DER), "serial": format(serial, "x"),
        "issuer_dn": cert.issuer.rfc4514_string(), "subject_dn": cert.subject.rfc4514_string(),
        "not_before": nb, "not_after": na, "status": "issued", "revoked_at": None,
        "revocation_reason": None, "validation_type": "dv", "customer": host, "created_at": nb,
    }  # fmt: skip


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("population")
    engine = create_engine(f"sqlite:///{tmp / 'ca.sqlite'}")
    schema.metadata.create_all(engine)
    rows = [
        _row(1, RANDOM_SERIAL, "a.example.com"),
        _row(2, RANDOM_SERIAL, "b.example.com"),  # the same serial for another certificate
        _row(3, 0x1000, "c.example.com"),
        _row(4, 0x1001, "d.example.com"),  # sequential with the previous one
        _row(5, 0x7E3A5C1B9D2F4E6A8C0B1D3F5E7A9C2B, "e.example.com"),  # fine
    ]
    with engine.begin() as conn:
        conn.execute(insert(schema.certificates), rows)
    return run_audit(
        AuditRequest(db_url=f"sqlite:///{tmp / 'ca.sqlite'}", as_of=AS_OF, out_dir=tmp, workers=1)
    )


def _findings(run_dir: Path, lint: str) -> set[str]:
    table = (
        ds.dataset(run_dir / "findings", format="parquet")
        .to_table(columns=["cert_id", "lint"])
        .to_pylist()
    )
    return {f["cert_id"] for f in table if f["lint"] == lint}


def test_a_serial_used_twice_under_one_issuer_is_an_error(run) -> None:  # type: ignore[no-untyped-def]
    assert _findings(run.run_dir, "population_serial_unique_per_issuer") == {"1", "2"}


def test_serials_close_together_are_flagged(run) -> None:  # type: ignore[no-untyped-def]
    assert _findings(run.run_dir, "population_serials_not_sequential") == {"3", "4"}


def test_counts_still_reconcile_after_population_findings(run) -> None:  # type: ignore[no-untyped-def]
    checks = check_run_dir(run.run_dir, run.run)
    assert all(c.ok for c in checks), [c.line() for c in checks]
    certs = {
        c["cert_id"]: c for c in ds.dataset(run.run_dir / "certificates").to_table().to_pylist()
    }
    assert certs["1"]["n_error"] >= 1 and certs["3"]["n_warn"] >= 1
    assert run.run["counts"]["certificates_with"]["error"] >= 2
