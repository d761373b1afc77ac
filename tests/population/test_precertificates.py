"""Precertificates in the audited population: read where each layout keeps them, paired with their
final certificates, and reported when they differ beyond RFC 6962's allowances or have none.

Each test builds its own small database holding a precertificate whose certificate matches it,
one whose certificate differs beyond the poison and SCT list extensions, and one with no
certificate: in the sample layout (with a Precertificate Signing CA), EJBCA's (precertificate
rows tagged 'P') and Boulder's (a `precertificates` table) on SQLite, and Boulder's on
PostgreSQL. The findings are checked exactly, and the counts against the Parquet.
"""

from __future__ import annotations

import base64
import hashlib
import random
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from sqlalchemy import create_engine, insert

from audit.engine.ct_tbs import ct_tbs_digests
from audit.jobs.progress import Plan, read_plan, write_plan
from audit.jobs.quarterly_audit import AuditOutcome, AuditRequest, run_audit
from audit.sample_db import schema
from audit.sample_db.certbuilder import (
    DV_SPEC,
    CertSpec,
    Issuer,
    build,
    ec_key,
    name,
)
from audit.sample_db.products import boulder, ejbca
from audit.source.database import Partition
from audit.source.schema import EJBCA, load_mapping
from tests.db.conftest import Server, postgresql  # noqa: F401 - the PostgreSQL fixture, used below

AS_OF = datetime(2025, 7, 1, tzinfo=UTC)
MATCHES = "population_precertificate_matches_certificate"
HAS_CERTIFICATE = "population_precertificate_has_certificate"
PRECERTIFICATE_SIGNING = x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.4")  # RFC 6962 3.1


def _spec(host: str, serial: int, **changes: Any) -> CertSpec:
    return DV_SPEC.but(
        subject=name((NameOID.COMMON_NAME, host)), dns_names=(host,), serial=serial, **changes
    )


def _serial(label: str) -> int:
    return random.Random(label).getrandbits(127) | (1 << 126)


@dataclass(frozen=True)
class Entry:
    """One certificate or precertificate to store, under a label the test names it by."""

    label: str
    cert: x509.Certificate
    precertificate: bool

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)


def _entries(with_signing_ca: bool = False) -> list[Entry]:
    """match: a precertificate and its certificate (with 2 SCTs); differs: a certificate with a
    second dNSName its precertificate lacks; alone: a precertificate with no certificate. With a
    Precertificate Signing CA (in the population too): one pair that matches (issuer and AKI
    differ, as RFC 6962 3.2 allows) and one whose notAfter differs."""

    def pair(host: str, precertificate: CertSpec, final: CertSpec) -> list[Entry]:
        rng = random.Random(host)
        return [
            Entry(f"{host}/pre", build(precertificate.but(precertificate=True), rng), True),
            Entry(f"{host}/final", build(final.but(scts=2), rng), False),
        ]

    s = {label: _serial(label) for label in ("match", "differs", "alone", "psc", "psc-differs")}
    entries = [
        *pair("match", _spec("match.example.com", s["match"]), _spec("match.example.com", s["match"])),
        *pair(
            "differs",
            _spec("differs.example.com", s["differs"]),
            _spec("differs.example.com", s["differs"]).but(
                dns_names=("differs.example.com", "other.example.com")
            ),
        ),
        Entry(
            "alone/pre",
            build(_spec("alone.example.com", s["alone"], precertificate=True), random.Random(3)),
            True,
        ),
    ]  # fmt: skip
    if with_signing_ca:
        subject = name(
            (NameOID.ORGANIZATION_NAME, "Example CA"), (NameOID.COMMON_NAME, "Precert Signing")
        )
        signing_key = ec_key("secp256r1", 41)
        signing = Issuer.from_key(subject, signing_key)
        ca = DV_SPEC.but(
            subject=subject, dns_names=None, ca=True, path_length=0, key=signing_key,
            key_usage=("digital_signature", "key_cert_sign", "crl_sign"),
            eku=(PRECERTIFICATE_SIGNING,), policies=None, ocsp_url=None, days=730,
            not_before=datetime(2025, 1, 1, tzinfo=UTC),
        )  # fmt: skip
        entries.append(Entry("signing-ca", build(ca, random.Random(4)), False))
        for host, final_changes in (("psc", {}), ("psc-differs", {"days": 91})):
            spec = _spec(f"{host}.example.com", s[host])
            entries += pair(host, spec.but(issuer=signing), spec.but(**final_changes))
    return entries


def _findings(run_dir: Path) -> dict[str, set[tuple[str, str]]]:
    table = ds.dataset(run_dir / "findings", format="parquet").to_table()
    out: dict[str, set[tuple[str, str]]] = {MATCHES: set(), HAS_CERTIFICATE: set()}
    for f in table.to_pylist():
        if f["lint"] in out:
            out[f["lint"]].add((f["cert_id"], f["status"]))
    return out


def _messages(run_dir: Path) -> dict[str, str]:
    table = ds.dataset(run_dir / "findings", format="parquet").to_table()
    return {
        f["cert_id"]: f["message"]
        for f in table.to_pylist()
        if f["lint"] in (MATCHES, HAS_CERTIFICATE)
    }


def _check_counts(outcome: AuditOutcome, precertificates: int) -> dict[str, dict[str, Any]]:
    """The run's counts reconcile with certificates/, precertificates included; the rows."""
    table = ds.dataset(outcome.run_dir / "certificates", format="parquet").to_table()
    rows = {r["cert_id"]: r for r in table.to_pylist()}
    counts = outcome.run["counts"]
    assert len(rows) == table.num_rows == counts["scanned"] == counts["active_in_database"]
    assert counts["reconciled"] is True
    assert counts["precertificates"] == precertificates
    assert sum(r["profile"].startswith("precertificate") for r in rows.values()) == precertificates
    assert f"({precertificates} of the rows are precertificates)" in outcome.summary_line
    findings = ds.dataset(outcome.run_dir / "findings", format="parquet").to_table()
    marked = "database_precertificate_row_holds_precertificate"
    assert marked not in findings["lint"].to_pylist()  # each row kept as one holds one
    report = (outcome.run_dir / "report.html").read_text()
    assert f"{precertificates} of the rows scanned are precertificates" in report
    return rows


# -- the canonical TBSCertificate --------------------------------------------------------------


def test_ct_digests_match_exactly_when_only_the_ct_extensions_differ() -> None:
    by = {e.label: ct_tbs_digests(e.der) for e in _entries(with_signing_ca=True)}
    assert by["match/pre"] == by["match/final"]
    assert by["differs/pre"][0] != by["differs/final"][0]
    # From a Precertificate Signing CA, issuer and AKI differ: only the second digest agrees.
    assert by["psc/pre"][0] != by["psc/final"][0]
    assert by["psc/pre"][1] == by["psc/final"][1]
    assert by["psc-differs/pre"][1] != by["psc-differs/final"][1]
    assert ct_tbs_digests(b"\x30\x03\x02\x01\x00") == (None, None)  # not a certificate


# -- the sample layout -------------------------------------------------------------------------


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def test_generic_layout(tmp_path: Path) -> None:
    """Precertificates in `certificates` beside their certificates, and the one with no
    certificate in the layout's own `precertificates` table (told apart by its cert_id)."""
    entries = _entries(with_signing_ca=True)
    ids = {e.label: str(i) for i, e in enumerate(entries, 1)}
    ids["alone/pre"] = "precertificates:" + ids["alone/pre"]
    rows = [
        {
            "id": i, "der": e.der, "serial": format(e.cert.serial_number, "x"),
            "issuer_dn": e.cert.issuer.rfc4514_string(), "subject_dn": e.cert.subject.rfc4514_string(),
            "not_before": _naive(e.cert.not_valid_before_utc),
            "not_after": _naive(e.cert.not_valid_after_utc), "status": "issued",
            "revoked_at": None, "revocation_reason": None, "validation_type": "dv",
            "customer": e.label, "created_at": _naive(e.cert.not_valid_before_utc),
        }
        for i, e in enumerate(entries, 1)
    ]  # fmt: skip
    engine = create_engine(f"sqlite:///{tmp_path / 'ca.sqlite'}")
    schema.metadata.create_all(engine)
    alone = [r for r in rows if r["customer"] == "alone/pre"]
    with engine.begin() as conn:
        conn.execute(insert(schema.certificates), [r for r in rows if r not in alone])
        conn.execute(insert(schema.precertificates), alone)
    outcome = run_audit(
        AuditRequest(db_url=f"sqlite:///{tmp_path / 'ca.sqlite'}", as_of=AS_OF, out_dir=tmp_path, workers=1)
    )  # fmt: skip
    assert _findings(outcome.run_dir) == {
        MATCHES: {
            (ids["differs/pre"], "error"), (ids["differs/final"], "error"),
            (ids["psc-differs/pre"], "error"), (ids["psc-differs/final"], "error"),
        },
        HAS_CERTIFICATE: {(ids["alone/pre"], "info")},
    }  # fmt: skip
    messages = _messages(outcome.run_dir)
    assert messages[ids["differs/final"]] == (
        f"differs from precertificate {ids['differs/pre']}: their TBSCertificates differ beyond "
        "the poison and SCT list extensions (in another field or extension)"
    )
    assert messages[ids["differs/pre"]] == (
        f"its certificate {ids['differs/final']} differs from it: their TBSCertificates differ "
        "beyond the poison and SCT list extensions (in another field or extension)"
    )
    assert messages[ids["psc-differs/final"]] == (
        f"differs from precertificate {ids['psc-differs/pre']}: their TBSCertificates differ "
        "beyond the poison, SCT list, issuer and authorityKeyIdentifier (via a Precertificate "
        "Signing CA) (in notAfter)"
    )
    assert messages[ids["alone/pre"]] == (
        "no certificate with this issuer and serial (or this issuer's issuer) is among the "
        "audited certificates: the precertificate stands for it"
    )
    certificates = _check_counts(outcome, precertificates=5)
    # Only the precertificates table marks its rows; in `certificates` the certificate says so.
    marked = {i for i, r in certificates.items() if r["precertificate_in_db"]}
    assert marked == {ids["alone/pre"]}
    # The precertificate with no certificate is linted as the certificate it implies.
    assert certificates[ids["alone/pre"]]["profile"] == "precertificate_dv"


# -- EJBCA: rows tagged 'P' ----------------------------------------------------------------------


def _ejbca_rows(entries: list[Entry]) -> list[tuple[Any, ...]]:
    def ms(t: datetime) -> int:
        return int(t.timestamp() * 1000)

    out = []
    for e in entries:
        values = {
            "fingerprint": hashlib.sha1(e.der).hexdigest(), "base64Cert": base64.b64encode(e.der).decode(),
            "certificateProfileId": 1, "expireDate": ms(e.cert.not_valid_after_utc),
            "issuerDN": e.cert.issuer.rfc4514_string(), "notBefore": ms(e.cert.not_valid_before_utc),
            "revocationDate": -1, "revocationReason": -1, "rowVersion": 0,
            "serialNumber": str(e.cert.serial_number), "status": 20,
            "subjectDN": e.cert.subject.rfc4514_string(), "tag": "P" if e.precertificate else None,
            "type": 1, "updateTime": ms(e.cert.not_valid_before_utc),
        }  # fmt: skip
        out.append(tuple(values.get(c) for c in ejbca.COLUMNS["CertificateData"]))
    return out


def _sqlite_db(
    path: Path,
    ddl: list[str],
    tables: dict[str, list[tuple[Any, ...]]],
    columns: dict[str, tuple[str, ...]],
) -> str:
    con = sqlite3.connect(path)
    for statement in ddl:
        con.execute(statement)
    for table, rows in tables.items():
        names = columns[table]
        con.executemany(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", rows
        )
    con.commit()
    con.close()
    return f"sqlite:///{path}"


def test_ejbca_layout_reads_tagged_rows_as_precertificates(tmp_path: Path) -> None:
    entries = _entries()
    url = _sqlite_db(
        tmp_path / "ejbca.sqlite", ejbca.tables("postgresql"),
        {"CertificateData": _ejbca_rows(entries)}, ejbca.COLUMNS,
    )  # fmt: skip
    ids = {e.label: hashlib.sha1(e.der).hexdigest() for e in entries}
    outcome = run_audit(
        AuditRequest(db_url=url, schema="ejbca", as_of=AS_OF, out_dir=tmp_path, workers=1, partitions=2)
    )  # fmt: skip
    assert _findings(outcome.run_dir) == {
        MATCHES: {(ids["differs/pre"], "error"), (ids["differs/final"], "error")},
        HAS_CERTIFICATE: {(ids["alone/pre"], "info")},
    }
    certificates = _check_counts(outcome, precertificates=3)
    marked = {i for i, r in certificates.items() if r["precertificate_in_db"]}
    assert marked == {ids[e.label] for e in entries if e.precertificate}


def test_a_toml_schema_names_precertificates(tmp_path: Path) -> None:
    """A layout of one's own says where its precertificates are, as the presets do."""
    tagged = tmp_path / "tagged.toml"
    tagged.write_text(
        'table = "CertificateData"\nkey = "fingerprint"\ncertificate = "base64Cert"\n'
        'encoding = "base64"\nnot_after = "expireDate"\ntime_format = "epoch_ms"\n'
        'revocation_reason = "revocationReason"\n'
        'precertificates = { column = "tag", values = ["P"] }\n'
    )
    mapping = load_mapping(str(tagged))
    assert mapping.precertificates == EJBCA.precertificates
    assert mapping.revocation_reason == "revocationReason"
    table = tmp_path / "table.toml"
    table.write_text(
        'table = "certificates"\nkey = "id"\ncertificate = "der"\nnot_after = "expires"\n'
        'precertificates = { table = "precertificates" }\n'
    )
    assert load_mapping(str(table)).precertificate_table().table == "precertificates"  # type: ignore[union-attr]
    both = tmp_path / "both.toml"
    both.write_text(table.read_text().replace("{ table", '{ column = "tag", table'))
    with pytest.raises(Exception, match="either column and values, or table"):
        load_mapping(str(both))


# -- Boulder: a precertificates table ---------------------------------------------------------


def _boulder_tables(
    entries: list[Entry], revoked: dict[str, tuple[datetime, int]] | None = None
) -> dict[str, list[tuple[Any, ...]]]:
    """Finals in `certificates`, precertificates in `precertificates` (ids counted apart, so
    that both tables have ids 1, 2, ...), one certificateStatus row per serial."""
    revoked = revoked or {}
    tables: dict[str, list[tuple[Any, ...]]] = {
        "certificates": [],
        "precertificates": [],
        "certificateStatus": [],
    }
    statuses: dict[str, tuple[Any, ...]] = {}
    for e in entries:
        serial = f"{e.cert.serial_number:036x}"
        issued = _naive(e.cert.not_valid_before_utc + timedelta(hours=1))
        expires = _naive(e.cert.not_valid_after_utc)
        if e.precertificate:
            tables["precertificates"].append(
                (len(tables["precertificates"]) + 1, 1, serial, e.der, issued, expires)
            )
        else:
            digest = base64.urlsafe_b64encode(hashlib.sha256(e.der).digest()).decode().rstrip("=")
            tables["certificates"].append(
                (len(tables["certificates"]) + 1, 1, serial, digest, e.der, issued, expires)
            )
        when, reason = revoked.get(e.label.split("/")[0], (None, 0))
        statuses.setdefault(serial, (
            len(statuses) + 1, serial, 0, "revoked" if when else "good", issued,
            _naive(when) if when else boulder.ZERO_TIME, reason, boulder.ZERO_TIME, 0, None,
            expires, 0, 1,
        ))  # fmt: skip
    tables["certificateStatus"] = list(statuses.values())
    return tables


def _boulder_ids(tables: dict[str, list[tuple[Any, ...]]], entries: list[Entry]) -> dict[str, str]:
    by_der = {row[4]: str(row[0]) for row in tables["certificates"]}
    by_der |= {row[3]: f"precertificates:{row[0]}" for row in tables["precertificates"]}
    return {e.label: by_der[e.der] for e in entries}


def test_boulder_layout_reads_the_precertificates_table(tmp_path: Path) -> None:
    entries = _entries()
    tables = _boulder_tables(entries)
    url = _sqlite_db(
        tmp_path / "boulder.sqlite", boulder.tables("postgresql"), tables, boulder.COLUMNS
    )
    ids = _boulder_ids(tables, entries)
    outcome = run_audit(
        AuditRequest(db_url=url, schema="boulder", as_of=AS_OF, out_dir=tmp_path, workers=1, partitions=2)
    )  # fmt: skip
    assert _findings(outcome.run_dir) == {
        MATCHES: {(ids["differs/pre"], "error"), (ids["differs/final"], "error")},
        HAS_CERTIFICATE: {(ids["alone/pre"], "info")},
    }
    certificates = _check_counts(outcome, precertificates=3)
    assert set(certificates) == set(ids.values())  # "1" and "precertificates:1" both, apart
    assert {i for i, r in certificates.items() if r["precertificate_in_db"]} == {
        ids["match/pre"],
        ids["differs/pre"],
        ids["alone/pre"],
    }
    # The precertificates' own table was planned in partitions of its own.
    partitions = ds.dataset(outcome.run_dir / "certificates", format="parquet").to_table()
    by_partition: dict[int, set[bool]] = {}
    for r in partitions.to_pylist():
        by_partition.setdefault(r["partition"], set()).add(r["precertificate_in_db"])
    assert all(len(kinds) == 1 for kinds in by_partition.values())


def test_a_plan_records_which_partitions_read_the_precertificates(tmp_path: Path) -> None:
    """A resume reads the same tables as the run it finishes."""
    plan = Plan(
        [Partition(0, None, 7), Partition(1, 7, None), Partition(2, None, None, precertificates=True)],
        "digest", 12,
    )  # fmt: skip
    write_plan(tmp_path, plan)
    assert read_plan(tmp_path) == plan


@pytest.fixture
def boulder_on_postgresql(
    postgresql: Server,  # noqa: F811 - the fixture imported above
) -> Iterator[Callable[[dict[str, list[tuple[Any, ...]]]], str]]:
    def make(tables: dict[str, list[tuple[Any, ...]]]) -> str:
        database = postgresql.create_database()
        url = postgresql.url(database)
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                for ddl in boulder.tables("postgresql"):
                    conn.exec_driver_sql(ddl)
                for table, rows in tables.items():
                    names = boulder.COLUMNS[table]
                    marks = ", ".join(["%s"] * len(names))
                    for row in rows:
                        conn.exec_driver_sql(
                            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", row
                        )
        finally:
            engine.dispose()
        return url

    yield make


@pytest.mark.db
def test_boulder_on_postgresql(
    boulder_on_postgresql: Callable[[dict[str, list[tuple[Any, ...]]]], str], tmp_path: Path
) -> None:
    """On PostgreSQL, in one exported snapshot across both tables' partitions; the precertificate
    and its certificate share their status row, so revoking the serial (certificateHold, after
    the as-of time) is reported on both."""
    entries = _entries()
    later = AS_OF + timedelta(days=3)
    tables = _boulder_tables(entries, revoked={"match": (later, 6)})
    ids = _boulder_ids(tables, entries)
    outcome = run_audit(
        AuditRequest(db_url=boulder_on_postgresql(tables), schema="boulder", as_of=AS_OF,
                     out_dir=tmp_path, workers=1, partitions=3)
    )  # fmt: skip
    assert _findings(outcome.run_dir) == {
        MATCHES: {(ids["differs/pre"], "error"), (ids["differs/final"], "error")},
        HAS_CERTIFICATE: {(ids["alone/pre"], "info")},
    }
    held = ds.dataset(outcome.run_dir / "findings", format="parquet").to_table().to_pylist()
    assert {
        f["cert_id"] for f in held if f["lint"] == "database_revocation_reason_not_certificate_hold"
    } == {ids["match/pre"], ids["match/final"]}
    certificates = _check_counts(outcome, precertificates=3)
    assert certificates[ids["match/pre"]]["revocation_reason"] == 6
    assert certificates[ids["differs/final"]]["revocation_reason"] is None
    assert outcome.run["partitions"] == 3
