"""Each preset against its product's real schema, filled as the product fills it, on both servers.

The audit runs under a SELECT-only account (with a password, which must not appear anywhere in
the run directory), and its certificates/ must be exactly the rows the product considers active
at the as-of time: revoked-after-T and taken-off-hold rows in, rows without certificate data in
(and reported), precertificates in where the layout keeps them (EJBCA's tagged rows, Boulder's
precertificates table: rows of their own), held rows out.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from audit.jobs.quarterly_audit import AuditRequest, run_audit
from audit.sample_db.products.population import ANCHOR, Kind
from tests.db.conftest import SERVERS, Sample

pytestmark = pytest.mark.db

PRODUCTS = ("ejbca", "boulder", "cfssl", "openxpki")


def _table(run_dir: Path, name: str) -> list[dict]:
    return ds.dataset(run_dir / name, format="parquet").to_table().to_pylist()


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("product", PRODUCTS)
def test_preset_audits_exactly_the_active_rows(
    product: str, server: str, sample_of: Callable[[str, str], Sample], cluster: str, tmp_path: Path
) -> None:
    sample = sample_of(product, server)
    outcome = run_audit(
        AuditRequest(
            db_url=sample.reader_url, schema=product, as_of=ANCHOR, out_dir=tmp_path,
            scheduler=cluster, partitions=3,
        )
    )  # fmt: skip
    certs = _table(outcome.run_dir, "certificates")
    ids = [c["cert_id"] for c in certs]
    counts = outcome.run["counts"]
    assert len(ids) == len(set(ids)), "a row was audited twice"
    assert set(ids) == sample.expected
    assert counts["active_in_database"] == counts["scanned"] == len(sample.expected)
    assert counts["reconciled"] is True

    # Rows without certificate data are audited and reported, not skipped.
    by_kind = sample.summary.by_kind
    missing = [
        f
        for f in _table(outcome.run_dir, "findings")
        if f["lint"] == "database_row_has_certificate"
    ]
    assert len(missing) == by_kind.get(Kind.NO_DATA.value, 0)
    assert {f["status"] for f in missing} <= {"fatal"}
    # Every stored certificate decoded, and the row's serial and dates agree with it
    # (EJBCA's, cfssl's and OpenXPKI's decimal serials, epoch-ms and epoch-s times).
    assert counts["not_decodable"] == by_kind.get(Kind.NO_DATA.value, 0)
    wrong = [
        f
        for f in _table(outcome.run_dir, "findings")
        if f["lint"]
        in ("database_serial_matches_certificate", "database_validity_matches_certificate")
    ]
    assert wrong == []

    # The password of the account never reaches the run directory.
    password = make_url(sample.reader_url).password
    assert password
    for path in outcome.run_dir.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".html", ".txt", ".log"):
            assert password not in path.read_text(errors="replace"), path
    assert outcome.run["database"]["url"].count("***") == 1


@pytest.mark.parametrize("server", SERVERS)
def test_reader_account_really_is_select_only(
    server: str, sample_of: Callable[[str, str], Sample]
) -> None:
    sample = sample_of("boulder", server)
    engine = create_engine(sample.reader_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM certificates").scalar_one() > 0
            with pytest.raises(SQLAlchemyError):
                conn.exec_driver_sql("DELETE FROM certificates")
            conn.rollback()
            with pytest.raises(SQLAlchemyError):
                conn.exec_driver_sql("CREATE TEMPORARY TABLE scratch (x INT)")
    finally:
        engine.dispose()


def test_a_layout_of_ones_own_as_toml(
    sample_of: Callable[[str, str], Sample], tmp_path: Path
) -> None:
    """Any other layout is a TOML file: joins, status lists and times spelled out by hand
    (here Boulder's, on MariaDB), read the same as the preset."""
    from audit.source.database import IssuanceDatabase
    from audit.source.schema import load_mapping

    mapping = tmp_path / "our-ca.toml"
    mapping.write_text(
        """
table = "certificates"
key = "id"
certificate = "der"
serial = "serial"
not_after = "expires"
issued = "issued"
status = "certificateStatus.status"
active_statuses = ["good"]
revoked_statuses = ["revoked"]
revoked_at = "certificateStatus.revokedDate"
revocation_reason = "certificateStatus.revokedReason"
joins = [{ table = "certificateStatus", on = [["serial", "serial"]] }]
precertificates = { table = "precertificates" }
"""
    )
    sample = sample_of("boulder", "mariadb")
    db = IssuanceDatabase(sample.reader_url, load_mapping(str(mapping)))
    db.check()
    assert db.mapping.name == "our-ca"
    ids = [r.facts.cert_id for p in db.plan(ANCHOR, 3) for rows in db.rows(p, ANCHOR) for r in rows]
    assert len(ids) == len(set(ids)) and set(ids) == sample.expected
