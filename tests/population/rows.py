"""A row of the sample schema's certificates table holding a certificate built from a spec: what
the population tests insert into a database of their own."""

from __future__ import annotations

import random
from typing import Any

from cryptography.hazmat.primitives import serialization

from audit.sample_db.certbuilder import build


def certificate_row(
    cert_id: int, spec: Any, serial: int | None = None, **row: Any
) -> dict[str, Any]:
    """The row of certificate `cert_id` (its serial random but fixed by the id, unless given);
    `row` overrides any column."""
    chosen = serial or random.Random(cert_id).getrandbits(126) | (1 << 125)
    cert = build(spec.but(serial=chosen))
    nb = cert.not_valid_before_utc.replace(tzinfo=None)
    return {
        "id": cert_id, "der": cert.public_bytes(serialization.Encoding.DER),
        "serial": format(cert.serial_number, "x"), "issuer_dn": cert.issuer.rfc4514_string(),
        "subject_dn": cert.subject.rfc4514_string(), "not_before": nb,
        "not_after": cert.not_valid_after_utc.replace(tzinfo=None), "status": "issued",
        "revoked_at": None, "revocation_reason": None, "validation_type": "dv",
        "customer": str(cert_id), "created_at": nb,
    } | row  # fmt: skip
