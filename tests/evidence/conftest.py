"""Runs and packages for the evidence tests, built for real by the audit job on the session's
sample database (see tests/conftest.py for `sample_db`, `incident_run` and `recent_run`)."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from audit.compare.first_seen import write_first_seen
from audit.evidence.package import PackageInfo, build_package
from audit.jobs.quarterly_audit import AuditOutcome, AuditRequest, run_audit
from tests.conftest import RECENT_DAY

# A month before the recent run: most certificates are active in both runs (so findings
# persist), some expire or are issued in between (so findings are resolved and new), and the
# sample's defects placed among the certificates still valid at the snapshot are in both.
EARLIER_DAY = RECENT_DAY - timedelta(days=31)


def audit(db: str, out: Path, as_of: datetime, selector: str | None = None) -> AuditOutcome:
    # One worker: a few hundred certificates lint in well under a second, and a second worker
    # process only adds its start-up (tests/conftest.py's runs exercise two).
    return run_audit(
        AuditRequest(db_url=db, as_of=as_of, out_dir=out, workers=1, selector=selector)
    )


@pytest.fixture(scope="session")
def earlier_run(sample_db: str, tmp_path_factory: pytest.TempPathFactory) -> AuditOutcome:
    return audit(sample_db, tmp_path_factory.mktemp("runs"), EARLIER_DAY)


@pytest.fixture(scope="session")
def baseline_run(
    earlier_run: AuditOutcome, tmp_path_factory: pytest.TempPathFactory
) -> AuditOutcome:
    """The earlier run as last quarter's run would be: finished an hour after its as-of time
    (the session builds its runs in whatever order the tests ask for them). Its ledger, which
    the job wrote with the real finish time, is rewritten to match."""
    run_dir = Path(
        shutil.copytree(earlier_run.run_dir, tmp_path_factory.mktemp("baseline") / "run")
    )
    run = json.loads((run_dir / "run.json").read_text())
    run["finished_at"] = (EARLIER_DAY + timedelta(hours=1)).isoformat()
    (run_dir / "run.json").write_text(json.dumps(run, indent=2))
    write_first_seen(run_dir, None)
    return dataclasses.replace(earlier_run, run_dir=run_dir, run=run)


@pytest.fixture(scope="session")
def subset_run(
    sample_db: str, recent_run: AuditOutcome, tmp_path_factory: pytest.TempPathFactory
) -> AuditOutcome:
    """The recent run's population again, rescanned with the lints that gave it findings but one
    (the first by name): a rescan's selection that leaves out a lint with findings."""
    found = ds.dataset(recent_run.run_dir / "findings", format="parquet").to_table(columns=["lint"])
    names = sorted(pc.unique(found["lint"]).to_pylist())
    assert len(names) >= 2, "the sample run should have findings from two lints at least"
    as_of = datetime.fromisoformat(recent_run.run["as_of"])
    return audit(sample_db, tmp_path_factory.mktemp("runs"), as_of, selector=",".join(names[1:]))


def write_key(path: Path, key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> Path:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.with_suffix(".pub").write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("keys")
    write_key(folder / "ed25519.pem", ed25519.Ed25519PrivateKey.generate())
    write_key(folder / "other.pem", ed25519.Ed25519PrivateKey.generate())
    write_key(folder / "p384.pem", ec.generate_private_key(ec.SECP384R1()))
    return folder


@pytest.fixture(scope="session")
def signed_package(
    recent_run: AuditOutcome, keys_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> PackageInfo:
    out = tmp_path_factory.mktemp("packages") / "evidence.tar"
    return build_package(recent_run.run_dir, out, sign_key=keys_dir / "ed25519.pem")


def certificate_der(db_url: str, cert_id: str) -> bytes:
    """The certificate as the issuance database stores it."""
    path = db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        (der,) = db.execute("SELECT der FROM certificates WHERE id = ?", (int(cert_id),)).fetchone()
    return bytes(der)


def audited_cert_ids(run_dir: Path, limit: int = 3) -> list[str]:
    """Database keys of certificates the run audited and could decode."""
    table = ds.dataset(run_dir / "certificates", format="parquet").to_table(
        columns=["cert_id", "decoded", "sha256"]
    )
    table = table.filter(pc.equal(table["decoded"], True))
    return table["cert_id"].to_pylist()[:limit]


def without_one_certificate(run_dir: Path, dest: Path) -> tuple[Path, str]:
    """A copy of the run with one decoded certificate taken out, its findings with it, and
    run.json's counts and population digest recomputed: a run that reconciles, as someone who
    wanted a certificate out of the audited population would rebuild it."""
    import pyarrow.parquet as pq

    from audit.evidence.checks import STATUSES
    from audit.outputs.digest import population_digest

    copy = Path(shutil.copytree(run_dir, dest))
    (dropped,) = audited_cert_ids(copy, limit=1)
    for dataset in ("certificates", "findings"):
        table = ds.dataset(copy / dataset, format="parquet").to_table()
        for part in (copy / dataset).iterdir():
            part.unlink()
        kept = table.filter(pc.not_equal(table["cert_id"], dropped))
        pq.write_table(kept, copy / dataset / "part-00000.parquet")
    certs = ds.dataset(copy / "certificates", format="parquet").to_table()
    findings = ds.dataset(copy / "findings", format="parquet").to_table(columns=["status"])
    run = json.loads((copy / "run.json").read_text())
    counts = run["counts"]
    counts["scanned"] = counts["active_in_database"] = certs.num_rows
    counts["not_decodable"] = certs.num_rows - pc.sum(pc.fill_null(certs["decoded"], True)).as_py()
    statuses = findings["status"].to_pylist()
    counts["findings"] = {s: statuses.count(s) for s in STATUSES}
    counts["certificates_with"] = {
        s: pc.sum(pc.greater(certs[f"n_{s}"], 0).cast("int64")).as_py() or 0 for s in STATUSES
    }
    run["population_digest"] = population_digest(copy / "certificates")
    (copy / "run.json").write_text(json.dumps(run, indent=2))
    return copy, dropped
