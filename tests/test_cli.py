"""The command line as users' scripts see it: output formats, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.x509.oid import NameOID

from audit.sample_db.certbuilder import OV_SPEC, der, name, pem

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO / "sample_db" / "seeds").glob("*.pem"))


def certcensus(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audit", *args], capture_output=True, text=True, timeout=300
    )


def test_lints_json_follows_the_contract() -> None:
    out = certcensus("lints", "--format", "json")
    assert out.returncode == 0, out.stderr
    lints = json.loads(out.stdout)
    assert len(lints) >= 40
    names = [x["name"] for x in lints]
    assert len(names) == len(set(names))
    for x in lints:
        assert {
            "name",
            "description",
            "citation",
            "source",
            "severity",
            "effective_date",
            "ineffective_date",
            "zlint",
        } <= set(x)
        assert x["severity"] in {"info", "notice", "warn", "error", "fatal"}
        assert isinstance(x["zlint"], list)


def test_lints_text_is_grouped_by_source() -> None:
    out = certcensus("lints")
    assert out.returncode == 0
    assert "CA/Browser Forum Baseline Requirements" in out.stdout
    assert "subject_organization_requires_locality_or_state" in out.stdout


def test_lint_json_one_object_per_certificate(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(
        pem(OV_SPEC)
        + pem(
            OV_SPEC.but(
                subject=name((NameOID.ORGANIZATION_NAME, "X"), (NameOID.COUNTRY_NAME, "US"))
            )
        )
    )
    single = tmp_path / "one.der"
    single.write_bytes(der(OV_SPEC))
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x30\x03\x02\x01")
    out = certcensus("lint", "--format", "json", str(bundle), str(single), str(junk))
    assert out.returncode == 0, out.stderr
    objs = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(Path(o["file"]).name, o["index"]) for o in objs] == [
        ("bundle.pem", 0),
        ("bundle.pem", 1),
        ("one.der", 0),
        ("junk.bin", 0),
    ]
    catalogue = {x["name"] for x in json.loads(certcensus("lints", "--format", "json").stdout)}
    for o in objs[:3]:
        assert set(o["results"]) == catalogue  # every lint, each with a status
        assert len(o["sha256"]) == 64 and o["profile"].startswith("subscriber_")
    assert objs[0]["results"]["subject_organization_requires_locality_or_state"]["status"] == "pass"
    assert (
        objs[1]["results"]["subject_organization_requires_locality_or_state"]["status"] == "error"
    )
    assert "error" in objs[3] and "results" not in objs[3]


def test_lint_the_incident_certificates() -> None:
    assert len(SEEDS) == 7
    out = certcensus("lint", "--format", "json", *map(str, SEEDS))
    statuses = [
        json.loads(line)["results"]["subject_organization_requires_locality_or_state"]["status"]
        for line in out.stdout.splitlines()
    ]
    assert statuses == ["error"] * 7


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "--db", "sqlite:////nonexistent/x.sqlite"], "no SQLite database"),
        (["run", "--db", "not a url"], "not a SQLAlchemy database URL"),
        (["run", "--as-of", "yesterday"], "--as-of"),
        (["run", "--schema", "nosuchproduct"], "unknown preset"),
        (["lint", "/nonexistent.pem"], "No such file"),
        (["report", "/nonexistent"], "not a run directory"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], needle: str) -> None:
    out = certcensus(*args)
    assert out.returncode == 2, out.stderr
    assert needle in out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_password_never_printed() -> None:
    out = certcensus(
        "run", "--db", "postgresql+psycopg://auditor:s3cr3t-pw@127.0.0.1:1/ca", "--workers", "1"
    )
    assert out.returncode == 2
    assert "s3cr3t-pw" not in out.stdout + out.stderr
    assert "Traceback" not in out.stderr


def test_run_with_schema_missing_column_is_one_line(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "other.sqlite"
    sqlite3.connect(db).execute(
        "CREATE TABLE certificates (id INTEGER PRIMARY KEY, der BLOB)"
    ).connection.commit()
    out = certcensus("run", "--db", f"sqlite:///{db}", "--workers", "1", "--out", str(tmp_path))
    assert out.returncode == 2
    assert "no column 'serial'" in out.stderr and "Traceback" not in out.stderr
