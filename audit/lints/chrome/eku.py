"""Chrome Root Program Policy 1.3.2: hierarchies dedicated to TLS server authentication.

The Chrome Root Store serves only TLS server authentication, so from 2026-06-15 Chrome phases
out any hierarchy whose unexpired subordinate CA certificates assert other extended key usages,
and from 2027-03-15 subscriber certificates assert id-kp-serverAuth alone.

A certificate shows neither the root it chains to nor the date it was disclosed to the CCADB.
These lints take a subordinate CA certificate as part of a Chrome hierarchy when it can issue TLS
certificates (no EKU, or an EKU with id-kp-serverAuth or anyExtendedKeyUsage), and its notBefore
as its disclosure date (the CCADB asks for disclosure within a week of issuance).
"""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates

EKU_NAMES = {
    oids.EKU_SERVER_AUTH: "id-kp-serverAuth", oids.EKU_CLIENT_AUTH: "id-kp-clientAuth",
    oids.EKU_CODE_SIGNING: "id-kp-codeSigning", oids.EKU_EMAIL_PROTECTION: "id-kp-emailProtection",
    oids.EKU_TIME_STAMPING: "id-kp-timeStamping", oids.EKU_OCSP_SIGNING: "id-kp-OCSPSigning",
    oids.EKU_ANY: "anyExtendedKeyUsage", oids.EKU_PRECERT_SIGNING: "CT precertificate signing",
}  # fmt: skip
SERVER_AUTH_ONLY = frozenset({oids.EKU_SERVER_AUTH})
SERVER_AND_CLIENT_AUTH = frozenset({oids.EKU_SERVER_AUTH, oids.EKU_CLIENT_AUTH})
SUBORDINATE_CA = frozenset({profiles.Profile.SUBORDINATE_CA})


def _names(ekus: set[str] | frozenset[str]) -> str:
    return ", ".join(sorted(EKU_NAMES.get(e, e) for e in ekus))


def can_issue_tls(cert: CertView) -> bool:
    eku = cert.eku
    return eku is None or oids.EKU_SERVER_AUTH in eku or oids.EKU_ANY in eku


def _eku_within(cert: CertView, allowed: frozenset[str], what: str, allowed_text: str) -> Outcome:
    eku = cert.eku
    if eku is None:
        return fail(f"{what} has no extendedKeyUsage extension; Chrome requires {allowed_text}")
    if set(eku) - allowed or oids.EKU_SERVER_AUTH not in eku:
        return fail(
            f"{what}'s extendedKeyUsage asserts {_names(set(eku)) or 'nothing'}; Chrome allows "
            f"{allowed_text}"
        )
    return PASS


@lint(
    name="chrome_subscriber_eku_server_auth_only",
    description="A subscriber certificate issued from 2027-03-15 has an extendedKeyUsage "
    "extension asserting only id-kp-serverAuth (so no id-kp-clientAuth).",
    citation="Chrome Root Program Policy 1.3.2 (2)",
    source=Source.CHROME,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.CHROME_TLS_ONLY_SUBSCRIBERS,
    zlint=("e_client_auth_not_allowed",),
)
def chrome_subscriber_eku_server_auth_only(cert: CertView) -> Outcome:
    return _eku_within(cert, SERVER_AUTH_ONLY, "subscriber certificate", "id-kp-serverAuth only")


@lint(
    name="chrome_subordinate_ca_eku_server_auth_only",
    description="A subordinate CA certificate that can issue TLS certificates, issued (and so "
    "disclosed to the CCADB) from 2026-06-15, has an extendedKeyUsage extension asserting only "
    "id-kp-serverAuth.",
    citation="Chrome Root Program Policy 1.3.2 (1)",
    source=Source.CHROME,
    severity=Status.ERROR,
    applies=SUBORDINATE_CA,
    effective=dates.CHROME_TLS_ONLY_SUBORDINATES,
    when=can_issue_tls,
)
def chrome_subordinate_ca_eku_server_auth_only(cert: CertView) -> Outcome:
    return _eku_within(
        cert, SERVER_AUTH_ONLY, "subordinate CA certificate", "id-kp-serverAuth only"
    )


@lint(
    name="chrome_subordinate_ca_eku_tls_hierarchy",
    description="A subordinate CA certificate that can issue TLS certificates, issued before "
    "2026-06-15 but still valid then, has an extendedKeyUsage extension asserting "
    "id-kp-serverAuth and at most id-kp-clientAuth besides. It was not misissued, but from "
    "2026-06-15 Chrome phases out a hierarchy with such a certificate unexpired and "
    "unrevoked, hence a warning.",
    citation="Chrome Root Program Policy 1.3.2 (1)",
    source=Source.CHROME,
    severity=Status.WARN,
    applies=SUBORDINATE_CA,
    effective=dates.ALWAYS,
    ineffective=dates.CHROME_TLS_ONLY_SUBORDINATES,
    when=lambda cert: can_issue_tls(cert) and cert.not_after >= dates.CHROME_TLS_ONLY_SUBORDINATES,
)
def chrome_subordinate_ca_eku_tls_hierarchy(cert: CertView) -> Outcome:
    return _eku_within(
        cert,
        SERVER_AND_CLIENT_AUTH,
        "subordinate CA certificate",
        "id-kp-serverAuth, optionally with id-kp-clientAuth",
    )
