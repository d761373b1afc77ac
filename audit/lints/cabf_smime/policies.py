"""S/MIME BR 7.1.2.3(a), 7.1.6.1 and 7.1.6.4: the certificatePolicies of subscriber certificates."""

from __future__ import annotations

from audit.engine import oids, profiles
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_smime._shared import LEGACY, SMIME_BR, describe, reserved_smime_policies


@lint(
    name="smime_exactly_one_reserved_policy",
    description="An S/MIME subscriber certificate (extKeyUsage id-kp-emailProtection, or a "
    "reserved S/MIME policy) has a certificatePolicies extension with exactly one of the twelve "
    "reserved S/MIME policy identifiers (2.23.140.1.5.v.g); it may add the CA's own. Without "
    "one the certificate asserts no validation type or generation, and no other S/MIME lint "
    "can judge it by its profile.",
    citation="S/MIME BR 7.1.2.3(a), 7.1.6.1, 7.1.6.4",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=profiles.SMIME,
    effective=dates.SMIME_BR_1_0_0,
    zlint=("e_exactly_one_smime_policy",),
)
def exactly_one_reserved_policy(cert: CertView) -> Outcome:
    reserved = reserved_smime_policies(cert)
    if len(reserved) == 1:
        return PASS
    if cert.policies is None:
        return fail("no certificatePolicies extension: a reserved S/MIME policy is required")
    if not reserved:
        return fail("certificatePolicies has none of the reserved S/MIME policy identifiers")
    return fail(f"certificatePolicies has {len(reserved)} reserved S/MIME policies: {reserved}")


@lint(
    name="smime_certificate_policies_not_critical",
    description="certificatePolicies SHOULD NOT be marked critical in an S/MIME subscriber "
    "certificate.",
    citation="S/MIME BR 7.1.2.3(a)",
    source=Source.CABF_SMIME,
    severity=Status.WARN,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.CERTIFICATE_POLICIES,),
)
def certificate_policies_not_critical(cert: CertView) -> Outcome:
    if cert.is_critical(oids.CERTIFICATE_POLICIES):
        return fail("certificatePolicies is marked critical")
    return PASS


@lint(
    name="smime_cps_qualifier_http_url",
    description="A policy qualifier of type id-qt-cps holds an HTTP or HTTPS URL (of the "
    "Issuing CA's CP, CPS, Relying Party Agreement or other online policy information).",
    citation="S/MIME BR 7.1.2.3(a)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.CERTIFICATE_POLICIES,),
)
def cps_qualifier_http_url(cert: CertView) -> Outcome:
    return cps_uris_are_http(cert)


def cps_uris_are_http(cert: CertView) -> Outcome:
    """Each id-qt-cps qualifier is an http:// or https:// URL (also 7.1.2.2(a) of CAs)."""
    bad = []
    for info in cert.policy_information or ():
        for q in info.qualifiers:
            if q.oid != oids.CPS_QUALIFIER:
                continue
            uri = q.cps_uri
            if uri is None or not uri[:8].lower().startswith(("http://", "https://")):
                bad.append(repr(uri[:200]) if uri is not None else "a value that is not text")
    if bad:
        return fail(f"id-qt-cps qualifier is not an HTTP or HTTPS URL: {', '.join(bad[:5])}")
    return PASS


@lint(
    name="smime_user_notice_explicit_text_only",
    description="A policy qualifier of type id-qt-unotice contains explicitText and does not "
    "contain noticeRef (stricter than RFC 5280's SHOULD NOT).",
    citation="S/MIME BR 7.1.2.3(a)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.CERTIFICATE_POLICIES,),
)
def user_notice_explicit_text_only(cert: CertView) -> Outcome:
    return user_notices_explicit_text_only(cert)


def user_notices_explicit_text_only(cert: CertView) -> Outcome:
    """Each id-qt-unotice has explicitText and no noticeRef (also 7.1.2.2(a) of CAs)."""
    for notice in cert.user_notices:
        if notice.notice_ref:
            return fail("a user notice qualifier contains noticeRef")
        if notice.explicit_text is None:
            return fail("a user notice qualifier has no explicitText")
    return PASS


@lint(
    name="smime_legacy_generation_not_issued",
    description="S/MIME subscriber certificates are not issued under the Legacy Generation "
    "profiles (2.23.140.1.5.1.1, .2.1, .3.1, .4.1) from 15 July 2025.",
    citation="S/MIME BR 7.1.6.1; S/MIME BR 1.0.6 (Ballot SMC08)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=LEGACY,
    effective=dates.SMIME_LEGACY_SUNSET,
    zlint=("e_legacy_generation_deprecated",),
)
def legacy_generation_not_issued(cert: CertView) -> Outcome:
    return fail(f"{describe(cert.profile)} certificate issued after the Legacy Generation sunset")
