"""Batch GCD over synthetic RSA moduli of realistic size: wall time and the peak memory of the
driver and of every worker, measured.

    python -m audit.jobs.benchmark_batch_gcd --sizes 100000,1000000 --workers 2

Each size runs in a fresh process (so each peak is that size's alone) on a local dask cluster
of --workers single-threaded processes, as a run's population phase does, through
`audit.population.batch_gcd.shared_factors` with the run's own layout. Peak memory is each
process's own peak resident set (getrusage ru_maxrss), read in the process at the end.

The moduli are 2048-bit numbers n = M * k + 1, with M the product of the primes below 1,000
and k random: as large as real moduli and free of small factors, made in microseconds each
(a million real RSA moduli would take hours to generate). Unlike RSA moduli they are not
products of two primes, so many share some prime above 1,000 with another: the count of such
"hits" is printed, and the work per hit (one gcd) is in the figures. A few real shared primes
are planted and checked for. The trees' cost depends on the sizes of the numbers alone.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gmpy2

from audit.jobs.measured import peak_rss_mib, run_measured

SEED = 2026


def _cpu_seconds() -> float:
    """CPU time this process has used: on a shared machine, what the work costs, whatever the
    other processes took of the cores meanwhile."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def synthetic_moduli(
    count: int, bits: int = 2048, seed: int = SEED
) -> tuple[Iterator[int], set[int]]:
    """`count` distinct moduli of `bits` bits, made one at a time as they are read (as a run
    streams them from its keys dataset), with three pairs planted to share a `bits / 2`-bit
    prime; returns them and the planted ones."""
    rng = random.Random(seed)
    small, p = 1, 2
    while p < 1000:
        small *= p
        p = int(gmpy2.next_prime(p))
    half = bits // 2
    planted: dict[int, int] = {}
    for pair in range(3):
        shared = int(gmpy2.next_prime(rng.getrandbits(half) | (1 << (half - 1))))
        for at in (pair * 7 + 1, count - 1 - pair * 11):
            other = int(gmpy2.next_prime(rng.getrandbits(half) | (1 << (half - 1))))
            planted[at] = shared * other
    k_bits = bits - small.bit_length()

    def moduli() -> Iterator[int]:
        for i in range(count):
            k = rng.getrandbits(k_bits) | (1 << (k_bits - 1))
            yield planted.get(i, small * k + 1)

    return moduli(), set(planted.values())


def run_one(size: int, workers: int) -> dict[str, Any]:
    """One batch GCD over `size` moduli, in this (fresh) process."""
    from audit.jobs.cluster import dask_client
    from audit.population.batch_gcd import Layout, shared_factors
    from audit.population.rsa_moduli import cluster_map

    moduli, planted = synthetic_moduli(size)
    layout = Layout()
    with dask_client(workers) as client, tempfile.TemporaryDirectory(prefix=".gcd-") as work:
        cpu_before = sum(client.run(_cpu_seconds).values()) + _cpu_seconds()
        started = time.perf_counter()
        hits, found = 0, set[int]()
        for hit in shared_factors(moduli, Path(work), map_=cluster_map(client), layout=layout):
            hits += 1
            if hit.gcd.bit_length() > 500:  # a shared 1024-bit prime, not a synthetic small one
                found.add(hit.modulus)
        wall = time.perf_counter() - started
        cpu = sum(client.run(_cpu_seconds).values()) + _cpu_seconds() - cpu_before
        worker_peaks = client.run(peak_rss_mib)
    return {
        "size": size,
        "bits": 2048,
        "workers": workers,
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),  # driver and workers: the wall time on idle cores x workers
        "hits": hits,
        "planted_found": found >= planted,
        "driver_peak_mib": round(peak_rss_mib(), 1),
        "worker_peak_mib": {str(k): round(v, 1) for k, v in worker_peaks.items()},
        "group_bits": layout.group_bits,
        "node_bits": layout.node_bits,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--run-one", type=int, help=argparse.SUPPRESS)  # the measured process
    args = parser.parse_args(argv)
    if args.run_one:
        print(json.dumps(run_one(args.run_one, args.workers)))
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        result = run_measured(
            "audit.jobs.benchmark_batch_gcd",
            ["--run-one", str(size), "--workers", str(args.workers)],
            f"batch GCD benchmark for {size}",
        )
        results.append(result)
        print(
            f"{size:>9,} moduli of 2048 bits, {args.workers} workers: {result['wall_seconds']:.1f} s"
            f" ({result['wall_seconds'] / size * 1e3:.2f} ms per modulus; CPU "
            f"{result['cpu_seconds']:.0f} s in all), peak driver "
            f"{result['driver_peak_mib']:.0f} MiB, peak worker "
            f"{max(result['worker_peak_mib'].values()):.0f} MiB; {result['hits']:,} hits, "
            f"planted pairs found: {result['planted_found']}",
            flush=True,
        )
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
