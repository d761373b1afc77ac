"""OpenXPKI: the `certificate` table, as OpenXPKI's persister fills it.

DDL written from openxpki/openxpki-config contrib/sql/schema-mariadb.sql and schema-psql.sql
(the certificate table with its keys and indexes). On MariaDB the table is DEFAULT CHARSET=utf8,
so every text column, `identifier` included, has the case-insensitive utf8_general_ci
collation: `identifier` (unique) orders and compares differently there than in Python.

How OpenXPKI stores a certificate: identifier = base64url of the SHA-1 of the DER without
padding; cert_key = the serial as a decimal number; issuer_identifier = the issuer's identifier;
notbefore / notafter / revocation_time in epoch seconds; status ISSUED, REVOKED,
CRL_ISSUANCE_PENDING (revocation approved, not yet on a CRL) or HOLD; reason_code and
hold_instruction_code as text; data = the PEM (NULL when the certificate was not stored).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from audit.sample_db.products.population import Kind, Record

NAME = "openxpki"
KINDS = frozenset(set(Kind) - {Kind.PRECERT})

_MARIADB = [
    """CREATE TABLE IF NOT EXISTS `certificate` (
  `pki_realm` varchar(255) DEFAULT NULL,
  `issuer_dn` varchar(1000) DEFAULT NULL,
  `cert_key` decimal(49,0) NOT NULL,
  `issuer_identifier` varchar(64) NOT NULL,
  `identifier` varchar(64) DEFAULT NULL,
  `subject` varchar(1000) DEFAULT NULL,
  `status` enum('ISSUED','HOLD','CRL_ISSUANCE_PENDING','REVOKED','UNKNOWN') DEFAULT 'UNKNOWN',
  `subject_key_identifier` varchar(255) DEFAULT NULL,
  `authority_key_identifier` varchar(255) DEFAULT NULL,
  `notbefore` int(10) unsigned DEFAULT NULL,
  `notafter` int(10) unsigned DEFAULT NULL,
  `revocation_time` int(10) unsigned DEFAULT NULL,
  `invalidity_time` int(10) unsigned DEFAULT NULL,
  `reason_code` varchar(50) DEFAULT NULL,
  `hold_instruction_code` varchar(50) DEFAULT NULL,
  `revocation_id` INT NULL DEFAULT NULL,
  `req_key` bigint(20) unsigned DEFAULT NULL,
  `data` longtext
) ENGINE=InnoDB DEFAULT CHARSET=utf8""",
    """ALTER TABLE `certificate`
 ADD PRIMARY KEY (`issuer_identifier`,`cert_key`),
 ADD KEY `pki_realm` (`pki_realm`),
 ADD UNIQUE `identifier` (`identifier`),
 ADD KEY `issuer_identifier` (`issuer_identifier`),
 ADD KEY `subject` (`subject`(255)),
 ADD KEY `status` (`status`),
 ADD KEY `pki_realm_2` (`pki_realm`,`req_key`),
 ADD KEY `notbefore` (`notbefore`),
 ADD KEY `notafter` (`notafter`),
 ADD KEY `revocation_time` (`revocation_time`),
 ADD KEY `invalidity_time` (`invalidity_time`),
 ADD KEY `reason_code` (`reason_code`),
 ADD KEY `hold_instruction_code` (`hold_instruction_code`),
 ADD UNIQUE `revocation_id` (`revocation_id`)""",
]

_POSTGRES = [
    """CREATE TABLE certificate (
    pki_realm text,
    issuer_dn text,
    cert_key numeric(49,0) NOT NULL,
    issuer_identifier text NOT NULL,
    identifier text,
    subject text,
    status text,
    subject_key_identifier text,
    authority_key_identifier text,
    notbefore numeric(49,0),
    notafter numeric(49,0),
    revocation_time numeric(49,0),
    invalidity_time numeric(49,0),
    reason_code text,
    hold_instruction_code text,
    revocation_id numeric(49,0),
    req_key numeric(49,0),
    data text
)""",
    "ALTER TABLE ONLY certificate ADD CONSTRAINT certificate_pkey PRIMARY KEY (issuer_identifier, cert_key)",
]

_POSTGRES_INDEXES = [
    "CREATE INDEX cert_csr_serial_index ON certificate USING btree (req_key)",
    "CREATE UNIQUE INDEX cert_identifier_index ON certificate USING btree (identifier)",
    "CREATE INDEX cert_issuer_identifier_index ON certificate USING btree (issuer_identifier)",
    "CREATE INDEX cert_realm_req_index ON certificate USING btree (pki_realm, req_key)",
    "CREATE INDEX cert_realm_index ON certificate USING btree (pki_realm)",
    "CREATE INDEX cert_status_index ON certificate USING btree (status)",
    "CREATE INDEX cert_subject_index ON certificate USING btree (subject)",
    "CREATE INDEX cert_notbefore_index ON certificate USING btree (notbefore)",
    "CREATE INDEX cert_notafter_index ON certificate USING btree (notafter)",
    "CREATE INDEX cert_revocation_time_index ON certificate USING btree (revocation_time)",
    "CREATE INDEX cert_invalidity_time_index ON certificate USING btree (invalidity_time)",
    "CREATE INDEX cert_reason_code_index ON certificate USING btree (reason_code)",
    "CREATE INDEX cert_hold_index ON certificate USING btree (hold_instruction_code)",
    "CREATE UNIQUE INDEX cert_revocation_id ON certificate USING btree (revocation_id)",
]


def tables(dialect: str) -> list[str]:
    return _POSTGRES if dialect == "postgresql" else _MARIADB[:1]


def indexes(dialect: str) -> list[str]:
    return _POSTGRES_INDEXES if dialect == "postgresql" else _MARIADB[1:]


INDEXES: list[str] = []  # see indexes(): they differ by server

COLUMNS = {
    "certificate": (
        "pki_realm", "issuer_dn", "cert_key", "issuer_identifier", "identifier", "subject",
        "status", "authority_key_identifier", "notbefore", "notafter", "revocation_time",
        "reason_code", "hold_instruction_code", "data",
    )
}  # fmt: skip

MAIN_TABLE = "certificate"
# reason_code holds the CRLReason's name (RFC 5280 5.3.1), "unspecified" when none was given.
REASON_NAMES = {
    None: "unspecified", 1: "keyCompromise", 3: "affiliationChanged", 4: "superseded",
    5: "cessationOfOperation", 9: "privilegeWithdrawn",
}  # fmt: skip


def identifier(der: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha1(der).digest()).decode().rstrip("=")


def cert_id(r: Record) -> str:
    return identifier(r.der)


def rows(r: Record, dialect: str) -> dict[str, list[tuple[Any, ...]]]:
    status, reason, hold, revoked = "ISSUED", None, None, None
    if r.kind is Kind.REVOKED_BEFORE:
        status, reason = "REVOKED", REASON_NAMES[r.reason]
    elif r.kind is Kind.REVOKED_AFTER:
        # Approved after ANCHOR; half are still waiting for the next CRL.
        status = "CRL_ISSUANCE_PENDING" if r.index % 2 else "REVOKED"
        reason = REASON_NAMES[r.reason]
    elif r.kind is Kind.HELD:
        status, reason, hold = "HOLD", "certificateHold", "holdInstructionReject"
    elif r.kind is Kind.UNHELD:
        reason, hold = "removeFromCRL", "holdInstructionNone"
    if status != "ISSUED":
        revoked = int(r.revoked_at.timestamp())  # type: ignore[union-attr]
    return {
        "certificate": [
            (
                "democa",
                r.issuer_dn,
                r.serial,
                identifier(r.issuer.key_id),
                identifier(r.der),
                r.subject_dn,
                status,
                r.issuer.key_id.hex(":").upper(),
                int(r.not_before.timestamp()),
                int(r.not_after.timestamp()),
                revoked,
                reason,
                hold,
                None if r.kind is Kind.NO_DATA else r.pem(),
            )  # fmt: skip
        ]
    }
