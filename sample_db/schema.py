"""The sample issuance database's tables: what a CA's own issuance system typically keeps."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)  # fmt: skip

metadata = MetaData()

issuing_cas = Table(
    "issuing_cas",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("der", LargeBinary, nullable=False),
)

certificates = Table(
    "certificates",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),  # surrogate key
    Column("issuing_ca_id", Integer, ForeignKey("issuing_cas.id"), nullable=True),
    Column("der", LargeBinary, nullable=True),  # the certificate as issued (DER)
    Column("serial", String(64), nullable=False),  # hex, as the issuance system recorded it
    Column("issuer_dn", String(1000), nullable=False),
    Column("subject_dn", String(2000), nullable=False),
    Column("not_before", DateTime, nullable=False),  # UTC
    Column("not_after", DateTime, nullable=False),  # UTC
    Column("status", String(16), nullable=False),  # issued | revoked
    Column("revoked_at", DateTime, nullable=True),
    Column("revocation_reason", Integer, nullable=True),  # RFC 5280 CRLReason
    Column("validation_type", String(8), nullable=False),  # dv | ov | iv | ev
    Column("customer", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# The precertificates the issuance system keeps (RFC 6962 3.1), laid out like `certificates`:
# the certificate a precertificate announces has the same issuer and serial.
precertificates = Table("precertificates", metadata, *(c._copy() for c in certificates.columns))

Index("ix_precertificates_issuer_serial", precertificates.c.issuing_ca_id, precertificates.c.serial)
Index("ix_certificates_not_after", certificates.c.not_after)
Index("ix_certificates_issuer_serial", certificates.c.issuing_ca_id, certificates.c.serial)
Index("ix_certificates_status", certificates.c.status, certificates.c.revoked_at)
Index("ix_certificates_customer", certificates.c.customer)
