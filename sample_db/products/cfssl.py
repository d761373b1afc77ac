"""cfssl certdb: the `certificates` table, as cfssl's local signer fills it.

DDL written from cloudflare/cfssl certdb/{pg,mysql}/migrations/001_CreateCertificates.sql and
002_AddMetadataToCertificates.sql (goose migrations, applied in order).

How cfssl stores a certificate (signer/local, certdb.CertificateRecord): the primary key is
(serial_number, authority_key_identifier), serial_number the decimal string of the serial,
authority_key_identifier the lower-case hex of the certificate's AKI, both bytea / varbinary;
status 'good' or 'revoked' (bytea / varbinary too), reason the RFC 5280 code, expiry = notAfter,
revoked_at when revoked (NULL on PostgreSQL; MySQL's column default '0000-00-00 00:00:00'
otherwise), pem the PEM text. Revoking with reason certificateHold sets status 'revoked'; cfssl
has no way back from hold and no field that marks precertificates.
"""

from __future__ import annotations

from typing import Any

from audit.sample_db.products.population import Kind, Record, naive

NAME = "cfssl"
KINDS = frozenset(
    {Kind.ACTIVE, Kind.EXPIRED, Kind.REVOKED_BEFORE, Kind.REVOKED_AFTER, Kind.NOT_YET_VALID,
     Kind.HELD}
)  # fmt: skip

_POSTGRES = [
    """CREATE TABLE certificates (
  serial_number            bytea NOT NULL,
  authority_key_identifier bytea NOT NULL,
  ca_label                 bytea,
  status                   bytea NOT NULL,
  reason                   int,
  created_at               timestamptz,
  expiry                   timestamptz,
  revoked_at               timestamptz,
  pem                      bytea NOT NULL,
  PRIMARY KEY(serial_number, authority_key_identifier)
)""",
    """ALTER TABLE certificates
ADD COLUMN issued_at timestamptz,
    ADD COLUMN not_before timestamptz,
    ADD COLUMN originating_host TEXT,
    ADD COLUMN sans TEXT,
    ADD COLUMN tags TEXT,
    ADD COLUMN common_name TEXT,
    ADD COLUMN filename TEXT,
    ADD COLUMN application_name TEXT""",
]

_MYSQL = [
    """CREATE TABLE certificates (
  serial_number            varbinary(128) NOT NULL,
  authority_key_identifier varbinary(128) NOT NULL,
  ca_label                 varbinary(128),
  status                   varbinary(128) NOT NULL,
  reason                   int,
  created_at               timestamp DEFAULT '0000-00-00 00:00:00',
  expiry                   timestamp DEFAULT '0000-00-00 00:00:00',
  revoked_at               timestamp DEFAULT '0000-00-00 00:00:00',
  pem                      varbinary(4096) NOT NULL,
  PRIMARY KEY(serial_number, authority_key_identifier),
  INDEX certificates_created_at (created_at),
  INDEX certificates_revoked_at (revoked_at)
)""",
    """ALTER TABLE certificates
ADD COLUMN issued_at timestamp DEFAULT '0000-00-00 00:00:00',
    ADD COLUMN not_before timestamp DEFAULT '0000-00-00 00:00:00',
    ADD COLUMN originating_host TEXT,
    ADD COLUMN sans TEXT,
    ADD COLUMN tags TEXT,
    ADD COLUMN common_name TEXT,
    ADD COLUMN filename TEXT,
    ADD COLUMN application_name TEXT""",
]


def tables(dialect: str) -> list[str]:
    return _POSTGRES if dialect == "postgresql" else _MYSQL


def indexes(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            "CREATE INDEX certificates_created_at ON certificates (created_at)",
            "CREATE INDEX certificates_revoked_at ON certificates (revoked_at)",
        ]
    return []  # declared inline in the MySQL migration


INDEXES: list[str] = []  # see indexes(): they differ by server

COLUMNS = {
    "certificates": (
        "serial_number", "authority_key_identifier", "ca_label", "status", "reason",
        "created_at", "expiry", "revoked_at", "pem", "issued_at", "not_before", "sans",
        "common_name",
    )
}  # fmt: skip

MAIN_TABLE = "certificates"
MYSQL_ZERO = "0000-00-00 00:00:00"


def aki_hex(r: Record) -> str:
    return r.issuer.key_id.hex()


def cert_id(r: Record) -> str:
    return f"{aki_hex(r)}:{r.serial}"


def rows(r: Record, dialect: str) -> dict[str, list[tuple[Any, ...]]]:
    revoked = r.kind in (Kind.REVOKED_BEFORE, Kind.REVOKED_AFTER, Kind.HELD)
    reason = 6 if r.kind is Kind.HELD else (r.reason or 0)  # 0: cfssl's unspecified
    if dialect == "postgresql":
        revoked_at: Any = r.revoked_at if revoked else None
        times: tuple[Any, ...] = (r.not_before, r.not_after, revoked_at, r.not_before, r.not_before)
    else:
        revoked_at = naive(r.revoked_at) if revoked else MYSQL_ZERO
        times = (
            naive(r.not_before), naive(r.not_after), revoked_at, naive(r.not_before),
            naive(r.not_before),
        )  # fmt: skip
    created, expiry, revoked_time, issued, not_before = times
    return {
        "certificates": [
            (
                str(r.serial).encode(),
                aki_hex(r).encode(),
                b"",
                b"revoked" if revoked else b"good",
                reason,
                created,
                expiry,
                revoked_time,
                r.pem().encode(),
                issued,
                not_before,
                f'["{r.dns_name}"]',
                r.dns_name,
            )  # fmt: skip
        ]
    }
