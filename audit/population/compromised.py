"""The keys of rows revoked for keyCompromise: the one read a run makes outside the population.

Mozilla's policy 6.1.1 asks a CA that revokes a certificate for keyCompromise (the key shown to
be held by someone else) to revoke "all instances of that key across all subscribers"; BR
6.1.1.3 (4) forbids certifying it again. The revoked certificate is not active, so it is not
among the audited rows: the run reads, in its own snapshot, the rows the database marks revoked
with reason keyCompromise at or before the as-of time, keeps only their key (SubjectPublicKeyInfo
SHA-256, as the partitions record it) and where it came from, and writes them to
`compromised_keys.parquet` for the population lint that looks for the same key among the active
certificates. run.json's `scope` says that these rows were read and how many.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from audit.outputs import schemas
from audit.outputs.keys import subject_public_key_info
from audit.outputs.parts import written_whole
from audit.population.apply import COMPROMISED_KEYS
from audit.source.database import IssuanceDatabase

KEY_COMPROMISE_LINT = "population_key_compromised_key_not_in_active_certificate"


def read_compromised_keys(
    database: IssuanceDatabase, as_of: datetime, run_dir: Path
) -> dict[str, Any]:
    """Writes the keys of the rows revoked for keyCompromise; returns what run.json's scope
    says of the read."""
    if not database.mapping.revocation_reason:
        return {
            "read": False,
            "why": f"schema {database.mapping.name!r} maps no revocation reason column",
        }
    rows: list[dict[str, Any]] = []
    without_key = 0
    for batch in database.key_compromise_rows(as_of):
        for row in batch:
            spki = subject_public_key_info(row.der) if row.der else None
            if spki is None:
                without_key += 1
                continue
            rows.append(
                {
                    "cert_id": row.facts.cert_id,
                    "serial": row.facts.serial_hex,
                    "issuer": row.facts.issuer,
                    "revoked_at": row.facts.revoked_at,
                    "spki_sha256": hashlib.sha256(spki).hexdigest(),
                }
            )
    with written_whole(run_dir / COMPROMISED_KEYS) as path:
        pq.write_table(pa.Table.from_pylist(rows, schema=schemas.COMPROMISED_KEYS), path)
    return {
        "read": True,
        "what": "rows revoked for keyCompromise (CRLReason 1) at or before the as-of time, "
        "active or not: their keys only, to find the same key in active certificates",
        "rows": len(rows) + without_key,
        "keys": len({r["spki_sha256"] for r in rows}),
        "rows_without_a_readable_key": without_key,
        "file": COMPROMISED_KEYS,
    }
