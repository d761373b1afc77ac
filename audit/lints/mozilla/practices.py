"""Mozilla Root Store Policy 5.2 (forbidden and required practices) and 5.3 (intermediate EKUs)."""

from __future__ import annotations

from typing import Any

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.mozilla.keys import KNOWN_PROFILES, in_mozilla_scope


def _aki_issuer_and_serial(cert: CertView) -> tuple[bool, bool] | None:
    """(has authorityCertIssuer, has authorityCertSerialNumber) of a keyIdentifier-bearing
    authorityKeyIdentifier, or None when there is no keyIdentifier (or no extension)."""
    ext = cert.extensions.get(oids.AUTHORITY_KEY_IDENTIFIER)
    if ext is None:
        return None
    if ext.crypto is not None:
        v: Any = ext.crypto
        if not v.key_identifier:
            return None
        return bool(v.authority_cert_issuer), v.authority_cert_serial_number is not None
    v = ext.asn1["extn_value"].parsed
    if not v["key_identifier"].native:
        return None
    return bool(v["authority_cert_issuer"].native), v[
        "authority_cert_serial_number"
    ].native is not None


@lint(
    name="mozilla_authority_key_identifier_key_id_only",
    description="An authorityKeyIdentifier with a keyIdentifier does not also carry the "
    "issuer's issuer name and serial number (authorityCertIssuer, authorityCertSerialNumber).",
    citation="Mozilla Root Store Policy 5.2",
    source=Source.MOZILLA,
    severity=Status.ERROR,
    applies=KNOWN_PROFILES,
    effective=dates.MOZILLA_POLICY_2_2,
    when=lambda cert: in_mozilla_scope(cert) and cert.has_extension(oids.AUTHORITY_KEY_IDENTIFIER),
    zlint=("e_mp_authority_key_identifier_correct",),
)
def mozilla_authority_key_identifier_key_id_only(cert: CertView) -> Outcome:
    found = _aki_issuer_and_serial(cert)
    if found is None or not any(found):
        return PASS
    names = ("authorityCertIssuer", "authorityCertSerialNumber")
    parts = [name for name, present in zip(names, found, strict=True) if present]
    return fail(f"authorityKeyIdentifier has a keyIdentifier and also {' and '.join(parts)}")


@lint(
    name="mozilla_intermediate_eku_separation",
    description="An intermediate certificate created from 2019-01-01 has an extendedKeyUsage "
    "extension, without anyExtendedKeyUsage and without both id-kp-serverAuth and "
    "id-kp-emailProtection. MRSP exempts cross-certificates that share a private key with a "
    "root; a certificate alone cannot show that, so a failure is a warning to confirm.",
    citation="Mozilla Root Store Policy 5.3",
    source=Source.MOZILLA,
    severity=Status.WARN,
    applies={profiles.Profile.SUBORDINATE_CA},
    effective=dates.MOZILLA_INTERMEDIATE_EKU,
    when=in_mozilla_scope,
    zlint=("n_mp_allowed_eku",),
)
def mozilla_intermediate_eku_separation(cert: CertView) -> Outcome:
    eku = cert.eku
    exempt = " (unless it is a cross-certificate sharing its key with a root)"
    if eku is None:
        return fail("intermediate certificate has no extendedKeyUsage extension" + exempt)
    problems = []
    if oids.EKU_ANY in eku:
        problems.append("anyExtendedKeyUsage")
    if oids.EKU_SERVER_AUTH in eku and oids.EKU_EMAIL_PROTECTION in eku:
        problems.append("both id-kp-serverAuth and id-kp-emailProtection")
    if problems:
        listed = " and ".join(problems)
        return fail(f"intermediate certificate's extendedKeyUsage has {listed}{exempt}")
    return PASS
