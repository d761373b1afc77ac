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
    # S/MIME BR 7.1.6.1: by validation type and generation, from the reserved policy OID.
    SMIME_MAILBOX_LEGACY = "smime_mailbox_legacy"
    SMIME_MAILBOX_MULTIPURPOSE = "smime_mailbox_multipurpose"
    SMIME_MAILBOX_STRICT = "smime_mailbox_strict"
    SMIME_ORGANIZATION_LEGACY = "smime_organization_legacy"
    SMIME_ORGANIZATION_MULTIPURPOSE = "smime_organization_multipurpose"
    SMIME_ORGANIZATION_STRICT = "smime_organization_strict"
    SMIME_SPONSOR_LEGACY = "smime_sponsor_legacy"
    SMIME_SPONSOR_MULTIPURPOSE = "smime_sponsor_multipurpose"
    SMIME_SPONSOR_STRICT = "smime_sponsor_strict"
    SMIME_INDIVIDUAL_LEGACY = "smime_individual_legacy"
    SMIME_INDIVIDUAL_MULTIPURPOSE = "smime_individual_multipurpose"
    SMIME_INDIVIDUAL_STRICT = "smime_individual_strict"
    SMIME_UNMARKED = "smime_unmarked"  # emailProtection, but no S/MIME BR policy OID
    # Code Signing BR: subscriber code-signing, EV code-signing and time-stamping certificates.
    CODE_SIGNING = "code_signing"
    EV_CODE_SIGNING = "ev_code_signing"
    TIME_STAMPING = "time_stamping"
    NON_TLS = "non_tls"  # client-only, document signing...: under no CA/B Forum BR
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

_SMIME_BY_POLICY = {
    f"{oids.POLICY_SMIME_ARC}{v}.{g}": Profile(f"smime_{validation}_{generation}")
    for v, validation in enumerate(("mailbox", "organization", "sponsor", "individual"), 1)
    for g, generation in enumerate(("legacy", "multipurpose", "strict"), 1)
}
SMIME_BR = frozenset(_SMIME_BY_POLICY.values())  # S/MIME subscriber certificates with a BR policy
SMIME = SMIME_BR | {Profile.SMIME_UNMARKED}  # every S/MIME subscriber certificate
SMIME_MAILBOX = frozenset(p for p in SMIME_BR if p.startswith("smime_mailbox"))
SMIME_ORGANIZATION = frozenset(p for p in SMIME_BR if p.startswith("smime_organization"))
SMIME_SPONSOR = frozenset(p for p in SMIME_BR if p.startswith("smime_sponsor"))
SMIME_INDIVIDUAL = frozenset(p for p in SMIME_BR if p.startswith("smime_individual"))
SMIME_LEGACY = frozenset(p for p in SMIME_BR if p.endswith("_legacy"))
SMIME_MULTIPURPOSE = frozenset(p for p in SMIME_BR if p.endswith("_multipurpose"))
SMIME_STRICT = frozenset(p for p in SMIME_BR if p.endswith("_strict"))
CODE_SIGNING = frozenset({Profile.CODE_SIGNING, Profile.EV_CODE_SIGNING})
TIME_STAMPING = frozenset({Profile.TIME_STAMPING})
CODE_SIGNING_BR = CODE_SIGNING | TIME_STAMPING  # the subscriber certificates the CS BR govern
# End-entity certificates outside the TLS BRs (what `non_tls` alone meant before the S/MIME and
# Code Signing BR profiles were told apart).
OUTSIDE_TLS = SMIME | CODE_SIGNING_BR | {Profile.NON_TLS}
ANY = frozenset(Profile)
DECODED = ANY - {Profile.UNKNOWN}


class Family(StrEnum):
    """What a certificate is for, as the report groups them (several profiles to one family)."""

    CA = "ca"
    TLS = "tls"
    SMIME = "smime"
    CODE_SIGNING = "code_signing"
    TIME_STAMPING = "time_stamping"
    OCSP = "ocsp"
    OTHER = "other"


FAMILY_TITLES = {
    Family.CA: "CA certificates",
    Family.TLS: "TLS server certificates and precertificates",
    Family.SMIME: "S/MIME certificates",
    Family.CODE_SIGNING: "Code-signing certificates",
    Family.TIME_STAMPING: "Time-stamping certificates",
    Family.OCSP: "OCSP responder certificates",
    Family.OTHER: "Other certificates (outside every CA/B Forum BR, or undecodable)",
}


def family(profile: str) -> Family:
    """The family of a profile (as stored in the run's Parquet: its string value)."""
    if profile in CA:
        return Family.CA
    if profile in SUBSCRIBER_TLS:
        return Family.TLS
    if profile in SMIME:
        return Family.SMIME
    if profile in CODE_SIGNING:
        return Family.CODE_SIGNING
    if profile in TIME_STAMPING:
        return Family.TIME_STAMPING
    if profile == Profile.OCSP_RESPONDER:
        return Family.OCSP
    return Family.OTHER


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
    smime = _smime_subscriber(cert)
    if cert.is_ca or (
        cert.basic_constraints is None and "key_cert_sign" in key_usage and smime is None
    ):
        # A self-issued certificate signed by another key (a re-key or cross-certificate) is a
        # subordinate CA certificate, not a root (BR 1.6.1 "Root CA Certificate").
        return Profile.ROOT_CA if cert.is_self_signed else Profile.SUBORDINATE_CA
    eku = cert.eku
    if eku is not None and oids.EKU_OCSP_SIGNING in eku:
        return Profile.OCSP_RESPONDER
    if smime is not None:
        return smime
    if not _is_tls_server(cert, eku):
        return _outside_tls(cert, eku)
    final, pre = _SUBSCRIBER[validation_type(cert)]
    return pre if cert.is_precertificate else final


def _outside_tls(cert: CertView, eku: tuple[str, ...] | None) -> Profile:
    """An end-entity certificate that is not for TLS servers: which other BR governs it.

    A reserved policy OID says it outright (S/MIME BR 7.1.6.1, CS BR 7.1.6.1); without one the
    EKU tells the family (S/MIME BR 1.1 scope: emailProtection; CS BR 1.1: codeSigning,
    timeStamping), and the first purpose listed decides a certificate that names several.
    """
    for policy in cert.policies or ():
        if policy in _SMIME_BY_POLICY:
            return _SMIME_BY_POLICY[policy]
        if policy == oids.POLICY_EV_CODE_SIGNING:
            return Profile.EV_CODE_SIGNING
        if policy == oids.POLICY_CODE_SIGNING:
            return Profile.CODE_SIGNING
        if policy == oids.POLICY_TIME_STAMPING:
            return Profile.TIME_STAMPING
    for purpose in eku or ():
        if purpose == oids.EKU_EMAIL_PROTECTION:
            return Profile.SMIME_UNMARKED
        if purpose == oids.EKU_CODE_SIGNING:
            return Profile.CODE_SIGNING
        if purpose == oids.EKU_TIME_STAMPING:
            return Profile.TIME_STAMPING
    return Profile.NON_TLS


def _smime_subscriber(cert: CertView) -> Profile | None:
    """The S/MIME subscriber profile that a reserved S/MIME BR policy OID names, unless a TLS BR
    reserved policy is there too (then the TLS rules decide, as before).

    The reserved OID is the CA's own statement that it issued the certificate under the S/MIME
    BR (7.1.6.4), so it decides even where the EKU also names serverAuth (which 7.1.2.3(f)
    prohibits: the S/MIME lints report it) or where keyUsage asserts keyCertSign without a
    basicConstraints extension: without cA asserted the certificate cannot act as a CA (RFC
    5280 6.1.4(k)), and the stray bit is the S/MIME key usage lints' to report.
    """
    found = None
    for policy in cert.policies or ():
        if policy in _POLICY_VALIDATION:
            return None
        if found is None:
            found = _SMIME_BY_POLICY.get(policy)
    return found


# Policy OID arcs of the CA/B Forum's other certificate types (S/MIME BR 7.1.6.1, Code Signing BR).
_NON_TLS_POLICY_ARCS = ("2.23.140.1.4.", "2.23.140.1.5.")


def _has_non_tls_policy(cert: CertView) -> bool:
    return any(
        p.startswith(_NON_TLS_POLICY_ARCS) or p == oids.POLICY_EV_CODE_SIGNING
        for p in cert.policies or ()
    )


def _is_tls_server(cert: CertView, eku: tuple[str, ...] | None) -> bool:
    if eku is not None:
        if oids.EKU_SERVER_AUTH in eku:
            return True
        # anyExtendedKeyUsage allows TLS, unless a reserved S/MIME or code-signing policy says
        # what the certificate was issued as.
        return oids.EKU_ANY in eku and not _has_non_tls_policy(cert)
    # No EKU: TLS when something says so (a TLS policy OID, DNS names or IP addresses); not TLS
    # when something says otherwise (an S/MIME or code-signing policy, an EU qualified policy for
    # signatures or seals (zlint issue 951), email addresses and no host names: zlint issue
    # 623's false positives). With no evidence either way the
    # certificate is judged as TLS, like zlint does: an unmarked end-entity certificate in a TLS
    # hierarchy is held to the TLS rules.
    policies = cert.policies or ()
    if any(p in _POLICY_VALIDATION or p in oids.EV_POLICIES_CA_SPECIFIC for p in policies):
        return True
    if cert.dns_names or cert.ip_addresses:
        return True
    if _has_non_tls_policy(cert) or not oids.POLICIES_ETSI_QUALIFIED_NOT_WEB.isdisjoint(policies):
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
