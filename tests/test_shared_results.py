"""Results shared across certificates (audit/engine/shared.py) are the results each certificate
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
from audit.engine import oids, parts
from audit.engine.certview import CertView
from audit.engine.profiles import Profile
from audit.engine.registry import Catalogue, Lint, Source
from audit.engine.runner import Engine
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.sample_db.certbuilder import CertSpec, der
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
    groups = {id(g): g for t in shared._by_profile.values() for g in t._groups.values()}
    hits = sum(g.hits for g in groups.values())
    assert hits > 1000


def test_shared_findings_equal_unshared_on_the_sample_database(sample_db: str) -> None:
    path = sample_db.removeprefix("sqlite:///")
    ders = [
        bytes(r[0])
        for r in sqlite3.connect(path).execute("SELECT der FROM certificates WHERE der IS NOT NULL")
    ]
    catalogue = Catalogue.load()
    assert _findings(Engine(catalogue), ders) == _findings(Engine(catalogue, share=False), ders)


# -- what a lint reads, found as it runs ------------------------------------------------------


def _lint(check, when=None, applies=frozenset()) -> Lint:  # type: ignore[no-untyped-def]
    return Lint(
        name="t", description="", citation="", source=Source.COMMUNITY, severity=Status.ERROR,
        applies_to=applies, effective=dates.ALWAYS, check=check, when=when,
    )  # fmt: skip


def _policies_only(cert: CertView) -> Outcome:
    return fail("none") if not cert.policies else PASS


def _helper_reads_validity(cert: CertView) -> bool:
    return cert.validity_days > 398


def _calls_helper(cert: CertView) -> Outcome:
    return fail("long") if cert.policies and _helper_reads_validity(cert) else PASS


def _has_policy(oid: str, cert: CertView) -> bool:
    return oid in (cert.policies or ())


def _policy_present(oid: str):  # type: ignore[no-untyped-def]
    def present(cert: CertView) -> bool:  # a closure: nothing to declare
        return oid in (cert.policies or ())

    return present


def _with_helper(helper, cert: CertView) -> Outcome:  # type: ignore[no-untyped-def]
    return fail("x") if helper(cert) else PASS


def _computed_name(cert: CertView) -> Outcome:
    return PASS if getattr(cert, "subject") else fail("x")  # noqa: B009 - what the test is about


def _swallows(cert: CertView) -> Outcome:
    try:
        return fail("x") if cert.serial else PASS
    except BaseException:  # noqa: BLE001 - a lint that hides what it was told
        return PASS


def _by_oid(cert: CertView) -> Outcome:
    aia = cert.extensions.get(oids.AUTHORITY_INFO_ACCESS)
    return PASS if aia and oids.KEY_USAGE in cert.extensions else fail("x")


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        (_policies_only, (f"ext:{oids.CERTIFICATE_POLICIES}",)),
        (_calls_helper, None),  # a helper it calls reads the validity: per certificate
        (_computed_name, ("subject",)),  # getattr goes through the view like any other read
        (lambda cert: PASS if cert.der else fail("x"), None),  # the raw DER: per certificate
        (lambda cert: PASS if cert.profile else fail("x"), ()),  # the profile alone
        (lambda cert: PASS if cert.as_of.year > 2000 else fail("x"), None),  # the audit's time
        (partial(_has_policy, "2.23.140.1.2.1"), (f"ext:{oids.CERTIFICATE_POLICIES}",)),
        (_policy_present("2.23.140.1.2.1"), (f"ext:{oids.CERTIFICATE_POLICIES}",)),
        (partial(_with_helper, _helper_reads_validity), None),
        (_swallows, None),  # caught what it was told: still not shared
        (lambda cert: len(cert.extensions), None),  # every extension: not a part
        (lambda cert: cert.extensions == {}, None),
        (lambda cert: isinstance(cert, CertView) and cert.policies, None),  # what it is
        (_by_oid, (f"ext:{oids.AUTHORITY_INFO_ACCESS}", f"ext:{oids.KEY_USAGE}")),
        (
            lambda cert: cert.is_self_issued and cert.has_extension(oids.NAME_CONSTRAINTS),
            ("issuer", "subject"),  # and not the extension: not reached on this certificate
        ),
    ],
)
def test_what_a_lint_reads_is_found_as_it_runs(check, expected) -> None:  # type: ignore[no-untyped-def]
    view = CertView(der(CertSpec()))
    view.as_of = datetime(2026, 1, 1, tzinfo=UTC)
    assert parts.parts_read(check, view) == expected


def test_every_part_an_accessor_declares_can_be_keyed_on() -> None:
    """A part name `PartsKey` does not know would make its group fall back to running
    unshared for every certificate, silently: every part the accessors declare has a reader."""
    declared, by_oid = parts.declared(CertView)
    assert {"issuer", "policies", "is_ca", "key_algorithm"} <= set(declared)
    assert {"has_extension", "is_critical"} <= by_oid
    assert not {"serial", "not_after", "der", "key", "san", "as_of"} & set(declared)
    view = CertView(der(CertSpec()))
    every = {p for ps in declared.values() for p in ps}
    key = parts.PartsKey(tuple(sorted(every))).of(view)
    assert len(key) == len(every)
    assert any(k is not None for k in key)
    hash(key)
    with pytest.raises(KeyError):
        parts.PartsKey(("serial",))


def test_the_engine_learns_what_the_catalogue_reads() -> None:
    """Most lints are found to read parts only (and are shared), and the rest per certificate."""
    engine = Engine(Catalogue.load())
    _findings(engine, [der(CertSpec(serial=n, days=90 + n)) for n in range(1, 40)])
    learned = engine._reads.parts  # type: ignore[union-attr]
    assert sum(p is not None for p in learned.values()) > 80
    assert any(p is None for p in learned.values())


# -- a lint that reads an undeclared part through a class of its own -------------------------


class _SerialRule:
    """A project class the lint hands the certificate to: its method reads the serial, which
    no shared key holds (a walk over the lint's code would not follow it)."""

    def __init__(self, cert: CertView) -> None:
        self.cert = cert

    def odd(self) -> bool:
        return self.cert.serial % 2 == 1


def _policies_and_serial(cert: CertView) -> Outcome:
    if not cert.policies:
        return PASS
    return fail("odd serial") if _SerialRule(cert).odd() else PASS


def _catalogue_of(check) -> Catalogue:  # type: ignore[no-untyped-def]
    return Catalogue((_lint(check, None, applies=frozenset(Profile)),))


def test_a_lint_reading_an_undeclared_part_through_a_class_leaves_its_group() -> None:
    """Certificates alike but for their serials: had the lint's result been shared by its
    policies, every certificate would get the first one's finding."""
    ders = [der(CertSpec(serial=0x1000 + n)) for n in range(12)]
    catalogue = _catalogue_of(_policies_and_serial)
    engine = Engine(catalogue)
    shared = _findings(engine, ders)
    assert shared == _findings(Engine(catalogue, share=False), ders)
    assert [bool(f) for f in shared] == [n % 2 == 1 for n in range(12)]
    assert shared[1] == [("t", "error", "odd serial")]
    # it left the group it started in: it runs per certificate from now on
    assert engine._reads.parts == {catalogue.lints[0]: None}  # type: ignore[union-attr]


def _policies_and_the_audit_year(cert: CertView) -> Outcome:
    return fail("audited from 2030") if cert.policies and cert.as_of.year >= 2030 else PASS


def test_the_audits_time_reaches_lints_as_a_per_certificate_read() -> None:
    """`cert.as_of` is the engine's time of the audit, read like any per-certificate part: a
    lint reading it is not shared by its policies alone."""
    ders = [der(CertSpec(serial=0x2000 + n)) for n in range(3)]
    catalogue = _catalogue_of(_policies_and_the_audit_year)
    found = {
        year: _findings(Engine(catalogue, datetime(year, 6, 1, tzinfo=UTC)), ders)
        for year in (2029, 2030)
    }
    assert found[2029] == [[], [], []]
    assert found[2030] == [[("t", "error", "audited from 2030")]] * 3
    engine = Engine(catalogue, datetime(2030, 6, 1, tzinfo=UTC))
    _findings(engine, ders)
    assert engine._reads.parts == {catalogue.lints[0]: None}  # type: ignore[union-attr]
