"""BR 2.0 7.1.2.1: the Root CA Certificate Profile (Ballot SC62, from 2023-09-15).

A root CA certificate is the profile's self-signed CA certificate (profiles.py). Its
extensions' presence, keyUsage and basicConstraints are in `extensions.py`; here: how long it
is valid (7.1.2.1.1), its issuer as encoded (7.1.2.1) and its authorityKeyIdentifier (7.1.2.1.3).
"""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates

# BR 2.0 7.1.2.1.1: notAfter 2922 days (about 8 years) to 9132 days (about 25 years) after
# notBefore, the validity period counting both ends (RFC 5280 4.1.2.5, BR 1.6.1 "Validity
# Period"), as CertView.validity_seconds counts it.
ROOT_MIN_DAYS = 2922
ROOT_MAX_DAYS = 9132
_DAY = 86400


@lint(
    name="root_ca_validity_period",
    description="A root CA certificate is valid for at least 2922 days (about 8 years) and at "
    "most 9132 days (about 25 years), both ends of the validity period counted. This holds for "
    "a root reissued for an existing subject and key too. zlint has no equivalent.",
    citation="BR 2.0 7.1.2.1.1",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.ROOT,
    effective=dates.BR_2_0,
)
def root_ca_validity_period(cert: CertView) -> Outcome:
    seconds = cert.validity_seconds
    if seconds < ROOT_MIN_DAYS * _DAY:
        return fail(f"root CA certificate is valid for {seconds / _DAY:.2f} days, fewer than 2922")
    if seconds > ROOT_MAX_DAYS * _DAY:
        return fail(f"root CA certificate is valid for {seconds / _DAY:.2f} days, more than 9132")
    return PASS


@lint(
    name="root_ca_issuer_identical_to_subject",
    description="The issuer field of a root CA certificate is byte-for-byte identical to its "
    "subject field: the same attributes in the same order with the same string types, not "
    "merely a name that matches under RFC 5280 7.1 (which is what makes a certificate "
    "self-issued). zlint has no equivalent.",
    citation="BR 2.0 7.1.2.1, 7.1.4.1",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.ROOT,
    effective=dates.BR_2_0,
)
def root_ca_issuer_identical_to_subject(cert: CertView) -> Outcome:
    encoding = cert.tbs_encoding
    if encoding.issuer != encoding.subject:
        return fail(
            f"issuer {cert.issuer.rfc4514[:200]!r} is not encoded byte for byte as the subject "
            f"{cert.subject.rfc4514[:200]!r} ({len(encoding.issuer)} and "
            f"{len(encoding.subject)} octets)"
        )
    return PASS


@lint(
    name="root_ca_authority_key_identifier_matches_ski",
    description="When a root CA certificate has an authorityKeyIdentifier (RECOMMENDED), its "
    "keyIdentifier is present and identical to the certificate's subjectKeyIdentifier. zlint "
    "has no equivalent.",
    citation="BR 2.0 7.1.2.1.2, 7.1.2.1.3",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.ROOT,
    effective=dates.BR_2_0,
    needs=(oids.AUTHORITY_KEY_IDENTIFIER,),
)
def root_ca_authority_key_identifier_matches_ski(cert: CertView) -> Outcome:
    key_id = cert.authority_key_id
    if not key_id:
        return fail("root CA certificate's authorityKeyIdentifier has no keyIdentifier")
    subject_key_id = cert.subject_key_id
    if subject_key_id is None:
        return fail(
            f"authorityKeyIdentifier keyIdentifier {key_id.hex()} but no subjectKeyIdentifier"
        )
    if key_id != subject_key_id:
        return fail(
            f"authorityKeyIdentifier keyIdentifier {key_id.hex()} differs from the "
            f"subjectKeyIdentifier {subject_key_id.hex()}"
        )
    return PASS
