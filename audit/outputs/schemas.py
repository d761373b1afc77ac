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
        pa.field("revocation_reason", pa.int64()),  # the row's RFC 5280 CRLReason, when revoked
        pa.field("precertificate_in_db", pa.bool_()),  # the database keeps it as a precertificate
        # SHA-256 (hex) of the TBSCertificate without the poison and SCT list extensions, and of
        # the same also without issuer and authorityKeyIdentifier (audit/engine/ct_tbs.py): what
        # a precertificate is paired with its certificate by (RFC 6962 3.2).
        pa.field("ct_tbs_sha256", pa.string()),
        pa.field("ct_tbs_sha256_other_issuer", pa.string()),
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

# What the population's key checks read of each decodable certificate (audit/outputs/keys.py):
# `keys/part-NNNNN.parquet`, written by each partition beside its certificates part file.
KEYS = pa.schema(
    [
        pa.field("cert_id", pa.string(), nullable=False),
        pa.field("spki_sha256", pa.string()),  # hex SHA-256 of the SubjectPublicKeyInfo as encoded
        pa.field("key_id", pa.string()),  # hex SHA-1 of its subjectPublicKey (RFC 5280 4.2.1.2 (1))
        pa.field("authority_key_id", pa.string()),  # hex keyIdentifier of the AKI: the issuer's key
        pa.field("key_algorithm", pa.string()),  # rsa, ec, dsa, ed25519, ed448, unknown
        pa.field("key_bits", pa.int32()),
        pa.field("rsa_modulus", pa.binary()),  # big-endian; RSA keys only
        pa.field("rsa_exponent", pa.binary()),  # big-endian; RSA keys only
        pa.field("public_key", pa.binary()),  # subjectPublicKey of other keys (an EC point, ...)
        pa.field("is_ca", pa.bool_()),
        pa.field("domains", pa.list_(pa.string())),  # registrable domains of SAN dNSNames
        pa.field("email_domains", pa.list_(pa.string())),  # ... of SAN rfc822Names' domains
        pa.field("organization", pa.string()),  # subject organizationName (the first)
    ]
)

# The keys of database rows revoked for keyCompromise at or before the as-of time, active or not
# (audit/population/compromised.py): `compromised_keys.parquet`, read beside the population.
COMPROMISED_KEYS = pa.schema(
    [
        pa.field("cert_id", pa.string(), nullable=False),  # the revoked row's database key
        pa.field("serial", pa.string()),  # hex, as the row records it
        pa.field("issuer", pa.string()),
        pa.field("revoked_at", TIMESTAMP),
        pa.field("spki_sha256", pa.string()),  # as in KEYS
    ]
)
