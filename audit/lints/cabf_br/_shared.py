"""Checks that several BR lint modules make alike: one body each, called from every lint that
makes it (the lints themselves stay declared beside their own checks)."""

from __future__ import annotations

from collections.abc import Iterable

from audit.engine import oids
from audit.engine.certview import CertView, GeneralName
from audit.engine.registry import Predicate
from audit.engine.status import PASS, Outcome, Status, fail, outcome
from audit.lints import dates

EKU_NAMES = {
    oids.EKU_SERVER_AUTH: "serverAuth",
    oids.EKU_CLIENT_AUTH: "clientAuth",
    oids.EKU_CODE_SIGNING: "codeSigning",
    oids.EKU_EMAIL_PROTECTION: "emailProtection",
    oids.EKU_TIME_STAMPING: "timeStamping",
    oids.EKU_OCSP_SIGNING: "OCSPSigning",
    oids.EKU_ANY: "anyExtendedKeyUsage",
    oids.EKU_PRECERT_SIGNING: "precertificateSigning",
}


def eku_names(values: Iterable[str]) -> str:
    """extKeyUsage purposes by name (OIDs without one as they are), sorted by OID."""
    return ", ".join(EKU_NAMES.get(v, v) for v in sorted(values))


def is_http(url: object) -> bool:
    return isinstance(url, str) and url[:7].lower() == "http://"


def has_policy(oid: str) -> Predicate:
    def present(cert: CertView) -> bool:
        return oid in (cert.policies or ())

    return present


RESERVED_POLICIES = frozenset({oids.POLICY_DV, oids.POLICY_OV, oids.POLICY_IV, oids.POLICY_EV})


def one_reserved_policy(cert: CertView) -> Outcome:
    """Exactly one CA/Browser Forum reserved policy identifier (DV, OV, IV or EV)."""
    reserved = [p for p in cert.policies or () if p in RESERVED_POLICIES]
    if len(reserved) != 1:
        return fail(f"{len(reserved)} reserved policy identifiers, not 1: {reserved!r}")
    return PASS


def has_common_name(cert: CertView) -> bool:
    return cert.subject.has(oids.COMMON_NAME)


def error_from_br_2(cert: CertView, message: str) -> Outcome:
    """A SHOULD NOT that BR 2.0 made a MUST NOT: the lint's severity before, an error from."""
    if cert.judged_at >= dates.BR_2_0:
        return outcome(Status.ERROR, message)
    return fail(message)


# -- authorityInformationAccess ------------------------------------------------------------------


def aia_ocsp_url_http(cert: CertView) -> Outcome:
    urls = cert.aia.ocsp if cert.aia else ()
    if not any(is_http(u) for u in urls):
        return fail(f"authorityInformationAccess has no HTTP OCSP URL (id-ad-ocsp: {list(urls)!r})")
    return PASS


def aia_ca_issuers_url_http(cert: CertView) -> Outcome:
    urls = cert.aia.ca_issuers if cert.aia else ()
    if not any(is_http(u) for u in urls):
        return fail(f"authorityInformationAccess has no HTTP caIssuers URL ({list(urls)!r})")
    return PASS


def access_description_problem(method: str, location: GeneralName) -> str | None:
    """Why an AccessDescription is not id-ad-ocsp or id-ad-caIssuers located by a URI, or None."""
    if method not in (oids.AD_OCSP, oids.AD_CA_ISSUERS):
        return f"authorityInformationAccess has access method {method}"
    if location.kind != "uri":
        return f"access method {method} is located by a {location.kind} name, not a URI"
    return None


def repeated_location(method: str, location: GeneralName, seen: set[tuple[str, str]]) -> str | None:
    """Why an AccessDescription repeats one in `seen` (locations compared ignoring case), or
    None, adding it to `seen`."""
    key = (method, str(location.value).lower())
    if key in seen:
        return f"access location {location.value!r} appears twice for method {method}"
    seen.add(key)
    return None
