"""Arrow schemas of the run directory's Parquet datasets (the contract's columns and more)."""

import pyarrow as pa

from audit.engine.status import FINDING_STATUSES

TIMESTAMP = pa.timestamp("us", tz="UTC")

# Columns describing a certificate, shared by both datasets (so a finding row stands alone).
CERT_COLUMNS = [
    pa.field("cert_id", pa.string(), nullable=False),  # the database key, as a string
    pa.field("sha256", pa.string()),  # hex SHA-256 of the DER as stored
    pa.field("serial", pa.string()),  # hex
    pa.field("issuer", pa.string()),  # RFC 4514
    pa.field("subject", pa.string()),  # RFC 4514
    pa.field("not_before", TIMESTAMP),
    pa.field("not_after", TIMESTAMP),
    pa.field("profile", pa.string()),
    pa.field("decoded", pa.bool_()),  # False: the stored bytes are not a certificate at all
]

CERTIFICATES = pa.schema(
    CERT_COLUMNS
    + [
        pa.field("status_in_db", pa.string()),  # the row's own status column
        pa.field("revoked_at", TIMESTAMP),
        pa.field("partition", pa.int32()),
    ]
    + [pa.field(f"n_{s.label}", pa.int32(), nullable=False) for s in FINDING_STATUSES]
)

FINDINGS = pa.schema(
    CERT_COLUMNS
    + [
        pa.field("lint", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("message", pa.string()),
        pa.field("source", pa.string()),
        pa.field("citation", pa.string()),
        pa.field("lint_version", pa.int32()),
        pa.field("revoked_at", TIMESTAMP),
    ]
)
