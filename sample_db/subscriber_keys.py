"""Subscribers' keys: each subscriber its own, kept across renewals, replaced as real ones are.

A TLS subscriber's server (a customer and one of its domains) keeps its key pair across renewals;
it gets a new one when the customer's rekey period ends or its CSRs move from RSA to EC (both in
the draft's `key_owner` and `key_kind`), and after one of its certificates is revoked for
keyCompromise: the CA then refuses the key (BR 6.1.1.3(4)) and revokes every other certificate
still valid with it (BR 4.9.1.1; MRSP 6.1.1). So no two unrelated subscribers share a key, and no
certificate is left with a key revoked as compromised, except where population_defects.py
plants it. S/MIME, code-signing and time-stamping certificates each have a key of their own.

RSA keys come from rsa_keys' pool in the order they are first needed (in a sample too large for
the pool, later subscribers get EC keys instead); EC keys are derived from the seed and the owner. Only public keys are needed: the sample's certificates are signed by
its CAs.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric import rsa

from audit.sample_db import rsa_keys
from audit.sample_db.certbuilder import ec_key

if TYPE_CHECKING:
    from audit.sample_db.generate import Draft

KEY_COMPROMISE = 1  # RFC 5280 CRLReason
SIBLINGS_REVOKED_AFTER = timedelta(minutes=20)  # the CA revokes the key's other certificates


def _number(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


class KeyRing:
    """The keys of one sample: the same (kind, owner) gets the same key, others another."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._keys: dict[tuple[str, str], Any] = {}
        self._rsa_used: Counter[int] = Counter()

    def key(self, kind: str, owner: str) -> Any:
        """kind: rsa2048, rsa3072, ec:<curve name>."""
        if (kind, owner) not in self._keys:
            bits = int(kind.removeprefix("rsa")) if kind.startswith("rsa") else 0
            if bits and self._rsa_used[bits] < rsa_keys.pool_size(bits):
                self._keys[kind, owner] = rsa_keys.public_key(bits, self._rsa_used[bits])
                self._rsa_used[bits] += 1
            elif bits:  # past the table (a large sample): EC, a prime search each takes too long
                self._keys[kind, owner] = ec_key("secp256r1", _number(f"{self.seed}:{owner}"))
            else:
                curve = kind.removeprefix("ec:")
                self._keys[kind, owner] = ec_key(curve, _number(f"{self.seed}:{owner}"))
        return self._keys[kind, owner]

    def rsa_used(self, bits: int) -> int:
        return self._rsa_used[bits]


def assign_keys(drafts: list[Draft], ring: KeyRing, until: datetime) -> None:
    """Give every draft its key (drafts in notBefore order, revocations decided); revoke the
    other still-valid certificates of a key when one is revoked for keyCompromise, no later
    than `until`."""
    replaced: dict[tuple[str, str], int] = {}  # times the (owner, kind) key was replaced
    compromised: dict[tuple[str, str, int], datetime] = {}
    holders: dict[tuple[str, str, int], list[Draft]] = defaultdict(list)
    for draft in drafts:
        base = (draft.key_owner, draft.key_kind)
        n = replaced.get(base, 0)
        since = compromised.get((*base, n))
        if since is not None and since <= draft.spec.not_before:
            n = replaced[base] = n + 1  # a new key pair after the compromise
        key_id = (*base, n)
        draft.key_id = key_id
        key = ring.key(draft.key_kind, f"{draft.key_owner}#{n}")
        if draft.key_kind.startswith("rsa") and not isinstance(key, rsa.RSAPublicKey):
            draft.key_kind = "ec:secp256r1"  # the RSA pool ran out: signing only, as EC keys are
            draft.spec = draft.spec.but(key_usage=("digital_signature",))
        draft.spec = draft.spec.but(key=key)
        holders[key_id].append(draft)
        if draft.reason == KEY_COMPROMISE and draft.revoked_at is not None:
            compromised[key_id] = min(compromised.get(key_id, draft.revoked_at), draft.revoked_at)
    for key_id, at in compromised.items():
        revoke_at = min(at + SIBLINGS_REVOKED_AFTER, until)
        for other in holders[key_id]:
            still_valid = other.spec.not_before < at < other.not_after
            when = min(revoke_at, other.not_after - timedelta(seconds=1))
            if still_valid and (other.revoked_at is None or other.revoked_at > when):
                other.status, other.revoked_at, other.reason = "revoked", when, KEY_COMPROMISE
