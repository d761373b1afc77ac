"""Results shared across certificates (audit/engine/memo.py) are the results each certificate
would get on its own: the same findings, messages included, in the same order."""

from __future__ import annotations

import importlib
import pkgutil
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import partial

import pytest

import tests.lints as golden_modules
from audit.engine import memo, oids
from audit.engine.certview import CertView
from audit.engine.registry import Catalogue, Lint, Source
from audit.engine.runner import Engine
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.sample_db.certbuilder import der
from tests.lints.golden import Case


def _findings(engine: Engine, ders: Iterable[bytes]) -> list[list[tuple[str, str, str]]]:
    return [
        [
            (r.lint.name, r.status.label, r.message)
            for r in engine.lint_der(d, findings_only=True).results
        ]
        for d in ders
    ]


def _golden_certificates() -> list[bytes]:
    """Every golden case's certificate: hundreds of certificates built from one template, so
    they share most parts and differ in the one a case is about (what sharing must respect)."""
    out = []
    for module in pkgutil.iter_modules(golden_modules.__path__):
        cases = getattr(importlib.import_module(f"tests.lints.{module.name}"), "CASES", [])
        out += [
            c.cert if isinstance(c.cert, bytes) else der(c.cert)
            for c in cases
            if isinstance(c, Case)
        ]
    return out


def test_shared_findings_equal_unshared_on_the_golden_certificates() -> None:
    ders = _golden_certificates()
    assert len(ders) > 500
    catalogue = Catalogue.load()
    shared = Engine(catalogue)
    assert _findings(shared, ders) == _findings(Engine(catalogue, share=False), ders)
    # and sharing happened: some group found results to reuse
    hits = sum(g.hits for t in shared._by_profile.values() for g in t._groups.values())
    assert hits > 1000


def test_shared_findings_equal_unshared_on_the_sample_database(sample_db: str) -> None:
    path = sample_db.removeprefix("sqlite:///")
    ders = [
        bytes(r[0])
        for r in sqlite3.connect(path).execute("SELECT der FROM certificates WHERE der IS NOT NULL")
    ]
    catalogue = Catalogue.load()
    assert _findings(Engine(catalogue), ders) == _findings(Engine(catalogue, share=False), ders)


# -- what a lint reads, from its code --------------------------------------------------------


def _lint(check, when=None) -> Lint:  # type: ignore[no-untyped-def]
    return Lint(
        name="t", description="", citation="", source=Source.COMMUNITY, severity=Status.ERROR,
        applies_to=frozenset(), effective=dates.ALWAYS, check=check, when=when,
    )  # fmt: skip


def _policies_only(cert: CertView) -> Outcome:
    return fail("none") if not cert.policies else PASS


def _helper_reads_validity(cert: CertView) -> bool:
    return cert.validity_days > 398


def _calls_helper(cert: CertView) -> Outcome:
    return fail("long") if cert.policies and _helper_reads_validity(cert) else PASS


def _reads_the_clock(cert: CertView) -> Outcome:
    return fail("x") if cert.policies and datetime.now(UTC).year > 2030 else PASS


def _has_policy(oid: str, cert: CertView) -> bool:
    return oid in (cert.policies or ())


def _with_helper(helper, cert: CertView) -> Outcome:  # type: ignore[no-untyped-def]
    return fail("x") if helper(cert) else PASS


def _computed_name(cert: CertView) -> Outcome:
    return PASS if getattr(cert, "subject") else fail("x")  # noqa: B009 - what the test is about


@pytest.mark.parametrize(
    ("check", "when", "expected"),
    [
        (_policies_only, None, (f"ext:{oids.CERTIFICATE_POLICIES}",)),
        (
            _policies_only,
            lambda cert: cert.subject.values("2.5.4.10"),
            (f"ext:{oids.CERTIFICATE_POLICIES}", "subject"),
        ),
        (_calls_helper, None, None),  # a helper it calls reads the validity: not shared
        (_computed_name, None, None),  # getattr: the walk cannot tell what it reads
        (lambda cert: PASS if cert.der else fail("x"), None, None),  # the raw DER: per certificate
        (lambda cert: PASS if cert.profile else fail("x"), None, ()),  # the profile alone
        (_reads_the_clock, None, None),  # the same parts, another result tomorrow: not shared
        # a partial (how a lint module makes a predicate per OID): its function is read, and
        # any function among its arguments
        (
            _policies_only,
            partial(_has_policy, "2.23.140.1.2.1"),
            (f"ext:{oids.CERTIFICATE_POLICIES}",),
        ),
        (partial(_with_helper, _helper_reads_validity), None, None),
    ],
)
def test_reads_follows_the_code(check, when, expected) -> None:  # type: ignore[no-untyped-def]
    assert memo.reads(_lint(check, when)) == expected


def test_every_part_a_lint_may_read_can_be_keyed_on() -> None:
    """A part name `PartsKey` does not know would make its group fall back to running
    unshared for every certificate, silently: every part the accessors map to has a reader."""
    shared = [x for x in Catalogue.load() if memo.reads(x)]
    assert len(shared) > 80
    view = CertView(_golden_certificates()[0])
    parts = {p for ps in memo._ACCESSOR_PARTS.values() for p in ps}
    key = memo.PartsKey(tuple(sorted(parts))).of(view)
    assert len(key) == len(parts)
    assert any(k is not None for k in key)
    hash(key)
    with pytest.raises(KeyError):
        memo.PartsKey(("serial",))
