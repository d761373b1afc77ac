"""The self-audit report, rendered from a run directory built here with the real Parquet schemas."""

from __future__ import annotations

import base64
import hashlib
import html as htmllib
import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from audit.compare.first_seen import write_first_seen
from audit.engine.status import FINDING_STATUSES
from audit.errors import InputError
from audit.outputs.schemas import CERTIFICATES, FINDINGS
from audit.report import summary as summary_module
from audit.report.charts import month_chart, sanitize_svg
from audit.report.render import FILTER_SCRIPT, problem_groups, render_report
from audit.report.summary import LintFindings, RunDirError, summarize

OV_CA = "CN=Example OV CA,O=Example Trust,C=US"
DV_CA = "CN=Example DV CA,O=Example Trust,C=US"
LOCALITY = "subject_organization_requires_locality_or_state"
ENTROPY = "serial_number_entropy"
VALIDITY = "validity_period_within_limit"
DECODE = "certificate_decodes_strictly"
ORPHAN = "lint_missing_from_catalogue"
HOSTILE_SUBJECT = (
    'CN=<script>alert(1)</script>,O="><img src=x onerror=alert(2)>,OU={{ 7*7 }},L=\u202egnp.exe'
)
T0 = datetime(2016, 1, 1, tzinfo=UTC)
# Reaches the charts (issuer names label the issuer chart), the tables and the CSV lists.
HOSTILE_ISSUER = (
    'CN=<svg onload=alert(3)><script>alert(4)</script>,O="><img src=x onerror=alert(5)>'
    " $x^2$ {{7*7}},L=\u202egnp.exe"
)
# What a SAN looks like in a lint's message: the report has no SAN column.
HOSTILE_SANS = (
    "dNSName '<script>alert(6)</script>.example.com' is not a valid host name",
    "dNSName '\"><img src=x onerror=alert(7)>.example.com' is not a valid host name",
    "dNSName '{{7*7}}.example.com' has a label that is not LDH",
    "dNSName 'moc.\u202eevil.example.com' holds U+202E RIGHT-TO-LEFT OVERRIDE",
)
# Cells a spreadsheet would run as formulas.
FORMULAS = ('=HYPERLINK("http://evil.example/","x")', "+SUM(1,1)", "-2+3", "@cmd", "\t=1+1")


def catalogue_entry(name: str, severity: str, citation: str, source: str = "cabf_br") -> dict:
    return {
        "name": name,
        "description": f"What {name} requires.",
        "citation": citation,
        "source": source,
        "section": "test",
        "severity": severity,
        "effective_date": "2012-07-01",
        "ineffective_date": None,
        "profiles": ["subscriber_ov"],
        "zlint": [],
        "version": 1,
    }


CATALOGUE = [
    catalogue_entry(LOCALITY, "error", "BR 7.1.4.2.2(d)-(e)"),
    catalogue_entry(ENTROPY, "warn", "BR 7.1"),
    catalogue_entry(VALIDITY, "error", "BR 6.3.2"),
    catalogue_entry(DECODE, "fatal", "RFC 5280 4.1", "rfc5280"),
]


def cert(
    i: int, *, issuer: str = OV_CA, subject: str | None = None, profile: str = "subscriber_ov"
):
    nb = T0 + timedelta(days=i)
    return {
        "cert_id": str(i),
        "sha256": hashlib.sha256(f"cert {i}".encode()).hexdigest(),
        "serial": f"{0x4A000000 + i:x}",
        "issuer": issuer,
        "subject": subject or f"CN=host{i}.example.com,O=Customer {i},C=US",
        "not_before": nb,
        "not_after": nb + timedelta(days=365 * 3),
        "profile": profile,
        "status_in_db": "valid",
        "revoked_at": None,
        "decoded": True,
        "partition": i % 2,
    }


class RunBuilder:
    """A run directory: certificates and findings written as two Parquet parts each."""

    def __init__(self) -> None:
        self.certs: list[dict[str, Any]] = []
        self.findings: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any], *finds: tuple[str, str, str]) -> dict[str, Any]:
        self.certs.append(row)
        for lint, status, message in finds:
            meta = next((m for m in CATALOGUE if m["name"] == lint), {})
            self.findings.append(
                {k: row[k] for k in (f.name for f in FINDINGS) if k in row}
                | {
                    "lint": lint,
                    "status": status,
                    "message": message,
                    "source": meta.get("source", "community"),
                    "citation": meta.get("citation", "somewhere 1.2"),
                    "lint_version": 1,
                }
            )
        return row

    def counts(self) -> dict[str, Any]:
        labels = [s.label for s in FINDING_STATUSES]
        by_cert: dict[str, set[str]] = {}
        for f in self.findings:
            by_cert.setdefault(f["status"], set()).add(f["cert_id"])
        return {
            "active_in_database": len(self.certs),
            "scanned": len(self.certs),
            "not_decodable": sum(not c["decoded"] for c in self.certs),
            "strict_decode_failures": 0,
            "findings": {s: sum(f["status"] == s for f in self.findings) for s in labels},
            "certificates_with": {s: len(by_cert.get(s, ())) for s in labels},
        }

    def write(self, run_dir: Path, *, catalogue: list[dict] | None = None, **meta: Any) -> Path:
        run_dir.mkdir(parents=True, exist_ok=True)
        for s in FINDING_STATUSES:
            for c in self.certs:
                c[f"n_{s.label}"] = sum(
                    f["cert_id"] == c["cert_id"] and f["status"] == s.label for f in self.findings
                )
        for name, schema, rows in (
            ("certificates", CERTIFICATES, self.certs),
            ("findings", FINDINGS, self.findings),
        ):
            (run_dir / name).mkdir()
            half = len(rows) // 2
            for part, chunk in enumerate((rows[:half], rows[half:])):
                table = pa.Table.from_pylist(
                    [{f.name: r.get(f.name) for f in schema} for r in chunk], schema=schema
                )
                pq.write_table(table, run_dir / name / f"part-{part:05d}.parquet")
        run = {
            "run_id": "20261126T210000Z-ab12cd",
            "tool": "certcensus",
            "tool_version": "0.1.0",
            "as_of": "2019-03-06T00:00:00+00:00",
            "started_at": "2026-11-26T21:00:00+00:00",
            "finished_at": "2026-11-26T21:00:12+00:00",
            "wall_seconds": 12.3,
            "database": {"url": "sqlite:////srv/ca/sample.sqlite", "schema": "generic"},
            "catalogue": {
                "version": "2026.11.1",
                "digest": "d" * 64,
                "lints": len(CATALOGUE),
                "selection": "all",
            },
            "counts": self.counts(),
            "population_digest": {
                "algorithm": "merkle-sha256",
                "root": "e" * 64,
                "leaves": len(self.certs),
            },
            "partitions": 2,
            "workers": 2,
        } | meta
        (run_dir / "run.json").write_text(json.dumps(run))
        (run_dir / "catalogue.json").write_text(
            json.dumps(CATALOGUE if catalogue is None else catalogue)
        )
        return run_dir


def standard_run() -> RunBuilder:
    """7 incident-like certificates, 2 weak serials, 203 over-long validities, 1 hostile
    subject, 1 undecodable row, 1 finding of a lint the catalogue does not list, 6 clean."""
    b = RunBuilder()
    for i in range(7):
        b.add(cert(i), (LOCALITY, "error", "organizationName without localityName"))
    b.add(cert(7, issuer=DV_CA, profile="subscriber_dv"), (ENTROPY, "warn", "63 bits"))
    b.add(cert(8, issuer=DV_CA, profile="subscriber_dv"), (ENTROPY, "warn", "40 bits"))
    for i in range(100, 303):
        b.add(cert(i, issuer=DV_CA, profile="subscriber_dv"), (VALIDITY, "error", "1095 days"))
    b.add(
        cert(9, subject=HOSTILE_SUBJECT),
        (LOCALITY, "error", f"subject {HOSTILE_SUBJECT!r} has O without L or ST"),
        (ENTROPY, "warn", "<b>bold</b> 32 bits"),
    )
    undecodable = cert(10) | {
        "serial": None,
        "issuer": None,
        "subject": None,
        "not_before": None,
        "not_after": None,
        "profile": "unknown",
        "decoded": False,
        "sha256": hashlib.sha256(b"garbage").hexdigest(),
    }
    b.add(undecodable, (DECODE, "fatal", "not a certificate: truncated DER"))
    b.add(cert(11), (ORPHAN, "notice", "something noteworthy"))
    for i in range(20, 26):
        b.add(cert(i))
    return b


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return standard_run().write(tmp_path_factory.mktemp("run") / "run")


@pytest.fixture(scope="module")
def report(run_dir: Path) -> str:
    path = render_report(run_dir)
    assert path == run_dir / "report.html"
    return path.read_text(encoding="utf-8")


def section(html: str, anchor: str) -> str:
    """The HTML of the <section> with this id (sections of one kind do not nest)."""
    match = re.search(rf'<section[^>]*id="{re.escape(anchor)}"[^>]*>(.*?)</section>', html, re.S)
    assert match, f"no section {anchor}"
    return match.group(1)


def text(fragment: str) -> str:
    """Tag-free, unescaped, whitespace-collapsed text of an HTML fragment."""
    inline = re.sub(r"</?(?:a|code|span|strong|wbr)\b[^>]*>", "", fragment)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def rows(fragment: str, *, collapsed: bool = True) -> list[str]:
    """The text of each body row of the fragment's tables, those collapsed in <details> too."""
    if not collapsed:
        fragment = re.sub(r"<details\b.*?</details>", "", fragment, flags=re.S)
    bodies = re.findall(r"<tbody>(.*?)</tbody>", fragment, re.S)
    assert bodies
    return [text(r) for b in bodies for r in re.findall(r"<tr\b[^>]*>(.*?)</tr>", b, re.S)]


def test_scope_says_what_was_read_outside_the_population(tmp_path: Path) -> None:
    """The keys revoked for keyCompromise are counted as run.json records them (a value
    named like a method of the record, `keys`, once printed the method: a different address
    on every render, so the same run gave different bytes)."""
    revoked = {"read": True, "rows": 3, "keys": 2, "snapshot": "run"}
    run_dir = standard_run().write(tmp_path / "run", scope={"revoked_rows": revoked})
    html = render_report(run_dir).read_text()
    scope = text(section(html, "scope"))
    assert "3 rows revoked for keyCompromise at or before the as-of time (2 distinct keys)" in scope
    assert "built-in method" not in html
    assert render_report(run_dir, out=tmp_path / "again.html").read_text() == html


def test_scope_shows_population_as_of_catalogue_and_coverage(report: str) -> None:
    scope = text(section(report, "scope"))
    assert "100% of active certificates were linted: all 221 certificates" in scope
    assert "at least 3%" in scope and "BR 8.7" in scope
    assert "2019-03-06 00:00:00Z" in scope
    assert "sqlite:////srv/ca/sample.sqlite" in scope and "schema generic" in scope
    assert "version 2026.11.1, 4 lints (all)" in scope and "d" * 64 in scope
    assert "e" * 64 in scope  # population digest root
    assert "Not decodable 1 (rows whose bytes are not a certificate)" in scope
    assert "Issuers covered 2 " in scope  # the undecodable row has no issuer
    # the counts reconcile; the only discrepancy is the lint missing from catalogue.json
    banner = re.search(r'<div class="banner" role="alert">(.*?)</div>', report, re.S)
    assert banner and re.findall(r"<li>(.*?)</li>", banner.group(1)) == [
        f"findings/ names lints not in catalogue.json: {ORPHAN}"
    ]


def test_summary_counts_by_status(report: str) -> None:
    summary = rows(section(report, "summary"))
    assert summary == [
        "fatal 1 1 agrees",
        "error 211 211 agrees",  # 7 + hostile + 203 over-long
        "warn 3 3 agrees",
        "notice 1 1 agrees",
        "info 0 0 agrees",
    ]
    # It leads with misissuance, not with a count that notices drive.
    headline = text(section(report, "summary")).split("Summary", 1)[1].strip()
    assert headline.startswith(
        "212 of 221 certificates have fatal or error findings: 1 with fatal, 211 with error."
    ), headline
    assert "warnings and notices too, 215 have at least one finding and 6 have none" in headline


def test_findings_by_lint_table(report: str) -> None:
    lines = rows(section(report, "by-lint"))
    # ... open for, revocation deadline (five days after this run, which first saw them), past
    assert lines == [
        "certificate_decodes_strictly fatal 1 RFC 5280 4.1 rfc5280 0 days 2026-12-01 0",
        f"{VALIDITY} error 203 BR 6.3.2 cabf_br 2016-04-10 2016-10-29 0 days 2026-12-01 0",
        f"{LOCALITY} error 8 BR 7.1.4.2.2(d)-(e) cabf_br 2016-01-01 2016-01-10 0 days 2026-12-01 0",
        f"{ENTROPY} warn 3 BR 7.1 cabf_br 2016-01-08 2016-01-10 0 days — –",
        f"{ORPHAN} notice 1 somewhere 1.2 community 2016-01-12 2016-01-12 0 days — –",
    ]


def test_by_issuer_and_by_profile(report: str) -> None:
    issuers = rows(section(report, "by-issuer"))
    # issuer, certificates, with findings, with fatal/error/warn/notice/info, findings
    assert issuers == [
        f"{DV_CA} 205 205 0 203 2 0 0 205",
        f"{OV_CA} 15 9 0 8 1 1 0 10",
        "(unknown) 1 1 1 0 0 0 0 1",
    ]
    profiles = rows(section(report, "by-profile"))
    assert profiles[0] == "subscriber_dv 205 205 0 203 2 0 0 205"
    assert profiles[1] == "subscriber_ov 15 9 0 8 1 1 0 10"


def test_each_lint_section_lists_its_affected_certificates(report: str) -> None:
    body = section(report, f"lint-{LOCALITY}")
    listed = rows(body)
    assert len(listed) == 8
    for i in (*range(7), 9):
        assert f"{0x4A000000 + i:x}" in body
    assert f"{0x4A000000 + 7:x}" not in body  # a weak-serial certificate, not this lint's
    first = cert(0)
    assert f'href="https://crt.sh/?sha256={first["sha256"]}"' in body
    assert "2016-01-01 00:00:00Z" in listed[0] and "2018-12-31 00:00:00Z" in listed[0]
    assert "organizationName without localityName" in listed[0]
    assert "This lint is not in the run's catalogue.json" in section(report, f"lint-{ORPHAN}")


def test_undecodable_row_is_listed_without_a_certificate(report: str) -> None:
    body = section(report, f"lint-{DECODE}")
    assert "(unknown)" in body and "truncated DER" in body
    garbage = hashlib.sha256(b"garbage").hexdigest()
    assert f'<td class="hash">{garbage}</td>' in report  # shown, not linked: crt.sh has no such
    assert f"sha256={garbage}" not in report


def test_long_lists_are_capped_with_a_note(report: str) -> None:
    body = section(report, f"lint-{VALIDITY}")
    listed = rows(body)
    assert len(listed) == 200
    # the problem collapsed to its line by default; opened, the first 25 shown, the next 175 in
    # a further collapsed <details>, the rest only in the CSV
    line = re.search(
        r'<details class="lint-details">\s*<summary class="problem">(.*?)</summary>', body, re.S
    )
    # severity, lint, certificates, families, source and citation, revocation deadline
    summary = text(line.group(1)) if line else ""
    assert summary == f"error {VALIDITY} 203 TLS 203 cabf_br BR 6.3.2 2026-12-01"
    opened = re.sub(r'<details class="more-rows">.*?</details>', "", body, flags=re.S)
    assert len(rows(opened)) == 25
    details = re.findall(r'<details class="more-rows">\s*<summary>(.*?)</summary>', body, re.S)
    assert details == ["Show 175 more certificates"]
    assert "<details open" not in body
    assert "3 more certificates not listed here (the first 200 by notBefore are)" in text(body)
    assert f"The complete list of 203: report-files/{VALIDITY}.csv" in text(body)
    # the earliest 200 by notBefore are the ones shown
    assert f"{0x4A000000 + 100:x}" in body and f"{0x4A000000 + 299:x}" in body
    assert f"{0x4A000000 + 300:x}" not in body and f"{0x4A000000 + 302:x}" not in body


def scripts(report: str) -> list[str]:
    """The text of every <script> element."""
    return re.findall(r"<script\b[^>]*>(.*?)</script>", report, re.S | re.I)


def test_the_one_script_is_the_filter_and_the_csp_allows_only_it(report: str) -> None:
    assert report.lower().count("<script") == 1
    (script,) = scripts(report)
    assert script == FILTER_SCRIPT and "<script>" + script + "</script>" in report
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', report)
    assert csp and f"script-src 'sha256-{digest}';" in htmllib.unescape(csp.group(1))
    assert "unsafe-inline" not in csp.group(1).split("style-src")[0]
    assert "unsafe-eval" not in csp.group(1)
    # The script reads data attributes and never writes markup.
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script
    assert "document.write" not in script and "eval(" not in script


def test_filter_data_is_escaped(hostile_dir: Path) -> None:
    html = (hostile_dir / "report.html").read_text()
    issuers = re.findall(r'data-issuers="([^"]*)"', html)
    assert any("&lt;svg onload=alert(3)&gt;" in value for value in issuers), issuers
    assert scripts(html) == [FILTER_SCRIPT]


def test_certificate_text_renders_as_inert_text(report: str) -> None:
    assert [s for s in scripts(report) if s != FILTER_SCRIPT] == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    assert "<img" not in report.lower()
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in report
    assert "<b>bold</b>" not in report and "&lt;b&gt;bold&lt;/b&gt;" in report
    assert "OU={{ 7*7 }}" in report and "OU=49" not in report
    # the right-to-left override is shown as a visible marker, never as the character itself
    assert "\u202e" not in report
    assert "L=⟨U+202E⟩gnp.exe" in report


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of <style> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.css = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.css += data


def test_self_contained_no_fetches(report: str) -> None:
    links = re.findall(r"https?://[^\s\"'<>)]*", report, re.I)
    assert links, "the crt.sh links are expected"
    assert all(re.fullmatch(r"https://crt\.sh/\?sha256=[0-9a-f]{64}", u) for u in links), links
    parsed = Tags()
    parsed.feed(report)
    names = {tag for tag, _ in parsed.tags}
    assert not names & {"link", "img", "iframe", "object", "embed", "base", "form"}
    assert [a for t, a in parsed.tags if t == "script"] == [{}]  # inline, no src
    for tag, attrs in parsed.tags:
        assert not {"src", "srcset", "action", "formaction", "background"} & attrs.keys(), tag
        assert not any(a.startswith("on") for a in attrs), (tag, attrs)
        href = attrs.get("href")
        if href is not None:  # within the page, crt.sh, or a CSV list beside the report
            assert (
                href.startswith("#")
                or re.fullmatch(r"https://crt\.sh/\?sha256=[0-9a-f]{64}", href)
                or re.fullmatch(r"report-files/[a-z_]+\.csv", href)
            ), href
    assert parsed.css and "url(" not in parsed.css and "@import" not in parsed.css
    csp = [a["content"] for t, a in parsed.tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]
    assert report.startswith("<!DOCTYPE html>")


def test_catalogue_appendix(report: str) -> None:
    appendix = rows(section(report, "catalogue"))
    assert len(appendix) == len(CATALOGUE)
    assert appendix[0].startswith(f"{LOCALITY} What {LOCALITY} requires. BR 7.1.4.2.2(d)-(e)")
    assert "error 2012-07-01 —" in appendix[0]


def test_streaming_in_small_batches_gives_the_same_summary(
    run_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = summarize(run_dir)
    monkeypatch.setattr(summary_module, "BATCH_ROWS", 7)
    batched = summarize(run_dir)
    assert [(x.name, x.by_status, x.first_not_before, x.affected) for x in batched.lints] == [
        (x.name, x.by_status, x.first_not_before, x.affected) for x in whole.lints
    ]
    assert batched.by_issuer == whole.by_issuer and batched.statuses == whole.statuses


def test_discrepancies_with_run_json_are_flagged(tmp_path: Path) -> None:
    b = standard_run()
    counts = b.counts()
    counts["scanned"] = 5000
    counts["findings"]["error"] = 1
    run_dir = b.write(tmp_path / "run", counts=counts)
    html = render_report(run_dir).read_text()
    banner = text(re.search(r'<div class="banner" role="alert">(.*?)</div>', html, re.S).group(1))
    assert "run.json says 5,000 certificates were scanned; certificates/ holds 221 rows" in banner
    assert "error: run.json records 1 findings in 211 certificates" in banner
    assert "lint_missing_from_catalogue" in banner
    assert "differs: 1 findings in 211 certificates" in text(section(html, "summary"))


def test_clean_run_and_password_never_shown(tmp_path: Path) -> None:
    b = RunBuilder()
    for i in range(3):
        b.add(cert(i))
    url = "postgresql+psycopg://audit:s3cret-pw@db.internal/ca"
    run_dir = b.write(tmp_path / "run", database={"url": url, "schema": "ejbca"})
    html = render_report(run_dir).read_text()
    assert "s3cret-pw" not in html and "postgresql+psycopg://audit:***@db.internal/ca" in html
    assert "No lint reported a finding" in html
    assert 'role="alert"' not in html  # everything reconciles
    assert rows(section(html, "summary"))[1] == "error 0 0 agrees"


def test_rendering_again_gives_the_same_bytes(run_dir: Path, report: str, tmp_path: Path) -> None:
    again = render_report(run_dir, out=tmp_path / "again.html")
    assert again.read_text(encoding="utf-8") == report


def test_not_a_run_directory(tmp_path: Path) -> None:
    with pytest.raises(RunDirError, match="run.json is missing") as raised:
        render_report(tmp_path)
    assert isinstance(raised.value, InputError)  # the CLI's one-line message and exit 2


# -- hostile input in the charts and the CSV lists --------------------------------------------


def hostile_run() -> RunBuilder:
    """Certificates whose issuer, subject, SANs (in messages) and fields carry markup, script,
    template syntax, right-to-left overrides and spreadsheet formulas."""
    b = RunBuilder()
    b.add(cert(0, subject=HOSTILE_SUBJECT), (LOCALITY, "error", "O without L or ST"))
    for i, message in enumerate(HOSTILE_SANS, start=1):
        b.add(cert(i, issuer=HOSTILE_ISSUER), (LOCALITY, "error", message))
    for i, formula in enumerate(FORMULAS, start=10):
        b.add(cert(i, subject=formula), (ENTROPY, "warn", formula))
    b.add(cert(20, issuer=DV_CA))
    return b


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run_dir = hostile_run().write(tmp_path_factory.mktemp("hostile") / "run")
    render_report(run_dir)
    return run_dir


def charts_of(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, re.S)


def test_charts_are_inline_svg_drawn_from_the_run(report: str) -> None:
    svgs = charts_of(section(report, "charts"))
    assert len(svgs) == 3  # by month of issuance, by issuer, by lint
    months, issuers, lints = svgs
    assert 'class="chart" role="img"' in months and "Findings by month of issuance" in months
    assert ">2016-01<" in months  # ticks label months of notBefore
    assert DV_CA in issuers and OV_CA in issuers and "(unknown issuer)" in issuers
    assert VALIDITY in lints and ">203<" in lints  # bars are labelled with their counts
    # the same data as a table, for those who would rather read
    assert "2016-01 0 8 3 1 0" in rows(section(report, "charts"))
    # ids are prefixed per chart, so that no two elements in the page share one
    ids = re.findall(r'\sid="([^"]+)"', report)
    assert len(ids) == len(set(ids))


def test_charts_hold_only_inert_svg(report: str, hostile_dir: Path) -> None:
    html = (hostile_dir / "report.html").read_text()
    for page in (report, html):
        for svg in charts_of(page):
            tags = set(re.findall(r"<([A-Za-z][\w:-]*)", svg))
            assert tags <= {"svg", "g", "path", "text", "defs", "clipPath", "use", "rect"}, tags
            assert not re.search(r"<[^>]*\son\w+=", svg)  # no event handler in any tag
            assert all(h.startswith("#chart-") for h in re.findall(r'href="([^"]*)"', svg))
            assert all(u.startswith("#chart-") for u in re.findall(r"url\(([^)]*)\)", svg))
            assert "http" not in svg and "xmlns" not in svg and "<!" not in svg
    # the hostile issuer labels the issuer chart as escaped text (shortened to fit)
    issuers = charts_of(section(html, "charts"))[1]
    assert "&lt;svg onload=alert(3)&gt;&lt;script&gt;alert(4)&lt;/script&gt;" in issuers
    assert scripts(html) == [FILTER_SCRIPT] and "<img" not in html.lower()
    assert "onload=alert(3)>" not in html and "\u202e" not in html


def test_chart_labels_are_not_mathtext(tmp_path: Path) -> None:
    b = RunBuilder()
    issuer = "CN=$\\frac{1}{0}$ CA ${x}^{2}$"  # mathtext would fail on this, or typeset it
    b.add(cert(0, issuer=issuer), (LOCALITY, "error", "x"))
    html = render_report(b.write(tmp_path / "run")).read_text()
    assert "$\\frac{1}{0}$ CA ${x}^{2}$" in charts_of(html)[1]


def test_svg_sanitiser_drops_everything_not_allowlisted() -> None:
    hostile = """<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="10pt" height="10pt" viewBox="0 0 10 10" onload="alert(1)">
 <metadata><title>Matplotlib</title></metadata>
 <style>body { background: url(http://evil.example/x.png) }</style>
 <script>alert(2)</script>
 <foreignObject><p xmlns="http://www.w3.org/1999/xhtml">hi</p></foreignObject>
 <image xlink:href="http://evil.example/x.png"/>
 <defs><clipPath id="c1"><rect x="0" y="0" width="5" height="5"/></clipPath></defs>
 <a xlink:href="javascript:alert(3)"><text>link</text></a>
 <g id="g1" clip-path="url(#c1)" style="fill: #fff" onclick="alert(4)">
  <path d="M 0 0 L 1 1" style="fill: url(http://evil.example/p)"/>
  <use xlink:href="#g1"/>
  <use xlink:href="http://evil.example/sprite.svg#x"/>
  <text x="1" style="font: 10px sans">&lt;script&gt;alert(5)&lt;/script&gt; &amp; "q"</text>
 </g>
</svg>"""
    out = str(sanitize_svg(hostile, "chart-t", label='a "label" <b>'))
    assert out.startswith(
        '<svg viewBox="0 0 10 10" class="chart" role="img" aria-label="a &#34;label&#34; &lt;b&gt;">'
    )
    for gone in (
        "metadata",
        "style>",
        "<script",
        "alert(2)",
        "foreignObject",
        "image",
        "<a",
        "onload",
        "onclick",
        "evil",
        "javascript",
        "Matplotlib",
    ):
        assert gone not in out, gone
    assert '<clipPath id="chart-t-c1">' in out and 'clip-path="url(#chart-t-c1)"' in out
    assert '<use href="#chart-t-g1"></use>' in out and out.count("<use") == 2
    assert '<path d="M 0 0 L 1 1"></path>' in out  # the style with a foreign url is dropped
    assert "&lt;script&gt;alert(5)&lt;/script&gt; &amp; &#34;q&#34;</text>" in out


def test_a_long_span_of_issuance_is_drawn_by_year() -> None:
    months = [(f"{2000 + m // 12:04d}-{m % 12 + 1:02d}", {"error": 1}) for m in range(150)]
    chart = month_chart(months, without=2)
    assert chart is not None
    assert "by the year" in chart.caption and "2000 to 2012" in chart.caption
    assert "2 findings of certificates without a notBefore" in chart.caption
    # a notBefore centuries away (a hostile or broken certificate) does not draw 8,000 years
    far = [("1950-01", {"error": 1}), *[(f"{y}-01", {}) for y in range(1951, 9999)]]
    chart = month_chart([*far, ("9999-12", {"error": 2})])
    assert chart is not None and chart.svg.count(">1950<") == 1 and ">1951<" not in chart.svg


def read_csv(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_complete_lists_beside_the_report(run_dir: Path, report: str) -> None:
    files = sorted(p.name for p in (run_dir / "report-files").iterdir())
    assert files == sorted(f"{name}.csv" for name in (LOCALITY, ENTROPY, VALIDITY, DECODE, ORPHAN))
    validity = read_csv(run_dir / "report-files" / f"{VALIDITY}.csv")
    assert len(validity) == 203  # all of them, not the 200 the page lists
    first = next(r for r in validity if r["cert_id"] == "100")
    assert first["crtsh"] == f"https://crt.sh/?sha256={first['sha256']}"
    assert first["not_before"] == "2016-04-10 00:00:00Z" and first["status"] == "error"
    assert first["first_seen"] == "2026-11-26 21:00:12Z"
    assert first["revocation_deadline"] == "2026-12-01 21:00:12Z"
    assert first["past_deadline"] == "false"
    entropy = read_csv(run_dir / "report-files" / f"{ENTROPY}.csv")
    assert {r["revocation_deadline"] for r in entropy} == {""}  # a warning is not misissuance
    undecodable = read_csv(run_dir / "report-files" / f"{DECODE}.csv")
    # bytes that are not a certificate have a fingerprint but nothing on crt.sh to link to
    assert undecodable[0]["sha256"] and undecodable[0]["crtsh"] == ""
    assert undecodable[0]["serial"] == ""


def test_csv_cells_that_a_spreadsheet_would_evaluate_are_neutralised(hostile_dir: Path) -> None:
    entropy = read_csv(hostile_dir / "report-files" / f"{ENTROPY}.csv")
    by_id = {r["cert_id"]: r for r in entropy}
    for i, formula in enumerate(FORMULAS, start=10):
        row = by_id[str(i)]
        assert row["subject"] == "'" + formula and row["message"] == "'" + formula
    for row in read_csv(hostile_dir / "report-files" / f"{LOCALITY}.csv"):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    # certificate text is kept as it is otherwise (a CSV is data, not a page)
    locality = read_csv(hostile_dir / "report-files" / f"{LOCALITY}.csv")
    assert {r["issuer"] for r in locality} == {OV_CA, HOSTILE_ISSUER}
    assert HOSTILE_SANS[3] in {r["message"] for r in locality}


def test_a_second_render_replaces_the_lists(tmp_path: Path) -> None:
    b = standard_run()
    run_dir = b.write(tmp_path / "run")
    stale = run_dir / "report-files" / "gone.csv"
    stale.parent.mkdir()
    stale.write_text("old")
    render_report(run_dir)
    assert not stale.exists() and (run_dir / "report-files" / f"{LOCALITY}.csv").is_file()
    assert sorted(p.name for p in run_dir.iterdir() if p.name.startswith(".")) == []


# -- a run with a baseline: what changed, revocation deadlines, how long open -----------------

BASELINE_ID = "20260820T210000Z-0b0b0b"
BASELINE_FINISHED = datetime(2026, 8, 20, 21, 0, 12, tzinfo=UTC)
RETIRED = "lint_retired_since_baseline"


def baseline_pair(root: Path, *, record_path: bool = True) -> Path:
    """A baseline run and this run, with this run's ledger written as the job writes it.

    Baseline: LOCALITY on certificates 0-4, ENTROPY on 7, RETIRED on 30 and 31.
    This run: LOCALITY on 0, 1, 2 (persisting) and 5, 6 (new); 3 and 4 resolved; ENTROPY on 7
    (persisting, a warning); RETIRED not applied. Certificate 1 was revoked within its five
    days, certificate 2 after them."""
    old = RunBuilder()
    for i in range(5):
        old.add(cert(i), (LOCALITY, "error", "organizationName without localityName"))
    old.add(cert(7, issuer=DV_CA, profile="subscriber_dv"), (ENTROPY, "warn", "63 bits"))
    for i in (30, 31):
        old.add(cert(i), (RETIRED, "error", "retired rule"))
    retired = catalogue_entry(RETIRED, "error", "BR 9.9.9")
    old_dir = old.write(
        root / "baseline",
        catalogue=[*CATALOGUE, retired],
        run_id=BASELINE_ID,
        as_of="2026-08-20T00:00:00+00:00",
        started_at="2026-08-20T21:00:00+00:00",
        finished_at=BASELINE_FINISHED.isoformat(),
    )
    write_first_seen(old_dir, None)

    new = RunBuilder()
    revoked = {1: datetime(2026, 8, 24, tzinfo=UTC), 2: datetime(2026, 9, 1, tzinfo=UTC)}
    for i in (0, 1, 2, 5, 6):
        row = cert(i) | {"revoked_at": revoked.get(i)}
        new.add(row, (LOCALITY, "error", "organizationName without localityName"))
    new.add(cert(7, issuer=DV_CA, profile="subscriber_dv"), (ENTROPY, "warn", "63 bits"))
    new.add(cert(30))
    reference = {"run_id": BASELINE_ID}
    if record_path:
        reference["path"] = str(old_dir)
    run_dir = new.write(root / "run", baseline=reference)
    write_first_seen(run_dir, old_dir)
    render_report(run_dir)
    return run_dir


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return baseline_pair(tmp_path_factory.mktemp("compared"))


def test_changes_since_the_baseline_per_lint(compared: Path) -> None:
    html = (compared / "report.html").read_text()
    changes = section(html, "changes")
    assert (
        f"Compared with the previous run {BASELINE_ID} (certificates active at 2026-08-20 00:00:00Z)"
        in text(changes)
    )
    assert "2 new, 2 resolved, 4 persisting findings" in text(changes)
    # lint, previous run, this run, new, resolved, persisting, note
    assert rows(changes) == [
        f"{LOCALITY} 5 5 2 2 3",
        f"{ENTROPY} 1 1 0 0 1",
        f"{RETIRED} 2 – – – – not run in this run: not comparable (2 findings), neither new nor resolved",
    ]
    assert "still open from earlier runs, for lints this run did not apply" in text(changes).lower()
    assert f"{RETIRED} 2" in text(changes)
    scope = text(section(html, "scope"))
    assert f"Baseline the previous run {BASELINE_ID}" in scope


def test_revocation_deadlines_and_how_long_open(compared: Path) -> None:
    html = (compared / "report.html").read_text()
    by_lint = rows(section(html, "by-lint"))
    # first seen by the baseline (finished 2026-08-20 21:00:12Z): 98 days open at this run's
    # end, deadline five days after; certificates 0 (not revoked) and 2 (revoked late) are past
    assert by_lint[0].endswith("98 days 2026-08-25 past 2")
    assert by_lint[1].endswith("98 days — –")  # a warning has no deadline
    body = section(html, f"lint-{LOCALITY}")
    problem = text(re.search(r'<summary class="problem">(.*?)</summary>', body, re.S).group(1))
    assert problem.endswith("2026-08-25 2 past"), problem  # the earliest deadline, and how many
    line = text(re.search(r'<p class="deadline-line">(.*?)</p>', body, re.S).group(1))
    assert "Revocation deadline (BR 4.9.1.1, 5 days from discovery): 2026-08-25 21:00:12Z" in line
    assert "2 certificates past the deadline at the end of this run" in line
    assert f"Open for 98 days: first seen 2026-08-20 21:00:12Z in run {BASELINE_ID}" in line
    assert "3 of the 5 findings were first seen before this run" in line
    assert "2 of these certificates were revoked after the as-of time" in line
    listed = {r.split()[0]: r for r in rows(body)}
    serial = {i: f"{0x4A000000 + i:x}" for i in range(7)}
    assert "2026-08-20 (98 days) 2026-08-25 past" in listed[serial[0]]
    assert "2026-08-25 revoked 2026-08-24" in listed[serial[1]]  # in time: not past
    assert "past" not in listed[serial[1]]
    assert "2026-08-25 past revoked 2026-09-01" in listed[serial[2]]
    assert "2026-11-26 2026-12-01" in listed[serial[5]] and "past" not in listed[serial[5]]
    assert len(re.findall(r'<tr class="past-row">', body)) == 2
    summary = text(section(html, "summary"))
    assert "2 of them are past the deadline at the end of this run" in summary
    lists = read_csv(compared / "report-files" / f"{LOCALITY}.csv")
    past = {r["cert_id"]: r["past_deadline"] for r in lists}
    assert past == {"0": "true", "1": "false", "2": "true", "5": "false", "6": "false"}
    assert {r["first_seen_run"] for r in lists if r["cert_id"] in "012"} == {BASELINE_ID}


def test_baseline_directory_gone_gives_a_partial_comparison(tmp_path: Path) -> None:
    run_dir = baseline_pair(tmp_path, record_path=False)
    changes = section(render_report(run_dir).read_text(), "changes")
    assert (
        "Partial comparison: run.json does not record where the baseline run directory is"
        in text(changes)
    )
    assert "2 findings first seen in this run, 4 seen before" in text(changes)
    # lint, this run, new, resolved (not known), persisting
    assert rows(changes)[0] == f"{LOCALITY} 5 2 – 3"


def test_no_baseline_says_so(report: str) -> None:
    assert "This run has no baseline, so it was not compared with a previous one" in text(
        section(report, "changes")
    )
    assert "Baseline none: this run was not compared" in text(section(report, "scope"))


def test_dated_summary_is_the_same_in_small_batches(
    compared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = summarize(compared)
    monkeypatch.setattr(summary_module, "BATCH_ROWS", 2)
    batched = summarize(compared)
    fields = lambda s: [  # noqa: E731
        (
            x.name,
            x.first_seen,
            x.first_seen_run,
            x.deadline,
            x.past_deadline,
            x.seen_earlier,
            x.affected,
        )
        for x in s.lints
    ]
    assert fields(batched) == fields(whole)
    assert batched.by_month == whole.by_month


def test_print_css_opens_collapsed_lists(report: str) -> None:
    css = re.search(r"<style>(.*?)</style>", report, re.S).group(1)
    prints = " ".join(re.findall(r"@media print \{(.*?)\n  \}", css, re.S))
    assert (
        "details.more-rows::details-content { content-visibility: visible; display: contents; }"
        in prints
    )
    assert "details.more-rows > summary { display: none; }" in prints
    assert (
        "thead { display: table-header-group; }" in prints
        and "tr { break-inside: avoid; }" in prints
    )


# -- the verdict, first ------------------------------------------------------------------------


def test_verdict_comes_first(report: str) -> None:
    """Before scope and method: how much was audited, how many certificates have error or fatal
    findings, how many distinct problems, how many are past a deadline, and as of when."""
    sections = re.findall(r'<section[^>]*id="([^"]+)"', report)
    assert sections[0] == "verdict" and sections.index("scope") > 0
    verdict = text(section(report, "verdict"))
    # standard_run: 221 certificates; 7 + 1 LOCALITY, 203 VALIDITY (errors), 1 undecodable (fatal)
    assert "Audited 221 of 221 active certificates at 2019-03-06 00:00:00Z" in verdict
    assert "100%, where BR 8.7 asks for a sample of at least 3%" in verdict
    assert "212 certificates have error or fatal findings" in verdict
    assert "3 distinct problems (lints) at error or fatal" in verdict
    assert "0 certificates are past a BR 4.9.1.1 revocation deadline" in verdict
    assert "judged at the end of the run, 2026-11-26 21:00:12Z" in verdict


def test_verdict_counts_certificates_past_a_deadline_once(tmp_path: Path) -> None:
    run_dir = baseline_pair(tmp_path)
    verdict = text(section((run_dir / "report.html").read_text(), "verdict"))
    assert "2 certificates are past a BR 4.9.1.1 revocation deadline" in verdict
    assert "5 certificates have error or fatal findings" in verdict
    assert "1 distinct problem (lint) at error or fatal" in verdict


def test_charts_lead_with_severity(report: str) -> None:
    """A notice on many certificates never dwarfs a few errors: the lint chart lists lints
    worst status first on a logarithmic scale, each bar labelled with its count; the issuer
    chart shows certificates with error or fatal findings against those audited."""
    _, issuers, lints = charts_of(section(report, "charts"))
    labels = re.findall(r">([a-z_]+)<", lints)
    order = [name for name in (VALIDITY, LOCALITY, DECODE, ENTROPY, ORPHAN) if name in labels]
    positions = [labels.index(name) for name in order]
    # fatal first, then the errors (most certificates first), the warning, the notice
    assert [labels[p] for p in sorted(positions)] == [DECODE, VALIDITY, LOCALITY, ENTROPY, ORPHAN]
    assert "logarithmic" in lints and ">10<" in lints.replace("<tspan>", "")  # log ticks
    assert "error or fatal" in issuers and "certificates audited" in issuers


def test_problems_grouped_by_severity_then_source(report: str) -> None:
    headings = [
        text(h)
        for h in re.findall(r'<h[34] class="(?:group|source-group)">.*?</h[34]>', report, re.S)
    ]
    assert headings == [
        "fatal problems, 1",
        "RFC 5280 and related IETF profiles: 1 fatal problem",
        "error problems, 2",
        "CA/Browser Forum Baseline Requirements (TLS): 2 error problems",
        "warn problems, 1",
        "CA/Browser Forum Baseline Requirements (TLS): 1 warn problem",
        "notice problems, 1",
        "Community practice: 1 notice problem",
    ]


def test_problem_groups_split_a_severity_by_source() -> None:
    def lint(name: str, status: str, source: str | None) -> LintFindings:
        return LintFindings(name, 1, {status: 1}, None, None, None, source, None)

    a, b, c, d = (
        lint("a", "error", "cabf_br"),
        lint("b", "error", "rfc5280"),
        lint("c", "error", "cabf_br"),
        lint("d", "warn", None),
    )
    assert problem_groups([a, b, c, d]) == [
        ("error", [("cabf_br", [a, c]), ("rfc5280", [b])]),
        ("warn", [("", [d])]),
    ]


def test_month_chart_gives_each_status_its_own_panel() -> None:
    """Thousands of notices never flatten a few errors: one panel per status, each on its own
    scale, titled with its total, and the totals in the caption as text."""
    months = [("2025-01", {"error": 2, "notice": 5000}), ("2025-02", {"error": 1, "notice": 4000})]
    chart = month_chart(months)
    assert chart is not None
    titles = re.findall(r"<text[^>]*>([^<]*(?:findings|finding)[^<]*)</text>", chart.svg)
    assert "error: 3 findings, at most 2 in a month" in titles, titles
    assert "notice: 9,000 findings, at most 5,000 in a month" in titles, titles
    assert "each status in its own panel, on its own scale" in chart.caption
    assert "error 3, notice 9,000" in chart.caption
