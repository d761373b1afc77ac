"""The database row's revocation against its certificate: reasons the profile forbids, and a
revocation before issuance (audit/lints/database/consistency.py).

Each lint is held to a failing and a passing case (and `ne` where the rule dates by the
revocation), the certificate built here and the row's facts given as the job reads them; then
the rows go through a real database in each product's layout (SQLite for the generic and EJBCA
layouts, MariaDB for OpenXPKI's reason names), where the reason is read from the mapped column.
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from sqlalchemy import create_engine, insert

from audit.engine.certview import RowFacts
from audit.engine.registry import Catalogue
from audit.engine.runner import Engine
from audit.jobs.quarterly_audit import AuditRequest, run_audit
from audit.sample_db import schema
from audit.sample_db.certbuilder import DV_SPEC, SUBORDINATE_CA_SPEC, CertSpec, build, name
from audit.sample_db.products import ejbca, openxpki
from audit.source.database import crl_reason
from tests.db.conftest import Server, mariadb  # noqa: F401 - the MariaDB fixture, used below

ISSUED = datetime(2025, 6, 1, tzinfo=UTC)  # DV_SPEC's notBefore
AS_OF = datetime(2025, 7, 1, tzinfo=UTC)
LATER = datetime(2025, 7, 5, tzinfo=UTC)  # revoked after the as-of time: still audited

DEFINED = "database_revocation_reason_defined"
HOLD = "database_revocation_reason_not_certificate_hold"
SMIME_HOLD = "database_smime_strict_revocation_not_certificate_hold"
SUBSCRIBER = "database_subscriber_revocation_reason_permitted"
CA = "database_ca_revocation_reason_specified"
BEFORE = "database_not_revoked_before_issued"
MARKED = "database_precertificate_row_holds_precertificate"
ROW_LINTS = (DEFINED, HOLD, SMIME_HOLD, SUBSCRIBER, CA, BEFORE, MARKED)

SMIME_STRICT_SPEC = CertSpec(
    subject=name((NameOID.EMAIL_ADDRESS, "alice@example.com")),
    dns_names=None,
    eku=(ExtendedKeyUsageOID.EMAIL_PROTECTION,),
    policies=("2.23.140.1.5.1.3",),  # mailbox-validated, Strict generation
    key_usage=("digital_signature",),
    extra_extensions=(
        (x509.SubjectAlternativeName([x509.RFC822Name("alice@example.com")]), False),
    ),
)
SMIME_LEGACY_SPEC = SMIME_STRICT_SPEC.but(policies=("2.23.140.1.5.1.1",))


def _der(spec: CertSpec) -> bytes:
    return build(spec, random.Random(7)).public_bytes(serialization.Encoding.DER)


@cache
def _engine() -> Engine:
    return Engine(Catalogue.load(), as_of=AS_OF)


def _revoked(reason: int | None, at: datetime = LATER, issued: datetime | None = None) -> RowFacts:
    return RowFacts("row", status="revoked", revoked_at=at, revocation_reason=reason, issued=issued)


@dataclass(frozen=True)
class RowCase:
    lint: str
    spec: CertSpec
    row: RowFacts
    expected: str
    why: str

    @property
    def id(self) -> str:
        return f"{self.lint}-{self.expected}-{self.why}".replace(" ", "_")


CASES = [
    RowCase(DEFINED, DV_SPEC, _revoked(4), "pass", "superseded"),
    RowCase(DEFINED, DV_SPEC, _revoked(8), "error", "removeFromCRL revokes nothing"),
    RowCase(DEFINED, DV_SPEC, _revoked(7), "error", "7 is unused"),
    RowCase(DEFINED, DV_SPEC, _revoked(None), "na", "no reason recorded"),
    RowCase(DEFINED, DV_SPEC, RowFacts("row", status="issued"), "na", "not revoked"),
    RowCase(HOLD, DV_SPEC, _revoked(6), "error", "subscriber on hold"),
    RowCase(HOLD, SUBORDINATE_CA_SPEC, _revoked(6), "error", "CA on hold"),
    RowCase(HOLD, DV_SPEC, _revoked(1), "pass", "keyCompromise"),
    RowCase(HOLD, SMIME_LEGACY_SPEC, _revoked(6), "na", "S/MIME is not under the TLS BRs"),
    RowCase(SMIME_HOLD, SMIME_STRICT_SPEC, _revoked(6), "error", "strict on hold"),
    RowCase(SMIME_HOLD, SMIME_STRICT_SPEC, _revoked(5), "pass", "strict cessation"),
    RowCase(SMIME_HOLD, SMIME_LEGACY_SPEC, _revoked(6), "na", "legacy may be held"),
    RowCase(
        SMIME_HOLD,
        SMIME_STRICT_SPEC,
        _revoked(6, datetime(2023, 8, 1, tzinfo=UTC)),
        "ne",
        "held before the S/MIME BR",
    ),  # fmt: skip
    RowCase(SUBSCRIBER, DV_SPEC, _revoked(2), "error", "cACompromise"),
    RowCase(SUBSCRIBER, DV_SPEC, _revoked(10), "error", "aACompromise"),
    RowCase(SUBSCRIBER, DV_SPEC.but(precertificate=True), _revoked(2), "error", "precertificate"),
    RowCase(SUBSCRIBER, DV_SPEC, _revoked(9), "pass", "privilegeWithdrawn"),
    RowCase(SUBSCRIBER, DV_SPEC, _revoked(0), "pass", "unspecified"),
    RowCase(SUBSCRIBER, DV_SPEC, _revoked(6), "pass", "hold is the other lint's"),
    RowCase(
        SUBSCRIBER,
        DV_SPEC.but(not_before=datetime(2023, 6, 1, tzinfo=UTC)),
        _revoked(2, datetime(2023, 7, 1, tzinfo=UTC)),
        "ne",
        "revoked before 2023-07-15",
    ),  # fmt: skip
    RowCase(
        SUBSCRIBER,
        DV_SPEC.but(not_before=datetime(2023, 6, 1, tzinfo=UTC)),
        _revoked(2, datetime(2023, 8, 1, tzinfo=UTC)),
        "error",
        "issued before, revoked after",
    ),  # fmt: skip
    RowCase(CA, SUBORDINATE_CA_SPEC, _revoked(None), "error", "no reason"),
    RowCase(CA, SUBORDINATE_CA_SPEC, _revoked(0), "error", "unspecified"),
    RowCase(CA, SUBORDINATE_CA_SPEC, _revoked(2), "pass", "cACompromise"),
    RowCase(
        CA,
        SUBORDINATE_CA_SPEC.but(not_before=datetime(2019, 1, 1, tzinfo=UTC)),
        _revoked(None, datetime(2020, 1, 1, tzinfo=UTC)),
        "ne",
        "revoked before 2020-09-30",
    ),  # fmt: skip
    RowCase(CA, DV_SPEC, _revoked(None), "na", "not a CA"),
    RowCase(BEFORE, DV_SPEC, _revoked(4, ISSUED - timedelta(days=3)), "error", "before notBefore"),
    RowCase(
        BEFORE,
        DV_SPEC,
        _revoked(1, ISSUED - timedelta(days=3)),
        "notice",
        "backdated to a key compromise",
    ),  # fmt: skip
    RowCase(BEFORE, DV_SPEC, _revoked(4, ISSUED + timedelta(days=3)), "pass", "after notBefore"),
    RowCase(
        BEFORE,
        DV_SPEC,
        _revoked(4, ISSUED + timedelta(hours=1), issued=ISSUED + timedelta(hours=2)),
        "error",
        "before the row's issue time",
    ),  # fmt: skip
    RowCase(BEFORE, DV_SPEC, RowFacts("row", status="issued"), "na", "not revoked"),
    RowCase(MARKED, DV_SPEC, RowFacts("row", precertificate=True), "error", "a final certificate"),
    RowCase(
        MARKED,
        DV_SPEC.but(precertificate=True),
        RowFacts("row", precertificate=True),
        "pass",
        "a precertificate",
    ),  # fmt: skip
    RowCase(MARKED, DV_SPEC.but(precertificate=True), RowFacts("row"), "na", "not marked"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_row_case(case: RowCase) -> None:
    report = _engine().lint_der(_der(case.spec), case.row)
    result = report.status_of(case.lint)
    got = (result.status.label, result.message) if result else ("na", "")
    assert got[0] == case.expected, f"{case.lint}: got {got}, expected {case.expected}"


def test_every_row_lint_has_a_failing_and_a_passing_case() -> None:
    for lint in ROW_LINTS:
        statuses = {c.expected for c in CASES if c.lint == lint}
        assert "pass" in statuses and statuses & {"error", "notice"}, lint


def test_messages_name_the_reason_and_the_times() -> None:
    report = _engine().lint_der(_der(DV_SPEC), _revoked(2))
    assert report.status_of(SUBSCRIBER).message == (  # type: ignore[union-attr]
        "revoked with cACompromise (2), which no Subscriber certificate may carry"
    )
    early = ISSUED - timedelta(days=3)
    report = _engine().lint_der(_der(DV_SPEC), _revoked(4, early))
    assert report.status_of(BEFORE).message == (  # type: ignore[union-attr]
        "revoked at 2025-05-29T00:00:00+00:00, before it was notBefore 2025-06-01T00:00:00+00:00"
    )


def test_stored_reasons_read_as_codes() -> None:
    """Products store reasons as numbers (EJBCA -1 when not revoked) or names (OpenXPKI)."""
    assert [crl_reason(v) for v in (4, "6", -1, None, "keyCompromise", "CACompromise")] == [
        4, 6, None, None, 1, 2,
    ]  # fmt: skip
    assert crl_reason("holdInstructionReject") is None


# -- through a database ------------------------------------------------------------------------


def _findings(run_dir: Path) -> set[tuple[str, str, str]]:
    table = ds.dataset(run_dir / "findings", format="parquet").to_table()
    return {
        (f["cert_id"], f["lint"], f["status"]) for f in table.to_pylist() if f["lint"] in ROW_LINTS
    }


def _cert(i: int, spec: CertSpec) -> x509.Certificate:
    host = f"row{i}.example.com"
    return build(
        spec.but(subject=name((NameOID.COMMON_NAME, host)), dns_names=(host,)), random.Random(i)
    )


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def test_generic_layout_reads_the_reason_and_reports_it(tmp_path: Path) -> None:
    """The sample layout's revocation_reason column; one row records notBefore as the system
    meant it while the certificate it stores is dated a month later, and is revoked between."""
    future = DV_SPEC.but(not_before=datetime(2025, 8, 1, tzinfo=UTC))
    cases = [  # (certificate spec, revoked_at, reason)
        (DV_SPEC, LATER, 6),  # held
        (DV_SPEC, LATER, 2),  # cACompromise
        (DV_SPEC, LATER, 4),  # fine
        (future, LATER, 4),  # revoked before its notBefore
        (DV_SPEC, None, None),  # not revoked
    ]
    rows = []
    for i, (spec, revoked_at, reason) in enumerate(cases, 1):
        cert = _cert(i, spec)
        rows.append(
            {
                "id": i, "der": cert.public_bytes(serialization.Encoding.DER),
                "serial": format(cert.serial_number, "x"), "issuer_dn": cert.issuer.rfc4514_string(),
                "subject_dn": cert.subject.rfc4514_string(), "not_before": _naive(ISSUED),
                "not_after": _naive(cert.not_valid_after_utc),
                "status": "revoked" if revoked_at else "issued",
                "revoked_at": revoked_at and _naive(revoked_at), "revocation_reason": reason,
                "validation_type": "dv", "customer": "c", "created_at": _naive(ISSUED),
            }
        )  # fmt: skip
    engine = create_engine(f"sqlite:///{tmp_path / 'ca.sqlite'}")
    # Without the layout's precertificates table, which is optional: none are kept then.
    schema.metadata.create_all(engine, tables=[schema.issuing_cas, schema.certificates])
    with engine.begin() as conn:
        conn.execute(insert(schema.certificates), rows)
    outcome = run_audit(
        AuditRequest(db_url=f"sqlite:///{tmp_path / 'ca.sqlite'}", as_of=AS_OF, out_dir=tmp_path,
                     workers=1)
    )  # fmt: skip
    assert _findings(outcome.run_dir) == {
        ("1", HOLD, "error"),
        ("2", SUBSCRIBER, "error"),
        ("4", BEFORE, "error"),
    }
    certificates = ds.dataset(outcome.run_dir / "certificates", format="parquet").to_table()
    reasons = dict(zip(certificates["cert_id"].to_pylist(), certificates["revocation_reason"].to_pylist(), strict=True))  # fmt: skip
    assert reasons == {"1": 6, "2": 2, "3": 4, "4": 4, "5": None}


def _ejbca_row(
    cert: x509.Certificate, status: int, revoked_at: datetime | None, reason: int
) -> tuple:
    data = cert.public_bytes(serialization.Encoding.DER)
    ms = lambda t: int(t.timestamp() * 1000)  # noqa: E731
    values = {
        "fingerprint": hashlib.sha1(data).hexdigest(), "base64Cert": base64.b64encode(data).decode(),
        "certificateProfileId": 1, "expireDate": ms(cert.not_valid_after_utc),
        "issuerDN": cert.issuer.rfc4514_string(), "notBefore": ms(cert.not_valid_before_utc),
        "revocationDate": ms(revoked_at) if revoked_at else -1, "revocationReason": reason,
        "rowVersion": 0, "serialNumber": str(cert.serial_number), "status": status,
        "subjectDN": cert.subject.rfc4514_string(), "type": 1, "updateTime": ms(ISSUED),
    }  # fmt: skip
    return tuple(values.get(c) for c in ejbca.COLUMNS["CertificateData"])


def test_ejbca_layout_reads_revocation_reason(tmp_path: Path) -> None:
    """EJBCA's revocationReason: -1 when not revoked, 8 (removeFromCRL) on a row taken off hold
    (active again: not a revocation), 6 on a held row revoked after the as-of time."""
    import sqlite3

    path = tmp_path / "ejbca.sqlite"
    con = sqlite3.connect(path)
    for ddl in ejbca.tables("postgresql"):
        con.execute(ddl)
    rows = [
        _ejbca_row(_cert(1, DV_SPEC), 40, LATER, 6),  # on hold from after the as-of time
        _ejbca_row(_cert(2, DV_SPEC), 20, None, 8),  # taken off hold
        _ejbca_row(_cert(3, DV_SPEC), 20, None, -1),  # never revoked
        _ejbca_row(_cert(4, DV_SPEC), 40, LATER, 10),  # aACompromise
    ]
    columns = ejbca.COLUMNS["CertificateData"]
    con.executemany(
        f"INSERT INTO CertificateData ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        rows,
    )
    con.commit()
    con.close()
    outcome = run_audit(
        AuditRequest(db_url=f"sqlite:///{path}", schema="ejbca", as_of=AS_OF, out_dir=tmp_path,
                     workers=1)
    )  # fmt: skip
    ids = [r[0] for r in rows]
    assert _findings(outcome.run_dir) == {(ids[0], HOLD, "error"), (ids[3], SUBSCRIBER, "error")}
    certificates = ds.dataset(outcome.run_dir / "certificates", format="parquet").to_table()
    reasons = dict(zip(certificates["cert_id"].to_pylist(), certificates["revocation_reason"].to_pylist(), strict=True))  # fmt: skip
    assert reasons == {ids[0]: 6, ids[1]: None, ids[2]: None, ids[3]: 10}


@pytest.mark.db
def test_openxpki_reason_names_on_mariadb(
    mariadb: Server,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    """OpenXPKI keeps reason_code as the CRLReason's name, status HOLD for a held certificate."""
    database = mariadb.create_database()
    url = mariadb.url(database)
    for ddl in openxpki.tables("mysql"):
        mariadb.execute(ddl, database=database)
    columns = openxpki.COLUMNS["certificate"]
    cases = [
        ("ISSUED", None, None),
        ("HOLD", "certificateHold", LATER),  # held after the as-of time
        ("REVOKED", "cACompromise", LATER),
        ("CRL_ISSUANCE_PENDING", "keyCompromise", LATER),
    ]
    engine = create_engine(url)
    ids = []
    with engine.begin() as conn:
        for i, (status, reason, revoked_at) in enumerate(cases, 1):
            cert = _cert(i, DV_SPEC)
            data = cert.public_bytes(serialization.Encoding.DER)
            ids.append(openxpki.identifier(data))
            values = {
                "pki_realm": "democa", "issuer_dn": cert.issuer.rfc4514_string(),
                "cert_key": cert.serial_number, "issuer_identifier": "issuer",
                "identifier": ids[-1], "subject": cert.subject.rfc4514_string(), "status": status,
                "notbefore": int(ISSUED.timestamp()),
                "notafter": int(cert.not_valid_after_utc.timestamp()),
                "revocation_time": int(revoked_at.timestamp()) if revoked_at else None,
                "reason_code": reason, "data": cert.public_bytes(serialization.Encoding.PEM).decode(),
            }  # fmt: skip
            conn.exec_driver_sql(
                f"INSERT INTO certificate ({', '.join(columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})",
                tuple(values.get(c) for c in columns),
            )
    engine.dispose()
    outcome = run_audit(
        AuditRequest(db_url=url, schema="openxpki", as_of=AS_OF, out_dir=tmp_path, workers=1)
    )
    assert _findings(outcome.run_dir) == {(ids[1], HOLD, "error"), (ids[2], SUBSCRIBER, "error")}
    certificates = ds.dataset(outcome.run_dir / "certificates", format="parquet").to_table()
    reasons = dict(zip(certificates["cert_id"].to_pylist(), certificates["revocation_reason"].to_pylist(), strict=True))  # fmt: skip
    assert reasons == {ids[0]: None, ids[1]: 6, ids[2]: 2, ids[3]: 1}
