"""Certificate profiles: decided once per certificate, before any lint runs (pkilint's way).

Lints declare the profiles they apply to; the engine picks the lints for a profile once, so a
lint never has to guess whether a certificate is, say, a TLS subscriber certificate.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from audit.engine import oids
from audit.engine.lean_stdlib import BoundedCache
from audit.engine.parts import OutsideParts, PartsKey, PartsOnly, extension_part

if TYPE_CHECKING:
    from audit.engine.certview import CertView


class Profile(StrEnum):
    ROOT_CA = "root_ca"
    SUBORDINATE_CA = "subordinate_ca"
    OCSP_RESPONDER = "ocsp_responder"
    SUBSCRIBER_DV = "subscriber_dv"
    SUBSCRIBER_OV = "subscriber_ov"
    SUBSCRIBER_IV = "subscriber_iv"
    SUBSCRIBER_EV = "subscriber_ev"
    PRECERTIFICATE_DV = "precertificate_dv"
    PRECERTIFICATE_OV = "precertificate_ov"
    PRECERTIFICATE_IV = "precertificate_iv"
    PRECERTIFICATE_EV = "precertificate_ev"
    NON_TLS = "non_tls"  # S/MIME, code signing, client-only: outside the TLS BRs
    UNKNOWN = "unknown"  # not decodable enough to tell


# Profile groups the lints name in `applies=`.
CA = frozenset({Profile.ROOT_CA, Profile.SUBORDINATE_CA})
ROOT = frozenset({Profile.ROOT_CA})
SUBORDINATE = frozenset({Profile.SUBORDINATE_CA})
PRECERTIFICATE = frozenset(
    {
        Profile.PRECERTIFICATE_DV,
        Profile.PRECERTIFICATE_OV,
        Profile.PRECERTIFICATE_IV,
        Profile.PRECERTIFICATE_EV,
    }
)
SUBSCRIBER_TLS = frozenset(
    {Profile.SUBSCRIBER_DV, Profile.SUBSCRIBER_OV, Profile.SUBSCRIBER_IV, Profile.SUBSCRIBER_EV}
    | PRECERTIFICATE
)
DV = frozenset({Profile.SUBSCRIBER_DV, Profile.PRECERTIFICATE_DV})
OV = frozenset({Profile.SUBSCRIBER_OV, Profile.PRECERTIFICATE_OV})
IV = frozenset({Profile.SUBSCRIBER_IV, Profile.PRECERTIFICATE_IV})
EV = frozenset({Profile.SUBSCRIBER_EV, Profile.PRECERTIFICATE_EV})
TLS_HIERARCHY = CA | SUBSCRIBER_TLS | {Profile.OCSP_RESPONDER}  # everything the TLS BRs govern
ANY = frozenset(Profile)

_SUBSCRIBER = {
    "dv": (Profile.SUBSCRIBER_DV, Profile.PRECERTIFICATE_DV),
    "ov": (Profile.SUBSCRIBER_OV, Profile.PRECERTIFICATE_OV),
    "iv": (Profile.SUBSCRIBER_IV, Profile.PRECERTIFICATE_IV),
    "ev": (Profile.SUBSCRIBER_EV, Profile.PRECERTIFICATE_EV),
}
_POLICY_VALIDATION = {
    oids.POLICY_EV: "ev",
    oids.POLICY_OV: "ov",
    oids.POLICY_IV: "iv",
    oids.POLICY_DV: "dv",
}


def detect_profile(cert: CertView) -> Profile:
    """Decide what kind of certificate this is, from its own content."""
    try:
        return _by_extensions(cert) or _detect(cert)
    except Exception:  # undecodable parts: the decode lint reports them; nothing applies
        return Profile.UNKNOWN


# Most certificates' profile follows from a few extensions that a CA writes alike on all the
# certificates of one issuing profile: the profile is decided once per distinct encoding of
# them (kept here, bounded), by the same `_detect` shown only those extensions (PartsOnly).
# When `_detect` reads anything else (the subject, the names, the signature), the certificate
# is decided from the whole of it.
_BY_ENCODING: BoundedCache[tuple[object, ...], Profile | None] = BoundedCache(4096)

_DECIDING_PARTS = tuple(
    extension_part(oid)
    for oid in (
        oids.BASIC_CONSTRAINTS,
        oids.KEY_USAGE,
        oids.EXTENDED_KEY_USAGE,
        oids.CERTIFICATE_POLICIES,
        oids.CT_PRECERT_POISON,
    )
)
_DECIDING_KEY = PartsKey(_DECIDING_PARTS)


def _by_extensions(cert: CertView) -> Profile | None:
    extensions = cert.extension_list
    if not cert.parsed_strictly or (extensions and extensions[0].crypto is None):
        return None  # decoded tolerantly: values need not follow from the octets alone
    key = _DECIDING_KEY.of(cert)
    if key in _BY_ENCODING:
        return _BY_ENCODING[key]
    shown = PartsOnly(cert, _DECIDING_PARTS)
    try:
        profile: Profile | None = _detect(shown)  # type: ignore[arg-type]
    except OutsideParts:
        profile = None
    if not shown.stayed_inside:  # read more, even if it caught what it was told
        profile = None
    return _BY_ENCODING.keep(key, profile)


def _detect(cert: CertView) -> Profile:
    key_usage = cert.key_usage or frozenset()
    if cert.is_ca or (cert.basic_constraints is None and "key_cert_sign" in key_usage):
        # A self-issued certificate signed by another key (a re-key or cross-certificate) is a
        # subordinate CA certificate, not a root (BR 1.6.1 "Root CA Certificate").
        return Profile.ROOT_CA if cert.is_self_signed else Profile.SUBORDINATE_CA
    eku = cert.eku
    if eku is not None and oids.EKU_OCSP_SIGNING in eku:
        return Profile.OCSP_RESPONDER
    if not _is_tls_server(cert, eku):
        return Profile.NON_TLS
    final, pre = _SUBSCRIBER[validation_type(cert)]
    return pre if cert.is_precertificate else final


# Policy OID arcs of the CA/B Forum's other certificate types (S/MIME BR 7.1.6.1, Code Signing BR).
_NON_TLS_POLICY_ARCS = ("2.23.140.1.4.", "2.23.140.1.5.")


def _is_tls_server(cert: CertView, eku: tuple[str, ...] | None) -> bool:
    if eku is not None:
        return oids.EKU_SERVER_AUTH in eku or oids.EKU_ANY in eku
    # No EKU: TLS when something says so (a TLS policy OID, DNS names or IP addresses); not TLS
    # when something says otherwise (an S/MIME or code-signing policy, email addresses and no
    # host names: zlint issue 623's false positives). With no evidence either way the
    # certificate is judged as TLS, like zlint does: an unmarked end-entity certificate in a TLS
    # hierarchy is held to the TLS rules.
    policies = cert.policies or ()
    if any(p in _POLICY_VALIDATION or p in oids.EV_POLICIES_CA_SPECIFIC for p in policies):
        return True
    if cert.dns_names or cert.ip_addresses:
        return True
    if any(p.startswith(_NON_TLS_POLICY_ARCS) for p in policies):
        return False
    has_email = any(g.kind == "email" for g in cert.san or ()) or cert.subject.has(
        oids.EMAIL_ADDRESS
    )
    return not has_email


def validation_type(cert: CertView) -> str:
    """dv / ov / iv / ev from the CA/B Forum policy OID; from the subject when there is none."""
    policies = cert.policies or ()
    for policy in policies:
        if policy in _POLICY_VALIDATION:
            return _POLICY_VALIDATION[policy]
    if not oids.EV_POLICIES_CA_SPECIFIC.isdisjoint(policies):  # EVG 9.3.2: a CA's own EV OID
        return "ev"
    subject = cert.subject
    if subject.has(oids.ORGANIZATION):
        return "ov"
    if subject.has(oids.GIVEN_NAME) or subject.has(oids.SURNAME):
        return "iv"
    return "dv"
