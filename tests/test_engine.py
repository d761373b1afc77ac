"""The engine's own promises, checked over zlint's corpus of odd certificates."""

from __future__ import annotations

import pytest

from audit.engine.certview import RowFacts
from audit.engine.inputs import certificates_in_file
from audit.engine.registry import Catalogue
from audit.engine.runner import BATCH, CertReport, Engine
from audit.engine.status import Status
from tests.zlint_conformance import CORPUS as ZLINT_CORPUS

CORPUS = ZLINT_CORPUS / "certs"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(Catalogue.load())


@pytest.fixture(scope="module")
def corpus() -> list[bytes]:
    files = sorted(CORPUS.rglob("*.pem"))
    assert len(files) > 1000, f"the zlint corpus is expected at {CORPUS}"
    return [certificates_in_file(f.read_bytes())[0] for f in files]


def test_findings_only_mode_finds_exactly_what_the_full_mode_finds(
    engine: Engine, corpus: list[bytes]
) -> None:
    for der in corpus:
        full = {(r.lint.name, r.status, r.message) for r in engine.lint_der(der).findings}
        fast = {
            (r.lint.name, r.status, r.message)
            for r in engine.lint_der(der, findings_only=True).results
        }
        assert fast == full


def test_every_lint_gets_a_status_for_every_corpus_certificate(
    engine: Engine, corpus: list[bytes]
) -> None:
    """No exception escapes the engine, whatever the certificate."""
    for der in corpus:
        report = engine.lint_der(der)
        assert report.error or len(report.results) == sum(
            1 for x in engine.catalogue if report.profile in x.applies_to
        )


def test_not_a_certificate_is_one_fatal_finding(engine: Engine) -> None:
    for junk in (
        b"",
        b"garbage",
        b"\x30\x82\x01\x00",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    ):
        report = engine.lint_der(junk)
        assert report.error
        assert [(r.lint.name, r.status) for r in report.results] == [
            ("certificate_decodes_strictly", Status.FATAL)
        ]


def _found(report: CertReport) -> tuple[object, ...]:
    findings = tuple((r.lint.name, r.status, r.message) for r in report.results)
    return report.sha256, report.profile, report.error, findings


def test_a_batch_finds_what_each_certificate_alone_finds(corpus: list[bytes]) -> None:
    """A run lints BATCH certificates at a time, stage by stage, lint by lint over the batch:
    the zlint corpus (odd certificates of every profile), junk and a row without certificate
    data, mixed, give each the findings it gets linted on its own, in the same order."""
    rows: list[tuple[bytes | None, RowFacts | None]] = [(der, None) for der in corpus]
    rows[7:7] = [(b"garbage", None), (None, RowFacts("row-without-certificate"))]
    rows[BATCH + 3 : BATCH + 3] = [(corpus[0], RowFacts("the same certificate again"))]
    alone = Engine(Catalogue.load())
    expected = [
        _found(alone.lint_row(der, row) if row else alone.lint_der(der, findings_only=True))
        for der, row in rows
    ]
    batched = Engine(Catalogue.load())
    assert [_found(r) for r in batched.lint_rows(iter(rows))] == expected
    assert len(rows) % BATCH  # and the last batch was a short one


def _every_status(report: CertReport) -> tuple[object, ...]:
    statuses = tuple((r.lint.name, r.status, r.message) for r in report.results)
    return report.sha256, report.profile, report.error, statuses


def test_a_batch_keeping_every_status_gives_what_the_full_path_gives(
    corpus: list[bytes],
) -> None:
    """`lint_rows(every_status=True)` (what `lint --format json` prints) gives every lint's
    result, status and message, as `lint_der` does certificate by certificate: `na` and `ne`
    included, those a check returns itself with a message too. The same engine first lints the
    corpus findings-only, so that its shared groups hold findings when the full results are
    asked (the two are kept apart), and then a second time (from what it kept)."""
    rows: list[tuple[bytes | None, RowFacts | None]] = [(der, None) for der in corpus]
    rows[7:7] = [(b"garbage", None), (None, RowFacts("row-without-certificate"))]
    alone = Engine(Catalogue.load())
    expected = [
        _every_status(alone.lint_row(der, row) if not der else alone.lint_der(der, row))
        for der, row in rows
    ]
    batched = Engine(Catalogue.load())
    list(batched.lint_rows(iter(rows)))
    for _ in range(2):
        assert [_every_status(r) for r in batched.lint_rows(iter(rows), every_status=True)] == (
            expected
        )
    # and the findings-only path still finds what it found
    assert [_found(r) for r in batched.lint_rows(iter(rows))] == [
        _found(alone.lint_row(der, row)) for der, row in rows
    ]


def test_a_row_of_empty_bytes_stores_no_certificate(engine: Engine) -> None:
    """Empty bytes are no certificate: the row is keyed by its database key downstream, never by
    the SHA-256 of nothing (which two such rows would share)."""
    for stored in (None, b""):
        report = engine.lint_row(stored, None)
        assert report.sha256 == "" and report.view is None
        assert [r.lint.name for r in report.results] == ["database_row_has_certificate"]


def test_an_oversized_row_is_not_parsed(engine: Engine, corpus: list[bytes]) -> None:
    """Bounded work per certificate: bytes larger than any certificate may be are reported as
    not decodable without handing them to a parser (here, a real certificate padded past the
    bound, which a parser would otherwise read)."""
    from audit.engine.inputs import MAX_CERTIFICATE_BYTES

    padded = corpus[0] + b"\x00" * MAX_CERTIFICATE_BYTES
    report = engine.lint_row(padded, None)
    assert report.view is None
    (decode,) = report.results
    assert decode.lint.name == "certificate_decodes_strictly" and decode.status == Status.FATAL
    assert "larger than" in decode.message
