"""Keys whose private half anyone can compute: badkeys' checks, over each distinct key once.

badkeys (https://badkeys.info/) gathers the known ways: the Infineon ROCA keys, small factors,
primes known to be shared by keys in the wild, a small private exponent (Wiener), moduli with
the zero-byte pattern that allows polynomial factoring, invalid exponents; and blocklists of
keys that are public (Debian's weak keys of 2008, keys published in code and firmware). The
checks that need no data run always; the blocklist runs when `--badkeys-data` gives a local copy
of badkeys' data (this machine never downloads it). run.json's `scope` (`key_checks`) lists
which checks ran, on how many keys, and which did not and why; the report shows it.

Close primes (Fermat) are checked per certificate by rsa_modulus_not_fermat_factorable, with
the same 100 rounds as badkeys, and not again here.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from audit.engine.registry import Source, population_lint
from audit.engine.status import Status
from audit.lints import dates
from audit.outputs import sql
from audit.population.apply import population_input
from audit.population.blocklist import Blocklist, blocklist_value
from audit.population.rsa_moduli import (
    MODULUS_FACTORS,
    PER_KEY_CHECKS,
    SMALL_PRIME_LIMIT,
    WEAK_RSA_KEYS,
    factor_kinds,
    modulus_factors,
    weak_rsa_keys,
)

if TYPE_CHECKING:
    from audit.population.apply import Population

PopulationFinding = tuple[str, str]  # (cert_id, message)
KEYS_PER_TASK = 20_000
BLOCKLISTED_KEYS = "blocklisted_keys"  # the prepared input: the keys on badkeys' blocklists


@population_lint(
    name="population_key_not_known_weak",
    description="No certificate carries a key whose private key can be computed from the public "
    "key by a known method: badkeys' checks (ROCA, factors up to 65,537, primes known to be "
    "shared in the wild, a small private exponent, the zero-byte polynomial pattern, invalid "
    "RSA exponents; and, with --badkeys-data, its blocklists such as Debian's weak keys). Each "
    "distinct key is checked once; run.json's scope lists the checks that ran.",
    citation="BR 6.1.1.3 (5) (a known weak Private Key, such as a Debian weak key; ROCA and "
    "close primes named for requests from 15 November 2024); BR 4.9.1.1 (4); Mozilla Root Store "
    "Policy 5.2 (invalid public keys)",
    source=Source.POPULATION,
    severity=Status.ERROR,
    effective=dates.BR_1_0,  # BR 1.0 9.5: a known weak Private Key (such as a Debian weak key)
    inputs=(MODULUS_FACTORS, WEAK_RSA_KEYS, BLOCKLISTED_KEYS),
)
def key_not_known_weak(population: Population) -> Iterator[PopulationFinding]:
    said: dict[bytes, list[str]] = {}  # a key (its modulus, or its other value) -> what is wrong
    factors = modulus_factors(population)
    for n, g in factors.hits.items():
        small, known, _ = factor_kinds(g)
        if small:
            said.setdefault(n, []).append(
                f"smallfactors (a prime factor up to {SMALL_PRIME_LIMIT:,})"
            )
        if known:
            said.setdefault(n, []).append(
                "sharedprimes (a prime badkeys knows from keys in the wild)"
            )
    rsa_keys, flagged = weak_rsa_keys(population)
    for (n, _), checks in flagged.items():
        said.setdefault(n, []).extend(checks)
    blocklist = population.context.badkeys_data
    listed, looked_up = population.shared(BLOCKLISTED_KEYS)
    for value, name in listed.items():
        said.setdefault(value, []).append(f"blocklist ({name})")
    population.context.scope["key_checks"] = _scope(rsa_keys, factors.moduli, blocklist, looked_up)
    if said:
        yield from _findings(population, said)


def _scope(rsa_keys: int, moduli: int, data: Path | None, looked_up: int) -> dict[str, Any]:
    ran = {name: f"{rsa_keys:,} distinct RSA keys" for name in PER_KEY_CHECKS}
    ran |= {
        "smallfactors": f"{moduli:,} distinct RSA moduli (batch GCD)",
        "sharedprimes": f"{moduli:,} distinct RSA moduli (batch GCD)",
    }
    not_run = {
        "fermat": "checked per certificate by rsa_modulus_not_fermat_factorable (100 rounds)",
        "dsasparse": "DSA keys: refused outright by dsa_key_prohibited (BR 6.1.5)",
    }
    scope: dict[str, Any] = {"tool": f"badkeys {version('badkeys')}", "ran": ran}
    if data is None:
        not_run["blocklist"] = "no --badkeys-data given (badkeys' blocklists are downloaded data)"
        scope["blocklist"] = None
    else:
        ran["blocklist"] = f"{looked_up:,} distinct keys"
        scope["blocklist"] = Blocklist.open(data).describe()
    scope["not_run"] = not_run
    return scope


@population_input(BLOCKLISTED_KEYS)
def blocklisted(population: Population) -> tuple[dict[bytes, str], int]:
    """The keys found on badkeys' blocklists (by their modulus or other value), and how many
    distinct keys were looked up: none without --badkeys-data."""
    data = population.context.badkeys_data
    if data is None:
        return {}, 0
    query = (
        "SELECT DISTINCT key_algorithm AS a, rsa_modulus AS n, public_key AS k FROM keys "
        "WHERE rsa_modulus IS NOT NULL OR public_key IS NOT NULL"
    )
    tasks: list[tuple[str, list[tuple[str | None, bytes | None, bytes | None]]]] = []
    pending: list[Any] = []
    with population.query() as con:
        for table in sql.batches(con, query):
            pending += zip(
                table["a"].to_pylist(), table["n"].to_pylist(), table["k"].to_pylist(), strict=True
            )
            while len(pending) >= KEYS_PER_TASK:
                tasks.append((str(data), pending[:KEYS_PER_TASK]))
                pending = pending[KEYS_PER_TASK:]
    if pending:
        tasks.append((str(data), pending))
    found: dict[bytes, str] = {}
    for hits in population.context.map(look_up, tasks):
        found.update(hits)
    return found, sum(len(keys) for _, keys in tasks)


def look_up(
    task: tuple[str, list[tuple[str | None, bytes | None, bytes | None]]],
) -> dict[bytes, str]:
    """One task: the keys of `task` on the blocklist, by the octets they are known by here."""
    path, keys = task
    blocklist = Blocklist.open(Path(path))
    found = {}
    for algorithm, modulus, public_key in keys:
        n = int.from_bytes(modulus, "big") if modulus else None
        value = blocklist_value(algorithm, public_key, n)
        if value is not None and (name := blocklist.find(value)) is not None:
            found[modulus or public_key] = name
    return found


def _findings(population: Population, said: dict[bytes, list[str]]) -> Iterator[PopulationFinding]:
    wanted = pa.table({"v": pa.array(list(said), pa.binary())})
    query = (
        "SELECT k.cert_id, coalesce(k.rsa_modulus, k.public_key) AS v FROM keys k "
        "JOIN wanted_keys w ON coalesce(k.rsa_modulus, k.public_key) = w.v "
        "ORDER BY k._file, k._row"
    )
    with population.query() as con:
        con.register("wanted_keys", wanted)
        for table in sql.batches(con, query):
            for cert_id, value in zip(
                table["cert_id"].to_pylist(), table["v"].to_pylist(), strict=True
            ):
                yield cert_id, f"its key's private key can be computed: {'; '.join(said[value])}"
