"""The command line as users' scripts see it: output formats, exit codes, one-line errors."""

from __future__ import annotations

import json
import random
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
        (["run", "--no-such-option"], "No such option"),
        (["lint"], "Missing argument"),
        (["no-such-command"], "No such command"),
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


NO_CERTIFICATE = "holds no certificate (not PEM, DER, base64 or PKCS#7)"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.pem", b""),
        ("README.md", (REPO / "README.md").read_bytes()),
        ("random.bin", b"\x42" + random.Random(3).randbytes(1 << 20)),
        ("key.pem", b"-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n"),
    ],
    ids=["empty", "readme", "random", "key-only"],
)
def test_lint_of_an_input_without_a_certificate_exits_2(
    tmp_path: Path, name: str, data: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    for fmt in ("text", "json"):
        out = certcensus("lint", "--format", fmt, str(path))
        assert out.returncode == 2, out.stdout
        assert out.stderr == f"certcensus: {path}: {NO_CERTIFICATE}\n"


def test_lint_names_the_one_file_of_several_that_holds_no_certificate(tmp_path: Path) -> None:
    good = tmp_path / "good.pem"
    good.write_bytes(pem(OV_SPEC))
    empty = tmp_path / "empty.der"
    empty.write_bytes(b"")
    out = certcensus("lint", "--format", "json", str(good), str(empty), str(good))
    assert out.returncode == 2
    assert out.stderr == f"certcensus: {empty}: {NO_CERTIFICATE}\n"
    assert out.stdout == ""  # nothing linted before the bad input was found


def test_lint_reads_pkcs7_and_base64_and_reports_unreadable_blocks(tmp_path: Path) -> None:
    import base64

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    cert = x509.load_der_x509_certificate(der(OV_SPEC))
    bundle = tmp_path / "bundle.p7c"
    bundle.write_bytes(pkcs7.serialize_certificates([cert], Encoding.PEM))
    b64 = tmp_path / "cert.b64"
    b64.write_bytes(base64.encodebytes(cert.public_bytes(Encoding.DER)))
    broken = tmp_path / "broken.pem"
    broken.write_bytes(
        b"-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n"
        + cert.public_bytes(Encoding.PEM)
    )
    out = certcensus("lint", "--format", "json", str(bundle), str(b64), str(broken))
    assert out.returncode == 0, out.stderr
    objs = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(Path(o["file"]).name, o["index"]) for o in objs] == [
        ("bundle.p7c", 0),
        ("cert.b64", 0),
        ("broken.pem", 0),
        ("broken.pem", 1),
    ]
    assert objs[0]["sha256"] == objs[1]["sha256"] == objs[3]["sha256"]
    assert all("results" in o for o in (objs[0], objs[1], objs[3]))
    assert "results" not in objs[2] and "not base64" in objs[2]["error"]
    failed = certcensus("lint", "--fail-on", "fatal", str(broken))
    assert failed.returncode == 1 and "not base64" in failed.stdout


# -- database URLs: the password is never printed, and it need not be on the command line ------

BEFORE_AT, AFTER_AT = "Zq7-before", "tail-s3cr3t"  # one password with an unencoded '@' in it


def _certcensus_with(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audit", *args],
        capture_output=True, text=True, timeout=300, env={**__import__("os").environ, **env},
    )  # fmt: skip


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://auditor:{BEFORE_AT}@{AFTER_AT}@127.0.0.1:5432/ca",
        f"postgresql+psycopg://auditor:{BEFORE_AT}@{AFTER_AT}:9@127.0.0.1:5432/ca",  # 'port'
        f"mysql+pymysql://auditor:{BEFORE_AT}@{AFTER_AT}@127.0.0.1:3306/ca",
    ],
    ids=["host", "port", "mysql"],
)
@pytest.mark.parametrize("via", ["--db", "CERTCENSUS_DB", "--db-file"])
def test_a_password_with_an_unencoded_at_is_refused_without_showing_it(
    url: str, via: str, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    env, args = {}, ["run", "--schema", "ejbca", "--workers", "1", "--out", str(runs)]
    if via == "--db":
        args += ["--db", url]
    elif via == "CERTCENSUS_DB":
        env["CERTCENSUS_DB"] = url
    else:
        (tmp_path / "db-url").write_text(url + "\n")
        (tmp_path / "db-url").chmod(0o600)
        args += ["--db-file", str(tmp_path / "db-url")]
    out = _certcensus_with(env, *args)
    assert out.returncode == 2, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert "percent-encode" in out.stderr and "%40" in out.stderr
    assert "auditor:***@" in out.stderr  # the URL shown masked, to say which one is meant
    assert BEFORE_AT not in out.stdout + out.stderr and AFTER_AT not in out.stdout + out.stderr
    assert not runs.exists()


def test_sample_db_refuses_a_password_with_an_unencoded_at() -> None:
    url = f"postgresql+psycopg://auditor:{BEFORE_AT}@{AFTER_AT}:9@127.0.0.1:5432/ca"
    out = certcensus("sample-db", "--url", url, "--schema", "ejbca", "--count", "1")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "--url" in out.stderr and "percent-encode" in out.stderr
    assert BEFORE_AT not in out.stdout + out.stderr and AFTER_AT not in out.stdout + out.stderr


def test_the_database_url_from_the_environment_or_a_file(tmp_path: Path) -> None:
    from audit.sample_db.generate import build_sample_db

    url = f"sqlite:///{tmp_path / 'ca.sqlite'}"
    build_sample_db(url, count=30, seed=5)
    common = ["run", "--workers", "1", "--as-of", "2026-11-01"]

    out = _certcensus_with({"CERTCENSUS_DB": url}, *common, "--out", str(tmp_path / "env"))
    assert out.returncode == 0, out.stderr
    [run_json] = (tmp_path / "env").glob("*/run.json")
    assert json.loads(run_json.read_text())["database"]["url"] == url

    # --db-file wins over the environment; a file every user may read is run, with a warning.
    url_file = tmp_path / "db-url"
    url_file.write_text(f"{url}\nthe first line only\n")
    url_file.chmod(0o644)
    out = _certcensus_with(
        {"CERTCENSUS_DB": "sqlite:////nonexistent/ca.sqlite"},
        *common, "--db-file", str(url_file), "--out", str(tmp_path / "file"),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert f"{url_file} is readable by every user" in out.stderr
    [run_json] = (tmp_path / "file").glob("*/run.json")
    assert json.loads(run_json.read_text())["database"]["url"] == url

    both = certcensus("run", "--db", url, "--db-file", str(url_file))
    assert both.returncode == 2 and "--db and --db-file exclude each other" in both.stderr
    url_file.write_text("\n")
    empty = certcensus("run", "--db-file", str(url_file))
    assert empty.returncode == 2 and "the first line of" in empty.stderr
    missing = certcensus("run", "--db-file", str(tmp_path / "nosuch"))
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1


def test_a_bug_is_one_line_and_exit_3_with_the_traceback_kept(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unexpected exception is no answer either: one line naming it, exit 3 (the command
    could not finish), and the traceback in a private file for the bug report."""
    from audit import cli
    from audit.engine.registry import Catalogue

    def broken(cls: type) -> None:
        raise RuntimeError("a bug with\nseveral lines")

    monkeypatch.setattr(Catalogue, "load", classmethod(broken))
    monkeypatch.setattr(sys, "argv", ["certcensus", "lints"])
    monkeypatch.delenv("CERTCENSUS_DEBUG", raising=False)
    with pytest.raises(SystemExit) as ended:
        cli.main()
    assert ended.value.code == 3
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("certcensus: internal error (RuntimeError); traceback in ")
    kept = Path(line.rsplit(" ", 1)[1])
    assert "a bug with" in kept.read_text() and kept.stat().st_mode & 0o077 == 0
    kept.unlink()
