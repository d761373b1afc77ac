"""Incident report drafts: one per lint, the seven questions of Mozilla's incident report, what
the run knows filled in, the affected certificates as SHA-256 with crt.sh links in a CSV, the
BR 4.9.1.1 deadline, and clearly marked prompts for what only a person can answer."""

from __future__ import annotations

import csv
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.dataset as ds

from audit.compare.first_seen import write_first_seen
from audit.jobs.quarterly_audit import AuditOutcome
from audit.outputs.reader import RunDirectory
from audit.report.incidents import (
    INDEX,
    LIST_IN_DRAFT,
    PROMPT,
    QUESTIONS,
    _cells,
    code,
    md,
    write_incident_drafts,
)


def affected(run_dir: Path, lint: str, statuses: set[str]) -> list[dict]:
    """The findings of this lint at one of these statuses, in the draft's order (notBefore,
    then database key; rows without a notBefore last)."""
    table = ds.dataset(run_dir / "findings", format="parquet").to_table(
        columns=["lint", "status", "sha256", "cert_id", "not_before", "decoded"]
    )
    rows = [r for r in table.to_pylist() if r["lint"] == lint and r["status"] in statuses]
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(rows, key=lambda r: (r["not_before"] or far, r["cert_id"]))


def test_drafts_answer_what_the_run_knows(recent_run: AuditOutcome, tmp_path: Path) -> None:
    drafts = write_incident_drafts(recent_run.run_dir, tmp_path)
    assert drafts
    finished = datetime.fromisoformat(recent_run.run["finished_at"])
    deadline = (finished + timedelta(days=5)).strftime("%Y-%m-%d %H:%M:%SZ")
    index = (tmp_path / INDEX).read_text()
    without_certificate = 0
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
        found = affected(recent_run.run_dir, draft.lint, {"error", "fatal"})
        # A row that stores no certificate has no fingerprint: its CSV cell is empty.
        expected = [f["sha256"] or "" for f in found]
        assert draft.certificates == len(rows) == len(expected) > 0
        assert sorted(r["sha256"] for r in rows) == sorted(expected)
        certificates = {f["sha256"] for f in found if f["decoded"]}
        for r in rows:
            # Only a certificate can be in CT: stored bytes that are not one get no link.
            assert r["crtsh"] == (
                f"https://crt.sh/?sha256={r['sha256']}" if r["sha256"] in certificates else ""
            )
            assert r["revocation_deadline"] == deadline
        # The draft lists the first certificates by notBefore: by fingerprint with its crt.sh
        # link, or, with no certificate stored, by database key and with no link at all.
        for f in found[:LIST_IN_DRAFT]:
            if f["decoded"]:
                assert f"[`{f['sha256']}`](https://crt.sh/?sha256={f['sha256']})" in text
            elif f["sha256"]:
                assert f"`{f['sha256']}` (stored bytes, not a certificate" in text
            else:
                without_certificate += 1
                assert f"no SHA-256 (database key `{f['cert_id']}`)" in text
        links = re.findall(r"https://crt\.sh/\?sha256=([^)\s]*)", text)
        assert all(re.fullmatch("[0-9a-f]{64}", h) for h in links), links
        assert len(links) == sum(1 for f in found[:LIST_IN_DRAFT] if f["decoded"])
        assert f"| {code(draft.lint)} | {len(rows):,} |" in text  # question 4's summary row
        assert draft.markdown.name in index and draft.csv.name in index
    # The sample's rows that store no certificate are active at RECENT_DAY.
    assert without_certificate > 0


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
    # Each affected certificate carries the earlier run's date exactly when that run had the
    # same finding: same certificate (by SHA-256, or by database key where none is stored).
    old = RunDirectory.open(baseline_run.run_dir).finding_rows(["cert_id", "sha256", "lint"])
    before = set(zip(old["cert_key"].to_pylist(), old["lint"].to_pylist(), strict=True))
    recent_id = recent_run.run["run_id"]
    carried = 0
    for d in drafts:
        for r in csv.DictReader(d.csv.open(newline="")):
            key = r["sha256"] or f"cert_id:{r['cert_id']}"
            carried += (key, d.lint) in before
            assert r["first_seen_run"] == (earlier_id if (key, d.lint) in before else recent_id)
    assert carried > 0


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
