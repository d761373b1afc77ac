"""EJBCA: CertificateData and Base64CertData, as EJBCA creates and fills them.

DDL written from Keyfactor/ejbca-ce doc/sql-scripts/create-tables-ejbca-{postgres,mysql}.sql
(the certificate tables, with the columns current releases add: notBefore, endEntityProfileId,
subjectAltName, crlPartitionIndex, invalidityDate, accountBindingId, certificateRequest) and
doc/sql-scripts/create-index-ejbca.sql. The PostgreSQL script's names are unquoted, so the
server folds them to lower case (certificatedata.base64cert); MariaDB keeps CamelCase.

How EJBCA stores a certificate (CertificateData.java): the primary key is the lower-case hex
SHA-1 fingerprint; serialNumber is BigInteger.toString() (decimal); issuerDN/subjectDN as
strings; expireDate, notBefore, revocationDate, updateTime in Java milliseconds; revocationDate
-1 and revocationReason -1 when not revoked; base64Cert holds base64 of the DER, line-wrapped,
or NULL when database.useSeparateCertificateTable puts it in Base64CertData (same fingerprint).
Status (CertificateConstants): 20 active, 21 notified about expiration, 40 revoked; on hold is
40 with revocationReason 6; a certificate taken off hold is 20 again with revocationReason 8
(removeFromCRL) and revocationDate -1. Precertificate rows are marked tag = 'P' here, which is
what the `ejbca` preset reads as a precertificate.
"""

from __future__ import annotations

from typing import Any

from audit.sample_db.products.population import Kind, Record, ms

NAME = "ejbca"
KINDS = frozenset(Kind)

_CERTIFICATE_DATA_PG = """
CREATE TABLE CertificateData (
    fingerprint TEXT NOT NULL,
    base64Cert TEXT,
    cAFingerprint TEXT,
    certificateProfileId INT4 NOT NULL,
    endEntityProfileId INT4,
    crlPartitionIndex INT4,
    expireDate INT8 NOT NULL,
    issuerDN TEXT NOT NULL,
    notBefore INT8,
    invalidityDate INT8,
    revocationDate INT8 NOT NULL,
    revocationReason INT4 NOT NULL,
    rowProtection TEXT,
    rowVersion INT4 NOT NULL,
    serialNumber TEXT NOT NULL,
    status INT4 NOT NULL,
    subjectAltName TEXT,
    subjectDN TEXT NOT NULL,
    subjectKeyId TEXT,
    accountBindingId TEXT,
    tag TEXT,
    type INT4 NOT NULL,
    updateTime INT8 NOT NULL,
    username TEXT,
    certificateRequest TEXT,
    PRIMARY KEY (fingerprint)
)"""

_BASE64_CERT_DATA_PG = """
CREATE TABLE Base64CertData (
    fingerprint TEXT NOT NULL,
    base64Cert TEXT,
    rowProtection TEXT,
    rowVersion INT4 NOT NULL,
    PRIMARY KEY (fingerprint)
)"""

_CERTIFICATE_DATA_MYSQL = """
CREATE TABLE CertificateData (
    fingerprint VARCHAR(250) BINARY NOT NULL,
    base64Cert LONGTEXT,
    cAFingerprint VARCHAR(250) BINARY,
    certificateProfileId INT(11) NOT NULL,
    endEntityProfileId INT(11),
    crlPartitionIndex INT(11),
    expireDate BIGINT(20) NOT NULL,
    issuerDN VARCHAR(250) BINARY NOT NULL,
    notBefore BIGINT(20),
    invalidityDate BIGINT(20),
    revocationDate BIGINT(20) NOT NULL,
    revocationReason INT(11) NOT NULL,
    rowProtection LONGTEXT,
    rowVersion INT(11) NOT NULL,
    serialNumber VARCHAR(250) BINARY NOT NULL,
    status INT(11) NOT NULL,
    subjectAltName VARCHAR(2000) BINARY,
    subjectDN VARCHAR(400) BINARY NOT NULL,
    subjectKeyId VARCHAR(250) BINARY,
    accountBindingId VARCHAR(250) BINARY,
    tag VARCHAR(250) BINARY,
    type INT(11) NOT NULL,
    updateTime BIGINT(20) NOT NULL,
    username VARCHAR(250) BINARY,
    certificateRequest LONGTEXT,
    PRIMARY KEY (fingerprint)
)"""

_BASE64_CERT_DATA_MYSQL = """
CREATE TABLE Base64CertData (
    fingerprint VARCHAR(250) BINARY NOT NULL,
    base64Cert LONGTEXT,
    rowProtection LONGTEXT,
    rowVersion INT(11) NOT NULL,
    PRIMARY KEY (fingerprint)
)"""

# create-index-ejbca.sql, the CertificateData indexes (idx8 is commented out there too).
INDEXES = [
    "CREATE INDEX certificatedata_idx2 ON CertificateData (username)",
    "CREATE INDEX certificatedata_idx4 ON CertificateData (subjectDN)",
    "CREATE INDEX certificatedata_idx5 ON CertificateData (type)",
    "CREATE INDEX certificatedata_idx6 ON CertificateData (issuerDN,status)",
    "CREATE INDEX certificatedata_idx7 ON CertificateData (certificateProfileId)",
    "CREATE INDEX certificatedata_idx11 ON CertificateData (subjectKeyId)",
    "CREATE UNIQUE INDEX certificatedata_idx12 ON CertificateData (serialNumber, issuerDN)",
]


def tables(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [_CERTIFICATE_DATA_PG, _BASE64_CERT_DATA_PG]
    return [_CERTIFICATE_DATA_MYSQL, _BASE64_CERT_DATA_MYSQL]


COLUMNS = {
    "CertificateData": (
        "fingerprint", "base64Cert", "cAFingerprint", "certificateProfileId",
        "endEntityProfileId", "crlPartitionIndex", "expireDate", "issuerDN", "notBefore",
        "invalidityDate", "revocationDate", "revocationReason", "rowProtection", "rowVersion",
        "serialNumber", "status", "subjectAltName", "subjectDN", "subjectKeyId",
        "accountBindingId", "tag", "type", "updateTime", "username", "certificateRequest",
    ),
    "Base64CertData": ("fingerprint", "base64Cert", "rowProtection", "rowVersion"),
}  # fmt: skip

MAIN_TABLE = "CertificateData"

# CertificateConstants / RevokedCertInfo
CERT_ACTIVE, CERT_NOTIFIEDABOUTEXPIRATION, CERT_REVOKED = 20, 21, 40
NOT_REVOKED, UNSPECIFIED, CERTIFICATE_HOLD, REMOVE_FROM_CRL = -1, 0, 6, 8


def separate_table(index: int) -> bool:
    """Half the rows were stored after database.useSeparateCertificateTable was switched on."""
    return index % 2 == 1


def cert_id(r: Record) -> str:
    return r.sha1_hex


def rows(r: Record, dialect: str) -> dict[str, list[tuple[Any, ...]]]:
    status, reason, revocation = CERT_ACTIVE, NOT_REVOKED, -1
    if r.kind in (Kind.REVOKED_BEFORE, Kind.REVOKED_AFTER):
        status, revocation = CERT_REVOKED, ms(r.revoked_at)  # type: ignore[arg-type]
        reason = UNSPECIFIED if r.reason is None else r.reason  # EJBCA has no "none": 0
    elif r.kind is Kind.HELD:
        status, reason, revocation = CERT_REVOKED, CERTIFICATE_HOLD, ms(r.revoked_at)  # type: ignore[arg-type]
    elif r.kind is Kind.UNHELD:
        reason = REMOVE_FROM_CRL  # taken off hold: active again, revocationDate back to -1
    elif r.index % 7 == 0:
        status = CERT_NOTIFIEDABOUTEXPIRATION
    wrapped = r.base64(64)
    stored = None if r.kind is Kind.NO_DATA else wrapped
    in_separate = separate_table(r.index)
    out: dict[str, list[tuple[Any, ...]]] = {
        "CertificateData": [
            (
                r.sha1_hex,
                None if in_separate else stored,
                r.issuer.key_id.hex(),  # stand-in for the CA certificate's fingerprint
                1,  # certificateProfileId
                1,  # endEntityProfileId
                None,  # crlPartitionIndex
                ms(r.not_after),
                r.issuer_dn,
                ms(r.not_before),
                None,  # invalidityDate
                revocation,
                reason,
                None,  # rowProtection
                0,  # rowVersion
                str(r.serial),  # BigInteger.toString(): decimal
                status,
                f"dNSName={r.dns_name}",
                r.subject_dn,
                None,  # subjectKeyId
                None,  # accountBindingId
                "P" if r.kind is Kind.PRECERT else None,
                1,  # type: end entity
                ms(r.revoked_at or r.not_before),
                f"user{r.index}",
                None,  # certificateRequest
            )
        ]
    }
    if in_separate and stored is not None:
        out["Base64CertData"] = [(r.sha1_hex, stored, None, 0)]
    return out
