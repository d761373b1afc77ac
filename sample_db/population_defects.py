"""Defects only the whole population shows: keys, primes, revocations and precertificates.

No single certificate here is wrong on its own; it is wrong next to another row: the same key in
two unrelated subscribers' certificates, a subscriber certificate with its issuing CA's key, two
RSA moduli with a prime in common, a key revoked for keyCompromise still in an active
certificate, a precertificate whose certificate differs from it beyond RFC 6962 3.1's poison and
SCT list, a precertificate whose certificate was never issued. `plant` places each once among
the certificates still valid after the snapshot (so that a run as of now sees them), after
every ordinary key has been given (subscriber_keys.py), so that nothing else shares them.

Each names the population lint (audit/lints/population) that must find it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from audit.sample_db import rsa_keys
from audit.sample_db.customers import serial
from audit.sample_db.subscriber_keys import KEY_COMPROMISE, KeyRing

if TYPE_CHECKING:
    from audit.sample_db.generate import Draft

TLS = frozenset({"dv", "ov", "ev"})


@dataclass(frozen=True)
class PopulationDefect:
    name: str
    lint: str  # the population lint expected to report it
    description: str
    rows: int  # rows that carry it each time it is planted


POPULATION_DEFECTS: tuple[PopulationDefect, ...] = (
    PopulationDefect(
        "key_shared_by_unrelated_subscribers", "population_key_not_shared_by_unrelated_subscribers",
        "one key pair in two unrelated customers' certificates (a web agency installed the same "
        "key for two clients)", 2,
    ),
    PopulationDefect(
        "subscriber_with_issuing_ca_key", "population_subscriber_key_not_a_ca_key",
        "a subscriber certificate whose public key is its issuing CA's", 1,
    ),
    PopulationDefect(
        "rsa_moduli_share_a_prime", "population_rsa_modulus_shares_no_prime",
        "two RSA moduli with a prime in common (batch GCD factors both)", 2,
    ),
    PopulationDefect(
        "key_compromise_sibling_active", "population_key_compromised_key_not_in_active_certificate",
        "an active certificate whose key is in a certificate revoked for keyCompromise (the "
        "revoked one is that key's earlier certificate)", 1,
    ),
    PopulationDefect(
        "precertificate_differs_from_certificate", "population_precertificate_matches_certificate",
        "the final certificate lacks a SAN name its precertificate had (RFC 6962 3.1 allows "
        "only the poison and the SCT list to differ); the row and the precertificate carry it", 2,
    ),
    PopulationDefect(
        "precertificate_without_certificate", "population_precertificate_has_certificate",
        "a precertificate whose final certificate was never issued (MRSP 5.4: it is presumed "
        "issued); only the precertificates table holds it", 1,
    ),
)  # fmt: skip

BY_NAME = {d.name: d for d in POPULATION_DEFECTS}


def _candidates(drafts: list[Draft], still_active: datetime, rsa: bool = False) -> list[int]:
    """Clean TLS drafts valid at `still_active`, not revoked."""
    return [
        i
        for i, d in enumerate(drafts)
        if d.defect is None
        and d.population_defect is None
        and d.validation in TLS
        and d.status == "issued"
        and d.spec.not_before <= still_active <= d.not_after
        and d.precertificate is None
        and (not rsa or d.key_kind == "rsa2048")
    ]


def _unrelated(a: Draft, b: Draft) -> bool:
    assert a.owner is not None and b.owner is not None
    return (
        a.owner.index != b.owner.index
        and a.owner.name != b.owner.name
        and not set(a.owner.domains) & set(b.owner.domains)
    )


def _pair(rng: random.Random, drafts: list[Draft], pool: list[int]) -> tuple[Draft, Draft] | None:
    """Two drafts of unrelated customers from `pool` (None if it holds no such pair)."""
    for first in rng.sample(pool, len(pool)):
        others = [i for i in pool if _unrelated(drafts[first], drafts[i])]
        if others:
            return drafts[first], drafts[rng.choice(others)]
    return None


def plant(
    drafts: list[Draft], ring: KeyRing, rng: random.Random, still_active: datetime,
    snapshot: datetime,
) -> list[Draft]:  # fmt: skip
    """Place each population defect once; returns the drafts that exist as precertificates only
    (to be stored with no certificate row)."""
    # Among the certificates still valid after the snapshot, or (in a small sample) valid the
    # longest: a run as of `horizon` sees every one of them.
    for back in (0, 60, 120, 240, 365, 730):
        horizon = min(still_active, snapshot - timedelta(days=back))
        pool = _candidates(drafts, horizon)
        if len(pool) >= 12:
            break
    else:
        return []  # too small a sample to hold them
    still_active = horizon

    def mark(draft: Draft, name: str) -> None:
        draft.population_defect = name
        pool[:] = [i for i in pool if drafts[i] is not draft]

    # One key, two unrelated subscribers: a key of its own, given to both.
    if pair := _pair(rng, drafts, pool):
        a, b = pair
        shared = ring.key(a.key_kind, f"shared-between:{a.spec.serial}")
        for d in pair:
            d.spec = d.spec.but(key=shared, key_usage=a.spec.key_usage)
            d.key_kind = a.key_kind
            mark(d, "key_shared_by_unrelated_subscribers")

    # A subscriber certificate with its issuing CA's key.
    d = drafts[rng.choice(pool)]
    d.spec = d.spec.but(key=d.ca.issuer.key.public_key(), key_usage=("digital_signature",))
    d.key_kind = "ec:secp256r1"
    mark(d, "subscriber_with_issuing_ca_key")

    # Two RSA moduli with one prime in common.
    rsa_pool = [i for i in _candidates(drafts, still_active, rsa=True) if i in pool]
    if pair := _pair(rng, drafts, rsa_pool):
        keys = rsa_keys.shared_prime_moduli(f"shared-prime:{pair[0].spec.serial}")
        for d, key in zip(pair, keys, strict=True):
            d.spec = d.spec.but(key=key)
            mark(d, "rsa_moduli_share_a_prime")

    # keyCompromise: an earlier certificate of the key revoked for it, this one left active.
    by_key: dict[object, list[Draft]] = {}
    for d in drafts:
        by_key.setdefault(d.key_id, []).append(d)

    def alone(active: Draft) -> bool:  # the key's only certificate still valid after the snapshot
        group = by_key.get(active.key_id, [])
        return not any(o is not active and o.not_after >= still_active for o in group)

    siblings = [
        i
        for i in pool
        if alone(drafts[i])
        and any(_can_be_revoked(o, drafts[i]) for o in by_key.get(drafts[i].key_id, ()))
    ]
    if siblings:
        active = drafts[rng.choice(siblings)]
        earlier = max(
            (o for o in by_key[active.key_id] if _can_be_revoked(o, active)),
            key=lambda o: o.spec.not_before,
        )
        start = max(earlier.spec.not_before, active.spec.not_before) + timedelta(hours=1)
        end = min(earlier.not_after, snapshot)
        if start >= end:  # the earlier one expired before this one was issued
            start, end = earlier.spec.not_before + timedelta(hours=1), end
        at = start + (end - start) * rng.uniform(0.1, 0.9)
        earlier.status, earlier.revoked_at, earlier.reason = "revoked", at, KEY_COMPROMISE
        mark(active, "key_compromise_sibling_active")

    # Precertificates: one whose certificate differs, one whose certificate never came.
    ct = [i for i in pool if drafts[i].spec.scts]
    if ct:
        d = drafts[rng.choice(ct)]
        d.precertificate = "differs"
        mark(d, "precertificate_differs_from_certificate")
    orphans = []
    if ct:
        model = drafts[rng.choice(ct)]
        orphan = replace(
            model, spec=model.spec.but(serial=serial(rng)), precertificate="only",
            population_defect="precertificate_without_certificate",
        )  # fmt: skip
        orphan.spec = orphan.spec.but(key=ring.key(model.key_kind, f"orphan:{orphan.spec.serial}"))
        orphans.append(orphan)
    return orphans


def _can_be_revoked(earlier: Draft, active: Draft) -> bool:
    return (
        earlier is not active
        and earlier.spec.not_before < active.spec.not_before
        and earlier.status == "issued"
        and earlier.defect is None
        and earlier.population_defect is None
    )


def differing_precertificate_names(names: tuple[str, ...]) -> tuple[str, ...]:
    """The SAN of the precertificate that the certificate no longer matches: one name more."""
    base = names[0].removeprefix("*.").removeprefix("www.")
    return (*names, f"staging.{base}")
