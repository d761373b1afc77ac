"""The full-population job end to end on a small sample database."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from audit.jobs.quarterly_audit import AuditOutcome, AuditRequest, run_audit
from audit.outputs.digest import merkle_root
from tests.conftest import INCIDENT_DAY, RECENT_DAY

LOCALITY_LINT = "subject_organization_requires_locality_or_state"


def _active_ids(db_url: str, as_of: datetime) -> set[str]:
    """The active population, computed independently of the job: in Python, from every row of
    `certificates` and of `precertificates` (rows of their own, their ids prefixed by the
    table's name)."""
    con = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    t = as_of.replace(tzinfo=None)
    ts = datetime.fromisoformat
    active = set()
    for table, prefix in (("certificates", ""), ("precertificates", "precertificates:")):
        if table not in tables:
            continue
        rows = con.execute(f"SELECT id, not_before, not_after, status, revoked_at FROM {table}")
        active |= {
            f"{prefix}{i}"
            for i, nb, na, status, revoked in rows
            if ts(nb) <= t < ts(na)
            and (status != "revoked" or (revoked is not None and ts(revoked) > t))
        }
    return active


def _table(run_dir, name):  # type: ignore[no-untyped-def]
    return ds.dataset(run_dir / name, format="parquet").to_table()


@pytest.mark.parametrize("which", ["incident_run", "recent_run"])
def test_population_is_exactly_the_active_rows(
    which: str, sample_db: str, request: pytest.FixtureRequest
) -> None:
    outcome = request.getfixturevalue(which)
    as_of = INCIDENT_DAY if which == "incident_run" else RECENT_DAY
    expected = _active_ids(sample_db, as_of)
    certs = _table(outcome.run_dir, "certificates")
    ids = certs.column("cert_id").to_pylist()
    counts = outcome.run["counts"]
    assert len(ids) == len(set(ids)), "a certificate row appears twice"
    assert set(ids) == expected
    assert counts["active_in_database"] == counts["scanned"] == len(expected)
    assert counts["reconciled"] is True


def test_revoked_after_as_of_is_in_and_revoked_before_is_out(incident_run, sample_db: str) -> None:  # type: ignore[no-untyped-def]
    path = sample_db.removeprefix("sqlite:///")
    t = INCIDENT_DAY.replace(tzinfo=None).isoformat(sep=" ")
    con = sqlite3.connect(path)
    later = {
        str(r[0])
        for r in con.execute(
            "SELECT id FROM certificates WHERE status='revoked' AND revoked_at > ? AND not_before <= ? AND not_after > ?",
            (t, t, t),
        )
    }
    earlier = {
        str(r[0])
        for r in con.execute(
            "SELECT id FROM certificates WHERE status='revoked' AND revoked_at <= ?", (t,)
        )
    }
    expired = {
        str(r[0]) for r in con.execute("SELECT id FROM certificates WHERE not_after <= ?", (t,))
    }
    ids = set(_table(incident_run.run_dir, "certificates").column("cert_id").to_pylist())
    assert later and later <= ids
    assert earlier and not (earlier & ids)
    assert expired and not (expired & ids)


def test_counts_reconcile_with_parquet(recent_run) -> None:  # type: ignore[no-untyped-def]
    certs = _table(recent_run.run_dir, "certificates")
    findings = _table(recent_run.run_dir, "findings")
    counts = recent_run.run["counts"]
    by_status = Counter(findings.column("status").to_pylist())
    for status, n in counts["findings"].items():
        assert by_status.get(status, 0) == n
        assert sum(certs.column(f"n_{status}").to_pylist()) == n
        assert (
            sum(1 for v in certs.column(f"n_{status}").to_pylist() if v)
            == counts["certificates_with"][status]
        )


def test_run_json_says_where_the_wall_time_went(recent_run) -> None:  # type: ignore[no-untyped-def]
    phases = recent_run.run["phase_seconds"]
    assert set(phases) == {"partitions", "population_and_digest", "first_seen", "report"}
    assert all(v >= 0 for v in phases.values())
    assert sum(phases.values()) <= recent_run.run["wall_seconds"] + 0.01


def test_incident_certificates_each_get_the_locality_error(incident_run) -> None:  # type: ignore[no-untyped-def]
    findings = _table(incident_run.run_dir, "findings").to_pylist()
    hits = [
        f
        for f in findings
        if f["lint"] == LOCALITY_LINT and "Tokyo Electron" in (f["subject"] or "")
    ]
    assert len(hits) == 7
    assert {f["status"] for f in hits} == {"error"}
    # Three of them were issued before 2017, when zlint's version of the rule starts.
    assert sum(f["not_before"] < datetime(2017, 1, 1, tzinfo=UTC) for f in hits) >= 3
    html = (incident_run.run_dir / "report.html").read_text()
    for f in hits:
        assert f["serial"] in html


def test_malformed_rows_become_fatal_findings(recent_run) -> None:  # type: ignore[no-untyped-def]
    findings = _table(recent_run.run_dir, "findings").to_pylist()
    fatal = [f for f in findings if f["status"] == "fatal"]
    lints = Counter(f["lint"] for f in fatal)
    assert (
        lints["certificate_decodes_strictly"] >= 4
    )  # garbage, truncated, PEM-as-DER, empty, empty RDN
    assert lints["database_row_has_certificate"] >= 1
    assert recent_run.run["counts"]["not_decodable"] >= 3
    # A certificate with an empty RDN set is still linted beyond its decoding problem.
    certs = _table(recent_run.run_dir, "certificates").to_pylist()
    strict_only = [c for c in certs if c["decoded"] and c["n_fatal"]]
    assert strict_only and all(c["profile"] != "unknown" for c in strict_only)


def test_findings_have_the_contract_columns(recent_run) -> None:  # type: ignore[no-untyped-def]
    required = {"cert_id", "sha256", "serial", "issuer", "subject", "not_before", "not_after", "profile",
                "lint", "status", "message", "source", "citation"}  # fmt: skip
    assert required <= set(_table(recent_run.run_dir, "findings").schema.names)
    run = json.loads((recent_run.run_dir / "run.json").read_text())
    assert run["catalogue"]["digest"] and run["catalogue"]["version"]
    assert run["population_digest"]["leaves"] > 0


def test_population_digest_is_the_merkle_root_of_sorted_fingerprints(recent_run) -> None:  # type: ignore[no-untyped-def]
    hexes = sorted(
        h for h in _table(recent_run.run_dir, "certificates").column("sha256").to_pylist() if h
    )
    assert (
        recent_run.run["population_digest"]["root"]
        == merkle_root([bytes.fromhex(h) for h in hexes]).hex()
    )


def test_lint_selection_runs_only_those_lints(sample_db: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    outcome = run_audit(
        AuditRequest(
            db_url=sample_db,
            as_of=INCIDENT_DAY,
            out_dir=tmp_path,
            workers=1,
            selector=LOCALITY_LINT,
        )
    )
    findings = _table(outcome.run_dir, "findings")
    assert set(findings.column("lint").to_pylist()) == {LOCALITY_LINT}
    assert outcome.run["catalogue"]["lints"] == 1
    assert outcome.run["counts"]["scanned"] == outcome.run["counts"]["active_in_database"]


def test_baseline_carries_first_seen_dates(sample_db: str, recent_run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    again = run_audit(
        AuditRequest(
            db_url=sample_db,
            as_of=RECENT_DAY,
            out_dir=tmp_path,
            workers=1,
            baseline=recent_run.run_dir,
        )
    )
    ledger = ds.dataset(again.run_dir / "first_seen.parquet").to_table().to_pylist()
    assert ledger and len(ledger) == sum(again.run["counts"]["findings"].values())
    # Same population, same lints: every finding was already open in the baseline run.
    assert {row["first_seen_run"] for row in ledger} == {recent_run.run["run_id"]}


def test_baseline_must_be_a_run_directory(sample_db: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from audit.errors import InputError

    with pytest.raises(InputError, match="--baseline"):
        run_audit(
            AuditRequest(db_url=sample_db, as_of=RECENT_DAY, out_dir=tmp_path, baseline=tmp_path)
        )


def test_a_worker_quiets_the_garbage_collector_for_its_engine() -> None:
    import gc

    from audit.jobs.partition import YOUNG_COLLECTION_THRESHOLD, quiet_garbage_collector

    threshold = gc.get_threshold()
    try:
        held = {"engine": []}  # stands for what a worker keeps
        assert any(o is held for o in gc.get_objects())  # walked by every full collection
        quiet_garbage_collector()
        assert not any(o is held for o in gc.get_objects())  # now frozen: walked by none
        assert gc.get_threshold()[0] == max(threshold[0], YOUNG_COLLECTION_THRESHOLD)
        assert gc.get_threshold()[1:] == threshold[1:]
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_the_run_summary_names_what_each_count_counts() -> None:
    """`run` and `verify` count different things (database rows; certificates in the digest):
    the line says which, and how many rows hold no certificate (issue 12, item 9)."""

    run = {
        "as_of": "2019-03-06T00:00:00+00:00",
        "counts": {
            "scanned": 1701,
            "active_in_database": 1701,
            "certificates_with": {"error": 67, "notice": 1408},
        },
        "population_digest": {"leaves": 1699},
    }
    line = AuditOutcome(Path("r"), run, {}).summary_line
    assert line.startswith(
        "1,701 rows audited, of which 2 store no certificate (not in the digest); "
        "population digest over 1,699 certificates; 1,701 rows active in the database at "
        "2019-03-06T00:00:00+00:00"
    )
    assert "error 67" in line and "notice 1,408" in line
