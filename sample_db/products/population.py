"""The sample population every product filler stores, each in its product's own encoding.

A population is built around ANCHOR, the as-of time the tests and the benchmark audit at: most
rows are active at ANCHOR, and a fixed share are each of the cases an audit must get right
(expired, revoked before or after ANCHOR, not yet valid, on hold, taken off hold, stored without
the certificate, precertificate without a final certificate). Row i's kind, serial and dates depend only on (seed, i), so the
expected active population is known without reading the database back; the certificates are
signed by worker processes, deterministically (derived keys, RFC 6979 signatures).
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from audit.sample_db.certbuilder import (
    OV,
    CertSpec,
    Issuer,
    build,
    ec_key,
    name,
    test_issuer,
)

ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)


class Kind(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED_BEFORE = "revoked_before"  # revoked before ANCHOR: out
    REVOKED_AFTER = "revoked_after"  # revoked after ANCHOR: still active at ANCHOR
    NOT_YET_VALID = "not_yet_valid"  # issued after ANCHOR: out
    HELD = "held"  # on hold since before ANCHOR: out
    UNHELD = "unheld"  # put on hold, then taken off hold: active
    NO_DATA = "no_data"  # active row that stores no certificate: audited, reported fatal
    PRECERT = "precert"  # a precertificate the product marks, with no final certificate: audited


ACTIVE_KINDS = frozenset({Kind.ACTIVE, Kind.REVOKED_AFTER, Kind.UNHELD, Kind.NO_DATA, Kind.PRECERT})

# Row i's kind: one of every 50 rows in each of these (those a product cannot store are active).
_EVERY_50 = {
    0: Kind.EXPIRED, 1: Kind.REVOKED_BEFORE, 2: Kind.REVOKED_AFTER,
    3: Kind.NOT_YET_VALID, 4: Kind.HELD, 5: Kind.UNHELD,
}  # fmt: skip
_EVERY_500 = {7: Kind.NO_DATA, 9: Kind.PRECERT}


@dataclass(frozen=True)
class Record:
    index: int
    kind: Kind
    der: bytes
    serial: int
    issuer: Issuer
    issuer_dn: str
    subject_dn: str
    dns_name: str
    not_before: datetime
    not_after: datetime
    revoked_at: datetime | None  # the revocation (or hold) time, None when never revoked
    # A revoked row's RFC 5280 CRLReason: None when none was given (REASONS); each product
    # writes it its own way (its "unspecified" for None).
    reason: int | None = None

    @property
    def active(self) -> bool:
        return self.kind in ACTIVE_KINDS

    @property
    def sha1_hex(self) -> str:
        return hashlib.sha1(self.der).hexdigest()

    @property
    def sha256(self) -> bytes:
        return hashlib.sha256(self.der).digest()

    def base64(self, wrap: int | None = None) -> str:
        text = base64.b64encode(self.der).decode()
        if not wrap:
            return text
        return "\n".join(text[i : i + wrap] for i in range(0, len(text), wrap))

    def pem(self) -> str:
        return f"-----BEGIN CERTIFICATE-----\n{self.base64(64)}\n-----END CERTIFICATE-----\n"


def kind_of(index: int, supported: frozenset[Kind]) -> Kind:
    kind = _EVERY_500.get(index % 500) or _EVERY_50.get(index % 50) or Kind.ACTIVE
    return kind if kind in supported else Kind.ACTIVE


@cache
def second_issuer() -> Issuer:
    """A second issuing CA, so that composite keys (cfssl's AKI first) vary in their first part."""
    subject = name(
        (NameOID.COUNTRY_NAME, "US"),
        (NameOID.ORGANIZATION_NAME, "Example CA"),
        (NameOID.COMMON_NAME, "Example TLS Issuing CA 2"),
    )
    return Issuer.from_key(subject, ec_key("secp256r1", 11), "http://pki2.example-ca.com")


@cache
def first_issuer() -> Issuer:
    """The tests' issuing CA, with its repository under a real TLD: the builder's default URLs
    are under .test, an internal name in a subscriber certificate's AIA (BR 7.1.2.7.7)."""
    return replace(test_issuer(), url_base="http://pki.example-ca.com")


def issuers() -> tuple[Issuer, Issuer]:
    return first_issuer(), second_issuer()


def record(index: int, seed: int, supported: frozenset[Kind]) -> Record:
    rng = random.Random(f"{seed}:{index}")
    kind = kind_of(index, supported)
    issuer = issuers()[0 if index % 3 else 1]
    if kind is Kind.EXPIRED:
        not_before = ANCHOR - timedelta(days=rng.uniform(100, 400))
    elif kind is Kind.NOT_YET_VALID:
        not_before = ANCHOR + timedelta(days=rng.uniform(1, 30))
    else:
        not_before = ANCHOR - timedelta(days=rng.uniform(1, 80))
    not_before = not_before.replace(microsecond=0)
    revoked_at = None
    if kind in (Kind.REVOKED_BEFORE, Kind.HELD, Kind.UNHELD):
        revoked_at = not_before + (ANCHOR - not_before) * rng.uniform(0.1, 0.9)
    elif kind is Kind.REVOKED_AFTER:
        revoked_at = ANCHOR + timedelta(days=rng.uniform(1, 9))
    if revoked_at is not None:
        revoked_at = revoked_at.replace(microsecond=0)
    host = f"host{index}-{rng.getrandbits(24):06x}.example.com"
    ov = index % 10 < 3
    subject = (
        name(
            (NameOID.COUNTRY_NAME, "US"),
            (NameOID.STATE_OR_PROVINCE_NAME, "California"),
            (NameOID.LOCALITY_NAME, "San Francisco"),
            (NameOID.ORGANIZATION_NAME, f"Example Customer {index % 997}"),
            (NameOID.COMMON_NAME, host),
        )
        if ov
        else name((NameOID.COMMON_NAME, host))
    )
    serial = rng.getrandbits(127) | (1 << 126)
    spec = CertSpec(
        subject=subject,
        dns_names=(host,),
        not_before=not_before,
        days=90,
        key=ec.derive_private_key(rng.getrandbits(250) + 1, ec.SECP256R1()),
        issuer=issuer,
        serial=serial,
        precertificate=kind is Kind.PRECERT,
        scts=0 if kind is Kind.PRECERT else 2,  # 90 days in 2025: 2 SCTs (a precert has none)
        ecdsa_deterministic=True,  # with the derived key: the same bytes in every run
        **({"policies": (OV,)} if ov else {}),
    )
    cert = build(spec, rng)
    return Record(
        index=index,
        kind=kind,
        der=cert.public_bytes(serialization.Encoding.DER),
        serial=serial,
        issuer=issuer,
        issuer_dn=issuer.subject.rfc4514_string(),
        subject_dn=subject.rfc4514_string(),
        dns_name=host,
        not_before=not_before,
        not_after=cert.not_valid_after_utc,
        revoked_at=revoked_at,
        reason=_reason(rng) if kind in (Kind.REVOKED_BEFORE, Kind.REVOKED_AFTER) else None,
    )


# Why revoked rows were revoked, as in the generic sample: mostly no reason given, reissues
# (superseded) and ended services (cessationOfOperation), a few key compromises.
REASONS = ((None, 45), (4, 27), (5, 16), (1, 3), (3, 5), (9, 4))


def _reason(rng: random.Random) -> int | None:
    roll = rng.random() * sum(w for _, w in REASONS)
    for reason, weight in REASONS:
        roll -= weight
        if roll < 0:
            return reason
    return None


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def naive(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC).replace(tzinfo=None)
