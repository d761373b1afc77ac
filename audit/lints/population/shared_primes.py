"""RSA moduli that share a prime: one gcd factors both, and with them their private keys.

Found by one batch GCD over every distinct modulus of the population (audit/population/
batch_gcd.py, via audit/population/rsa_moduli.py), in memory that does not grow with the
population. Its time and the number of moduli go to run.json's `scope`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import gmpy2
import pyarrow as pa

from audit.engine.registry import Source, population_lint
from audit.engine.status import Status
from audit.lints import dates
from audit.outputs import sql
from audit.population.rsa_moduli import MODULUS_FACTORS, modulus_factors, without_small_primes

if TYPE_CHECKING:
    from audit.population.apply import Population

PopulationFinding = tuple[str, str]  # (cert_id, message)

# Moduli with a shared factor whose partners are looked for one by one: a pairwise search, so
# bounded; above it (a broken key generator, not a slip) the message gives the count instead.
MOST_PARTNERS_SEARCHED = 3000
NAMED = 5


@population_lint(
    name="population_rsa_modulus_shares_no_prime",
    description="No two RSA moduli in the population share a prime factor: if they do, the "
    "greatest common divisor of the two factors both, and anyone who compares the public keys "
    "can compute both private keys (batch GCD over every distinct modulus). Factors up to "
    "65,537 are left to population_key_not_known_weak.",
    citation="BR 6.1.1.3 (5) (a demonstrated or proven method to easily compute the Private "
    "Key from the Public Key); BR 4.9.1.1 (4)",
    source=Source.POPULATION,
    severity=Status.ERROR,
    effective=dates.BR_1_0,  # BR 1.0 9.5: a known weak Private Key is refused
    inputs=(MODULUS_FACTORS,),
)
def rsa_modulus_shares_no_prime(population: Population) -> Iterator[PopulationFinding]:
    factors = modulus_factors(population)
    population.context.scope["batch_gcd"] = {
        "distinct_rsa_moduli": factors.moduli,
        "seconds": round(factors.seconds, 3),
        "moduli_with_a_common_factor": len(factors.hits),
    }
    # Moduli whose gcd with the rest has a factor beyond the small primes: sharing a prime
    # with another modulus, or with badkeys' known shared primes (which only the weak-key lint
    # reports: below, a partner must be a modulus of the population).
    candidates = {
        n: rest for n, g in factors.hits.items() if (rest := without_small_primes(g)) != 1
    }
    if not candidates:
        return
    numbers = {n: gmpy2.mpz(int.from_bytes(n, "big")) for n in candidates}
    searched = len(candidates) <= MOST_PARTNERS_SEARCHED
    partners: dict[bytes, list[bytes]] = {n: [] for n in candidates}
    if searched:
        ordered = sorted(candidates)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if without_small_primes(int(gmpy2.gcd(numbers[a], numbers[b]))) != 1:
                    partners[a].append(b)
                    partners[b].append(a)
    certificates = _certificates_of(population, list(candidates))
    for n in sorted(candidates, key=lambda m: certificates.get(m, [""])[0]):
        if searched and not partners[n]:
            continue  # shares only badkeys' known primes: the weak-key lint's finding
        bits = int.from_bytes(n, "big").bit_length()
        if searched:
            others = [c for m in partners[n] for c in certificates.get(m, [])]
            shown = ", ".join(others[:NAMED]) + (
                f" and {len(others) - NAMED} more" if len(others) > NAMED else ""
            )
            message = (
                f"its {bits}-bit RSA modulus shares a prime factor with the modulus of "
                f"certificate(s) {shown}: one gcd factors both"
            )
        else:
            message = (
                f"its {bits}-bit RSA modulus shares a prime factor with other moduli of the "
                f"population ({len(candidates):,} moduli do)"
            )
        same_key = certificates.get(n, [])
        for cert_id in same_key:
            yield cert_id, message


def _certificates_of(population: Population, moduli: list[bytes]) -> dict[bytes, list[str]]:
    """The certificates (cert_id, in the dataset's order) that carry each of `moduli`."""
    wanted = pa.table({"m": pa.array(moduli, pa.binary())})
    out: dict[bytes, list[str]] = {}
    with population.query() as con:
        con.register("wanted_moduli", wanted)
        query = (
            "SELECT k.rsa_modulus AS m, k.cert_id FROM keys k "
            "JOIN wanted_moduli w ON k.rsa_modulus = w.m ORDER BY k._file, k._row"
        )
        for table in sql.batches(con, query):
            for m, cert_id in zip(
                table["m"].to_pylist(), table["cert_id"].to_pylist(), strict=True
            ):
                out.setdefault(m, []).append(cert_id)
    return out
