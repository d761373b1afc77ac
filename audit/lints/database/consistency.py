"""The issuance database's row against the certificate it stores.

A row that disagrees with its certificate misleads everything built on the database: CRLs and
OCSP answer for the row's serial, expiry notices use the row's notAfter.
"""

from datetime import datetime

from audit.engine import profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail, outcome
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


# -- the row's revocation against the certificate ----------------------------------------------
#
# What the row says of a revocation is what CRLs and OCSP will say (BR 4.9.7, 4.9.10): its
# reason is the CRL entry's reasonCode (none for unspecified), its time the revocationDate.
# Only revoked rows revoked after the as-of time are in the audited population (the rest were
# not active then); a reason is read only from a revoked row (database.py).

# RFC 5280 5.3.1 CRLReason.
UNSPECIFIED, KEY_COMPROMISE, CA_COMPROMISE, AFFILIATION_CHANGED, SUPERSEDED = 0, 1, 2, 3, 4
CESSATION_OF_OPERATION, CERTIFICATE_HOLD, REMOVE_FROM_CRL = 5, 6, 8
PRIVILEGE_WITHDRAWN, AA_COMPROMISE = 9, 10
REASON_NAMES = {
    UNSPECIFIED: "unspecified", KEY_COMPROMISE: "keyCompromise", CA_COMPROMISE: "cACompromise",
    AFFILIATION_CHANGED: "affiliationChanged", SUPERSEDED: "superseded",
    CESSATION_OF_OPERATION: "cessationOfOperation", CERTIFICATE_HOLD: "certificateHold",
    REMOVE_FROM_CRL: "removeFromCRL", PRIVILEGE_WITHDRAWN: "privilegeWithdrawn",
    AA_COMPROMISE: "aACompromise",
}  # fmt: skip
# BR 7.2.2's CRLReasons for Subscriber certificates (unspecified: no reasonCode at all).
SUBSCRIBER_REASONS = frozenset(
    {UNSPECIFIED, KEY_COMPROMISE, AFFILIATION_CHANGED, SUPERSEDED, CESSATION_OF_OPERATION,
     PRIVILEGE_WITHDRAWN}
)  # fmt: skip
# The other CRLReasons, less certificateHold and removeFromCRL (lints of their own).
NOT_FOR_SUBSCRIBERS = (
    frozenset(REASON_NAMES) - SUBSCRIBER_REASONS - {CERTIFICATE_HOLD, REMOVE_FROM_CRL}
)


def _reason(code: int | None) -> str:
    return "none recorded" if code is None else f"{REASON_NAMES.get(code, 'undefined')} ({code})"


def _revoked(cert: CertView) -> bool:
    row = cert.db_row
    return row is not None and (row.revoked_at is not None or row.revocation_reason is not None)


def _revoked_with_reason(cert: CertView) -> bool:
    return _revoked(cert) and cert.db_row.revocation_reason is not None  # type: ignore[union-attr]


def _revoked_before(cert: CertView, date: datetime) -> bool:
    """The row was revoked before `date`, when a rule about revocations took effect."""
    revoked_at = cert.db_row.revoked_at if cert.db_row else None
    return revoked_at is not None and revoked_at < date


def _not_yet(date: datetime) -> Outcome:
    return outcome(Status.NE, f"revoked before {date.date():%Y-%m-%d}, when the rule took effect")


@lint(
    name="database_revocation_reason_defined",
    description="A revoked row's reason is a CRLReason that revokes: one RFC 5280 defines, and "
    "not removeFromCRL (8), which only takes an entry off a delta CRL.",
    citation="RFC 5280 5.3.1",
    source=Source.DATABASE,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.RFC_2459,
    when=_revoked_with_reason,
)
def revocation_reason_defined(cert: CertView) -> Outcome:
    code = cert.db_row.revocation_reason  # type: ignore[union-attr]
    if code == REMOVE_FROM_CRL:
        return fail("the row is revoked with removeFromCRL (8), which revokes nothing")
    if code not in REASON_NAMES:
        return fail(f"the row is revoked with reason {code}, which is no RFC 5280 CRLReason")
    return PASS


@lint(
    name="database_revocation_reason_not_certificate_hold",
    description="A certificate the TLS Baseline Requirements govern (subscriber, precertificate, "
    "CA, OCSP responder) is not revoked with certificateHold (6): it is never suspended.",
    citation="BR 4.9.13 (the Repository MUST NOT include entries that indicate that a "
    "Certificate is suspended); BR 7.2.2 (CRLReason MUST NOT be certificateHold (6)); S/MIME BR "
    "7.2.2 (not for Root or Subordinate CA Certificates)",
    source=Source.DATABASE,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_1_0,
    when=_revoked_with_reason,
)
def revocation_not_certificate_hold(cert: CertView) -> Outcome:
    if cert.db_row.revocation_reason == CERTIFICATE_HOLD:  # type: ignore[union-attr]
        return fail("the row holds the certificate with certificateHold (6): a suspension")
    return PASS


@lint(
    name="database_smime_strict_revocation_not_certificate_hold",
    description="A Strict-generation S/MIME certificate is not revoked with certificateHold (6) "
    "(the Legacy and Multipurpose generations may be).",
    citation="S/MIME BR 7.2.2 (SHALL NOT include CRL entries that have a CRLreason of "
    "certificateHold (6) for ... the Strict Generation)",
    source=Source.DATABASE,
    severity=Status.ERROR,
    applies=profiles.SMIME_STRICT,
    effective=dates.ALWAYS,  # by the revocation's date: see the check
    when=_revoked_with_reason,
)
def smime_strict_not_certificate_hold(cert: CertView) -> Outcome:
    if _revoked_before(cert, dates.SMIME_BR_CRL_REASONS):
        return _not_yet(dates.SMIME_BR_CRL_REASONS)
    if cert.db_row.revocation_reason == CERTIFICATE_HOLD:  # type: ignore[union-attr]
        return fail("the row holds a Strict-generation S/MIME certificate with certificateHold (6)")
    return PASS


@lint(
    name="database_subscriber_revocation_reason_permitted",
    description="A TLS subscriber certificate (or precertificate) revoked from 2023-07-15 is "
    "revoked for one of the CRLReasons BR 7.2.2 permits: keyCompromise (1), affiliationChanged "
    "(3), superseded (4), cessationOfOperation (5), privilegeWithdrawn (9), or unspecified "
    "(no reasonCode).",
    citation="BR 7.2.2 (Only the following CRLReasons MAY be present ... for Subscriber "
    "Certificates; Ballot SC-061); MRSP 6.1.1",
    source=Source.DATABASE,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.ALWAYS,  # by the revocation's date: see the check
    when=_revoked_with_reason,
)
def subscriber_revocation_reason_permitted(cert: CertView) -> Outcome:
    if _revoked_before(cert, dates.BR_SUBSCRIBER_REVOCATION_REASONS):
        return _not_yet(dates.BR_SUBSCRIBER_REVOCATION_REASONS)
    code = cert.db_row.revocation_reason  # type: ignore[union-attr]
    if code in NOT_FOR_SUBSCRIBERS:
        return fail(f"revoked with {_reason(code)}, which no Subscriber certificate may carry")
    return PASS


@lint(
    name="database_ca_revocation_reason_specified",
    description="A revoked Root or Subordinate CA certificate has its reason recorded, and not "
    "as unspecified (0): its CRL entry must carry a reasonCode (revocations from 2020-09-30).",
    citation="BR 7.2.2 (If a CRL entry is for a Root CA or Subordinate CA Certificate ... this CRL "
    "entry extension MUST be present; the CRLReason MUST NOT be unspecified (0); Ballot SC31); "
    "S/MIME BR 7.2.2",
    source=Source.DATABASE,
    severity=Status.ERROR,
    applies=profiles.CA,
    effective=dates.ALWAYS,  # by the revocation's date: see the check
    when=_revoked,
)
def ca_revocation_reason_specified(cert: CertView) -> Outcome:
    if _revoked_before(cert, dates.BR_CA_REVOCATION_REASON_REQUIRED):
        return _not_yet(dates.BR_CA_REVOCATION_REASON_REQUIRED)
    code = cert.db_row.revocation_reason  # type: ignore[union-attr]
    if code is None or code == UNSPECIFIED:
        return fail(f"a revoked CA certificate with no reason for its CRL entry ({_reason(code)})")
    return PASS


@lint(
    name="database_not_revoked_before_issued",
    description="A row is not revoked before the certificate was issued (the row's issue time, "
    "else notBefore); a revocation backdated to a key compromise before issuance is a notice.",
    citation="RFC 5280 5.1.2.6 (revocationDate: the date on which the revocation occurred); "
    "BR 7.2.2 (revocationDate: backdated only to when the key was compromised); BR 5.4.1",
    source=Source.DATABASE,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    when=_revoked,
)
def not_revoked_before_issued(cert: CertView) -> Outcome:
    row = cert.db_row
    assert row is not None
    revoked_at = row.revoked_at
    issued, what = (row.issued, "issued") if row.issued else (cert.not_before, "notBefore")
    if revoked_at is None or revoked_at >= issued:
        return PASS
    message = f"revoked at {revoked_at.isoformat()}, before it was {what} {issued.isoformat()}"
    if row.revocation_reason == KEY_COMPROMISE:
        return outcome(Status.NOTICE, f"{message}: backdated to a key compromise before issuance")
    return fail(message)


def _kept_as_precertificate(cert: CertView) -> bool:
    return cert.db_row is not None and cert.db_row.precertificate


@lint(
    name="database_precertificate_row_holds_precertificate",
    description="A row the database keeps as a precertificate (a marked row, or a row of the "
    "precertificates' own table) holds a precertificate: a certificate with the poison extension.",
    citation="RFC 6962 3.1 (a Precertificate carries the critical poison extension); BR 7.1.2.9; "
    "BR 5.4.1 (records)",
    source=Source.DATABASE,
    severity=Status.ERROR,
    applies=profiles.ANY,
    effective=dates.ALWAYS,
    when=_kept_as_precertificate,
)
def precertificate_row_holds_precertificate(cert: CertView) -> Outcome:
    if not cert.is_precertificate:
        return fail("kept as a precertificate, but the certificate has no poison extension")
    return PASS
