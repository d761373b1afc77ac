"""The self-audit report, rendered from a run directory built here with the real Parquet schemas."""

from __future__ import annotations

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

from audit.engine.status import FINDING_STATUSES
from audit.errors import InputError
from audit.outputs.schemas import CERTIFICATES, FINDINGS
from audit.report import summary as summary_module
from audit.report.render import render_report
from audit.report.summary import RunDirError, summarize

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

    def write(self, run_dir: Path, **meta: Any) -> Path:
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
        (run_dir / "catalogue.json").write_text(json.dumps(CATALOGUE))
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
    inline = re.sub(r"</?(?:a|code|span|strong)\b[^>]*>", "", fragment)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def rows(fragment: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", fragment, re.S)
    assert body
    return [text(r) for r in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]


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
    assert "215 of 221 certificates have at least one finding; 6 have none" in text(
        section(report, "summary")
    )


def test_findings_by_lint_table(report: str) -> None:
    lines = rows(section(report, "by-lint"))
    assert lines == [
        "certificate_decodes_strictly fatal 1 RFC 5280 4.1 rfc5280",
        f"{VALIDITY} error 203 BR 6.3.2 cabf_br 2016-04-10 2016-10-29",
        f"{LOCALITY} error 8 BR 7.1.4.2.2(d)-(e) cabf_br 2016-01-01 2016-01-10",
        f"{ENTROPY} warn 3 BR 7.1 cabf_br 2016-01-08 2016-01-10",
        f"{ORPHAN} notice 1 somewhere 1.2 community 2016-01-12 2016-01-12",
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


def test_long_lists_are_capped_with_a_note(report: str) -> None:
    body = section(report, f"lint-{VALIDITY}")
    listed = rows(body)
    assert len(listed) == 200
    assert "3 more certificates not listed here (the first 200 by notBefore are shown)" in text(
        body
    )
    # the earliest 200 by notBefore are the ones shown
    assert f"{0x4A000000 + 100:x}" in body and f"{0x4A000000 + 299:x}" in body
    assert f"{0x4A000000 + 300:x}" not in body and f"{0x4A000000 + 302:x}" not in body


def test_certificate_text_renders_as_inert_text(report: str) -> None:
    assert "<script" not in report.lower()
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
    assert not names & {"script", "link", "img", "iframe", "object", "embed", "base", "form"}
    for tag, attrs in parsed.tags:
        assert not {"src", "srcset", "action", "formaction", "background"} & attrs.keys(), tag
        assert not any(a.startswith("on") for a in attrs), (tag, attrs)
        href = attrs.get("href")
        if href is not None:
            assert href.startswith("#") or re.fullmatch(
                r"https://crt\.sh/\?sha256=[0-9a-f]{64}", href
            )
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
