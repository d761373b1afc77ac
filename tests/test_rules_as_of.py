"""`--rules-as-of DATE`: every certificate judged by the rules in force at DATE instead of those in
force at its notBefore, in the engine (which lints are in force, and the date a check reads),
`lint`'s text and JSON, and a run: its request, plan and run.json, a resume, the report, and a
comparison with a run judged otherwise (`--baseline`, `diff`)."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

import audit.lints
from audit.compare.diff import diff_runs
from audit.engine.registry import Catalogue
from audit.engine.runner import Engine
from audit.jobs.progress import PLAN_JSON, PROGRESS_DIR
from audit.jobs.quarterly_audit import AuditOutcome, AuditRequest, run_audit
from audit.outputs.rules_date import parse_rules_as_of
from audit.outputs.runjson import PARTIAL_MARKER, RUN_JSON
from audit.sample_db.certbuilder import DV, DV_SPEC, der, name, pem
from tests.conftest import RECENT_DAY

CATALOGUE = Catalogue.load()
AS_OF = datetime(2026, 11, 1, tzinfo=UTC)


def at(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


# A DV certificate with organizationalUnitName and no organizationName, issued 2022-01-01:
# between Ballot SC47's two dates. OU without O became an error on 2021-08-16
# (subject_organizational_unit_requires_organization, retired 2022-09-01), and OU was
# prohibited outright from 2022-09-01 (organizational_unit_prohibited).
OU_SPEC = DV_SPEC.but(
    not_before=at(2022),
    subject=name(
        (NameOID.COUNTRY_NAME, "DE"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, "Lint"),
        (NameOID.COMMON_NAME, "www.example.com"),
    ),
)
PROHIBITED = "subject_organizational_unit_prohibited"
REQUIRES_O = "subject_organizational_unit_requires_organization"
# certificatePolicies marked critical: a SHOULD NOT (warn) under BR 1.x, a MUST NOT (error) from
# BR 2.0 (2023-09-15). The lint is in force throughout: its check reads the date itself.
CRITICAL_POLICIES = "subscriber_certificate_policies_not_critical"
CRITICAL_SPEC = DV_SPEC.but(
    not_before=at(2020, 3),
    policies=None,
    extra_extensions=(
        (x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier(DV), None)]), True),
    ),
)


def statuses(data: bytes, rules_as_of: datetime | None = None) -> dict[str, str]:
    """Every lint's status for the certificate, from lint_der; the batched paths (every status,
    as `lint --format json`; findings only, as a run) must agree with it."""
    engine = Engine(CATALOGUE, as_of=AS_OF, rules_as_of=rules_as_of)
    alone = {r.lint.name: r.status.label for r in engine.lint_der(data).results}
    [batched] = engine.lint_rows([(data, None)], every_status=True)
    assert {r.lint.name: r.status.label for r in batched.results} == alone
    fresh = Engine(CATALOGUE, as_of=AS_OF, rules_as_of=rules_as_of)
    [run] = fresh.lint_rows([(data, None)])
    assert {(r.lint.name, r.status.label) for r in run.results} == {
        (k, v) for k, v in alone.items() if v in ("info", "notice", "warn", "error", "fatal")
    }
    return alone


# -- the engine --------------------------------------------------------------------------------


def test_a_rule_that_took_effect_after_issuance_applies_when_judged_by_a_later_date() -> None:
    data = der(OU_SPEC)
    assert statuses(data)[PROHIBITED] == "ne"
    judged = statuses(data, at(2023))
    assert judged[PROHIBITED] == "error"
    assert statuses(data, at(2022, 9, 1))[PROHIBITED] == "error"  # from its effective date on
    assert statuses(data, at(2021))[PROHIBITED] == "ne"  # an earlier date: not yet in force


def test_a_rule_retired_by_the_date_is_not_applied() -> None:
    data = der(OU_SPEC)
    assert statuses(data)[REQUIRES_O] == "error"
    assert statuses(data, at(2023))[REQUIRES_O] == "ne"
    assert statuses(data, at(2021, 1))[REQUIRES_O] == "ne"  # before Ballot SC47 took effect


def test_a_check_that_reads_the_date_reads_the_rules_date() -> None:
    assert statuses(der(CRITICAL_SPEC))[CRITICAL_POLICIES] == "warn"
    assert statuses(der(CRITICAL_SPEC), at(2024))[CRITICAL_POLICIES] == "error"
    # A date before the certificate's own: the rules of then, not of its issuance.
    later = der(CRITICAL_SPEC.but(not_before=at(2025)))
    assert statuses(later)[CRITICAL_POLICIES] == "error"
    assert statuses(later, at(2020, 3))[CRITICAL_POLICIES] == "warn"


def _compares_not_before_with_a_rule_date(node: ast.AST) -> bool:
    if not isinstance(node, ast.Compare):
        return False
    sides = [node.left, *node.comparators]
    reads_not_before = any(isinstance(x, ast.Attribute) and x.attr == "not_before" for x in sides)
    rule_date = any(
        isinstance(x, ast.Attribute) and isinstance(x.value, ast.Name) and x.value.id == "dates"
        for x in sides
    )
    return reads_not_before and rule_date


def test_no_check_judges_by_its_certificates_not_before() -> None:
    """A check whose requirement changed on a date compares `cert.judged_at` with it: compared
    with notBefore, `--rules-as-of` would not reach it."""
    root = Path(audit.lints.__file__).parent
    offenders = [
        f"{path.relative_to(root)}:{node.lineno}"
        for path in sorted(root.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if _compares_not_before_with_a_rule_date(node)
    ]
    assert offenders == [], "use cert.judged_at, not cert.not_before: " + ", ".join(offenders)


def test_dates_given_as_the_contract_says() -> None:
    assert parse_rules_as_of(None) is None
    assert parse_rules_as_of("2023-01-01") == at(2023)
    assert parse_rules_as_of("2023-01-01T12:00:00") == datetime(2023, 1, 1, 12, tzinfo=UTC)
    assert parse_rules_as_of("2023-01-01T12:00:00+02:00") == datetime(2023, 1, 1, 10, tzinfo=UTC)
    before = datetime.now(UTC).replace(microsecond=0)
    now = parse_rules_as_of("now")
    assert now is not None and before <= now <= datetime.now(UTC)


# -- certcensus lint ---------------------------------------------------------------------------


def certcensus(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audit", *args], capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def ou_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lint") / "ou.pem"
    path.write_bytes(pem(OU_SPEC))
    return path


def test_lint_text_says_which_rules_judged(ou_file: Path) -> None:
    judged = certcensus("lint", "--rules-as-of", "2023-01-01", str(ou_file))
    assert judged.returncode == 0, judged.stderr
    lines = judged.stdout.splitlines()
    assert (
        lines[0]
        == "Judged by the rules in force on 2023-01-01, not at each certificate's issuance."
    )
    assert any(line.split()[:2] == ["error", f"{PROHIBITED}:"] for line in lines), lines
    assert not any(REQUIRES_O in line for line in lines)
    plain = certcensus("lint", str(ou_file))
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith(f"{ou_file}[0] sha256=")  # no such line by default
    assert any(f"{REQUIRES_O}:" in line for line in plain.stdout.splitlines())


def test_lint_json_names_the_date(ou_file: Path) -> None:
    judged = certcensus("lint", "--format", "json", "--rules-as-of", "2023-01-01", str(ou_file))
    assert judged.returncode == 0, judged.stderr
    [obj] = [json.loads(line) for line in judged.stdout.splitlines()]
    assert obj["rules_as_of"] == "2023-01-01T00:00:00+00:00"
    assert list(obj)[:5] == ["file", "index", "sha256", "profile", "rules_as_of"]
    assert obj["results"][PROHIBITED]["status"] == "error"
    assert obj["results"][REQUIRES_O] == {"status": "ne"}
    plain = certcensus("lint", "--format", "json", str(ou_file))
    [obj] = [json.loads(line) for line in plain.stdout.splitlines()]
    assert "rules_as_of" not in obj and obj["results"][PROHIBITED] == {"status": "ne"}


@pytest.mark.parametrize("command", ["lint", "run"])
@pytest.mark.parametrize("value", ["tomorrow", "2023-02-30", ""])
def test_a_bad_date_is_one_line_and_exit_2(command: str, value: str, ou_file: Path) -> None:
    args = [str(ou_file)] if command == "lint" else ["--out", str(ou_file.parent / "runs")]
    done = certcensus(command, "--rules-as-of", value, *args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.count("\n") == 1 and "--rules-as-of" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


# -- a run ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def judged_run(
    sample_db: str, recent_run: AuditOutcome, tmp_path_factory: pytest.TempPathFactory
) -> tuple[AuditOutcome, list[str]]:
    """The recent run's population judged by the rules of its own as-of day, with the recent
    run (judged at issuance) as its baseline; and the warnings it gave."""
    warnings: list[str] = []
    outcome = run_audit(
        AuditRequest(
            db_url=sample_db,
            as_of=RECENT_DAY,
            out_dir=tmp_path_factory.mktemp("judged"),
            workers=2,
            rules_as_of=RECENT_DAY,
            baseline=recent_run.run_dir,
            warn=warnings.append,
        )  # fmt: skip
    )
    return outcome, warnings


def findings(run_dir: Path) -> list[dict]:
    table = ds.dataset(run_dir / "findings", format="parquet").to_table(
        columns=["cert_id", "lint", "status", "message", "not_before"]
    )
    return table.sort_by([(c, "ascending") for c in ("cert_id", "lint")]).to_pylist()


def not_in_force_at_issuance(run_dir: Path) -> set[str]:
    """The lints with findings on certificates issued before the lint took effect."""
    catalogue = {m["name"]: m for m in json.loads((run_dir / "catalogue.json").read_text())}
    out = set()
    for f in findings(run_dir):
        meta = catalogue[f["lint"]]
        if meta["source"] == "population" or f["not_before"] is None:
            continue  # rules about the population, and rows that are no certificate
        if f["not_before"].date().isoformat() < meta["effective_date"]:
            out.add(f["lint"])
    return out


def test_run_json_records_the_date(judged_run: tuple, recent_run: AuditOutcome) -> None:
    outcome, _ = judged_run
    run = json.loads((outcome.run_dir / RUN_JSON).read_text())
    assert run["rules_as_of"] == "2026-11-01T00:00:00+00:00" == outcome.run["rules_as_of"]
    assert json.loads((recent_run.run_dir / RUN_JSON).read_text())["rules_as_of"] is None
    assert outcome.judged_by_date == (
        "Judged by the rules in force on 2026-11-01, not at each certificate's issuance."
    )
    assert recent_run.judged_by_date is None


def test_the_run_applies_rules_that_took_effect_after_issuance(
    judged_run: tuple, recent_run: AuditOutcome
) -> None:
    outcome, _ = judged_run
    assert not_in_force_at_issuance(recent_run.run_dir) == set()
    assert not_in_force_at_issuance(outcome.run_dir), "no finding of a rule newer than its cert"


def test_the_report_says_which_rules_judged(judged_run: tuple, recent_run: AuditOutcome) -> None:
    outcome, _ = judged_run
    html = (outcome.run_dir / "report.html").read_text()
    header = html.split("<header>", 1)[1].split("</header>", 1)[0]
    assert "Judged by the rules in force on 2026-11-01, not at each certificate&#39;s issuance" in (
        header
    )
    assert "judged by the rules in force on <strong>2026-11-01</strong>" in html.replace(
        "Every certificate is judged", "judged"
    )
    plain = (recent_run.run_dir / "report.html").read_text()
    assert "Judged by the rules in force on" not in plain and 'id="unlike"' not in plain
    assert "judged by the rules in force when it was issued (its notBefore)" in plain


def test_a_baseline_judged_otherwise_is_not_like_for_like(
    judged_run: tuple, recent_run: AuditOutcome
) -> None:
    outcome, warnings = judged_run
    old = recent_run.run_dir.name
    assert warnings == [
        f"--baseline: not like for like: {old} was judged by the rules in force at each "
        "certificate's issuance, this run by the rules in force on 2026-11-01; a finding new or "
        "resolved between them may come from the rules applied, not from the certificates"
    ]
    html = (outcome.run_dir / "report.html").read_text()
    assert 'id="unlike"' in html and f"{old} was judged by the rules in force at each" in html
    assert json.loads((outcome.run_dir / RUN_JSON).read_text())["baseline"]["rules_as_of"] is None
    lines = diff_runs(recent_run.run_dir, outcome.run_dir).table_text().splitlines()
    assert lines[2].startswith(f"warning: not like for like: {old} was judged by the rules in ")
    assert f"{outcome.run_dir.name} by the rules in force on 2026-11-01" in lines[2]
    same = diff_runs(recent_run.run_dir, recent_run.run_dir).table_text()
    assert "warning" not in same


# -- resume ----------------------------------------------------------------------------------


def test_a_resume_keeps_the_date(
    sample_db: str, judged_run: tuple, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from tests.test_resume import killed_when

    out = tmp_path_factory.mktemp("resume")
    argv = [
        sys.executable, "-m", "audit", "run", "--db", sample_db, "--as-of",
        RECENT_DAY.isoformat(), "--out", str(out), "--workers", "1", "--partitions", "8",
        "--no-progress", "--rules-as-of", "2026-11-01",
    ]  # fmt: skip
    staging = killed_when(argv, out, f"{PROGRESS_DIR}/part-00000.json")
    recorded = "2026-11-01T00:00:00+00:00"
    assert json.loads((staging / PARTIAL_MARKER).read_text())["rules_as_of"] == recorded
    assert json.loads((staging / PROGRESS_DIR / PLAN_JSON).read_text())["rules_as_of"] == recorded

    # The date is the request's: a resume may not change it ...
    changed = certcensus("run", "--resume", str(staging), "--rules-as-of", "2020-01-01")
    assert changed.returncode == 2 and "--rules-as-of" in changed.stderr, changed.stderr
    assert changed.stderr.count("\n") == 1
    # ... and partitions judged by another date than the request's are not kept.
    other = staging.with_name("20000101T000000Z-000000.partial")
    shutil.copytree(staging, other)
    plan = json.loads((other / PROGRESS_DIR / PLAN_JSON).read_text())
    plan["rules_as_of"] = "2020-01-01T00:00:00+00:00"
    (other / PROGRESS_DIR / PLAN_JSON).write_text(json.dumps(plan))
    refused = certcensus("run", "--resume", str(other), "--workers", "1", "--no-progress")
    assert refused.returncode == 2 and "judged by other rules" in refused.stderr, refused.stderr
    shutil.rmtree(other)

    done = certcensus("run", "--resume", str(staging), "--workers", "1", "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "Judged by the rules in force on 2026-11-01" in done.stdout
    resumed = staging.with_name(staging.name.removesuffix(".partial"))
    run = json.loads((resumed / RUN_JSON).read_text())
    assert run["rules_as_of"] == recorded and run["resumed"]
    outcome, _ = judged_run
    assert judged(resumed) == judged(outcome.run_dir)


def judged(run_dir: Path) -> list[tuple]:
    """Each finding's certificate, lint and status, and the message of a certificate's own
    lint (a population lint's names other certificates, in an order a resume may change)."""
    table = ds.dataset(run_dir / "findings", format="parquet").to_table(
        columns=["cert_id", "lint", "status", "message", "source"]
    )
    return sorted(
        (r["cert_id"], r["lint"], r["status"], r["message"] if r["source"] != "population" else "")
        for r in table.to_pylist()
    )
