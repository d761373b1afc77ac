"""BR 7.1.6 / 7.1.2.7.9 / 7.1.2.10.5: certificate policies and what they promise.

The presence and criticality of certificatePolicies are in `extensions.py`; here: the policy
identifiers a subordinate CA may assert (BR 2.0 7.1.2.10.5), the qualifiers any certificate may
carry (BR 2.0 7.1.2.7.9, 7.1.2.10.5), and the subject a reserved OV or IV policy identifier
promises (BR 7.1.6.1 under BR 1.x; BR 2.0 7.1.2.7.3-4).
"""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br._shared import has_policy, one_reserved_policy
from audit.lints.cabf_br.non_tls_ca import is_non_tls_ca

_QUALIFIER_NAMES = {oids.CPS_QUALIFIER: "id-qt-cps", oids.USER_NOTICE_QUALIFIER: "id-qt-unotice"}


# -- the policy identifiers of subordinate CAs (BR 2.0 7.1.2.10.5) --------------------------------


@lint(
    name="subordinate_ca_any_policy_alone",
    description="A subordinate CA certificate that asserts anyPolicy (no policy restrictions, "
    "for an Affiliate of the issuing CA) asserts no other policy identifier.",
    citation="BR 2.0 7.1.2.10.5 (No Policy Restrictions)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBORDINATE,
    effective=dates.BR_2_0,
    when=lambda cert: oids.POLICY_ANY in (cert.policies or ()),
    needs=(oids.CERTIFICATE_POLICIES,),
    zlint=("e_invalid_ca_certificate_policies",),
)
def subordinate_ca_any_policy_alone(cert: CertView) -> Outcome:
    policies = cert.policies or ()
    if len(policies) > 1:
        others = [p for p in policies if p != oids.POLICY_ANY]
        return fail(f"anyPolicy is accompanied by {others[:10]!r}")
    return PASS


@lint(
    name="subordinate_ca_one_reserved_policy",
    description="A policy-restricted subordinate CA certificate (one without anyPolicy) asserts "
    "exactly one CA/Browser Forum reserved policy identifier (DV, OV, IV or EV). A certificate "
    "without certificatePolicies asserts none (subordinate_ca_certificate_policies_present "
    "also reports it). zlint splits this in two: e_ca_multiple_reserved_policy_oids (more than "
    "one) and e_invalid_ca_certificate_policies (none). A non-TLS subordinate CA (BR 2.0 "
    "7.1.2.3) must carry none instead (non_tls_ca_reserved_policy_absent).",
    citation="BR 2.0 7.1.2.10.5 (Policy Restricted)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBORDINATE,
    effective=dates.BR_2_0,
    when=lambda cert: oids.POLICY_ANY not in (cert.policies or ()) and not is_non_tls_ca(cert),
    version=2,
    zlint=("e_ca_multiple_reserved_policy_oids", "e_invalid_ca_certificate_policies"),
)
def subordinate_ca_one_reserved_policy(cert: CertView) -> Outcome:
    if cert.policies is None:
        return fail("subordinate CA certificate has no certificatePolicies, so no reserved policy")
    return one_reserved_policy(cert)


# -- policy qualifiers (BR 2.0 7.1.2.7.9, 7.1.2.10.5) ---------------------------------------------


@lint(
    name="policy_qualifiers_cps_only",
    description="No policyQualifier in certificatePolicies is other than id-qt-cps (a "
    "userNotice, or any other qualifier, MUST NOT be present).",
    citation="BR 2.0 7.1.2.7.9, 7.1.2.10.5",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_2_0,
    needs=(oids.CERTIFICATE_POLICIES,),
    zlint=("e_policy_qualifiers_other_than_cps_not_permitted",),
)
def policy_qualifiers_cps_only(cert: CertView) -> Outcome:
    other = sorted(
        {
            _QUALIFIER_NAMES.get(q.oid, q.oid)
            for p in cert.policy_information or ()
            for q in p.qualifiers
            if q.oid != oids.CPS_QUALIFIER
        }
    )
    if other:
        return fail(f"certificatePolicies has policy qualifiers other than id-qt-cps: {other}")
    return PASS


def _is_http_or_https_url(text: str) -> bool:
    scheme, sep, rest = text.partition("://")
    return bool(sep) and scheme.lower() in ("http", "https") and bool(rest)


@lint(
    name="cps_uri_http_or_https",
    description="Every id-qt-cps qualifier in certificatePolicies is an IA5String holding an "
    'HTTP or HTTPS URL. BR 1.x asked for an "HTTP URL" without saying MUST; zlint dates the '
    "rule from BR 2.0 too.",
    citation="BR 2.0 7.1.2.7.9, 7.1.2.10.5 (Permitted policyQualifiers)",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.TLS_HIERARCHY,
    effective=dates.BR_2_0,
    needs=(oids.CERTIFICATE_POLICIES,),
    zlint=("e_invalid_cps_uri",),
)
def cps_uri_http_or_https(cert: CertView) -> Outcome:
    bad = [
        q.cps_uri
        for p in cert.policy_information or ()
        for q in p.qualifiers
        if q.oid == oids.CPS_QUALIFIER and not (q.cps_uri and _is_http_or_https_url(q.cps_uri))
    ]
    if bad:
        shown = ", ".join("(not an IA5String)" if b is None else repr(b[:200]) for b in bad[:5])
        return fail(f"CPS qualifier is not an HTTP or HTTPS URL: {shown}")
    return PASS


# -- the subject promised by the OV and IV policy identifiers ------------------------------------


def _lacks_country(cert: CertView) -> Outcome:
    if not cert.subject.has(oids.COUNTRY):
        return fail(f"subject {cert.subject.rfc4514[:300]!r} has no countryName")
    return PASS


def _lacks_locality_and_state(cert: CertView) -> Outcome:
    if not (cert.subject.has(oids.LOCALITY) or cert.subject.has(oids.STATE)):
        return fail(
            f"subject {cert.subject.rfc4514[:300]!r} has neither localityName nor "
            "stateOrProvinceName"
        )
    return PASS


@lint(
    name="ov_policy_requires_country",
    description="The subject of a subscriber certificate asserting the OV policy "
    "(2.23.140.1.2.2) has countryName.",
    citation="BR 7.1.6.1 (BR 1.x); BR 2.0 7.1.2.7.4; BR 1.0 9.3.1",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    when=has_policy(oids.POLICY_OV),
    needs=(oids.CERTIFICATE_POLICIES,),
    zlint=("e_cert_policy_ov_requires_country",),
)
def ov_policy_requires_country(cert: CertView) -> Outcome:
    return _lacks_country(cert)


@lint(
    name="ov_policy_requires_locality_or_state",
    description="The subject of a subscriber certificate asserting the OV policy "
    "(2.23.140.1.2.2) has localityName or stateOrProvinceName.",
    citation="BR 7.1.6.1 (BR 1.x); BR 2.0 7.1.2.7.4; BR 1.0 9.3.1",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_1_0,
    when=has_policy(oids.POLICY_OV),
    needs=(oids.CERTIFICATE_POLICIES,),
    zlint=("e_cert_policy_ov_requires_province_or_locality",),
)
def ov_policy_requires_locality_or_state(cert: CertView) -> Outcome:
    return _lacks_locality_and_state(cert)


@lint(
    name="iv_policy_requires_country",
    description="The subject of a subscriber certificate asserting the IV policy "
    "(2.23.140.1.2.3, defined by Ballot 151 on 2015-09-28) has countryName.",
    citation="BR 7.1.6.1 (BR 1.3.1 onwards); BR 2.0 7.1.2.7.3",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_IV_POLICY,
    when=has_policy(oids.POLICY_IV),
    needs=(oids.CERTIFICATE_POLICIES,),
    zlint=("e_cert_policy_iv_requires_country",),
)
def iv_policy_requires_country(cert: CertView) -> Outcome:
    return _lacks_country(cert)


@lint(
    name="iv_policy_requires_locality_or_state",
    description="The subject of a subscriber certificate asserting the IV policy "
    "(2.23.140.1.2.3, defined by Ballot 151 on 2015-09-28) has localityName or "
    "stateOrProvinceName.",
    citation="BR 7.1.6.1 (BR 1.3.1 onwards); BR 2.0 7.1.2.7.3",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=profiles.SUBSCRIBER_TLS,
    effective=dates.BR_IV_POLICY,
    when=has_policy(oids.POLICY_IV),
    needs=(oids.CERTIFICATE_POLICIES,),
    zlint=("e_cert_policy_iv_requires_province_or_locality",),
)
def iv_policy_requires_locality_or_state(cert: CertView) -> Outcome:
    return _lacks_locality_and_state(cert)
