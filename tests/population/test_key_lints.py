"""The population's key checks, end to end: a small issuance database of the project's own
making with each key defect planted, audited by `certcensus run`, and every population finding
checked against the certificates that deserve one (and no other). Then the batch GCD alone."""

from __future__ import annotations

import hashlib
import json
import math
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import gmpy2
import pyarrow.dataset as ds
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import create_engine, insert

from audit.lints.population.keys import _unrelated
from audit.outputs import domains
from audit.population.batch_gcd import Layout, shared_factors
from audit.population.blocklist import Blocklist
from audit.sample_db import certbuilder, schema
from audit.sample_db.certbuilder import DV_SPEC, OV_SPEC, SUBORDINATE_CA_SPEC, ec_key, name
from tests.population.rows import certificate_row

AS_OF = datetime(2025, 7, 1, tzinfo=UTC)
ISSUED = datetime(2025, 6, 1, tzinfo=UTC)
SHARED_KEYS = "population_key_not_shared_by_unrelated_subscribers"
CA_KEY = "population_subscriber_key_not_a_ca_key"
COMPROMISED = "population_key_compromised_key_not_in_active_certificate"
SHARED_PRIMES = "population_rsa_modulus_shares_no_prime"
WEAK = "population_key_not_known_weak"
FERMAT = "rsa_modulus_not_fermat_factorable"


def _prime(rng: random.Random, bits: int = 1024) -> int:
    return int(gmpy2.next_prime(rng.getrandbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2))))


def _rsa_public(p: int, q: int) -> rsa.RSAPublicKey:
    """An RSA public key from chosen primes: no private key needed to certify it."""
    return rsa.RSAPublicNumbers(65537, p * q).public_key()


_row = certificate_row


def _dv(host: str, key: Any, *more: str) -> Any:
    return DV_SPEC.but(
        subject=name((NameOID.COMMON_NAME, host)), dns_names=(host, *more), key=key,
        not_before=ISSUED,
    )  # fmt: skip


def _ov(organization: str, host: str, key: Any) -> Any:
    subject = name(
        (NameOID.COUNTRY_NAME, "US"), (NameOID.STATE_OR_PROVINCE_NAME, "California"),
        (NameOID.LOCALITY_NAME, "San Francisco"), (NameOID.ORGANIZATION_NAME, organization),
        (NameOID.COMMON_NAME, host),
    )  # fmt: skip
    return OV_SPEC.but(subject=subject, dns_names=(host,), key=key, not_before=ISSUED)


def _revoked(when: datetime, reason: int) -> dict[str, Any]:
    return {
        "status": "revoked",
        "revoked_at": when.replace(tzinfo=None),
        "revocation_reason": reason,
    }


# cert_id -> the population lints that must flag it; every other (certificate, population
# lint) pair must draw nothing.
EXPECTED: dict[str, set[str]] = {
    "1": {SHARED_KEYS},
    "2": {SHARED_KEYS},  # one key, two unrelated subscribers
    "10": {CA_KEY},  # the issuing CA's own key, in a subscriber certificate
    "11": {CA_KEY},  # the key of a CA certificate in the population
    "20": {SHARED_PRIMES},
    "21": {SHARED_PRIMES},  # moduli sharing a prime
    "31": {COMPROMISED},  # the key of row 30, revoked for keyCompromise
    "40": {WEAK},  # a factor of 65,537
    "41": {WEAK},  # on the blocklist given with --badkeys-data (an RSA key)
    "42": {WEAK},  # on it too (an EC key, listed by its x coordinate)
}


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("keys")
    rng = random.Random(15)
    shared_prime = _prime(rng)
    fermat_p = _prime(rng)
    fermat_q = int(gmpy2.next_prime(fermat_p + 1000))
    blocklisted = _rsa_public(_prime(rng), _prime(rng))
    rows = [
        _row(1, _dv("shop.alpha-widgets.com", ec_key("secp256r1", 101))),
        _row(2, _dv("www.beta-bakery.org", ec_key("secp256r1", 101))),
        # One key for one hosting provider's customers: all name the provider's own domain.
        _row(3, _dv("customer-one.com", ec_key("secp256r1", 102), "c1.hostco.net")),
        _row(4, _dv("customer-two.org", ec_key("secp256r1", 102), "c2.hostco.net")),
        # One key for one organization's sites, and a renewal with the same key.
        _row(5, _ov("Gamma Industries Ltd", "www.gamma-one.com", ec_key("secp256r1", 103))),
        _row(6, _ov("GAMMA INDUSTRIES, LTD.", "www.gamma-two.net", ec_key("secp256r1", 103))),
        _row(7, _dv("renewed.delta.io", ec_key("secp256r1", 104))),
        _row(
            8,
            _dv("renewed.delta.io", ec_key("secp256r1", 104)).but(
                not_before=ISSUED - timedelta(days=20)
            ),
        ),
        # Two customers of one hosting platform under a private suffix: two subscribers.
        _row(9, _dv("own-key.github.io", ec_key("secp256r1", 105))),
        _row(10, _dv("ca-key.example.com", certbuilder.test_issuer().key.public_key())),
        _row(11, _dv("sub-ca-key.example.com", SUBORDINATE_CA_SPEC.key.public_key())),
        _row(12, SUBORDINATE_CA_SPEC.but(not_before=ISSUED)),  # the CA certificate itself
        _row(20, _dv("rsa-one.example.net", _rsa_public(shared_prime, _prime(rng)))),
        _row(21, _dv("rsa-two.example.org", _rsa_public(shared_prime, _prime(rng)))),
        _row(22, _dv("rsa-fine.example.com", _rsa_public(_prime(rng), _prime(rng)))),
        _row(23, _dv("fermat.example.com", _rsa_public(fermat_p, fermat_q))),
        # Row 30 revoked for keyCompromise before the audit; row 31 still has its key. Row 32
        # was revoked as superseded (not a compromise) and row 33 has its key: no finding.
        _row(
            30,
            _dv("leaked.epsilon.com", ec_key("secp256r1", 106)),
            **_revoked(ISSUED + timedelta(days=3), 1),
        ),
        _row(31, _dv("leaked.epsilon.com", ec_key("secp256r1", 106))),
        _row(
            32,
            _dv("old.zeta.com", ec_key("secp256r1", 107)),
            **_revoked(ISSUED + timedelta(days=3), 4),
        ),
        _row(33, _dv("old.zeta.com", ec_key("secp256r1", 107))),
        # Revoked for keyCompromise after the as-of time: still active then, and no one's
        # compromised key yet.
        _row(
            34,
            _dv("later.eta.com", ec_key("secp256r1", 108)),
            **_revoked(AS_OF + timedelta(days=3), 1),
        ),
        _row(35, _dv("later.eta.com", ec_key("secp256r1", 108))),
        _row(40, _dv("small-factor.example.com", _rsa_public(65537, _prime(rng, 2031)))),
        _row(41, _dv("blocklisted.example.com", blocklisted)),
        _row(42, _dv("blocklisted-ec.example.com", ec_key("secp256r1", 109))),
    ]
    db = tmp / "ca.sqlite"
    engine = create_engine(f"sqlite:///{db}")
    schema.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(schema.certificates), rows)
    data = tmp / "badkeys"
    data.mkdir()
    listed_x = ec_key("secp256r1", 109).public_key().public_numbers().x
    _blocklist(data, {blocklisted.public_numbers().n: 7, listed_x: 8}, {7: "testkeys"})
    out = tmp / "runs"
    done = subprocess.run(
        [sys.executable, "-m", "audit", "run", "--db", f"sqlite:///{db}", "--as-of",
         AS_OF.isoformat(), "--out", str(out), "--workers", "1", "--badkeys-data", str(data)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    run_dir = Path(done.stdout.split("run directory: ", 1)[1].splitlines()[0])
    return {"run_dir": run_dir, "data": data}


def _blocklist(directory: Path, values: dict[int, int], names: dict[int, str]) -> None:
    """A blocklist in badkeys' format: sorted (15 octets of SHA-256 of the value, list id)."""
    records = sorted(
        hashlib.sha256(v.to_bytes((v.bit_length() + 7) // 8, "big")).digest()[:15] + bytes([i])
        for v, i in values.items()
    )
    (directory / "blocklist.dat").write_bytes(b"".join(records))
    lists = [{"id": i, "name": n} for i, n in names.items()]
    (directory / "badkeysdata.json").write_text(json.dumps({"blocklists": lists}))


def _findings(run_dir: Path) -> list[dict[str, Any]]:
    return ds.dataset(run_dir / "findings", format="parquet").to_table().to_pylist()


def test_each_planted_key_defect_is_found_on_its_certificates_alone(planted) -> None:  # type: ignore[no-untyped-def]
    found: dict[str, set[str]] = {}
    for f in _findings(planted["run_dir"]):
        if f["source"] == "population":
            found.setdefault(f["cert_id"], set()).add(f["lint"])
    assert found == EXPECTED


def test_messages_name_the_other_certificates(planted) -> None:  # type: ignore[no-untyped-def]
    messages = {
        (f["cert_id"], f["lint"]): f["message"]
        for f in _findings(planted["run_dir"])
        if f["source"] == "population"
    }
    assert (
        "certificate(s) 2 of 1 other subscriber(s) (beta-bakery.org)"
        in messages[("1", SHARED_KEYS)]
    )
    assert "(alpha-widgets.com)" in messages[("2", SHARED_KEYS)]
    assert "which signed certificate(s) 1, 2" in messages[("10", CA_KEY)]
    assert "CA certificate(s) 12" in messages[("11", CA_KEY)]
    assert "with the modulus of certificate(s) 21" in messages[("20", SHARED_PRIMES)]
    assert "30 (serial" in messages[("31", COMPROMISED)]
    assert "smallfactors" in messages[("40", WEAK)]
    assert "blocklist (testkeys)" in messages[("41", WEAK)]
    assert "blocklist (list 8)" in messages[("42", WEAK)]  # a list badkeysdata.json does not name


def test_close_primes_are_the_per_certificate_lints_finding(planted) -> None:  # type: ignore[no-untyped-def]
    fermat = {f["cert_id"] for f in _findings(planted["run_dir"]) if f["lint"] == FERMAT}
    assert fermat == {"23"}


def test_run_json_says_what_was_read_and_which_checks_ran(planted) -> None:  # type: ignore[no-untyped-def]
    run = json.loads((planted["run_dir"] / "run.json").read_text())
    scope = run["scope"]
    assert scope["revoked_rows"]["read"] is True
    assert scope["revoked_rows"]["rows"] == 1  # row 30; row 34 was revoked after the as-of time
    checks = scope["key_checks"]
    assert {"roca", "smallfactors", "sharedprimes", "blocklist"} <= set(checks["ran"])
    assert "fermat" in checks["not_run"]
    assert checks["blocklist"]["entries"] == 2
    assert scope["batch_gcd"]["distinct_rsa_moduli"] == 6
    assert checks["blocklist"]["path"] == str(planted["data"] / "blocklist.dat")
    report = (planted["run_dir"] / "report.html").read_text()
    assert "Key checks" in report and "<code>blocklist</code>" in report
    assert "1 rows revoked for keyCompromise" in report
    assert run["counts"]["reconciled"]


def test_keys_dataset_has_a_row_per_certificate(planted) -> None:  # type: ignore[no-untyped-def]
    keys = ds.dataset(planted["run_dir"] / "keys", format="parquet").to_table().to_pylist()
    certificates = ds.dataset(planted["run_dir"] / "certificates", format="parquet").to_table()
    assert sorted(k["cert_id"] for k in keys) == sorted(certificates["cert_id"].to_pylist())
    by_id = {k["cert_id"]: k for k in keys}
    assert by_id["3"]["domains"] == ["customer-one.com", "hostco.net"]
    assert by_id["9"]["domains"] == ["own-key.github.io"]
    assert by_id["12"]["is_ca"] and not by_id["1"]["is_ca"]
    assert by_id["20"]["key_algorithm"] == "rsa" and by_id["20"]["rsa_exponent"] == b"\x01\x00\x01"
    assert by_id["1"]["public_key"][0] == 0x04 and by_id["1"]["rsa_modulus"] is None
    assert (
        by_id["10"]["key_id"]
        == certbuilder.test_issuer().key_id.hex()
        == by_id["1"]["authority_key_id"]
    )


def test_evidence_package_of_the_run_verifies(planted, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    package = tmp_path / "evidence.tar"
    for args in (
        ["evidence", str(planted["run_dir"]), "--out", str(package)],
        ["verify", str(package), "--allow-unsigned"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "audit", *args], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_subscribers_are_related_through_a_keys_other_certificates() -> None:
    """A shares a domain with B, B an organization with C: one subscriber; D names nothing
    but its subject, E the same subject: one more; F is alone."""

    def cert(cert_id: str, domains: list[str], organization: str | None = None) -> dict:
        return {"spki_sha256": "ab" * 32, "cert_id": cert_id, "domains": domains,
                "email_domains": [], "organization": organization, "subject": "CN=device"}  # fmt: skip

    group = [
        cert("A", ["a.com"]), cert("B", ["a.com", "b.com"], "Beta Ltd"),
        cert("C", ["c.com"], "BETA LTD."), cert("D", []), cert("E", []), cert("F", ["f.com"]),
    ]  # fmt: skip
    found = dict(_unrelated(group))
    assert set(found) == set("ABCDEF")
    assert "of 2 other subscriber(s)" in found["A"] and found["A"] == found["C"]
    assert "certificate(s) A, B, C, F of 2 other" in found["D"] and found["D"] == found["E"]
    assert list(_unrelated(group[:3])) == []


def test_the_blocklist_is_read_as_badkeys_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The test's blocklist file is in badkeys' own format: badkeys' reader finds its entries,
    and so does the run's."""
    from badkeys.allkeys import block

    monkeypatch.setattr(block, "_blmeta", {})  # no list names: badkeys' own metadata is not here
    values = {3 * 5 * 7 * 11: 1, 2**255 + 95: 2, 65537: 3}
    _blocklist(tmp_path, values, {1: "one"})
    data = (tmp_path / "blocklist.dat").read_bytes()
    listed = Blocklist.open(tmp_path)
    for value, number in values.items():
        digest = hashlib.sha256(value.to_bytes((value.bit_length() + 7) // 8, "big")).digest()
        assert block._checkbl(data, digest[:15])["blid"] == number  # noqa: SLF001
        assert listed.find(value) == {1: "one"}.get(number, f"list {number}")
    assert listed.find(12345) is None and block._checkbl(data, b"\0" * 15) is False  # noqa: SLF001


def test_registrable_domains_are_the_public_suffix_lists() -> None:
    """The label tree gives what the package's own lookup gives, for every rule of the list
    (each as a name, and with one and two labels more) and the awkward cases."""
    rules = sorted(getattr(domains._PSL, "_publicsuffix"))  # noqa: B009 - the package's rules
    names = ["example.com.", "*.example.org", "WWW.Example.CO.UK", "a..b.com", "", "localhost"]
    for rule in rules:
        base = rule.lstrip("!").replace("*", "w")
        names += [base, f"a.{base}", f"b.a.{base}"]
    differ = [
        n for n in names if domains.registrable_domain(n) != domains.library_registrable_domain(n)
    ]
    assert len(rules) > 5000 and differ == []
    assert domains.registrable_domains(["a.own.github.io", "*.b.co.uk", "x.b.co.uk"]) == [
        "own.github.io", "b.co.uk",
    ]  # fmt: skip


# -- the batch GCD alone -------------------------------------------------------------------------


def _brute_force(moduli: list[int], extra: list[int]) -> list[tuple[int, int]]:
    out = []
    for i, n in enumerate(moduli):
        rest = math.prod(m for j, m in enumerate(moduli) if j != i) * math.prod(extra)
        if (g := math.gcd(n, rest)) != 1:
            out.append((i, g))
    return out


@pytest.mark.parametrize(
    "layout",
    [
        Layout(),  # one group, one node
        Layout(group_bits=200, node_bits=100_000),  # many groups, a tree up to one root
        Layout(group_bits=128, node_bits=300),  # several top nodes: pairwise at the top
        Layout(group_bits=1, node_bits=1),  # a modulus per group, every one a top node
    ],
)
def test_batch_gcd_finds_exactly_the_shared_factors(tmp_path: Path, layout: Layout) -> None:
    rng = random.Random(7)
    primes = [_prime(rng, 48) for _ in range(160)]
    moduli = [primes[2 * i] * primes[2 * i + 1] for i in range(70)]
    moduli += [primes[3] * primes[150], primes[151] * primes[152], primes[152] * primes[153]]
    moduli += [primes[140] * primes[141] * 3]  # a small factor, shared with the extra number
    extra = [3 * 5 * 7, primes[100] * primes[154]]  # primes[100] is in modulus 50
    hits = list(shared_factors(iter(moduli), tmp_path, extra=extra, layout=layout))
    assert [(h.index, h.gcd) for h in hits] == _brute_force(moduli, extra)
    assert {h.index for h in hits} == {1, 50, 70, 71, 72, 73}
    assert all(h.modulus == moduli[h.index] for h in hits)


def test_batch_gcd_of_nothing_and_of_coprime_moduli(tmp_path: Path) -> None:
    assert list(shared_factors(iter([]), tmp_path)) == []
    rng = random.Random(8)
    primes = [_prime(rng, 64) for _ in range(40)]
    moduli = [primes[2 * i] * primes[2 * i + 1] for i in range(20)]
    assert list(shared_factors(iter(moduli), tmp_path, layout=Layout(64, 256))) == []
