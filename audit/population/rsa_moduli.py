"""The population's distinct RSA moduli and what they give away: prepared once per run, before
the lints that declare them as inputs (shared primes, weak keys; audit/lints/population/), with
their tasks on the run's cluster.

One batch GCD (audit/population/batch_gcd.py) over every distinct modulus, with badkeys' own
data among its leaves: the products of the primes badkeys knows to be shared by keys in the wild
(its `sharedprimes` check) and of every prime up to 65,537 (its `smallfactors` check). A modulus
then shares a factor with another modulus, with a known-bad prime or with a small prime exactly
when its gcd with everything else is not 1; telling which is a gcd or two on that rare result.
So those two badkeys checks cost nothing beyond the batch GCD, where asking them of each key
costs 0.25 ms a key. badkeys' other offline RSA checks are per key, and cheap (`weak_rsa_keys`).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import gmpy2

from audit.outputs import sql
from audit.outputs.keys import to_bytes
from audit.population.apply import Population, population_input
from audit.population.batch_gcd import Mapper, shared_factors

SMALL_PRIME_LIMIT = 65537  # badkeys' smallfactors: "small prime factors (<=65537, usually corrupt)"
KNOWN_PRIME_SIZES = (512, 768, 1024, 2048, 4096)  # badkeys' sharedprimes data, by modulus size
# badkeys' offline checks of one RSA key that the batch GCD does not make (`fermat` is made per
# certificate by rsa_modulus_not_fermat_factorable, with the same 100 rounds). badkeys is
# imported where it is used: loading the catalogue (every `certcensus lint`) does not need it.
PER_KEY_CHECKS = ("roca", "rsainvalid", "rsapoly", "smalld")
KEYS_PER_TASK = 20_000
# The prepared inputs (`@population_input`) a lint declares to read these.
MODULUS_FACTORS = "rsa_modulus_factors"
WEAK_RSA_KEYS = "rsa_weak_keys"


@dataclass(frozen=True)
class ModulusFactors:
    moduli: int  # distinct RSA moduli examined
    hits: dict[bytes, int]  # modulus (big-endian) -> its gcd with the product of all the rest
    seconds: float


def modulus_factors(population: Population) -> ModulusFactors:
    """The population's RSA moduli's shared factors (the input MODULUS_FACTORS)."""
    result: ModulusFactors = population.shared(MODULUS_FACTORS)
    return result


@population_input(MODULUS_FACTORS)
def compute_modulus_factors(population: Population) -> ModulusFactors:
    """`modulus_factors`, computed: one batch GCD, its tasks on the context's `map`."""
    started = time.perf_counter()
    counted = [0]

    def moduli(con: Any) -> Iterator[int]:
        query = "SELECT DISTINCT rsa_modulus AS m FROM keys WHERE rsa_modulus IS NOT NULL"
        for table in sql.batches(con, query):
            for raw in table["m"].to_pylist():
                n = int.from_bytes(raw, "big")
                if n > 1:  # 0 and 1 (a broken key) share nothing: other lints say what they are
                    counted[0] += 1
                    yield n

    with (
        population.query() as con,
        tempfile.TemporaryDirectory(prefix=".batch-gcd-", dir=population.run_dir) as work,
    ):
        hits = shared_factors(
            moduli(con), Path(work), extra=[*known_prime_products(), small_primes_product()],
            map_=population.context.map,
        )  # fmt: skip
        found = {to_bytes(h.modulus): h.gcd for h in hits}
    return ModulusFactors(counted[0], found, time.perf_counter() - started)


@cache
def known_prime_products() -> tuple[int, ...]:
    """badkeys' products of primes known to be shared by keys in the wild (its sharedprimes
    data), one per modulus size."""
    package = files("badkeys.keydata")
    return tuple(
        int(gmpy2.from_binary(package.joinpath(f"primes{bits}.dat").read_bytes()))
        for bits in KNOWN_PRIME_SIZES
    )


@cache
def small_primes_product() -> int:
    product, prime = 1, 2
    while prime <= SMALL_PRIME_LIMIT:
        product *= prime
        prime = int(gmpy2.next_prime(prime))
    return product


def factor_kinds(gcd: int) -> tuple[bool, bool, int]:
    """Of a modulus' gcd with the rest: (it has a prime up to 65,537; it has a prime badkeys
    knows to be shared; the part left without the small primes)."""
    small = gmpy2.gcd(gcd, small_primes_product()) != 1
    known = any(gmpy2.gcd(gcd, product) != 1 for product in known_prime_products())
    return small, known, without_small_primes(gcd)


def without_small_primes(value: int) -> int:
    """`value` with every prime factor up to 65,537 divided out."""
    rest = gmpy2.mpz(value)
    while (common := gmpy2.gcd(rest, small_primes_product())) != 1:
        rest //= common
    return int(rest)


# -- badkeys' per-key checks, in tasks of KEYS_PER_TASK keys --------------------------------------


def weak_rsa_keys(population: Population) -> tuple[int, dict[tuple[bytes, bytes], list[str]]]:
    """How many distinct RSA keys there are, and for each one badkeys' per-key checks flag, what
    they say ("roca", "smalld: ...") (the input WEAK_RSA_KEYS)."""
    result: tuple[int, dict[tuple[bytes, bytes], list[str]]] = population.shared(WEAK_RSA_KEYS)
    return result


@population_input(WEAK_RSA_KEYS)
def check_rsa_keys(population: Population) -> tuple[int, dict[tuple[bytes, bytes], list[str]]]:
    """`weak_rsa_keys`, computed: badkeys' per-key checks in tasks of KEYS_PER_TASK keys."""
    query = (
        "SELECT DISTINCT rsa_modulus AS n, rsa_exponent AS e FROM keys "
        "WHERE rsa_modulus IS NOT NULL AND rsa_exponent IS NOT NULL"
    )
    tasks: list[list[tuple[bytes, bytes]]] = []
    with population.query() as con:
        pending: list[tuple[bytes, bytes]] = []
        for table in sql.batches(con, query):
            pending += zip(table["n"].to_pylist(), table["e"].to_pylist(), strict=True)
            while len(pending) >= KEYS_PER_TASK:
                tasks.append(pending[:KEYS_PER_TASK])
                pending = pending[KEYS_PER_TASK:]
        if pending:
            tasks.append(pending)
    flagged: dict[tuple[bytes, bytes], list[str]] = {}
    for found in population.context.map(check_keys, tasks):
        flagged.update(found)
    return sum(len(t) for t in tasks), flagged


def check_keys(keys: list[tuple[bytes, bytes]]) -> dict[tuple[bytes, bytes], list[str]]:
    """badkeys' PER_KEY_CHECKS of each (modulus, exponent): those that flag something."""
    from badkeys import rsakeys

    checks = {name: getattr(rsakeys, name) for name in PER_KEY_CHECKS}
    flagged = {}
    for raw_n, raw_e in keys:
        n, e = int.from_bytes(raw_n, "big"), int.from_bytes(raw_e, "big")
        said = []
        for name, check in checks.items():
            result = check(n, e=e)
            if result:
                detail = result.get("subtest") if isinstance(result, dict) else None
                said.append(f"{name} ({detail})" if detail else name)
        if said:
            flagged[(raw_n, raw_e)] = said
    return flagged


def cluster_map(client: Any) -> Mapper:
    """Tasks on a dask cluster (the run's): each item one task, results in order. A single
    item is done here: nothing would run beside it, and a small population's whole batch GCD
    is one such item (one group of moduli)."""

    def map_(function: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        if len(items) <= 1:
            return [function(item) for item in items]
        return list(client.gather(client.map(function, items, pure=False)))

    return map_
