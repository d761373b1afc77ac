"""BR 4.9.9 / BR 2.0 7.1.2.8: delegated OCSP responder certificates.

A certificate with id-kp-OCSPSigning in extKeyUsage that is not a CA certificate is an OCSP
responder certificate (profiles.py). BR 4.9.9 has asked for id-pkix-ocsp-nocheck since the
first BRs; BR 2.0 (Ballot SC62, from 2023-09-15) gives the whole profile in 7.1.2.8.
"""

from __future__ import annotations

from audit.engine import oids
from audit.engine.certview import CertView
from audit.engine.profiles import Profile
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_br._shared import eku_names

_OCSP_RESPONDER = frozenset({Profile.OCSP_RESPONDER})
_NULL = b"\x05\x00"  # the DER of ASN.1 NULL: id-pkix-ocsp-nocheck's only allowed value


@lint(
    name="ocsp_responder_no_check_present",
    description="An OCSP responder certificate has the id-pkix-ocsp-nocheck extension, so "
    "relying parties do not ask the responder about its own certificate.",
    citation="BR 4.9.9; BR 2.0 7.1.2.8.2, 7.1.2.8.6; RFC 6960 4.2.2.2.1",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=_OCSP_RESPONDER,
    effective=dates.BR_1_0,
    zlint=("e_ocsp_id_pkix_ocsp_nocheck_ext_not_included_server_auth",),
)
def ocsp_responder_no_check_present(cert: CertView) -> Outcome:
    if not cert.has_extension(oids.OCSP_NO_CHECK):
        return fail("OCSP responder certificate has no id-pkix-ocsp-nocheck extension")
    return PASS


@lint(
    name="ocsp_responder_no_check_encoding",
    description="The id-pkix-ocsp-nocheck extension of an OCSP responder certificate is not "
    "critical and its extnValue is exactly the DER of NULL (05 00). zlint has no equivalent.",
    citation="BR 2.0 7.1.2.8.2, 7.1.2.8.6",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=_OCSP_RESPONDER,
    effective=dates.BR_2_0,
    needs=(oids.OCSP_NO_CHECK,),
)
def ocsp_responder_no_check_encoding(cert: CertView) -> Outcome:
    if cert.is_critical(oids.OCSP_NO_CHECK):
        return fail("id-pkix-ocsp-nocheck is marked critical")
    value = cert.extension_value_der(oids.OCSP_NO_CHECK)
    if value is not None and value != _NULL:
        return fail(f"id-pkix-ocsp-nocheck's value is {value[:32].hex()!r}, not 0500 (NULL)")
    return PASS


@lint(
    name="ocsp_responder_crl_distribution_points_absent",
    description="An OCSP responder certificate has no cRLDistributionPoints extension.",
    citation="BR 2.0 7.1.2.8.2",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=_OCSP_RESPONDER,
    effective=dates.BR_2_0,
    zlint=("e_ocsp_cert_cdp_forbidden",),
)
def ocsp_responder_crl_distribution_points_absent(cert: CertView) -> Outcome:
    if cert.has_extension(oids.CRL_DISTRIBUTION_POINTS):
        return fail(f"OCSP responder certificate has cRLDistributionPoints {cert.crl_urls!r}")
    return PASS


@lint(
    name="ocsp_responder_certificate_policies_absent",
    description="An OCSP responder certificate has no certificatePolicies extension.",
    citation="BR 2.0 7.1.2.8.2, 7.1.2.8.8",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=_OCSP_RESPONDER,
    effective=dates.BR_2_0,
    zlint=("e_ocsp_cert_cp_forbidden",),
)
def ocsp_responder_certificate_policies_absent(cert: CertView) -> Outcome:
    if cert.has_extension(oids.CERTIFICATE_POLICIES):
        return fail(f"OCSP responder certificate has certificatePolicies {cert.policies!r}")
    return PASS


@lint(
    name="ocsp_responder_key_usage_digital_signature_only",
    description="An OCSP responder certificate has keyUsage asserting digitalSignature and "
    "nothing else.",
    citation="BR 2.0 7.1.2.8.2, 7.1.2.8.7",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=_OCSP_RESPONDER,
    effective=dates.BR_2_0,
    zlint=("e_ocsp_cert_invalid_ku",),
)
def ocsp_responder_key_usage_digital_signature_only(cert: CertView) -> Outcome:
    usage = cert.key_usage
    if usage is None:
        return fail("OCSP responder certificate has no keyUsage extension")
    if usage != {"digital_signature"}:
        return fail(f"OCSP responder keyUsage is {sorted(usage)}, not digitalSignature alone")
    return PASS


@lint(
    name="ocsp_responder_eku_ocsp_signing_only",
    description="The extKeyUsage of an OCSP responder certificate has id-kp-OCSPSigning and no "
    "other purpose. zlint has no equivalent.",
    citation="BR 2.0 7.1.2.8.5",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=_OCSP_RESPONDER,
    effective=dates.BR_2_0,
)
def ocsp_responder_eku_ocsp_signing_only(cert: CertView) -> Outcome:
    other = frozenset(cert.eku or ()) - {oids.EKU_OCSP_SIGNING}
    if other:
        return fail(f"OCSP responder extKeyUsage also has {eku_names(other)}")
    return PASS


@lint(
    name="ocsp_responder_names_extensions_absent",
    description="An OCSP responder certificate has neither subjectAltName nor nameConstraints. "
    "zlint has no equivalent.",
    citation="BR 2.0 7.1.2.8.2",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=_OCSP_RESPONDER,
    effective=dates.BR_2_0,
)
def ocsp_responder_names_extensions_absent(cert: CertView) -> Outcome:
    present = [
        label
        for oid, label in (
            (oids.SUBJECT_ALT_NAME, "subjectAltName"),
            (oids.NAME_CONSTRAINTS, "nameConstraints"),
        )
        if cert.has_extension(oid)
    ]
    if present:
        return fail(f"OCSP responder certificate has {' and '.join(present)}")
    return PASS


@lint(
    name="ocsp_responder_aia_not_recommended",
    description="An OCSP responder certificate has no authorityInformationAccess extension "
    "(NOT RECOMMENDED). zlint has no equivalent.",
    citation="BR 2.0 7.1.2.8.2, 7.1.2.8.3",
    source=Source.CABF_BR,
    severity=Status.WARN,
    applies=_OCSP_RESPONDER,
    effective=dates.BR_2_0,
)
def ocsp_responder_aia_not_recommended(cert: CertView) -> Outcome:
    if cert.has_extension(oids.AUTHORITY_INFO_ACCESS):
        return fail("OCSP responder certificate has authorityInformationAccess (NOT RECOMMENDED)")
    return PASS


_ACCESS_METHODS = {oids.AD_OCSP: "id-ad-ocsp", oids.AD_CA_ISSUERS: "id-ad-caIssuers"}


@lint(
    name="ocsp_responder_aia_ocsp_only",
    description="When an OCSP responder certificate has authorityInformationAccess (itself NOT "
    "RECOMMENDED: ocsp_responder_aia_not_recommended), it holds at least one access "
    "description, each id-ad-ocsp located by a uniformResourceIdentifier: id-ad-caIssuers, "
    "and any other access method, MUST NOT be used. zlint has no equivalent.",
    citation="BR 2.0 7.1.2.8.3",
    source=Source.CABF_BR,
    severity=Status.ERROR,
    applies=_OCSP_RESPONDER,
    effective=dates.BR_2_0,
    needs=(oids.AUTHORITY_INFO_ACCESS,),
)
def ocsp_responder_aia_ocsp_only(cert: CertView) -> Outcome:
    descriptions = cert.aia_descriptions or ()
    if not descriptions:
        return fail("authorityInformationAccess has no access descriptions")
    for method, location in descriptions:
        if method != oids.AD_OCSP:
            shown = _ACCESS_METHODS.get(method, method)
            return fail(f"OCSP responder authorityInformationAccess has access method {shown}")
        if location.kind != "uri":
            return fail(f"id-ad-ocsp is located by a {location.kind} name, not a URI")
    return PASS
