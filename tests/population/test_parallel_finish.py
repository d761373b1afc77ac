"""The population pass as tasks (issue #17): on a 2-worker cluster, in one process or with its
tasks in another order, the same findings (row for row), counts and run.json scope; a lint is
given only the prepared inputs it declares; the staging directory is gone afterwards."""

from __future__ import annotations

import dataclasses
import random
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine

from audit.engine.registry import Catalogue, Lint
from audit.jobs import quarterly_audit
from audit.jobs.cluster import dask_client
from audit.jobs.quarterly_audit import AuditRequest, run_audit
from audit.outputs.parts import CERTIFICATES_DIR, FINDINGS_DIR
from audit.outputs.reader import part_files
from audit.population.apply import (
    Population,
    PopulationContext,
    UndeclaredInputError,
    apply_population_lints,
    counts_from_outputs,
)
from audit.population.batch_gcd import Mapper, local_map
from audit.population.hits import STAGING_DIR, CountChange
from audit.population.rsa_moduli import cluster_map
from audit.sample_db import certbuilder, schema
from audit.sample_db.certbuilder import ec_key
from tests.population.rows import certificate_row
from tests.population.test_key_lints import (
    AS_OF,
    ISSUED,
    SHARED_KEYS,
    SHARED_PRIMES,
    WEAK,
    _blocklist,
    _dv,
    _prime,
    _revoked,
    _rsa_public,
)

PARTITIONS = 3
SERIAL = 0x5A3F9C2E77D1B0486E2A9F13C4D5E6F7


_row = certificate_row


@pytest.fixture(scope="module")
def unlinted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A run whose partitions are written and whose population lints have not run yet (the
    job's call of them made a no-op), with a badkeys blocklist; certificates that several
    population lints flag, some by more than one."""
    tmp = tmp_path_factory.mktemp("unlinted")
    rng = random.Random(17)
    prime = _prime(rng)
    listed = _rsa_public(_prime(rng), _prime(rng))
    rows = [
        # One key for two unrelated subscribers, and the same serial under one issuer.
        _row(1, _dv("shop.alpha-widgets.com", ec_key("secp256r1", 201)), SERIAL),
        _row(2, _dv("www.beta-bakery.org", ec_key("secp256r1", 201)), SERIAL),
        _row(3, _dv("c.example.com", ec_key("secp256r1", 202)), 0x1000),
        _row(4, _dv("d.example.com", ec_key("secp256r1", 203)), 0x1001),  # sequential
        _row(5, _dv("rsa-one.example.net", _rsa_public(prime, _prime(rng)))),
        _row(6, _dv("rsa-two.example.org", _rsa_public(prime, _prime(rng)))),  # a shared prime
        _row(7, _dv("small.example.com", _rsa_public(65537, _prime(rng, 2031)))),
        _row(8, _dv("listed.example.com", listed)),  # on the blocklist
        _row(9, _dv("leaked.example.com", ec_key("secp256r1", 204)), **_revoked(ISSUED, 1)),
        _row(10, _dv("leaked.example.com", ec_key("secp256r1", 204))),  # a compromised key
        _row(11, _dv("ca-key.example.com", certbuilder.test_issuer().key.public_key())),
        *(
            _row(i, _dv(f"fine-{i}.example.com", ec_key("secp256r1", 300 + i)))
            for i in range(12, 18)
        ),
    ]
    engine = create_engine(f"sqlite:///{tmp / 'ca.sqlite'}")
    schema.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(schema.certificates.insert(), rows)
    data = tmp / "badkeys"
    data.mkdir()
    _blocklist(data, {listed.public_numbers().n: 7}, {7: "testkeys"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(quarterly_audit, "apply_population_lints", lambda *_: CountChange())
        outcome = run_audit(
            AuditRequest(
                db_url=f"sqlite:///{tmp / 'ca.sqlite'}", as_of=AS_OF, out_dir=tmp / "runs",
                workers=1, partitions=PARTITIONS,
            )
        )  # fmt: skip
    assert not list((outcome.run_dir / FINDINGS_DIR).glob("part-population*"))
    return outcome.run_dir, data


def _population_lints() -> list[Lint]:
    return [x for x in Catalogue.load() if x.population_check is not None]


def _finish(
    unlinted: tuple[Path, Path], to: Path, map_: Mapper, lints: list[Lint] | None = None
) -> tuple[Path, int, dict[str, Any]]:
    """The population pass over a copy of the unlinted run: its directory, findings, scope."""
    source, data = unlinted
    run_dir = Path(shutil.copytree(source, to))
    scope: dict[str, Any] = {}
    context = PopulationContext(map_, data, scope)
    added = apply_population_lints(run_dir, lints or _population_lints(), context)
    scope["batch_gcd"].pop("seconds")  # a time: the one thing two passes differ in
    return run_dir, added, scope


def _rows(run_dir: Path, sub: str) -> list[dict[str, Any]]:
    """A dataset's rows, part files in name order, rows in file order (no sorting)."""
    return [r for path in part_files(run_dir / sub) for r in pq.read_table(path).to_pylist()]


def _reversed_map(function: Any, items: list[Any]) -> list[Any]:
    """Every task here, the last first; the results in the items' order."""
    return [function(item) for item in reversed(items)][::-1]


@pytest.fixture(scope="module")
def in_one_process(
    unlinted: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, int, dict[str, Any]]:
    return _finish(unlinted, tmp_path_factory.mktemp("local") / "run", local_map)


def test_the_pass_finds_each_lints_certificates(unlinted, in_one_process) -> None:  # type: ignore[no-untyped-def]
    run_dir, added, scope = in_one_process
    findings = _rows(run_dir, FINDINGS_DIR)
    population = [f for f in findings if f["source"] == "population"]
    assert added.rows == len(population)
    # What the pass returns, added to the partitions' counts, is what the Parquet now says.
    before, after = counts_from_outputs(unlinted[0]), counts_from_outputs(run_dir)
    for name in ("findings", "certificates_with", "certificates_worst"):
        was, now, change = getattr(before, name), getattr(after, name), getattr(added, name)
        assert {k: was[k] + change[k] for k in was} == now, name
    assert sum(added.certificates_worst.values()) == sum(after.certificates_worst.values()) - sum(
        before.certificates_worst.values()
    )
    found = {(f["cert_id"], f["lint"]) for f in population}
    assert {
        ("1", SHARED_KEYS),
        ("2", SHARED_KEYS),
        ("5", SHARED_PRIMES),
        ("6", SHARED_PRIMES),
    } <= found
    assert {("7", WEAK), ("8", WEAK), ("1", "population_serial_unique_per_issuer")} <= found
    assert ("10", "population_key_compromised_key_not_in_active_certificate") in found
    assert ("11", "population_subscriber_key_not_a_ca_key") in found
    # One population part per certificates part with a finding (`part-population-NNNNN`, by
    # its partition), after the partitions' own parts.
    names = [p.name for p in part_files(run_dir / FINDINGS_DIR)]
    touched = {f["cert_id"] for f in population}
    partitions = {
        c["partition"] for c in _rows(run_dir, CERTIFICATES_DIR) if c["cert_id"] in touched
    }
    expected = [f"part-population-{p:05d}.parquet" for p in sorted(partitions)]
    assert len(expected) > 1
    assert names[-len(expected) :] == expected
    assert not [n for n in names[: -len(expected)] if "population" in n]
    # The certificates' counts are the findings' (the partitions' and the population's).
    by_status = Counter(f["status"] for f in findings)
    assert {k: v for k, v in counts_from_outputs(run_dir).findings.items() if v} == by_status
    assert set(scope) == {"batch_gcd", "key_checks"}
    assert scope["batch_gcd"]["distinct_rsa_moduli"] == 4
    assert "blocklist" in scope["key_checks"]["ran"]
    assert not (run_dir / STAGING_DIR).exists()


def test_the_cluster_and_any_task_order_give_the_same_outputs(  # type: ignore[no-untyped-def]
    unlinted, in_one_process, tmp_path: Path
) -> None:
    here, added, scope = in_one_process
    with dask_client(2) as client:
        there = _finish(unlinted, tmp_path / "cluster", cluster_map(client))
    backwards = _finish(unlinted, tmp_path / "reversed", _reversed_map)
    for run_dir, their_added, their_scope in (there, backwards):
        assert their_added == added
        assert their_scope == scope
        for sub in (FINDINGS_DIR, CERTIFICATES_DIR):
            assert _rows(run_dir, sub) == _rows(here, sub), sub
        assert [p.name for p in part_files(run_dir / FINDINGS_DIR)] == [
            p.name for p in part_files(here / FINDINGS_DIR)
        ]
        assert not (run_dir / STAGING_DIR).exists()


def test_a_lint_reading_an_input_it_does_not_declare_is_refused(
    unlinted: tuple[Path, Path], tmp_path: Path
) -> None:
    by_name = Catalogue.load().by_name
    undeclared = dataclasses.replace(by_name[SHARED_PRIMES], population_inputs=())
    with pytest.raises(UndeclaredInputError, match=rf"{SHARED_PRIMES}.*rsa_modulus_factors"):
        _finish(unlinted, tmp_path / "run", local_map, [undeclared])
    assert not (tmp_path / "run" / STAGING_DIR).exists()
    assert not list((tmp_path / "run" / FINDINGS_DIR).glob("part-population*"))


def test_an_input_nothing_prepares_is_refused_before_any_lint_runs(
    unlinted: tuple[Path, Path], tmp_path: Path
) -> None:
    unknown = dataclasses.replace(
        Catalogue.load().by_name[SHARED_PRIMES], population_inputs=("no_such_input",)
    )
    with pytest.raises(LookupError, match="no @population_input prepares 'no_such_input'"):
        _finish(unlinted, tmp_path / "run", local_map, [unknown])


def test_a_lint_called_on_its_own_prepares_its_inputs(  # type: ignore[no-untyped-def]
    unlinted, in_one_process
) -> None:
    run_dir = unlinted[0]
    check = Catalogue.load().by_name[SHARED_PRIMES].population_check
    assert check is not None
    alone = sorted(check(Population(run_dir / CERTIFICATES_DIR)))
    in_pass = sorted(
        (f["cert_id"], f["message"])
        for f in _rows(in_one_process[0], FINDINGS_DIR)
        if f["lint"] == SHARED_PRIMES
    )
    assert alone == in_pass and len(alone) == 2


def test_a_part_finished_again_does_not_count_twice(  # type: ignore[no-untyped-def]
    unlinted, in_one_process, tmp_path: Path
) -> None:
    """A task done again (its worker lost after it rewrote the part) adds nothing twice."""
    done, added, _ = in_one_process
    again = Path(shutil.copytree(done, tmp_path / "again"))
    context = PopulationContext(local_map, unlinted[1])
    assert apply_population_lints(again, _population_lints(), context) == added
    for sub in (FINDINGS_DIR, CERTIFICATES_DIR):
        assert _rows(again, sub) == _rows(done, sub), sub
