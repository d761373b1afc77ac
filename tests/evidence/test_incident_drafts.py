"""Incident report drafts in the CCADB's format (incident reporting guidelines v2.0): per problem
a preliminary report and a full report (Summary, Impact, Timeline, Root Cause Analysis, Lessons
Learned, Action Items, Appendix), a separate draft for certificates past their BR 4.9.1.1
revocation deadline, the affected certificates as crt.sh lines and a CSV; built from the same
computed summary as the report, so that both say the same counts, deadlines and as-of time."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from audit.compare.first_seen import write_first_seen
from audit.jobs.quarterly_audit import AuditOutcome
from audit.report.incidents import (
    BLANK,
    DELAYED,
    INDEX,
    MISISSUANCE_KIND,
    code,
    md,
    write_incident_drafts,
)
from audit.report.lists import inert
from audit.report.render import render_report
from audit.report.summary import summarize
from tests.test_report import (
    HOSTILE_ISSUER,
    HOSTILE_SANS,
    HOSTILE_SUBJECT,
    LOCALITY,
    baseline_pair,
    cert,
    hostile_run,
    section,
    text,
)

FULL_SECTIONS = (
    "## Summary",
    "## Impact",
    "## Timeline",
    "## Root Cause Analysis",
    "## Lessons Learned",
    "### What went well",
    "### What didn't go well",
    "### Where we got lucky",
    "## Action Items",
    "## Appendix",
)


def utc(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%SZ")


def fact(markdown: str, label: str) -> str:
    """The value of a `- **label:** value` line of a draft."""
    match = re.search(rf"^- \*\*{re.escape(label)}:\*\* (.*)$", markdown, re.M)
    assert match, f"no {label!r} line"
    return match.group(1)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/test_report.py's run with a baseline: LOCALITY on certificates 0, 1, 2 (first seen
    by the baseline, deadline passed; 1 revoked in time, 2 revoked late) and 5, 6 (new)."""
    return baseline_pair(tmp_path_factory.mktemp("compared"))


def agree_with_the_summary(run_dir: Path, out: Path) -> list:
    """Write the drafts and check every count, deadline and as-of time against the summary and
    the report rendered from it."""
    summary = summarize(run_dir)
    html = render_report(run_dir).read_text(encoding="utf-8")
    drafts = write_incident_drafts(run_dir, out)
    by_lint = {x.name: x for x in summary.lints}
    misissued = [x for x in summary.lints if x.misissued]
    assert {d.lint for d in drafts if d.kind == MISISSUANCE_KIND} == {x.name for x in misissued}
    assert {d.lint for d in drafts if d.kind == DELAYED} == {
        x.name for x in misissued if x.past_deadline
    }
    index = (out / INDEX).read_text(encoding="utf-8")
    end = utc(summary.discovered_at)
    assert f"judged at the end of run `{summary.run_id}`, {end}" in index
    assert f"Whether a deadline has passed is judged at the end of this run, {end}." in text(html)
    for d in drafts:
        x = by_lint[d.lint]
        full = d.full.read_text(encoding="utf-8")
        rows = read_csv(d.csv)
        assert f"judged at the end of run `{summary.run_id}`, {end}" in full
        assert fact(full, "Certificates active at the as-of time, all audited") == (
            f"{summary.population:,} at {utc(_as_of(summary))}"
        )
        if d.kind == MISISSUANCE_KIND:
            assert d.certificates == x.misissued == len(rows)
            assert fact(full, "Affected certificates") == f"{x.misissued:,}"
            assert d.past_deadline == x.past_deadline
            assert fact(full, "Past the revocation deadline") == f"{x.past_deadline:,}"
            assert fact(full, "First affected certificate issued (notBefore)") == utc(
                x.first_not_before
            )
            assert fact(full, "Last affected certificate issued (notBefore)") == utc(
                x.last_not_before
            )
        else:
            assert d.certificates == x.past_deadline == len(rows) > 0
            assert all(r["past_deadline"] == "true" for r in rows)
            assert fact(full, "Certificates past their revocation deadline") == (
                f"{x.past_deadline:,}"
            )
        assert d.deadline == x.deadline
        assert fact(full, "Revocation deadline (BR 4.9.1.1, earliest)") == utc(x.deadline)
        # The report says the same deadline and count for this lint.
        body = text(section(html, x.anchor))
        assert f"{utc(x.deadline)}" in body
        if x.past_deadline:
            noun = "certificate" if x.past_deadline == 1 else "certificates"
            assert f"{x.past_deadline:,} {noun} past the deadline" in body
        assert (
            f"| {code(d.lint)} | {d.kind} | {d.certificates:,} | {utc(x.deadline)} | "
            f"{x.past_deadline:,} |" in index
        )
    return drafts


def _as_of(summary):
    from audit.outputs.runjson import parse_time

    return parse_time(summary.meta.get("as_of"))


def test_drafts_agree_with_the_report(compared: Path, tmp_path: Path) -> None:
    drafts = agree_with_the_summary(compared, tmp_path / "drafts")
    (locality,) = [d for d in drafts if d.lint == LOCALITY and d.kind == MISISSUANCE_KIND]
    (late,) = [d for d in drafts if d.kind == DELAYED]
    # Certificate 1 was revoked within its five days: not past it, in the report or the drafts.
    assert locality.certificates == 5 and locality.past_deadline == 2
    assert sorted(r["cert_id"] for r in read_csv(late.csv)) == ["0", "2"]
    serials = {f"{0x4A000000 + i:x}" for i in (0, 2)}
    assert {r["serial"] for r in read_csv(late.csv)} == serials


def test_drafts_agree_with_the_report_on_the_sample(
    baseline_run: AuditOutcome, recent_run: AuditOutcome, tmp_path: Path
) -> None:
    run_dir = shutil.copytree(recent_run.run_dir, tmp_path / "run")
    write_first_seen(run_dir, baseline_run.run_dir)  # first seen a month earlier: deadlines past
    drafts = agree_with_the_summary(run_dir, tmp_path / "drafts")
    assert any(d.kind == DELAYED for d in drafts)


def test_drafts_follow_the_ccadb_format(compared: Path, tmp_path: Path) -> None:
    drafts = write_incident_drafts(compared, tmp_path)
    for d in drafts:
        full = d.full.read_text(encoding="utf-8")
        places = [full.index(heading + "\n") for heading in FULL_SECTIONS]
        assert places == sorted(places), "the CCADB's sections, in its order"
        assert "| Action Item | Kind | Due Date |" in full
        for kind in ("Prevent", "Mitigate", "Detect"):
            assert re.search(rf"^\| .* \| {kind} \| .* \|$", full, re.M)
        assert BLANK in full
        timeline = full[full.index("## Timeline") : full.index("## Root Cause Analysis")]
        times = re.findall(r"^\| (\S+ \S+) \| ", timeline, re.M)
        # UTC, to the minute; what only the CA knows is a marked blank
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\dZ", t) or BLANK in t for t in times[1:])
        for event in ("began", "became aware", "ended", "stopped", "resumed"):
            assert event in timeline.lower()
        appendix = full[full.index("## Appendix") :]
        rows = read_csv(d.csv)
        links = re.findall(r"^https://crt\.sh/\?sha256=([0-9a-f]{64})$", appendix, re.M)
        assert sorted(links) == sorted(r["sha256"] for r in rows if r["crtsh"])
        assert d.csv.name in appendix
        preliminary = d.preliminary.read_text(encoding="utf-8")
        assert "## Executive Summary" in preliminary and "72 hours" in preliminary
        assert "Date of the full report" in preliminary and BLANK in preliminary
    (late,) = [d for d in drafts if d.kind == DELAYED]
    full = late.full.read_text(encoding="utf-8")
    assert "delayed revocation" in full.lower() and "separate incident" in full.lower()


def test_csv_has_what_the_ccadb_asks(compared: Path, tmp_path: Path) -> None:
    drafts = write_incident_drafts(compared, tmp_path)
    rows = read_csv(drafts[0].csv)
    for column in ("serial", "sha256", "issuer", "subject", "not_before", "not_after"):
        assert all(r[column] for r in rows), column
    assert all(r["first_seen"] and r["revocation_deadline"] for r in rows)


def test_only_misissuance_by_default(compared: Path, tmp_path: Path) -> None:
    errors = {d.lint for d in write_incident_drafts(compared, tmp_path / "e")}
    warnings = {d.lint for d in write_incident_drafts(compared, tmp_path / "w", min_status="warn")}
    assert errors < warnings


def test_non_tls_certificates_are_listed_by_serial_and_sha256(tmp_path: Path) -> None:
    """S/MIME certificates may hold personal data and are not in CT: serial and SHA-256."""
    from tests.test_report import RunBuilder

    b = RunBuilder()
    smime = cert(1, profile="non_tls")
    b.add(smime, (LOCALITY, "error", "O without L"))
    run_dir = b.write(tmp_path / "run")
    (draft,) = write_incident_drafts(run_dir, tmp_path / "drafts")
    appendix = draft.full.read_text(encoding="utf-8").split("## Appendix", 1)[1]
    assert "https://crt.sh" not in appendix
    assert f"serial {smime['serial']} sha256 {smime['sha256']}" in appendix


def test_certificate_text_in_drafts_is_inert(tmp_path: Path) -> None:
    run_dir = hostile_run().write(tmp_path / "run")
    drafts = write_incident_drafts(run_dir, tmp_path / "drafts", min_status="warn")
    texts = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "drafts").glob("*.md"))
    assert drafts
    for raw in ("<script", "<img", "<svg", "\u202e"):
        assert raw not in texts
    assert "](javascript" not in texts
    # The hostile issuer and messages are there, escaped.
    assert md(HOSTILE_ISSUER) in texts
    assert any(md(m) in texts for m in HOSTILE_SANS)
    assert HOSTILE_SUBJECT not in texts
    assert "⟨U+202E⟩" in texts


def test_escaping_helpers() -> None:
    hostile = 'CN=<script>alert(1)</script>,O="><img src=x onerror=alert(2)>,OU=[x](javascript:alert(3)),L=\u202egnp.exe'
    shown = md(hostile)
    assert "<" not in shown and ">" not in shown.replace("&gt;", "")
    assert "\\[x\\]" in shown  # no link can form
    assert "\u202e" not in shown and "⟨U+202E⟩" in shown
    assert md("*bold* _it_ `tick` | pipe") == "\\*bold\\* \\_it\\_ \\`tick\\` \\| pipe"
    assert code("a`b") == "``a`b``"
    assert code("x|y") == "`x\\|y`"
    cells = pa.array(['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "plain", None])
    assert inert(cells).to_pylist() == [
        "'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "plain", None
    ]  # fmt: skip


def certcensus(*args: str) -> subprocess.CompletedProcess[str]:
    # Without the development tree's warning that a compiled module is older than its source.
    env = os.environ | {"PYTHONWARNINGS": "ignore::UserWarning"}
    return subprocess.run(
        [sys.executable, "-m", "audit", *args], capture_output=True, text=True, timeout=300, env=env
    )


def test_incidents_command(compared: Path, tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    done = certcensus("incidents", str(compared), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert (out / INDEX).is_file() and str(out / INDEX) in done.stdout
    drafts = write_incident_drafts(compared, tmp_path / "again")
    expected = {p.name for d in drafts for p in (d.full, d.preliminary, d.csv)} | {INDEX}
    assert {p.name for p in out.iterdir()} == expected
    for name in expected:  # the same drafts as the function writes
        assert (out / name).read_bytes() == (tmp_path / "again" / name).read_bytes()
    assert not list(compared.glob("*.tar"))  # no evidence package was built


def test_incidents_command_refuses_a_partial_run(compared: Path, tmp_path: Path) -> None:
    partial = shutil.copytree(compared, tmp_path / "20261126T210000Z-ab12cd.partial")
    for target in (partial, tmp_path / "nothing-here"):
        done = certcensus("incidents", str(target), "--out", str(tmp_path / "out"))
        assert done.returncode == 2
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
        assert done.stderr.startswith("certcensus: ")
    assert not (tmp_path / "out").exists()
