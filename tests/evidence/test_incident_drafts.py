"""Incident report drafts: one per lint, the seven questions of Mozilla's incident report, what
the run knows filled in, the affected certificates as SHA-256 with crt.sh links in a CSV, the
BR 4.9.1.1 deadline, and clearly marked prompts for what only a person can answer."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.dataset as ds
from audit.jobs.quarterly_audit import AuditOutcome

from audit.compare.first_seen import write_first_seen
from audit.report.incidents import (
    INDEX,
    PROMPT,
    QUESTIONS,
    _cells,
    code,
    md,
    write_incident_drafts,
)


def affected(run_dir: Path, lint: str, statuses: set[str]) -> list[str]:
    """SHA-256 of the certificates the run found with this lint at one of these statuses."""
    table = ds.dataset(run_dir / "findings", format="parquet").to_table(
        columns=["lint", "status", "sha256"]
    )
    return [r["sha256"] for r in table.to_pylist() if r["lint"] == lint and r["status"] in statuses]


def test_drafts_answer_what_the_run_knows(recent_run: AuditOutcome, tmp_path: Path) -> None:
    drafts = write_incident_drafts(recent_run.run_dir, tmp_path)
    assert drafts
    finished = datetime.fromisoformat(recent_run.run["finished_at"])
    deadline = (finished + timedelta(days=5)).strftime("%Y-%m-%d %H:%M:%SZ")
    index = (tmp_path / INDEX).read_text()
    for draft in drafts:
        text = draft.markdown.read_text()
        for question in QUESTIONS:
            assert question in text
        assert "How your CA first became aware of the problem" in QUESTIONS[0]  # Mozilla's words
        assert text.count(PROMPT) >= 7
        assert recent_run.run["run_id"] in text
        assert deadline in text and "BR 4.9.1.1" in text
        with draft.csv.open(newline="") as f:
            rows = list(csv.DictReader(f))
        # A row that stores no certificate has no fingerprint: its CSV cell is empty.
        expected = [h or "" for h in affected(recent_run.run_dir, draft.lint, {"error", "fatal"})]
        assert draft.certificates == len(rows) == len(expected) > 0
        assert sorted(r["sha256"] for r in rows) == sorted(expected)
        for r in rows:
            assert r["crtsh"] == (f"https://crt.sh/?sha256={r['sha256']}" if r["sha256"] else "")
            assert r["revocation_deadline"] == deadline
        for fingerprint in expected[:25]:
            assert f"https://crt.sh/?sha256={fingerprint}" in text
        assert f"| {code(draft.lint)} | {len(rows):,} |" in text  # question 4's summary row
        assert draft.markdown.name in index and draft.csv.name in index


def test_only_misissuance_by_default(recent_run: AuditOutcome, tmp_path: Path) -> None:
    errors = {d.lint for d in write_incident_drafts(recent_run.run_dir, tmp_path / "e")}
    warnings = {
        d.lint for d in write_incident_drafts(recent_run.run_dir, tmp_path / "w", min_status="warn")
    }
    assert errors < warnings


def test_first_seen_and_passed_deadlines(
    baseline_run: AuditOutcome, recent_run: AuditOutcome, tmp_path: Path
) -> None:
    run_dir = shutil.copytree(recent_run.run_dir, tmp_path / "run")
    write_first_seen(run_dir, baseline_run.run_dir)
    later = datetime.now(UTC) + timedelta(days=30)
    drafts = write_incident_drafts(run_dir, tmp_path / "drafts", now=later)
    earlier_id = baseline_run.run["run_id"]
    texts = [d.markdown.read_text() for d in drafts]
    assert any(f"First seen by self-audit run `{earlier_id}`" in t for t in texts)
    assert all("**(passed)**" in t for t in texts)
    rows = [r for d in drafts for r in csv.DictReader(d.csv.open(newline=""))]
    assert {r["first_seen_run"] for r in rows} >= {earlier_id}


def test_certificate_text_stays_text() -> None:
    hostile = 'CN=<script>alert(1)</script>,O="><img src=x onerror=alert(2)>,OU=[x](javascript:alert(3)),L=\u202egnp.exe'
    shown = md(hostile)
    assert "<" not in shown and ">" not in shown.replace("&gt;", "")
    assert "\\[x\\]" in shown  # no link can form
    assert "\u202e" not in shown and "⟨U+202E⟩" in shown
    assert md("*bold* _it_ `tick` | pipe") == "\\*bold\\* \\_it\\_ \\`tick\\` \\| pipe"
    assert code("a`b") == "``a`b``"
    assert code("x|y") == "`x\\|y`"
    assert _cells(["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "plain", None]) == [
        "'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "plain", ""
    ]  # fmt: skip
