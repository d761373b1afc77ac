"""Boulder (Let's Encrypt): certificates, certificateStatus and precertificates, as the SA fills them.

DDL written from letsencrypt/boulder sa/db/boulder_sa/20230419000000_CombinedSchema.sql (MariaDB)
and sa/db/boulder_sa/20240321_CombinedSchema.psql (PostgreSQL), the three tables an audit
touches. PostgreSQL folds the unquoted names (certificateStatus -> certificatestatus).

How Boulder stores a certificate: `certificates` gets the final certificate (der, serial as
36 hex digits, digest = base64url SHA-256, issued = when it was issued, expires = notAfter);
`certificateStatus` has the serial's status ('good' | 'revoked'), revokedDate (Go's zero time
0001-01-01 when not revoked) and revokedReason; both are written when the precertificate is
issued, so a precertificate whose final certificate never came has a status row and a
`precertificates` row but no `certificates` row. Boulder back-dates notBefore by an hour, so
`issued` is notBefore + 1 h. ACME has no certificate hold.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any

from audit.sample_db.products.population import Kind, Record, naive

NAME = "boulder"
KINDS = frozenset(
    {Kind.ACTIVE, Kind.EXPIRED, Kind.REVOKED_BEFORE, Kind.REVOKED_AFTER, Kind.NOT_YET_VALID,
     Kind.PRECERT}
)  # fmt: skip

_MARIADB = [
    """CREATE TABLE `certificateStatus` (
  `id` bigint(20) NOT NULL AUTO_INCREMENT,
  `serial` varchar(255) NOT NULL,
  `subscriberApproved` tinyint(1) DEFAULT 0,
  `status` varchar(255) NOT NULL,
  `ocspLastUpdated` datetime NOT NULL,
  `revokedDate` datetime NOT NULL,
  `revokedReason` int(11) NOT NULL,
  `lastExpirationNagSent` datetime NOT NULL,
  `LockCol` bigint(20) DEFAULT 0,
  `ocspResponse` blob DEFAULT NULL,
  `notAfter` datetime DEFAULT NULL,
  `isExpired` tinyint(1) DEFAULT 0,
  `issuerID` bigint(20) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE `certificates` (
  `id` bigint(20) NOT NULL AUTO_INCREMENT,
  `registrationID` bigint(20) NOT NULL,
  `serial` varchar(255) NOT NULL,
  `digest` varchar(255) NOT NULL,
  `der` mediumblob NOT NULL,
  `issued` datetime NOT NULL,
  `expires` datetime NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE `precertificates` (
  `id` bigint(20) NOT NULL AUTO_INCREMENT,
  `registrationID` bigint(20) NOT NULL,
  `serial` varchar(255) NOT NULL,
  `der` mediumblob NOT NULL,
  `issued` datetime NOT NULL,
  `expires` datetime NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
]

_POSTGRES = [
    """CREATE TABLE certificateStatus (
    id BIGSERIAL PRIMARY KEY,
    serial VARCHAR(255) NOT NULL,
    subscriberApproved SMALLINT DEFAULT 0,
    status VARCHAR(255) NOT NULL,
    ocspLastUpdated TIMESTAMP NOT NULL,
    revokedDate TIMESTAMP NOT NULL,
    revokedReason INTEGER NOT NULL,
    lastExpirationNagSent TIMESTAMP NOT NULL,
    LockCol BIGINT DEFAULT 0,
    ocspResponse BYTEA NULL,
    notAfter TIMESTAMP NULL,
    isExpired SMALLINT DEFAULT 0,
    issuerID BIGINT NULL,
    CHECK (subscriberApproved IN (0, 1)),
    CHECK (isExpired IN (0, 1))
)""",
    """CREATE TABLE certificates (
    id BIGSERIAL PRIMARY KEY,
    registrationID BIGINT NOT NULL,
    serial VARCHAR(255) NOT NULL,
    digest VARCHAR(255) NOT NULL,
    der BYTEA NOT NULL,
    issued TIMESTAMP NOT NULL,
    expires TIMESTAMP NOT NULL
)""",
    """CREATE TABLE precertificates (
    id BIGSERIAL PRIMARY KEY,
    registrationID BIGINT NOT NULL,
    serial VARCHAR(255) NOT NULL,
    der BYTEA NOT NULL,
    issued TIMESTAMP NOT NULL,
    expires TIMESTAMP NOT NULL
)""",
]

INDEXES = [
    "CREATE INDEX serial ON certificateStatus (serial)",
    "CREATE INDEX isExpired_ocspLastUpdated_idx ON certificateStatus (isExpired, ocspLastUpdated)",
    "CREATE INDEX notAfter_idx ON certificateStatus (notAfter)",
    "CREATE INDEX certificates_serial ON certificates (serial)",
    "CREATE INDEX regId_certificates_idx ON certificates (registrationID)",
    "CREATE INDEX issued_idx ON certificates (issued)",
    "CREATE INDEX precertificates_serial ON precertificates (serial)",
    "CREATE INDEX regId_precertificates_idx ON precertificates (registrationID)",
    "CREATE INDEX issued_precertificates_idx ON precertificates (issued)",
]


def tables(dialect: str) -> list[str]:
    return _POSTGRES if dialect == "postgresql" else _MARIADB


COLUMNS = {
    "certificates": ("id", "registrationID", "serial", "digest", "der", "issued", "expires"),
    "certificateStatus": (
        "id", "serial", "subscriberApproved", "status", "ocspLastUpdated", "revokedDate",
        "revokedReason", "lastExpirationNagSent", "LockCol", "ocspResponse", "notAfter",
        "isExpired", "issuerID",
    ),
    "precertificates": ("id", "registrationID", "serial", "der", "issued", "expires"),
}  # fmt: skip

MAIN_TABLE = "certificates"
ZERO_TIME = datetime(1, 1, 1)  # Go's time.Time{}


def serial_text(r: Record) -> str:
    return f"{r.serial:036x}"


def cert_id(r: Record) -> str:
    # The `boulder` preset reads `precertificates` as a key space of its own, named by its table.
    return f"precertificates:{r.index + 1}" if r.kind is Kind.PRECERT else str(r.index + 1)


def rows(r: Record, dialect: str) -> dict[str, list[tuple[Any, ...]]]:
    issued = naive(r.not_before + timedelta(hours=1))
    expires = naive(r.not_after)
    revoked = r.kind in (Kind.REVOKED_BEFORE, Kind.REVOKED_AFTER)
    status = (
        r.index + 1, serial_text(r), 0, "revoked" if revoked else "good", issued,
        naive(r.revoked_at) if revoked else ZERO_TIME, (r.reason or 0) if revoked else 0, ZERO_TIME, 0,
        None, expires, 0, 1 + r.index % 3 // 2,
    )  # fmt: skip
    registration = 1 + r.index % 97
    if r.kind is Kind.PRECERT:
        # The final certificate was never issued: a precertificate and its status only.
        return {
            "precertificates": [
                (r.index + 1, registration, serial_text(r), r.der, issued, expires)
            ],
            "certificateStatus": [status],
        }
    digest = base64.urlsafe_b64encode(r.sha256).decode().rstrip("=")
    return {
        "certificates": [
            (r.index + 1, registration, serial_text(r), digest, r.der, issued, expires)
        ],
        "certificateStatus": [status],
    }
