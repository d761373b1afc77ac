"""The sample issuance database: deterministic, realistic, with the incident and every defect."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from audit.engine.certview import CertView, RowFacts
from audit.engine.oids import CT_SCT_LIST
from audit.engine.registry import Catalogue
from audit.engine.runner import Engine
from audit.lints import dates
from audit.sample_db import generate
from audit.sample_db.certbuilder import CT_LOGS, CertSpec, der
from audit.sample_db.defects import BY_NAME, DEFECTS
from audit.sample_db.generate import (
    ISSUANCE_END,
    ISSUANCE_START,
    build_sample_db,
    default_sample_db_path,
    default_sample_db_url,
)

COUNT = 300
SEED = 11
INCIDENT_DAY = datetime(2019, 3, 6)


def _rows(path: Path, table: str = "certificates") -> list[sqlite3.Row]:
    with sqlite3.connect(path) as con:
        con.row_factory = sqlite3.Row
        return con.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _active(row: sqlite3.Row, at: datetime) -> bool:
    """The population rule: issued by `at`, not expired, not revoked at that time."""
    revoked = _time(row["revoked_at"])
    return _time(row["not_before"]) <= at < _time(row["not_after"]) and (
        row["status"] != "revoked" or (revoked is not None and revoked > at)
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, generate.SampleSummary]:
    path = tmp_path_factory.mktemp("sample") / "sample.sqlite"
    return path, build_sample_db(f"sqlite:///{path}", count=COUNT, seed=SEED)


@pytest.fixture(scope="module")
def rows(built: tuple[Path, generate.SampleSummary]) -> list[sqlite3.Row]:
    return _rows(built[0])


@pytest.fixture(scope="module")
def defect_of() -> dict[int, str]:
    _, defects = generate.make_certificate_rows(generate.make_hierarchy(SEED), COUNT, SEED)
    return defects


def test_default_location_is_the_package_folder() -> None:
    assert default_sample_db_path() == Path(generate.__file__).with_name("sample.sqlite")
    assert default_sample_db_url() == f"sqlite:///{default_sample_db_path()}"


def test_summary(built: tuple[Path, generate.SampleSummary], rows: list[sqlite3.Row]) -> None:
    path, summary = built
    assert summary.rows == len(rows) == COUNT + 7
    assert summary.url == f"sqlite:///{path}"
    assert set(summary.defects) == set(BY_NAME)
    assert [r["id"] for r in rows] == list(range(1, len(rows) + 1))
    assert not list(path.parent.glob(".*building")), "the scratch file was renamed into place"


def test_same_seed_same_database_other_seed_other_database(
    built: tuple[Path, generate.SampleSummary], tmp_path: Path
) -> None:
    again, other = tmp_path / "again.sqlite", tmp_path / "other.sqlite"
    build_sample_db(f"sqlite:///{again}", count=COUNT, seed=SEED)
    build_sample_db(f"sqlite:///{other}", count=COUNT, seed=SEED + 1)
    for table in ("issuing_cas", "certificates"):
        first = [tuple(r) for r in _rows(built[0], table)]
        assert first == [tuple(r) for r in _rows(again, table)], "rows and DER are reproducible"
        assert first != [tuple(r) for r in _rows(other, table)]


def test_rebuild_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    path.write_bytes(b"not a database")
    summary = build_sample_db(f"sqlite:///{path}", count=40, seed=3)
    assert len(_rows(path)) == summary.rows == 47
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.sqlite"]


def test_non_file_url_creates_the_tables() -> None:
    # The path other databases take: create (dropping old sample tables), then batch inserts.
    assert build_sample_db("sqlite://", count=40, seed=3).rows == 47


def test_password_is_masked() -> None:
    assert generate.masked_url("postgresql://ca:s3cret@db.internal/issuance") == (
        "postgresql://ca:***@db.internal/issuance"
    )


def test_hierarchy(built: tuple[Path, generate.SampleSummary]) -> None:
    cas = {
        r["id"]: x509.load_der_x509_certificate(r["der"]) for r in _rows(built[0], "issuing_cas")
    }
    root = cas[1]
    assert root.subject == root.issuer
    issuing = [c for key, c in cas.items() if key != 1]
    assert len(issuing) == 6  # DV, OV and EV, two generations
    for cert in issuing:
        assert cert.issuer == root.subject
        assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        cert.verify_directly_issued_by(root)


def test_incident_rows_are_active_on_the_day_of_discovery(rows: list[sqlite3.Row]) -> None:
    incident = [r for r in rows if r["customer"] == "Tokyo Electron"]
    seeds = {p.stem: p for p in generate.SEEDS.glob("*.pem")}
    assert sorted(r["serial"] for r in incident) == sorted(seeds) and len(seeds) == 7
    for row in incident:
        cert = x509.load_pem_x509_certificate(seeds[row["serial"]].read_bytes())
        assert row["der"] == cert.public_bytes(serialization.Encoding.DER)
        assert row["issuer_dn"] == cert.issuer.rfc4514_string()
        assert "SECOM" in row["issuer_dn"] and row["validation_type"] == "ov"
        assert _time(row["not_before"]) == cert.not_valid_before_utc.replace(tzinfo=None)
        assert _time(row["not_after"]) == cert.not_valid_after_utc.replace(tzinfo=None)
        assert (
            row["status"] == "revoked" and _time(row["revoked_at"]).strftime("%Y-%m") == "2019-06"
        )
        assert _active(row, INCIDENT_DAY)
        assert not _active(row, datetime(2019, 7, 1))
        subject = cert.subject
        assert subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
        assert not subject.get_attributes_for_oid(x509.NameOID.LOCALITY_NAME)
        assert not subject.get_attributes_for_oid(x509.NameOID.STATE_OR_PROVINCE_NAME)


def test_population_over_the_years(rows: list[sqlite3.Row]) -> None:
    ours = [r for r in rows if r["customer"] != "Tokyo Electron"]
    issued = [_time(r["not_before"]) for r in ours]
    assert ISSUANCE_START.replace(tzinfo=None) <= min(issued)
    assert max(issued) < ISSUANCE_END.replace(tzinfo=None)
    assert {t.year for t in issued} >= set(range(2016, 2027))
    kinds = Counter(r["validation_type"] for r in ours)
    assert kinds["dv"] > kinds["ov"] > kinds["ev"] > 0
    snapshot = ISSUANCE_END.replace(tzinfo=None)
    expired = [r for r in ours if _time(r["not_after"]) < snapshot]
    assert len(expired) > len(ours) / 2, "most old rows have expired"
    assert any(_active(r, snapshot) for r in ours)
    assert any(_active(r, INCIDENT_DAY) for r in ours)


def test_revoked_rows(rows: list[sqlite3.Row]) -> None:
    revoked = [r for r in rows if r["status"] == "revoked" and r["customer"] != "Tokyo Electron"]
    assert 0.01 * COUNT <= len(revoked) <= 0.08 * COUNT
    for row in revoked:
        assert _time(row["not_before"]) < _time(row["revoked_at"]) < _time(row["not_after"])
        assert row["revocation_reason"] in (0, 1, 3, 4, 5)
    assert any(_time(r["revoked_at"]) > INCIDENT_DAY for r in revoked)
    # A certificate revoked after the as-of time is still in that day's population.
    assert any(_active(r, _time(r["revoked_at"]) - timedelta(days=1)) for r in revoked)
    issued = [r for r in rows if r["status"] == "issued"]
    assert all(r["revoked_at"] is None and r["revocation_reason"] is None for r in issued)


def test_every_defect_at_its_scaled_share(
    built: tuple[Path, generate.SampleSummary], defect_of: dict[int, str]
) -> None:
    assert 0.02 <= sum(d.share for d in DEFECTS) <= 0.06, "a few percent of all certificates"
    assert len({d.name for d in DEFECTS}) == len(DEFECTS) >= 15
    wanted = {d.name: max(1, round(d.share * COUNT)) for d in DEFECTS}
    assert built[1].defects == wanted == dict(Counter(defect_of.values()))


def test_defects_sit_in_their_windows(rows: list[sqlite3.Row], defect_of: dict[int, str]) -> None:
    by_id = {r["id"]: r for r in rows}
    for key, name in defect_of.items():
        row = by_id[key]
        issued = _time(row["not_before"]).replace(tzinfo=UTC)
        assert BY_NAME[name].fits(issued, row["validation_type"]), name


def test_malformed_rows_are_in_the_active_population(
    rows: list[sqlite3.Row], defect_of: dict[int, str]
) -> None:
    by_id = {r["id"]: r for r in rows}
    malformed = {name: by_id[key] for key, name in defect_of.items() if BY_NAME[name].malformed}
    assert set(malformed) == {d.name for d in DEFECTS if d.malformed}
    assert malformed["certificate_not_stored"]["der"] is None
    assert malformed["empty_blob"]["der"] == b""
    assert malformed["pem_instead_of_der"]["der"].startswith(b"-----BEGIN CERTIFICATE-----")
    for name, row in malformed.items():
        assert row["status"] == "issued" and _active(row, ISSUANCE_END.replace(tzinfo=None)), name
        assert row["serial"] and row["subject_dn"].startswith("CN=") and row["issuing_ca_id"]
        if row["der"] is not None:
            assert not _strictly_readable(row["der"]), name


def _strictly_readable(der: bytes) -> bool:
    try:
        cert = x509.load_der_x509_certificate(der)
        return bool(cert.subject) and cert.not_valid_before_utc is not None
    except ValueError:
        return False


def test_clean_rows_match_their_certificates(
    rows: list[sqlite3.Row], defect_of: dict[int, str]
) -> None:
    ladder = (
        (dates.BR_825_DAYS_ISSUED_AFTER, 1188), (dates.BR_398_DAYS, 825),
        (dates.BR_200_DAYS, 398), (datetime.max.replace(tzinfo=UTC), 200),
    )  # fmt: skip
    keys = Counter()
    for row in rows:
        if row["id"] in defect_of or row["customer"] == "Tokyo Electron":
            continue
        cert = x509.load_der_x509_certificate(row["der"])
        assert f"{cert.serial_number:x}".zfill(len(row["serial"])) == row["serial"]
        assert cert.subject.rfc4514_string() == row["subject_dn"]
        assert cert.issuer.rfc4514_string() == row["issuer_dn"]
        not_before = cert.not_valid_before_utc
        assert not_before.replace(tzinfo=None) == _time(row["not_before"])
        assert cert.not_valid_after_utc.replace(tzinfo=None) == _time(row["not_after"])
        days = (cert.not_valid_after_utc - not_before + timedelta(seconds=1)).days
        assert days <= next(limit for until, limit in ladder if not_before < until)
        keys[type(cert.public_key()).__name__] += 1
    assert len(keys) == 2, "both RSA and EC subscriber keys"


def test_builder_embeds_scts_only_when_asked() -> None:
    assert not CertView(der(CertSpec())).has_extension(CT_SCT_LIST), "off by default"
    spec = CertSpec(scts=3, serial=1 << 126, ecdsa_deterministic=True)
    view = CertView(der(spec))
    scts = view.scts
    assert scts is not None and len({s.log_id for s in scts}) == 3
    assert {s.timestamp for s in scts} == {spec.not_before}
    assert der(spec) == der(spec), "the same SCTs for the same certificate"
    with pytest.raises(ValueError, match="logs"):
        der(CertSpec(scts=len(CT_LOGS) + 1))


def test_clean_rows_embed_scts_from_the_ct_era(
    rows: list[sqlite3.Row], defect_of: dict[int, str]
) -> None:
    with_scts = 0
    for row in rows:
        if row["id"] in defect_of or row["customer"] == "Tokyo Electron":
            continue
        cert = x509.load_der_x509_certificate(row["der"])
        try:
            scts = cert.extensions.get_extension_for_class(
                x509.PrecertificateSignedCertificateTimestamps
            ).value
        except x509.ExtensionNotFound:
            scts = None
        not_before = cert.not_valid_before_utc
        if not_before < generate.CT_FROM and row["validation_type"] != "ev":
            assert scts is None, row["id"]
            continue
        assert scts is not None, row["id"]
        with_scts += 1
        days = (cert.not_valid_after_utc - not_before + timedelta(seconds=1)).days
        if not_before >= dates.APPLE_CT_2021:
            assert len(scts) == (2 if days <= 180 else 3), row["id"]
        else:
            assert len(scts) >= 2, row["id"]
        assert len({s.log_id for s in scts}) == len(scts), "each from a distinct log"
        assert {s.timestamp.replace(tzinfo=UTC) for s in scts} == {not_before}
    assert with_scts > COUNT / 2


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(Catalogue.load())


# What a well-run CA's certificates still get: BR 2.0 makes subject:commonName NOT RECOMMENDED
# (deprecated before), and CAs keep it for old clients.
CLEAN_ROW_FINDINGS = {"subject_common_name_deprecated", "subject_common_name_not_recommended"}


def test_clean_rows_get_no_other_findings(
    rows: list[sqlite3.Row], defect_of: dict[int, str], engine: Engine
) -> None:
    unexpected = []
    for row in rows:
        if row["id"] in defect_of or row["customer"] == "Tokyo Electron":
            continue
        for result in engine.lint_row(row["der"], _facts(row)).findings:
            if result.lint.name not in CLEAN_ROW_FINDINGS:
                unexpected.append((row["id"], result.lint.name, result.message))
    assert not unexpected, "a generator realism gap or a lint false positive"


def test_each_defect_is_caught_by_its_lint(
    rows: list[sqlite3.Row], defect_of: dict[int, str], engine: Engine
) -> None:
    by_id = {r["id"]: r for r in rows}
    missed = []
    for key, name in sorted(defect_of.items()):
        row = by_id[key]
        lint = BY_NAME[name].lint
        assert lint in engine.catalogue.by_name, f"{name}: no lint named {lint}"
        report = engine.lint_row(row["der"], _facts(row))
        if lint not in {r.lint.name for r in report.findings}:
            missed.append((name, lint, sorted(r.lint.name for r in report.findings)))
    assert not missed


def test_incident_rows_fail_the_locality_rule(rows: list[sqlite3.Row], engine: Engine) -> None:
    for row in rows:
        if row["customer"] == "Tokyo Electron":
            result = engine.lint_row(row["der"], _facts(row)).status_of(
                "subject_organization_requires_locality_or_state"
            )
            assert result is not None and result.status.label == "error", row["serial"]


def _facts(row: sqlite3.Row) -> RowFacts:
    def utc(value: str | None) -> datetime | None:
        return _time(value).replace(tzinfo=UTC) if value else None

    return RowFacts(
        str(row["id"]), row["serial"], row["issuer_dn"], row["subject_dn"],
        utc(row["not_before"]), utc(row["not_after"]), row["status"], utc(row["revoked_at"]),
    )  # fmt: skip
