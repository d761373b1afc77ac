"""The report by certificate family (audit/engine/profiles.py: `Family`): the population and its
findings per family, each family's problems, the filter by family, and the family of each row
in the CSV lists; counted in the summary, over batches as small as one likes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from audit.engine.profiles import FAMILY_TITLES, Family, Profile, family
from audit.engine.registry import SOURCE_TITLES, Catalogue, Source
from audit.report import summary as summary_module
from audit.report.catalogue import catalogue_text
from audit.report.render import render_report
from audit.report.summary import summarize
from tests.test_report import (
    CATALOGUE,
    DECODE,
    ENTROPY,
    LOCALITY,
    VALIDITY,
    RunBuilder,
    catalogue_entry,
    cert,
    read_csv,
    rows,
    section,
    text,
)
from tests.test_report_browser import (  # noqa: F401 - the browser and its pages: fixtures
    SHOWN_LINTS,
    SHOWN_ROWS,
    assert_clean_load,
    browser,
    open_page,
)

SMIME_LINT = "smime_mailbox_address_in_san"
CS_LINT = "code_signing_key_size"
CATALOGUE_WITH_FAMILIES = [
    *CATALOGUE,
    catalogue_entry(SMIME_LINT, "error", "S/MIME BR 7.1.2.3(h)", "community"),
    catalogue_entry(CS_LINT, "warn", "CS BR 6.1.5", "community"),
]
CA = "CN=Example Root,O=Example Trust,C=US"


def family_run() -> RunBuilder:
    """Certificates of each family: 4 TLS, 2 CA, 3 S/MIME, 2 code signing, 1 time stamping,
    1 OCSP responder, 1 non-TLS and 1 undecodable row (other)."""
    b = RunBuilder()
    b.add(cert(0), (LOCALITY, "error", "O without L"), (ENTROPY, "warn", "40 bits"))
    b.add(cert(1, profile="precertificate_dv"), (VALIDITY, "error", "1095 days"))
    b.add(cert(2, profile="subscriber_ev"))
    b.add(cert(3, profile="subscriber_dv"), (ENTROPY, "warn", "63 bits"))
    b.add(cert(4, issuer=CA, profile="root_ca"))
    b.add(cert(5, issuer=CA, profile="subordinate_ca"), (VALIDITY, "error", "9999 days"))
    b.add(cert(6, profile="smime_mailbox_strict"), (SMIME_LINT, "error", "no rfc822Name"))
    b.add(cert(7, profile="smime_individual_legacy"), (SMIME_LINT, "error", "no rfc822Name"))
    b.add(cert(8, profile="smime_unmarked"), (ENTROPY, "warn", "32 bits"))
    b.add(cert(9, profile="code_signing"), (CS_LINT, "warn", "2048-bit RSA"))
    b.add(cert(10, profile="ev_code_signing"))
    b.add(cert(11, profile="time_stamping"), (CS_LINT, "warn", "2048-bit RSA"))
    b.add(cert(12, profile="ocsp_responder"))
    b.add(cert(13, profile="non_tls"))
    b.add(
        cert(14) | {"profile": "unknown", "decoded": False, "issuer": None, "subject": None},
        (DECODE, "fatal", "not a certificate"),
    )
    return b


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return family_run().write(
        tmp_path_factory.mktemp("families") / "run", catalogue=CATALOGUE_WITH_FAMILIES
    )


@pytest.fixture(scope="module")
def report(run_dir: Path) -> str:
    return render_report(run_dir).read_text(encoding="utf-8")


def test_every_profile_has_a_family_and_every_family_a_title() -> None:
    assert set(FAMILY_TITLES) == set(Family)
    assert {family(p) for p in Profile} == set(Family)


def test_every_source_has_a_title() -> None:
    """`certcensus lints` and the report name each source by its title (a source added to the
    enum needs one in SOURCE_TITLES)."""
    assert set(SOURCE_TITLES) == set(Source)
    listing = catalogue_text(Catalogue.load())
    for source in {x.source for x in Catalogue.load()}:
        assert f"{SOURCE_TITLES[source]} [{source}] — " in listing


def test_population_and_findings_by_family(report: str) -> None:
    body = section(report, "by-family")
    # family, certificates, with findings, with fatal/error/warn/notice/info, findings, problems
    assert rows(body) == [
        "CA certificates 2 1 0 1 0 0 0 1 1",
        "TLS server certificates and precertificates 4 3 0 2 2 0 0 4 2",
        "S/MIME certificates 3 3 0 2 1 0 0 3 1",
        "Code-signing certificates 2 1 0 0 1 0 0 1 0",
        "Time-stamping certificates 1 1 0 0 1 0 0 1 0",
        "OCSP responder certificates 1 0 0 0 0 0 0 0 0",
        "Other certificates (outside every CA/B Forum BR, or undecodable) (1 not decodable) "
        "2 1 1 0 0 0 0 1 1",
    ]
    problems = [text(li) for li in re.findall(r"<li data-family[^>]*>(.*?)</li>", body, re.S)]
    assert problems == [
        f"CA certificates: 1 problem: {VALIDITY} 1.",
        f"TLS server certificates and precertificates: 2 problems: {VALIDITY} 1, {LOCALITY} 1; "
        "1 lint with warnings, notices or info only.",
        f"S/MIME certificates: 1 problem: {SMIME_LINT} 2; 1 lint with warnings, notices or info "
        "only.",
        "Code-signing certificates: no problem; 1 lint with warnings, notices or info only.",
        "Time-stamping certificates: no problem; 1 lint with warnings, notices or info only.",
        f"Other certificates (outside every CA/B Forum BR, or undecodable): 1 problem: {DECODE} 1.",
    ]
    assert f'href="#lint-{SMIME_LINT}"' in body
    assert '<a href="#by-family">By certificate family</a>' in report


def test_each_problem_names_its_families(report: str) -> None:
    validity = section(report, f"lint-{VALIDITY}")
    assert "· in CA 1, TLS 1" in text(validity)
    families = dict(
        re.findall(r'<section class="lint" id="lint-([^"]+)"[^>]*data-families="([^"]*)"', report)
    )
    assert families == {
        DECODE: "other",
        VALIDITY: "ca tls",
        LOCALITY: "tls",
        SMIME_LINT: "smime",
        ENTROPY: "tls smime",
        CS_LINT: "code_signing time_stamping",
    }
    # the rows of the table of lints carry the same, for the filter
    assert re.search(rf'<tr data-lint="{ENTROPY}"[^>]*data-families="tls smime"', report)
    options = re.findall(r'<select name="family">(.*?)</select>', report, re.S)
    assert options and re.findall(r'<option value="([a-z_]*)">', options[0]) == [
        "", "ca", "tls", "smime", "code_signing", "time_stamping", "ocsp", "other",
    ]  # fmt: skip


def test_family_counts_reconcile_and_stream_in_small_batches(
    run_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = summarize(run_dir)
    assert sum(f.certificates for f in whole.by_family) == whole.population == 15
    assert sum(f.findings for f in whole.by_family) == sum(x.certificates for x in whole.lints)
    for status in ("fatal", "error", "warn"):
        assert sum(f.with_status[status] for f in whole.by_family) == next(
            line.certificates for line in whole.statuses if line.status == status
        )
    for x in whole.lints:
        assert sum(n for by in x.families.values() for n in by.values()) == x.certificates
    monkeypatch.setattr(summary_module, "BATCH_ROWS", 2)
    monkeypatch.setattr(summary_module, "_FOLD_AT", 1)
    small = summarize(run_dir)
    assert [(x.name, x.families) for x in small.lints] == [
        (x.name, x.families) for x in whole.lints
    ]
    assert [shape_of(f) for f in small.by_family] == [shape_of(f) for f in whole.by_family]


def shape_of(f: summary_module.FamilyLine) -> tuple:
    return (f.key, f.certificates, f.with_status, f.findings, f.other_lints,
            [(x.name, n) for x, n in f.problems])  # fmt: skip


def test_the_lists_name_each_certificates_family(run_dir: Path, report: str) -> None:
    listed = read_csv(run_dir / "report-files" / f"{VALIDITY}.csv")
    assert [(r["profile"], r["family"]) for r in listed] == [
        ("precertificate_dv", "tls"),
        ("subordinate_ca", "ca"),
    ]
    assert [r["family"] for r in read_csv(run_dir / "report-files" / f"{DECODE}.csv")] == ["other"]


# -- the filter, in Chromium (tests/test_report_browser.py) --------------------------------------


def test_filter_by_family_in_chromium(run_dir: Path, report: str, open_page: Any) -> None:  # noqa: F811
    page = open_page(run_dir / "report.html")
    assert_clean_load(page, run_dir / "report.html")
    every = page.evaluate(SHOWN_LINTS)
    assert len(every) == 6

    def shown() -> set[str]:
        return {name for name, _, _ in page.evaluate(SHOWN_LINTS)}

    page.page.select_option("#filter select[name=family]", "smime")
    assert shown() == {SMIME_LINT, ENTROPY}
    assert page.evaluate(SHOWN_ROWS) == 2
    count = page.evaluate("document.querySelector('#filter .filter-count').textContent")
    assert count == "2 of 6 problems shown"
    page.page.select_option("#filter select[name=severity]", "error")
    assert shown() == {SMIME_LINT}
    page.page.select_option("#filter select[name=family]", "tls")
    assert shown() == {VALIDITY, LOCALITY}
    page.page.select_option("#filter select[name=family]", "ocsp")
    assert shown() == set()
    page.page.select_option("#filter select[name=severity]", "")
    page.page.select_option("#filter select[name=family]", "")
    assert page.evaluate(SHOWN_LINTS) == every
    assert page.problems() == [] and page.requests() == [page.url]
