"""Community practice for RSA keys: a key that is there, and one that cannot be factored by
Fermat's method (primes chosen too close together, as some key generators did)."""

from __future__ import annotations

from functools import cache

import gmpy2

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates


def _rsa_encryption(cert: CertView) -> bool:
    return cert.public_key_algorithm == oids.RSA_ENCRYPTION


@lint(
    name="rsa_public_key_decodes",
    description="A subjectPublicKeyInfo that says rsaEncryption holds an RSAPublicKey "
    "(modulus and public exponent) that decodes: otherwise the certificate certifies no "
    "usable key.",
    citation="RFC 3279 2.3.1; certlint (AWS Labs)",
    source=Source.COMMUNITY,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    when=_rsa_encryption,
    zlint=("e_rsa_no_public_key",),
)
def rsa_public_key_decodes(cert: CertView) -> Outcome:
    try:
        key = cert.key
    except Exception as exc:  # neither decoder can read the key: that is the finding
        return fail(f"the RSA public key cannot be decoded: {exc}"[:300])
    if key.algorithm != "rsa" or not key.rsa_modulus or not key.rsa_exponent:
        return fail("the RSA public key has no modulus or no public exponent")
    return PASS


# Fermat's method: n = a^2 - b^2 = (a + b)(a - b). Starting from a = isqrt(n) + 1, it finds p
# and q within FERMAT_ROUNDS steps when |p - q| is small (below about sqrt(8 * rounds) * n^(1/4)).
# Boulder and zlint try 100 rounds. a^2 - n can only be a square if it is one modulo small
# numbers too: per modulus, a table says which a (mod m) allow that for each n (mod m), so all
# rounds are sieved with a few integer operations and an isqrt is left for the rare survivor.
FERMAT_ROUNDS = 100
_SIEVE_MODULI = (64, 63, 65, 11, 17, 19, 23)


@cache
def _sieve() -> tuple[tuple[int, tuple[int, ...]], ...]:
    """Per modulus m and per n mod m: bit j set when (j^2 - n) mod m is a square mod m, for j
    in range(m + FERMAT_ROUNDS), so that shifting by a0 mod m lines bit i up with a0 + i."""
    tables = []
    for m in _SIEVE_MODULI:
        squares = {x * x % m for x in range(m)}
        rows = tuple(
            sum(1 << j for j in range(m + FERMAT_ROUNDS) if (j * j - residue) % m in squares)
            for residue in range(m)
        )
        tables.append((m, rows))
    return tuple(tables)


def fermat_factors(n: int, rounds: int = FERMAT_ROUNDS) -> tuple[int, int] | None:
    """(p, q) when Fermat's method factors n within `rounds` steps (at most FERMAT_ROUNDS),
    else None. The square roots are GMP's (gmpy2): Python's take twice as long on a 2048-bit
    modulus, and every RSA certificate asks."""
    if n < 9 or not n & 1:
        return None
    z = gmpy2.mpz(n)
    a0, rest = gmpy2.isqrt_rem(z)
    if not rest:
        return int(a0), int(a0)
    a0 += 1
    candidates = (1 << min(rounds, FERMAT_ROUNDS)) - 1  # bit i: a = a0 + i is still possible
    for m, rows in _sieve():
        candidates &= rows[z % m] >> (a0 % m)
        if not candidates:
            return None
    while candidates:
        lowest = candidates & -candidates
        candidates ^= lowest
        a = a0 + lowest.bit_length() - 1
        b, rest = gmpy2.isqrt_rem(a * a - z)
        if not rest:
            return int(a + b), int(a - b)
    return None


@lint(
    name="rsa_modulus_not_fermat_factorable",
    description=f"The RSA modulus cannot be factored by Fermat's method within {FERMAT_ROUNDS} "
    "steps: its primes are not so close together that anyone can recover the private key "
    "(CVE-2022-26320 and others, https://fermatattack.secvuln.info/).",
    citation="Böck, 'Fermat Factorization in the Wild' (2022); Boulder goodkey; BR 6.1.1.3 "
    "(keys with known weaknesses are rejected)",
    source=Source.COMMUNITY,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    when=lambda cert: cert.key_algorithm == "rsa",
    zlint=("e_rsa_fermat_factorization",),
)
def rsa_modulus_not_fermat_factorable(cert: CertView) -> Outcome:
    factors = fermat_factors(cert.key.rsa_modulus or 0)
    if factors:
        p, q = factors
        return fail(f"the RSA modulus factors by Fermat's method: p - q = {p - q}")
    return PASS
