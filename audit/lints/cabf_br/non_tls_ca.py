"""BR 2.0 7.1.2.3: a subordinate CA certificate for purposes other than TLS server
authentication (S/MIME, code signing, client authentication...) under a TLS root.

"Non-TLS" is read from the certificate: an extKeyUsage without id-kp-serverAuth and without
anyExtendedKeyUsage (`is_non_tls_ca`); a Precertificate Signing CA, whose extKeyUsage is the
precertificate signing purpose, belongs to the TLS hierarchy (`precertificate_signing_ca.py`).
Such a CA must not look like a TLS CA (no reserved TLS policy identifier) nor like a delegated
OCSP responder (no id-kp-OCSPSigning). The TLS
subordinate CAs' own extKeyUsage rules are in `ca_certificates.py`; a root carries no
extKeyUsage at all (`root_ca_eku_absent`).
"""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br._shared import RESERVED_POLICIES

_TLS_PURPOSES = frozenset({oids.EKU_SERVER_AUTH, oids.EKU_ANY, oids.EKU_PRECERT_SIGNING})


def is_non_tls_ca(cert: CertView) -> bool:
    """A CA certificate whose extKeyUsage is present and rules out TLS server certificates
    (and is not a Precertificate Signing CA's, BR 2.0 7.1.2.4)."""
    eku = cert.eku
    return eku is not None and _TLS_PURPOSES.isdisjoint(eku)


@lint(
    name="non_tls_ca_eku_ocsp_signing_absent",
    description="A subordinate CA certificate whose extKeyUsage rules out TLS (no serverAuth, "
    "no anyExtendedKeyUsage) does not assert id-kp-OCSPSigning: a CA certificate is never a "
    "delegated OCSP responder's, whose certificate MUST NOT be a CA certificate. (With "
    "serverAuth, subordinate_ca_eku_tls_purposes reports it; a root has no extKeyUsage: "
    "root_ca_eku_absent.) zlint has no equivalent.",
    citation="BR 2.0 7.1.2.3.3, 7.1.2.8.4",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBORDINATE,
    effective=dates.BR_2_0,
    when=is_non_tls_ca,
    needs=(oids.EXTENDED_KEY_USAGE,),
)
def non_tls_ca_eku_ocsp_signing_absent(cert: CertView) -> Outcome:
    if oids.EKU_OCSP_SIGNING in (cert.eku or ()):
        return fail("non-TLS subordinate CA certificate's extKeyUsage has id-kp-OCSPSigning")
    return PASS


@lint(
    name="non_tls_ca_reserved_policy_absent",
    description="A subordinate CA certificate whose extKeyUsage rules out TLS (no serverAuth, "
    "no anyExtendedKeyUsage) asserts none of the CA/Browser Forum's reserved TLS policy "
    "identifiers (2.23.140.1.2.1-3 and the EV 2.23.140.1.1) in certificatePolicies. zlint has "
    "no equivalent.",
    citation="BR 2.0 7.1.2.3.2 (Policy Restricted), 7.1.6.1",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBORDINATE,
    effective=dates.BR_2_0,
    when=is_non_tls_ca,
    needs=(oids.EXTENDED_KEY_USAGE, oids.CERTIFICATE_POLICIES),
)
def non_tls_ca_reserved_policy_absent(cert: CertView) -> Outcome:
    reserved = [p for p in cert.policies or () if p in RESERVED_POLICIES]
    if reserved:
        return fail(f"non-TLS subordinate CA certificate asserts reserved policy {reserved!r}")
    return PASS
