"""The population's key lints over a synthetic run of realistic shape: their wall time and the
peak memory of the process that runs them, measured.

    python -m audit.jobs.benchmark_key_lints --sizes 100000,1000000 [--rsa-share 0.0]

Each size is measured in a fresh process. It writes a run directory's `certificates/` and `keys/`
part files (5,000 rows each, as partitions write them) for that many certificates: subscriber
keys unique but for one renewal in ten that keeps its key, two issuing CAs, a third of the
certificates OV with one of 997 organizations, no defect. `--rsa-share` of the keys are RSA,
made as benchmark_batch_gcd makes its moduli, so that the batch GCD runs on that many; at 0 (the
scale benchmark's population, all EC keys) the figures are those of the queries alone. Then it
runs the key lints (audit/lints/population/keys.py, shared_primes.py, weak_keys.py) each on its
own, then together as a run's population phase does, in this process.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from audit.jobs.measured import peak_rss_mib, run_measured

ROWS_PER_PART = 5000
KEY_LINTS = (
    "population_key_not_shared_by_unrelated_subscribers",
    "population_subscriber_key_not_a_ca_key",
    "population_key_compromised_key_not_in_active_certificate",
    "population_rsa_modulus_shares_no_prime",
    "population_key_not_known_weak",
)


def write_run(run_dir: Path, size: int, rsa_share: float, seed: int = 2026) -> None:
    from audit.jobs.benchmark_batch_gcd import synthetic_moduli
    from audit.outputs import schemas
    from audit.outputs.keys import KEYS_DIR, to_bytes
    from audit.outputs.parts import CERTIFICATES_DIR, part_name

    rng = random.Random(seed)
    rsa_count = int(size * rsa_share)
    moduli, _ = synthetic_moduli(max(rsa_count, 1))
    issuers = [("CN=Issuing CA 1,O=Example CA,C=US", "11" * 20), ("CN=Issuing CA 2", "22" * 20)]
    not_before = datetime(2025, 5, 1, tzinfo=UTC)
    for sub in (CERTIFICATES_DIR, KEYS_DIR):
        (run_dir / sub).mkdir(parents=True)
    previous: dict[str, Any] | None = None
    for part, start in enumerate(range(0, size, ROWS_PER_PART)):
        certificates, keys = [], []
        for i in range(start, min(size, start + ROWS_PER_PART)):
            issuer, aki = issuers[i % 3 == 0]
            host = f"host{i}.customer{i}.com"
            renewal = previous is not None and rng.random() < 0.1
            if renewal:
                assert previous is not None
                key = dict(previous)
            elif i < rsa_count:
                key = {"key_algorithm": "rsa", "key_bits": 2048,
                       "rsa_modulus": to_bytes(next(moduli)), "rsa_exponent": b"\x01\x00\x01",
                       "public_key": None}  # fmt: skip
            else:
                key = {"key_algorithm": "ec", "key_bits": 256, "rsa_modulus": None,
                       "rsa_exponent": None, "public_key": b"\x04" + rng.randbytes(64)}  # fmt: skip
            if not renewal:
                raw = key["rsa_modulus"] or key["public_key"]
                key |= {
                    "spki_sha256": hashlib.sha256(raw).hexdigest(),
                    "key_id": hashlib.sha1(raw).hexdigest(),
                    "domains": [f"customer{i}.com"],
                    "organization": f"Customer {i % 997} Inc." if i % 3 == 1 else None,
                }
            previous = key
            cert_id = str(i)
            certificates.append(
                {
                    "cert_id": cert_id,
                    "sha256": hashlib.sha256(cert_id.encode()).hexdigest(),
                    "serial": format(rng.getrandbits(127) | 1 << 126, "x"),
                    "issuer": issuer,
                    "subject": f"CN={host}",
                    "not_before": not_before + timedelta(seconds=i),
                    "not_after": not_before + timedelta(days=90, seconds=i),
                    "profile": "tls_dv",
                    "decoded": True,
                    "partition": part,
                }  # fmt: skip
                | {f: 0 for f in schemas.CERTIFICATES.names if f.startswith("n_")}
            )
            keys.append(
                key
                | {
                    "cert_id": cert_id,
                    "authority_key_id": aki,
                    "is_ca": False,
                    "email_domains": [],
                }  # fmt: skip
            )
        pq.write_table(
            pa.Table.from_pylist(certificates, schema=schemas.CERTIFICATES),
            run_dir / CERTIFICATES_DIR / part_name(part),
        )
        pq.write_table(
            pa.Table.from_pylist(keys, schema=schemas.KEYS), run_dir / KEYS_DIR / part_name(part)
        )


def run_one(size: int, rsa_share: float) -> dict[str, Any]:
    """The key lints over a synthetic run of `size` certificates, in this (fresh) process."""
    from audit.engine.registry import Catalogue
    from audit.outputs.parts import CERTIFICATES_DIR
    from audit.population.apply import Population, PopulationContext, apply_population_lints

    by_name = Catalogue.load().by_name
    lints = [by_name[name] for name in KEY_LINTS]
    with tempfile.TemporaryDirectory(prefix="certcensus-keys-") as tmp:
        run_dir = Path(tmp)
        written = time.perf_counter()
        write_run(run_dir, size, rsa_share)
        written = time.perf_counter() - written
        peak_before = peak_rss_mib()
        each = {}
        for x in lints:  # each on its own, for where the time goes
            alone = time.perf_counter()
            assert x.population_check is not None
            sum(1 for _ in x.population_check(Population(run_dir / CERTIFICATES_DIR)))
            each[x.name] = round(time.perf_counter() - alone, 2)
        started = time.perf_counter()
        context = PopulationContext()
        findings = apply_population_lints(run_dir, lints, context).rows
        wall = time.perf_counter() - started
    return {
        "size": size,
        "rsa_share": rsa_share,
        "write_seconds": round(written, 1),
        "lints_seconds": round(wall, 1),
        "findings": findings,
        "seconds_each": each,
        "peak_mib": round(peak_rss_mib(), 1),
        "peak_mib_before_lints": round(peak_before, 1),
        "scope": context.scope.get("batch_gcd"),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--rsa-share", type=float, default=0.0)
    parser.add_argument("--run-one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_one:
        print(json.dumps(run_one(args.run_one, args.rsa_share)))
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        result = run_measured(
            "audit.jobs.benchmark_key_lints",
            ["--run-one", str(size), "--rsa-share", str(args.rsa_share)],
            f"key lints benchmark for {size}",
        )
        results.append(result)
        print(
            f"{size:>9,} certificates ({args.rsa_share:.0%} RSA): key lints "
            f"{result['lints_seconds']:.1f} s, {result['findings']} findings, peak "
            f"{result['peak_mib']:.0f} MiB (before the lints {result['peak_mib_before_lints']:.0f})",
            flush=True,
        )
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
