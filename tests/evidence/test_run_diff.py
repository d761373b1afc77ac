"""`certcensus diff`: new, resolved and persisting findings between two real runs, a lint run
in only one of them reported as "not run" (never "resolved"), and first-seen dates carried
from a baseline, through a rescan of other lints."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from audit.compare.diff import BY_CERTIFICATE, BY_LINT, NOT_RUN, diff_runs
from audit.compare.first_seen import FIRST_SEEN, first_seen, ledger, write_first_seen
from audit.compare.runs import Run
from audit.jobs.quarterly_audit import AuditOutcome

from .conftest import audit, audited_cert_ids


def lints_with_findings(run: AuditOutcome) -> set[str]:
    return set(pc.unique(Run.open(run.run_dir).findings["lint"]).to_pylist())


def changes(diff_table) -> dict[tuple[str, str], int]:  # type: ignore[no-untyped-def]
    grouped = diff_table.group_by(["lint", "change"]).aggregate([("cert_key", "count")])
    return {(r["lint"], r["change"]): r["cert_key_count"] for r in grouped.to_pylist()}


def test_a_lint_not_run_is_not_resolved(recent_run: AuditOutcome, subset_run: AuditOutcome) -> None:
    full, subset = Run.open(recent_run.run_dir), Run.open(subset_run.run_dir)
    dropped = lints_with_findings(recent_run) - set(subset.lints)
    assert dropped, "the subset should leave out a lint that has findings"

    forward = diff_runs(recent_run.run_dir, subset_run.run_dir)
    by_lint = {r["lint"]: r for r in forward.by_lint.to_pylist()}
    for name in dropped:
        assert by_lint[name]["state"] == "not run in new"
        assert by_lint[name]["resolved"] == 0
        assert by_lint[name]["not_run"] == by_lint[name]["old_findings"] > 0
    rows = forward.by_certificate.filter(
        pc.is_in(forward.by_certificate["lint"], pa.array(sorted(dropped)))
    )
    assert set(rows["change"].to_pylist()) == {NOT_RUN}
    # Same population, same rules for the lints both ran: nothing new, nothing resolved.
    assert forward.totals()["new"] == forward.totals()["resolved"] == 0
    assert forward.totals()["persisting"] == sum(
        r["new_findings"] for r in forward.by_lint.to_pylist() if r["state"] == "compared"
    )
    assert len(by_lint) == len(set(full.lints) | set(subset.lints))

    backward = diff_runs(subset_run.run_dir, recent_run.run_dir)
    by_lint = {r["lint"]: r for r in backward.by_lint.to_pylist()}
    for name in dropped:
        assert by_lint[name]["state"] == "not run in old"
        assert by_lint[name]["new"] == 0
    assert backward.totals()["new"] == 0
    text = backward.table_text()
    assert "not run in old: not comparable" in text


def test_new_resolved_and_persisting(
    earlier_run: AuditOutcome, recent_run: AuditOutcome, tmp_path: Path
) -> None:
    result = diff_runs(earlier_run.run_dir, recent_run.run_dir)
    totals = result.totals()
    # A month apart: most findings persist, some certificates expire, some are issued.
    assert totals["persisting"] > 0 and totals["new"] > 0 and totals["resolved"] > 0
    table = result.by_certificate
    old, new = Run.open(earlier_run.run_dir), Run.open(recent_run.run_dir)
    old_keys = set(
        zip(old.findings["cert_key"].to_pylist(), old.findings["lint"].to_pylist(), strict=True)
    )
    new_keys = set(
        zip(new.findings["cert_key"].to_pylist(), new.findings["lint"].to_pylist(), strict=True)
    )
    for row in table.to_pylist():
        pair = (row["cert_key"], row["lint"])
        expected = {
            (True, True): "persisting",
            (False, True): "new",
            (True, False): "resolved",
        }[(pair in old_keys, pair in new_keys)]
        assert row["change"] == expected, row
        if expected == "resolved":
            assert row["reason"] in {
                "lint passes now",
                "certificate left the population (expired, revoked or not active)",
            }
    assert table.num_rows == len(old_keys | new_keys)

    paths = result.write(tmp_path / "diff")
    assert [p.name for p in paths] == [BY_LINT, BY_CERTIFICATE]
    assert pq.read_table(paths[1]).num_rows == table.num_rows
    assert pq.read_table(paths[1]).schema.metadata[b"new_run"] == new.run_id.encode()


def test_diff_cli(recent_run: AuditOutcome, subset_run: AuditOutcome, tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "audit", "diff", str(recent_run.run_dir), str(subset_run.run_dir), "--out", str(tmp_path / "d")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "not run in new: not comparable" in out.stdout
    assert out.stdout.splitlines()[2].startswith("findings per lint")
    assert "resolved" in out.stdout.splitlines()[3]  # the table's header
    assert "rows audited" in out.stdout.splitlines()[0]
    assert (tmp_path / "d" / BY_CERTIFICATE).is_file()
    bad = subprocess.run(
        [sys.executable, "-m", "audit", "diff", str(tmp_path), str(subset_run.run_dir)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert bad.returncode == 2 and "not a run directory, or an incomplete run" in bad.stderr


def test_first_seen_is_carried_from_the_baseline(
    baseline_run: AuditOutcome, recent_run: AuditOutcome
) -> None:
    earlier_seen = datetime.fromisoformat(baseline_run.run["finished_at"])
    recent_seen = datetime.fromisoformat(recent_run.run["finished_at"])
    table = first_seen(recent_run.run_dir, baseline_run.run_dir)
    old = Run.open(baseline_run.run_dir).findings
    before = set(zip(old["cert_key"].to_pylist(), old["lint"].to_pylist(), strict=True))
    assert table.num_rows == recent_run.run["counts"]["findings"]["info"] + sum(
        v for k, v in recent_run.run["counts"]["findings"].items() if k != "info"
    )
    carried: list[str] = []
    for row in table.to_pylist():
        if (row["cert_key"], row["lint"]) in before:
            assert row["first_seen"] == earlier_seen
            assert row["first_seen_run"] == baseline_run.run["run_id"]
            carried.append(row["cert_key"])
        else:
            assert row["first_seen"] == recent_seen
    # Carried by SHA-256, and by database key for the sample's row that stores no certificate
    # (active in both runs).
    assert any(len(k) == 64 for k in carried)
    assert any(k.startswith("cert_id:") for k in carried)
    without = first_seen(recent_run.run_dir, None)
    assert set(without["first_seen"].to_pylist()) == {recent_seen}


def test_a_baseline_without_a_ledger_saw_its_findings_itself(
    baseline_run: AuditOutcome, recent_run: AuditOutcome, tmp_path: Path
) -> None:
    """A run written before the job kept a ledger stands for its own findings, first seen in it."""
    bare = shutil.copytree(baseline_run.run_dir, tmp_path / "bare")
    (bare / FIRST_SEEN).unlink()
    order = [("lint", "ascending"), ("cert_key", "ascending")]
    assert ledger(bare).sort_by(order).equals(ledger(baseline_run.run_dir).sort_by(order))
    assert first_seen(recent_run.run_dir, bare).equals(
        first_seen(recent_run.run_dir, baseline_run.run_dir)
    )


def test_first_seen_survives_a_rescan_of_other_lints(
    baseline_run: AuditOutcome, subset_run: AuditOutcome, recent_run: AuditOutcome, tmp_path: Path
) -> None:
    """earlier (all lints) → rescan (the lints with findings but one) → recent (all lints): a
    finding of a lint the rescan did not apply keeps the date the earlier run saw it."""
    rescan = shutil.copytree(subset_run.run_dir, tmp_path / "rescan")
    write_first_seen(rescan, baseline_run.run_dir)
    assert (rescan / FIRST_SEEN).is_file()
    rescan_ledger = ledger(rescan)
    subset_lints = set(Run.open(rescan).lints)
    inherited = rescan_ledger.filter(rescan_ledger["carried"])
    assert inherited.num_rows > 0
    assert not set(inherited["lint"].to_pylist()) & subset_lints

    earlier_seen = datetime.fromisoformat(baseline_run.run["finished_at"])
    table = first_seen(recent_run.run_dir, rescan)
    outside = table.filter(pc.invert(pc.is_in(table["lint"], pa.array(sorted(subset_lints)))))
    inherited_keys = set(
        zip(inherited["cert_key"].to_pylist(), inherited["lint"].to_pylist(), strict=True)
    )
    hits = [r for r in outside.to_pylist() if (r["cert_key"], r["lint"]) in inherited_keys]
    assert hits and all(r["first_seen"] == earlier_seen for r in hits)


EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def test_rows_without_certificate_bytes_are_keyed_by_their_row(
    sample_db: str, recent_run: AuditOutcome, tmp_path: Path
) -> None:
    """Two rows whose certificate column holds zero bytes store no certificate: no SHA-256 (not
    the SHA-256 of nothing, which they would share); each is still its own certificate in a
    diff, counted once, keyed by its database row."""
    db = tmp_path / "sample.sqlite"
    shutil.copy(sample_db.removeprefix("sqlite:///"), db)
    emptied = audited_cert_ids(recent_run.run_dir, limit=2)
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "UPDATE certificates SET der = x'' WHERE id = ?", [(int(i),) for i in emptied]
        )
    as_of = datetime.fromisoformat(recent_run.run["as_of"])
    run = audit(f"sqlite:///{db}", tmp_path / "runs", as_of).run_dir
    certs = Run.open(run)
    empty = certs.findings.filter(pc.is_null(certs.findings["sha256"]))
    assert set(empty["cert_id"].to_pylist()) >= set(emptied), "the rows should have findings"

    result = diff_runs(run, run)  # the same run twice: every finding persists, once
    for row in result.by_lint.to_pylist():
        assert row["persisting"] == row["old_findings"] == row["new_findings"], row
        assert row["new"] == row["resolved"] == 0, row
    assert result.by_certificate.num_rows == certs.findings.num_rows
    keys = set(result.by_certificate["cert_key"].to_pylist())
    assert {f"cert_id:{i}" for i in emptied} <= keys
    assert EMPTY_SHA256 not in keys
    assert f"{certs.findings.num_rows:,} persisting" in result.table_text()
