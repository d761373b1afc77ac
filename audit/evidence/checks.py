"""What a run directory must satisfy to be evidence: its population digest recomputes from its
certificates, its counts in run.json reconcile with its Parquet datasets, and its catalogue
matches the digest run.json records. Checked before a package is built and again on verify."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from audit.engine.status import FINDING_STATUSES
from audit.outputs.digest import population_digest
from audit.outputs.parts import CERTIFICATES_DIR
from audit.outputs.reader import RunDirectory
from audit.outputs.runjson import CATALOGUE_JSON

STATUSES = [s.label for s in FINDING_STATUSES]


@dataclass(frozen=True)
class Check:
    """One verification step: what was checked, whether it held, and in what way it did not."""

    name: str
    ok: bool
    detail: str = ""

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}" + (
            f": {self.detail}" if self.detail else ""
        )


def check_run_dir(run_dir: Path, run: dict[str, Any]) -> list[Check]:
    """Every content check, each reported on its own (one failing does not hide the others)."""
    return [
        _guard("population digest", lambda: _digest(run_dir, run)),
        _guard("counts", lambda: _counts(run_dir, run)),
        _guard("catalogue.json", lambda: _catalogue(run_dir, run)),
    ]


# A check gives its problems (none when it holds) and what it found when it holds.
Outcome = tuple[list[str], str]


def _guard(name: str, check: Callable[[], Outcome]) -> Check:
    try:
        problems, held = check()
    except (OSError, ValueError, KeyError, TypeError, RecursionError, pa.ArrowException) as exc:
        text = " ".join(str(exc).split())  # one line, whatever the library wrote
        return Check(name, False, f"could not be checked: {type(exc).__name__}: {text}")
    return Check(name, not problems, "; ".join(problems) or held)


def _digest(run_dir: Path, run: dict[str, Any]) -> Outcome:
    recorded = run.get("population_digest")
    actual = population_digest(run_dir / CERTIFICATES_DIR)
    if not isinstance(recorded, dict):
        return ["run.json has no population_digest"], ""
    problems = []
    for key in ("algorithm", "root", "leaves"):
        if recorded.get(key) != actual[key]:
            problems.append(
                f"run.json says {key} {recorded.get(key)!r}, the certificates dataset gives {actual[key]!r}"
            )
    return problems, f"recomputed over {actual['leaves']:,} certificates: root {actual['root']}"


def _counts(run_dir: Path, run: dict[str, Any]) -> Outcome:
    counts = run.get("counts")
    if not isinstance(counts, dict):
        return ["run.json has no counts"], ""
    n_cols = [f"n_{s}" for s in STATUSES]
    datasets = RunDirectory.building(run_dir, run)
    certs = datasets.certificates.to_table(columns=["cert_id", "decoded", *n_cols])
    findings = datasets.findings.to_table(columns=["cert_id", "lint", "status"])
    problems: list[str] = []

    def expect(what: str, recorded: object, actual: int) -> None:
        if recorded != actual:
            problems.append(f"run.json {what} is {recorded!r}, the datasets give {actual}")

    rows = certs.num_rows
    expect("counts.scanned", counts.get("scanned"), rows)
    expect("counts.active_in_database", counts.get("active_in_database"), rows)
    if counts.get("reconciled") is not True:
        problems.append("run.json counts.reconciled is not true: not the whole active population")
    distinct = pc.count_distinct(certs["cert_id"]).as_py() if rows else 0
    if distinct != rows:
        problems.append(f"certificates/ lists {rows - distinct} certificates more than once")
    not_decoded = pc.sum(pc.equal(pc.fill_null(certs["decoded"], True), False).cast(pa.int64()))
    expect("counts.not_decodable", counts.get("not_decodable"), not_decoded.as_py() or 0)

    by_status = {s: 0 for s in STATUSES}
    if findings.num_rows:
        for r in pc.value_counts(findings["status"]).to_pylist():
            by_status[r["values"]] = r["counts"]
    recorded_findings = counts.get("findings") or {}
    recorded_with = counts.get("certificates_with") or {}
    for s in sorted(set(by_status) | set(recorded_findings), key=str):
        expect(f"counts.findings.{s}", recorded_findings.get(s, 0), by_status.get(s, 0))
    for s, col in zip(STATUSES, n_cols, strict=True):
        with_s = pc.sum(pc.greater(pc.fill_null(certs[col], 0), 0).cast(pa.int64())).as_py() or 0
        expect(f"counts.certificates_with.{s}", recorded_with.get(s, 0), with_s)
        total = pc.sum(pc.fill_null(certs[col], 0).cast(pa.int64())).as_py() or 0
        if total != by_status.get(s, 0):
            problems.append(
                f"certificates/ counts {total} {s} findings (n_{s}), findings/ holds {by_status.get(s, 0)}"
            )
    if findings.num_rows:
        orphans = pc.sum(
            pc.invert(pc.is_in(findings["cert_id"], certs["cert_id"])).cast(pa.int64())
        )
        if orphans.as_py():
            problems.append(
                f"findings/ has {orphans.as_py()} rows for certificates not in certificates/"
            )
        pairs = findings.group_by(["cert_id", "lint"]).aggregate([("status", "count")])
        if pairs.num_rows != findings.num_rows:
            problems.append("findings/ holds the same (certificate, lint) more than once")
        problems += _per_certificate(certs, findings, n_cols)
    return problems, (
        f"run.json's counts reconcile with {rows:,} certificate rows and "
        f"{findings.num_rows:,} finding rows"
    )


def _per_certificate(certs: pa.Table, findings: pa.Table, n_cols: list[str]) -> list[str]:
    """Each certificate's n_<status> equals its finding rows at that status."""
    grouped = findings.group_by(["cert_id", "status"]).aggregate([("lint", "count")])
    problems = []
    for s, col in zip(STATUSES, n_cols, strict=True):
        rows = grouped.filter(pc.equal(grouped["status"], s)).select(["cert_id", "lint_count"])
        have = certs.select(["cert_id", col]).filter(pc.greater(pc.fill_null(certs[col], 0), 0))
        joined = have.join(rows, keys="cert_id", join_type="full outer")
        differ = pc.fill_null(
            pc.not_equal(joined[col].cast(pa.int64()), joined["lint_count"].cast(pa.int64())), True
        )
        bad = joined.filter(differ)
        if bad.num_rows:
            problems.append(
                f"{bad.num_rows} certificates' {col} disagree with their findings rows "
                f"(e.g. cert_id {bad['cert_id'][0].as_py()!r})"
            )
    return problems


def _catalogue(run_dir: Path, run: dict[str, Any]) -> Outcome:
    recorded = run.get("catalogue")
    if not isinstance(recorded, dict):
        return ["run.json has no catalogue"], ""
    entries = json.loads((run_dir / CATALOGUE_JSON).read_text(encoding="utf-8"))
    # The digest the run recorded is over the lints' metadata as the catalogue computes it.
    digest = hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()
    problems = []
    if digest != recorded.get("digest"):
        problems.append(
            f"its digest is {digest[:16]}…, run.json records {str(recorded.get('digest'))[:16]}…"
        )
    if recorded.get("lints") != len(entries):
        problems.append(
            f"it lists {len(entries)} lints, run.json records {recorded.get('lints')!r}"
        )
    return problems, f"{len(entries)} lints, as run.json records"
