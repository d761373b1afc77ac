"""CS BR 7.1.2.2 (1.x: Appendix B (2) and (4)): certificates of Subordinate CAs that issue Code
Signing or Timestamp Certificates, told apart by their extKeyUsage (CS BR 7.1.2.2(g)).

The TLS BR's CA lints judge every CA certificate already (basicConstraints, keyUsage bits); the
rules here are those the CS BR add or change for these CAs.
"""

from __future__ import annotations

from audit.engine import oids
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br._shared import eku_names
from audit.lints.cabf_cs._shared import CA, http_url_problem, is_cs_br_subordinate, shown


@lint(
    name="cs_ca_eku_prohibited_purposes",
    description="A Subordinate CA certificate for a CA issuing Code Signing or Timestamp "
    "Certificates names neither anyExtendedKeyUsage nor id-kp-serverAuth in its extKeyUsage.",
    citation="CS BR 7.1.2.2(g); CS BR 1.2 App. B (2)(F), (4)(F)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=CA,
    effective=dates.CS_BR_1_2,
    when=is_cs_br_subordinate,
)
def ca_eku_prohibited_purposes(cert: CertView) -> Outcome:
    bad = {oids.EKU_ANY, oids.EKU_SERVER_AUTH} & set(cert.eku or ())
    if bad:
        return fail(f"extKeyUsage names {eku_names(bad)}")
    return PASS


@lint(
    name="cs_ca_eku_one_purpose",
    description="A Subordinate CA certificate for a CA issuing Code Signing or Timestamp "
    "Certificates names id-kp-codeSigning or id-kp-timeStamping, not both, and not "
    "id-kp-emailProtection (CS BR 1.2 allowed emailProtection beside codeSigning).",
    citation="CS BR 7.1.2.2(g)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=CA,
    effective=dates.CS_BR_3_0,
    when=is_cs_br_subordinate,
)
def ca_eku_one_purpose(cert: CertView) -> Outcome:
    eku = set(cert.eku or ())
    problems = []
    if {oids.EKU_CODE_SIGNING, oids.EKU_TIME_STAMPING} <= eku:
        problems.append("both id-kp-codeSigning and id-kp-timeStamping")
    if oids.EKU_EMAIL_PROTECTION in eku:
        problems.append("id-kp-emailProtection")
    if problems:
        return fail(f"extKeyUsage names {' and '.join(problems)}")
    return PASS


@lint(
    name="cs_ca_eku_not_critical",
    description="The extKeyUsage of a Subordinate CA certificate for a CA issuing Code Signing "
    "or Timestamp Certificates SHOULD NOT be marked critical.",
    citation="CS BR 7.1.2.2(g); CS BR 1.2 App. B (2)(F), (4)(F)",
    source=Source.CABF_CS,
    severity=Status.WARN,
    applies=CA,
    effective=dates.CS_BR_1_2,
    when=is_cs_br_subordinate,
)
def ca_eku_not_critical(cert: CertView) -> Outcome:
    if cert.is_critical(oids.EXTENDED_KEY_USAGE):
        return fail("extKeyUsage is marked critical")
    return PASS


@lint(
    name="cs_ca_certificate_policies_present",
    description="A Subordinate CA certificate for a CA issuing Code Signing or Timestamp "
    "Certificates has a certificatePolicies extension with at least one policy identifier.",
    citation="CS BR 7.1.2.2(a), 7.1.6.3; CS BR 1.2 App. B (2)(A), (4)(A), 9.3.3",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=CA,
    effective=dates.CS_BR_1_2,
    when=is_cs_br_subordinate,
)
def ca_certificate_policies_present(cert: CertView) -> Outcome:
    if not cert.policies:
        return fail("no certificatePolicies extension, or no policy identifier in it")
    return PASS


@lint(
    name="cs_ca_crl_distribution_points_http",
    description="A Subordinate CA certificate for a CA issuing Code Signing or Timestamp "
    "Certificates has a cRLDistributionPoints extension, not marked critical, holding the HTTP "
    "URL of the CA's CRL service.",
    citation="CS BR 7.1.2.2(b); CS BR 1.2 App. B (2)(B), (4)(B)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=CA,
    effective=dates.CS_BR_1_2,
    when=is_cs_br_subordinate,
)
def ca_crl_distribution_points_http(cert: CertView) -> Outcome:
    if oids.CRL_DISTRIBUTION_POINTS not in cert.extensions:
        return fail("no cRLDistributionPoints extension")
    if cert.is_critical(oids.CRL_DISTRIBUTION_POINTS):
        return fail("cRLDistributionPoints is marked critical")
    urls = cert.crl_urls or ()
    if not any(http_url_problem(u) is None for u in urls):
        return fail(f"cRLDistributionPoints has no http:// URL ({[shown(u) for u in urls]})")
    return PASS


@lint(
    name="cs_ca_aia_present_not_critical",
    description="A Subordinate CA certificate for a CA issuing Code Signing or Timestamp "
    "Certificates has an authorityInformationAccess extension, not marked critical, holding an "
    "HTTP URL of the issuing CA's certificate or OCSP responder.",
    citation="CS BR 7.1.2.2(c); CS BR 1.2 App. B (2)(C), (4)(C)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=CA,
    effective=dates.CS_BR_1_2,
    when=is_cs_br_subordinate,
)
def ca_aia_present_not_critical(cert: CertView) -> Outcome:
    if oids.AUTHORITY_INFO_ACCESS not in cert.extensions:
        return fail("no authorityInformationAccess extension")
    if cert.is_critical(oids.AUTHORITY_INFO_ACCESS):
        return fail("authorityInformationAccess is marked critical")
    aia = cert.aia
    urls = (*aia.ca_issuers, *aia.ocsp) if aia else ()
    if not any(http_url_problem(u) is None for u in urls):
        return fail("authorityInformationAccess has no http:// caIssuers or OCSP URL")
    return PASS
