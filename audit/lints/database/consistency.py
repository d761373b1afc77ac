"""The issuance database's row against the certificate it stores.

A row that disagrees with its certificate misleads everything built on the database: CRLs and
OCSP answer for the row's serial, expiry notices use the row's notAfter.
"""

from audit.engine import profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates


def _has_row(cert: CertView) -> bool:
    return cert.db_row is not None


@lint(
    name="database_serial_matches_certificate",
    description="The serial number recorded in the database row is the certificate's serial number.",
    citation="BR 4.9.10 / RFC 6960 (status is answered by serial); BR 5.4.1 (records)",
    source=Source.DATABASE,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    when=_has_row,
)
def serial_matches(cert: CertView) -> Outcome:
    recorded = (cert.db_row.serial_hex or "").lower().lstrip("0") if cert.db_row else ""
    actual = cert.serial_hex.lower().lstrip("0")
    if recorded and recorded != actual:
        return fail(f"row says serial {recorded or '0'}, certificate has {actual or '0'}")
    return PASS


@lint(
    name="database_validity_matches_certificate",
    description="notBefore and notAfter recorded in the database row are the certificate's own.",
    citation="BR 5.4.1 (records); BR 4.9 (revocation and expiry are tracked by the row)",
    source=Source.DATABASE,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    when=_has_row,
)
def validity_matches(cert: CertView) -> Outcome:
    row = cert.db_row
    assert row is not None
    wrong = []
    for label, recorded, actual in (
        ("notBefore", row.not_before, cert.not_before),
        ("notAfter", row.not_after, cert.not_after),
    ):
        if recorded is not None and abs((recorded - actual).total_seconds()) >= 1:
            wrong.append(f"{label}: row {recorded.isoformat()} vs certificate {actual.isoformat()}")
    return fail("; ".join(wrong)) if wrong else PASS


@lint(
    name="database_row_has_certificate",
    description="The database row stores the certificate it stands for (a row without one cannot be audited).",
    citation="BR 5.4.1 (records of issued certificates); BR 8.7 (self-audit)",
    source=Source.DATABASE,
    severity=Status.FATAL,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    when=_has_row,
)
def row_has_certificate(cert: CertView) -> Outcome:
    # The engine reports rows without certificate data against this lint (see Engine.lint_row);
    # a certificate that reached this check was stored.
    return PASS
