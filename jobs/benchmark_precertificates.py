"""The precertificate population lints over a synthetic certificates dataset: wall and CPU time,
and the process's peak memory, measured.

    python -m audit.jobs.benchmark_precertificates --sizes 100000,1000000

Each size runs in a fresh process (so each peak is that size's alone). The dataset is a run's
certificates/ (part files of 50,000 rows, the run's own schema) as a Boulder-like CA gives it:
every certificate beside its precertificate (half the rows each), with a handful of planted
pairs that differ and precertificates without a certificate, which the figures check are found.
Only the columns the lints read are filled; the digests are random, as real SHA-256 values are.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from audit.jobs.measured import peak_rss_mib

SEED = 2026
PART_ROWS = 50_000
PLANTED = 5  # pairs that differ, and precertificates with no certificate, each


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def write_dataset(directory: Path, rows: int, seed: int = SEED) -> None:
    """`rows` rows of certificates/ under `directory`: pairs, some planted defects."""
    from audit.outputs import schemas
    from audit.outputs.parts import CERTIFICATES_DIR, part_name

    rng = random.Random(seed)
    out = directory / CERTIFICATES_DIR
    out.mkdir(parents=True)
    issuers = [f"CN=Issuing CA {i},O=Example CA,C=US" for i in range(4)]
    pairs = rows // 2
    differ = set(rng.sample(range(pairs), PLANTED))
    alone = set(rng.sample(sorted(set(range(pairs)) - differ), PLANTED))
    batch: list[dict[str, Any]] = []
    part = 0

    def flush() -> None:
        nonlocal part
        table = pa.Table.from_pylist(batch, schema=schemas.CERTIFICATES)
        pq.write_table(table, out / part_name(part))
        batch.clear()
        part += 1

    for i in range(pairs):
        issuer, serial = issuers[i % len(issuers)], format(rng.getrandbits(127) | 1 << 126, "x")
        digest, other = f"{rng.getrandbits(256):064x}", f"{rng.getrandbits(256):064x}"
        common = {
            "issuer": issuer, "serial": serial, "subject": f"CN=host{i}.example.com",
            "decoded": True, "partition": part, "ct_tbs_sha256_other_issuer": other,
        }  # fmt: skip
        for precertificate in (True, False):
            if precertificate is False and i in alone:
                continue
            batch.append(
                common
                | {
                    "cert_id": f"{'precertificates:' if precertificate else ''}{i}",
                    "profile": "precertificate_dv" if precertificate else "subscriber_dv",
                    "ct_tbs_sha256": digest if precertificate or i not in differ else "0" * 64,
                }
                | {f"n_{s}": 0 for s in ("info", "notice", "warn", "error", "fatal")}
            )
        if len(batch) >= PART_ROWS:
            flush()
    if batch:
        flush()


def measure(rows: int) -> dict[str, Any]:
    """One size, in this process: the dataset written, then both lints run over it."""
    from audit.lints.population.precertificates import (
        precertificate_has_certificate,
        precertificate_matches_certificate,
    )
    from audit.outputs.parts import CERTIFICATES_DIR
    from audit.population.apply import Population

    with tempfile.TemporaryDirectory(prefix="certcensus-precert-") as tmp:
        write_dataset(Path(tmp), rows)
        population = Population(Path(tmp) / CERTIFICATES_DIR)
        cpu, wall = _cpu_seconds(), time.perf_counter()
        differing = list(precertificate_matches_certificate(population))
        without = list(precertificate_has_certificate(population))
        wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
    return {
        "rows": rows,
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "found_differing": len(differing),  # both of each planted pair: 2 * PLANTED
        "found_without_certificate": len(without),  # PLANTED
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process's size
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one)))
        return 0
    for size in (int(s) for s in args.sizes.split(",")):
        child = subprocess.run(
            [sys.executable, "-m", "audit.jobs.benchmark_precertificates", "--one", str(size)],
            check=True,
            capture_output=True,
            text=True,
        )
        print(child.stdout.strip().splitlines()[-1], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
