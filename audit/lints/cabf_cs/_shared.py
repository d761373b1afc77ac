"""What the Code Signing BR lint modules share: which certificates they judge, and how a URL is
judged.

Subscriber certificates have their own profiles (profiles.CODE_SIGNING_BR, from the reserved
policy OID or the EKU). A CA certificate is a root or subordinate CA whatever it issues; the CS
BR's "Subordinate CA used to issue Code Signing (Timestamp) Certificates" (7.1.2.2(g)) is one
whose extKeyUsage names id-kp-codeSigning (id-kp-timeStamping).
"""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.lints.rfc5280.uris_and_emails import uri_problem

# CS BR 7.1.2.3(f): the EKUs a Code Signing Certificate MAY carry besides id-kp-codeSigning.
EKU_LIFETIME_SIGNING = "1.3.6.1.4.1.311.10.3.13"  # Microsoft Authenticode: signature expires
EKU_DOCUMENT_SIGNING = "1.3.6.1.4.1.311.3.10.3.12"  # Microsoft document signing
CODE_SIGNING_EXTRA_EKUS = frozenset(
    {EKU_LIFETIME_SIGNING, EKU_DOCUMENT_SIGNING, oids.EKU_EMAIL_PROTECTION}
)

# CS BR 7.1.6.1: the reserved policy identifier of each kind of subscriber certificate.
RESERVED_POLICIES = {
    oids.POLICY_CODE_SIGNING: "Non-EV Code Signing (2.23.140.1.4.1)",
    oids.POLICY_EV_CODE_SIGNING: "EV Code Signing (2.23.140.1.3)",
    oids.POLICY_TIME_STAMPING: "Timestamp (2.23.140.1.4.2)",
}

# End-entity certificates the CS BR govern, and CA certificates.
SUBSCRIBERS = profiles.CODE_SIGNING_BR
CODE_SIGNING = profiles.CODE_SIGNING
NON_EV_CODE_SIGNING = frozenset({profiles.Profile.CODE_SIGNING})
EV_CODE_SIGNING = frozenset({profiles.Profile.EV_CODE_SIGNING})
TIME_STAMPING = profiles.TIME_STAMPING
CA = profiles.CA


def is_code_signing_ca(cert: CertView) -> bool:
    """A CA certificate for a CA that issues Code Signing Certificates (CS BR 7.1.2.2(g))."""
    return oids.EKU_CODE_SIGNING in (cert.eku or ())


def is_time_stamping_ca(cert: CertView) -> bool:
    """A CA certificate for a CA that issues Timestamp Certificates (CS BR 7.1.2.2(g))."""
    return oids.EKU_TIME_STAMPING in (cert.eku or ())


def is_cs_br_ca(cert: CertView) -> bool:
    """A CA certificate the CS BR govern: its extKeyUsage names codeSigning or timeStamping."""
    eku = cert.eku or ()
    return oids.EKU_CODE_SIGNING in eku or oids.EKU_TIME_STAMPING in eku


def is_cs_br_subordinate(cert: CertView) -> bool:
    """A subordinate CA (not a root) the CS BR govern."""
    return cert.profile == profiles.Profile.SUBORDINATE_CA and is_cs_br_ca(cert)


def http_url_problem(url: object) -> str | None:
    """Why `url` is not a well-formed http:// URL (CS BR 7.1.2.2, 7.1.2.3: "the HTTP URL"), or
    None. Whitespace or control characters inside make it no URL at all."""
    if not isinstance(url, str):
        return "is not a URI"
    if url[:7].lower() != "http://":
        return "is not an http:// URL"
    return uri_problem(url)


def shown(url: object) -> str:
    """A URL quoted for a message: attacker-controlled text, never interpreted."""
    return repr(url[:200]) if isinstance(url, str) else repr(url)
