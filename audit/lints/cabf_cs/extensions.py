"""CS BR 7.1.2.3 (1.x: Appendix B (3) and (5)): the extensions of Code Signing and Timestamp
Certificates.

CS BR 1.2 required the OCSP and the caIssuers URL and let the CRL distribution point be left
out; CS BR 3.0 turned that round (cRLDistributionPoints required, OCSP "if the CA provides OCSP
responses"), so those two rules are split at `dates.CS_BR_3_0`. A Timestamp Certificate's
extKeyUsage is critical and names nothing but id-kp-timeStamping under CS BR 7.1.2.3(f) as under
RFC 3161 2.3: the RFC 3161 lints report those (time_stamping_eku_critical, time_stamping_eku_only
in rfc5280/time_stamping.py); here only the presence of id-kp-timeStamping is checked.
"""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br._shared import eku_names
from audit.lints.cabf_cs._shared import (
    CODE_SIGNING,
    CODE_SIGNING_EXTRA_EKUS,
    RESERVED_POLICIES,
    SUBSCRIBERS,
    TIME_STAMPING,
    http_url_problem,
    shown,
)
from audit.lints.rfc5280.key_usage_rules import BIT_NAMES
from audit.lints.rfc5280.uris_and_emails import uri_problem

# -- authorityInformationAccess ------------------------------------------------------------------


@lint(
    name="cs_aia_present_not_critical",
    description="A Code Signing or Timestamp Certificate has an authorityInformationAccess "
    "extension, not marked critical.",
    citation="CS BR 7.1.2.3(c); CS BR 1.2 App. B (3)(C), (5)(C)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=SUBSCRIBERS,
    effective=dates.CS_BR_1_2,
    zlint=("e_cs_authority_information_access",),
)
def aia_present_not_critical(cert: CertView) -> Outcome:
    if oids.AUTHORITY_INFO_ACCESS not in cert.extensions:
        return fail("no authorityInformationAccess extension")
    if cert.is_critical(oids.AUTHORITY_INFO_ACCESS):
        return fail("authorityInformationAccess is marked critical")
    return PASS


def _locations(cert: CertView, method: str) -> list[object]:
    """Every accessLocation of `method`, URIs as text and other name forms as they are."""
    return [
        name.value if name.kind == "uri" else f"<{name.kind} name>"
        for m, name in cert.aia_descriptions or ()
        if m == method
    ]


@lint(
    name="cs_aia_ca_issuers_http_url",
    description="The authorityInformationAccess of a Code Signing or Timestamp Certificate "
    "holds the HTTP URL of the issuing CA's certificate (id-ad-caIssuers), and every caIssuers "
    "location is a well-formed http:// URL.",
    citation="CS BR 7.1.2.3(c); CS BR 1.2 App. B (3)(C), (5)(C)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=SUBSCRIBERS,
    effective=dates.CS_BR_1_2,
    needs=(oids.AUTHORITY_INFO_ACCESS,),
    zlint=("e_cs_aia_missing_ca_issuers_http_url",),
)
def aia_ca_issuers_http_url(cert: CertView) -> Outcome:
    urls = _locations(cert, oids.AD_CA_ISSUERS)
    if not urls:
        return fail("authorityInformationAccess has no id-ad-caIssuers location")
    bad = [f"{shown(u)} {why}" for u in urls if (why := http_url_problem(u))]
    if bad:
        return fail(f"caIssuers location {'; '.join(bad)}")
    return PASS


@lint(
    name="cs_aia_ocsp_http_url",
    description="Every OCSP location (id-ad-ocsp) in the authorityInformationAccess of a Code "
    "Signing or Timestamp Certificate is a well-formed http:// URL.",
    citation="CS BR 7.1.2.3(c); CS BR 1.2 App. B (3)(C), (5)(C)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=SUBSCRIBERS,
    effective=dates.CS_BR_1_2,
    needs=(oids.AUTHORITY_INFO_ACCESS,),
    when=lambda cert: bool(_locations(cert, oids.AD_OCSP)),
    zlint=("e_cs_aia_ocsp_not_http",),
)
def aia_ocsp_http_url(cert: CertView) -> Outcome:
    bad = [
        f"{shown(u)} {why}" for u in _locations(cert, oids.AD_OCSP) if (why := http_url_problem(u))
    ]
    if bad:
        return fail(f"OCSP location {'; '.join(bad)}")
    return PASS


@lint(
    name="cs_aia_ocsp_required",
    description="Until CS BR 3.0 a Code Signing or Timestamp Certificate's "
    "authorityInformationAccess held the HTTP URL of the CA's OCSP responder; since, only if "
    "the CA provides OCSP responses.",
    citation="CS BR 1.2 App. B (3)(C), (5)(C); CS BR 2.x 13.2.1",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=SUBSCRIBERS,
    effective=dates.CS_BR_1_2,
    ineffective=dates.CS_BR_3_0,
    needs=(oids.AUTHORITY_INFO_ACCESS,),
)
def aia_ocsp_required(cert: CertView) -> Outcome:
    if not _locations(cert, oids.AD_OCSP):
        return fail("authorityInformationAccess has no id-ad-ocsp location")
    return PASS


# -- cRLDistributionPoints ----------------------------------------------------------------------


@lint(
    name="cs_crl_distribution_points_required",
    description="A Code Signing or Timestamp Certificate has a cRLDistributionPoints extension "
    "(CS BR 1.2 let it be left out).",
    citation="CS BR 7.1.2.3(b)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=SUBSCRIBERS,
    effective=dates.CS_BR_3_0,
    zlint=("e_cs_crl_distribution_points",),
)
def crl_distribution_points_required(cert: CertView) -> Outcome:
    if oids.CRL_DISTRIBUTION_POINTS not in cert.extensions:
        return fail("no cRLDistributionPoints extension")
    return PASS


@lint(
    name="cs_crl_distribution_points_http",
    description="A Code Signing or Timestamp Certificate's cRLDistributionPoints is not marked "
    "critical and holds the HTTP URL of the CA's CRL service; every URI in it is a URL (with a "
    "scheme).",
    citation="CS BR 7.1.2.3(b); CS BR 1.2 App. B (3)(B), (5)(B)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=SUBSCRIBERS,
    effective=dates.CS_BR_1_2,
    needs=(oids.CRL_DISTRIBUTION_POINTS,),
    zlint=("e_cs_crl_distribution_points",),
)
def crl_distribution_points_http(cert: CertView) -> Outcome:
    if cert.is_critical(oids.CRL_DISTRIBUTION_POINTS):
        return fail("cRLDistributionPoints is marked critical")
    urls = cert.crl_urls or ()
    if not any(http_url_problem(u) is None for u in urls):
        return fail(f"cRLDistributionPoints has no http:// URL ({[shown(u) for u in urls]})")
    # Other locations (ldap://, say) may sit beside the HTTP one, but each must be a URL.
    malformed = [f"{shown(u)} {why}" for u in urls if (why := uri_problem(u))]
    if malformed:
        return fail(f"cRLDistributionPoints URI {'; '.join(malformed)}")
    return PASS


# -- keyUsage -----------------------------------------------------------------------------------


def _ku(bits: frozenset[str]) -> str:
    return ", ".join(BIT_NAMES.get(b, b) for b in sorted(bits))


@lint(
    name="cs_key_usage_present_critical",
    description="A Code Signing or Timestamp Certificate has a keyUsage extension, marked "
    "critical.",
    citation="CS BR 7.1.2.3(e); CS BR 1.2 App. B (3)(E), (5)(E)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=SUBSCRIBERS,
    effective=dates.CS_BR_1_2,
    zlint=("e_cs_key_usage_required",),
)
def key_usage_present_critical(cert: CertView) -> Outcome:
    if oids.KEY_USAGE not in cert.extensions:
        return fail("no keyUsage extension")
    if not cert.is_critical(oids.KEY_USAGE):
        return fail("keyUsage is not marked critical")
    return PASS


@lint(
    name="cs_key_usage_digital_signature",
    description="The keyUsage of a Code Signing or Timestamp Certificate sets digitalSignature "
    "and neither keyCertSign nor cRLSign.",
    citation="CS BR 7.1.2.3(e); CS BR 1.2 App. B (3)(E), (5)(E)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=SUBSCRIBERS,
    effective=dates.CS_BR_1_2,
    needs=(oids.KEY_USAGE,),
    zlint=("e_cs_key_usage_required",),
)
def key_usage_digital_signature(cert: CertView) -> Outcome:
    bits = cert.key_usage or frozenset()
    problems = []
    if "digital_signature" not in bits:
        problems.append("digitalSignature is not set")
    ca_bits = bits & {"key_cert_sign", "crl_sign"}
    if ca_bits:
        problems.append(f"{_ku(ca_bits)} set")
    if problems:
        return fail(f"keyUsage ({_ku(bits) or 'no bits'}): {'; '.join(problems)}")
    return PASS


@lint(
    name="cs_key_usage_only_digital_signature",
    description="The keyUsage of a Code Signing or Timestamp Certificate sets no bit but "
    "digitalSignature (the others SHOULD NOT be set).",
    citation="CS BR 7.1.2.3(e); CS BR 1.2 App. B (3)(E), (5)(E)",
    source=Source.CABF_CS,
    severity=Status.WARN,
    applies=SUBSCRIBERS,
    effective=dates.CS_BR_1_2,
    needs=(oids.KEY_USAGE,),
    zlint=("e_cs_key_usage_required",),
)
def key_usage_only_digital_signature(cert: CertView) -> Outcome:
    others = (cert.key_usage or frozenset()) - {"digital_signature", "key_cert_sign", "crl_sign"}
    if others:
        return fail(f"keyUsage also sets {_ku(others)}")
    return PASS


# -- extKeyUsage --------------------------------------------------------------------------------


@lint(
    name="cs_eku_code_signing_required",
    description="A Code Signing Certificate has an extKeyUsage extension naming id-kp-codeSigning.",
    citation="CS BR 7.1.2.3(f); CS BR 1.2 App. B (3)(F)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=CODE_SIGNING,
    effective=dates.CS_BR_1_2,
    zlint=("e_cs_eku_required",),
)
def eku_code_signing_required(cert: CertView) -> Outcome:
    eku = cert.eku
    if eku is None:
        return fail("no extKeyUsage extension")
    if oids.EKU_CODE_SIGNING not in eku:
        return fail(f"extKeyUsage ({eku_names(eku)}) does not name id-kp-codeSigning")
    return PASS


@lint(
    name="cs_eku_time_stamping_required",
    description="A Timestamp Certificate has an extKeyUsage extension naming "
    "id-kp-timeStamping (that it is critical and names nothing else: time_stamping_eku_critical "
    "and time_stamping_eku_only, RFC 3161 2.3).",
    citation="CS BR 7.1.2.3(f); CS BR 1.2 App. B (5)(F)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=TIME_STAMPING,
    effective=dates.CS_BR_1_2,
)
def eku_time_stamping_required(cert: CertView) -> Outcome:
    eku = cert.eku
    if eku is None:
        return fail("no extKeyUsage extension")
    if oids.EKU_TIME_STAMPING not in eku:
        return fail(f"extKeyUsage ({eku_names(eku)}) does not name id-kp-timeStamping")
    return PASS


def _claims_cs_br(cert: CertView) -> bool:
    """A Code Signing or Timestamp Certificate: profiled as one, or a certificate profiled as a
    TLS one (its EKU names serverAuth) that asserts a CS BR reserved policy identifier."""
    if cert.profile in SUBSCRIBERS:
        return True
    return any(p in RESERVED_POLICIES for p in cert.policies or ())


@lint(
    name="cs_eku_any_and_server_auth_prohibited",
    description="A Code Signing or Timestamp Certificate names neither anyExtendedKeyUsage nor "
    "id-kp-serverAuth in its extKeyUsage. A certificate naming serverAuth is profiled as a TLS "
    "certificate; this lint still judges it when it asserts a CS BR reserved policy identifier.",
    citation="CS BR 7.1.2.3(f); CS BR 1.2 App. B (3)(F), (5)(F)",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=SUBSCRIBERS | profiles.SUBSCRIBER_TLS,
    effective=dates.CS_BR_1_2,
    needs=(oids.EXTENDED_KEY_USAGE,),
    when=_claims_cs_br,
    zlint=("e_cs_eku_required",),
)
def eku_any_and_server_auth_prohibited(cert: CertView) -> Outcome:
    bad = {oids.EKU_ANY, oids.EKU_SERVER_AUTH} & set(cert.eku or ())
    if bad:
        return fail(f"extKeyUsage names {eku_names(bad)}")
    return PASS


@lint(
    name="cs_eku_other_purposes_not_recommended",
    description="A Code Signing Certificate's extKeyUsage names nothing but id-kp-codeSigning, "
    "the Lifetime Signing OID, id-kp-emailProtection and Document Signing: other values SHOULD "
    "NOT be present (and need a business agreement with a Platform vendor). For Timestamp "
    "Certificates, time_stamping_eku_only (RFC 3161 2.3) holds the stricter rule.",
    citation="CS BR 7.1.2.3(f); CS BR 1.2 App. B (3)(F), (5)(F)",
    source=Source.CABF_CS,
    severity=Status.WARN,
    applies=CODE_SIGNING,
    effective=dates.CS_BR_1_2,
    needs=(oids.EXTENDED_KEY_USAGE,),
)
def eku_other_purposes_not_recommended(cert: CertView) -> Outcome:
    eku = set(cert.eku or ())
    allowed = {oids.EKU_CODE_SIGNING} | CODE_SIGNING_EXTRA_EKUS
    # anyExtendedKeyUsage and serverAuth are prohibited outright: the lint above reports them.
    others = eku - allowed - {oids.EKU_ANY, oids.EKU_SERVER_AUTH}
    if others:
        return fail(f"extKeyUsage also names {eku_names(others)}")
    return PASS


# -- certificatePolicies ------------------------------------------------------------------------


@lint(
    name="cs_certificate_policies_present",
    description="A Code Signing or Timestamp Certificate has a certificatePolicies extension "
    "with a policy identifier asserting adherence to the CS BR.",
    citation="CS BR 7.1.2.3(a), 7.1.6.4; CS BR 1.2 App. B (3)(A), (5)(A), 9.3.4",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=SUBSCRIBERS,
    effective=dates.CS_BR_1_2,
)
def certificate_policies_present(cert: CertView) -> Outcome:
    if not cert.policies:
        return fail("no certificatePolicies extension, or no policy identifier in it")
    return PASS


@lint(
    name="cs_certificate_policies_not_critical",
    description="A Code Signing or Timestamp Certificate's certificatePolicies SHOULD NOT be "
    "marked critical.",
    citation="CS BR 7.1.2.3(a); CS BR 1.2 App. B (3)(A), (5)(A)",
    source=Source.CABF_CS,
    severity=Status.WARN,
    applies=SUBSCRIBERS,
    effective=dates.CS_BR_1_2,
    needs=(oids.CERTIFICATE_POLICIES,),
)
def certificate_policies_not_critical(cert: CertView) -> Outcome:
    if cert.is_critical(oids.CERTIFICATE_POLICIES):
        return fail("certificatePolicies is marked critical")
    return PASS


# What each kind of certificate may assert: a reserved identifier of another kind (or a TLS BR
# one) would assert compliance with requirements the certificate was not issued under.
_OWN_RESERVED = {
    "code_signing": {oids.POLICY_CODE_SIGNING},
    "ev_code_signing": {oids.POLICY_EV_CODE_SIGNING},
    "time_stamping": {oids.POLICY_TIME_STAMPING},
}
_OTHER_CABF_RESERVED = {
    oids.POLICY_DV: "TLS DV", oids.POLICY_OV: "TLS OV", oids.POLICY_IV: "TLS IV",
    oids.POLICY_EV: "TLS EV",
}  # fmt: skip


@lint(
    name="cs_reserved_policy_matches_certificate_type",
    description="A Code Signing, EV Code Signing or Timestamp Certificate asserts no CA/Browser "
    "Forum reserved policy identifier but its own: not another kind's (2.23.140.1.4.1 Non-EV "
    "Code Signing, 2.23.140.1.3 EV Code Signing, 2.23.140.1.4.2 Timestamp), not a TLS one "
    "(2.23.140.1.1, 2.23.140.1.2.x) nor an S/MIME one (2.23.140.1.5.x).",
    citation="CS BR 7.1.6.1, 7.1.6.4; CS BR 1.2 9.3.1",
    source=Source.CABF_CS,
    severity=Status.ERROR,
    applies=SUBSCRIBERS,
    effective=dates.CS_BR_1_2,
    needs=(oids.CERTIFICATE_POLICIES,),
)
def reserved_policy_matches_certificate_type(cert: CertView) -> Outcome:
    own = _OWN_RESERVED[str(cert.profile)]
    wrong = []
    for policy in cert.policies or ():
        if policy in own:
            continue
        if policy in RESERVED_POLICIES:
            wrong.append(RESERVED_POLICIES[policy])
        elif policy in _OTHER_CABF_RESERVED:
            wrong.append(f"{_OTHER_CABF_RESERVED[policy]} ({policy})")
        elif policy.startswith(oids.POLICY_SMIME_ARC):
            wrong.append(f"S/MIME ({policy})")
    if wrong:
        kind = str(cert.profile).replace("_", " ")
        return fail(f"a {kind} certificate asserts the reserved policy of {', '.join(wrong)}")
    return PASS
