"""The sample issuance database: deterministic, realistic, with the incident and every defect."""

from __future__ import annotations

import math
import sqlite3
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import gmpy2
import pyarrow.dataset as ds
import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from audit.engine.certview import CertView, RowFacts
from audit.engine.oids import CT_SCT_LIST
from audit.engine.profiles import detect_profile
from audit.engine.registry import Catalogue
from audit.engine.runner import Engine
from audit.jobs.quarterly_audit import AuditRequest, run_audit
from audit.lints import dates
from audit.sample_db import families, generate, population_defects, rsa_keys
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
TLS = ("dv", "ov", "ev")
INCIDENT = "Tokyo Electron"


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
def precertificate_rows(built: tuple[Path, generate.SampleSummary]) -> list[sqlite3.Row]:
    return _rows(built[0], "precertificates")


@pytest.fixture(scope="module")
def sample() -> generate.SampleRows:
    return generate.make_sample_rows(generate.make_hierarchy(SEED), COUNT, SEED)


@pytest.fixture(scope="module")
def defect_of(sample: generate.SampleRows) -> dict[int, str]:
    return sample.defect_of


@pytest.fixture(scope="module")
def planted(sample: generate.SampleRows) -> dict[str, list[tuple[str, int]]]:
    """Population defect -> the (table, id) rows that carry it."""
    out: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for where, name in sample.population_defect_of.items():
        out[name].append(where)
    return out


def _clean(row: sqlite3.Row, defect_of: dict[int, str], sample: generate.SampleRows) -> bool:
    return (
        row["id"] not in defect_of
        and ("certificates", row["id"]) not in sample.population_defect_of
        and row["customer"] != INCIDENT
    )


def _spki(der_bytes: bytes) -> bytes:
    return (
        x509.load_der_x509_certificate(der_bytes)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def test_default_location_is_the_package_folder() -> None:
    assert default_sample_db_path() == Path(generate.__file__).with_name("sample.sqlite")
    assert default_sample_db_url() == f"sqlite:///{default_sample_db_path()}"


def test_summary(
    built: tuple[Path, generate.SampleSummary],
    rows: list[sqlite3.Row],
    precertificate_rows: list[sqlite3.Row],
) -> None:
    path, summary = built
    assert summary.rows == len(rows) == COUNT + 7
    assert summary.precertificates == len(precertificate_rows) > 0
    assert summary.url == f"sqlite:///{path}"
    assert set(summary.defects) == set(BY_NAME) | set(population_defects.BY_NAME)
    assert [r["id"] for r in rows] == list(range(1, len(rows) + 1))
    assert not list(path.parent.glob(".*building")), "the scratch file was renamed into place"


def test_same_seed_same_database_other_seed_other_database(
    built: tuple[Path, generate.SampleSummary], tmp_path: Path
) -> None:
    again, other = tmp_path / "again.sqlite", tmp_path / "other.sqlite"
    build_sample_db(f"sqlite:///{again}", count=COUNT, seed=SEED)
    build_sample_db(f"sqlite:///{other}", count=COUNT, seed=SEED + 1)
    for table in ("issuing_cas", "certificates", "precertificates"):
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


# Each family's issuing CAs and the one purpose their EKU allows (S/MIME BR 7.1.2.2(g), CS BR
# 7.1.2.2(g); TLS CAs: serverAuth with clientAuth).
CA_PURPOSES = {
    "TLS CA": x509.ExtendedKeyUsageOID.SERVER_AUTH,
    "S/MIME CA": x509.ExtendedKeyUsageOID.EMAIL_PROTECTION,
    "Code Signing CA": x509.ExtendedKeyUsageOID.CODE_SIGNING,
    "Timestamping CA": x509.ExtendedKeyUsageOID.TIME_STAMPING,
}


def test_hierarchy(built: tuple[Path, generate.SampleSummary]) -> None:
    cas = {
        r["name"]: x509.load_der_x509_certificate(r["der"]) for r in _rows(built[0], "issuing_cas")
    }
    root = cas.pop("Sample Trust Root CA R1")
    assert root.subject == root.issuer
    # DV, OV and EV in two generations; S/MIME in two; code signing, EV code signing, TSA.
    assert len(cas) == 11
    for name, cert in cas.items():
        assert cert.issuer == root.subject
        assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        cert.verify_directly_issued_by(root)
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        purpose = next(p for kind, p in CA_PURPOSES.items() if kind in name)
        assert purpose in eku, name
        assert not (set(CA_PURPOSES.values()) - {purpose}) & set(eku), name


def test_incident_rows_are_active_on_the_day_of_discovery(rows: list[sqlite3.Row]) -> None:
    incident = [r for r in rows if r["customer"] == INCIDENT]
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
    ours = [r for r in rows if r["customer"] != INCIDENT]
    issued = [_time(r["not_before"]) for r in ours]
    assert ISSUANCE_START.replace(tzinfo=None) <= min(issued)
    assert max(issued) < ISSUANCE_END.replace(tzinfo=None)
    assert {t.year for t in issued} >= set(range(2016, 2027))
    kinds = Counter(r["validation_type"] for r in ours)
    assert kinds["dv"] > kinds["ov"] > kinds["ev"] > 0
    assert sum(n for k, n in kinds.items() if k not in TLS) < 0.2 * len(ours), "mostly TLS"
    snapshot = ISSUANCE_END.replace(tzinfo=None)
    expired = [r for r in ours if _time(r["not_after"]) < snapshot]
    assert len(expired) > len(ours) / 2, "most old rows have expired"
    assert any(_active(r, snapshot) for r in ours)
    assert any(_active(r, INCIDENT_DAY) for r in ours)


# What each family's certificates are detected as (audit/engine/profiles.py).
FAMILY_PROFILES = {
    "smime-mv": "smime_mailbox_", "smime-ov": "smime_organization_",
    "smime-sv": "smime_sponsor_", "smime-iv": "smime_individual_", "smime": "smime_unmarked",
    "cs": "code_signing", "ev-cs": "ev_code_signing", "tsa": "time_stamping",
}  # fmt: skip


def test_certificate_families(
    rows: list[sqlite3.Row], defect_of: dict[int, str], sample: generate.SampleRows
) -> None:
    kinds = Counter(r["validation_type"] for r in rows)
    counts = families.family_counts(COUNT)
    assert sum(kinds[t] for t in families.SMIME_TYPES) == counts["smime-br"]
    assert all(kinds[t] >= 2 for t in families.SMIME_TYPES), "every S/MIME type"
    for family in ("smime", "cs", "ev-cs", "tsa"):
        assert kinds[family] == counts[family] > 0, family
    generations = Counter()
    for row in rows:
        validation = row["validation_type"]
        if validation in TLS or not _clean(row, defect_of, sample):
            continue
        cert = x509.load_der_x509_certificate(row["der"])
        profile = str(detect_profile(CertView(row["der"])))
        assert profile.startswith(FAMILY_PROFILES[validation]), (row["id"], profile)
        issued = cert.not_valid_before_utc
        if validation in families.SMIME_TYPES:
            assert issued >= families.SMIME_BR_FROM
            generation = profile.rsplit("_", 1)[1]
            generations[generation] += 1
            assert generation != "legacy" or issued < families.SMIME_LEGACY_UNTIL
            emails = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            assert emails.get_values_for_type(x509.RFC822Name)
        elif validation == "smime":
            assert issued < families.SMIME_BR_FROM, "older ones predate the S/MIME BR"
        if validation in ("cs", "ev-cs", "tsa") and issued >= families.CS_RSA_3072_FROM:
            key = cert.public_key()
            assert not isinstance(key, rsa.RSAPublicKey) or key.key_size >= 3072
    assert set(generations) == {"legacy", "multipurpose", "strict"}


def test_revoked_rows(rows: list[sqlite3.Row], defect_of: dict[int, str]) -> None:
    revoked = [
        r
        for r in rows
        if r["status"] == "revoked" and r["customer"] != INCIDENT and r["id"] not in defect_of
    ]
    assert 0.01 * COUNT <= len(revoked) <= 0.08 * COUNT
    for row in revoked:
        assert _time(row["not_before"]) < _time(row["revoked_at"]) < _time(row["not_after"])
        # No reason given (absent, BR 7.2.2), or one a subscriber certificate may have.
        assert row["revocation_reason"] in (None, 1, 3, 4, 5, 9)
    assert any(_time(r["revoked_at"]) > INCIDENT_DAY for r in revoked)
    # A certificate revoked after the as-of time is still in that day's population.
    assert any(_active(r, _time(r["revoked_at"]) - timedelta(days=1)) for r in revoked)
    issued = [r for r in rows if r["status"] == "issued"]
    assert all(r["revoked_at"] is None and r["revocation_reason"] is None for r in issued)


def test_every_defect_at_its_scaled_share(
    built: tuple[Path, generate.SampleSummary], sample: generate.SampleRows
) -> None:
    assert 0.02 <= sum(d.share for d in DEFECTS) <= 0.06, "a few percent of all certificates"
    assert len({d.name for d in DEFECTS}) == len(DEFECTS) >= 15
    wanted = {d.name: max(1, round(d.share * COUNT)) for d in DEFECTS}
    wanted |= {d.name: d.rows for d in population_defects.POPULATION_DEFECTS}
    assert built[1].defects == wanted == dict(sample.defect_counts())


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


# The longest validity each family's profile allows its clean certificates (days).
FAMILY_VALIDITY = {"smime": 1185, "cs": 1186, "ev-cs": 1186, "tsa": 4109}


def test_clean_rows_match_their_certificates(
    rows: list[sqlite3.Row], defect_of: dict[int, str], sample: generate.SampleRows
) -> None:
    ladder = (
        (dates.BR_825_DAYS_ISSUED_AFTER, 1188), (dates.BR_398_DAYS, 825),
        (dates.BR_200_DAYS, 398), (datetime.max.replace(tzinfo=UTC), 200),
    )  # fmt: skip
    keys = Counter()
    for row in rows:
        if not _clean(row, defect_of, sample):
            continue
        cert = x509.load_der_x509_certificate(row["der"])
        assert f"{cert.serial_number:x}".zfill(len(row["serial"])) == row["serial"]
        assert cert.subject.rfc4514_string() == row["subject_dn"]
        assert cert.issuer.rfc4514_string() == row["issuer_dn"]
        not_before = cert.not_valid_before_utc
        assert not_before.replace(tzinfo=None) == _time(row["not_before"])
        assert cert.not_valid_after_utc.replace(tzinfo=None) == _time(row["not_after"])
        days = (cert.not_valid_after_utc - not_before + timedelta(seconds=1)).days
        validation = row["validation_type"]
        if validation in TLS:
            assert days <= next(limit for until, limit in ladder if not_before < until)
        else:
            family = "smime" if validation.startswith("smime") else validation
            assert days <= FAMILY_VALIDITY[family], row["id"]
        keys[type(cert.public_key()).__name__] += 1
    assert len(keys) == 2, "both RSA and EC subscriber keys"


def test_each_subscriber_its_own_key(
    rows: list[sqlite3.Row], defect_of: dict[int, str], sample: generate.SampleRows
) -> None:
    """Renewals reuse their subscriber's key; no key is in two customers' certificates; no two
    RSA moduli share a prime (batch GCD finds nothing), but where a defect is planted."""
    holders: dict[bytes, set[str]] = defaultdict(set)
    uses: Counter[bytes] = Counter()
    moduli = []
    for row in rows:
        if not _clean(row, defect_of, sample):
            continue
        spki = _spki(row["der"])
        holders[spki].add(row["customer"])
        uses[spki] += 1
        key = x509.load_der_x509_certificate(row["der"]).public_key()
        if isinstance(key, rsa.RSAPublicKey):
            moduli.append(key.public_numbers().n)
    assert all(len(customers) == 1 for customers in holders.values())
    assert max(uses.values()) > 1, "renewals keep their key"
    assert len(uses) > COUNT / 4, "many keys, not a few shared ones"
    distinct = sorted(set(moduli))
    product = math.prod(distinct)
    for n in distinct:  # each modulus against the product of all the others
        assert math.gcd(n, product // n) == 1


def test_no_key_left_active_after_key_compromise(
    rows: list[sqlite3.Row], defect_of: dict[int, str], sample: generate.SampleRows
) -> None:
    by_key: dict[bytes, list[sqlite3.Row]] = defaultdict(list)
    for row in rows:
        if _clean(row, defect_of, sample):
            by_key[_spki(row["der"])].append(row)
    compromised = [r for group in by_key.values() for r in group if r["revocation_reason"] == 1]
    assert compromised, "a few keyCompromise revocations"
    for row in compromised:
        at = _time(row["revoked_at"])
        for other in by_key[_spki(row["der"])]:
            if other["id"] == row["id"] or _time(other["not_after"]) <= at:
                continue
            # Issued with the key after its compromise: none. Valid then: revoked with it.
            assert _time(other["not_before"]) < at, other["id"]
            assert other["revocation_reason"] == 1, other["id"]
            assert _time(other["revoked_at"]) <= at + timedelta(hours=1), other["id"]


def _tbs_without_ct(der_bytes: bytes) -> bytes:
    """The TBSCertificate without the poison and SCT list extensions (RFC 6962 3.1)."""
    tbs = asn1_x509.Certificate.load(der_bytes)["tbs_certificate"]
    kept = [e for e in tbs["extensions"] if e["extn_id"].dotted not in CT_EXTENSIONS]
    tbs["extensions"] = asn1_x509.Extensions(kept)
    return tbs.dump(force=True)


CT_EXTENSIONS = ("1.3.6.1.4.1.11129.2.4.3", "1.3.6.1.4.1.11129.2.4.2")  # poison, SCT list


def test_precertificates_kept_match_their_certificates(
    rows: list[sqlite3.Row], precertificate_rows: list[sqlite3.Row], sample: generate.SampleRows
) -> None:
    finals = {(r["issuer_dn"], r["serial"]): r for r in rows}
    for pre in precertificate_rows:
        cert = x509.load_der_x509_certificate(pre["der"])
        cert.extensions.get_extension_for_class(x509.PrecertPoison)
        planted = sample.population_defect_of.get(("precertificates", pre["id"]))
        kept_from = generate.PRECERTIFICATES_KEPT_FROM.replace(tzinfo=None)
        assert planted or _time(pre["not_before"]) >= kept_from
        final = finals.get((pre["issuer_dn"], pre["serial"]))
        if planted == "precertificate_without_certificate":
            assert final is None
            continue
        assert final is not None and final["status"] == pre["status"]
        same = _tbs_without_ct(pre["der"]) == _tbs_without_ct(final["der"])
        assert same == (planted is None), pre["id"]


def test_population_defects_are_planted(
    rows: list[sqlite3.Row],
    defect_of: dict[int, str],
    precertificate_rows: list[sqlite3.Row],
    planted: dict[str, list[tuple[str, int]]],
    built: tuple[Path, generate.SampleSummary],
) -> None:
    assert set(planted) == set(population_defects.BY_NAME)
    tables = {"certificates": {r["id"]: r for r in rows}}
    tables["precertificates"] = {r["id"]: r for r in precertificate_rows}

    def carriers(name: str) -> list[sqlite3.Row]:
        return [tables[t][i] for t, i in planted[name]]

    a, b = carriers("key_shared_by_unrelated_subscribers")
    assert _spki(a["der"]) == _spki(b["der"]) and a["customer"] != b["customer"]
    assert {a["validation_type"], b["validation_type"]} <= set(TLS)

    (row,) = carriers("subscriber_with_issuing_ca_key")
    cas = {r["id"]: r["der"] for r in _rows(built[0], "issuing_cas")}
    assert _spki(row["der"]) == _spki(cas[row["issuing_ca_id"]])

    a, b = carriers("rsa_moduli_share_a_prime")
    n1, n2 = (x509.load_der_x509_certificate(r["der"]).public_key().public_numbers().n for r in (a, b))  # type: ignore[union-attr]  # fmt: skip
    assert n1 != n2 and 1 < math.gcd(n1, n2) < n1

    (active,) = carriers("key_compromise_sibling_active")
    assert active["status"] == "issued"
    revoked = [
        r
        for r in rows
        if r["id"] not in defect_of and r["customer"] != INCIDENT and r["id"] != active["id"]
        and _spki(r["der"]) == _spki(active["der"])
        and r["revocation_reason"] == 1 and _time(r["revoked_at"]) < _time(active["not_after"])
    ]  # fmt: skip
    assert revoked, "an earlier certificate of the key was revoked for keyCompromise"

    where = dict(planted["precertificate_differs_from_certificate"])
    final = tables["certificates"][where["certificates"]]
    pre = tables["precertificates"][where["precertificates"]]
    assert (final["serial"], final["issuer_dn"]) == (pre["serial"], pre["issuer_dn"])

    def sans(r: sqlite3.Row) -> list[str]:
        ext = x509.load_der_x509_certificate(r["der"]).extensions
        return ext.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.DNSName
        )

    assert set(sans(final)) < set(sans(pre))

    (orphan,) = carriers("precertificate_without_certificate")
    assert orphan["serial"] not in {r["serial"] for r in rows}


def test_population_lints_find_each_planted_defect_and_nothing_else(
    built: tuple[Path, generate.SampleSummary],
    rows: list[sqlite3.Row],
    planted: dict[str, list[tuple[str, int]]],
    engine: Engine,
    tmp_path: Path,
) -> None:
    """An audit as of a time every planted certificate is active: each population defect's lint
    reports exactly the rows that carry it, and no other row draws a population finding."""
    by_id = {r["id"]: r for r in rows}
    carriers = [by_id[i] for rows_of in planted.values() for t, i in rows_of if t == "certificates"]
    as_of = max(_time(r["not_before"]) for r in carriers) + timedelta(seconds=1)
    assert all(_active(r, as_of) for r in carriers)
    outcome = run_audit(
        AuditRequest(
            db_url=f"sqlite:///{built[0]}", as_of=as_of.replace(tzinfo=UTC), out_dir=tmp_path,
            workers=1,
        )
    )  # fmt: skip
    found: dict[str, set[str]] = defaultdict(set)
    for finding in ds.dataset(outcome.run_dir / "findings").to_table().to_pylist():
        if finding["source"] == "population":
            found[finding["lint"]].add(finding["cert_id"])
    expected: dict[str, set[str]] = defaultdict(set)
    for name, where in planted.items():
        lint = population_defects.BY_NAME[name].lint
        assert lint in engine.catalogue.by_name, f"{name}: no lint named {lint}"
        expected[lint] |= {str(i) if t == "certificates" else f"{t}:{i}" for t, i in where}
    # The row with the compromised key is found, not the revoked one (out of the population).
    assert {k: v for k, v in found.items() if k in expected} == expected
    assert set(found) <= set(expected), "an ordinary certificate drew a population finding"


def test_rsa_key_table_holds_the_primes_a_search_finds() -> None:
    """prime_offsets.py caches gmpy2.next_prime over the seeded start values: spot-check it."""
    for bits, count in rsa_keys.TABLE_SIZES.items():
        for index in (0, 1, count // 2, count - 1):
            p = rsa_keys.prime(bits, index)
            start = rsa_keys._start(bits, index, "")
            assert p == int(gmpy2.next_prime(start - 1)) and p.bit_length() == bits
    assert rsa_keys.pool_size(2048) == rsa_keys.TABLE_SIZES[1024] // 2
    assert rsa_keys.public_key(2048, 7).key_size == 2048
    assert rsa_keys.public_key(3072, 7).key_size == 3072


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
    rows: list[sqlite3.Row], defect_of: dict[int, str], sample: generate.SampleRows
) -> None:
    with_scts = 0
    for row in rows:
        if not _clean(row, defect_of, sample):
            continue
        cert = x509.load_der_x509_certificate(row["der"])
        try:
            scts = cert.extensions.get_extension_for_class(
                x509.PrecertificateSignedCertificateTimestamps
            ).value
        except x509.ExtensionNotFound:
            scts = None
        not_before = cert.not_valid_before_utc
        tls = row["validation_type"] in TLS
        if not tls or (not_before < generate.CT_FROM and row["validation_type"] != "ev"):
            assert scts is None, row["id"]  # S/MIME, code signing, TSA: not logged
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
    """Every row without a per-certificate defect: the population defects' rows are good
    certificates on their own."""
    unexpected = []
    for row in rows:
        if row["id"] in defect_of or row["customer"] == INCIDENT:
            continue
        for result in engine.lint_row(row["der"], _facts(row)).findings:
            if result.lint.name not in CLEAN_ROW_FINDINGS:
                unexpected.append((row["id"], result.lint.name, result.message))
    assert not unexpected, "a generator realism gap or a lint false positive"


def test_each_defect_is_caught_by_its_lint(
    rows: list[sqlite3.Row], defect_of: dict[int, str], engine: Engine
) -> None:
    """Every planted defect draws a finding from the lint it names."""
    by_id = {r["id"]: r for r in rows}
    missed = []
    for key, name in sorted(defect_of.items()):
        row = by_id[key]
        defect = BY_NAME[name]
        assert defect.lint in engine.catalogue.by_name, f"{name}: no lint named {defect.lint}"
        report = engine.lint_row(row["der"], _facts(row))
        if defect.lint not in {r.lint.name for r in report.findings}:
            missed.append((name, defect.lint, sorted(r.lint.name for r in report.findings)))
    assert not missed


def test_incident_rows_fail_the_locality_rule(rows: list[sqlite3.Row], engine: Engine) -> None:
    for row in rows:
        if row["customer"] == INCIDENT:
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
        row["revocation_reason"],
    )  # fmt: skip
