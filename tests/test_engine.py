"""The engine's own promises, checked over zlint's corpus of odd certificates."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.engine.inputs import certificates_in_file
from audit.engine.registry import Catalogue
from audit.engine.runner import Engine
from audit.engine.status import Status

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "zlint" / "certs"


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
